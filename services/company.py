"""The company's public profile."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal.db import transaction
from portal.models import Actor


@dataclass(frozen=True)
class Company:
    name: str
    tagline: str
    about: str
    website: str | None


def company_profile(actor: Actor) -> Company | None:
    with transaction(actor) as conn:
        return load_profile(conn)


def load_profile(conn: Connection) -> Company | None:
    row = conn.execute(sa.text(
        "select name, tagline, about, website from public.company where id = 1")).first()
    return Company(**row._mapping) if row else None
