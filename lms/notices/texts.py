"""What a notice says, in a given language: its title, lines and link.

One source for the bell's list and the email, so both say the same thing. Texts are
built from the notice's stored data when shown, in the reader's language at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app, has_request_context, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from lms.domain import notices as rules


@dataclass(frozen=True)
class NoticeText:
    title: str
    lines: tuple[str, ...]
    link: str  # a path (in the app) or an absolute URL (in email)


def _title(mapping, locale: str) -> str:
    mapping = mapping or {}
    if isinstance(mapping, str):
        return mapping
    return mapping.get(locale) or mapping.get("en") or next(iter(mapping.values()), "")


def _day(value: str | None) -> str:
    return format_date(date.fromisoformat(value), "long") if value else ""


def _category(code: str) -> str:
    from lms.certificates.forms import REVOCATION_LABELS

    return str(REVOCATION_LABELS.get(code, REVOCATION_LABELS["other"]))


def link_for(endpoint: str, external: bool, **values) -> str:
    """A path for the app, an absolute URL for email (PUBLIC_URL, else the local default)."""
    if not external:
        return url_for(endpoint, **values)
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config.get("BASE_URL", "http://127.0.0.1:5000")):
        return url_for(endpoint, _external=True, **values)


def render(kind: str, data: dict, locale: str, *, external: bool = False) -> NoticeText:
    """The notice's text in `locale` (the caller sets the language with force_locale)."""
    track = _title(data.get("track"), locale)
    if kind == rules.CERTIFICATE_ISSUED:
        return NoticeText(
            _("Your certificate is ready: %(track)s", track=track),
            (_("You now hold a certificate in %(track)s (%(serial)s), valid until %(date)s.", track=track,
               serial=data.get("serial", ""), date=_day(data.get("expires_on"))),
             _("You may lead lessons in this area. Download the certificate from your Certificates page.")),
            link_for("certificates.mine", external),
        )
    if kind == rules.CERTIFICATE_REVOKED:
        return NoticeText(
            _("Your certificate in %(track)s was revoked", track=track),
            (_("Your certificate %(serial)s in %(track)s was revoked. Kind of reason: %(category)s.",
               serial=data.get("serial", ""), track=track, category=_category(data.get("category", "other"))),
             _("Your hub coordinator can tell you more and what happens next.")),
            link_for("certificates.mine", external),
        )
    if kind == rules.CERTIFICATE_EXPIRING:
        return NoticeText(
            _("Your certificate in %(track)s expires in %(days)s days", track=track, days=data.get("days", "")),
            (_("Your certificate %(serial)s in %(track)s is valid until %(date)s.", serial=data.get("serial", ""),
               track=track, date=_day(data.get("expires_on"))),
             _("To renew it, pass the refresher course again before then.")),
            link_for("certificates.mine", external),
        )
    if kind in (rules.LESSON_CONFIRMED, rules.LESSON_REJECTED):
        school, day = data.get("school", ""), _day(data.get("led_on"))
        if kind == rules.LESSON_CONFIRMED:
            title = _("Your lesson at %(school)s was confirmed", school=school)
            lines = [_("The lesson you led at %(school)s on %(date)s was confirmed by your hub.", school=school, date=day)]
            if data.get("reason"):
                lines.append(_("Note from your coordinator: %(note)s", note=data["reason"]))
        else:
            title = _("Your lesson at %(school)s was not confirmed", school=school)
            lines = [_("The lesson you logged at %(school)s on %(date)s was not confirmed.", school=school, date=day),
                     _("Reason: %(reason)s", reason=data.get("reason") or _("none given"))]
        return NoticeText(title, tuple(lines), link_for("certificates.lessons_led", external))
    if kind == rules.RETRY_AVAILABLE:
        quiz = _title(data.get("quiz"), locale)
        return NoticeText(
            _("You can take the quiz again: %(quiz)s", quiz=quiz),
            (_("Your waiting time is over: a new round of attempts is open for %(quiz)s.", quiz=quiz),),
            link_for("learning.quiz", external, slug=data.get("course_slug", ""), quiz_slug=data.get("quiz_slug", "")),
        )
    if kind == rules.WEEKLY_DIGEST:
        counts = data.get("counts", {})
        return NoticeText(
            _("This week at %(hub)s", hub=data.get("hub", "")),
            (_("Ready for certification: %(n)s", n=counts.get("ready", 0)),
             _("Revoked, awaiting a decision: %(n)s", n=counts.get("holds", 0)),
             _("Lessons to confirm: %(n)s", n=counts.get("lessons", 0)),
             _("Certificates expiring within 60 days: %(n)s", n=counts.get("expiring", 0))),
            link_for("hubs.my_hub", external),
        )
    return NoticeText(kind, (), link_for("notices.index", external))
