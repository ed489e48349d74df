"""Private links: an applicant or an asker follows their own application or question by
a random token in a link (portal.tokens)."""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Row

from portal.db import transaction
from portal.models import Actor
from portal.public_address import public_url
from portal.tokens import plausible_token, token_hash


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
    return f"{public_url()}/follow?{urlencode({kind: token})}"
