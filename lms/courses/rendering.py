"""Markdown to safe HTML: Python-Markdown, then the nh3 allow-list sanitiser.

Run once when a course is imported or published; pages serve the stored HTML.
"""

from __future__ import annotations

import html
import re
from posixpath import normpath
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "s", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "mark",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "td": {"align"}, "th": {"align"},
    "sup": {"id"}, "li": {"id"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "ol": {"start"},
}
# Only the classes our own Markdown extensions produce (admonitions, footnotes, toc).
ALLOWED_CLASSES = {
    "div": {"admonition", "note", "tip", "warning", "important", "danger", "hint", "caution", "footnote", "toc"},
    "p": {"admonition-title"},
    "span": {"toctitle"},
    "sup": {"footnote-ref"},
}
URL_SCHEMES = {"http", "https", "mailto"}
ID_PREFIXES = ("h-", "fn:", "fnref:")
_INLINE_SPECIALS = re.compile(r"[*_`\[\]<>&!#|\\~]|^\s*[-+>\d]|\n")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    # Ids from headings and footnotes only, so content cannot clash with page ids.
    if attribute == "id" and not value.startswith(ID_PREFIXES):
        return None
    if tag == "a" and attribute == "href" and value.startswith("#") and not value[1:].startswith(ID_PREFIXES):
        return None
    if tag == "img" and attribute in ("width", "height") and not value.isdigit():
        return None
    return value


def _slugify(value: str, separator: str) -> str:
    from markdown.extensions.toc import slugify_unicode

    return "h-" + slugify_unicode(value, separator)


class _CourseLinks(Treeprocessor):
    """Point relative image links at the course's stored files; lazy-load images."""

    def __init__(self, md, media_prefix: str, sizes: dict):
        super().__init__(md)
        self.media_prefix = media_prefix
        self.sizes = sizes

    def run(self, root: Element) -> None:
        for img in root.iter("img"):
            src = img.get("src", "")
            if src and not re.match(r"^[a-z][a-z0-9+.-]*:|^/", src, re.I):
                path = normpath(src).lstrip("./")
                img.set("src", self.media_prefix + path)
                if path in self.sizes:
                    img.set("width", str(self.sizes[path][0]))
                    img.set("height", str(self.sizes[path][1]))
            img.set("loading", "lazy")


class _CourseLinksExtension(Extension):
    def __init__(self, media_prefix: str, sizes: dict):
        super().__init__()
        self.media_prefix = media_prefix
        self.sizes = sizes

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API name)
        md.treeprocessors.register(_CourseLinks(md, self.media_prefix, self.sizes), "course_links", 5)


class Renderer:
    """One configured Markdown instance per course (reset between documents: cheaper)."""

    def __init__(self, media_prefix: str = "", image_sizes: dict | None = None):
        self._md = markdown.Markdown(
            extensions=[
                "tables", "fenced_code", "footnotes", "admonition", "sane_lists",
                "toc", _CourseLinksExtension(media_prefix, image_sizes or {}),
            ],
            extension_configs={
                "toc": {"slugify": _slugify, "permalink": False},
                "tables": {"use_align_attribute": True},
            },
            output_format="html",
        )

    def block(self, text: str) -> str:
        self._md.reset()
        return sanitise(self._md.convert(text))

    def inline(self, text: str) -> str:
        """Short texts (choices, feedback): plain text skips the Markdown machinery."""
        if not text:
            return ""
        if not _INLINE_SPECIALS.search(text):
            return html.escape(text, quote=False)
        rendered = self.block(text)
        if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
            rendered = rendered[3:-4]
        return rendered


def sanitise(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str, media_prefix: str = "") -> str:
    return Renderer(media_prefix).block(text)


def fill_hub_placeholders(stored_html: str, hub) -> str:
    """Put the learner's hub settings into {hub:...} placeholders (values escaped).

    `hub` may be a callable returning the hub, so it is only loaded when a text needs it.
    """
    if "{hub:" not in stored_html:
        return stored_html
    if callable(hub):
        hub = hub()
    from flask_babel import gettext as _

    fallback = _("ask your hub coordinator")
    # The reporting route must never read as if it were set: say plainly that it is not.
    not_set = _("not set: ask your coordinator")
    values = {
        "name": getattr(hub, "name", "") or fallback,
        "helpline": getattr(hub, "helpline", "") or fallback,
        "contact": getattr(hub, "contact", "") or fallback,
        "safeguarding": getattr(hub, "safeguarding", "") or not_set,
        "emergency": getattr(hub, "emergency", "") or not_set,
    }
    for key, value in values.items():
        stored_html = stored_html.replace("{hub:" + key + "}", html.escape(value))
    return stored_html
