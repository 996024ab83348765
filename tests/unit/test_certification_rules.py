"""Eligibility and certificate state across every case, without a database."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lms.domain import certification as rules
from lms.domain.certification import CertificateFacts, certificate_state, eligibility

ISSUED, EXPIRES = date(2026, 1, 15), date(2028, 1, 15)
CERT = CertificateFacts("violence-prevention", ISSUED, EXPIRES)


def test_no_certificate_means_not_eligible():
    assert not eligibility([], "violence-prevention", date(2026, 6, 1))


def test_issued_certificate_is_valid_within_its_dates():
    assert certificate_state(CERT, ISSUED) == rules.VALID
    assert eligibility([CERT], "violence-prevention", date(2027, 1, 1))
    assert eligibility([CERT], "violence-prevention", date(2028, 1, 14))  # the last valid day


def test_expired_exactly_on_the_expiry_date_and_after():
    assert certificate_state(CERT, EXPIRES) == rules.EXPIRED
    assert not eligibility([CERT], "violence-prevention", EXPIRES)
    assert not eligibility([CERT], "violence-prevention", date(2028, 1, 16))


def test_not_valid_before_issue():
    assert certificate_state(CERT, date(2026, 1, 14)) == rules.NOT_YET
    assert not eligibility([CERT], "violence-prevention", date(2026, 1, 14))


def test_revoked_from_the_day_of_revocation():
    revoked = CertificateFacts("violence-prevention", ISSUED, EXPIRES, datetime(2026, 6, 10, 9, 30))
    assert eligibility([revoked], "violence-prevention", date(2026, 6, 9))  # lessons led before it stand
    assert certificate_state(revoked, date(2026, 6, 10)) == rules.REVOKED
    assert not eligibility([revoked], "violence-prevention", date(2026, 6, 10))
    assert not eligibility([revoked], "violence-prevention", date(2027, 1, 1))


def test_renewed_certificate_restores_eligibility():
    old = CertificateFacts("violence-prevention", date(2024, 1, 1), date(2026, 1, 1))
    new = CertificateFacts("violence-prevention", date(2026, 1, 5), date(2028, 1, 5))
    assert not eligibility([old], "violence-prevention", date(2026, 1, 3))
    assert not eligibility([old, new], "violence-prevention", date(2026, 1, 3))  # the gap between them
    assert eligibility([old, new], "violence-prevention", date(2026, 1, 5))


def test_other_track_does_not_count():
    assert not eligibility([CERT], "eco-volunteering", date(2027, 1, 1))


@pytest.mark.parametrize(("issued", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2024, 2, 29), 24, date(2026, 2, 28)), (date(2026, 11, 22), 24, date(2028, 11, 22)),
])
def test_expiry_date_adds_calendar_months(issued, months, expected):
    assert rules.expiry_date(issued, months) == expected


def test_readiness_lists_missing_courses():
    ready = rules.readiness(["bekind", "safeguarding"], {"bekind": 1})
    assert not ready.ready and ready.missing == ("safeguarding",) and ready.passed == ("bekind",)
    assert rules.readiness(["bekind", "safeguarding"], {"bekind": 1, "safeguarding": 2, "other": 1}).ready
    assert not rules.readiness([], {"x": 1}).ready


def test_verification_codes_are_80_bit_grouped_and_typable():
    codes = {rules.new_verification_code() for _ in range(2000)}
    assert len(codes) == 2000
    code = codes.pop()
    assert len(code) == 19 and code.count("-") == 3
    assert len(rules.CODE_ALPHABET) ** 16 >= 2**80
    assert rules.normalise_code(code.lower().replace("-", " ")) == code
    assert rules.normalise_code("7kqf 9mxd 2t4r wb8c") == "7KQF-9MXD-2T4R-WB8C"
    assert rules.normalise_code("OIL0-0000-0000-0000") == "0110-0000-0000-0000"
    assert rules.normalise_code("short") is None and rules.normalise_code("UUUU-UUUU-UUUU-UUUU") is None
