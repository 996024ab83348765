"""W3C Bitstring Status List: which certificates are revoked, as one compressed bitstring.

A credential names its list and its index in it; the list is published (signed) so a
verifier learns of a revocation without trusting our pages. Per the specification, bit
0 is the left-most bit of the first byte, the list is GZIP-compressed and then written
as multibase base64url without padding (prefix "u"), and a list holds at least 131,072
entries so that one entry says little about who it belongs to.
"""

from __future__ import annotations

import base64
import gzip

LIST_SIZE = 131_072  # entries per list: the specification's minimum (16 KiB)


def position(certificate_id: int) -> tuple[int, int]:
    """(list number from 1, index in that list) of a certificate."""
    return certificate_id // LIST_SIZE + 1, certificate_id % LIST_SIZE


def encode(set_indices, size: int = LIST_SIZE) -> str:
    bits = bytearray(size // 8)
    for index in set_indices:
        if not 0 <= index < size:
            raise ValueError(f"index {index} outside a list of {size}")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same revocations give the same bytes, so the list's ETag is stable.
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()
