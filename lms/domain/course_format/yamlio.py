"""YAML and front matter with line numbers for every key."""

from __future__ import annotations

from typing import Any

import yaml

from lms.domain.course_format.problems import Collector, did_you_mean

Path_ = tuple


def _record_lines(node, path: Path_, first_line: int, lines: dict) -> None:
    lines[path] = node.start_mark.line + first_line
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            key_path = (*path, key.value)
            _record_lines(value, key_path, first_line, lines)
            lines[key_path] = key.start_mark.line + first_line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), first_line, lines)


def load_yaml(text: str, collector: Collector, first_line: int = 1) -> tuple[Any, dict]:
    """Parse YAML; returns (data, {path: line}). On a syntax error reports it and returns (None, {})."""
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        # The context mark (e.g. where an unclosed quote starts) is nearer the mistake.
        mark = error.context_mark or error.problem_mark
        line = (mark.line + first_line) if mark else first_line
        what = ", ".join(part for part in (error.context, error.problem) if part) or str(error)
        collector.add(line, f"invalid YAML: {what}")
        return None, {}
    except yaml.YAMLError as error:
        collector.add(first_line, f"invalid YAML: {error}")
        return None, {}
    lines: dict = {}
    if node is not None:
        _record_lines(node, (), first_line, lines)
    return data, lines


def split_front_matter(text: str, collector: Collector, *, required: bool) -> tuple[dict, dict, str, int]:
    """Split `---` front matter from the body.

    Returns (meta, key_lines, body, body_first_line). Lines are 1-based file lines.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        if required:
            collector.add(1, "missing front matter: start the file with a '---' line, then 'title: ...', then '---'")
        return {}, {}, text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            meta_text = "".join(lines[1:index])
            data, key_lines = load_yaml(meta_text, collector, first_line=2)
            if data is None:
                data = {}
            if not isinstance(data, dict):
                collector.add(2, "front matter must be 'key: value' lines")
                data = {}
            return data, key_lines, "".join(lines[index + 1 :]), index + 2
    collector.add(1, "front matter is not closed: add a '---' line after it")
    return {}, {}, "", len(lines) + 1


def check_keys(meta: dict, key_lines: dict, known: tuple[str, ...], collector: Collector, *, prefix=()) -> None:
    for key in meta:
        if key not in known:
            line = key_lines.get((*prefix, key), 1)
            collector.add(line, f"unknown key '{key}'{did_you_mean(str(key), known)}")


def text_field(value, line: int, name: str, collector: Collector, *, required: bool = True) -> dict[str, str]:
    """A user-visible text: a string, or {en: ..., ru: ..., kk: ...} with English required."""
    if value is None:
        if required:
            collector.add(line, f"missing '{name}'")
        return {}
    if isinstance(value, str | int | float):
        return {"en": str(value).strip()}
    if isinstance(value, dict):
        bad = [k for k in value if k not in ("en", "ru", "kk")]
        if bad:
            collector.add(line, f"'{name}' has unknown languages {bad} (use en, ru, kk)")
        if "en" not in value:
            collector.add(line, f"'{name}' needs an English ('en') text")
        return {str(k): str(v).strip() for k, v in value.items() if k in ("en", "ru", "kk")}
    collector.add(line, f"'{name}' must be a text or a mapping of languages to texts")
    return {}
