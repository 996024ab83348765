"""docs/security.md's separation-of-duties table is kept true by the app's route table.

Every POST route restricted to staff roles must be a row; the row's roles must be the
roles the route's decorator allows; the rule it names must exist. A new staff action
without a row, or a row for a route that is gone, fails here.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ROLE_WORDS = {"volunteer", "trainer", "coordinator", "admin"}


def duty_rows() -> dict[str, dict]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Separation of duties", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `([a-z_]+\.[a-z_]+)` \| ([^|]*) \|([^|]*)\|([^|]*)\| `([\w.]+)` \|$", line)
        if match:
            endpoint, roles, _whom, _never, rule = match.groups()
            rows[endpoint] = {"roles": {r.strip() for r in roles.split(",")}, "rule": rule}
    return rows


def staff_post_routes(app) -> dict[str, frozenset]:
    routes = {}
    for rule in app.url_map.iter_rules():
        allowed = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
        if "POST" in rule.methods and allowed and "volunteer" not in allowed:
            routes[rule.endpoint] = allowed
    return routes


def test_every_staff_action_is_in_the_table_with_its_roles(app):
    rows, routes = duty_rows(), staff_post_routes(app)
    assert len(rows) >= 20, "the table could not be read"
    assert set(routes) - set(rows) == set(), "add these staff actions to docs/security.md (separation of duties)"
    assert set(rows) - set(routes) == set(), "the table names routes that are gone or no longer staff-only"
    for endpoint, allowed in routes.items():
        assert rows[endpoint]["roles"] <= ROLE_WORDS, endpoint
        assert rows[endpoint]["roles"] == set(allowed), f"{endpoint}: the table says {rows[endpoint]['roles']}"


def test_every_rule_named_in_the_table_exists():
    for endpoint, row in duty_rows().items():
        module_name, _, function = row["rule"].rpartition(".")
        assert callable(getattr(importlib.import_module(module_name), function, None)), (endpoint, row["rule"])


def test_rules_about_people_are_used_where_the_table_says(app):
    """A duties rule in the table is really called on the route's path (view or the service it calls)."""
    sources = {path: path.read_text(encoding="utf-8") for path in (Path(__file__).resolve().parents[2] / "lms").rglob("*.py")}
    for endpoint, row in duty_rows().items():
        if not row["rule"].startswith("lms.domain.duties."):
            continue
        function = row["rule"].rsplit(".", 1)[1]
        view_module = app.view_functions[endpoint].__module__.replace(".", "/")
        users = [p for p, text in sources.items() if f"duties.{function}(" in text or f" {function}(" in text]
        assert users, f"{row['rule']} is named for {endpoint} but nothing calls it"
        package = view_module.rsplit("/", 1)[0]
        assert any(package in str(p) for p in users) or any("permissions" in str(p) for p in users), (endpoint, users)
