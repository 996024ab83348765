"""Trainers' course workspace: create, publish, history and diffs, restore, zip, co-authors.

Editing single files lives in editor_routes. Every route: trainer or admin, and for a
course, its owner, a co-author or an admin (lms.authoring.access).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from lms import audit
from lms.auth.models import User
from lms.authoring import access, drafts, messages, publishing, starters
from lms.authoring.forms import AuthorForm, NewCourseForm, NewFileForm, NewLessonForm, PublishForm, ZipForm
from lms.authoring.models import OWNER, CourseDraft, CourseVersion
from lms.authoring.versions import digests_of, version_files
from lms.courses.models import Course, Track
from lms.domain import course_edit
from lms.domain.course_format.checks import IMAGE_SUFFIXES
from lms.domain.roles import ADMIN, TRAINER
from lms.extensions import db
from lms.i18n import current_locale
from lms.learning import queries
from lms.permissions import roles_required
from lms.transactions import write_transaction

bp = Blueprint("authoring", __name__, url_prefix="/author")
authors_only = roles_required(TRAINER, ADMIN)


def course_title(course: Course | None, files: dict[str, bytes] | None = None) -> str:
    """The draft's own title when there are files, else the published one in the reader's language."""
    if files and course_edit.course_title(files):
        return course_edit.course_title(files)
    text = queries.course_text(course, current_locale()) if course else None
    return text.title if text else ""


@bp.route("/")
@authors_only
def index():
    slugs = access.authored_slugs(current_user)
    courses = select(Course).order_by(Course.slug)
    draft_stmt = select(CourseDraft)
    if slugs is not None:
        courses = courses.where(Course.slug.in_(slugs))
        draft_stmt = draft_stmt.where(CourseDraft.course_slug.in_(slugs))
    published = db.session.scalars(courses).all()
    draft_by_slug = {d.course_slug: d for d in db.session.scalars(draft_stmt)}
    texts = queries.course_texts(published, current_locale()) if published else {}
    unpublished = sorted(slug for slug in draft_by_slug if slug not in {c.slug for c in published})
    return render_template("authoring/index.html", published=published, texts=texts, drafts=draft_by_slug,
                           unpublished=unpublished)


def _track_choices() -> list[tuple[str, str]]:
    lang = current_locale()
    return [(t.slug, t.title.get(lang) or t.title.get("en") or t.slug)
            for t in db.session.scalars(select(Track).order_by(Track.position))]


def _slug_taken(slug: str) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Course).where(Course.slug == slug))
                or drafts.get_draft(slug) is not None)


@bp.route("/new", methods=["GET", "POST"])
@authors_only
def new_course():
    form = NewCourseForm()
    form.track.choices = _track_choices()
    if form.validate_on_submit():
        slug = form.slug.data or course_edit.slug_from_title(form.title.data)
        if not course_edit.is_valid_slug(slug):
            form.slug.errors.append(_("Please give a short name in Latin letters."))
        elif _slug_taken(slug):
            form.slug.errors.append(_("A course with this short name exists already."))
        else:
            files = course_edit.new_course_files(track=form.track.data, language=form.language.data,
                                                 title=form.title.data.strip(), summary=(form.summary.data or "").strip())
            with write_transaction():
                drafts.start_draft(slug, current_user.id, files)
                access.add_author(slug, current_user, OWNER)
                audit.record("course.created", actor=current_user, slug=slug)
            flash(_("Course created as a draft. Write its lessons, then publish it."), "success")
            return redirect(url_for("authoring.workspace", slug=slug))
    return render_template("authoring/new_course.html", form=form)


def workspace_context(slug: str, role: str | None = None) -> dict:
    """Everything the workspace page shows; shared with the editor's error pages."""
    course = drafts.published_course(slug)
    draft = drafts.get_draft(slug)
    if course is None and draft is None:
        abort(404)
    files = drafts.draft_contents(draft) if draft else drafts.published_files(course.id)
    changes, problems, stale = {}, [], False
    if draft is not None:
        before = drafts.published_digests(course.id) if course else {}
        changes = course_edit.changed_paths(before, digests_of(files))
        problems = messages.shown(publishing.check_files(slug, files)[1])
        stale = course is not None and draft.base_revision != course.revision
    lessons = course_edit.lesson_entries(files)
    lesson_paths = {p for e in lessons for p in (e.path, *e.translations.values())}
    return {
        "slug": slug, "course": course, "draft": draft, "files": files, "title": course_title(course, files) or slug,
        "lessons": lessons, "other_files": sorted(p for p in files if p not in lesson_paths),
        "changes": changes, "problems": problems, "stale": stale,
        "role": role or access.author_role(current_user, slug), "authors": access.authors_of(slug),
        "lesson_form": NewLessonForm(prefix="lesson"), "file_form": NewFileForm(prefix="file"),
        "publish_form": PublishForm(), "author_form": AuthorForm(), "is_image": _is_image,
        # The buttons that add the final quiz, translations and lesson quizzes without typing file names.
        "course_language": course_edit.course_language(files), "missing_languages": starters.missing_languages,
        "translation_name": starters.translation_name, "image_snippet": starters.image_snippet,
        "has_quiz_block": lambda path: b"::: quiz" in files.get(path, b""),
    }


def _is_image(path: str) -> bool:
    return path.lower().endswith(IMAGE_SUFFIXES)


@bp.route("/<slug>/")
@authors_only
def workspace(slug: str):
    role = access.ensure_may_edit(slug)
    return render_template("authoring/workspace.html", **workspace_context(slug, role))


@bp.route("/<slug>/draft", methods=["POST"])
@authors_only
def start_draft(slug: str):
    access.ensure_may_edit(slug)
    if drafts.published_course(slug) is None and drafts.get_draft(slug) is None:
        abort(404)
    with write_transaction():
        drafts.start_draft(slug, current_user.id)
    return redirect(url_for("authoring.workspace", slug=slug))


@bp.route("/<slug>/publish", methods=["POST"])
@authors_only
def publish(slug: str):
    access.ensure_may_edit(slug)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    publishing.prepare_publish(slug)  # image resizing before the write lock is taken
    try:
        with write_transaction():
            report = publishing.publish(slug, current_user.id, form.note.data or "", overwrite=form.overwrite.data)
            audit.record("course.published", actor=current_user, slug=slug, revision=report.revision,
                         status=report.status)
    except publishing.PublishRefused as refused:
        messages = {
            "problems": _("Not published: the course has problems. Mend them first (listed below)."),
            "no-draft": _("There is no draft to publish."),
            "stale": _("Someone published a newer version after this draft began. Look at the changes, "
                       "then tick “Publish anyway” to replace it."),
        }
        flash(messages[refused.reason], "error")
        return render_template("authoring/workspace.html", **workspace_context(slug)), 409
    if report.status == "unchanged":
        flash(_("Nothing had changed; the published course stays as it was."), "info")
    else:
        flash(_("Published as version %(number)s. Learners see it now.", number=report.revision), "success")
    return redirect(url_for("authoring.workspace", slug=slug))


@bp.route("/<slug>/discard", methods=["POST"])
@authors_only
def discard(slug: str):
    access.ensure_may_edit(slug)
    draft = drafts.get_draft(slug) or abort(404)
    never_published = drafts.published_course(slug) is None
    with write_transaction():
        drafts.discard(draft)
        audit.record("course.draft_discarded", actor=current_user, slug=slug)
    flash(_("The draft was discarded."), "info")
    if never_published:
        return redirect(url_for("authoring.index"))
    return redirect(url_for("authoring.workspace", slug=slug))


@bp.route("/<slug>/versions")
@authors_only
def versions(slug: str):
    access.ensure_may_edit(slug)
    course = drafts.published_course(slug) or abort(404)
    rows = db.session.execute(
        select(CourseVersion, User.name).outerjoin(User, User.id == CourseVersion.created_by)
        .where(CourseVersion.course_id == course.id).order_by(CourseVersion.number.desc())
    ).all()
    return render_template("authoring/versions.html", slug=slug, course=course, rows=rows,
                           title=course_title(course), has_draft=drafts.get_draft(slug) is not None)


def _files_at(course, label: str) -> dict[str, bytes] | None:
    """A version's files by number, or "draft"."""
    if label == "draft":
        draft = drafts.get_draft(course.slug)
        return drafts.draft_contents(draft) if draft else None
    if not label.isdigit():
        return None
    version_id = db.session.scalar(
        select(CourseVersion.id).where(CourseVersion.course_id == course.id, CourseVersion.number == int(label))
    )
    return version_files(version_id) if version_id else None


@bp.route("/<slug>/compare")
@authors_only
def compare(slug: str):
    """What changed between two versions (or a version and the draft), file by file."""
    access.ensure_may_edit(slug)
    course = drafts.published_course(slug) or abort(404)
    new_label = request.args.get("to", str(course.revision))
    old_label = request.args.get("from") or (str(int(new_label) - 1) if new_label.isdigit() else str(course.revision))
    old, new = _files_at(course, old_label), _files_at(course, new_label)
    if old is None or new is None:
        abort(404)
    only = request.args.get("path")
    diffs = []
    for path, kind in course_edit.changed_paths(digests_of(old), digests_of(new)).items():
        if only and path != only:
            continue
        rows = []
        if not _is_image(path):
            rows = course_edit.line_diff(_text(old.get(path, b"")), _text(new.get(path, b"")))
        diffs.append((path, kind, rows))
    return render_template("authoring/compare.html", slug=slug, course=course, diffs=diffs, only=only,
                           old_label=old_label, new_label=new_label, title=course_title(course))


def _text(content: bytes) -> str:
    return content.decode("utf-8", errors="replace")


@bp.route("/<slug>/versions/<int:number>/restore", methods=["POST"])
@authors_only
def restore(slug: str, number: int):
    access.ensure_may_edit(slug)
    with write_transaction():
        if not publishing.restore(slug, number, current_user.id):
            abort(404)
        audit.record("course.version_restored", actor=current_user, slug=slug, number=number)
    flash(_("Version %(number)s is now the draft. Publish it to make it what learners see.", number=number), "success")
    return redirect(url_for("authoring.workspace", slug=slug))


@bp.route("/<slug>/export.zip")
@authors_only
def export_zip(slug: str):
    access.ensure_may_edit(slug)
    if request.args.get("draft"):
        draft = drafts.get_draft(slug) or abort(404)
        files, name = drafts.draft_contents(draft), f"{slug}-draft.zip"
    else:
        course = drafts.published_course(slug) or abort(404)
        files, name = drafts.published_files(course.id), f"{slug}.zip"
    response = Response(publishing.zip_course(slug, files), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/import", methods=["GET", "POST"])
@authors_only
def import_zip():
    form = ZipForm()
    problems = []
    if form.validate_on_submit():
        upload = form.archive.data
        try:
            slug, files = publishing.course_from_zip(upload.read(), upload.filename or "")
            if not course_edit.is_valid_slug(slug):
                raise publishing.ZipRefused(_("The course folder's name must be lowercase Latin letters, digits and hyphens."))
            exists = _slug_taken(slug)
            if exists and not access.may_edit(current_user, slug):
                raise publishing.ZipRefused(_("A course named “%(slug)s” exists and you are not one of its authors.", slug=slug))
            problems = publishing.check_files(slug, files)[1]
            if problems:
                raise publishing.ZipRefused(_("The zip was not imported: the course has problems."), problems)
        except publishing.ZipRefused as refused:
            form.archive.errors.append(str(refused))
            problems = messages.shown(refused.problems)
        else:
            with write_transaction():
                draft = drafts.start_draft(slug, current_user.id, files)
                drafts.replace_files(draft, files, current_user.id)
                if not exists:
                    access.add_author(slug, current_user, OWNER)
                audit.record("course.zip_imported", actor=current_user, slug=slug, files=len(files))
            flash(_("The zip is now the course's draft. Check it, then publish."), "success")
            return redirect(url_for("authoring.workspace", slug=slug))
    return render_template("authoring/import.html", form=form, problems=problems), (422 if form.errors else 200)


@bp.route("/<slug>/authors", methods=["POST"])
@authors_only
def add_author(slug: str):
    access.ensure_may_manage(slug)
    form = AuthorForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
        if user is None or not user.has_role(TRAINER):
            flash(_("No trainer has this email address."), "error")
        else:
            with write_transaction():
                added = access.add_author(slug, user)
                if added:
                    audit.record("course.author_added", actor=current_user, target=user, slug=slug)
            flash(_("%(name)s can now edit this course.", name=user.name) if added
                  else _("%(name)s is already an author.", name=user.name), "success" if added else "info")
    else:
        flash(_("Please give a valid email address."), "error")
    return redirect(url_for("authoring.workspace", slug=slug) + "#authors")


@bp.route("/<slug>/authors/<int:user_id>/remove", methods=["POST"])
@authors_only
def remove_author(slug: str, user_id: int):
    access.ensure_may_manage(slug)
    with write_transaction():
        if access.remove_author(slug, user_id):
            audit.record("course.author_removed", actor=current_user, slug=slug, user_id=user_id)
            flash(_("The co-author was removed."), "info")
    return redirect(url_for("authoring.workspace", slug=slug) + "#authors")


@bp.route("/<slug>/retire", methods=["POST"])
@authors_only
def retire(slug: str):
    """Retired courses leave the catalogue; learners keep their progress, attempts and certificates."""
    access.ensure_may_manage(slug)
    course = drafts.published_course(slug) or abort(404)
    with write_transaction():
        course.retired = not course.retired
        audit.record("course.retired" if course.retired else "course.reinstated", actor=current_user, slug=slug)
    flash(_("The course is retired: it left the catalogue; learners keep their history and certificates.")
          if course.retired else _("The course is offered again."), "info")
    return redirect(url_for("authoring.workspace", slug=slug))


from lms.authoring import editor_routes  # noqa: E402,F401  (registers the editor's routes on bp)
