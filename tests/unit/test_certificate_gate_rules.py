"""The certificate gate as pure rules: every transition, every kind of actor."""

from __future__ import annotations

import base64
import gzip
from datetime import datetime

import pytest

from lms.domain import certification as rules
from lms.domain import duties, status_list
from lms.domain.roles import Actor

HUB, OTHER_HUB = 10, 20
T0 = datetime(2026, 11, 1, 9, 0)
LIFTED = datetime(2026, 11, 5, 9, 0)


def person(pid, hub, *roles, active=True):
    return Actor(id=pid, hub_id=hub, roles=frozenset(roles), is_active=active)


VOLUNTEER = person(1, HUB, "volunteer")
COORDINATOR = person(2, HUB, "coordinator")
OTHER_COORDINATOR = person(3, OTHER_HUB, "coordinator")
SECOND_COORDINATOR = person(4, HUB, "coordinator")
ADMIN = person(5, None, "admin")
SECOND_ADMIN = person(6, None, "admin")
TRAINER = person(7, HUB, "trainer", "volunteer")
COORDINATOR_WHO_VOLUNTEERS = person(8, HUB, "coordinator", "volunteer")
ADMIN_WHO_VOLUNTEERS = person(9, None, "admin", "volunteer")
INACTIVE_ADMIN = person(11, None, "admin", active=False)
INACTIVE_VOLUNTEER = person(12, HUB, "volunteer", active=False)
PLAIN_TRAINER = person(13, HUB, "trainer")

# ---- who may issue a certificate to whom


@pytest.mark.parametrize(("actor", "holder", "allowed"), [
    (COORDINATOR, VOLUNTEER, True),
    (OTHER_COORDINATOR, VOLUNTEER, False),  # another hub
    (ADMIN, VOLUNTEER, True),
    (None, VOLUNTEER, True),  # automatic, by the track's rule
    (VOLUNTEER, VOLUNTEER, False),  # a volunteer never issues, least of all to themselves
    (COORDINATOR_WHO_VOLUNTEERS, COORDINATOR_WHO_VOLUNTEERS, False),  # themselves
    (SECOND_COORDINATOR, COORDINATOR_WHO_VOLUNTEERS, False),  # a peer: staff are certified by an admin
    (COORDINATOR, TRAINER, False),  # staff of the hub
    (ADMIN, COORDINATOR_WHO_VOLUNTEERS, True),
    (ADMIN_WHO_VOLUNTEERS, ADMIN_WHO_VOLUNTEERS, False),  # an admin on themselves
    (SECOND_ADMIN, ADMIN_WHO_VOLUNTEERS, True),
    (ADMIN, PLAIN_TRAINER, False),  # no volunteer role: not a certificate holder
    (ADMIN, INACTIVE_VOLUNTEER, False),
    (None, INACTIVE_VOLUNTEER, False),
    (INACTIVE_ADMIN, VOLUNTEER, False),
    (TRAINER, VOLUNTEER, False),
])
def test_who_may_issue_to_whom(actor, holder, allowed):
    assert duties.may_issue_certificate(actor, holder) is allowed


@pytest.mark.parametrize(("actor", "holder", "cert_hub", "allowed"), [
    (COORDINATOR, VOLUNTEER, HUB, True),
    (OTHER_COORDINATOR, VOLUNTEER, HUB, False),
    (ADMIN, VOLUNTEER, HUB, True),
    (VOLUNTEER, VOLUNTEER, HUB, False),
    (COORDINATOR_WHO_VOLUNTEERS, COORDINATOR_WHO_VOLUNTEERS, HUB, False),  # the holder being a coordinator
    (SECOND_COORDINATOR, COORDINATOR_WHO_VOLUNTEERS, HUB, True),
    (ADMIN_WHO_VOLUNTEERS, ADMIN_WHO_VOLUNTEERS, HUB, False),
    (INACTIVE_ADMIN, VOLUNTEER, HUB, False),
    (TRAINER, VOLUNTEER, HUB, False),
])
def test_who_may_revoke_and_lift_a_hold(actor, holder, cert_hub, allowed):
    assert duties.may_revoke_certificate(actor, holder, cert_hub) is allowed
    assert duties.may_lift_hold(actor, holder, cert_hub) is allowed


@pytest.mark.parametrize(("actor", "leader", "allowed"), [
    (COORDINATOR, VOLUNTEER, True),
    (OTHER_COORDINATOR, VOLUNTEER, False),
    (ADMIN, VOLUNTEER, True),
    (COORDINATOR_WHO_VOLUNTEERS, COORDINATOR_WHO_VOLUNTEERS, False),  # their own lesson
    (SECOND_COORDINATOR, COORDINATOR_WHO_VOLUNTEERS, True),
    (VOLUNTEER, VOLUNTEER, False),
])
def test_who_may_confirm_a_lesson(actor, leader, allowed):
    assert duties.may_review_lesson(actor, leader, leader.hub_id or HUB) is allowed


@pytest.mark.parametrize(("actor", "target", "allowed"), [
    (COORDINATOR, VOLUNTEER, True),
    (OTHER_COORDINATOR, VOLUNTEER, False),
    (COORDINATOR, TRAINER, False),  # the account that edits courses
    (COORDINATOR, PLAIN_TRAINER, False),
    (COORDINATOR, SECOND_COORDINATOR, False),
    (COORDINATOR, COORDINATOR, False),
    (ADMIN, TRAINER, True),
    (ADMIN, COORDINATOR, True),
    (ADMIN, SECOND_ADMIN, False),  # one taken-over admin must not open the others
    (ADMIN, ADMIN, False),
    (INACTIVE_ADMIN, VOLUNTEER, False),
    (VOLUNTEER, VOLUNTEER, False),
])
def test_who_may_make_a_reset_link(actor, target, allowed):
    assert duties.may_make_reset_link(actor, target) is allowed


def test_only_other_admins_change_access():
    assert duties.may_change_access(ADMIN, SECOND_ADMIN)
    assert duties.may_change_access(ADMIN, VOLUNTEER)
    assert not duties.may_change_access(ADMIN, ADMIN)
    assert not duties.may_change_access(COORDINATOR, VOLUNTEER)
    assert not duties.may_change_access(INACTIVE_ADMIN, VOLUNTEER)


# ---- the volunteer/track pair after a revocation


def refusal(hold_state, *, kind="courses", ready=True, eligible=False, renewal_ready=False):
    return rules.issuance_refusal(kind=kind, ready=ready, eligible=eligible, renewal_ready=renewal_ready, hold=hold_state)


def test_no_hold_is_the_ordinary_rule():
    assert rules.hold_state(None, retrained_since_lift=False) == rules.CLEAR
    assert refusal(rules.CLEAR) is None
    assert refusal(rules.CLEAR, ready=False) == "not_ready"
    assert refusal(rules.CLEAR, eligible=True) == "already_certified"
    assert refusal(rules.CLEAR, eligible=True, renewal_ready=True) is None
    assert refusal(rules.CLEAR, kind="in_person", ready=False) is None


def test_revoke_then_retake_quiz_is_still_not_issued():
    """Revocation places a hold; passing the quiz again (ready stays true) changes nothing."""
    hold = rules.HoldFacts("eco", placed_at=T0)
    state = rules.hold_state(hold, retrained_since_lift=True)
    assert state == rules.ON_HOLD
    for kind in ("courses", "in_person"):
        assert refusal(state, kind=kind) == "on_hold"
    assert refusal(state, renewal_ready=True) == "on_hold"


def test_hold_lifted_with_retraining_needs_new_passes():
    hold = rules.HoldFacts("eco", placed_at=T0, lifted_at=LIFTED, requirement=rules.RETRAIN)
    assert rules.hold_state(hold, retrained_since_lift=False) == rules.RETRAIN_NEEDED
    assert refusal(rules.RETRAIN_NEEDED) == "retrain_needed"
    # the coordinator's own in-person assessment is a retraining of its own
    assert refusal(rules.RETRAIN_NEEDED, kind="in_person") is None
    assert rules.hold_state(hold, retrained_since_lift=True) == rules.CLEAR
    assert refusal(rules.CLEAR) is None


def test_hold_lifted_as_reinstated_counts_earlier_passes():
    hold = rules.HoldFacts("eco", placed_at=T0, lifted_at=LIFTED, requirement=rules.REINSTATE)
    assert rules.hold_state(hold, retrained_since_lift=False) == rules.CLEAR
    assert refusal(rules.CLEAR) is None
    assert refusal(rules.CLEAR, ready=False) == "not_ready"


def test_the_latest_hold_decides():
    old = rules.HoldFacts("eco", placed_at=T0, lifted_at=LIFTED, requirement=rules.REINSTATE)
    new = rules.HoldFacts("eco", placed_at=datetime(2026, 11, 20))
    other_track = rules.HoldFacts("bekind", placed_at=datetime(2026, 11, 25))
    assert rules.latest_hold([old, new, other_track], "eco") is new
    assert rules.latest_hold([other_track], "eco") is None


# ---- the status list


def decode_bit(encoded: str, index: int) -> int:
    """Read a bit the way the Bitstring Status List specification says a verifier does."""
    assert encoded.startswith("u")
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    return (raw[index // 8] >> (7 - index % 8)) & 1


def test_status_list_sets_exactly_the_revoked_bits():
    encoded = status_list.encode([0, 9, 131_071])
    assert [decode_bit(encoded, i) for i in (0, 1, 8, 9, 10, 131_070, 131_071)] == [1, 0, 0, 1, 0, 0, 1]
    assert len(gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=="))) == status_list.LIST_SIZE // 8
    assert status_list.encode([9]) == status_list.encode([9])  # stable bytes: a stable ETag


def test_status_list_positions_and_bounds():
    assert status_list.position(5) == (1, 5)
    assert status_list.position(status_list.LIST_SIZE + 3) == (2, 3)
    with pytest.raises(ValueError):
        status_list.encode([status_list.LIST_SIZE])
