from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user, login_required

from lms.extensions import db
from lms.i18n import current_locale
from lms.learning.dashboard import volunteer_dashboard
from lms.people.homes import home_for
from lms.security import is_safe_redirect

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/index.html")


@bp.route("/dashboard")
@login_required
def dashboard():
    from lms.certificates import services as certification

    board = volunteer_dashboard(current_user.id, current_locale())
    standings = certification.standings(current_user)
    expiring = [s for s in standings if s.days_left is not None and s.days_left <= certification.EXPIRY_WARNING_DAYS]
    by_track = {s.track.id: s for s in standings}
    return render_template("main/dashboard.html", board=board, standings=by_track, expiring=expiring,
                           home=home_for(current_user, board, by_track, current_locale()))


@bp.record_once
def _register_people(state) -> None:
    """The volunteer record lives beside the homes that link to it: registered with them."""
    from lms.people.routes import bp as people_bp

    state.app.register_blueprint(people_bp)


@bp.route("/language", methods=["POST"])
def set_language():
    """The language switcher: kept in the session, and saved for a logged-in user."""
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    target = request.form.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("main.index"))


@bp.route("/sw.js")
def service_worker():
    """The service worker, from the site root so it may serve every page saved for offline."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}
