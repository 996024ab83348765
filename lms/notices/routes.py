"""The bell's page (notices, mark read), email choices, and the one-click unsubscribe."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.domain import notices as rules
from lms.extensions import csrf, db
from lms.i18n import current_locale
from lms.notices import services, texts

bp = Blueprint("notices", __name__)


def topic_labels() -> dict[str, str]:
    return {
        "certificates": _("A certificate of mine is issued or revoked"),
        "expiry": _("A certificate of mine expires in 60, 30 or 7 days"),
        "lessons": _("A lesson I logged is confirmed or not confirmed"),
        "retries": _("I can take a quiz again after the waiting time"),
        "digest": _("Weekly summary of my hub's work (coordinators)"),
    }


@bp.route("/notices")
@login_required
def index():
    locale = current_locale()
    items = [(n, texts.render(n.kind, n.data, locale)) for n in services.notices_of(current_user.id)]
    return render_template("notices/index.html", items=items)


@bp.route("/notices/read", methods=["POST"])
@login_required
def read_all():
    services.mark_read(current_user.id)
    return redirect(url_for("notices.index"))


@bp.route("/notices/<int:notice_id>/read", methods=["POST"])
@login_required
def read_one(notice_id: int):
    # Another user's id matches no row of this user: nothing changes, same answer.
    services.mark_read(current_user.id, notice_id)
    return redirect(url_for("notices.index"))


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    if request.method == "POST":
        wanted = {topic for topic in request.form.getlist("email") if topic in rules.TOPICS}
        services.set_email_topics(current_user.id, wanted)
        flash(_("Your email choices are saved."), "success")
        return redirect(url_for("notices.preferences"))
    off = services.opted_out(current_user.id)
    return render_template("notices/preferences.html", labels=topic_labels(), off=off,
                           has_email=bool(current_user.email))


@bp.route("/notices/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail provider POSTs here without our form; the signed token is the proof
def unsubscribe(token: str):
    """GET shows one button (link scanners must not unsubscribe anyone); POST turns the
    topic off, whether from that button or a mail provider's one-click request."""
    found = services.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user_id, topic = found
    from lms.auth.models import User

    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    # The page speaks the account's language, whoever opens the link.
    with force_locale(user.locale or current_locale()):
        label = topic_labels()[topic]
        if request.method == "POST":
            services.unsubscribe(user_id, topic)
            return render_template("notices/unsubscribed.html", label=label)
        return render_template("notices/unsubscribe.html", label=label, token=token)
