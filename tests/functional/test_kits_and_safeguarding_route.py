"""Lesson kits (who may open them, languages, print page), the kk -> ru -> en content chain on
the learner's pages, and the hub's safeguarding placeholders, over HTTP."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.courses.importer import import_tree
from lms.courses.kits import CourseKit
from lms.courses.models import Track
from lms.domain.course_format import load_tree
from lms.extensions import db
from tests.conftest import login
from tests.factories import make_hub, make_user

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "kit_courses"


@pytest.fixture
def kit_tree(app):
    tree, problems = load_tree(FIXTURE, display_root=FIXTURE)
    assert problems == []
    import_tree(tree)
    return tree


def certify(user, track_slug: str, *, expired: bool = False) -> None:
    track = db.session.scalar(select(Track).where(Track.slug == track_slug))
    today = date.today()
    issued = today - timedelta(days=800 if expired else 10)
    db.session.add(Certificate(
        serial=f"VH-K-{user.id}-{track.id}", code=f"KITS-{user.id:04d}-{track.id:04d}-0000", user_id=user.id,
        track_id=track.id, hub_id=user.hub_id, holder_name=user.name, course_versions={},
        issued_on=issued, expires_on=issued + timedelta(days=730),
    ))
    db.session.commit()


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


# --- who may open a kit

def test_kit_needs_a_login(client, kit_tree):
    response = client.get("/courses/kind-lessons/kit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_volunteer_without_a_certificate_gets_403_with_an_explanation(client, hub, kit_tree):
    login(client, make_user(hub))
    html = page(client, "/courses/kind-lessons/kit", 403)
    assert "This lesson kit is for certified volunteers" in html
    assert "Prevention of violence and bullying" in html
    assert "English page 1" not in html
    page(client, "/courses/safe-basics/kit", 403)


def test_volunteer_certified_in_another_track_gets_403_for_this_tracks_kit(client, hub, kit_tree):
    volunteer = make_user(hub)
    certify(volunteer, "eco-volunteering")
    login(client, volunteer)
    page(client, "/courses/kind-lessons/kit", 403)


def test_expired_certificate_does_not_open_the_kit(client, hub, kit_tree):
    volunteer = make_user(hub)
    certify(volunteer, "violence-prevention", expired=True)
    login(client, volunteer)
    page(client, "/courses/kind-lessons/kit", 403)
    page(client, "/courses/safe-basics/kit", 403)


def test_shared_forms_kit_opens_for_a_volunteer_certified_in_any_track(client, hub, kit_tree):
    volunteer = make_user(hub)
    certify(volunteer, "eco-volunteering")
    login(client, volunteer)
    assert "Photo consent form" in page(client, "/courses/safe-basics/kit")


def test_certified_volunteer_gets_the_kit_in_each_language(client, hub, kit_tree):
    volunteer = make_user(hub, locale="en")
    certify(volunteer, "violence-prevention")
    login(client, volunteer)
    for lang, words in (("en", "English page 1"), ("ru", "Русская страница 1"), ("kk", "Қазақша бет 1")):
        html = page(client, f"/courses/kind-lessons/kit?lang={lang}")
        assert words in html and f'<article class="kit" lang="{lang}">' in html


@pytest.mark.parametrize("role", ["trainer", "coordinator", "admin"])
def test_staff_open_every_kit_without_a_certificate(client, hub, kit_tree, role):
    login(client, make_user(hub, roles=(role,)))
    assert "English page 1" in page(client, "/courses/kind-lessons/kit")
    assert "Photo consent form" in page(client, "/courses/safe-basics/kit")


def test_course_without_a_kit_answers_404(client, hub, kit_tree):
    login(client, make_user(hub, roles=("admin",)))
    page(client, "/courses/green-lessons/kit", 404)
    page(client, "/courses/no-such-course/kit", 404)


def test_kit_page_prints_a4_with_a_button_and_words_for_no_script(client, hub, kit_tree):
    login(client, make_user(hub, roles=("trainer",)))
    html = page(client, "/courses/kind-lessons/kit?lang=en")
    assert "print-kit" in html and "js/print" in html
    assert 'class="primary kit-print" hidden' in html  # shown by print.js; without it the text below says how
    assert "Ctrl+P" in html
    assert html.split('<article class="kit"')[1].count("<h1") == 3  # one per printed page
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "print-kit.css").read_text()
    assert "size: A4" in css and "break-before: page" in css


def test_kit_falls_back_along_the_chain_and_says_so(client, hub, kit_tree):
    login(client, make_user(hub, roles=("trainer",)))
    html = page(client, "/courses/safe-basics/kit?lang=kk")  # only English exists
    assert "Photo consent form" in html
    assert 'class="note" lang="kk"' in html  # the note, in the reader's language


def test_course_page_links_the_kit_only_for_those_who_may_open_it(client, hub, kit_tree):
    volunteer = make_user(hub, locale="en")
    login(client, volunteer)
    assert "kit-link" not in page(client, "/courses/kind-lessons")
    certify(volunteer, "violence-prevention")
    assert 'href="/courses/kind-lessons/kit"' in page(client, "/courses/kind-lessons")
    assert "kit-link" not in page(client, "/courses/green-lessons")


def test_kit_placeholders_show_the_viewers_hub(client, kit_tree):
    hub = make_hub(name="Aktau Hub", safeguarding="Dana, +7 700 111 22 33", emergency="112, then +7 700 111 22 44")
    login(client, make_user(hub, roles=("trainer",)))
    assert "Dana, +7 700 111 22 33" in page(client, "/courses/kind-lessons/kit?lang=en")


def test_kits_are_replaced_and_removed_on_reimport(app, kit_tree, tmp_path):
    root = tmp_path / "courses"
    shutil.copytree(FIXTURE, root)
    (root / "kind-lessons" / "kit.kk.md").unlink()
    tree, problems = load_tree(root, display_root=root)
    assert problems == []
    import_tree(tree)
    languages = db.session.scalars(select(CourseKit.language)).all()
    assert sorted(languages) == ["en", "en", "ru"]


# --- the kk -> ru -> en chain on the learner's pages

def test_kazakh_reader_gets_russian_before_english_with_a_note(client, hub, kit_tree):
    login(client, make_user(hub, locale="kk"))
    html = page(client, "/courses/kind-lessons")
    assert "Добрые уроки" in html and "Русский обзор" in html
    assert 'class="note"' in html
    lesson = page(client, "/courses/kind-lessons/lessons/first")
    assert "Русский текст первого урока" in lesson and 'lang="ru"' in lesson and 'class="note"' in lesson


def test_kazakh_reader_gets_english_when_there_is_no_russian(client, hub, kit_tree):
    login(client, make_user(hub, locale="kk"))
    assert "Green overview in English only" in page(client, "/courses/green-lessons")
    assert "Plastic lesson in English only" in page(client, "/courses/green-lessons/lessons/plastic")


def test_chain_is_configurable(make_app):
    app = make_app(CONTENT_FALLBACK={"kk": ["en"], "ru": ["en"], "en": []})
    tree, _problems = load_tree(FIXTURE, display_root=FIXTURE)
    import_tree(tree)
    client = app.test_client()
    login(client, make_user(make_hub(), locale="kk"))
    assert "English body of the first lesson" in page(client, "/courses/kind-lessons/lessons/first")


def test_quiz_in_a_fallback_language_is_started_in_it(client, hub, kit_tree):
    from lms.learning.models import QuizAttempt

    login(client, make_user(hub, locale="kk"))
    client.post("/courses/kind-lessons/enrol")
    response = client.post("/courses/kind-lessons/quizzes/final/start")
    assert response.status_code == 302
    attempt = db.session.scalar(select(QuizAttempt))
    assert attempt.language == "ru"
    html = page(client, f"/attempts/{attempt.id}")
    assert "Что доброе?" in html
    assert 'class="note" lang="kk"' in html


# --- {hub:safeguarding} and {hub:emergency}

def test_placeholders_render_per_hub(client, kit_tree):
    north = make_hub(name="North", safeguarding="Aigerim, +7 700 000 00 01", emergency="112; duty phone +7 700 000 00 02")
    south = make_hub(name="South", safeguarding="Marat, +7 700 000 00 03", emergency="112; duty phone +7 700 000 00 04")
    login(client, make_user(north, locale="en"))
    assert "Aigerim, +7 700 000 00 01" in page(client, "/courses/kind-lessons")
    assert "duty phone +7 700 000 00 02" in page(client, "/courses/kind-lessons/lessons/first")
    other = client.application.test_client()
    login(other, make_user(south, locale="en"))
    html = page(other, "/courses/kind-lessons")
    assert "Marat, +7 700 000 00 03" in html and "Aigerim" not in html


def test_hub_without_safeguarding_settings_says_not_set(client, hub, kit_tree):
    login(client, make_user(hub, locale="en"))
    html = page(client, "/courses/kind-lessons")
    assert "not set: ask your coordinator" in html and "{hub:" not in html
    assert "not set: ask your coordinator" in page(client, "/courses/kind-lessons/lessons/first")


def test_placeholder_values_are_escaped(client, kit_tree):
    hub = make_hub(safeguarding="<script>alert(1)</script>")
    login(client, make_user(hub, locale="en"))
    html = page(client, "/courses/kind-lessons")
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_coordinator_sets_the_safeguarding_route_and_the_flag_goes(client, hub):
    coordinator = make_user(hub, roles=("coordinator",))
    login(client, coordinator)
    assert "safeguarding-missing" in page(client, "/dashboard")
    assert "safeguarding-missing" in page(client, f"/hubs/{hub.id}/members")
    response = client.post(f"/hubs/{hub.id}/settings", data={
        "helpline": "111", "contact": "coordinator@example.org",
        "safeguarding": "Aigerim, +7 700 000 00 01", "emergency": "112; duty phone +7 700 000 00 02",
    })
    assert response.status_code == 302
    db.session.refresh(hub)
    assert (hub.safeguarding, hub.emergency) == ("Aigerim, +7 700 000 00 01", "112; duty phone +7 700 000 00 02")
    assert "safeguarding-missing" not in page(client, "/dashboard")
    assert "safeguarding-missing" not in page(client, f"/hubs/{hub.id}/members")


def test_only_the_missing_setting_is_flagged(client):
    hub = make_hub(safeguarding="Aigerim")
    login(client, make_user(hub, roles=("coordinator",)))
    html = page(client, "/dashboard")
    assert "no out-of-hours route set" in html and "no designated safeguarding person" not in html


def test_volunteers_are_not_shown_the_coordinators_flag(client, hub):
    login(client, make_user(hub))
    assert "safeguarding-missing" not in page(client, "/dashboard")


def test_too_long_safeguarding_value_is_refused_and_nothing_changes(client, hub):
    login(client, make_user(hub, roles=("coordinator",)))
    response = client.post(f"/hubs/{hub.id}/settings", data={"helpline": "", "contact": "", "safeguarding": "x" * 301,
                                                              "emergency": "112"})
    assert response.status_code == 200
    db.session.refresh(hub)
    assert (hub.safeguarding, hub.emergency) == ("", "")


def test_coordinator_cannot_set_another_hubs_route(client, hub, other_hub):
    login(client, make_user(hub, roles=("coordinator",)))
    response = client.post(f"/hubs/{other_hub.id}/settings", data={"safeguarding": "Me", "emergency": "Me"})
    assert response.status_code == 403
    db.session.refresh(other_hub)
    assert other_hub.safeguarding == ""


# --- kits in the browser editor and in exports

def test_export_writes_the_kits_back_byte_for_byte(app, kit_tree, tmp_path):
    from lms.courses.exporter import export_course

    folder = export_course("kind-lessons", tmp_path / "out").folder
    for name in ("kit.md", "kit.ru.md", "kit.kk.md"):
        assert (folder / name).read_bytes() == (FIXTURE / "kind-lessons" / name).read_bytes()
    tree, problems = load_tree(folder, display_root=tmp_path)
    assert problems == [] and sorted(tree.courses[0].kits) == ["en", "kk", "ru"]


def test_author_edits_a_kit_in_the_browser_and_publishes_it(client, hub, kit_tree):
    import re

    login(client, make_user(hub, roles=("admin",)))
    assert client.post("/author/kind-lessons/draft").status_code == 302
    assert "kit.md" in page(client, "/author/kind-lessons/")
    form = page(client, "/author/kind-lessons/files/kit.md")
    base = {name: re.search(rf'name="{name}" type="hidden" value="(\d+)"', form).group(1) for name in ("file_id", "revision")}
    text = (FIXTURE / "kind-lessons" / "kit.md").read_text().replace("English page 1", "Facilitator plan")
    assert client.post("/author/kind-lessons/files/kit.md", data={**base, "text": text, "save": "1"}).status_code in (200, 302)
    assert client.post("/author/kind-lessons/publish", data={}).status_code == 302
    assert "Facilitator plan" in page(client, "/courses/kind-lessons/kit?lang=en")


def test_author_adds_a_kit_translation_as_a_copy_of_the_kit(client, hub, kit_tree):
    from lms.authoring.models import CourseDraft, DraftFile

    login(client, make_user(hub, roles=("admin",)))
    client.post("/author/safe-basics/draft")
    response = client.post("/author/safe-basics/files", data={"file-name": "kit.ru.md"})
    assert response.status_code == 302
    row = db.session.scalar(select(DraftFile).join(CourseDraft).where(CourseDraft.course_slug == "safe-basics",
                                                                      DraftFile.path == "kit.ru.md"))
    assert row.content == (FIXTURE / "safe-basics" / "kit.md").read_bytes()


def test_fallback_chain_costs_the_lesson_page_no_extra_query(client, hub, kit_tree):
    from tests.functional.test_learning import count_queries

    login(client, make_user(hub, locale="en"))
    direct = count_queries(client, "/courses/kind-lessons/lessons/first")
    client.post("/language", data={"lang": "kk", "next": "/"})  # the learner switches to Kazakh
    fallback = count_queries(client, "/courses/kind-lessons/lessons/first")
    assert "Русский текст первого урока" in client.get("/courses/kind-lessons/lessons/first").get_data(as_text=True)
    assert fallback == direct, (direct, fallback)
