"""Applications as the candidate sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from portal.db import transaction
from portal.models import Actor


@dataclass(frozen=True)
class MyApplication:
    id: UUID
    job_title: str
    department: str
    status: str
    created_at: datetime


def my_applications(actor: Actor) -> list[MyApplication]:
    """The signed-in candidate's applications (a candidate has a handful, so no paging)."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            """
            select a.id, j.title as job_title, j.department, a.status, a.created_at
            from public.applications a
            join public.candidates c on c.id = a.candidate_id
            join public.jobs j on j.id = a.job_id
            where c.user_id = :me
            order by a.created_at desc
            """), {"me": actor.user_id}).all()
    return [MyApplication(**row._mapping) for row in rows]
