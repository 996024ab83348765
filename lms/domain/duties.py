"""Separation of duties: who may do what to whom.

One function per action that changes a person's standing. Every route, service and
form asks these (the forms offer only what they allow), so a crafted request with an
id the form did not offer meets the same rule as the form. docs/security.md has the
table; a test keeps it true.

Common to all: nobody acts on themselves, and a deactivated account acts on nobody.
"""

from __future__ import annotations

from lms.domain.roles import ADMIN, COORDINATOR, TRAINER, VOLUNTEER, Actor

STAFF_ROLES = frozenset({TRAINER, COORDINATOR, ADMIN})


def is_plain_volunteer(person: Actor) -> bool:
    """A volunteer holding no staff role: the only people a coordinator acts on."""
    return VOLUNTEER in person.roles and not person.roles & STAFF_ROLES


def _other_active(actor: Actor | None, subject: Actor) -> bool:
    return actor is not None and actor.is_active and actor.id != subject.id


def _coordinator_of(actor: Actor, hub_id: int | None) -> bool:
    return COORDINATOR in actor.roles and hub_id is not None and actor.hub_id == hub_id


def may_hold_certificate(holder: Actor) -> bool:
    """Certificates are for active people with the volunteer role."""
    return holder.is_active and VOLUNTEER in holder.roles


def may_issue_certificate(actor: Actor | None, holder: Actor) -> bool:
    """`actor` None is automatic issuance by a track's rule (the holder passed its courses).

    A coordinator issues to plain volunteers of their own hub; an admin to anyone who
    may hold one. Staff who lead lessons are certified by an admin, never by a peer.
    """
    if not may_hold_certificate(holder):
        return False
    if actor is None:
        return True
    if not _other_active(actor, holder):
        return False
    if ADMIN in actor.roles:
        return True
    return _coordinator_of(actor, holder.hub_id) and is_plain_volunteer(holder)


def may_revoke_certificate(actor: Actor, holder: Actor, certificate_hub_id: int | None) -> bool:
    """A coordinator of the issuing hub, or an admin; never the holder."""
    if not _other_active(actor, holder):
        return False
    return ADMIN in actor.roles or _coordinator_of(actor, certificate_hub_id)


def may_lift_hold(actor: Actor, holder: Actor, hold_hub_id: int | None) -> bool:
    """Deciding what follows a revocation: the same people who may revoke."""
    return may_revoke_certificate(actor, holder, hold_hub_id)


def may_review_lesson(actor: Actor, leader: Actor, lesson_hub_id: int | None) -> bool:
    """Confirming or rejecting a logged lesson: a coordinator of its hub or an admin, not its leader."""
    if not _other_active(actor, leader):
        return False
    return ADMIN in actor.roles or _coordinator_of(actor, lesson_hub_id)


def may_make_reset_link(actor: Actor, target: Actor) -> bool:
    """A set-password link hands over an account.

    Coordinators: plain volunteers of their hub only. Admins: anyone but another admin
    (one taken-over admin account must not open every other one; an admin who lost
    access is helped from the server's command line).
    """
    if not _other_active(actor, target):
        return False
    if ADMIN in actor.roles:
        return ADMIN not in target.roles
    return _coordinator_of(actor, target.hub_id) and is_plain_volunteer(target)


def may_change_access(actor: Actor, target: Actor) -> bool:
    """Roles, hub and active flag: admins only, never their own."""
    return _other_active(actor, target) and ADMIN in actor.roles
