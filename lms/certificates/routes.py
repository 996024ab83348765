"""Certificates for volunteers, coordinators' issuing and revoking, public verification,
and the log of lessons led."""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user, fresh_login_required, login_required
from sqlalchemy import select

from lms import idempotency
from lms.auth.models import User
from lms.certificates import deliveries, holds, services
from lms.certificates.blueprint import bp
from lms.certificates.forms import (
    REVOCATION_LABELS,
    DeliveryForm,
    InPersonForm,
    LiftHoldForm,
    ReviewForm,
    RevokeForm,
)
from lms.certificates.models import Certificate, CertificationHold, LessonDelivery
from lms.certificates.verification import localised, public_view, verify_url
from lms.courses.models import Track
from lms.domain import certification as rules
from lms.domain import duties, status_list
from lms.domain.roles import can_manage_hub_members
from lms.extensions import db
from lms.hubs.models import Hub
from lms.permissions import coordinator_required, ensure_can_manage_hub

REFUSALS = {
    "forbidden": lambda d: _("You may not do this for this person: not for yourself, not for staff, "
                             "and only for volunteers of your own hub."),
    "on_hold": lambda d: _("A certificate in this area was revoked: nothing can be issued until the hub "
                           "decides what happens next."),
    "retrain_needed": lambda d: _("The courses of this area must be passed again first."),
    "duplicate": lambda d: _("This form was already sent and acted on; nothing was changed the second time."),
    "category_required": lambda d: _("Choose what kind of reason this is."),
    "requirement_required": lambda d: _("Choose what the volunteer must do before a new certificate."),
    "already_decided": lambda d: _("Someone has already decided on this."),
    "note_required": lambda d: _("Describe the in-person training and assessment."),
    "already_certified": lambda d: _("This volunteer already holds a valid certificate in this area."),
    "not_ready": lambda d: _("Not ready yet: some required courses are not passed."),
    "reason_required": lambda d: _("Give a reason for revoking."),
    "already_revoked": lambda d: _("This certificate was already revoked."),
    "future_date": lambda d: _("The date cannot be in the future."),
    "too_old": lambda d: _("Lessons older than a year cannot be logged here; ask your coordinator."),
    "not_eligible": lambda d: _("You did not hold a valid certificate in this area on that date, so this lesson cannot be logged."),
}


def flash_refusal(error: services.CertificationError) -> None:
    """A form sent twice is news, not an error: it changed nothing the second time."""
    flash(refusal(error), "info" if error.code == "duplicate" else "error")


def refusal(error: services.CertificationError) -> str:
    return REFUSALS.get(error.code, lambda d: _("That is not possible."))(error.details)


def _may_see(cert: Certificate) -> bool:
    return cert.user_id == current_user.id or can_manage_hub_members(current_user.as_actor(), cert.hub_id)


def _form_key() -> str:
    """The one-time key of the form being sent; a POST without one did not come from our form."""
    try:
        return idempotency.submitted_key()
    except idempotency.MissingFormKey:
        abort(400)


def _revoked_page(cert: Certificate):
    """A revoked certificate is not served as a document at all (see docs/security.md)."""
    return render_template("certificates/revoked.html", cert=cert, view=public_view(cert),
                           revocation_labels=REVOCATION_LABELS), 410


# ---- volunteers

@bp.route("/certificates")
@login_required
def mine():
    return render_template(
        "certificates/mine.html", standings=services.standings(current_user),
        certificates=services.certificates_of(current_user.id), today=services.today(), localised=localised,
        rules_state=lambda c: rules.certificate_state(c.facts(), services.today()),
    )


def pdf_cache():
    from lms.certificates.pdf import PdfCache

    return PdfCache(Path(current_app.instance_path) / "cache" / "certificates")


@bp.route("/certificates/<int:cert_id>.pdf")
@login_required
def pdf(cert_id: int):
    cert = db.session.get(Certificate, cert_id)
    if cert is None or not _may_see(cert):
        abort(404)
    if cert.revoked_at is not None:
        return _revoked_page(cert)
    content = dict(
        holder=cert.holder_name, track=localised(cert.track.title, cert.track.slug),
        allows=localised(cert.track.rule.get("allows")), hub=cert.hub.name if cert.hub else "",
        issued=format_date(cert.issued_on, "long"), expires=format_date(cert.expires_on, "long"),
        serial=cert.serial, code=cert.code, verify_url=verify_url(cert.code),
        labels={
            "organisation": _("Volunteer Hub learning programme"), "title": _("Certificate"),
            "certifies": _("This certifies that"), "completed": _("has completed the training in"),
            "allows": _("May lead"), "hub": _("Issued by"), "issued": _("Date of issue"),
            "expires": _("Valid until"), "serial": _("Serial number"), "code": _("Verification code"),
            "check": _("Check it at"),
        },
    )
    return Response(pdf_cache().get_or_render(cert.id, content), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="certificate-{cert.serial}.pdf"'})


@bp.route("/certificates/<int:cert_id>/credential.jwt")
@login_required
def credential(cert_id: int):
    from lms.certificates import badges

    cert = db.session.get(Certificate, cert_id)
    if cert is None or not _may_see(cert):
        abort(404)
    if cert.revoked_at is not None:
        return _revoked_page(cert)
    list_id, index = status_list.position(cert.id)
    payload = badges.credential(
        cert=cert, issuer_url=url_for("main.index", _external=True).rstrip("/"), verify_url=verify_url(cert.code),
        track_title=localised(cert.track.title, cert.track.slug), allows=localised(cert.track.rule.get("allows")),
        hub_name=cert.hub.name if cert.hub else "",
        status_list_url=url_for("certificates.status_list_credential", list_id=list_id, _external=True),
        status_index=index,
    )
    return Response(badges.sign(payload), mimetype="application/vc+jwt",
                    headers={"Content-Disposition": f'attachment; filename="credential-{cert.serial}.jwt"'})


@bp.route("/lessons-led", methods=["GET", "POST"])
@login_required
def lessons_led():
    today = services.today()
    form = DeliveryForm()
    tracks = services.eligible_tracks(current_user, today)
    # Offered: the areas the volunteer may lead today; the server checks the date given.
    all_tracks = db.session.scalars(select(Track).order_by(Track.position)).all()
    form.track.choices = [(t.slug, localised(t.title, t.slug)) for t in (all_tracks if request.method == "POST" else tracks)]
    if request.method == "GET":
        form.led_on.data = today
    if form.validate_on_submit():
        try:
            deliveries.log_delivery(current_user, deliveries.DeliveryInput(
                track_slug=form.track.data, led_on=form.led_on.data, school=form.school.data, region=form.region.data,
                online=form.mode.data == "online", children=form.children.data, parents=form.parents.data,
                co_leader=form.co_leader.data or "", notes=form.notes.data or "",
            ), form_key=_form_key())
        except services.CertificationError as error:
            if error.code == "duplicate":
                flash(_("This lesson was already logged: the form was sent twice, and it is stored once."), "info")
                return redirect(url_for("certificates.lessons_led"))
            form.track.errors = list(form.track.errors) + [refusal(error)]
        else:
            flash(_("Thank you! The lesson is logged and waits for your coordinator's confirmation."), "success")
            return redirect(url_for("certificates.lessons_led"))
    logged = db.session.scalars(
        select(LessonDelivery).where(LessonDelivery.user_id == current_user.id).order_by(LessonDelivery.led_on.desc())
    ).all()
    status = 200 if not form.errors else 422
    return render_template("certificates/lessons_led.html", form=form, deliveries=logged, eligible=tracks,
                           localised=localised), status


# ---- coordinators

def _hub_or_404(hub_id: int) -> Hub:
    ensure_can_manage_hub(hub_id)
    return db.session.get(Hub, hub_id) or abort(404)


@bp.route("/hubs/<int:hub_id>/certification")
@coordinator_required
def hub_certification(hub_id: int):
    hub = _hub_or_404(hub_id)
    form = InPersonForm()
    acting = current_user.as_actor()
    # Offered: exactly the people the rule lets this coordinator certify.
    form.volunteer_id.choices = [(u.id, f"{u.name} ({u.login_name})") for u in db.session.scalars(
        select(User).where(User.hub_id == hub.id, User.active.is_(True),
                           ("," + User.roles_text + ",").like("%,volunteer,%")).order_by(User.name))
        if duties.may_issue_certificate(acting, u.as_actor())]
    form.track.choices = [(t.slug, localised(t.title, t.slug)) for t in db.session.scalars(select(Track).order_by(Track.position))]
    recent = db.session.scalars(
        select(Certificate).where(Certificate.hub_id == hub.id).order_by(Certificate.id.desc()).limit(50)
    ).all()
    queue = services.ready_queue(hub.id, actor=current_user)
    return render_template(
        "certificates/hub.html", hub=hub, queue=queue, roster=services.roster(hub.id, queue=queue),
        awaiting=holds.awaiting_decision(hub.id, current_user), lift_form=LiftHoldForm(),
        form=form, recent=recent, revoke_form=RevokeForm(), localised=localised, today=services.today(), rules=rules,
        may_revoke=lambda c: duties.may_revoke_certificate(acting, c.holder.as_actor(), c.hub_id),
        revocation_labels=REVOCATION_LABELS,
    )


@bp.route("/hubs/<int:hub_id>/certificates/issue", methods=["POST"])
@coordinator_required
@fresh_login_required
def issue(hub_id: int):
    hub = _hub_or_404(hub_id)
    picks = request.form.getlist("pick")
    form_key = _form_key()
    issued = refused = repeated = 0
    for pick in picks[:500]:
        try:
            user_id, track_id = (int(part) for part in pick.split(":", 1))
        except ValueError:
            abort(400)
        volunteer, track = db.session.get(User, user_id), db.session.get(Track, track_id)
        if volunteer is None or track is None:
            abort(404)
        if volunteer.hub_id != hub.id:
            abort(403)
        try:
            # One key per pick: the batch is many transactions, each claims its own part.
            services.issue(volunteer, track, actor=current_user, form_key=f"{form_key}:{user_id}:{track_id}")
            issued += 1
        except services.CertificationError as error:
            if error.code == "duplicate":
                repeated += 1
                continue
            refused += 1
            flash(f"{volunteer.name}: {refusal(error)}", "error")
    if issued:
        flash(ngettext("%(num)s certificate issued.", "%(num)s certificates issued.", issued), "success")
    elif repeated:
        flash(refusal(services.CertificationError("duplicate")), "info")
    elif not refused:
        flash(_("Choose at least one volunteer."), "error")
    return redirect(url_for("certificates.hub_certification", hub_id=hub.id))


@bp.route("/hubs/<int:hub_id>/certificates/in-person", methods=["POST"])
@coordinator_required
@fresh_login_required
def issue_in_person(hub_id: int):
    hub = _hub_or_404(hub_id)
    form = InPersonForm()
    volunteer = db.session.get(User, request.form.get("volunteer_id", type=int) or 0)
    track = db.session.scalar(select(Track).where(Track.slug == request.form.get("track", "")))
    if volunteer is None or track is None:
        abort(404)
    if volunteer.hub_id != hub.id:
        abort(403)
    note = (form.note.data or "").strip()
    try:
        services.issue(volunteer, track, actor=current_user, kind="in_person", note=note, form_key=_form_key())
    except services.CertificationError as error:
        flash_refusal(error)
    else:
        flash(_("Certificate issued to %(name)s.", name=volunteer.name), "success")
    return redirect(url_for("certificates.hub_certification", hub_id=hub.id))


@bp.route("/certificates/<int:cert_id>/revoke", methods=["POST"])
@coordinator_required
@fresh_login_required
def revoke(cert_id: int):
    cert = db.session.get(Certificate, cert_id) or abort(404)
    ensure_can_manage_hub(cert.hub_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for revoking and choose what kind of reason it is."), "error")
    else:
        try:
            services.revoke(cert, actor=current_user, reason=form.reason.data, category=form.category.data,
                            form_key=_form_key())
            pdf_cache().forget(cert.id)
        except services.CertificationError as error:
            flash_refusal(error)
        else:
            flash(_("Certificate %(serial)s is revoked. The volunteer cannot be certified in this area again "
                    "until the hub decides.", serial=cert.serial), "success")
    return redirect(url_for("certificates.hub_certification", hub_id=cert.hub_id))


@bp.route("/holds/<int:hold_id>/lift", methods=["POST"])
@coordinator_required
@fresh_login_required
def lift_hold(hold_id: int):
    hold = db.session.get(CertificationHold, hold_id) or abort(404)
    ensure_can_manage_hub(hold.hub_id)
    form = LiftHoldForm()
    if not form.validate_on_submit():
        flash(_("Give a reason and choose what the volunteer must do before a new certificate."), "error")
    else:
        try:
            issued = holds.lift(hold, actor=current_user, reason=form.reason.data, requirement=form.requirement.data,
                                form_key=_form_key())
        except services.CertificationError as error:
            flash_refusal(error)
        else:
            flash(_("Decision recorded for %(name)s.", name=hold.holder.name), "success")
            if issued:
                flash(_("A new certificate was issued by the area's rule."), "success")
    return redirect(url_for("certificates.hub_certification", hub_id=hold.hub_id))


@bp.route("/hubs/<int:hub_id>/lessons-led")
@coordinator_required
def hub_deliveries(hub_id: int):
    hub = _hub_or_404(hub_id)
    deliveries = db.session.scalars(
        select(LessonDelivery).where(LessonDelivery.hub_id == hub.id)
        .order_by(LessonDelivery.status != "pending", LessonDelivery.led_on.desc()).limit(200)
    ).all()
    return render_template("certificates/hub_deliveries.html", hub=hub, deliveries=deliveries, form=ReviewForm(),
                           localised=localised)


@bp.route("/lessons-led/<int:delivery_id>/review", methods=["POST"])
@coordinator_required
def review(delivery_id: int):
    delivery = db.session.get(LessonDelivery, delivery_id) or abort(404)
    ensure_can_manage_hub(delivery.hub_id)
    form = ReviewForm()
    decision = request.form.get("decision")
    if decision not in ("confirm", "reject") or not form.validate_on_submit():
        abort(400)
    try:
        deliveries.review_delivery(delivery, actor=current_user, confirm=decision == "confirm",
                                   note=form.note.data or "", form_key=_form_key())
    except services.CertificationError as error:
        if error.code == "forbidden":
            abort(403)
        flash(refusal(error), "info")
    return redirect(url_for("certificates.hub_deliveries", hub_id=delivery.hub_id))
