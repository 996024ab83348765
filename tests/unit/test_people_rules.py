"""Rules behind the people pages: the regions list, what a search box means, next steps."""

from __future__ import annotations

import pytest

from lms.domain import next_steps as steps
from lms.domain import people_search, regions


def test_regions_are_the_17_regions_and_3_cities_of_2026():
    assert len(regions.REGIONS) == 20
    assert sum(r.is_city for r in regions.REGIONS) == 3
    assert {r.value for r in regions.REGIONS if r.is_city} == {"Astana", "Almaty", "Shymkent"}
    # the three created in 2022
    assert {"Abai region", "Jetisu region", "Ulytau region"} <= {r.value for r in regions.REGIONS}
    assert len({r.value for r in regions.REGIONS}) == 20 and len({r.kk for r in regions.REGIONS}) == 20


@pytest.mark.parametrize(("language", "expected"), [
    ("kk", "Ақмола облысы"), ("ru", "Акмолинская область"), ("en", "Akmola region"),
])
def test_region_name_in_each_language(language, expected):
    assert regions.name("Akmola region", language) == expected


def test_region_typed_before_the_list_is_shown_as_stored_and_kept_in_choices():
    assert regions.name("Akmola", "ru") == "Akmola"
    values = [v for v, _label in regions.choices("ru", keep="Akmola")]
    assert values[-1] == "Akmola" and len(values) == 21
    assert len(regions.choices("ru", keep="Akmola region")) == 20  # on the list: not twice


def test_region_choices_cities_first_then_alphabetical_in_the_readers_language():
    labels = [label for _v, label in regions.choices("ru")]
    assert labels[:3] == ["Астана", "Алматы", "Шымкент"]
    assert labels[3:] == sorted(labels[3:], key=str.casefold)
    assert labels[3] == "Абайская область"


@pytest.mark.parametrize("typed", ["8 701 000 00 00", "+7 (701) 000-00-00", "87010000000", "+77010000000",
                                   "7 701 000 0000"])
def test_a_whole_phone_number_in_any_format_becomes_the_stored_form(typed):
    assert people_search.parse(typed).phone_patterns == ("+77010000000",)


def test_part_of_a_phone_number_matches_inside_and_domestic_8_means_plus_7():
    assert people_search.parse("+7 702 555").phone_patterns == ("%7702555%",)
    assert people_search.parse("8 702 555").phone_patterns == ("%8702555%", "+7702555%")
    assert people_search.parse("55").phone_patterns == ()  # too short to mean a number
    assert people_search.parse("Асель").phone_patterns == ()


@pytest.mark.parametrize(("typed", "folded"), [
    ("ӘҒҚҢӨҰҮҺІ", "әғқңөұүһі"), ("ЁЛКА", "ёлка"), ("АСЕЛЬ", "асель"), ("Жумабаева", "жумабаева"),
])
def test_search_text_folds_kazakh_and_russian_capitals(typed, folded):
    assert people_search.parse(typed).text == folded


def test_like_wildcards_in_the_box_are_searched_as_typed():
    assert people_search.parse("50%_a").name_pattern == "%50\\%\\_a%"
    assert people_search.parse("   ") is None


def _track(slug, required, *, certified=False, can_be_issued=False, on_hold=False, lessons=0):
    return steps.TrackFacts(slug, slug.title(), tuple(required), certified, can_be_issued, on_hold, lessons)


SAFE = ("safeguarding", "Safeguarding")


def test_one_of_two_courses_done_names_the_next_course():
    eco = _track("eco", [("plastic-free", "Plastic Free", False), (*SAFE, True)])
    rights = _track("rights", [("rights", "Rights", False), (*SAFE, True)])
    result = steps.next_steps([eco, rights], enrolled={"plastic-free", "safeguarding"})
    assert result == [steps.NextStep(steps.CONTINUE, "eco", "Eco", 1, 2, "plastic-free", "Plastic Free")]


def test_only_the_shared_course_passed_offers_a_few_tracks_not_all():
    tracks = [_track(f"t{n}", [(f"c{n}", f"C{n}", False), (*SAFE, True)]) for n in range(6)]
    result = steps.next_steps(tracks, enrolled={"safeguarding"})
    assert len(result) == steps.MAX_CONTINUE and all(s.kind == steps.CONTINUE for s in result)


def test_after_a_certificate_log_your_first_lesson_until_one_is_logged():
    certified = _track("eco", [("plastic-free", "Plastic Free", True), (*SAFE, True)], certified=True)
    assert [s.kind for s in steps.next_steps([certified], set())] == [steps.LOG_FIRST_LESSON]
    led = _track("eco", [("plastic-free", "Plastic Free", True), (*SAFE, True)], certified=True, lessons=1)
    assert steps.next_steps([led], set()) == []


def test_all_passed_on_a_reviewed_track_waits_for_the_hub_and_a_hold_says_nothing_here():
    ready = _track("rights", [("rights", "Rights", True), (*SAFE, True)], can_be_issued=True)
    held = _track("eco", [("plastic-free", "Plastic Free", True), (*SAFE, False)], on_hold=True)
    assert [s.kind for s in steps.next_steps([ready, held], {"rights"})] == [steps.WAIT_FOR_HUB]


def test_nothing_started_no_steps():
    assert steps.next_steps([_track("eco", [("plastic-free", "P", False), (*SAFE, False)])], set()) == []
    assert steps.next_steps([], set()) == []
