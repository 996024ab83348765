"""Senders: how a notice leaves the site. Email today; an SMS or Telegram sender is one
more class with the same three methods, registered in `available_senders`.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from lms.mail import mail_configured


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    body: str
    message_id: str
    language: str
    headers: dict[str, str] = field(default_factory=dict)


class TemporaryFailure(Exception):
    """Try again later: the server is down, busy, or said 4xx."""


class ServerUnavailable(TemporaryFailure):
    """The server cannot be reached at all: the run stops instead of trying every row."""


class PermanentFailure(Exception):
    """Do not try again: the server refused this message or address for good (5xx)."""


class Sender(Protocol):
    channel: str

    def address_of(self, user) -> str | None:
        """Where this user gets messages on this channel, or None (then the row is skipped)."""

    def send(self, message: Outgoing) -> None:
        """Hand the message over; return only once the server accepted it."""

    def close(self) -> None: ...


class EmailSender:
    """SMTP with the site's MAIL_* settings (as lms.mail), one connection kept per run."""

    channel = "email"

    def __init__(self, config) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def address_of(self, user) -> str | None:
        return user.email or None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            config = self.config
            try:
                smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20)
                if config["MAIL_USE_TLS"]:
                    smtp.starttls()
                if config["MAIL_USERNAME"]:
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            except (OSError, smtplib.SMTPException) as error:
                raise ServerUnavailable(str(error) or type(error).__name__) from error
            self._smtp = smtp
        return self._smtp

    def send(self, message: Outgoing) -> None:
        email = EmailMessage()
        email.set_content(message.body)  # first: it replaces any Content-* header set before it
        email["From"] = self.config["MAIL_FROM"]
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Message-ID"] = message.message_id
        email["Date"] = formatdate(localtime=False)
        email["Content-Language"] = message.language
        email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
        for name, value in message.headers.items():
            email[name] = value
        connection = self._connection()
        try:
            refused = connection.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            self._drop()
            raise (PermanentFailure if all(c >= 500 for c in codes) else TemporaryFailure)(str(error)) from error
        except smtplib.SMTPResponseException as error:
            self._drop()
            raise (PermanentFailure if error.smtp_code >= 500 else TemporaryFailure)(str(error)) from error
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise TemporaryFailure(str(error) or type(error).__name__) from error
        if refused:
            raise PermanentFailure(str(refused))

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def close(self) -> None:
        self._drop()


def available_senders(config) -> dict[str, Sender]:
    """The channels this site can deliver on now. Without MAIL_SERVER: none (in-app only)."""
    senders: dict[str, Sender] = {}
    if mail_configured():
        senders["email"] = EmailSender(config)
    return senders
