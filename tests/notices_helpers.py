"""A real SMTP server for the notice tests (aiosmtpd on 127.0.0.1), and helpers that make
notices and run `flask notices send` in another process, as a timer would."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller

from lms.notices import services
from lms.transactions import write_transaction

ROOT = Path(__file__).resolve().parents[1]


class Inbox:
    """aiosmtpd handler: keeps every accepted message; can delay, or refuse an address."""

    def __init__(self) -> None:
        self.messages = []
        self.delay = 0.0
        self.refuse: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 no such user"
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=default_policy)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [m["Message-ID"] for m in self.messages]

    def to(self, address: str) -> list:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        self.running = True
        return self

    def stop(self) -> None:
        """Take the server down (a test of an unreachable mail server)."""
        if self.running:
            self.controller.stop()
            self.running = False

    def __exit__(self, *exc) -> None:
        self.stop()

    def configure(self, app) -> None:
        """Point the in-process app at this server."""
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=self.port, MAIL_USE_TLS=False, MAIL_USERNAME="",
                          MAIL_FROM="Volunteer Hub <hub@lms.test>")


def emit(user, kind: str, **data):
    with write_transaction():
        return services.emit(user.id, kind, **data)


def send_process(app, smtp: SmtpServer, *args: str, pause: str | None = None) -> subprocess.Popen:
    """`flask --app wsgi notices send` in its own process, on the test's database and SMTP server."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_USE_TLS": "0",
        "MAIL_FROM": "Volunteer Hub <hub@lms.test>",
        "PUBLIC_URL": "http://lms.test",
        "LOG_LEVEL": "WARNING",
    }
    if pause:
        env["LMS_NOTICES_PAUSE_AFTER"] = pause
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "notices", "send", *args], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen, timeout: float = 120) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, out + err
    return out
