"""Private links: an applicant or an asker follows their own application or question by
a random token in a link. Only the token's SHA-256 is stored, so the database alone
cannot open anyone's link."""

from __future__ import annotations

import hashlib
import re
import secrets
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Row

from portal.db import transaction
from portal.models import Actor
from portal.settings import settings

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def plausible_token(token: str | None) -> bool:
    return bool(token and _TOKEN.fullmatch(token))  # fullmatch: "$" alone lets "\n" by


def find(actor: Actor, lookup: str, token: str | None) -> Row | None:
    """The row `lookup` (a private.*_by_token function, named by the caller, never by the
    visitor) gives for `token`; None for a token that matches nothing."""
    if not plausible_token(token):
        return None
    with transaction(actor) as conn:
        return conn.execute(sa.text(f"select * from {lookup}(:hash)"),  # noqa: S608
                            {"hash": token_hash(token)}).first()


def follow_link(kind: str, token: str) -> str:
    """The address of the private "follow" page for an application or a question."""
    return f"{settings().public_url}/follow?{urlencode({kind: token})}"
