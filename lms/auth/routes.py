"""Register, log in and out, change and reset passwords, two-factor login."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import confirm_login, current_user, login_required, login_user, logout_user
from sqlalchemy import select

from lms import audit
from lms.auth import services
from lms.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    LoginForm,
    ProfileForm,
    ReauthForm,
    RegisterForm,
    ResetRequestForm,
    SetPasswordForm,
)
from lms.auth.models import User
from lms.domain import regions
from lms.domain.contacts import normalise_email, normalise_phone
from lms.domain.throttle import minutes_to_wait
from lms.extensions import db, limiter
from lms.hubs.models import Hub
from lms.i18n import current_locale
from lms.mail import mail_configured, send_mail
from lms.security import is_safe_redirect, mark_session_start

bp = Blueprint("auth", __name__)


def _wait_message(seconds: float) -> str:
    # One message for a locked account, a locked address and an unknown account alike.
    return _("Too many attempts. Wait %(minutes)d min and try again, or ask your hub coordinator.",
             minutes=minutes_to_wait(seconds))


def _await_code(user, remember: bool, target: str | None):
    """The password was right; the session holds only "waiting for a code"."""
    session.clear()
    session["_2fa_user"], session["_2fa_at"] = user.id, int(time.time())
    session["_2fa_remember"], session["_2fa_next"] = remember, target
    return redirect(url_for("auth.login_code"))


def _start_session(user, remember: bool) -> None:
    # A fresh session on login: a cookie planted before login is worthless after it.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user, remember=remember)
    mark_session_start()


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegisterForm()
    # Each hub in the reader's language, with its region, in that language's order.
    language = current_locale()
    form.hub_id.choices = sorted(
        ((h.id, f"{h.display_name(language)} — {regions.name(h.region, language)}" if h.region else h.display_name(language))
         for h in db.session.scalars(select(Hub))), key=lambda choice: choice[1].casefold())
    if request.method == "GET":
        form.locale.data = session.get("lang") or request.accept_languages.best_match(
            current_app.config["LANGUAGES"]
        )
    if form.validate_on_submit():
        wait = services.registration_allowed(request.remote_addr)
        if wait:
            audit.security_log.warning("register.limited ip=%s", request.remote_addr)
            form.email.errors.append(_wait_message(wait))
            return render_template("auth/register.html", form=form), 429
        email, phone = normalise_email(form.email.data or ""), normalise_phone(form.phone.data or "")
        try:
            services.create_user(
                name=form.name.data, email=email, phone=phone, hub_id=form.hub_id.data,
                locale=form.locale.data, password=form.password.data, actor=None,
            )
        except services.AccountError:
            # Taken: the answer below is the same as for a new account, so the form cannot
            # be used to find out who has an account. The owner hears of it by mail.
            audit.security_log.info("register.taken ip=%s", request.remote_addr)
            _tell_owner_of_registration_attempt(email)
        # Not logged in either way: logging in only a new account would tell the two apart.
        session["_login_hint"] = email or form.phone.data.strip()
        flash(
            _(
                "Thank you. If this email or phone number was new here, your account is ready: log in below. "
                "If you already had an account, log in with it or reset your password; "
                "your hub coordinator can help."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


def _tell_owner_of_registration_attempt(email: str | None) -> None:
    if not email:
        return
    send_mail(
        email,
        _("Someone tried to register with your email"),
        _(
            "Someone (perhaps you) tried to create a new account with this email, but you already have one. "
            "Log in at %(login)s or set a new password at %(reset)s. If it was not you, you can ignore this message.",
            login=url_for("auth.login", _external=True),
            reset=url_for("auth.reset_request", _external=True),
        ),
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if request.method == "GET" and session.get("_login_hint"):
        form.login.data = session.pop("_login_hint")
    if form.validate_on_submit():
        # Checked before the password: a locked account's password is not even tried,
        # so guesses sent in parallel to several workers cannot slip past the count.
        wait = services.login_wait(form.login.data, request.remote_addr)
        if wait:
            audit.security_log.warning("login.refused_locked login=%r ip=%s", form.login.data, request.remote_addr)
            form.password.errors.append(_wait_message(wait))
            return render_template("auth/login.html", form=form), 429
        user = services.authenticate(form.login.data, form.password.data)
        if user is None:
            audit.security_log.warning("login.failed login=%r ip=%s", form.login.data, request.remote_addr)
            if services.login_failed(form.login.data, request.remote_addr):
                audit.security_log.warning("login.lockout login=%r ip=%s", form.login.data, request.remote_addr)
            form.password.errors.append(_("Wrong login or password."))
        else:
            services.login_succeeded(form.login.data)
            if user.totp_secret:
                return _await_code(user, bool(form.remember.data), request.args.get("next"))
            return _finish_login(user, form.remember.data, request.args.get("next"))
    return render_template("auth/login.html", form=form)


def _finish_login(user, remember: bool, target: str | None):
    _start_session(user, remember=remember)
    audit.security_log.info("login.ok user=%s ip=%s", user.id, request.remote_addr)
    return redirect(target if is_safe_redirect(target) else url_for("main.dashboard"))


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    user_id, started = session.get("_2fa_user"), session.get("_2fa_at", 0)
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.is_active or time.time() - started > 300:
        for key in ("_2fa_user", "_2fa_at", "_2fa_remember", "_2fa_next"):
            session.pop(key, None)
        return redirect(url_for("main.dashboard" if current_user.is_authenticated else "auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        wait = services.code_wait(user)
        if wait:
            audit.security_log.warning("login.2fa_refused_locked user=%s ip=%s", user.id, request.remote_addr)
            form.code.errors.append(_wait_message(wait))
            return render_template("auth/login_code.html", form=form), 429
        if services.accept_totp(user, form.code.data, time.time()):
            return _finish_login(user, session.get("_2fa_remember", False), session.get("_2fa_next"))
        audit.security_log.warning("login.2fa_failed user=%s ip=%s", user.id, request.remote_addr)
        if services.code_failed(user):
            audit.security_log.warning("login.2fa_lockout user=%s ip=%s", user.id, request.remote_addr)
        form.code.errors.append(_("This code is wrong or was already used. Wait for the next one."))
    return render_template("auth/login_code.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Turn on TOTP two-factor login: scan the code, then type one code to confirm."""
    from lms.domain import totp

    if current_user.totp_secret:
        return render_template("auth/two_factor.html", enabled=True, form=ReauthForm())
    secret = session.get("_2fa_setup") or totp.new_secret()
    session["_2fa_setup"] = secret
    form = CodeForm()
    if form.validate_on_submit():
        if services.enable_totp(current_user._get_current_object(), secret, form.code.data, time.time()):
            session.pop("_2fa_setup", None)
            flash(_("Two-factor login is on."), "success")
            return redirect(url_for("auth.account"))
        form.code.errors.append(_("This code is wrong. Check the time on your phone and try the next code."))
    uri = totp.provisioning_uri(secret, current_user.login_name, _("Volunteer Hub"))
    return render_template("auth/two_factor.html", enabled=False, form=form, secret=secret, qr_svg=_qr_svg(uri))


@bp.route("/account/two-factor/off", methods=["POST"])
@login_required
def two_factor_off():
    form = ReauthForm()
    if form.validate_on_submit() and current_user.check_password(form.password.data):
        if current_app.config["REQUIRE_2FA_FOR_STAFF"] and current_user.has_role("coordinator", "admin"):
            flash(_("Two-factor login is required for your role."), "error")
        else:
            services.disable_totp(current_user._get_current_object())
            flash(_("Two-factor login is off."), "info")
    else:
        flash(_("Wrong password."), "error")
    return redirect(url_for("auth.account"))


def _qr_svg(text: str):
    import io

    import qrcode
    import qrcode.image.svg
    from markupsafe import Markup

    buffer = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(buffer)
    svg = buffer.getvalue().decode()
    return Markup(svg[svg.index("<svg"):])  # noqa: S704  (generated by qrcode from our own URI)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # Server-side end of the session: a copy of this cookie stops working too.
        # (It ends the user's other sessions as well; on shared phones that is wanted.)
        services.end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    services.end_all_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You are logged out on every device."), "info")
    return redirect(url_for("main.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    profile = ProfileForm(obj=current_user, prefix="profile")
    if profile.validate_on_submit():
        current_user.name = profile.name.data.strip()
        current_user.locale = profile.locale.data
        session["lang"] = profile.locale.data
        db.session.commit()
        flash(_("Your details are saved."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", profile=profile, password_form=ChangePasswordForm())


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    form.login_identifiers = lambda: (current_user.email or "", current_user.phone or "")
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            user = current_user._get_current_object()
            services.change_password(user, form.password.data)
            # The session version changed: log in again with the fresh one.
            _start_session(user, remember=False)
            flash(_("Your password is changed. Other devices are logged out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        wait = services.reset_request_allowed(form.login.data, request.remote_addr)
        if wait:
            audit.security_log.warning("reset.limited ip=%s", request.remote_addr)
            form.login.errors.append(_wait_message(wait))
            return render_template("auth/reset_request.html", form=form), 429
        user = services.find_by_login(form.login.data)
        if user is not None and user.email and user.is_active and mail_configured():
            token = services.create_reset_token(user, created_by=None, hours=2)
            link = url_for("auth.reset_with_token", token=token, _external=True)
            send_mail(
                user.email,
                _("Set a new password"),
                _("Open this link within 2 hours to set a new password:\n\n%(link)s", link=link),
            )
        elif user is not None and user.is_active:
            # No email can reach them: the request waits in their coordinator's inbox.
            services.ask_hub_for_reset(user)
        # The same answer whether or not the account exists; it depends only on whether
        # this site can send mail at all.
        if mail_configured():
            flash(_("If an account with an email exists for this address, a link is on its way. "
                    "No email? Your hub coordinator can give you a reset link."), "info")
        else:
            flash(_("If this account exists, your hub coordinator now sees your request and can give you a "
                    "reset link. This site sends no email."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def reset_with_token(token: str):
    record = services.find_valid_token(token)
    if record is None:
        return render_template("auth/reset_invalid.html"), 404
    form = SetPasswordForm()
    form.login_identifiers = lambda: (record.user.email or "", record.user.phone or "")
    if form.validate_on_submit():
        user = services.use_reset_token(token, form.password.data)
        if user is None:
            return render_template("auth/reset_invalid.html"), 404
        if user.totp_secret:
            # A reset link proves the mailbox (or a coordinator), not the phone: the code is still asked.
            response = _await_code(user, False, None)  # clears the session: flash after it
            flash(_("Your password is set. Enter the code from your authenticator app to log in."), "success")
            return response
        _start_session(user, remember=False)
        flash(_("Your password is set. Welcome!"), "success")
        return redirect(url_for("main.dashboard"))
    return render_template("auth/reset_form.html", form=form, user=record.user)


@bp.route("/reauth", methods=["GET", "POST"])
@login_required
def reauth():
    """Confirm the password before a sensitive action (after a "keep me logged in" login)."""
    form = ReauthForm()
    if form.validate_on_submit():
        if current_user.check_password(form.password.data):
            confirm_login()
            mark_session_start()
            target = request.args.get("next")
            return redirect(target if is_safe_redirect(target) else url_for("main.dashboard"))
        form.password.errors.append(_("Wrong password."))
    return render_template("auth/reauth.html", form=form)
