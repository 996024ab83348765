from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models_base import utcnow


class Hub(db.Model):
    """A regional volunteer hub (or a club acting as one)."""

    __tablename__ = "hubs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))  # in English, and wherever no translation is given
    # The name in Kazakh and Russian; empty: the English name is shown.
    name_kk: Mapped[str] = mapped_column(String(200), default="", server_default="")
    name_ru: Mapped[str] = mapped_column(String(200), default="", server_default="")
    region: Mapped[str] = mapped_column(String(200), default="")
    # Values that course texts show through {hub:helpline} / {hub:contact}.
    helpline: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    # The one reporting route of the safeguarding course: {hub:safeguarding} is the hub's
    # designated safeguarding person and how to reach them, {hub:emergency} the
    # out-of-hours / emergency route. Empty until the coordinator sets them.
    safeguarding: Mapped[str] = mapped_column(String(300), default="", server_default="")
    emergency: Mapped[str] = mapped_column(String(300), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def display_name(self, language: str) -> str:
        """The hub's name in `language` (kk, ru), else as written in `name`."""
        return (getattr(self, f"name_{language}", "") or "").strip() or self.name

    def __repr__(self) -> str:
        return f"<Hub {self.slug}>"
