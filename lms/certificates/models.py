from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.domain.certification import CertificateFacts, HoldFacts
from lms.extensions import db
from lms.models_base import utcnow


class Certificate(db.Model):
    """A certificate in one track. Never deleted: revoked and expired ones stay on record."""

    __tablename__ = "certificates"
    __table_args__ = (Index("ix_certificates_user_track", "user_id", "track_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    code: Mapped[str] = mapped_column(String(19), unique=True)  # verification code, 80 random bits
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"))
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id"), index=True)  # the issuing hub
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: issued automatically
    holder_name: Mapped[str] = mapped_column(String(200))  # as the holder gave it, at issue
    kind: Mapped[str] = mapped_column(String(16), default="courses")  # courses | in_person | renewal
    note: Mapped[str] = mapped_column(Text, default="")
    course_versions: Mapped[dict] = mapped_column(JSON)  # course slug -> revision it was passed on
    issued_on: Mapped[date]
    expires_on: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")  # free text: staff only
    revoke_category: Mapped[str] = mapped_column(String(32), default="")  # shown publicly
    renews_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    holder = relationship("User", foreign_keys=[user_id])
    track = relationship("Track")
    hub = relationship("Hub")

    def facts(self) -> CertificateFacts:
        return CertificateFacts(self.track.slug, self.issued_on, self.expires_on, self.revoked_at)


class CertificationHold(db.Model):
    """A revocation's hold on a volunteer/track pair: no certificate in that track, by
    any route, until a coordinator (not the holder) or an admin lifts it with a reason."""

    __tablename__ = "certification_holds"
    __table_args__ = (Index("ix_certification_holds_user_track", "user_id", "track_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"))
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id"), index=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), unique=True)
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str] = mapped_column(Text, default="")
    requirement: Mapped[str] = mapped_column(String(16), default="")  # retrain | reinstate

    holder = relationship("User", foreign_keys=[user_id])
    placed_by = relationship("User", foreign_keys=[placed_by_id])
    lifted_by = relationship("User", foreign_keys=[lifted_by_id])
    track = relationship("Track")
    certificate = relationship("Certificate")

    def facts(self) -> HoldFacts:
        return HoldFacts(self.track.slug, self.placed_at, self.lifted_at, self.requirement or None)


class LessonDelivery(db.Model):
    """A lesson a volunteer led at a school (distinct from a Lesson, a page of a course)."""

    __tablename__ = "lesson_deliveries"
    __table_args__ = (Index("ix_lesson_deliveries_status_led_on", "status", "led_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"))
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))  # the one that allowed it
    led_on: Mapped[date] = mapped_column(index=True)
    school: Mapped[str] = mapped_column(String(300))
    region: Mapped[str] = mapped_column(String(200))
    online: Mapped[bool] = mapped_column(default=False)
    children: Mapped[int] = mapped_column(default=0)
    parents: Mapped[int] = mapped_column(default=0)
    co_leader: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | confirmed | rejected
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    volunteer = relationship("User", foreign_keys=[user_id])
    track = relationship("Track")
