"""Serving course images from the stored sources (any app server can answer), and lesson
kits as print-ready pages (A4, one page per `# ` section, printed from the browser)."""

from __future__ import annotations

import mimetypes

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import literal, select

from lms.courses.kits import choose_kit, user_may_open
from lms.courses.models import Course, CourseFile, CourseImage, Track
from lms.courses.rendering import fill_hub_placeholders
from lms.domain.course_format.course import IMAGE_SUFFIXES
from lms.extensions import db
from lms.i18n import current_locale

bp = Blueprint("courses", __name__)


@bp.route("/media/<slug>/<path:path>")
def media(slug: str, path: str):
    if not path.lower().endswith(IMAGE_SUFFIXES):
        abort(404)
    # The web copy (resized WebP) when there is one, else the original file.
    row = db.session.execute(
        select(CourseImage.content, CourseImage.source_sha256.label("sha256"), CourseImage.mimetype)
        .join(Course).where(Course.slug == slug, CourseImage.path == path)
    ).first() or db.session.execute(
        select(CourseFile.content, CourseFile.sha256, literal(None).label("mimetype"))
        .join(Course).where(Course.slug == slug, CourseFile.path == path)
    ).first()
    if row is None:
        abort(404)
    etag = row.sha256[:32]
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    response = Response(row.content, mimetype=row.mimetype or mimetypes.guess_type(path)[0] or "application/octet-stream")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/courses/<slug>/kit")
@login_required
def kit(slug: str):
    """The course's lesson kit in `?lang=` (else the page language, then the fallback chain):
    for staff, and for volunteers certified in the kit's track (any track for `track: any`)."""
    from lms.learning import queries

    course = queries.course_by_slug(slug)
    if course is None:
        abort(404)
    wanted = request.args.get("lang")
    if wanted not in current_app.config["LANGUAGES"]:
        wanted = current_locale()
    choice = choose_kit(course.id, wanted, course.default_language)
    if choice is None:
        abort(404)
    if not user_may_open(current_user, choice.kit.track):
        track = db.session.scalar(select(Track).where(Track.slug == choice.kit.track))
        return render_template("courses/kit_refused.html", course=course, kit=choice.kit, track=track), 403
    text = queries.course_text(course, choice.kit.language)
    return render_template(
        "courses/kit.html", course=course, course_title=text.title if text else course.slug, kit=choice.kit,
        languages=choice.languages, wanted=wanted, html=fill_hub_placeholders(choice.kit.html, lambda: current_user.hub),
    )
