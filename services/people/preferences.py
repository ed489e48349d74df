"""Settings an admin keeps for questions and candidates' data: how soon questions should
be answered, and how long unsuccessful candidates' data is kept."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit, public_address, shared
from portal.db import transaction
from portal.errors import ValidationError
from portal.models import Actor
from portal.permissions import require_admin


@dataclass(frozen=True)
class Preferences:
    answer_target_hours: int = 48
    candidate_retention_days: int = 365


def load(conn: Connection) -> Preferences:
    row = conn.execute(sa.text("select answer_target_hours, candidate_retention_days"
                               " from public.portal_settings where id = 1")).first()
    return Preferences(**row._mapping) if row else Preferences()


def preferences(actor: Actor) -> Preferences:
    """The settings (public: the Q&A page promises the answer target to visitors), shared
    between sessions until an admin changes them."""
    return shared.visitors_view("preferences", load)


def save(actor: Actor, *, answer_target_hours: int, candidate_retention_days: int) -> None:
    if not 1 <= answer_target_hours <= 720:
        raise ValidationError("The answer target is between 1 hour and 720 hours (30 days).")
    if not 30 <= candidate_retention_days <= 3650:
        raise ValidationError("Unsuccessful candidates' data is kept between 30 and 3,650 days.")
    with transaction(actor) as conn:
        require_admin(conn, "change these settings")
        conn.execute(sa.text(
            "update public.portal_settings set answer_target_hours = :hours,"
            " candidate_retention_days = :days, updated_at = now() where id = 1"),
            {"hours": answer_target_hours, "days": candidate_retention_days})
        audit.record(conn, "settings.changed", "portal_settings", "1",
                     {"answer_target_hours": str(answer_target_hours),
                      "candidate_retention_days": str(candidate_retention_days)})


def choose_public_url(actor: Actor, url: str) -> str:
    """Make `url` (scheme://host[:port]) the address the portal's links lead to, where
    PORTAL_PUBLIC_URL is not set; returns it as kept. Audited."""
    address = public_address.checked(url)
    with transaction(actor) as conn:
        require_admin(conn, "choose the address links lead to")
        conn.execute(sa.text("update public.portal_settings set public_url = :url, updated_at = now()"
                             " where id = 1"), {"url": address})
        audit.record(conn, "settings.public_url", "portal_settings", "1", {"public_url": address})
    return address
