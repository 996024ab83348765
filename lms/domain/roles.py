"""Roles and who may act on whom. Every permission check in the app calls these."""

from __future__ import annotations

from dataclasses import dataclass

VOLUNTEER = "volunteer"
TRAINER = "trainer"
COORDINATOR = "coordinator"
ADMIN = "admin"
ALL_ROLES = (VOLUNTEER, TRAINER, COORDINATOR, ADMIN)


@dataclass(frozen=True)
class Actor:
    """The facts a permission rule needs about a user."""

    id: int
    hub_id: int | None
    roles: frozenset[str]
    is_active: bool = True


def parse_roles(text: str | None) -> frozenset[str]:
    return frozenset(r for r in (text or "").split(",") if r in ALL_ROLES)


def format_roles(roles) -> str:
    """Store roles in a fixed order so equal sets compare equal as text."""
    return ",".join(r for r in ALL_ROLES if r in set(roles))


def has_any_role(actor: Actor, *roles: str) -> bool:
    return actor.is_active and bool(actor.roles.intersection(roles))


def can_manage_hub_members(actor: Actor, hub_id: int | None) -> bool:
    """Coordinators act on their own hub's people only; admins on every hub."""
    if not actor.is_active:
        return False
    if ADMIN in actor.roles:
        return True
    return COORDINATOR in actor.roles and hub_id is not None and actor.hub_id == hub_id
