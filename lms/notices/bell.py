"""The bell's unread count in the site header, without a query on the hot pages.

Pages that load the full user (most pages) count unread notices with one indexed query
and remember the number in the signed session. Pages marked `reads_user_only` (lesson,
quiz, catalogue: the hot path, see lms.security) show that remembered number instead, so
the lesson page runs no extra query; it is at most one page visit stale.
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup, escape

from lms.notices.services import unread_count

SESSION_KEY = "lms_unread"


def _hot_page() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "reads_user_only", False))


def current_unread() -> int:
    if not current_user.is_authenticated:
        return 0
    if _hot_page():
        return int(session.get(SESSION_KEY, 0))
    count = unread_count(current_user.id)
    if session.get(SESSION_KEY, 0) != count:
        session[SESSION_KEY] = count
    return count


def badge() -> Markup:
    """What fills the header's bell slot: the count and its words for screen readers."""
    count = current_unread()
    if not count:
        return Markup("")
    words = ngettext("%(num)s unread notice", "%(num)s unread notices", count)
    # Both parts are escaped here; the markup around them is ours.
    return Markup(f'<span class="bell-count" aria-hidden="true">{count}</span>'  # noqa: S704
                  f'<span class="visually-hidden">{escape(words)}</span>')
