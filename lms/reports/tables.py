"""The report tables people download, described once for CSV and XLSX: which columns,
their headers in the reader's language, and what kind of value each holds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.auth.models import User
from lms.certificates.models import LessonDelivery
from lms.courses.models import Track
from lms.extensions import db
from lms.hubs.models import Hub
from lms.reports import queries
from lms.reports.exports import Column, Table, dict_table

HUB_TABLES = ("lessons", "courses", "tracks", "months", "funnel")
NATIONAL_TABLES = (*HUB_TABLES, "hubs", "regions")

VOLUNTEERS = Column(_l("Volunteers"))
LESSONS = Column(_l("Lessons"), "int")
CHILDREN = Column(_l("Children"), "int")
PARENTS = Column(_l("Parents"), "int")
MAY_LEAD = Column(_l("May lead now"), "int")


def _int(label) -> Column:
    return Column(label, "int")


def _title(title: dict | None, language: str, fallback: str) -> str:
    title = title or {}
    return title.get(language) or title.get("en") or fallback


def lesson_rows(scope: queries.Scope, language: str) -> Iterator[tuple]:
    """Confirmed lessons led, fetched in batches so 100,000 rows never sit in memory."""
    stmt = (
        select(LessonDelivery.led_on, User.name, Hub.name, Hub.region, Track.title, Track.slug, LessonDelivery.school,
               LessonDelivery.region, LessonDelivery.online, LessonDelivery.children, LessonDelivery.parents,
               LessonDelivery.co_leader)
        .join(User, User.id == LessonDelivery.user_id)
        .outerjoin(Hub, Hub.id == User.hub_id)
        .join(Track, Track.id == LessonDelivery.track_id)
        .where(*queries._deliveries(scope))
        .order_by(LessonDelivery.led_on, LessonDelivery.id)
        .execution_options(yield_per=2000)
    )
    titles: dict[str, str] = {}
    for led_on, name, hub, hub_region, title, slug, school, region, online, children, parents, co_leader in db.session.execute(stmt):
        if slug not in titles:
            titles[slug] = _title(title, language, slug)
        yield (led_on, name, hub, hub_region, titles[slug], school, region, online, children, parents, co_leader)


def lessons_table(scope: queries.Scope, language: str) -> Table:
    columns = [Column(_l("Date"), "date"), Column(_l("Volunteer")), Column(_l("Hub")), Column(_l("Hub region")),
               Column(_l("Training area")), Column(_l("School")), Column(_l("Region of the school")),
               Column(_l("Online"), "yesno"), CHILDREN, PARENTS, Column(_l("Co-leader"))]
    return Table(_("Lessons led"), columns, lesson_rows(scope, language))


def funnel_steps() -> dict[str, str]:
    return {"registered": _("registered"), "enrolled": _("enrolled in a course"), "passed": _("passed a course"),
            "certified": _("certified"), "led": _("led a lesson")}


def report_table(name: str, scope: queries.Scope, language: str, today: date) -> Table | None:
    """One of the dashboard's tables by name, or None for an unknown name."""
    if name == "lessons":
        return lessons_table(scope, language)
    if name == "courses":
        return dict_table(_("Courses"), [("title", Column(_l("Course"))), ("enrolled", _int(_l("Enrolled"))),
                                         ("in_progress", _int(_l("In progress"))), ("passed", _int(_l("Passed")))],
                          queries.course_table(scope, language))
    if name == "tracks":
        return dict_table(_("Certification by area"), [
            ("title", Column(_l("Training area"))), ("issued", _int(_l("Issued in the period"))),
            ("eligible_now", MAY_LEAD), ("expiring_soon", _int(_l("Expiring within 60 days")))],
            queries.track_table(scope, today, language))
    if name == "months":
        return dict_table(_("Lessons led by month"), [
            ("month", Column(_l("Month"), "month")), ("lessons", LESSONS), ("children", CHILDREN),
            ("parents", PARENTS), ("schools", _int(_l("Schools")))], queries.month_table(scope))
    if name == "funnel":
        steps = funnel_steps()
        return Table(_("From registration to leading lessons"), [Column(_l("Step")), Column(_l("Volunteers"), "int")],
                     [(steps.get(step, step), count) for step, count in queries.funnel(scope)])
    hub_columns = [("volunteers", Column(_l("Volunteers"), "int")), ("certified_now", MAY_LEAD), ("lessons", LESSONS),
                   ("children", CHILDREN), ("parents", PARENTS)]
    if name == "hubs":
        return dict_table(_("By hub"), [("hub", Column(_l("Hub"))), ("region", Column(_l("Region"))), *hub_columns],
                          queries.hub_table(scope, today))
    if name == "regions":
        return dict_table(_("By region"), [("region", Column(_l("Region"))), ("hubs", _int(_l("Hubs"))), *hub_columns],
                          queries.region_table(queries.hub_table(scope, today)))
    return None


def question_kinds() -> dict[str, str]:
    return {"single": _("one answer"), "multiple": _("several answers"), "truefalse": _("true or false"),
            "text": _("short text"), "number": _("number")}


def items_table(rows: list[dict], course_title: str) -> Table:
    """Item analysis: one row per question, then how often each choice was picked."""
    width = max((len(r["choices"]) for r in rows), default=0)
    columns = [Column(_l("Quiz")), _int(_l("Position")), Column(_l("Question")), Column(_l("Kind of question")),
               _int(_l("Answers")), Column(_l("Correct, %"), "number"),
               *[Column(_("Choice %(number)s", number=i + 1), "int") for i in range(width)]]
    kinds = question_kinds()
    body = [(r["quiz"], r["position"], r["question"], kinds.get(r["kind"], r["kind"]), r["answers"], r["correct_share"],
             *r["choices"], *[None] * (width - len(r["choices"]))) for r in rows]
    return Table(course_title, columns, body)
