"""The certificate gate from the outside: each way around it that was found, closed.

A revocation puts the volunteer/track pair on hold (no issue by any route until a
decision), nobody certifies or confirms for themselves, staff accounts are not handed
out by coordinators, revoked certificates are dead in every form, and the forms that
record something act once.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.audit import AuditEvent
from lms.auth.models import User
from lms.certificates.models import Certificate, CertificationHold, LessonDelivery
from lms.courses.models import Track
from lms.extensions import db
from lms.learning.models import QuizAttempt
from tests.conftest import login
from tests.factories import form_key, make_user
from tests.functional.test_certificates import issue, lesson_form, pass_course
from tests.learning_helpers import correct_form


def retake_and_pass(client, course):
    response = client.post(f"/courses/{course.slug}/quizzes/final/start")
    attempt = db.session.get(QuizAttempt, int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1)))
    client.post(f"/attempts/{attempt.id}", data=correct_form(attempt))


def revoke(client, cert, reason="Shared quiz answers in a group chat", category="dishonesty"):
    return client.post(f"/certificates/{cert.id}/revoke",
                       data={"reason": reason, "category": category, "form_key": form_key()})


def lift(client, hold, requirement, reason="Talked it through; retraining agreed"):
    return client.post(f"/holds/{hold.id}/lift",
                       data={"requirement": requirement, "reason": reason, "form_key": form_key()})


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def auto_certified(app, hub, make_course):
    """A volunteer certified automatically on an `issuance: auto` track, and their coordinator."""
    course = make_course(issuance="auto")
    volunteer = make_user(hub, name="Дана Ержанова")
    coordinator = make_user(hub, roles=("coordinator",))
    volunteer_client, coordinator_client = app.test_client(), app.test_client()
    login(volunteer_client, volunteer)
    login(coordinator_client, coordinator)
    pass_course(volunteer_client, course)
    cert = db.session.scalar(select(Certificate))
    assert cert is not None and cert.issued_by_id is None
    return course, volunteer, volunteer_client, coordinator, coordinator_client, cert


# ---- revocation sticks


def test_revocation_sticks_when_the_volunteer_retakes_the_quiz_on_an_auto_track(auto_certified):
    course, _volunteer, volunteer_client, _c, coordinator_client, cert = auto_certified
    assert revoke(coordinator_client, cert).status_code == 302
    retake_and_pass(volunteer_client, course)
    assert count(Certificate) == 1  # no fresh certificate from the retake
    refused = volunteer_client.post("/lessons-led", data=lesson_form())
    assert refused.status_code == 422 and count(LessonDelivery) == 0
    page = volunteer_client.get("/certificates").get_data(as_text=True)
    assert "Revoked" in page and "Your hub is reviewing this" in page and "Certified" not in page


def test_hold_lifted_with_retraining_issues_only_after_new_passes(auto_certified):
    course, volunteer, volunteer_client, _c, coordinator_client, cert = auto_certified
    revoke(coordinator_client, cert)
    retake_and_pass(volunteer_client, course)  # before the decision: counts for nothing
    hold = db.session.scalar(select(CertificationHold))
    assert lift(coordinator_client, hold, "retrain").status_code == 302
    assert count(Certificate) == 1
    assert "pass the courses of this area again" in volunteer_client.get("/certificates").get_data(as_text=True)
    retake_and_pass(volunteer_client, course)
    certs = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert len(certs) == 2 and certs[1].revoked_at is None and certs[1].user_id == volunteer.id
    assert volunteer_client.post("/lessons-led", data=lesson_form()).status_code == 302


def test_hold_lifted_as_reinstated_issues_at_once_on_an_auto_track(auto_certified):
    _course, _v, _vc, _c, coordinator_client, cert = auto_certified
    revoke(coordinator_client, cert, category="issued_in_error", reason="Revoked the wrong person")
    hold = db.session.scalar(select(CertificationHold))
    lift(coordinator_client, hold, "reinstate", reason="Revoked by mistake")
    assert count(Certificate) == 2
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["certificate.revoke", "certificate.hold_lift", "certificate.issue"]


def test_revoked_volunteer_is_not_ready_but_waits_for_a_decision_with_reason_who_and_when(app, hub, make_course):
    course = make_course()
    volunteer = make_user(hub, name="Revoked Person")
    coordinator = make_user(hub, roles=("coordinator",), name="Coordinator Aliya")
    volunteer_client, coordinator_client = app.test_client(), app.test_client()
    login(volunteer_client, volunteer)
    login(coordinator_client, coordinator)
    pass_course(volunteer_client, course)
    issue(coordinator_client, hub, volunteer)
    cert = db.session.scalar(select(Certificate))
    revoke(coordinator_client, cert, reason="Complaint from School 4 upheld", category="conduct")
    page = coordinator_client.get(f"/hubs/{hub.id}/certification").get_data(as_text=True)
    ready_part, _, decision_part = page.partition("Revoked — needs a decision")
    assert "Revoked Person" not in ready_part.split("Ready for certification", 1)[1]
    assert "Revoked Person" in decision_part and "Complaint from School 4 upheld" in decision_part
    assert "Coordinator Aliya" in decision_part
    # the queue's one-click issue is refused too, whatever the form sends
    issue(coordinator_client, hub, volunteer)
    assert count(Certificate) == 1
    mine = volunteer_client.get("/certificates").get_data(as_text=True)
    assert "Ready for certification" not in mine and "Revoked" in mine
    dashboard = volunteer_client.get("/dashboard").get_data(as_text=True)
    assert "your hub will issue" not in dashboard.lower() and "Revoked" in dashboard
    # in person while on hold: refused as well
    coordinator_client.post(f"/hubs/{hub.id}/certificates/in-person", data={
        "volunteer_id": volunteer.id, "track": "violence-prevention", "note": "Assessed at the forum",
        "form_key": form_key()})
    assert count(Certificate) == 1
    # lifted as reinstated on a reviewed track: back in the queue, issued by a click
    lift(coordinator_client, db.session.scalar(select(CertificationHold)), "reinstate")
    page = coordinator_client.get(f"/hubs/{hub.id}/certification").get_data(as_text=True)
    assert "Revoked Person" in page.split("Ready for certification", 1)[1].split("Revoked — needs a decision")[0]
    issue(coordinator_client, hub, volunteer)
    assert count(Certificate) == 2


def test_the_holder_cannot_lift_their_own_hold_and_another_hub_cannot_either(app, hub, other_hub, make_course):
    course = make_course()
    holder = make_user(hub, roles=("coordinator", "volunteer"))
    admin = make_user(None, roles=("admin",))
    holder_client, admin_client = app.test_client(), app.test_client()
    login(holder_client, holder)
    login(admin_client, admin)
    pass_course(holder_client, course)
    # A coordinator who volunteers is certified by an admin, not by themselves.
    issue(holder_client, hub, holder)
    assert count(Certificate) == 0
    issue(admin_client, hub, holder)
    cert = db.session.scalar(select(Certificate))
    assert cert is not None
    assert revoke(holder_client, cert).status_code == 302
    assert db.session.get(Certificate, cert.id).revoked_at is None  # nobody revokes their own either
    revoke(admin_client, cert)
    hold = db.session.scalar(select(CertificationHold))
    lift(holder_client, hold, "reinstate")
    stranger = app.test_client()
    login(stranger, make_user(other_hub, roles=("coordinator",)))
    assert lift(stranger, hold, "reinstate").status_code == 403
    db.session.expire_all()
    assert db.session.get(CertificationHold, hold.id).lifted_at is None
    lift(admin_client, hold, "retrain")
    assert db.session.get(CertificationHold, hold.id).lifted_at is not None


def test_lifting_needs_a_reason_and_a_requirement_and_happens_once(auto_certified):
    _course, _v, _vc, _c, coordinator_client, cert = auto_certified
    revoke(coordinator_client, cert)
    hold = db.session.scalar(select(CertificationHold))
    coordinator_client.post(f"/holds/{hold.id}/lift", data={"requirement": "retrain", "reason": " ", "form_key": form_key()})
    coordinator_client.post(f"/holds/{hold.id}/lift", data={"requirement": "anything", "reason": "x", "form_key": form_key()})
    db.session.expire_all()
    assert db.session.get(CertificationHold, hold.id).lifted_at is None
    lift(coordinator_client, hold, "retrain")
    response = lift(coordinator_client, hold, "reinstate")
    db.session.expire_all()
    assert db.session.get(CertificationHold, hold.id).requirement == "retrain"
    assert "already decided" in coordinator_client.get(response.headers["Location"]).get_data(as_text=True)


# ---- separation of duties


def test_coordinator_cannot_certify_themselves_or_a_trainer_by_crafted_ids(app, hub, make_course):
    course = make_course()
    coordinator = make_user(hub, roles=("coordinator", "volunteer"))
    trainer = make_user(hub, roles=("trainer", "volunteer"), name="Trainer Bolat")
    client = app.test_client()
    login(client, coordinator)
    pass_course(client, course)
    page = client.get(f"/hubs/{hub.id}/certification").get_data(as_text=True)
    assert f'value="{coordinator.id}"' not in page and "Trainer Bolat" not in page  # not offered
    for person in (coordinator, trainer):
        client.post(f"/hubs/{hub.id}/certificates/in-person", data={
            "volunteer_id": person.id, "track": "violence-prevention", "note": "Assessed in person",
            "form_key": form_key()})
        issue(client, hub, person)
    assert count(Certificate) == 0


def test_coordinator_cannot_confirm_their_own_lesson(app, hub):
    from datetime import date

    from lms.certificates.models import LessonDelivery as Delivery

    coordinator = make_user(hub, roles=("coordinator", "volunteer"))
    other = make_user(hub, roles=("coordinator",))
    track = Track(slug="violence-prevention", title={"en": "Prevention"}, summary={}, rule={"courses": []}, position=1)
    db.session.add(track)
    db.session.flush()
    cert = Certificate(serial="VH-T-9", code="AAAA-BBBB-CCCC-DDDF", user_id=coordinator.id, track_id=track.id,
                       hub_id=hub.id, holder_name="c", course_versions={}, issued_on=date.today(),
                       expires_on=date(date.today().year + 2, 1, 1))
    db.session.add(cert)
    db.session.flush()
    delivery = Delivery(user_id=coordinator.id, hub_id=hub.id, track_id=track.id, certificate_id=cert.id,
                        led_on=date.today(), school="School 1", region="Akmola", children=20, parents=2)
    db.session.add(delivery)
    db.session.commit()
    own, peer = app.test_client(), app.test_client()
    login(own, coordinator)
    login(peer, other)
    assert "another coordinator or an admin confirms" in own.get(f"/hubs/{hub.id}/lessons-led").get_data(as_text=True)
    response = own.post(f"/lessons-led/{delivery.id}/review", data={"decision": "confirm", "form_key": form_key()})
    assert response.status_code == 403
    assert db.session.get(Delivery, delivery.id).status == "pending"
    peer.post(f"/lessons-led/{delivery.id}/review", data={"decision": "confirm", "form_key": form_key()})
    db.session.expire_all()
    assert db.session.get(Delivery, delivery.id).status == "confirmed"


def test_reset_links_only_for_volunteers_of_the_hub_and_never_for_admins(app, hub):
    coordinator = make_user(hub, roles=("coordinator",))
    trainer = make_user(hub, roles=("trainer",))
    volunteer = make_user(hub)
    admin, second_admin = make_user(None, roles=("admin",)), make_user(None, roles=("admin",))
    client, admin_client = app.test_client(), app.test_client()
    login(client, coordinator)
    login(admin_client, admin)
    assert client.post(f"/users/{trainer.id}/reset-link").status_code == 403
    assert client.post(f"/users/{coordinator.id}/reset-link").status_code == 403
    assert client.post(f"/users/{volunteer.id}/reset-link").status_code == 200
    assert admin_client.post(f"/users/{trainer.id}/reset-link").status_code == 200
    assert admin_client.post(f"/users/{second_admin.id}/reset-link").status_code == 403
    assert admin_client.post(f"/users/{admin.id}/reset-link").status_code == 403
    members = client.get(f"/hubs/{hub.id}/members").get_data(as_text=True)
    assert members.count("/reset-link") == 1  # offered for the volunteer only


def test_nobody_grants_themselves_a_role(app, hub):
    admin = make_user(hub, roles=("admin",))
    client = app.test_client()
    login(client, admin)
    client.post(f"/admin/users/{admin.id}", data={"roles": ["admin", "coordinator"], "hub_id": str(hub.id), "active": "y"})
    assert db.session.get(User, admin.id).roles == {"admin"}


# ---- a revoked certificate is dead everywhere


def test_revoked_certificate_is_not_served_as_pdf_or_badge_and_verify_says_when_and_why(auto_certified):
    _course, _v, volunteer_client, _c, coordinator_client, cert = auto_certified
    assert volunteer_client.get(f"/certificates/{cert.id}.pdf").mimetype == "application/pdf"
    revoke(coordinator_client, cert, reason="Parent complaint about Aigerim S.", category="conduct")
    for url in (f"/certificates/{cert.id}.pdf", f"/certificates/{cert.id}/credential.jwt"):
        for who in (volunteer_client, coordinator_client):
            response = who.get(url)
            assert response.status_code == 410 and response.mimetype == "text/html"
            assert "was revoked on" in response.get_data(as_text=True)
    db.session.expire_all()
    cert = db.session.get(Certificate, cert.id)
    page = volunteer_client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "Revoked on" in page and cert.revoked_at.date().isoformat() in page and "Conduct" in page
    assert "Valid until" not in page and "Aigerim" not in page
    data = volunteer_client.get(f"/verify/{cert.code}.json").get_json()
    assert data["status"] == "revoked" and data["revoked_on"] == cert.revoked_at.date().isoformat()
    assert data["revocation_reason"] == "conduct" and "expires_on" not in data
    assert "Aigerim" not in str(data)


def test_expired_certificate_says_expired_on_not_valid_until(auto_certified):
    from datetime import date, timedelta

    _course, _v, volunteer_client, _c, _cc, cert = auto_certified
    cert.issued_on, cert.expires_on = date.today() - timedelta(days=800), date.today() - timedelta(days=70)
    db.session.commit()
    page = volunteer_client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "Expired on" in page and "Valid until" not in page
    assert volunteer_client.get(f"/verify/{cert.code}.json").get_json()["expired_on"] == cert.expires_on.isoformat()


# ---- forms that record something act once


def test_lesson_form_sent_twice_stores_one_row_and_says_so(auto_certified):
    _course, _v, volunteer_client, _c, _cc, _cert = auto_certified
    data = lesson_form()
    first = volunteer_client.post("/lessons-led", data=data)
    second = volunteer_client.post("/lessons-led", data=data)
    assert first.status_code == second.status_code == 302
    assert count(LessonDelivery) == 1
    assert "already logged" in volunteer_client.get(second.headers["Location"]).get_data(as_text=True)
    without_key = {k: v for k, v in lesson_form().items() if k != "form_key"}
    assert volunteer_client.post("/lessons-led", data=without_key).status_code == 400
    assert count(LessonDelivery) == 1


def test_issue_revoke_and_confirm_sent_twice_act_once(app, hub, make_course):
    course = make_course()
    volunteer = make_user(hub)
    coordinator = make_user(hub, roles=("coordinator",))
    volunteer_client, coordinator_client = app.test_client(), app.test_client()
    login(volunteer_client, volunteer)
    login(coordinator_client, coordinator)
    pass_course(volunteer_client, course)
    track = db.session.scalar(select(Track))
    issued = {"pick": f"{volunteer.id}:{track.id}", "form_key": form_key()}
    coordinator_client.post(f"/hubs/{hub.id}/certificates/issue", data=issued)
    again = coordinator_client.post(f"/hubs/{hub.id}/certificates/issue", data=issued)
    assert count(Certificate) == 1
    assert "already sent" in coordinator_client.get(again.headers["Location"]).get_data(as_text=True)
    volunteer_client.post("/lessons-led", data=lesson_form())
    delivery = db.session.scalar(select(LessonDelivery))
    review = {"decision": "confirm", "note": "", "form_key": form_key()}
    coordinator_client.post(f"/lessons-led/{delivery.id}/review", data=review)
    coordinator_client.post(f"/lessons-led/{delivery.id}/review", data=dict(review, decision="reject"))
    db.session.expire_all()
    assert db.session.get(LessonDelivery, delivery.id).status == "confirmed"
    cert = db.session.scalar(select(Certificate))
    revoked = {"reason": "Left", "category": "withdrawn", "form_key": form_key()}
    coordinator_client.post(f"/certificates/{cert.id}/revoke", data=revoked)
    coordinator_client.post(f"/certificates/{cert.id}/revoke", data=revoked)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("certificate.issue") == 1 and actions.count("delivery.confirm") == 1
    assert actions.count("delivery.reject") == 0 and actions.count("certificate.revoke") == 1
    assert count(CertificationHold) == 1


# ---- a verifier learns of a revocation from the signed status list


class StatusListVerifier:
    """A verifier written from the W3C Bitstring Status List and VC-JWT texts, trusting
    only the published key: it checks the credential's signature, fetches the list its
    credentialStatus names, checks the list's signature and purpose, and reads the bit."""

    def __init__(self, client):
        import jwt

        self.client, self.jwt = client, jwt
        jwks = client.get("/.well-known/jwks.json").get_json()
        self.key = jwt.PyJWK(jwks["keys"][0]).key

    def fetch(self, url: str) -> str:
        from urllib.parse import urlsplit

        response = self.client.get(urlsplit(url).path)
        assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
        return response.get_data(as_text=True)

    def is_revoked(self, token: str) -> bool:
        import base64
        import gzip

        credential = self.jwt.decode(token, self.key, algorithms=["EdDSA"])["vc"]
        entry = credential["credentialStatus"]
        assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
        status = self.jwt.decode(self.fetch(entry["statusListCredential"]), self.key, algorithms=["EdDSA"])["vc"]
        assert "BitstringStatusListCredential" in status["type"]
        assert status["id"] == entry["statusListCredential"]
        subject = status["credentialSubject"]
        assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
        encoded = subject["encodedList"]
        assert encoded[0] == "u"  # multibase base64url, no padding
        bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
        assert len(bits) * 8 >= 131_072
        index = int(entry["statusListIndex"])
        return bool(bits[index // 8] & (0x80 >> (index % 8)))


def test_a_verifier_learns_of_a_revocation_from_the_signed_status_list(app, auto_certified):
    _course, _v, volunteer_client, _c, coordinator_client, cert = auto_certified
    token = volunteer_client.get(f"/certificates/{cert.id}/credential.jwt").get_data(as_text=True)
    verifier = StatusListVerifier(app.test_client())
    assert verifier.is_revoked(token) is False
    first = app.test_client().get("/credentials/status/1")
    assert first.headers["Cache-Control"] == "no-cache"
    assert app.test_client().get("/credentials/status/1", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    revoke(coordinator_client, cert)
    assert verifier.is_revoked(token) is True  # the same credential, downloaded before
    changed = app.test_client().get("/credentials/status/1", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200


def test_a_forged_status_list_fails_the_signature_check(app, auto_certified):
    import jwt

    _course, _v, volunteer_client, _c, _cc, _cert = auto_certified
    token = app.test_client().get("/credentials/status/1").get_data(as_text=True)
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"
    key = jwt.PyJWK(app.test_client().get("/.well-known/jwks.json").get_json()["keys"][0]).key
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(forged, key, algorithms=["EdDSA"])


# ---- the audit log screen


def test_audit_log_admin_sees_all_coordinator_their_hub_with_filters_and_csv(app, hub, other_hub, auto_certified):
    _course, volunteer, _vc, coordinator, coordinator_client, cert = auto_certified
    revoke(coordinator_client, cert, reason="Missed the safeguarding refresher")
    elsewhere = make_user(other_hub, name="Semey Volunteer")
    other_coordinator = make_user(other_hub, roles=("coordinator",))
    other_client = app.test_client()
    login(other_client, other_coordinator)
    assert other_client.post(f"/users/{elsewhere.id}/reset-link").status_code == 200
    admin_client = app.test_client()
    login(admin_client, make_user(None, roles=("admin",)))

    page = coordinator_client.get("/audit").get_data(as_text=True)
    assert "certificate.revoke" in page and "Missed the safeguarding refresher" in page
    assert "Дана Ержанова" in page and "Semey Volunteer" not in page
    assert coordinator_client.get(f"/audit?hub={other_hub.id}").get_data(as_text=True).count("Semey Volunteer") == 0
    everything = admin_client.get("/audit").get_data(as_text=True)
    assert "Дана Ержанова" in everything and "Semey Volunteer" in everything
    only_issues = admin_client.get("/audit?action=certificate.issue").get_data(as_text=True)
    assert "certificate.issue" in only_issues and "<code>certificate.revoke</code>" not in only_issues
    by_person = admin_client.get("/audit?person=semey").get_data(as_text=True)
    assert "Semey Volunteer" in by_person and "Дана Ержанова" not in by_person
    cyrillic = admin_client.get("/audit?person=Дана").get_data(as_text=True)
    assert "Дана Ержанова" in cyrillic

    csv_text = coordinator_client.get("/audit.csv?action=certificate.revoke").get_data(as_text=True)
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("When,Action,Who,To whom")
    assert len(lines) == 2 and "Missed the safeguarding refresher" in lines[1] and volunteer.name in lines[1]
    assert coordinator.name in lines[1]

    volunteer_client = app.test_client()
    login(volunteer_client, make_user(hub))
    assert volunteer_client.get("/audit").status_code == 403
    assert volunteer_client.get("/audit.csv").status_code == 403


# ---- the PDF cache never serves a stale certificate


def test_pdf_is_cached_and_a_change_or_revocation_shows_at_once(app, auto_certified, monkeypatch):
    from pathlib import Path

    from lms.certificates import pdf as pdf_module
    from lms.hubs.models import Hub

    _course, _v, volunteer_client, _c, coordinator_client, cert = auto_certified
    folder = Path(app.instance_path) / "cache" / "certificates"
    renders = []
    real_render = pdf_module.render_certificate_pdf
    monkeypatch.setattr(pdf_module, "render_certificate_pdf", lambda **kw: renders.append(kw) or real_render(**kw))

    first = volunteer_client.get(f"/certificates/{cert.id}.pdf").data
    second = volunteer_client.get(f"/certificates/{cert.id}.pdf").data
    assert first == second and len(renders) == 1  # the second came from the cache
    assert list(folder.glob(f"{cert.id}-*.pdf"))
    assert oct(next(folder.glob(f"{cert.id}-*.pdf")).stat().st_mode & 0o777) == "0o600"

    hub = db.session.get(Hub, cert.hub_id)
    hub.name = "Kokshetau Volunteer Hub (renamed)"
    db.session.commit()
    volunteer_client.get(f"/certificates/{cert.id}.pdf")
    assert len(renders) == 2 and renders[-1]["hub"] == "Kokshetau Volunteer Hub (renamed)"

    revoke(coordinator_client, cert)
    assert not list(folder.glob(f"{cert.id}-*.pdf"))
    assert volunteer_client.get(f"/certificates/{cert.id}.pdf").status_code == 410
    assert len(renders) == 2
