"""axe-core (from the npm registry, installed by the test command) on the main pages of each
role: no serious or critical violations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.test_layout import log_in

AXE = Path(__file__).resolve().parents[2] / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    None: ["/", "/login", "/register", "/courses", "/courses/bekind", "/verify"],
    "volunteer": ["/dashboard", "/courses/bekind/lessons/what-bullying-is", "/courses/bekind/quizzes/final", "/certificates",
                  "/lessons-led", "/account"],
    "coordinator": ["/hub", "/reports/courses", "/teach/"],
    "admin": ["/admin/users", "/admin/hubs", "/reports/national", "/author/", "/author/new", "/author/wellbeing/",
              "/author/wellbeing/versions", "/author/import"],
}


@pytest.fixture
def axe_page(browser):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (scripts/test installs it from the npm registry)")
    # The audit script is injected, so this one context lets it past our CSP.
    context = browser.new_context(viewport={"width": 1000, "height": 800}, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("role", list(PAGES), ids=lambda r: r or "anonymous")
def test_no_serious_accessibility_violations(axe_page, live_server, role):
    if role:
        log_in(axe_page, live_server, role)
        axe_page.click("button[value=en]")
    problems = []
    for path in PAGES[role]:
        axe_page.goto(live_server["url"] + path)
        axe_page.add_script_tag(path=str(AXE))
        result = axe_page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                problems.append({"page": path, "rule": violation["id"], "help": violation["help"],
                                 "nodes": [n["target"] for n in violation["nodes"][:3]]})
    assert problems == [], json.dumps(problems, indent=1, ensure_ascii=False)


def test_editor_pages_have_no_serious_violations(axe_page, live_server):
    url = live_server["url"]
    log_in(axe_page, live_server, "admin")
    axe_page.click("button[value=en]")
    axe_page.goto(url + "/author/wellbeing/")
    if axe_page.locator("text=Start a draft").count():
        axe_page.click("text=Start a draft")
    axe_page.goto(url + "/author/wellbeing/files/01-noticing-distress.md")
    axe_page.fill("textarea", axe_page.input_value("textarea") + "\n\nminutes: 5\n\n**A change**\n")
    axe_page.click("button[name=save]")
    problems = []
    for path in ("/author/wellbeing/files/01-noticing-distress.md", "/author/wellbeing/files/quiz.md",
                 "/author/wellbeing/", "/author/wellbeing/compare?from=1&to=draft"):
        axe_page.goto(url + path)
        axe_page.add_script_tag(path=str(AXE))
        result = axe_page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        problems += [{"page": path, "rule": v["id"], "nodes": [n["target"] for n in v["nodes"][:3]]}
                     for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert "A change" in axe_page.content()  # the diff shows the saved edit
    assert problems == [], json.dumps(problems, indent=1, ensure_ascii=False)
    axe_page.goto(url + "/author/wellbeing/")
    axe_page.click("text=Discard the draft")
