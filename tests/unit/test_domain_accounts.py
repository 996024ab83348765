"""Pure rules behind accounts: passwords, contacts, roles, the volunteer CSV."""

from __future__ import annotations

import pytest

from lms.domain.contacts import classify_login, normalise_email, normalise_phone
from lms.domain.passwords import password_problems
from lms.domain.roles import Actor, can_manage_hub_members, format_roles, parse_roles
from lms.domain.volunteer_csv import parse_volunteer_csv

LANGS = ("kk", "ru", "en")


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("short", ["too_short"]),
        ("password123", ["common"]),
        ("Password123", ["common"]),
        ("correct horse battery", []),
        ("Біздің ауылда көктем ерте келеді", []),  # long Kazakh passphrase
        ("x" * 300, ["too_long"]),
    ],
)
def test_password_policy(password, problems):
    assert password_problems(password) == problems


def test_password_may_not_equal_login():
    assert password_problems("aigerim@example.kz", identifiers=("Aigerim@example.kz",)) == ["same_as_login"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("8 701 234 56 78", "+77012345678"), ("+7 (701) 234-56-78", "+77012345678"), ("12", None), ("abc", None)],
)
def test_phone_normalisation(raw, expected):
    assert normalise_phone(raw) == expected


def test_email_normalisation():
    assert normalise_email(" Aigerim@Example.KZ ") == "aigerim@example.kz"
    assert normalise_email("not-an-email") is None
    assert classify_login("+7 701 234 5678") == ("phone", "+77012345678")
    assert classify_login("a@b") is None


def actor(id_, hub, *roles, active=True):
    return Actor(id=id_, hub_id=hub, roles=frozenset(roles), is_active=active)


def test_roles_round_trip_in_fixed_order():
    assert format_roles({"admin", "volunteer"}) == "volunteer,admin"
    assert parse_roles("volunteer,admin,bogus") == {"volunteer", "admin"}


def test_coordinator_manages_own_hub_only():
    coordinator = actor(1, 10, "coordinator")
    assert can_manage_hub_members(coordinator, 10)
    assert not can_manage_hub_members(coordinator, 11)
    assert not can_manage_hub_members(coordinator, None)


def test_trainers_do_not_manage_hub_members():
    assert not can_manage_hub_members(actor(1, 10, "trainer", "volunteer"), 10)


def test_csv_reports_every_bad_row_with_line_numbers():
    data = (
        b"name,email,phone,language\n"
        b"Good One,good@example.org,,ru\n"
        b",missing@example.org,,ru\n"
        b"Bad Mail,bad@,,ru\n"
        b"Repeat,good@example.org,,kk\n"
        b"Lang,lang@example.org,,de\n"
        b"Nobody,,,\n"
        b"Taken,taken@example.org,,en\n"
    )
    result = parse_volunteer_csv(data, languages=LANGS, existing_emails={"taken@example.org"})
    assert not result.ok
    assert [(line, code) for line, code, _ in result.errors] == [
        (3, "missing_name"),
        (4, "bad_email"),
        (5, "email_repeated"),
        (6, "bad_language"),
        (7, "missing_contact"),
        (8, "email_taken"),
    ]


def test_csv_accepts_bom_semicolons_and_blank_lines():
    data = "\ufeffname;phone\nАлия;8 701 000 00 01\n\nБолат;+7 702 000 00 02\n".encode()
    result = parse_volunteer_csv(data, languages=LANGS)
    assert result.ok
    assert [r.phone for r in result.rows] == ["+77010000001", "+77020000002"]


def test_csv_header_problems():
    assert parse_volunteer_csv(b"fullname,email\nA,a@b.org\n", languages=LANGS).errors[0][1] == "missing_column"
    assert parse_volunteer_csv(b"name,phone\n", languages=LANGS).errors[0][1] == "empty"
    assert parse_volunteer_csv(b"\xff\xfe", languages=LANGS).errors[0][1] == "not_utf8"
