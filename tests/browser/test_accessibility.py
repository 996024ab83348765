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
    "admin": ["/admin/users", "/admin/hubs", "/reports/national"],
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
