"""People search on a hub's page and the admin's: Kazakh and Russian names whatever their
case, phone numbers however written, and "nothing found for …". Runs on SQLite and, with
DATABASE_TEST_URL, on PostgreSQL: the same assertions on both."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lms.extensions import db
from tests.conftest import login
from tests.factories import make_user


@pytest.fixture
def people(app, hub, other_hub):
    made = {
        "asel": make_user(hub, name="Асель Жумабаева", email="asel@example.org", phone="+77025550101"),
        "oraz": make_user(hub, name="ӘСЕМ ҒАЛЫМҚЫЗЫ ҚОҢЫРБАЕВА", email="asem@example.org"),
        "yoj": make_user(hub, name="Пётр Ёлкин", email="petr@example.org", phone="+77011234567"),
        "uly": make_user(hub, name="Ұлан Үсенов Һ Іңкәр Өмір", email="ulan@example.org"),
        "latin": make_user(hub, name="Dana Smith", email="dana@example.org"),
        "stranger": make_user(other_hub, name="Асель Другая", email="asel2@example.org", phone="+77025550199"),
    }
    return made


@pytest.fixture
def coordinator_client(app, hub):
    client = app.test_client()
    login(client, make_user(hub, roles=("coordinator",), name="Coordinator Kokshetau"))
    return client


def found(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("query", "who"), [
    ("асель", "Асель Жумабаева"), ("АСЕЛЬ", "Асель Жумабаева"), ("жумабаева", "Асель Жумабаева"),
    ("әсем", "ӘСЕМ ҒАЛЫМҚЫЗЫ ҚОҢЫРБАЕВА"), ("ғалымқызы", "ӘСЕМ ҒАЛЫМҚЫЗЫ ҚОҢЫРБАЕВА"),
    ("қоңырбаева", "ӘСЕМ ҒАЛЫМҚЫЗЫ ҚОҢЫРБАЕВА"),
    ("ёлкин", "Пётр Ёлкин"), ("ЁЛКИН", "Пётр Ёлкин"),
    ("ұлан үсенов һ іңкәр өмір", "Ұлан Үсенов Һ Іңкәр Өмір"), ("ҰЛАН ҮСЕНОВ Һ ІҢКӘР ӨМІР", "Ұлан Үсенов Һ Іңкәр Өмір"),
    ("DANA", "Dana Smith"),
])
def test_hub_search_folds_case_of_kazakh_and_russian_names(people, hub, coordinator_client, query, who):
    page = found(coordinator_client, f"/hubs/{hub.id}/members?q={query}")
    assert who in page
    assert "Nothing found" not in page


@pytest.mark.parametrize("query", ["8 702 555 01 01", "+7 (702) 555-01-01", "87025550101", "+7 702 555", "702 555 01",
                                   "8 702 555"])
def test_hub_search_finds_a_phone_number_however_it_is_written(people, hub, coordinator_client, query):
    page = found(coordinator_client, f"/hubs/{hub.id}/members?q={query.replace('+', '%2B')}")
    assert "Асель Жумабаева" in page
    assert "Асель Другая" not in page  # another hub's person, same digits nearby
    assert "Пётр Ёлкин" not in page


def test_hub_search_with_no_match_says_nothing_found_for_the_query(people, hub, coordinator_client):
    page = found(coordinator_client, f"/hubs/{hub.id}/members?q=Зарина")
    assert "Nothing found for “Зарина”." in page
    assert "Nobody yet" not in page


def test_wildcards_typed_in_the_box_match_only_themselves(people, hub, coordinator_client):
    assert "Nothing found for “%”." in found(coordinator_client, f"/hubs/{hub.id}/members?q=%25")
    assert "Nothing found" in found(coordinator_client, f"/hubs/{hub.id}/members?q=_")


def test_hub_search_never_shows_another_hubs_people(people, hub, coordinator_client):
    page = found(coordinator_client, f"/hubs/{hub.id}/members?q=асель")
    assert "Асель Жумабаева" in page and "Асель Другая" not in page


def test_admin_search_folds_case_and_phone_across_hubs(app, people, hub):
    client = app.test_client()
    login(client, make_user(hub, roles=("admin",)))
    page = found(client, "/admin/users?q=АСЕЛЬ")
    assert "Асель Жумабаева" in page and "Асель Другая" in page
    page = found(client, "/admin/users?q=8 702 555 01 99")
    assert "Асель Другая" in page and "Асель Жумабаева" not in page
    assert "Nothing found for “Зарина”." in found(client, "/admin/users?q=Зарина")


@pytest.mark.parametrize(("upper", "lower"), [
    ("Ә", "ә"), ("Ғ", "ғ"), ("Қ", "қ"), ("Ң", "ң"), ("Ө", "ө"), ("Ұ", "ұ"), ("Ү", "ү"), ("Һ", "һ"), ("І", "і"),
    ("Ё", "ё"), ("Я", "я"),
])
def test_the_databases_lower_folds_every_kazakh_letter(app, upper, lower):
    """SQLite's own lower() is ASCII-only; lms.transactions installs a Unicode one. On
    PostgreSQL this holds under a UTF-8 ctype (see docs on the database's locale)."""
    assert db.session.scalar(text("SELECT lower(:s)"), {"s": upper}) == lower
