"""The shipped curriculum in courses/: complete, consistent, and passable from its own sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.courses.importer import import_tree
from lms.courses.models import Course
from lms.domain.course_format import load_tree
from lms.extensions import db
from lms.learning.models import Enrolment, QuizAttempt
from tests.conftest import login
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "ru", "kk")
KINDS = {"single", "multiple", "truefalse", "text", "number"}
PHONE_LIKE = re.compile(r"(?<![\d-])(\+?\d[\d\s()-]{6,}\d)(?![\d-])")


@pytest.fixture(scope="module")
def tree():
    loaded, problems = load_tree(ROOT / "courses", display_root=ROOT)
    assert problems == []
    return loaded


def test_six_tracks_each_requiring_its_course_and_safeguarding(tree):
    assert len(tree.tracks) == 6
    for track in tree.tracks:
        assert "safeguarding" in track.courses and len(track.courses) == 2
        assert track.valid_months == 24 and track.allows.get("en")


def test_every_course_has_substance(tree):
    assert {c.slug for c in tree.courses} == {
        "bekind", "leading-as-volunteer", "plastic-free", "rights-in-practice", "safeguarding", "unicef-mission", "wellbeing",
    }
    for course in tree.courses:
        assert len(course.lessons) >= 4, course.slug
        for lesson in course.lessons:
            words = len(re.findall(r"\w+", lesson.texts[course.default_language].body))
            assert words >= 350, (course.slug, lesson.slug, words)
        # What one attempt asks (pools draw a few of theirs), and a bank larger than that.
        asked = sum(drawn_count(quiz) for quiz in course.quizzes[course.default_language])
        questions = [q for quiz in course.quizzes[course.default_language] for q in quiz.questions]
        assert 8 <= asked <= 20, (course.slug, asked)
        assert {q.kind for q in questions} <= KINDS, course.slug
        for q in questions:
            assert q.feedback or q.feedback_right or q.feedback_wrong or any(c.feedback for c in q.choices), (course.slug, q.id)


def test_no_phone_numbers_or_web_addresses_written_into_courses(tree):
    for course in tree.courses:
        for name, content in course.files.items():
            if not name.endswith(".md"):
                continue
            text = content.decode("utf-8")
            phones = [m for m in PHONE_LIKE.findall(text) if len(re.sub(r"\D", "", m)) >= 9]
            assert phones == [], (course.slug, name, phones)
            assert "http://" not in text and "https://" not in text, (course.slug, name)


def answers_from_source(attempt, source_questions) -> dict:
    """Answer each drawn question from the course's Markdown source, not from the database."""
    form = {}
    for index, drawn in enumerate(attempt.questions):
        question = source_questions[drawn["slug"]]
        name = f"q{index}"
        if question.kind in ("single", "multiple"):
            shown = [str(pos) for pos, original in enumerate(drawn["order"]) if question.choices[original].correct]
            form[name] = shown if question.kind == "multiple" else shown[0]
        elif question.kind == "truefalse":
            form[name] = "true" if question.truefalse else "false"
        elif question.kind == "text":
            form[name] = question.accepted[0]
        else:
            form[name] = f"{question.number:g}"
    return form


def test_every_shipped_course_can_be_completed_and_passed(app, tree, hub):
    import_tree(tree)
    client = app.test_client()
    login(client, make_user(hub))
    for source in tree.courses:
        course = db.session.scalar(select(Course).where(Course.slug == source.slug))
        client.post(f"/courses/{course.slug}/enrol")
        for lesson in source.lessons:
            assert client.get(f"/courses/{course.slug}/lessons/{lesson.slug}").status_code == 200
            client.post(f"/courses/{course.slug}/lessons/{lesson.slug}/done")
        for quiz in source.quizzes[source.default_language]:
            response = client.post(f"/courses/{course.slug}/quizzes/{quiz.slug}/start")
            attempt = db.session.get(QuizAttempt, int(response.headers["Location"].rsplit("/", 1)[1]))
            client.post(f"/attempts/{attempt.id}", data=answers_from_source(attempt, {q.id: q for q in quiz.questions}))
            db.session.expire_all()
            assert db.session.get(QuizAttempt, attempt.id).percent == 100.0, (course.slug, quiz.slug)
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.course_id == course.id))
        assert enrolment.passed_at is not None, course.slug


# --- issue 19: every course in kk, ru and en

def drawn_count(quiz) -> int:
    """Questions one attempt asks: every question outside pools plus each pool's draw."""
    return sum(1 for q in quiz.questions if q.pool is None) + sum(pool.draw for pool in quiz.pools)


def course_source_files(course) -> list[str]:
    return [name for name in course.files if name.endswith(".md") and "/" not in name]


def test_every_lesson_course_and_quiz_file_has_kk_and_ru_versions(tree):
    missing = []
    for course in tree.courses:
        names = set(course.files)
        for name in course_source_files(course):
            if re.search(r"\.(ru|kk|en)\.md$", name):
                continue
            for language in ("ru", "kk"):
                translated = name.removesuffix(".md") + f".{language}.md"
                if translated not in names:
                    missing.append(f"courses/{course.slug}/{translated}")
    assert missing == [], "missing translations:\n" + "\n".join(sorted(missing))


def test_translated_lessons_keep_titles_and_minutes(tree):
    for course in tree.courses:
        for lesson in course.lessons:
            original = lesson.texts[course.default_language]
            for language in LANGUAGES:
                text = lesson.texts.get(language)
                assert text is not None, (course.slug, lesson.slug, language)
                assert text.title.strip() and text.minutes == original.minutes, (course.slug, lesson.slug, language)


def question_shape(question) -> tuple:
    return (question.id, question.pool, question.kind, question.points, len(question.choices),
            tuple(c.correct for c in question.choices), question.truefalse, question.number, question.tolerance)


def test_every_quiz_has_the_same_questions_and_choices_in_kk_ru_and_en(tree):
    for course in tree.courses:
        original = {quiz.slug: quiz for quiz in course.quizzes[course.default_language]}
        for language in LANGUAGES:
            translated = {quiz.slug: quiz for quiz in course.quizzes.get(language, ())}
            assert set(translated) == set(original), (course.slug, language)
            for slug, quiz in original.items():
                other = translated[slug]
                assert [question_shape(q) for q in other.questions] == [question_shape(q) for q in quiz.questions], (
                    course.slug, slug, language)
                assert [(p.id, p.draw) for p in other.pools] == [(p.id, p.draw) for p in quiz.pools], (course.slug, language)
                for question in other.questions:
                    assert question.prompt.strip(), (course.slug, language, question.id)
                    assert all(choice.text.strip() for choice in question.choices), (course.slug, language, question.id)
                    if question.kind == "text":
                        assert question.accepted, (course.slug, language, question.id)


# --- issue 19: one safeguarding voice

TRACK_COURSES = ("bekind", "leading-as-volunteer", "plastic-free", "rights-in-practice", "unicef-mission", "wellbeing")
# Reporting routes of their own, in the words volunteers would read them. Only the safeguarding
# course states the route, through {hub:safeguarding} / {hub:emergency}.
OWN_ROUTE_PHRASES = (
    "tell your coordinator", "tell the coordinator", "tell your hub coordinator", "report it to your coordinator",
    "report it to the school", "report to the school", "report it to the teacher", "tell the teacher",
    "tell the class teacher", "inform the school", "tell the school",
    "сообщите координатору", "сообщите в школу", "сообщите учителю", "скажите учителю", "сообщите классному руководителю",
    "сообщите администрации школы", "расскажите координатору", "передайте координатору",
    "үйлестірушіге хабарлаңыз", "мектепке хабарлаңыз", "мұғалімге хабарлаңыз", "мұғалімге айтыңыз",
    "үйлестірушіге айтыңыз", "сынып жетекшісіне хабарлаңыз",
)
# An instruction to pass a worry to the designated person: it must name them as {hub:safeguarding}.
SENDS_TO_DESIGNATED_PERSON = re.compile(
    r"\b(tell|report (it |this |the worry )?to|pass (it |this |the worry |what you \w+ )?on to|call|contact)\b"
    r"[^.!?\n]{0,40}designated safeguarding person"
    r"|(сообщите|передайте|позвоните|обратитесь к)[^.!?]{0,40}ответственному за защиту детей"
    r"|балаларды қорғауға жауапты адам\w*[^.!?]{0,60}(хабарлаңыз|жеткізіңіз|хабар беріңіз|айтыңыз)",
    re.IGNORECASE,
)
# A phrase above is a reporting route when its paragraph is about a worry for a child (a
# partnership request or an activity report to the coordinator is not).
ABOUT_A_CHILD_AT_RISK = re.compile(
    r"worr|concern|disclos|harm|abus|danger|unsafe|hurt|bull|беспоко|насили|вред|опасн|тревож|травл|обид|"
    r"алаңда|зорлық|қауіп|зиян|қорла|ренж",
    re.IGNORECASE,
)
NAMES_THE_ROUTE = re.compile(r"\{hub:(safeguarding|emergency)\}")


def paragraphs(text: str) -> list[str]:
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]


def own_routes(text: str) -> list[str]:
    """Paragraphs about a child at risk that send the worry somewhere of their own."""
    found = []
    for paragraph in paragraphs(text):
        lowered = paragraph.lower()
        if ABOUT_A_CHILD_AT_RISK.search(lowered):
            found += [f"«{phrase}» in: {paragraph[:160]}" for phrase in OWN_ROUTE_PHRASES if phrase in lowered]
    return found


def unnamed_designated_person(text: str) -> list[str]:
    return [paragraph[:200] for paragraph in paragraphs(text)
            if SENDS_TO_DESIGNATED_PERSON.search(paragraph) and not NAMES_THE_ROUTE.search(paragraph)]


@pytest.mark.parametrize("text", [
    "If a child is hurt at home, tell your coordinator the same day.",
    "Если вы беспокоитесь о ребёнке, сообщите координатору.",
    "Балаға алаңдасаңыз, мектепке хабарлаңыз.",
])
def test_route_scan_finds_a_route_of_its_own(text):
    assert own_routes(text)


@pytest.mark.parametrize("text", [
    "If you are worried, tell the designated safeguarding person today.",
    "Если вы беспокоитесь, сегодня же сообщите ответственному за защиту детей.",
    "Алаңдасаңыз, бүгін балаларды қорғауға жауапты адамға хабарлаңыз.",
])
def test_route_scan_finds_the_designated_person_without_the_placeholder(text):
    assert unnamed_designated_person(text)
    assert not unnamed_designated_person(text.rstrip(".") + " ({hub:safeguarding}).")


def test_track_courses_state_no_reporting_route_of_their_own(tree):
    found = []
    for course in tree.courses:
        if course.slug not in TRACK_COURSES:
            continue
        for name in course_source_files(course):
            found += [f"courses/{course.slug}/{name}: {hit}" for hit in own_routes(course.files[name].decode("utf-8"))]
    assert found == [], "track courses stating their own reporting route:\n" + "\n".join(found)


def test_track_courses_name_the_designated_person_through_the_placeholder(tree):
    found = []
    for course in tree.courses:
        if course.slug not in TRACK_COURSES:
            continue
        for name in course_source_files(course):
            found += [f"courses/{course.slug}/{name}: {hit}"
                      for hit in unnamed_designated_person(course.files[name].decode("utf-8"))]
    assert found == [], "a worry is sent to the designated person without {hub:safeguarding}:\n" + "\n".join(found)


def test_every_track_course_points_to_the_safeguarding_route_in_each_language(tree):
    for course in tree.courses:
        if course.slug not in TRACK_COURSES:
            continue
        for language in LANGUAGES:
            texts = [course.texts[language].overview] + [lesson.texts[language].body for lesson in course.lessons]
            joined = "\n".join(texts)
            assert "{hub:safeguarding}" in joined, (course.slug, language)
            assert "/courses/safeguarding/" in joined, (course.slug, language)


def test_links_to_the_safeguarding_course_point_at_its_lessons(tree):
    safeguarding = next(c for c in tree.courses if c.slug == "safeguarding")
    lessons = {lesson.slug for lesson in safeguarding.lessons}
    broken = []
    for course in tree.courses:
        for name in course_source_files(course):
            for slug in re.findall(r"/courses/safeguarding/lessons/([a-z0-9-]+)", course.files[name].decode("utf-8")):
                if slug not in lessons:
                    broken.append(f"courses/{course.slug}/{name}: /courses/safeguarding/lessons/{slug}")
    assert broken == [], "\n".join(broken)


def test_safeguarding_course_states_the_route_with_both_placeholders_in_each_language(tree):
    safeguarding = next(c for c in tree.courses if c.slug == "safeguarding")
    for language in LANGUAGES:
        joined = "\n".join(lesson.texts[language].body for lesson in safeguarding.lessons)
        assert "{hub:safeguarding}" in joined and "{hub:emergency}" in joined and "112" in joined, language


def test_shipped_safeguarding_route_renders_per_hub(app, tree):
    from tests.factories import make_hub

    import_tree(tree)
    north = make_hub("north", name="North Hub", safeguarding="Aigerim S., +7 700 000 00 01",
                     emergency="112; duty phone +7 700 000 00 02")
    south = make_hub("south", name="South Hub")
    safeguarding = next(c for c in tree.courses if c.slug == "safeguarding")
    lesson = next(lesson for lesson in safeguarding.lessons if "{hub:safeguarding}" in lesson.texts["en"].body)
    url = f"/courses/safeguarding/lessons/{lesson.slug}"
    for hub, expected, absent in ((north, "Aigerim S., +7 700 000 00 01", "not set: ask your coordinator"),
                                  (south, "not set: ask your coordinator", "Aigerim")):
        client = app.test_client()
        login(client, make_user(hub, locale="en"))
        html = client.get(url).get_data(as_text=True)
        assert expected in html and absent not in html and "{hub:" not in html, hub.slug


# --- issue 19: lesson kits

def test_every_track_has_a_kit_in_kk_ru_and_en(tree):
    courses = {c.slug: c for c in tree.courses}
    problems = []
    for track in tree.tracks:
        main = courses[track.courses[0]]
        for language in LANGUAGES:
            kit = main.kits.get(language)
            if kit is None:
                problems.append(f"courses/{main.slug}/kit{'' if language == main.default_language else '.' + language}.md missing")
            elif kit.track != track.slug or kit.pages < 4:
                problems.append(f"courses/{main.slug}/{kit.path}: track '{kit.track}', {kit.pages} printable sections")
    assert problems == [], "\n".join(problems)


def test_safeguarding_kit_holds_the_shared_forms_in_each_language(tree):
    safeguarding = next(c for c in tree.courses if c.slug == "safeguarding")
    for language in LANGUAGES:
        kit = safeguarding.kits.get(language)
        assert kit is not None and kit.track == "any", language
        assert kit.pages >= 3, (language, kit.pages)  # consent form, disclosure note, code of conduct


# --- issue 19: quizzes that test judgement

def is_scenario(question) -> bool:
    """The marker (docs/authoring.md, "Scenario questions"): a question in a pool, or one whose
    id starts with `scenario-`."""
    return question.pool is not None or question.id.startswith("scenario-")


def test_final_quizzes_are_at_least_two_thirds_scenario_questions(tree):
    short = []
    for course in tree.courses:
        final = next(q for q in course.quizzes[course.default_language] if q.slug == "final")
        scenario = sum(pool.draw for pool in final.pools) + sum(1 for q in final.questions if q.pool is None and is_scenario(q))
        asked = drawn_count(final)
        if 3 * scenario < 2 * asked:
            short.append(f"courses/{course.slug}/quiz.md: {scenario} of {asked} questions asked are scenario questions")
    assert short == [], "\n".join(short)


def test_final_quizzes_draw_from_pools_so_a_retake_differs(tree):
    for course in tree.courses:
        final = next(q for q in course.quizzes[course.default_language] if q.slug == "final")
        bank = {pool.id: sum(1 for q in final.questions if q.pool == pool.id) for pool in final.pools}
        assert any(bank[pool.id] > pool.draw for pool in final.pools), course.slug
