"""Who may author what: trainers edit the courses they own or co-author; admins all.

Every authoring route asks these functions; nothing else decides.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from lms.authoring.models import CO_AUTHOR, OWNER, CourseAuthor
from lms.domain.roles import ADMIN, TRAINER
from lms.extensions import db


def is_author_role(user) -> bool:
    return bool(user.is_authenticated and user.has_role(TRAINER, ADMIN))


def author_role(user, slug: str) -> str | None:
    """"admin", "owner", "co-author" or None."""
    if not user.is_authenticated:
        return None
    if user.has_role(ADMIN):
        return ADMIN
    if not user.has_role(TRAINER):
        return None  # a former trainer keeps the row but not the right
    return db.session.scalar(
        select(CourseAuthor.role).where(CourseAuthor.course_slug == slug, CourseAuthor.user_id == user.id)
    )


def may_edit(user, slug: str) -> bool:
    return author_role(user, slug) is not None


def may_manage(user, slug: str) -> bool:
    """Adding co-authors and retiring a course: the owner and admins."""
    return author_role(user, slug) in (ADMIN, OWNER)


def ensure_may_edit(slug: str) -> str:
    role = author_role(current_user, slug)
    if role is None:
        abort(403)
    return role


def ensure_may_manage(slug: str) -> None:
    if not may_manage(current_user, slug):
        abort(403)


def authored_slugs(user) -> set[str] | None:
    """The slugs a user may edit; None means every course (admins)."""
    if user.has_role(ADMIN):
        return None
    return set(db.session.scalars(select(CourseAuthor.course_slug).where(CourseAuthor.user_id == user.id)))


def authors_of(slug: str):
    from lms.auth.models import User

    return db.session.execute(
        select(User, CourseAuthor.role)
        .join(CourseAuthor, CourseAuthor.user_id == User.id)
        .where(CourseAuthor.course_slug == slug)
        .order_by(CourseAuthor.role.desc(), User.name)
    ).all()


def add_author(slug: str, user, role: str = CO_AUTHOR) -> bool:
    """False when already an author (the role is left as it was)."""
    exists = db.session.get(CourseAuthor, (slug, user.id))
    if exists is not None:
        return False
    db.session.add(CourseAuthor(course_slug=slug, user_id=user.id, role=role))
    return True


def remove_author(slug: str, user_id: int) -> bool:
    """Co-authors only: a course always keeps its owner."""
    row = db.session.get(CourseAuthor, (slug, user_id))
    if row is None or row.role == OWNER:
        return False
    db.session.delete(row)
    return True
