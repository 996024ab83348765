"""Kept dashboard figures (lms/reports/freshness.py) never differ from a fresh computation,
whatever writes come between two views, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from lms.auth.models import User
from lms.certificates.models import Certificate, LessonDelivery
from lms.courses.models import Course, Lesson, Track
from lms.extensions import db
from lms.hubs.models import Hub
from lms.learning.models import Enrolment, LessonProgress
from lms.reports import freshness, queries
from tests.clock import read_per_test
from tests.factories import make_hub, make_user

TODAY = date.today()  # read again before each test (tests/clock.py)
NOW = datetime.now().replace(microsecond=0)
_clock = read_per_test(__name__)


@pytest.fixture
def small_world(app, make_course):
    make_course("alpha", lessons=2, questions=3)
    make_course("beta", lessons=1, questions=3)
    hubs = [make_hub("hub-a", name="Hub A", region="North"), make_hub("hub-b", name="Hub B", region="South"),
            make_hub("hub-c", name="Hub C", region="South")]
    db.session.commit()
    return hubs


def scopes(hubs) -> list[tuple[queries.Scope, bool]]:
    year = queries.Scope(TODAY - timedelta(days=365), TODAY)
    track = db.session.scalar(select(Track.id).order_by(Track.id))
    return [(year, True), (queries.Scope(TODAY - timedelta(days=30), TODAY), True),
            (queries.Scope(year.date_from, TODAY, region="South"), True),
            (queries.Scope(year.date_from, TODAY, hubs[1].id), True),  # an admin's page filtered to one hub
            (queries.Scope(year.date_from, TODAY, track_id=track), True),
            (queries.Scope(year.date_from, TODAY, hubs[0].id, track_id=track), False),
            *[(queries.Scope(year.date_from, TODAY, hub.id), False) for hub in hubs]]


def assert_kept_equals_fresh(hubs, today: date | None = None, rng: random.Random | None = None) -> None:
    """Every page, kept against fresh; in a random order, so a hub's parts are sometimes read
    first on its coordinator's page and sometimes on a national one."""
    today = today or TODAY
    pages = scopes(hubs)
    if rng is not None:
        rng.shuffle(pages)
    for scope, national in pages:
        kept = freshness.dashboard(scope, today, "en", national=national)
        fresh = queries.dashboard(scope, today, "en", national=national)
        assert kept == fresh, (scope, national)


def assert_funnel_counts_distinct_volunteers(hubs) -> None:
    """The funnel's enrolled and passed, against a count by hand of the rows."""
    end = datetime.combine(TODAY + timedelta(days=1), datetime.min.time())
    volunteers = {u.id: u.hub_id for u in db.session.scalars(select(User)) if "volunteer" in u.roles}
    enrolments = [e for e in db.session.scalars(select(Enrolment)) if e.user_id in volunteers]
    for scope, national in scopes(hubs):
        if scope.region or scope.track_id or scope.date_from != TODAY - timedelta(days=365):
            continue
        mine = [e for e in enrolments if scope.hub_id is None or volunteers[e.user_id] == scope.hub_id]
        funnel = dict(queries.dashboard(scope, TODAY, "en", national=national).funnel)
        assert funnel["enrolled"] == len({e.user_id for e in mine if e.enrolled_at < end})
        assert funnel["passed"] == len({e.user_id for e in mine if e.passed_at and e.passed_at < end})


def _pick(rows):
    return random.choice(rows) if rows else None


class Writes:
    """Random writes of every kind a dashboard figure depends on, through the ORM and as statements."""

    def __init__(self, rng: random.Random, hubs: list[Hub]) -> None:
        self.rng, self.hubs, self.serial = rng, hubs, 0

    def people(self):
        return db.session.scalars(select(User).order_by(User.id)).all()

    def join(self):
        make_user(self.rng.choice(self.hubs + [None]), roles=self.rng.choice([("volunteer",), ("volunteer", "trainer")]),
                  created_at=NOW - timedelta(days=self.rng.randint(0, 500)))

    def enrol(self):
        person, course = _pick(self.people()), self.rng.choice(db.session.scalars(select(Course)).all())
        if person and db.session.scalar(select(Enrolment).filter_by(user_id=person.id, course_id=course.id)) is None:
            db.session.add(Enrolment(user_id=person.id, course_id=course.id,
                                     enrolled_at=NOW - timedelta(days=self.rng.randint(0, 400))))

    def pass_course(self):
        open_ones = db.session.scalars(select(Enrolment).where(Enrolment.passed_at.is_(None))).all()
        if open_ones:
            enrolment = self.rng.choice(open_ones)
            enrolment.passed_at, enrolment.passed_revision = NOW - timedelta(days=self.rng.randint(0, 30)), 1

    def leave_course(self):
        enrolment = _pick(db.session.scalars(select(Enrolment)).all())
        if enrolment:
            db.session.delete(enrolment)

    def issue(self):
        person = _pick(self.people())
        if person:
            self.serial += 1
            issued = TODAY - timedelta(days=self.rng.randint(0, 800))
            db.session.add(Certificate(
                serial=f"P{self.serial}", code=f"PROP-{self.serial:04d}-AAAA-AAA", user_id=person.id,
                track_id=self.rng.choice(db.session.scalars(select(Track)).all()).id, hub_id=person.hub_id,
                holder_name=person.name, course_versions={}, issued_on=issued,
                expires_on=issued + timedelta(days=self.rng.choice([30, 700, 730]))))

    def revoke(self):
        cert = _pick(db.session.scalars(select(Certificate).where(Certificate.revoked_at.is_(None))).all())
        if cert:  # as certificates.services.revoke does it: one statement
            db.session.execute(update(Certificate).where(Certificate.id == cert.id).values(revoked_at=NOW))

    def lead(self):
        cert = _pick(db.session.scalars(select(Certificate)).all())
        if cert:
            db.session.add(LessonDelivery(
                user_id=cert.user_id, hub_id=cert.hub_id, track_id=cert.track_id, certificate_id=cert.id,
                led_on=TODAY - timedelta(days=self.rng.randint(0, 400)), school=self.rng.choice(["School 1", "school 1 ", "Aul"]),
                region="x", children=self.rng.randint(0, 30), parents=self.rng.randint(0, 5),
                status=self.rng.choice(["pending", "confirmed"])))

    def review(self):
        delivery = _pick(db.session.scalars(select(LessonDelivery)).all())
        if delivery:
            delivery.status = "confirmed" if delivery.status != "confirmed" else "rejected"

    def move(self):
        person = _pick(self.people())
        if person:
            person.hub_id = self.rng.choice([h.id for h in self.hubs] + [None])

    def change_role(self):
        person = _pick(self.people())
        if person:
            person.roles = self.rng.choice([("volunteer",), ("coordinator",), ("trainer", "volunteer")])

    def rename_region(self):
        hub = self.rng.choice(self.hubs)
        hub.region = self.rng.choice(["North", "South"])

    def retrack_course(self):
        """A course moved to another track (a second track is made the first time)."""
        if db.session.scalar(select(Track).where(Track.slug == "second")) is None:
            db.session.add(Track(slug="second", position=5, title={"en": "Second"}, summary={}, rule={}))
            db.session.flush()
        course = self.rng.choice(db.session.scalars(select(Course)).all())
        course.track_id = self.rng.choice(db.session.scalars(select(Track.id).where(Track.id != course.track_id)).all())

    def retire_course(self):
        course = self.rng.choice(db.session.scalars(select(Course)).all())
        course.retired = not course.retired

    def leave_site(self):
        person = _pick(self.people())
        if person:  # as an erasure would: the rows go with the person
            for model in (LessonDelivery, Certificate, Enrolment, LessonProgress):
                db.session.execute(delete(model).where(model.user_id == person.id))
            db.session.delete(person)

    def everything(self):
        return [self.join, self.enrol, self.pass_course, self.leave_course, self.issue, self.revoke, self.lead,
                self.review, self.move, self.change_role, self.rename_region, self.retrack_course, self.retire_course,
                self.leave_site]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_figures_equal_fresh_ones_after_any_sequence_of_writes(small_world, seed):
    rng = random.Random(seed)
    writes = Writes(rng, small_world)
    for _ in range(6):
        writes.join()
    db.session.commit()
    for _ in range(45):
        assert_kept_equals_fresh(small_world, rng=rng)  # viewed before the write, so a stale copy would be kept
        rng.choice(writes.everything())()
        db.session.commit()
    assert_kept_equals_fresh(small_world)
    assert_funnel_counts_distinct_volunteers(small_world)


def test_a_certificate_expiring_overnight_leaves_the_kept_figures(small_world):
    person = make_user(small_world[0])
    db.session.add(Certificate(serial="E1", code="EXPI-RING-AAAA-AAA1", user_id=person.id,
                               track_id=db.session.scalar(select(Track.id)), hub_id=person.hub_id, holder_name="x",
                               course_versions={}, issued_on=TODAY - timedelta(days=700), expires_on=TODAY + timedelta(days=1)))
    db.session.commit()
    scope = queries.Scope(TODAY - timedelta(days=365), TODAY, small_world[0].id)
    assert freshness.dashboard(scope, TODAY, "en", national=False).headline.certified_now == 1
    tomorrow = TODAY + timedelta(days=1)
    assert freshness.dashboard(scope, tomorrow, "en", national=False).headline.certified_now == 0


def test_lesson_marks_raise_no_version_but_count_as_activity_at_once(small_world):
    person = make_user(small_world[0])
    course = db.session.scalar(select(Course).where(Course.slug == "alpha"))
    db.session.add(Enrolment(user_id=person.id, course_id=course.id, enrolled_at=NOW - timedelta(days=100)))
    db.session.commit()
    scope = queries.Scope(TODAY - timedelta(days=365), TODAY, small_world[0].id)
    assert freshness.dashboard(scope, TODAY, "en", national=False).headline.active_30_days == 0
    before = freshness.versions(None)
    db.session.add(LessonProgress(user_id=person.id, lesson_id=db.session.scalar(select(Lesson.id).limit(1))))
    db.session.commit()
    assert freshness.versions(None) == before  # no row every lesson mark would lock
    assert freshness.dashboard(scope, TODAY, "en", national=False).headline.active_30_days == 1


def test_a_write_raises_its_hubs_section_and_a_last_seen_update_none(small_world):
    hub_a, hub_b, _hub_c = small_world
    person = make_user(hub_a)
    db.session.commit()
    before = freshness.versions(None)
    db.session.add(Enrolment(user_id=person.id, course_id=db.session.scalar(select(Course.id).limit(1))))
    db.session.commit()
    after = freshness.versions(None)
    assert {key for key in after if after[key] != before.get(key, 0)} == {("enrolments", hub_a.id)}
    person.last_seen_at = NOW
    db.session.commit()
    db.session.execute(update(User).where(User.id == person.id).values(last_seen_at=NOW + timedelta(minutes=1)))
    db.session.commit()
    assert freshness.versions(None) == after
    person.hub_id = hub_b.id  # a move changes every section of both hubs
    db.session.commit()
    moved = freshness.versions(None)
    assert {key for key in moved if moved[key] != after.get(key, 0)} == {
        (section, hub) for section in freshness.SECTIONS for hub in (hub_a.id, hub_b.id)}


@pytest.fixture
def reads(monkeypatch):
    """The parts a page read from the database: (section, hubs) per pass, None for the scope's own."""
    calls = []
    real = queries.parts

    def parts(section, scope, today, hubs=None):
        calls.append((section, None if hubs is None else frozenset(hubs)))
        return real(section, scope, today, hubs)

    monkeypatch.setattr(queries, "parts", parts)
    return calls


def view_every_page(hubs) -> None:
    for scope, national in scopes(hubs):
        freshness.dashboard(scope, TODAY, "en", national=national)


def test_a_write_rereads_only_the_parts_it_moved(small_world, reads):
    hub_a, hub_b, _hub_c = small_world
    person, other = make_user(hub_a), make_user(hub_b)
    cert = Certificate(serial="R1", code="READ-PART-AAAA-AA1", user_id=other.id, track_id=db.session.scalar(select(Track.id)),
                       hub_id=hub_b.id, holder_name="x", course_versions={}, issued_on=TODAY, expires_on=TODAY + timedelta(days=700))
    db.session.add(cert)
    db.session.commit()
    year = queries.Scope(TODAY - timedelta(days=365), TODAY)
    view_every_page(small_world)

    def after(write) -> set:
        reads.clear()
        write()
        db.session.commit()
        freshness.dashboard(year, TODAY, "en", national=True)
        freshness.dashboard(queries.Scope(year.date_from, TODAY, hub_a.id), TODAY, "en", national=False)
        return set(reads)

    course = db.session.scalar(select(Course.id).limit(1))
    # An enrolment (and a pass) in hub A: hub A's enrolment figures, once for both pages.
    assert after(lambda: db.session.add(Enrolment(user_id=person.id, course_id=course))) == {
        ("enrolments", frozenset({hub_a.id}))}
    # A revocation is a statement: whose it is is not known, so every hub's certificates, in one pass.
    assert after(lambda: db.session.execute(update(Certificate).where(Certificate.id == cert.id).values(revoked_at=NOW))) == {
        ("certificates", None)}
    # Someone joining hub A: its enrolment figures (registered) only.
    assert after(lambda: make_user(hub_a)) == {("enrolments", frozenset({hub_a.id}))}
    # A move: every section of both hubs.
    def move():
        person.hub_id = hub_b.id
    assert after(move) == {(section, frozenset({hub_a.id, hub_b.id})) for section in queries.SECTIONS}
    # A hub's helpline or name, a course's title: the page around the figures, no figure.
    def edit_hub():
        hub_b.helpline, hub_b.name = "+7 700 000 0000", "Hub B, renamed"
    assert after(edit_hub) == set()
    assert {row["hub"] for row in freshness.dashboard(year, TODAY, "en", national=True).hub_rows} >= {"Hub B, renamed"}
    # A course retired or re-imported: its row on the page, no figure; moved to another track: every part.
    def retire():
        db.session.get(Course, course).retired = True
    assert after(retire) == set()
    def add_track():
        db.session.add(Track(slug="another", position=9, title={"en": "Another"}, summary={}, rule={}))
    assert {section for section, _hubs in after(add_track)} == set(queries.SECTIONS)
    def change_track():
        db.session.get(Course, course).track_id = db.session.scalar(select(Track.id).where(Track.slug == "another"))
    assert {section for section, _hubs in after(change_track)} == set(queries.SECTIONS)
    def rename_track():
        db.session.scalar(select(Track).where(Track.slug == "another")).title = {"en": "Renamed"}
    assert after(rename_track) == set()
    # Lesson marks and last-seen updates: nothing (active is read on every view anyway).
    def mark_and_seen():
        db.session.add(LessonProgress(user_id=person.id, lesson_id=db.session.scalar(select(Lesson.id).limit(1))))
        person.last_seen_at = NOW
    assert after(mark_and_seen) == set()
    assert_kept_equals_fresh(small_world)


def test_a_course_moved_to_another_track_leaves_that_tracks_figures_at_once(small_world):
    person = make_user(small_world[0])
    alpha = db.session.scalar(select(Course).where(Course.slug == "alpha"))
    db.session.add(Enrolment(user_id=person.id, course_id=alpha.id, enrolled_at=NOW - timedelta(days=3)))
    db.session.commit()
    track = alpha.track_id
    for scope in (queries.Scope(TODAY - timedelta(days=365), TODAY, track_id=track),
                  queries.Scope(TODAY - timedelta(days=365), TODAY, small_world[0].id, track_id=track)):
        page = freshness.dashboard(scope, TODAY, "en", national=scope.hub_id is None)
        assert (dict(page.funnel)["enrolled"], [row["course"] for row in page.courses if row["enrolled"]]) == (1, ["alpha"])
    db.session.add(Track(slug="second", position=5, title={"en": "Second"}, summary={}, rule={}))
    db.session.flush()
    alpha.track_id = db.session.scalar(select(Track.id).where(Track.slug == "second"))
    db.session.commit()
    for scope in (queries.Scope(TODAY - timedelta(days=365), TODAY, track_id=track),
                  queries.Scope(TODAY - timedelta(days=365), TODAY, small_world[0].id, track_id=track)):
        page = freshness.dashboard(scope, TODAY, "en", national=scope.hub_id is None)
        assert (dict(page.funnel)["enrolled"], [row["course"] for row in page.courses]) == (0, ["beta"])


def test_kept_figures_stay_bounded_per_worker(small_world):
    for days in range(freshness.PART_ENTRIES // 3 + freshness.CACHE_ENTRIES):  # three parts a page
        scope = queries.Scope(TODAY - timedelta(days=days + 1), TODAY, small_world[0].id)
        freshness.dashboard(scope, TODAY, "en", national=False)
    store = freshness._kept()
    assert (len(store.pages.entries), len(store.parts.entries)) == (freshness.CACHE_ENTRIES, freshness.PART_ENTRIES)
