"""Issuing, renewing and revoking certificates, and logging lessons led.

Every write runs in one write transaction with its audit record; every check that
decides eligibility is the pure rule in lms.domain.certification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from lms import audit, idempotency
from lms.auth.models import User
from lms.certificates.models import Certificate, CertificationHold
from lms.courses.models import Course, Quiz, Track
from lms.domain import certification as rules
from lms.domain import duties
from lms.extensions import db
from lms.learning.models import Enrolment, QuizAttempt
from lms.models_base import utcnow
from lms.notices import services as notices
from lms.transactions import write_transaction

RENEWAL_WINDOW_DAYS = 60
EXPIRY_WARNING_DAYS = 60


class CertificationError(Exception):
    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


def today() -> date:
    return utcnow().date()


def passed_courses(user_id: int) -> dict[str, int]:
    """Course slug -> the revision it was passed on."""
    rows = db.session.execute(
        select(Course.slug, Enrolment.passed_revision)
        .join(Enrolment, Enrolment.course_id == Course.id)
        .where(Enrolment.user_id == user_id, Enrolment.passed_at.is_not(None))
    ).all()
    return dict(rows)


def certificates_of(user_id: int) -> list[Certificate]:
    return db.session.scalars(
        select(Certificate).where(Certificate.user_id == user_id).order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    ).all()


def current_certificate(certs: list[Certificate], track_slug: str, on: date) -> Certificate | None:
    """The valid certificate for the track, else its latest one."""
    mine = [c for c in certs if c.track.slug == track_slug]
    valid = [c for c in mine if rules.certificate_state(c.facts(), on) == rules.VALID]
    return (valid or mine or [None])[0]


def renewal_courses(track: Track) -> list[str]:
    return list(track.rule.get("refresher") or track.rule.get("courses") or [])


class RenewalCheck:
    """When volunteers last passed each quiz, for the two questions that need it: may they
    renew (`cert` expired or inside the renewal window, refresher quizzes passed again
    since it was issued), and did they pass a track's courses again since a hold was
    lifted. Two queries for any number of volunteers, run only when some volunteer needs
    them (a hub's queue must not ask per volunteer)."""

    def __init__(self, user_ids):
        self.user_ids = list(user_ids)
        self._quizzes: dict[str, list[int]] | None = None
        self._last_pass: dict[tuple[int, int], object] = {}

    def _load(self) -> None:
        self._quizzes = {}
        for quiz_id, slug in db.session.execute(
            select(Quiz.id, Course.slug).join(Course).where(Quiz.removed.is_(False))
        ):
            self._quizzes.setdefault(slug, []).append(quiz_id)
        rows = db.session.execute(
            select(QuizAttempt.user_id, QuizAttempt.quiz_id, func.max(QuizAttempt.submitted_at))
            .where(QuizAttempt.user_id.in_(self.user_ids), QuizAttempt.passed.is_(True))
            .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id)
        )
        self._last_pass = {(user_id, quiz_id): at for user_id, quiz_id, at in rows}

    def passed_all_since(self, user_id: int, course_slugs, since) -> bool:
        """Every quiz of these courses passed with an attempt submitted at or after `since`."""
        if self._quizzes is None:
            self._load()
        quiz_ids = [q for slug in course_slugs for q in self._quizzes.get(slug, [])]
        if not quiz_ids:
            return False
        return all((at := self._last_pass.get((user_id, q))) is not None and at >= since for q in quiz_ids)

    def ready(self, user_id: int, track: Track, cert: Certificate, on: date) -> bool:
        if cert.revoked_at is not None or rules.days_left(cert.facts(), on) > RENEWAL_WINDOW_DAYS:
            return False
        return self.passed_all_since(user_id, renewal_courses(track), cert.created_at)


@dataclass(frozen=True)
class TrackStanding:
    track: Track
    readiness: rules.Readiness
    certificate: Certificate | None
    state: str | None  # of `certificate` today
    eligible: bool
    renewal_ready: bool
    days_left: int | None
    hold: CertificationHold | None = None  # the latest revocation's hold, if any
    hold_state: str = rules.CLEAR

    def refusal(self, kind: str = "courses") -> str | None:
        """Why a certificate of this kind may not be issued now, or None."""
        return rules.issuance_refusal(kind=kind, ready=self.readiness.ready, eligible=self.eligible,
                                      renewal_ready=self.renewal_ready, hold=self.hold_state)

    @property
    def can_be_issued(self) -> bool:
        return self.refusal() is None

    @property
    def on_hold(self) -> bool:
        return self.hold_state == rules.ON_HOLD


def holds_of(user_ids) -> dict[int, list[CertificationHold]]:
    holds: dict[int, list[CertificationHold]] = {}
    for hold in db.session.scalars(select(CertificationHold).where(CertificationHold.user_id.in_(list(user_ids)))):
        holds.setdefault(hold.user_id, []).append(hold)
    return holds


def standing(user: User, track: Track, certs: list[Certificate], passed: dict[str, int], on: date,
             renewals: RenewalCheck | None = None, holds: list[CertificationHold] = ()) -> TrackStanding:
    renewals = renewals or RenewalCheck([user.id])
    ready = rules.readiness(track.rule.get("courses", []), passed)
    cert = current_certificate(certs, track.slug, on)
    state = rules.certificate_state(cert.facts(), on) if cert else None
    eligible = rules.eligibility([c.facts() for c in certs], track.slug, on)
    renew = bool(cert) and renewals.ready(user.id, track, cert, on)
    days = rules.days_left(cert.facts(), on) if cert and state == rules.VALID else None
    mine = [h for h in holds if h.track_id == track.id]
    hold = max(mine, key=lambda h: (h.placed_at, h.id)) if mine else None
    retrained = bool(hold and hold.lifted_at and hold.requirement == rules.RETRAIN) and renewals.passed_all_since(
        user.id, track.rule.get("courses", []), hold.lifted_at)
    hold_state = rules.hold_state(hold.facts() if hold else None, retrained)
    return TrackStanding(track, ready, cert, state, eligible, renew, days, hold, hold_state)


def standings(user: User, on: date | None = None) -> list[TrackStanding]:
    on = on or today()
    certs = certificates_of(user.id)
    passed = passed_courses(user.id)
    tracks = db.session.scalars(select(Track).order_by(Track.position)).all()
    renewals = RenewalCheck([user.id])
    holds = holds_of([user.id]).get(user.id, [])
    return [standing(user, t, certs, passed, on, renewals, holds) for t in tracks]


def claim_form_key(form_key: str | None, actor: User | None, action: str) -> None:
    if form_key is None:
        return
    try:
        idempotency.claim(form_key, user_id=actor.id, action=action)
    except idempotency.DuplicateSubmission as error:
        raise CertificationError("duplicate") from error


def issue(volunteer: User, track: Track, *, actor: User | None, kind: str = "courses", note: str = "",
          on: date | None = None, form_key: str | None = None) -> Certificate:
    """Issue a certificate. `actor` None means automatic issuance by the track's rule.

    Refuses unless the actor may issue to this person (lms.domain.duties: not to
    themselves, a coordinator only to plain volunteers of their hub), the pair is not on
    hold after a revocation, the volunteer is ready (or renewing, or trained in person
    with a note), and holds no valid certificate in the track already, so a double click
    cannot make two.
    """
    on = on or today()
    if not duties.may_issue_certificate(actor.as_actor() if actor else None, volunteer.as_actor()):
        raise CertificationError("forbidden")
    if kind == "in_person" and (actor is None or not note.strip()):
        raise CertificationError("note_required")
    with write_transaction():
        # Serialise issuance for this volunteer (PostgreSQL row lock; SQLite's write lock).
        db.session.execute(select(User.id).where(User.id == volunteer.id).with_for_update())
        claim_form_key(form_key, actor, "certificate.issue")
        certs = certificates_of(volunteer.id)
        passed = passed_courses(volunteer.id)
        now_standing = standing(volunteer, track, certs, passed, on, holds=holds_of([volunteer.id]).get(volunteer.id, []))
        refusal = now_standing.refusal("in_person" if kind == "in_person" else "courses")
        if refusal == "not_ready":
            raise CertificationError(refusal, missing=now_standing.readiness.missing)
        if refusal:
            raise CertificationError(refusal)
        renews = None
        if now_standing.renewal_ready and kind != "in_person":
            kind, renews = "renewal", now_standing.certificate
        cert = Certificate(
            serial="pending",
            code=rules.new_verification_code(),
            user_id=volunteer.id,
            track_id=track.id,
            hub_id=volunteer.hub_id,
            issued_by_id=actor.id if actor else None,
            holder_name=volunteer.name,
            kind=kind,
            note=note.strip(),
            course_versions={slug: passed[slug] for slug in track.rule.get("courses", []) if slug in passed},
            issued_on=on,
            expires_on=rules.expiry_date(on, int(track.rule.get("valid_months", 24))),
            renews_id=renews.id if renews else None,
        )
        db.session.add(cert)
        db.session.flush()
        cert.serial = f"VH-{on.year}-{cert.id:06d}"
        audit.record(
            "certificate.renew" if renews else "certificate.issue", actor=actor, target=cert, hub_id=volunteer.hub_id,
            subject=volunteer, track=track.slug, kind=kind, note=note.strip(), automatic=actor is None,
        )
        notices.emit(volunteer.id, "certificate_issued", certificate_id=cert.id, serial=cert.serial,
                     track=track.title, expires_on=cert.expires_on.isoformat())
    return cert


def auto_issue(volunteer: User, on: date | None = None) -> list[Certificate]:
    """Issue what the rules issue automatically: tracks with `issuance: auto` the volunteer is ready for."""
    issued = []
    for item in standings(volunteer, on):
        if item.track.rule.get("issuance") == "auto" and item.can_be_issued:
            try:
                issued.append(issue(volunteer, item.track, actor=None, on=on))
            except (CertificationError, IntegrityError):
                continue  # someone issued it a moment ago; nothing to do
    return issued


def revoke(cert: Certificate, *, actor: User, reason: str, category: str = "other",
           form_key: str | None = None) -> None:
    """Revoke with a kept reason and a public category; only a coordinator of the issuing
    hub or an admin, never the holder. The volunteer/track pair goes on hold in the same
    transaction: no new certificate in the track until someone lifts the hold."""
    if not duties.may_revoke_certificate(actor.as_actor(), cert.holder.as_actor(), cert.hub_id):
        raise CertificationError("forbidden")
    if not reason.strip():
        raise CertificationError("reason_required")
    if category not in rules.REVOCATION_CATEGORIES:
        raise CertificationError("category_required")
    with write_transaction():
        claim_form_key(form_key, actor, "certificate.revoke")
        now = utcnow()
        done = db.session.execute(
            update(Certificate)
            .where(Certificate.id == cert.id, Certificate.revoked_at.is_(None))
            .values(revoked_at=now, revoked_by_id=actor.id, revoke_reason=reason.strip(), revoke_category=category)
        ).rowcount
        if not done:
            raise CertificationError("already_revoked")
        db.session.add(CertificationHold(user_id=cert.user_id, track_id=cert.track_id, hub_id=cert.hub_id,
                                         certificate_id=cert.id, placed_at=now, placed_by_id=actor.id))
        audit.record("certificate.revoke", actor=actor, target=cert, hub_id=cert.hub_id, subject=cert.user_id,
                     category=category, reason=reason.strip())
        # The public category, never the staff-only reason, goes to the holder's notice.
        notices.emit(cert.user_id, "certificate_revoked", certificate_id=cert.id, serial=cert.serial,
                     track=cert.track.title, category=category)
    db.session.refresh(cert)


# ---- the coordinator's views of a hub

@dataclass(frozen=True)
class QueueEntry:
    volunteer: User
    track: Track
    renewal: bool


def ready_queue(hub_id: int, on: date | None = None, actor: User | None = None) -> list[QueueEntry]:
    """Volunteers of the hub who may be issued a certificate now, per track; with `actor`,
    only those this actor may issue to (never themselves). Pairs on hold after a
    revocation are not here: see holds.awaiting_decision."""
    on = on or today()
    volunteers = db.session.scalars(
        select(User).where(User.hub_id == hub_id, User.active.is_(True)).order_by(User.name)
    ).all()
    if not volunteers:
        return []
    ids = [v.id for v in volunteers]
    passed_rows = db.session.execute(
        select(Enrolment.user_id, Course.slug, Enrolment.passed_revision)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.user_id.in_(ids), Enrolment.passed_at.is_not(None))
    ).all()
    passed: dict[int, dict[str, int]] = {}
    for user_id, slug, revision in passed_rows:
        passed.setdefault(user_id, {})[slug] = revision
    certs: dict[int, list[Certificate]] = {}
    for cert in db.session.scalars(select(Certificate).where(Certificate.user_id.in_(ids))):
        certs.setdefault(cert.user_id, []).append(cert)
    tracks = db.session.scalars(select(Track).order_by(Track.position)).all()
    renewals = RenewalCheck(ids)
    holds = holds_of(ids) if certs else {}
    acting = actor.as_actor() if actor is not None else None
    queue = []
    for volunteer in volunteers:
        if volunteer.id not in passed and volunteer.id not in certs:
            continue
        if not duties.may_issue_certificate(acting, volunteer.as_actor()):  # without actor: may hold one
            continue
        for track in tracks:
            item = standing(volunteer, track, certs.get(volunteer.id, []), passed.get(volunteer.id, {}), on, renewals,
                            holds.get(volunteer.id, []))
            if item.can_be_issued:
                queue.append(QueueEntry(volunteer, track, item.renewal_ready))
    return queue


@dataclass
class RosterTrack:
    track: Track
    eligible: list[Certificate]
    expiring: list[Certificate]
    ready: list[QueueEntry]


def roster(hub_id: int, on: date | None = None, queue: list[QueueEntry] | None = None) -> list[RosterTrack]:
    on = on or today()
    valid = db.session.scalars(
        select(Certificate)
        .join(User, User.id == Certificate.user_id)
        .where(User.hub_id == hub_id, Certificate.revoked_at.is_(None),
               Certificate.issued_on <= on, Certificate.expires_on > on)
        .order_by(Certificate.holder_name)
    ).all()
    queue = ready_queue(hub_id, on) if queue is None else queue
    result = []
    for track in db.session.scalars(select(Track).order_by(Track.position)):
        mine = [c for c in valid if c.track_id == track.id]
        result.append(RosterTrack(
            track, mine, [c for c in mine if (c.expires_on - on).days <= EXPIRY_WARNING_DAYS],
            [q for q in queue if q.track.id == track.id],
        ))
    return result


# ---- lessons led

def eligible_tracks(volunteer: User, on: date) -> list[Track]:
    try:
        certs = [c.facts() for c in certificates_of(volunteer.id)]
        tracks = db.session.scalars(select(Track).order_by(Track.position)).all()
    except SQLAlchemyError:
        db.session.rollback()
        return []  # fail closed: no answer means not eligible
    return [t for t in tracks if rules.eligibility(certs, t.slug, on)]
