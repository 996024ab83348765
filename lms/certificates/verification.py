"""Public verification: the check page by code or QR, its JSON, the signed revocation
status list and the key that signs credentials. Only what a stranger may see."""

from __future__ import annotations

import hashlib

from flask import Response, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from lms.certificates import services
from lms.certificates.blueprint import bp
from lms.certificates.forms import REVOCATION_LABELS
from lms.certificates.models import Certificate
from lms.domain import certification as rules
from lms.domain import status_list
from lms.extensions import db, limiter
from lms.i18n import current_locale


def localised(mapping: dict, fallback: str = "") -> str:
    return (mapping or {}).get(current_locale()) or (mapping or {}).get("en") or fallback


def verify_url(code: str) -> str:
    return url_for("certificates.verify", code=code, _external=True)


@bp.route("/credentials/status/<int:list_id>")
def status_list_credential(list_id: int):
    """The signed Bitstring Status List: bit N set means the credential at index N is revoked."""
    from lms.certificates import badges

    if list_id < 1:
        abort(404)
    first = (list_id - 1) * status_list.LIST_SIZE
    revoked = db.session.scalars(select(Certificate.id).where(
        Certificate.revoked_at.is_not(None), Certificate.id >= first, Certificate.id < first + status_list.LIST_SIZE))
    encoded = status_list.encode(cert_id - first for cert_id in revoked)
    token = badges.sign_status_list(
        list_url=url_for("certificates.status_list_credential", list_id=list_id, _external=True),
        issuer_url=url_for("main.index", _external=True).rstrip("/"), encoded_list=encoded,
    )
    response = Response(token, mimetype="application/vc+jwt")
    # A verifier must see a revocation at once: revalidate every time. The ETag follows
    # the revocations, not the signing time, so an unchanged list answers 304.
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(hashlib.sha256(encoded.encode()).hexdigest()[:32])
    return response.make_conditional(request)


@bp.route("/.well-known/jwks.json")
def jwks():
    from lms.certificates import badges

    return {"keys": [badges.public_jwk()]}


def _lookup(code: str):
    normalised = rules.normalise_code(code)
    if normalised is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == normalised))


def public_view(cert: Certificate | None) -> dict:
    """Only what a stranger may see: no email, phone, or other certificates."""
    if cert is None:
        return {"status": "unknown"}
    status = rules.certificate_state(cert.facts(), services.today())
    view = {
        "status": status,
        "holder": cert.holder_name,
        "track": localised(cert.track.title, cert.track.slug),
        "allows": localised(cert.track.rule.get("allows")),
        "hub": cert.hub.name if cert.hub else "",
        "issued_on": cert.issued_on.isoformat(),
        "serial": cert.serial,
    }
    if status == rules.REVOKED:
        # The category, never the free-text reason: that may name people.
        view["revoked_on"] = cert.revoked_at.date().isoformat()
        view["revocation_reason"] = cert.revoke_category or "other"
    elif status == rules.EXPIRED:
        view["expired_on"] = cert.expires_on.isoformat()
    else:
        view["expires_on"] = cert.expires_on.isoformat()
    return view


@bp.route("/verify")
def verify_form():
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("certificates.verify", code=rules.normalise_code(code) or code))
    return render_template("certificates/verify_form.html")


@bp.route("/verify/<code>.json")
@limiter.limit("60 per minute")
def verify_json(code: str):
    return public_view(_lookup(code))


@bp.route("/verify/<code>")
@limiter.limit("60 per minute")
def verify(code: str):
    view = public_view(_lookup(code))
    return render_template("certificates/verify.html", view=view, code=code, revocation_labels=REVOCATION_LABELS), \
        200 if view["status"] != "unknown" else 404
