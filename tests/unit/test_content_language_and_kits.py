"""Domain rules of issue 19: the content language chain, the kit format and who may open a kit."""

from __future__ import annotations

from lms.domain.content_language import language_chain, pick_language
from lms.domain.course_format.kit import page_titles, parse_kits
from lms.domain.kit_access import may_open_kit

CHAIN = {"kk": ["ru", "en"], "ru": ["en"], "en": []}


# --- the chain

def test_chain_is_the_wanted_language_then_its_fallbacks():
    assert language_chain("kk", CHAIN) == ("kk", "ru", "en")
    assert language_chain("ru", CHAIN) == ("ru", "en")
    assert language_chain("en", CHAIN) == ("en",)


def test_chain_has_no_repeats_and_tolerates_unknown_languages():
    assert language_chain("kk", {"kk": ["kk", "ru", "ru"]}) == ("kk", "ru")
    assert language_chain("de", CHAIN) == ("de",)


def test_kazakh_reader_gets_kazakh_when_it_exists():
    assert pick_language({"en", "ru", "kk"}, "kk", "en", CHAIN) == "kk"


def test_kazakh_reader_gets_russian_before_english():
    assert pick_language({"en", "ru"}, "kk", "en", CHAIN) == "ru"


def test_kazakh_reader_gets_english_when_there_is_no_russian():
    assert pick_language({"en"}, "kk", "en", CHAIN) == "en"


def test_outside_the_chain_the_course_default_is_used():
    assert pick_language({"ru"}, "en", "ru", CHAIN) == "ru"
    assert pick_language({"kk"}, "ru", "kk", CHAIN) == "kk"


def test_configured_chain_is_followed():
    assert pick_language({"en", "ru"}, "kk", "en", {"kk": ["en"]}) == "en"


# --- who may open a kit

def test_staff_may_open_every_kit():
    for role in ("trainer", "coordinator", "admin"):
        assert may_open_kit({role}, "eco-volunteering", [])
        assert may_open_kit({role}, "any", [])


def test_volunteer_needs_the_kits_track():
    assert may_open_kit({"volunteer"}, "eco-volunteering", ["eco-volunteering"])
    assert not may_open_kit({"volunteer"}, "eco-volunteering", ["leadership"])
    assert not may_open_kit({"volunteer"}, "eco-volunteering", [])


def test_shared_forms_need_any_track():
    assert may_open_kit({"volunteer"}, "any", ["leadership"])
    assert not may_open_kit({"volunteer"}, "any", [])


# --- the kit format

KIT = "---\ntitle: Kit\ntrack: eco-volunteering\n---\n# Plan\n\ntext\n\n# Cards\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"


def kits(files, track="eco-volunteering", known=("eco-volunteering", "leadership")):
    encoded = {name: text.encode() for name, text in files.items()}
    return parse_kits(encoded, display_prefix="c", default_language="en", course_track=track, known_tracks=set(known))


def messages(problems):
    return [f"{p.path}:{p.line}: {p.message}" for p in problems]


def test_a_kit_in_three_languages_is_read():
    found, problems = kits({"kit.md": KIT, "kit.ru.md": KIT.replace("Plan", "План"), "kit.kk.md": KIT})
    assert problems == []
    assert sorted(found) == ["en", "kk", "ru"]
    assert found["ru"].pages == 2 and found["en"].track == "eco-volunteering"


def test_headings_inside_fenced_code_are_not_pages():
    assert page_titles("# One\n```\n# not a page\n```\n# Two\n## sub\n") == ["One", "Two"]


def test_kit_without_title_or_track_is_refused():
    _found, problems = kits({"kit.md": "---\nsummary: x\n---\n# Page\n"})
    text = "\n".join(messages(problems))
    assert "unknown key 'summary'" in text and "missing 'title'" in text and "missing 'track'" in text


def test_kit_for_another_track_is_refused():
    _found, problems = kits({"kit.md": KIT.replace("eco-volunteering", "leadership")})
    assert messages(problems) == ["c/kit.md:3: kit track 'leadership' must be the course's track 'eco-volunteering' or 'any'"]


def test_kit_for_an_unknown_track_says_so():
    _found, problems = kits({"kit.md": KIT.replace("eco-volunteering", "ecology")})
    assert "'ecology' is not a known track" in messages(problems)[0]


def test_kit_for_any_track_is_accepted():
    found, problems = kits({"kit.md": KIT.replace("eco-volunteering", "any")})
    assert problems == [] and found["en"].track == "any"


def test_kit_without_a_page_heading_is_refused():
    _found, problems = kits({"kit.md": "---\ntitle: Kit\ntrack: any\n---\nJust text.\n## Not a page\n"})
    assert "a kit needs at least one '# ' heading" in messages(problems)[0]


def test_translated_kit_needs_the_default_kit():
    _found, problems = kits({"kit.ru.md": KIT})
    assert messages(problems) == ["c/kit.ru.md:1: a translated kit needs kit.md in the course's default language"]


def test_translation_must_keep_the_track():
    _found, problems = kits({"kit.md": KIT, "kit.ru.md": KIT.replace("eco-volunteering", "any")})
    assert "differs from kit.md" in messages(problems)[0]


def test_default_language_suffix_is_refused():
    _found, problems = kits({"kit.md": KIT, "kit.en.md": KIT})
    assert "its kit is kit.md" in messages(problems)[0]


def test_unknown_placeholder_and_broken_image_in_a_kit_are_reported():
    _found, problems = kits({"kit.md": KIT + "\n{hub:phone}\n\n![x](missing.png)\n"})
    text = "\n".join(messages(problems))
    assert "unknown placeholder '{hub:phone}'" in text and "broken image link 'missing.png'" in text


def test_kit_yaml_mistake_is_reported_with_its_line():
    _found, problems = kits({"kit.md": "---\ntitle: Kit: for eco\ntrack: any\n---\n# Page\n"})
    assert any("invalid YAML" in m for m in messages(problems))
