"""YAML and front matter with line numbers for every key.

Course files are written by hand and read by the server, so the YAML is a strict
subset: no anchors or aliases (a few hundred bytes of nested aliases expand to
gigabytes, "billion laughs"), no tags (`!!python/...`, `!!str`), no merge keys and no
duplicate keys (YAML would silently keep the last). Each is refused with its line.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from lms.domain.course_format.limits import FRONT_MATTER_BYTES_MAX
from lms.domain.course_format.problems import Collector, did_you_mean

Path_ = tuple
_MERGE_TAG = "tag:yaml.org,2002:merge"


class KeyLines(dict):
    """{path: line} for every key and item; `.raw` keeps each scalar as written, so a
    value like `version: 2026.10` can be read as the text the author typed."""

    def __init__(self):
        super().__init__()
        self.raw: dict = {}


class _Refused(Exception):
    def __init__(self, mark, message: str):
        super().__init__(message)
        self.mark, self.message = mark, message


def _tag_name(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


class _StrictLoader(yaml.SafeLoader):
    first_line = 1  # file line of the text's first line, for "first on line N"

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise _Refused(event.start_mark, "anchors and aliases ('&name', '*name') are not allowed")
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise _Refused(event.start_mark, f"YAML tags such as '{_tag_name(tag)}' are not allowed; quote the value instead")
        return super().compose_node(parent, index)

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        first: dict = {}
        for key, _value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise _Refused(key.start_mark, "a key must be a plain word, not a list or mapping")
            if key.tag == _MERGE_TAG:
                raise _Refused(key.start_mark, "merge keys ('<<') are not allowed")
            if key.value in first:  # noted, not raised: every duplicate is reported in one run
                self.duplicates.append(_Refused(key.start_mark, f"duplicate key '{key.value}' (first on line "
                                                                f"{first[key.value]}); YAML would silently keep only the last"))
            else:
                first[key.value] = key.start_mark.line + self.first_line
        return node


def _record_lines(node, path: Path_, first_line: int, lines: KeyLines) -> None:
    lines[path] = node.start_mark.line + first_line
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            key_path = (*path, key.value)
            _record_lines(value, key_path, first_line, lines)
            lines[key_path] = key.start_mark.line + first_line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), first_line, lines)
    else:
        lines.raw[path] = node.value


def strict_compose(text: str, first_line: int = 1):
    """The node tree of one YAML document under the strict rules (raises yaml.YAMLError or _Refused)."""
    loader = _StrictLoader(text)
    loader.first_line = first_line
    loader.duplicates = []
    try:
        return loader, loader.get_single_node()
    except BaseException:
        loader.dispose()
        raise


def load_yaml(text: str, collector: Collector, first_line: int = 1) -> tuple[Any, dict]:
    """Parse YAML; returns (data, KeyLines). On a mistake reports it with its line and returns (None, KeyLines())."""
    try:
        loader, node = strict_compose(text, first_line)
        try:
            if loader.duplicates:
                for refused in sorted(loader.duplicates, key=lambda r: r.mark.line):
                    collector.add(refused.mark.line + first_line, refused.message)
                return None, KeyLines()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except _Refused as refused:
        collector.add(refused.mark.line + first_line, refused.message)
        return None, KeyLines()
    except yaml.MarkedYAMLError as error:
        # The context mark (e.g. where an unclosed quote starts) is nearer the mistake.
        mark = error.context_mark or error.problem_mark
        line = (mark.line + first_line) if mark else first_line
        what = ", ".join(part for part in (error.context, error.problem) if part) or str(error)
        collector.add(line, f"invalid YAML: {what}")
        return None, KeyLines()
    except (yaml.YAMLError, ValueError, OverflowError) as error:  # e.g. a date like 2026-13-45
        collector.add(first_line, f"invalid YAML: {error}")
        return None, KeyLines()
    lines = KeyLines()
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
        return {}, KeyLines(), text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            meta_text = "".join(lines[1:index])
            if len(meta_text.encode("utf-8")) > FRONT_MATTER_BYTES_MAX:
                collector.add(2, f"the front matter is longer than {FRONT_MATTER_BYTES_MAX // 1024} KB")
                return {}, KeyLines(), "".join(lines[index + 1 :]), index + 2
            data, key_lines = load_yaml(meta_text, collector, first_line=2)
            if data is None:
                data = {}
            if not isinstance(data, dict):
                collector.add(2, "front matter must be 'key: value' lines")
                data = {}
            return data, key_lines, "".join(lines[index + 1 :]), index + 2
    collector.add(1, "front matter is not closed: add a '---' line after it")
    return {}, KeyLines(), "", len(lines) + 1


def check_keys(meta: dict, key_lines: dict, known: tuple[str, ...], collector: Collector, *, prefix=()) -> None:
    for key in meta:
        if key not in known:
            line = key_lines.get((*prefix, key), 1)
            collector.add(line, f"unknown key '{key}'{did_you_mean(str(key), known)}")


def raw_text(value, key_lines: dict, path: Path_) -> str:
    """A scalar as the author wrote it: `2026.10` stays "2026.10", `yes` stays "yes"."""
    raw = getattr(key_lines, "raw", {}).get(path)
    if raw is not None and not isinstance(value, str):
        return str(raw)
    return "" if value is None else str(value)


_DIGITS = re.compile(r"^-?[0-9]+$")
_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def written_as_digits(key_lines: dict, path: Path_, *, decimals: bool = False) -> bool:
    """True unless the scalar used YAML 1.1 number forms an author would not mean
    (`1_000`, `0x10`, `10:30`, `+5`, `1e3`, `.inf`)."""
    raw = getattr(key_lines, "raw", {}).get(path)
    return raw is None or bool((_DECIMAL if decimals else _DIGITS).match(str(raw)))


def text_field(value, line: int, name: str, collector: Collector, *, required: bool = True,
               key_lines: dict | None = None, path: Path_ = ()) -> dict[str, str]:
    """A user-visible text: a string, or {en: ..., ru: ..., kk: ...} with English required."""
    lines = key_lines if key_lines is not None else {}
    if value is None:
        if required:
            collector.add(line, f"missing '{name}'")
        return {}
    if isinstance(value, str | int | float) or not isinstance(value, dict | list):
        return {"en": raw_text(value, lines, path).strip()}
    if isinstance(value, dict):
        bad = [k for k in value if k not in ("en", "ru", "kk")]
        if bad:
            collector.add(line, f"'{name}' has unknown languages {bad} (use en, ru, kk)")
        if "en" not in value:
            collector.add(line, f"'{name}' needs an English ('en') text")
        return {str(k): raw_text(v, lines, (*path, k)).strip() for k, v in value.items() if k in ("en", "ru", "kk")}
    collector.add(line, f"'{name}' must be a text or a mapping of languages to texts")
    return {}
