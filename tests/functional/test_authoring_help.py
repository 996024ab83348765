"""Authoring for trainers who are not developers: help inside the editor, buttons instead of
typed file names, snippets with thumbnails, checker messages and starter text in the
trainer's language."""

from __future__ import annotations

import html
import io
import re

import pytest
from flask_babel import force_locale
from PIL import Image

from lms.authoring.messages import translate
from lms.authoring.models import CourseAuthor
from lms.extensions import db
from tests.conftest import login
from tests.factories import make_user
from tests.functional.test_authoring import draft_text, edit_form, save


@pytest.fixture
def ru_author(app, hub, make_course):
    """A Russian-speaking co-author of 'test-course' (default language en), with a draft open."""
    make_course()
    trainer = make_user(hub, roles=("trainer",), locale="ru")
    db.session.add(CourseAuthor(course_slug="test-course", user_id=trainer.id, role="co-author"))
    db.session.commit()
    client = app.test_client()
    login(client, trainer)
    client.post("/author/test-course/draft")
    return client


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, "PNG")
    return out.getvalue()


def test_editor_has_the_writing_help_in_the_trainers_language_and_no_repository_path(ru_author):
    page = ru_author.get("/author/test-course/files/01-lesson-1.md").get_data(as_text=True)
    assert "docs/authoring.md" not in page
    help_block = re.search(r'<details class="syntax-help.*?</details>', page, re.S).group(0)
    assert "Как писать: заголовки, списки, картинки, блоки, тесты" in help_block
    for syntax in ("## ", "!!! warning", "::: quiz", "### Q who-to-tell", "(x)", "[x]", "truefalse: true",
                   "text: UNICEF", "number: 30 +- 5", "## Pool scenarios (draw 3)", "{hub:helpline}", "![Что на картинке]"):
        assert syntax in help_block, syntax


def test_insert_panel_shows_uploaded_images_as_thumbnails_with_their_snippet(ru_author):
    ru_author.post("/author/test-course/images", data={"image": (io.BytesIO(png_bytes()), "First aid.png")})
    page = ru_author.get("/author/test-course/files/01-lesson-1.md").get_data(as_text=True)
    panel = re.search(r'<details class="insert-panel.*?</details>', page, re.S).group(0)
    assert '<img src="/author/test-course/draft-media/images/first-aid.png"' in panel
    assert "![Что на картинке](images/first-aid.png)" in panel  # shown as text: copyable without JavaScript
    assert 'data-insert="![Что на картинке](images/first-aid.png)"' in panel and " hidden>" in panel
    assert "Один верный ответ" in panel and "truefalse: true" in panel and "## Pool scenarios (draw 2)" in panel
    # The thumbnail is served to authors only.
    assert ru_author.get("/author/test-course/draft-media/images/first-aid.png").mimetype == "image/png"
    workspace = ru_author.get("/author/test-course/").get_data(as_text=True)
    assert '<img src="/author/test-course/draft-media/images/first-aid.png"' in workspace


def test_final_quiz_button_adds_a_russian_starter_that_passes_the_checker(ru_author, make_course):
    make_course("quizless", questions=0)
    workspace = ru_author.get("/author/test-course/").get_data(as_text=True)
    assert "Добавить итоговый тест" not in workspace  # test-course has its quiz already
    assert 'value="quiz.ru.md"' in workspace and 'value="quiz.kk.md"' in workspace  # translate it instead
    db.session.add(CourseAuthor(course_slug="quizless", user_id=db.session.scalar(
        db.select(CourseAuthor.user_id).where(CourseAuthor.course_slug == "test-course")), role="co-author"))
    db.session.commit()
    ru_author.post("/author/quizless/draft")
    workspace = ru_author.get("/author/quizless/").get_data(as_text=True)
    assert "Добавить итоговый тест" in workspace and 'name="file-name" value="quiz.md"' in workspace
    added = ru_author.post("/author/quizless/files", data={"file-name": "quiz.md"})
    assert added.status_code == 302 and added.headers["Location"].endswith("/files/quiz.md")
    text = draft_text("quizless", "quiz.md")
    assert 'title: "Итоговая проверка"' in text and "Напишите вопрос здесь." in text and "(x) Верный ответ" in text
    editor = ru_author.get("/author/quizless/files/quiz.md").get_data(as_text=True)
    assert "Нет проблем" in editor or 'class="ok"' in editor
    assert 'id="problems"' not in editor
    assert "Добавить итоговый тест" not in ru_author.get("/author/quizless/").get_data(as_text=True)


def test_translation_buttons_name_the_files_so_nobody_types_them(ru_author):
    workspace = ru_author.get("/author/test-course/").get_data(as_text=True)
    assert 'name="file-name" value="01-lesson-1.ru.md"' in workspace
    assert 'name="file-name" value="course.kk.md"' in workspace
    assert "Перевести: Қазақша" in workspace
    added = ru_author.post("/author/test-course/files", data={"file-name": "01-lesson-1.ru.md"})
    assert added.status_code == 302
    assert 'value="01-lesson-1.ru.md"' not in ru_author.get("/author/test-course/").get_data(as_text=True)


def test_add_a_lesson_quiz_puts_a_valid_block_in_the_form_without_saving(ru_author):
    before = draft_text("test-course", "01-lesson-1.md")
    page = ru_author.get("/author/test-course/files/01-lesson-1.md?insert=quiz").get_data(as_text=True)
    assert draft_text("test-course", "01-lesson-1.md") == before  # nothing saved yet
    text = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1)
    assert "::: quiz\n### Q check-1\nНапишите вопрос здесь." in text.replace("&#34;", '"')
    assert "В конец урока добавлен тест" in page
    assert save(ru_author, "test-course", "01-lesson-1.md", html.unescape(text).lstrip("\r\n")).status_code == 302
    saved = ru_author.get("/author/test-course/files/01-lesson-1.md").get_data(as_text=True)
    assert 'id="problems"' not in saved  # the starter block passes the checker
    assert "Добавить тест к этому уроку" not in saved  # one quiz block per lesson
    again = ru_author.get("/author/test-course/files/01-lesson-1.md?insert=quiz").get_data(as_text=True)
    assert re.search(r"<textarea[^>]*>(.*?)</textarea>", again, re.S).group(1).count("::: quiz") == 1


def test_checker_messages_are_shown_in_the_trainers_language(ru_author):
    quiz = ("---\ntitle: Check\n---\n### Q call-whom\nWho?\n\n(x) One\n(x) Two\n( ) Three\n\n"
            "### Q tf\nTrue?\n\ntruefalse: maybe\n")
    save(ru_author, "test-course", "quiz.md", quiz)
    page = ru_author.get("/author/test-course/files/quiz.md").get_data(as_text=True)
    assert "в вопросе «call-whom» выбирают один ответ, а верными отмечены 2" in page
    assert "после truefalse: напишите true или false, а не «maybe»" in page
    assert "single-choice question" not in page
    workspace = ru_author.get("/author/test-course/").get_data(as_text=True)
    assert "в вопросе «call-whom» выбирают один ответ" in workspace and "quiz.md:" in workspace


def test_new_lesson_starts_with_a_hint_in_the_trainers_language(ru_author):
    ru_author.post("/author/test-course/lessons", data={"lesson-title": "Свидетель"})
    text = draft_text("test-course", "04-svidetel.md")
    assert text.startswith("---\ntitle: Свидетель") and "Напишите урок здесь." in text


def test_preview_names_question_kinds_and_points_in_words(ru_author):
    base = edit_form(ru_author, "test-course", "quiz.md")
    quiz = "---\ntitle: Check\n---\n### Q q1\nWho?\n\n( ) One\n(x) Two\n\n### Q q2 (2 points)\nTrue?\n\ntruefalse: true\n"
    page = ru_author.post("/author/test-course/files/quiz.md", data={**base, "text": quiz, "preview": "1"})
    shown = page.get_data(as_text=True)
    assert "один ответ · 1 балл" in shown and "верно или неверно · 2 балла" in shown
    assert "1.0" not in re.search(r'<div id="preview-body">.*', shown, re.S).group(0)[:2000]
    assert "<strong class=\"ok\">Ответ:</strong> Верно" in shown


@pytest.mark.parametrize(("english", "russian"), [
    ("unknown key 'pass_mrak', did you mean 'pass_mark'?", "неизвестная настройка «pass_mrak»; может быть, «pass_mark»?"),
    ("broken image link 'images/x.png': no such file in the course folder",
     "изображения «images/x.png» нет среди изображений курса: загрузите его или исправьте имя"),
    ("missing lesson title ('title: ...' in the front matter)",
     "у урока нет названия: добавьте строку title: ... между строками --- вверху"),
    ("question 'q1' has no answers", "у вопроса «q1» пока нет ответов"),
])
def test_message_patterns_translate_known_messages(app, english, russian):
    with app.test_request_context(), force_locale("ru"):
        assert translate(english) == russian


def test_a_question_pasted_outside_a_quiz_block_is_explained_in_russian(ru_author):
    text = "---\ntitle: Lesson 1\nminutes: 5\n---\nText.\n\n### Q stray\nWho?\n\n( ) A\n(x) B\n"
    save(ru_author, "test-course", "01-lesson-1.md", text)
    page = ru_author.get("/author/test-course/files/01-lesson-1.md").get_data(as_text=True)
    assert "этот вопрос вне теста: слушатели прочтут его вместе с ответами" in page


def test_an_unknown_message_is_shown_as_the_checker_wrote_it(app):
    with app.test_request_context(), force_locale("ru"):
        assert translate("a brand-new rule says no, did you mean 'yes'?") == "a brand-new rule says no, did you mean 'yes'?"
        assert translate("something else entirely") == "something else entirely"
    with app.test_request_context(), force_locale("en"):
        assert translate("question 'q1' has no answers") == "question 'q1' has no answers"  # the checker's own words
