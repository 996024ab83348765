"""Exports people open in a spreadsheet: XLSX beside every CSV, read back with openpyxl;
headers and values in the reader's language; dates, numbers and yes/no typed; no formulas."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.certificates.models import Certificate, LessonDelivery
from lms.extensions import db
from lms.reports.exports import XLSX_MIMETYPE, Column, Table, csv_cell, csv_delimiter, csv_rows, xlsx_bytes
from tests.conftest import login
from tests.factories import make_user
from tests.integration.test_reports import TODAY, world  # noqa: F401  (the shared fixture)


def sheet_rows(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == XLSX_MIMETYPE
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book.worksheets[0]
    return sheet, [list(row) for row in sheet.iter_rows()]


def client_for(app, user):
    client = app.test_client()
    login(client, user)
    return client


@pytest.fixture
def formula_lesson(world):  # noqa: F811
    """A confirmed lesson whose school field is a formula someone typed in."""
    v1 = world["v1"]
    cert = db.session.scalar(select(Certificate).where(Certificate.user_id == v1.id))
    db.session.add(LessonDelivery(user_id=v1.id, hub_id=v1.hub_id, track_id=world["track"].id, certificate_id=cert.id,
                                  led_on=TODAY - timedelta(days=1), school='=HYPERLINK("http://evil","x")',
                                  region="@SUM(1)", online=True, children=5, parents=1, status="confirmed"))
    db.session.commit()
    return world


def test_lessons_xlsx_in_russian_has_translated_headers_typed_values_and_no_formulas(app, formula_lesson):
    coordinator = make_user(formula_lesson["hub_a"], roles=("coordinator",), locale="ru")
    sheet, rows = sheet_rows(client_for(app, coordinator).get(f"/reports/hub/{formula_lesson['hub_a'].id}/lessons.xlsx"))
    header = [cell.value for cell in rows[0]]
    assert header[:5] == ["Дата", "Волонтёр", "Хаб", "Регион хаба", "Направление"]
    assert "Online" not in header and "date" not in header
    body = rows[1:]
    assert len(body) == 3  # the pending lesson is not exported
    first = body[0]
    assert isinstance(first[0].value, datetime) and first[0].value.date() == TODAY - timedelta(days=40)
    assert first[0].is_date
    assert first[4].value == "Профилактика буллинга"  # the track's title in Russian, not its slug
    assert first[7].value == "да" and body[1][7].value == "нет"  # online: yes/no in Russian
    assert first[8].value == 20 and first[8].data_type == "n"  # children: a number
    every_cell = [cell for row in rows for cell in row]
    assert not any(cell.data_type == "f" for cell in every_cell)
    formula = next(row for row in body if str(row[5].value).startswith("="))
    assert formula[5].value == '=HYPERLINK("http://evil","x")' and formula[5].data_type == "s"
    assert formula[5].quotePrefix and formula[6].quotePrefix  # stays text even after an edit in Excel
    assert sheet.freeze_panes == "A2"


def test_lessons_csv_in_russian_uses_semicolons_bom_and_yes_no(app, formula_lesson):
    coordinator = make_user(formula_lesson["hub_a"], roles=("coordinator",), locale="ru")
    response = client_for(app, coordinator).get(f"/reports/hub/{formula_lesson['hub_a'].id}/lessons.csv")
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()) and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:2] == ["Дата", "Волонтёр"] and len(rows[0]) == 11
    assert {row[7] for row in rows[1:]} == {"да", "нет"}
    assert all(not cell.startswith(("=", "@", "+")) for row in rows for cell in row)
    assert "'=HYPERLINK" in raw.decode("utf-8")
    comma = client_for(app, coordinator).get(f"/reports/hub/{formula_lesson['hub_a'].id}/lessons.csv?sep=comma")
    assert next(csv.reader(io.StringIO(comma.get_data(as_text=True).lstrip("\ufeff"))))[:2] == ["Дата", "Волонтёр"]


def test_english_reader_gets_commas_and_english_headers(app, world):  # noqa: F811
    coordinator = make_user(world["hub_a"], roles=("coordinator",), locale="en")
    text = client_for(app, coordinator).get(f"/reports/hub/{world['hub_a'].id}/tracks.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Training area", "Issued in the period", "May lead now", "Expiring within 60 days"]
    assert rows[1][0] == "Prevention of violence and bullying"


@pytest.mark.parametrize("table", ["courses", "tracks", "months", "funnel", "lessons"])
def test_every_hub_table_downloads_as_xlsx(app, world, table):  # noqa: F811
    coordinator = make_user(world["hub_a"], roles=("coordinator",), locale="kk")
    _sheet, rows = sheet_rows(client_for(app, coordinator).get(f"/reports/hub/{world['hub_a'].id}/{table}.xlsx"))
    assert len(rows) >= 2 and all(cell.value for cell in rows[0])
    if table == "months":
        assert rows[1][0].is_date and rows[1][1].data_type == "n"
    if table == "funnel":
        assert [row[1].value for row in rows[1:]] == [3, 2, 1, 1, 1]


@pytest.mark.parametrize("table", ["hubs", "regions"])
def test_national_tables_download_as_xlsx_for_admins_only(app, world, table):  # noqa: F811
    admin = make_user(world["hub_a"], roles=("admin",), locale="ru")
    _sheet, rows = sheet_rows(client_for(app, admin).get(f"/reports/national/{table}.xlsx"))
    assert rows[0][0].value in ("Хаб", "Регион")
    assert any(row[0].value in ("Hub A", "North") for row in rows[1:])
    coordinator = make_user(world["hub_a"], roles=("coordinator",))
    assert client_for(app, coordinator).get(f"/reports/national/{table}.xlsx").status_code == 403


def test_xlsx_of_another_hub_is_refused_and_unknown_table_is_404(app, world):  # noqa: F811
    client = client_for(app, make_user(world["hub_a"], roles=("coordinator",)))
    assert client.get(f"/reports/hub/{world['hub_b'].id}/lessons.xlsx").status_code == 403
    assert client.get(f"/reports/hub/{world['hub_a'].id}/hubs.xlsx").status_code == 404
    assert client.get(f"/reports/hub/{world['hub_a'].id}/lessons.xls").status_code == 404
    volunteer = client_for(app, make_user(world["hub_a"]))
    assert volunteer.get(f"/reports/hub/{world['hub_a'].id}/lessons.xlsx").status_code == 403


def test_item_analysis_xlsx_has_numbers_and_translated_kinds(app, world):  # noqa: F811
    trainer = make_user(world["hub_a"], roles=("trainer",), locale="ru")
    client = client_for(app, trainer)
    _sheet, rows = sheet_rows(client.get(f"/reports/courses/{world['course'].slug}/items?format=xlsx"))
    assert rows[0][1].value == "Номер" and rows[0][5].value == "Верно, %"
    answered = next(row for row in rows[1:] if row[4].value == 2)
    assert answered[5].value == 50.0 and answered[5].data_type == "n"
    assert answered[3].value == "один ответ"
    text = client.get(f"/reports/courses/{world['course'].slug}/items?format=csv").get_data(as_text=True)
    assert "один ответ;2;50;1;1" in text  # semicolons for a Russian Excel; decimals get a comma (unit test below)


def test_audit_log_downloads_as_xlsx_with_dates_and_hub_names(app, world):  # noqa: F811
    from lms import audit

    coordinator = make_user(world["hub_a"], roles=("coordinator",), locale="ru")
    audit.record("certificate.revoke", actor=coordinator, target=world["v1"], hub_id=world["hub_a"].id,
                 reason="=cmd|' /C calc'!A0")
    db.session.commit()
    _sheet, rows = sheet_rows(client_for(app, coordinator).get("/audit.xlsx?action=certificate.revoke"))
    assert rows[0][0].value == "Когда" and len(rows) == 2
    event = rows[1]
    assert isinstance(event[0].value, datetime) and event[2].value == coordinator.name and event[3].value == "V1"
    assert event[4].value == "Hub A"
    assert event[6].value == "=cmd|' /C calc'!A0" and event[6].data_type == "s"
    volunteer = client_for(app, make_user(world["hub_a"]))
    assert volunteer.get("/audit.xlsx").status_code == 403


# ---- the writers themselves, without HTTP


def test_csv_cells_neutralise_formulas_but_not_numbers(app):
    with app.test_request_context():
        assert csv_cell("=1+1", "text") == "'=1+1"
        assert csv_cell(-5, "int") == "-5"
        assert csv_cell(12.5, "number", decimal_comma=True) == "12,5"
        assert csv_cell(True, "yesno") == "yes" and csv_cell(False, "yesno") == "no"
        assert csv_cell(date(2026, 11, 29), "date") == "2026-11-29"
        assert csv_cell(None, "int") == ""
    assert csv_delimiter("ru") == ";" and csv_delimiter("kk") == ";" and csv_delimiter("en") == ","
    assert csv_delimiter("ru", "comma") == "," and csv_delimiter("en", "semicolon") == ";"


def test_xlsx_writer_keeps_text_as_text_and_drops_control_characters(app):
    table = Table("a/b:c", [Column("Name"), Column("When", "date"), Column("Score", "number")],
                  [("+7 701 123", date(2026, 1, 2), 1.5), ("bell\x07 -1", None, None), ("@SUM(A1)", None, 0)])
    with app.test_request_context():
        book = load_workbook(io.BytesIO(xlsx_bytes(table)))
        text = "".join(csv_rows(table))
    sheet = book.worksheets[0]
    assert sheet.title == "a-b-c"
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0][0] == "+7 701 123" and values[1][0] == "bell -1" and values[2][0] == "@SUM(A1)"
    assert values[2][2] == 0 and values[0][2] == 1.5
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert text.startswith("\ufeffName,When,Score") and "'+7 701 123" in text


def test_dashboard_offers_excel_beside_every_csv(app, world):  # noqa: F811
    coordinator = make_user(world["hub_a"], roles=("coordinator",), locale="ru")
    page = client_for(app, coordinator).get(f"/reports/hub/{world['hub_a'].id}").get_data(as_text=True)
    hub_id = world["hub_a"].id
    for table in ("funnel", "months", "lessons", "courses", "tracks"):
        assert f"/reports/hub/{hub_id}/{table}.xlsx" in page and f"/reports/hub/{hub_id}/{table}.csv" in page, table
    assert "Excel (XLSX)" in page and "Скачать:" in page
