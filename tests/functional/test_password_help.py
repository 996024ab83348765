"""A forgotten password that no email can fix reaches the hub coordinator's inbox.

Phone-only volunteers, and everyone while no mail server is configured, ask on the
reset page; the answer is the same whether or not the account exists; the request
waits in their coordinator's inbox until a link is made (or the password is set).
"""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import PasswordHelpRequest
from lms.domain.contacts import normalise_phone
from lms.extensions import db
from tests.conftest import login
from tests.factories import make_user


def open_requests() -> list[int]:
    return db.session.scalars(select(PasswordHelpRequest.user_id).where(PasswordHelpRequest.resolved_at.is_(None))).all()


def test_a_phone_only_volunteer_asks_and_the_coordinator_answers_with_a_link(app, client, hub, other_hub):
    volunteer = make_user(hub, email=None, phone=normalise_phone("8 701 555 12 34"), name="Телефон Ғана")
    coordinator = make_user(hub, roles=("coordinator",))
    elsewhere = make_user(other_hub, roles=("coordinator",))

    asked = client.post("/reset", data={"login": "+7 701 555 12 34"})
    unknown = client.post("/reset", data={"login": "+7 701 000 00 01"})
    assert asked.status_code == unknown.status_code == 302
    answer = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "coordinator now sees your request" in answer and "on its way" not in answer
    client.post("/reset", data={"login": "87015551234"})  # asked twice: one request
    assert open_requests() == [volunteer.id]

    staff, stranger = app.test_client(), app.test_client()
    login(staff, coordinator)
    login(stranger, elsewhere)
    home = staff.get("/dashboard").get_data(as_text=True)
    assert 'id="inbox-resets"' in home and "1</strong> person asking for a new password" in home
    listed = staff.get(f"/hubs/{hub.id}/members?show=reset").get_data(as_text=True)
    assert "Телефон Ғана" in listed and coordinator.name not in listed
    assert "0</strong> people asking for a new password" in stranger.get("/dashboard").get_data(as_text=True)

    assert staff.post(f"/users/{volunteer.id}/reset-link").status_code == 200
    assert open_requests() == []
    assert "0</strong> people asking" in staff.get("/dashboard").get_data(as_text=True)


def test_with_mail_configured_an_emailed_link_needs_no_coordinator(make_app, monkeypatch):
    from lms.auth import routes as auth_routes
    from tests.factories import make_hub

    app = make_app(MAIL_SERVER="127.0.0.1")
    sent = []
    monkeypatch.setattr(auth_routes, "send_mail", lambda to, subject, body: sent.append(to) or True)
    hub = make_hub()
    volunteer = make_user(hub)
    phone_only = make_user(hub, email=None, phone=normalise_phone("8 702 111 22 33"))
    client = app.test_client()
    client.post("/reset", data={"login": volunteer.email})
    client.post("/reset", data={"login": "+7 702 111 22 33"})
    assert sent == [volunteer.email]
    assert open_requests() == [phone_only.id]  # no email reaches them, mail server or not
