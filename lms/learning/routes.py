"""Volunteers' learning pages: catalogue, course, lessons, quizzes. Views stay thin."""

from __future__ import annotations

import functools
import hashlib
import time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import bindparam, select

from lms.auth.models import LightUser
from lms.courses.models import Course, Lesson, Quiz
from lms.courses.rendering import fill_hub_placeholders
from lms.domain.attempts import attempt_count
from lms.extensions import csrf, db
from lms.i18n import current_locale
from lms.learning import queries, quiz_pages, services
from lms.learning.contents import contents_list
from lms.learning.models import QuizAttempt
from lms.learning.outline import STEP, course_url, progress_from_steps
from lms.learning.outline import page_outline as outline_of
from lms.learning.review import build_review
from lms.main import chrome, page_cache
from lms.models_base import utcnow
from lms.security import reads_user_only

bp = Blueprint("learning", __name__)
# Every POST here is a button whose only field is the CSRF token, which CSRFProtect
# checks before any view runs.


def _lesson_or_404(course, lesson_slug: str) -> Lesson:
    lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == lesson_slug))
    if lesson is None:
        abort(404)
    return lesson


def _viewer_hub():
    """The learner's hub settings, for {hub:...} placeholders. A LightUser brought them with
    its row; otherwise a small query, only when a text has one, and at most once a request."""
    user = current_user._get_current_object()
    if isinstance(user, LightUser):
        return user.hub_settings
    if "lms_viewer_hub" not in g:
        hub_id = current_user.hub_id
        g.lms_viewer_hub = None if hub_id is None else db.session.connection().execute(_HUB, {"id": hub_id}).first()
    return g.lms_viewer_hub


def _hub_statement():
    from lms.hubs.models import Hub

    return select(Hub.name, Hub.helpline, Hub.contact, Hub.safeguarding, Hub.emergency).where(Hub.id == bindparam("id"))


_HUB = _hub_statement()


def _issue_automatic_certificates() -> None:
    from lms.auth.models import User
    from lms.certificates import services as certification

    user = current_user._get_current_object()
    if isinstance(user, LightUser):
        user = db.session.get(User, user.id)  # issuing links the certificate to the ORM user
    for cert in certification.auto_issue(user):
        flash(_("You have a new certificate: %(track)s.", track=cert.track.title.get(current_locale()) or cert.track.title.get("en")), "success")


def _course_or_404(slug: str):
    course = queries.course_by_slug(slug)
    if course is None:
        abort(404)
    return course


def _refusal(error: services.LearningError) -> str:
    messages = {
        "retired": _("This course is no longer offered."),
        "not_enrolled": _("Enrol in the course first."),
        "no_such_lesson": _("There is no such lesson."),
        "no_such_quiz": _("There is no such quiz."),
        "no_such_attempt": _("There is no such attempt."),
    }
    if error.code == "attempts_used":
        if error.details.get("available_at"):
            return _("You have used your attempts. You can try again from %(when)s.",
                     when=format_datetime(error.details["available_at"], "short"))
        return _("You have used all your attempts for this quiz.")
    return messages.get(error.code, _("That is not possible."))


@bp.route("/courses")
@reads_user_only
def catalogue():
    language = current_locale()
    only = request.args.get("language")
    if only not in current_app.config["LANGUAGES"]:
        only = None
    user_id = current_user.id if current_user.is_authenticated else None
    sections = queries.catalogue(user_id, language, only_language=only)
    return render_template("learning/catalogue.html", sections=sections, language=language, only=only)


@bp.route("/courses/<slug>")
@reads_user_only
def course(slug: str):
    course = _course_or_404(slug)
    user_id = current_user.id if current_user.is_authenticated else None
    outline = outline_of(slug, user_id, current_locale())
    steps = outline.steps if outline else []
    text = queries.course_text(course, outline.language if outline else course.default_language)
    enrolment = services.get_enrolment(user_id, course.id) if user_id else None
    hub = _viewer_hub if user_id else None
    from lms.courses.kits import kit_track_of, user_may_open

    kit_track = kit_track_of(course.id) if user_id else None
    return render_template(
        "learning/course.html", course=course, text=text, steps=steps, enrolment=enrolment,
        progress=progress_from_steps(steps, enrolment is not None),
        language=outline.language if outline else course.default_language,
        overview_html=fill_hub_placeholders(text.overview_html, hub),
        next_step=next((s for s in steps if not s.done), None),
        kit_href=url_for("courses.kit", slug=slug) if kit_track and user_may_open(current_user, kit_track) else None,
    )


@bp.route("/courses/<slug>/print")
@login_required
def print_course(slug: str):
    """The whole course on one page, to print for a workshop with no connection at all."""
    course = _course_or_404(slug)
    lessons = queries.all_lesson_bodies(course, current_locale())
    text = queries.course_text(course, queries.content_language(course, current_locale()))
    return render_template(
        "learning/print.html", course=course, text=text,
        lessons=[(title, fill_hub_placeholders(html, _viewer_hub), language) for title, html, language in lessons],
        overview_html=fill_hub_placeholders(text.overview_html, _viewer_hub),
    )


@bp.route("/courses/<slug>/offline.json")
@login_required
def offline_manifest(slug: str):
    """What "Save for offline" stores on the device: the course's pages and images (never quizzes)."""
    from lms.courses.models import CourseFile
    from lms.main.assets import asset_url

    course = _course_or_404(slug)
    lessons = db.session.scalars(
        select(Lesson.slug).where(Lesson.course_id == course.id, Lesson.removed.is_(False)).order_by(Lesson.position)
    ).all()
    images = db.session.scalars(select(CourseFile.path).where(CourseFile.course_id == course.id)).all()
    from lms.domain.course_format.course import IMAGE_SUFFIXES

    urls = [url_for("learning.course", slug=slug), url_for("learning.print_course", slug=slug)]
    urls += [url_for("learning.lesson", slug=slug, lesson_slug=lesson) for lesson in lessons]
    urls += [url_for("courses.media", slug=slug, path=path) for path in images if path.lower().endswith(IMAGE_SUFFIXES)]
    urls += [asset_url("css/site.css"), asset_url("js/offline.js"), asset_url("js/tables.js"), asset_url("img/logo.svg")]
    return {"course": slug, "urls": urls}


@bp.route("/sync/lesson-done", methods=["POST"])
@csrf.exempt  # JSON with a custom header: a cross-site form cannot send it, and no CORS is allowed
@login_required
def sync_lesson_done():
    data = request.get_json(silent=True) or {}
    origin = request.headers.get("Origin")
    if request.headers.get("X-LMS-Sync") != "1" or (origin and origin.rstrip("/") != request.host_url.rstrip("/")):
        abort(400)
    key, slug, lesson_slug = str(data.get("key", ""))[:64], data.get("course", ""), data.get("lesson", "")
    if len(key) < 8:
        abort(400)
    course = _course_or_404(str(slug))
    lesson = _lesson_or_404(course, str(lesson_slug))
    try:
        status = services.sync_lesson_done(current_user, course, lesson, key)
    except services.LearningError as error:
        return {"status": "refused", "reason": error.code}, 409
    return {"status": status, "lesson": lesson.slug}


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@login_required
def enrol(slug: str):
    course = _course_or_404(slug)
    try:
        services.enrol(current_user, course)
    except services.LearningError as error:
        flash(_refusal(error), "error")
        return redirect(url_for("learning.course", slug=slug))
    flash(_("You are enrolled. Start with the first lesson."), "success")
    first = db.session.scalar(
        select(Lesson.slug).where(Lesson.course_id == course.id, Lesson.removed.is_(False)).order_by(Lesson.position)
    )
    return redirect(url_for("learning.lesson", slug=slug, lesson_slug=first) if first else url_for("learning.course", slug=slug))


@bp.route("/courses/<slug>/lessons/<lesson_slug>")
@login_required
@reads_user_only
def lesson(slug: str, lesson_slug: str):
    # The hot page: two queries besides the user's own (see lms.learning.outline).
    locale = current_locale()
    outline = outline_of(slug, current_user.id, locale, lesson_slug)
    if outline is None or outline.body_html is None:
        abort(404)
    steps = outline.steps
    index = next(i for i, s in enumerate(steps) if s.kind == "lesson" and s.slug == lesson_slug)
    step = steps[index]
    lesson_steps = [s for s in steps if s.kind == "lesson"]  # "lesson 3 of 6": quizzes are not counted
    if not outline.enrolled:
        action = course_url("learning.enrol", slug)
    else:
        action = course_url("learning.lesson_undo" if step.done else "learning.lesson_done", slug,
                            lesson_slug=STEP).replace(STEP, lesson_slug)
    hub = _viewer_hub() if "{hub:" in outline.body_html else None
    hub_values = tuple(hub) if hub else None
    # The rendered page is kept under everything it shows (see lms.main.page_cache): the
    # course revision and head, the lesson, its language and tick, the enrolment, the hub
    # settings it names and the header's shape. The contents list, with every step's tick,
    # is the one part that differs between learners: it is filled in per request, so
    # learners at different points of a course share the page. A flash is shown once.
    key = None if session.get("_flashes") else (
        "lesson", outline.course, lesson_slug, locale, outline.body_language, outline.enrolled,
        step.done, hub_values, chrome.page_shape(locale),
    )
    etag = _lesson_etag(key and (key, tuple(s.done for s in steps)))
    held = _held_tag(etag)
    if held:
        return Response(status=304, headers={"ETag": f'"{held}"', "Cache-Control": REVALIDATE})

    @functools.cache
    def body_html() -> str:  # asked by the render and by the cache's shared part: fill once
        return fill_hub_placeholders(outline.body_html, hub)

    body_key = (outline.course.id, outline.course.revision, lesson_slug, outline.body_language, hub_values)
    contents = contents_list(steps, step, outline.enrolled, outline.progress.percent, locale).encode()
    page = page_cache.page(key, shared=(body_key, body_html), slots={CONTENTS_SLOT: contents},
                               render=lambda: render_template(
        "learning/lesson.html", course=outline.course, course_title=outline.course.title, steps=steps,
        step=step, previous=steps[index - 1] if index > 0 else None,
        following=steps[index + 1] if index + 1 < len(steps) else None,
        body_html=body_html(), shown_language=outline.body_language,
        wanted_language=locale, enrolled=outline.enrolled, contents=Markup(CONTENTS_SLOT.decode()),  # noqa: S704
        course_href=course_url("learning.course", slug), action=action,
        lesson_number=next(n for n, s in enumerate(lesson_steps, 1) if s is step), lesson_total=len(lesson_steps),
    ))
    response = Response(page.body, mimetype="text/html")
    if page.encoding:
        # Compressed here from pieces compressed once (page_cache); tagged as Flask-Compress
        # tags what it compresses, so a browser's If-None-Match reads the same either way.
        response.headers["Content-Encoding"] = page.encoding
        response.vary.add("Accept-Encoding")
    if etag:
        response.set_etag(f"{etag}:{page.encoding}" if page.encoding else etag)
        response.headers["Cache-Control"] = REVALIDATE
    return response


REVALIDATE = "private, no-cache"
CONTENTS_SLOT = b"\x00contents\x00"


# Flask-Compress tags a compressed page "<tag>:<algorithm>", and that is what a browser
# sends back; it would answer 304 itself, but only after the page was built and compressed.
_COMPRESSED_TAG_SUFFIXES = ("", ":br", ":gzip", ":deflate")


def _held_tag(etag: str | None) -> str | None:
    """The form of `etag` the browser says it holds (plain or compressed), if any."""
    if not etag or not request.if_none_match:
        return None
    return next((etag + suffix for suffix in _COMPRESSED_TAG_SUFFIXES
                 if request.if_none_match.contains(etag + suffix)), None)


def _lesson_etag(page_key) -> str | None:
    """A lesson page answers conditional requests: the same page (its cache key: lesson,
    revision, language, ticks, hub settings, menu) for the same learner and CSRF session
    gives the same tag. It changes hourly, so the form token a browser kept stays fresh."""
    if page_key is None:
        return None  # a page with a flash message is shown once
    from flask_wtf.csrf import generate_csrf

    generate_csrf()  # makes sure the session holds the token the page will carry
    user = current_user._get_current_object()
    parts = (page_key, user.id, user.session_version, session.get("csrf_token"), int(time.time() // 3600))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@bp.route("/courses/<slug>/lessons/<lesson_slug>/done", methods=["POST"])
@login_required
def lesson_done(slug: str, lesson_slug: str):
    course = _course_or_404(slug)
    lesson = _lesson_or_404(course, lesson_slug)
    try:
        passed = services.mark_lesson_done(current_user, course, lesson)
    except services.LearningError as error:
        flash(_refusal(error), "error")
        return redirect(url_for("learning.lesson", slug=slug, lesson_slug=lesson_slug))
    if passed:
        flash(_("Congratulations: you have passed this course!"), "success")
        _issue_automatic_certificates()
        return redirect(url_for("learning.course", slug=slug))
    outline = outline_of(slug, current_user.id, current_locale())
    following = next((s for s in outline.steps if not s.done), None)
    return redirect(following.href if following else url_for("learning.course", slug=slug))


@bp.route("/courses/<slug>/lessons/<lesson_slug>/undo", methods=["POST"])
@login_required
def lesson_undo(slug: str, lesson_slug: str):
    course = _course_or_404(slug)
    lesson = _lesson_or_404(course, lesson_slug)
    services.unmark_lesson(current_user, course, lesson)
    return redirect(url_for("learning.lesson", slug=slug, lesson_slug=lesson_slug))


def _quiz_or_404(course, quiz_slug: str) -> Quiz:
    quiz = db.session.scalar(
        select(Quiz).where(Quiz.course_id == course.id, Quiz.slug == quiz_slug, Quiz.removed.is_(False))
    )
    if quiz is None:
        abort(404)
    return quiz


@bp.route("/courses/<slug>/quizzes/<quiz_slug>")
@login_required
@reads_user_only
def quiz(slug: str, quiz_slug: str):
    course = _course_or_404(slug)
    quiz = _quiz_or_404(course, quiz_slug)
    language = queries.content_language(course, current_locale())
    now = utcnow()
    attempts = services.past_attempts(current_user.id, quiz.id)
    permit = services.allowance(current_user.id, quiz, now)
    return render_template(
        "learning/quiz.html", course=course, quiz=quiz, attempts=attempts,
        title=queries.quiz_title(quiz.titles, language, course.default_language),
        course_title=queries.course_text(course, language).title,
        allowance=permit,
        open_attempt=next((a for a in attempts if a.status == "open"), None),
        enrolment=services.get_enrolment(current_user.id, course.id),
        question_count=quiz_pages.question_count(quiz),
        count=attempt_count(permit, int(quiz.settings.get("max_attempts") or 0)),
    )


@bp.route("/courses/<slug>/quizzes/<quiz_slug>/start", methods=["POST"])
@login_required
def start_quiz(slug: str, quiz_slug: str):
    course = _course_or_404(slug)
    quiz = _quiz_or_404(course, quiz_slug)
    try:
        attempt = services.start_attempt(current_user, course, quiz, queries.content_language(course, current_locale()))
    except services.LearningError as error:
        flash(_refusal(error), "error")
        return redirect(url_for("learning.quiz", slug=slug, quiz_slug=quiz_slug))
    return redirect(url_for("learning.attempt", attempt_id=attempt.id))


def _own_attempt(attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)  # another learner's attempt does not exist, as far as this user can tell
    return attempt


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@login_required
@reads_user_only(also_post=True)
def attempt(attempt_id: int):
    if request.method == "POST":
        try:
            outcome = services.submit_attempt(current_user, attempt_id, request.form,
                                              submit_unanswered=request.form.get("submit_unanswered") == "1")
        except services.LearningError:
            abort(404)  # another learner's attempt does not exist, as far as this user can tell
        if outcome.held_back:
            # Nothing graded: the same questions again, with what was chosen, and why.
            return quiz_pages.attempt_page(outcome.attempt, _viewer_hub, given=request.form,
                                           unanswered=outcome.unanswered, blank=outcome.blank)
        if outcome.late:
            flash(_("The time limit had passed, so this attempt was closed without a grade."), "error")
        elif outcome.course_passed:
            flash(_("Congratulations: you have passed this course!"), "success")
        if outcome.passed:
            _issue_automatic_certificates()
        return redirect(url_for("learning.attempt_result", attempt_id=attempt_id), code=303)
    attempt = _own_attempt(attempt_id)
    if attempt.status != "open":
        return redirect(url_for("learning.attempt_result", attempt_id=attempt.id))
    return quiz_pages.attempt_page(attempt, _viewer_hub)


@bp.route("/attempts/<int:attempt_id>/result")
@login_required
def attempt_result(attempt_id: int):
    from lms.domain.attempts import reveal_answers

    attempt = _own_attempt(attempt_id)
    if attempt.status == "open":
        return redirect(url_for("learning.attempt", attempt_id=attempt.id))
    quiz = db.session.get(Quiz, attempt.quiz_id)
    course = db.session.get(Course, quiz.course_id)
    reveal = reveal_answers(attempt.reveal, attempt.passed)
    review = build_review(attempt, reveal=reveal, hub=_viewer_hub)
    allowance = services.allowance(current_user.id, quiz, utcnow())
    return render_template(
        "learning/result.html", attempt=attempt, quiz=quiz, course=course, review=review, reveal=reveal,
        allowance=allowance, count=attempt_count(allowance, int(quiz.settings.get("max_attempts") or 0)),
        title=queries.quiz_title(quiz.titles, attempt.language, course.default_language),
    )
