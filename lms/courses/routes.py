"""Serving course images from the stored sources (any app server can answer)."""

from __future__ import annotations

import mimetypes

from flask import Blueprint, Response, abort, request
from sqlalchemy import literal, select

from lms.courses.models import Course, CourseFile, CourseImage
from lms.domain.course_format.course import IMAGE_SUFFIXES
from lms.extensions import db

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
