"""The lesson page's contents list (its summary with the learner's progress, one line per
step with its tick), built per request from lines rendered once.

The rest of a lesson page is the same for everyone reading that lesson in that language
and is kept whole (lms.main.page_cache); only this list differs from learner to learner.
Each line is rendered once per (step as shown, current or not, language) by the macro the
course page's list uses too, and kept, so a request joins a dozen kept strings.
"""

from __future__ import annotations

from flask import current_app, get_template_attribute
from flask_babel import gettext as _
from markupsafe import Markup, escape

from lms.learning.outline import Step
from lms.main.page_cache import RenderedPages

LINES_BYTES = 512 * 1024  # per worker: about 2,000 lines, every course's in three languages


def _kept_lines() -> RenderedPages:
    cache = current_app.extensions.get("lms_contents_lines")
    if cache is None:
        cache = current_app.extensions["lms_contents_lines"] = RenderedPages(LINES_BYTES)
    return cache


def contents_list(steps: list[Step], current: Step, enrolled: bool, percent: int, locale: str) -> Markup:
    """`<summary>` and `<ol class="toc">` of a lesson page. The key of a kept line holds the
    step itself (title, link, tick), so a new revision or a new tick gives a new line."""
    kept = _kept_lines()
    label = kept.get(("summary", locale))
    if label is None:
        label = str(escape(_("Contents")))
        kept.put(("summary", locale), label, len(label))
    summary = label + (f" · {percent}%" if enrolled else "")
    parts = [f"<summary>{summary}</summary>\n<ol class=\"toc\">"]
    for step in steps:
        key = (step, step is current, locale)
        line = kept.get(key)
        if line is None:
            line = _render_line(step, step is current)
            kept.put(key, line, len(line))
        parts.append("\n  " + line)
    parts.append("\n</ol>")
    return Markup("".join(parts))  # noqa: S704  (lines from our own escaping template, a translated label escaped)


def _render_line(step: Step, here: bool) -> str:
    macro = get_template_attribute("learning/_toc_item.html", "toc_item")
    return str(macro(step, here, _("Quiz"), _("done")))
