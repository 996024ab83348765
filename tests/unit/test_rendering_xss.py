"""Trainer-written Markdown goes through an allow-list sanitiser: nothing executable survives."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from lms.courses.rendering import Renderer, render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<img src=x ONERROR=alert(1)>",
    "<img src=\"x\" onerror=\"alert(1)\"/>",
    "<body onload=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"evil.swf\"></object>",
    "<embed src=\"evil.swf\">",
    "<form action=\"https://evil.example\"><input name=p></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"java&#115;cript:alert(1)\">x</a>",
    "<a href=\"java\tscript:alert(1)\">x</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<a href=\"#\" onclick=\"alert(1)\">x</a>",
    "<div style=\"position:fixed;top:0;left:0;width:100%;height:100%\">cover</div>",
    "<style>body{display:none}</style>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<base href=\"https://evil.example/\">",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<textarea onfocus=alert(1) autofocus>",
    "<p id=\"main\">steal the main id</p>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<img src=`x` onerror=`alert(1)`>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<div class=\"flash-success\">fake platform message</div>",
    "```html\n<script>alert(1)</script>\n```",
    "<table><tr><td background=\"javascript:alert(1)\">x</td></tr></table>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
]

FORBIDDEN_TAGS = {
    "script", "iframe", "object", "embed", "form", "input", "button", "textarea", "style", "link",
    "meta", "base", "svg", "math", "video", "audio", "source", "marquee", "details", "body", "noscript",
}
SAFE_SCHEMES = ("http:", "https:", "mailto:")


class _Inspector(HTMLParser):
    """Collects every executable construct in parsed HTML (text content is ignored)."""

    def __init__(self):
        super().__init__()
        self.findings: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.findings.append(f"tag {tag}")
        for name, value in attrs:
            # Browsers drop tabs and newlines inside URLs before reading the scheme.
            value = re.sub(r"[\t\n\r]", "", (value or "")).strip().lower()
            if name.startswith("on") or name in ("style", "formaction", "background", "srcdoc"):
                self.findings.append(f"attribute {name}")
            if name in ("href", "src") and re.match(r"^[a-z][a-z0-9+.-]*:", value) and not value.startswith(SAFE_SCHEMES):
                self.findings.append(f"{name}={value}")
            if name == "id" and not value.startswith(("h-", "fn:", "fnref:")):
                self.findings.append(f"id={value}")
            if name == "class" and "flash" in value:
                self.findings.append(f"class={value}")

    handle_startendtag = handle_starttag


def executable_constructs(html: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.findings


def test_corpus_is_large_enough():
    assert len(PAYLOADS) >= 40


def test_inspector_catches_what_it_should():
    # the check itself must see raw attacks, or the tests below prove nothing
    assert executable_constructs('<img src=x onerror="alert(1)"><a href=" JavaScript:x">') == [
        "attribute onerror", "href=javascript:x",
    ]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_neutralised_in_blocks_and_inline(payload):
    renderer = Renderer("/media/x/")
    for output in (render_markdown(payload), renderer.inline(payload), render_markdown(f"Text\n\n{payload}\n\nmore")):
        assert executable_constructs(output) == [], (payload, output)


def test_safe_markdown_survives():
    html = render_markdown(
        "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n!!! note \"Tip\"\n    Be kind.\n\nText[^1]\n\n[^1]: A note.\n\n"
        "[UNICEF](https://www.unicef.org)\n\n![plan](images/plan.png)",
        "/media/c/",
    )
    assert "<table>" in html and 'class="admonition note"' in html and 'href="https://www.unicef.org"' in html
    assert 'src="/media/c/images/plan.png"' in html and 'loading="lazy"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert 'id="h-title"' in html and 'class="footnote"' in html


def test_template_syntax_is_shown_literally():
    assert "{{7*7}}" in render_markdown("{{7*7}} and {% raw %}")
