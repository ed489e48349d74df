"""Job postings as lists: the public board and the recruiters' list are the same query;
row-level security decides which postings each user gets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import sqlalchemy as sa

from portal.db import contains_pattern, transaction
from portal.models import Actor, Page

PUBLIC_STATUSES = ("published",)
ALL_STATUSES = ("draft", "in_review", "approved", "published", "closed")


@dataclass(frozen=True)
class Job:
    id: UUID
    title: str
    department: str
    location: str
    remote_policy: str
    employment_type: str
    salary_min: Decimal | None
    salary_max: Decimal | None
    currency: str
    status: str
    published_at: datetime | None
    description: str

    @property
    def salary_range(self) -> str:
        if self.salary_min is None and self.salary_max is None:
            return ""
        low, high = self.salary_min or self.salary_max, self.salary_max or self.salary_min
        return f"{self.currency} {low:,.0f} – {high:,.0f}"


_COLUMNS = ("id, title, department, location, remote_policy, employment_type, salary_min,"
            " salary_max, currency, status, published_at, description")


def list_jobs(actor: Actor, *, statuses: tuple[str, ...] = PUBLIC_STATUSES, search: str = "",
              department: str | None = None, page: int = 1, page_size: int = 20) -> Page[Job]:
    """Postings in the given statuses, newest first, one page at a time."""
    search = search.strip()
    where = (
        "status = any(cast(:statuses as public.job_status[]))"
        " and (cast(:department as text) is null or department = :department)"
        " and (:search = '' or title ilike :pattern or description ilike :pattern"
        "      or location ilike :pattern)"
    )
    params = {"statuses": list(statuses), "department": department or None, "search": search,
              "pattern": contains_pattern(search), "limit": page_size,
              "offset": Page.offset(page, page_size)}
    with transaction(actor) as conn:
        total = conn.execute(sa.text(f"select count(*) from public.jobs where {where}"),  # noqa: S608
                             params).scalar_one()
        rows = conn.execute(sa.text(
            f"select {_COLUMNS} from public.jobs where {where}"  # noqa: S608
            " order by published_at desc nulls first, created_at desc, id"
            " limit :limit offset :offset"), params).all()
    return Page([Job(**row._mapping) for row in rows], total, page, page_size)


def departments(actor: Actor, statuses: tuple[str, ...] = PUBLIC_STATUSES) -> list[str]:
    with transaction(actor) as conn:
        return list(conn.execute(sa.text(
            "select distinct department from public.jobs"
            " where status = any(cast(:statuses as public.job_status[])) order by 1"),
            {"statuses": list(statuses)}).scalars())
