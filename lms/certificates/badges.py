"""Open Badges 3.0 credentials, signed as JWT-VCs with the platform's Ed25519 key.

The key lives in instance/ (generated on first use, never committed); the public
half is published at /.well-known/jwks.json so anyone can check a credential
without trusting our pages.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

KEY_FILE = "badge_signing_key.pem"


def _key_path() -> Path:
    return Path(current_app.instance_path) / KEY_FILE


def signing_key() -> Ed25519PrivateKey:
    cache = current_app.extensions.setdefault("lms_badge_key", {})
    if "key" in cache:
        return cache["key"]
    path = _key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = path.with_name(f"{KEY_FILE}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        try:
            os.link(tmp, path)  # another worker may have made one first: use theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    cache["key"] = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return cache["key"]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk() -> dict:
    raw = signing_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw), "kid": key_id(), "use": "sig", "alg": "EdDSA"}


def key_id() -> str:
    raw = signing_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def credential(*, cert, issuer_url: str, verify_url: str, track_title: str, allows: str, hub_name: str,
               status_list_url: str, status_index: int) -> dict:
    """The Open Badges 3.0 OpenBadgeCredential (a W3C verifiable credential), with a
    Bitstring Status List entry so a verifier can learn of a revocation from the signed list."""
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_url, "type": ["Profile"], "name": hub_name},
        "validFrom": f"{cert.issued_on.isoformat()}T00:00:00Z",
        "validUntil": f"{cert.expires_on.isoformat()}T00:00:00Z",
        "name": track_title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": cert.holder_name,
            "achievement": {
                "id": f"{issuer_url}/tracks/{cert.track.slug}",
                "type": ["Achievement"],
                "name": track_title,
                "description": allows,
                "criteria": {"narrative": allows},
            },
        },
        "credentialStatus": {
            "id": f"{status_list_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url,
        },
    }


def sign(payload: dict) -> str:
    claims = {"vc": payload, "iss": payload["issuer"]["id"], "jti": payload["id"], "sub": payload["credentialSubject"]["name"]}
    return jwt.encode(claims, signing_key(), algorithm="EdDSA", headers={"kid": key_id(), "typ": "vc+jwt"})


def sign_status_list(*, list_url: str, issuer_url: str, encoded_list: str) -> str:
    """The signed BitstringStatusListCredential for one list of revocations."""
    from lms.models_base import utcnow

    payload = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url,
        "validFrom": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list,
        },
    }
    claims = {"vc": payload, "iss": issuer_url, "jti": list_url}
    return jwt.encode(claims, signing_key(), algorithm="EdDSA", headers={"kid": key_id(), "typ": "vc+jwt"})


def verify(token: str, public_key: Ed25519PublicKey) -> dict:
    """Raises jwt.InvalidTokenError when the signature or the token is not right."""
    return jwt.decode(token, public_key, algorithms=["EdDSA"], options={"require": ["vc"]})
