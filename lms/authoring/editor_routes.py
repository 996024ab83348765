"""Editing a draft's files: the Markdown editor with preview and the validator's messages,
new lessons and files, reordering, hiding, deleting, and image uploads."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import audit
from lms.authoring import access, drafts, messages, publishing, starters
from lms.authoring.forms import EditFileForm, ImageForm, NewFileForm, NewLessonForm
from lms.authoring.preview import preview
from lms.authoring.routes import authors_only, bp, workspace_context
from lms.authoring.uploads import ImageRefused, check_image
from lms.courses.rendering import fill_hub_placeholders
from lms.domain import course_edit
from lms.domain.course_format.checks import IMAGE_SUFFIXES, image_kind
from lms.domain.course_format.course import LESSON_FILE_RE
from lms.extensions import db
from lms.hubs.models import Hub
from lms.transactions import write_transaction


def _require_draft(slug: str):
    """The course's draft for an author; otherwise 403/404, or back to the course page
    with a note when the course is published but nobody started a draft."""
    access.ensure_may_edit(slug)
    draft = drafts.get_draft(slug)
    if draft is None:
        if drafts.published_course(slug) is None:
            abort(404)
        flash(_("Start a draft first: learners keep seeing the published course meanwhile."), "info")
        abort(_back(slug))
    return draft


def _back(slug: str, anchor: str = ""):
    return redirect(url_for("authoring.workspace", slug=slug) + anchor)


def _decode(content: bytes) -> str:
    return content.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")


@bp.route("/<slug>/files/<path:path>", methods=["GET", "POST"])
@authors_only
def edit_file(slug: str, path: str):
    access.ensure_may_edit(slug)
    if not path.endswith(".md"):
        abort(404)
    draft = drafts.get_draft(slug)
    row = drafts.draft_rows(draft).get(path) if draft else None
    form = EditFileForm()
    conflict, gone, status = None, False, 200
    if request.method == "GET":
        if draft is None:
            _require_draft(slug)  # explains and redirects
        if row is None:
            abort(404)
        form.text.data = _decode(row.content)
        form.file_id.data, form.revision.data = row.id, row.revision
        if request.args.get("insert") == "quiz" and _may_get_quiz(path, form.text.data):
            # Added to the text in the form, not saved: the trainer writes the question, then saves.
            form.text.data = form.text.data.rstrip("\n") + "\n" + starters.lesson_quiz()
            flash(_("A quiz was added at the end of the lesson. Write its question, then save."), "info")
    elif not form.validate_on_submit():
        status = 400
    elif row is None:
        # Published, discarded, renamed or removed since the form was opened: keep the text, save nothing.
        gone, status = True, 409
    elif "save" in request.form:
        text = (form.text.data or "").replace("\r\n", "\n")
        try:
            with write_transaction():
                drafts.save_file(draft, path, text.encode(), file_id=_int(form.file_id.data),
                                 revision=_int(form.revision.data), user_id=current_user.id)
        except drafts.EditConflict as error:
            conflict, gone, status = error.current, error.current is None, 409
            if conflict is not None:
                # The next save is a deliberate overwrite of what the other person saved.
                form.file_id.data, form.revision.data = conflict.id, conflict.revision
        else:
            flash(_("Saved in the draft. Learners see it once the course is published."), "success")
            return redirect(url_for("authoring.edit_file", slug=slug, path=path))
    text = form.text.data or ""
    if draft is not None:
        files = drafts.draft_contents(draft)
    else:
        course = drafts.published_course(slug)
        files = drafts.published_files(course.id) if course else {}
    files = files | {path: text.encode()}
    problems = publishing.check_files(slug, files)[1]
    grouped = publishing.problems_by_file(slug, problems)
    shown = preview(path, text, files, url_for("authoring.draft_media", slug=slug, path="x")[:-1])
    hub = db.session.get(Hub, current_user.hub_id) if current_user.hub_id else None
    shown.body_html = fill_hub_placeholders(shown.body_html, hub)
    return render_template(
        "authoring/edit.html", slug=slug, path=path, form=form, preview=shown, gone=gone,
        snippets=starters.question_snippets(), may_add_quiz=_may_get_quiz(path, text), lesson_quiz=starters.lesson_quiz(),
        images=[(image, url_for("authoring.draft_media", slug=slug, path=image), starters.image_snippet(image))
                for image in sorted(files) if image.lower().endswith(IMAGE_SUFFIXES)] if draft else [],
        problems=messages.shown(grouped.get(path, [])), other_problems=len(problems) - len(grouped.get(path, [])),
        conflict=conflict, conflict_diff=course_edit.line_diff(_decode(conflict.content), text) if conflict else None,
        title=course_edit.course_title(files) or slug,
    ), status


def _may_get_quiz(path: str, text: str) -> bool:
    """A lesson in the default language without a quiz block (translations copy the original's)."""
    match = LESSON_FILE_RE.match(path)
    return bool(match and not match.group(3)) and "::: quiz" not in text


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


@bp.route("/<slug>/lessons", methods=["POST"])
@authors_only
def new_lesson(slug: str):
    draft = _require_draft(slug)
    form = NewLessonForm(prefix="lesson")
    files = drafts.draft_contents(draft)
    if form.validate_on_submit():
        try:
            lesson_slug = course_edit.new_lesson_slug(files, form.title.data, form.slug.data or "")
        except course_edit.NameRefused as refused:
            form.slug.errors.append(_("This course has a lesson with this short name already.") if refused.reason == "taken"
                                    else _("Please give the lesson a short name in Latin letters."))
        else:
            path, content = course_edit.new_lesson(files, title=form.title.data.strip(), slug=lesson_slug)
            content += starters.lesson_hint().encode()
            with write_transaction():
                drafts.add_file(draft, path, content, current_user.id)
            return redirect(url_for("authoring.edit_file", slug=slug, path=path))
    return render_template("authoring/workspace.html", **(workspace_context(slug) | {"lesson_form": form})), 422


@bp.route("/<slug>/files", methods=["POST"])
@authors_only
def new_file(slug: str):
    """Add quiz.md or a translation (course.ru.md, 02-topic.kk.md, quiz.kk.md)."""
    draft = _require_draft(slug)
    form = NewFileForm(prefix="file")
    if form.validate_on_submit():
        name = form.name.data.strip()
        try:
            content = course_edit.starting_text(drafts.draft_contents(draft), name)
            if name == "quiz.md":
                content = starters.final_quiz()  # the same example, in the trainer's language
        except course_edit.NameRefused as refused:
            form.name.errors.append(_("This file exists already.") if refused.reason == "taken" else
                                    _("Name a quiz (quiz.md) or a translation of an existing file, "
                                      "such as course.ru.md or 01-introduction.kk.md."))
        else:
            with write_transaction():
                drafts.add_file(draft, name, content, current_user.id)
            return redirect(url_for("authoring.edit_file", slug=slug, path=name))
    return render_template("authoring/workspace.html", **(workspace_context(slug) | {"file_form": form})), 422


@bp.route("/<slug>/lessons/<lesson_slug>/move", methods=["POST"])
@authors_only
def move_lesson(slug: str, lesson_slug: str):
    draft = _require_draft(slug)
    offset = -1 if request.form.get("direction") == "up" else 1
    renames = course_edit.move_lesson(drafts.draft_contents(draft), lesson_slug, offset)
    if renames:
        with write_transaction():
            drafts.rename_files(draft, renames, current_user.id)
    return _back(slug, "#lessons")


@bp.route("/<slug>/lessons/<lesson_slug>/hide", methods=["POST"])
@authors_only
def hide_lesson(slug: str, lesson_slug: str):
    """Hidden lessons stay in the sources but learners do not see them (and progress skips them)."""
    draft = _require_draft(slug)
    rows = drafts.draft_rows(draft)
    entry = course_edit.find_lesson({path: row.content for path, row in rows.items()}, slug=lesson_slug) or abort(404)
    row = rows[entry.path]
    text = course_edit.set_front_matter_key(_decode(row.content), "hidden", None if entry.hidden else True)
    try:
        with write_transaction():
            drafts.save_file(draft, row.path, text.encode(), file_id=row.id, revision=row.revision,
                             user_id=current_user.id)
    except drafts.EditConflict:
        flash(_("Someone changed this lesson at the same moment; try again."), "error")
    return _back(slug, "#lessons")


@bp.route("/<slug>/files/<path:path>/delete", methods=["POST"])
@authors_only
def delete_file(slug: str, path: str):
    draft = _require_draft(slug)
    if path == "course.md":
        abort(400)
    paths = course_edit.with_translations(drafts.draft_contents(draft), path)
    with write_transaction():
        if not drafts.remove_file(draft, path):
            abort(404)
        for extra in paths[1:]:
            drafts.remove_file(draft, extra)
        audit.record("course.file_deleted", actor=current_user, slug=slug, paths=paths)
    flash(_("%(path)s was removed from the draft.", path=path), "info")
    return _back(slug)


@bp.route("/<slug>/images", methods=["POST"])
@authors_only
def upload_image(slug: str):
    draft = _require_draft(slug)
    form = ImageForm()
    if form.validate_on_submit():
        upload = form.image.data
        try:
            image = check_image(upload.read(), upload.filename or "image",
                                max_bytes=current_app.config["AUTHOR_IMAGE_MAX_BYTES"])
        except ImageRefused as refused:
            messages = {
                "too-large": _("The image is larger than %(size)s MB.",
                               size=current_app.config["AUTHOR_IMAGE_MAX_BYTES"] // (1024 * 1024)),
                "svg": _("SVG images are not accepted (they can carry scripts). Please use PNG, JPEG or WebP."),
                "not-an-image": _("This file is not a PNG, JPEG or WebP image."),
            }
            flash(messages[refused.reason], "error")
            return _back(slug)
        files = drafts.draft_contents(draft)
        path, stem = image.path, image.path.rsplit(".", 1)
        number = 2
        while path in files:
            path = f"{stem[0]}-{number}.{stem[1]}"
            number += 1
        with write_transaction():
            drafts.add_file(draft, path, image.content, current_user.id)
        flash(_("Image added. Put it in a lesson with: %(code)s", code=f"![…]({path})"), "success")
    else:
        flash(_("Please choose an image file."), "error")
    return _back(slug, "#images")


@bp.route("/<slug>/draft-media/<path:path>")
@authors_only
def draft_media(slug: str, path: str):
    """Draft images, for the preview: authors only, and only real images."""
    access.ensure_may_edit(slug)
    draft = drafts.get_draft(slug) or abort(404)
    row = drafts.draft_rows(draft).get(path) or abort(404)
    kind = image_kind(row.content) or abort(404)
    response = Response(row.content, mimetype=kind[2])
    response.headers["Cache-Control"] = "private, no-cache"
    return response
