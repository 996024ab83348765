"""Serving course images from the stored sources (any app server can answer)."""

from __future__ import annotations

import mimetypes

from flask import Blueprint, Response, abort, request
from sqlalchemy import select

from lms.courses.models import Course, CourseFile
from lms.domain.course_format.course import IMAGE_SUFFIXES
from lms.extensions import db

bp = Blueprint("courses", __name__)


@bp.route("/media/<slug>/<path:path>")
def media(slug: str, path: str):
    if not path.lower().endswith(IMAGE_SUFFIXES):
        abort(404)
    row = db.session.execute(
        select(CourseFile.content, CourseFile.sha256)
        .join(Course)
        .where(Course.slug == slug, CourseFile.path == path)
    ).first()
    if row is None:
        abort(404)
    etag = row.sha256[:32]
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    response = Response(row.content, mimetype=mimetypes.guess_type(path)[0] or "application/octet-stream")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
