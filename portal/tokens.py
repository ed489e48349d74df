"""Random tokens for links and sessions. Only a token's SHA-256 is stored, so the database
alone cannot open anyone's link or session."""

from __future__ import annotations

import hashlib
import re
import secrets

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def plausible_token(token: str | None) -> bool:
    return isinstance(token, str) and bool(_TOKEN.fullmatch(token))  # fullmatch: "$" lets "\n" by
