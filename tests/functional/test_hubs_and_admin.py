"""Who may reach the admin and coordinator pages, and hub boundaries."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.extensions import db
from lms.hubs.models import Hub
from tests.conftest import login
from tests.factories import make_user

ROLES = ("volunteer", "trainer", "coordinator", "admin")


def coordinator_pages(hub_id):
    return [
        f"/hubs/{hub_id}/members",
        f"/hubs/{hub_id}/members/new",
        f"/hubs/{hub_id}/members/import",
        f"/hubs/{hub_id}/settings",
    ]


ADMIN_PAGES = ["/admin/hubs", "/admin/hubs/new", "/admin/users"]


@pytest.mark.parametrize("role", ROLES)
def test_admin_pages_only_for_admins(client, hub, role):
    login(client, make_user(hub, roles=(role,)))
    expected = 200 if role == "admin" else 403
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("role", ROLES)
def test_coordinator_pages_for_coordinators_and_admins(client, hub, role):
    login(client, make_user(hub, roles=(role,)))
    expected = 200 if role in ("coordinator", "admin") else 403
    for url in coordinator_pages(hub.id):
        assert client.get(url).status_code == expected, url


def test_anonymous_is_sent_to_login(client, hub):
    for url in ADMIN_PAGES + coordinator_pages(hub.id):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_coordinator_cannot_see_other_hub(client, hub, other_hub):
    login(client, make_user(hub, roles=("coordinator",)))
    for url in coordinator_pages(other_hub.id):
        assert client.get(url).status_code == 403, url


def test_coordinator_cannot_make_reset_link_for_other_hubs_volunteer(client, hub, other_hub):
    login(client, make_user(hub, roles=("coordinator",)))
    stranger = make_user(other_hub)
    assert client.post(f"/users/{stranger.id}/reset-link").status_code == 403
    own = make_user(hub)
    assert client.post(f"/users/{own.id}/reset-link").status_code == 200


def test_coordinator_cannot_reset_a_fellow_coordinator(client, hub):
    login(client, make_user(hub, roles=("coordinator",)))
    peer = make_user(hub, roles=("coordinator",))
    assert client.post(f"/users/{peer.id}/reset-link").status_code == 403


def test_coordinator_cannot_add_volunteer_to_other_hub(client, hub, other_hub):
    login(client, make_user(hub, roles=("coordinator",)))
    response = client.post(
        f"/hubs/{other_hub.id}/members/new",
        data={"name": "X", "email": "x@example.org", "locale": "ru"},
    )
    assert response.status_code == 403
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_reset_link_is_post_only(client, hub):
    login(client, make_user(hub, roles=("coordinator",)))
    assert client.get(f"/users/{make_user(hub).id}/reset-link").status_code == 405


def test_coordinator_adds_volunteer_and_gets_link(client, hub):
    login(client, make_user(hub, roles=("coordinator",)))
    response = client.post(
        f"/hubs/{hub.id}/members/new",
        data={"name": "Ерлан Әбенов", "phone": "+7 701 111 22 33", "locale": "kk", "role": "admin", "hub_id": "99"},
    )
    assert response.status_code == 200
    assert "/reset/" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.phone == "+77011112233"))
    # extra fields in the POST (mass assignment) are ignored
    assert user.hub_id == hub.id and user.roles == {"volunteer"}


CSV_GOOD = "name,email,phone,language\nАйгерім Сапарова,aigerim@example.kz,,kk\nИван Петров,,+7 701 000 0001,ru\n"


def upload(client, hub, text, filename="volunteers.csv"):
    return client.post(
        f"/hubs/{hub.id}/members/import",
        data={"file": (io.BytesIO(text.encode("utf-8-sig")), filename)},
        content_type="multipart/form-data",
    )


def test_csv_import_creates_all_rows(client, hub):
    login(client, make_user(hub, roles=("coordinator",)))
    response = upload(client, hub, CSV_GOOD)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.count("/reset/") == 2
    people = db.session.scalars(select(User).where(User.hub_id == hub.id, User.name != "")).all()
    assert {p.name for p in people} >= {"Айгерім Сапарова", "Иван Петров"}


def test_csv_import_with_one_bad_row_imports_nothing(client, hub):
    login(client, make_user(hub, roles=("coordinator",)))
    before = db.session.scalar(select(func.count(User.id)))
    bad = CSV_GOOD + "Someone,not-an-email,,ru\nNobody,,,en\n"
    response = upload(client, hub, bad)
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    assert "Line 4" in page and "not-an-email" in page
    assert "Line 5" in page
    assert db.session.scalar(select(func.count(User.id))) == before


def test_csv_import_semicolons_from_excel(client, hub):
    login(client, make_user(hub, roles=("coordinator",)))
    response = upload(client, hub, "name;email\nАлия;aliya@example.kz\n")
    assert "/reset/" in response.get_data(as_text=True)


def test_admin_grants_roles_and_moves_hub(client, hub, other_hub):
    login(client, make_user(hub, roles=("admin",)))
    person = make_user(hub)
    response = client.post(
        f"/admin/users/{person.id}",
        data={"roles": ["volunteer", "coordinator"], "hub_id": str(other_hub.id), "active": "y"},
    )
    assert response.status_code == 302
    person = db.session.get(User, person.id)
    assert person.roles == {"volunteer", "coordinator"} and person.hub_id == other_hub.id


def test_admin_cannot_remove_own_admin_role(client, hub):
    admin = make_user(hub, roles=("admin",))
    login(client, admin)
    response = client.post(f"/admin/users/{admin.id}", data={"roles": ["volunteer"], "hub_id": str(hub.id), "active": "y"})
    assert response.status_code == 200
    assert db.session.get(User, admin.id).roles == {"admin"}


def test_deactivated_user_is_logged_out_on_next_request(app, hub):
    volunteer = make_user(hub)
    their_client = app.test_client()
    login(their_client, volunteer)
    admin_client = app.test_client()
    login(admin_client, make_user(hub, roles=("admin",)))
    admin_client.post(f"/admin/users/{volunteer.id}", data={"roles": ["volunteer"], "hub_id": str(hub.id)})
    assert their_client.get("/dashboard").status_code == 302


def test_admin_creates_hub(client, hub):
    login(client, make_user(hub, roles=("admin",)))
    response = client.post("/admin/hubs/new", data={"slug": "aktau", "name": "Aktau Hub", "region": "Mangystau region"})
    assert response.status_code == 302
    assert db.session.scalar(select(Hub).where(Hub.slug == "aktau")).region == "Mangystau region"
    duplicate = client.post("/admin/hubs/new", data={"slug": "aktau", "name": "Again", "region": "Mangystau region"})
    assert "Another hub has this short name" in duplicate.get_data(as_text=True)


def test_coordinator_sets_hub_helpline(client, hub):
    login(client, make_user(hub, roles=("coordinator",)))
    client.post(f"/hubs/{hub.id}/settings", data={"helpline": "150", "contact": "hub@example.kz"})
    assert db.session.get(Hub, hub.id).helpline == "150"
