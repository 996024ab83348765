"""Questions as an attempt showed them, stored once however many attempts drew them.

An attempt is graded and reviewed against the questions it showed, never against a later
edit of the course. Copying every question into every attempt made an attempt row about
50 KB (two languages, feedback per choice, the key), so a hub's attempts grew by
gigabytes, and on SQLite each grading rewrote the whole row. Instead each question's
frozen text is stored once under the SHA-256 digest of its content, and an attempt keeps
only the digests and its own choice orders (about 1 KB).

A digest always names the same text, so workers keep the texts they have read (bounded
in bytes, for memory only: nothing kept can go stale).
"""

from __future__ import annotations

import hashlib
import json

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from lms.extensions import db
from lms.learning.models import FrozenQuestion
from lms.main.page_cache import RenderedPages

KEPT_BYTES = 2 * 1024 * 1024  # per worker: a few hundred questions in two languages

def digest_of(body: dict) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def freeze(questions: list[dict]) -> list[dict]:
    """An attempt's stored entries for `questions` (each as shown, with its "order"): the
    texts not yet stored are added in the caller's transaction."""
    entries, bodies = [], {}
    for question in questions:
        body = {name: value for name, value in question.items() if name != "order"}
        digest = digest_of(body)
        bodies[digest] = body
        entries.append({"frozen": digest, "order": list(question["order"])})
    stored = set(db.session.scalars(select(FrozenQuestion.digest).where(FrozenQuestion.digest.in_(list(bodies)))))
    new = [{"digest": digest, "body": body} for digest, body in bodies.items() if digest not in stored]
    if new:
        # Two learners starting the same new revision's quiz at once both add its texts.
        db.session.execute(_insert_once(), new)
    return entries


def _insert_once():
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[db.session.get_bind().dialect.name]
    return dialect.insert(FrozenQuestion).on_conflict_do_nothing(index_elements=["digest"])


def _kept() -> RenderedPages:
    cache = current_app.extensions.get("lms_frozen_questions")
    if cache is None:
        cache = current_app.extensions["lms_frozen_questions"] = RenderedPages(KEPT_BYTES)
    return cache


def expand(entries: list[dict]) -> list[dict]:
    """The questions an attempt showed, in its order: each frozen text with the attempt's
    own choice order. The texts are shared: callers read them, never change them."""
    kept = _kept()
    bodies = {entry["frozen"]: kept.get(entry["frozen"]) for entry in entries}
    missing = [digest for digest, body in bodies.items() if body is None]
    if missing:  # one query for all of them, on a worker's first sight of these questions
        for digest, body in db.session.execute(
            select(FrozenQuestion.digest, FrozenQuestion.body).where(FrozenQuestion.digest.in_(missing))
        ):
            bodies[digest] = body
            kept.put(digest, body, len(json.dumps(body)))
        if None in bodies.values():
            raise LookupError(f"frozen questions missing: {[d for d, b in bodies.items() if b is None]}")
    return [{**bodies[entry["frozen"]], "order": entry["order"]} for entry in entries]
