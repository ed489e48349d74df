"""Job postings as lists: the public board and the recruiters' list are the same query;
row-level security decides which postings each user gets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import shared
from portal.db import contains_pattern, transaction
from portal.models import Actor, Page
from services.postings.company import Company, load_profile

PUBLIC_STATUSES = ("published",)
ALL_STATUSES = ("draft", "in_review", "approved", "published", "closed")
REMOTE_LABELS = {"onsite": "On site", "hybrid": "Hybrid", "remote": "Remote"}
EMPLOYMENT_LABELS = {"full_time": "Full time", "part_time": "Part time", "contract": "Contract",
                     "internship": "Internship", "temporary": "Temporary"}
# Job levels, most junior first; the migration 20261130000000_job_levels checks the same keys.
LEVEL_LABELS = {"intern": "Intern", "junior": "Junior", "mid": "Mid-level", "senior": "Senior",
                "lead": "Lead", "executive": "Executive"}


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
    owner_id: UUID | None = None
    level: str | None = None

    @property
    def salary_range(self) -> str:
        if self.salary_min is None and self.salary_max is None:
            return ""
        low, high = self.salary_min or self.salary_max, self.salary_max or self.salary_min
        return f"{self.currency} {low:,.0f} – {high:,.0f}"

    @property
    def facts(self) -> list[str]:
        """Department, level, place, remote policy, employment type and pay, for a caption."""
        facts = [self.department, self.location, REMOTE_LABELS.get(self.remote_policy, self.remote_policy),
                 EMPLOYMENT_LABELS.get(self.employment_type, self.employment_type)]
        if self.level:
            facts.insert(1, LEVEL_LABELS.get(self.level, self.level))
        return facts + ([self.salary_range] if self.salary_range else [])

    @property
    def open(self) -> bool:
        return self.status == "published"


JOB_COLUMNS = ("id, title, department, location, remote_policy, employment_type, salary_min,"
            " salary_max, currency, status, published_at, description, owner_id, level")
# Visitors may read the public columns only (column privileges): nobody's owner for them.
_VISITOR_JOB_COLUMNS = JOB_COLUMNS.replace("owner_id", "null::uuid as owner_id")


def job_columns(actor: Actor) -> str:
    return JOB_COLUMNS if actor.signed_in else _VISITOR_JOB_COLUMNS


@dataclass(frozen=True)
class JobFilter:
    """Which postings a list shows; each filter left None (or a search left empty)
    matches everything."""
    statuses: tuple[str, ...] = PUBLIC_STATUSES
    search: str = ""
    department: str | None = None
    location: str | None = None
    remote_policy: str | None = None
    employment_type: str | None = None
    owner_id: UUID | None = None

    def sql(self) -> tuple[str, dict]:
        """The where clause over public.jobs and its parameters."""
        search = self.search.strip()
        where = (
            "status = any(cast(:statuses as public.job_status[]))"
            " and (cast(:department as text) is null or department = :department)"
            " and (cast(:location as text) is null or location = :location)"
            " and (cast(:remote as text) is null or remote_policy = :remote)"
            " and (cast(:employment as text) is null or employment_type = :employment)"
            " and (:search = '' or id in (select private.jobs_matching(:pattern)))"
            # Only staff filter by owner, and visitors may not read the column at all.
            + (" and owner_id = cast(:owner as uuid)" if self.owner_id else "")
        )
        return where, {"statuses": list(self.statuses or ALL_STATUSES),
                       "department": self.department or None, "location": self.location or None,
                       "remote": self.remote_policy or None,
                       "employment": self.employment_type or None, "owner": self.owner_id,
                       "search": search, "pattern": contains_pattern(search)}


# Published ones by publication, the others (drafts on top) by creation.
ORDER = "order by published_at desc nulls first, created_at desc, id"


def list_jobs_in(conn: Connection, actor: Actor, job_filter: JobFilter, page: int = 1,
                 page_size: int = 20) -> Page[Job]:
    where, params = job_filter.sql()
    params |= {"limit": page_size, "offset": Page.offset(page, page_size)}
    total = conn.execute(sa.text(f"select count(*) from public.jobs where {where}"),  # noqa: S608
                         params).scalar_one()
    rows = conn.execute(sa.text(
        f"select {job_columns(actor)} from public.jobs where {where} {ORDER}"  # noqa: S608
        " limit :limit offset :offset"), params).all()
    return Page([Job(**row._mapping) for row in rows], total, page, page_size)


def list_jobs(actor: Actor, *, statuses: tuple[str, ...] = PUBLIC_STATUSES, search: str = "",
              department: str | None = None, location: str | None = None,
              remote_policy: str | None = None, employment_type: str | None = None,
              owner_id: UUID | None = None, page: int = 1, page_size: int = 20) -> Page[Job]:
    """Postings in the given statuses, newest first, one page at a time; each filter left
    None matches everything."""
    job_filter = JobFilter(statuses, search, department, location, remote_policy, employment_type,
                           owner_id)
    with transaction(actor) as conn:
        return list_jobs_in(conn, actor, job_filter, page, page_size)


def job(actor: Actor, job_id: UUID | str) -> Job | None:
    """One posting, if it exists and the actor may see it (visitors: published or closed)."""
    try:
        job_id = UUID(str(job_id))
    except ValueError:
        return None
    with transaction(actor) as conn:
        return load_job(conn, job_id, job_columns(actor))


def public_job(actor: Actor, job_id: UUID | str) -> Job | None:
    """A job's public page: what visitors see of it (published or closed, public columns),
    shared between sessions until a job changes. Staff see their own view (a draft too)."""
    if actor.role is not None and actor.role.is_staff:
        return job(actor, job_id)
    try:
        job_id = UUID(str(job_id))
    except ValueError:
        return None
    return shared.visitors_view(("job", job_id), lambda conn: load_job(conn, job_id, _VISITOR_JOB_COLUMNS))


def load_job(conn: Connection, job_id: UUID, columns: str = JOB_COLUMNS) -> Job | None:
    row = conn.execute(sa.text(f"select {columns} from public.jobs where id = :id"),  # noqa: S608
                       {"id": job_id}).first()
    return Job(**row._mapping) if row else None


@dataclass(frozen=True)
class BoardFilters:
    """The values each filter of the board can take, from the postings themselves."""
    departments: list[str]
    locations: list[str]


def board_filters(actor: Actor, statuses: tuple[str, ...] = PUBLIC_STATUSES) -> BoardFilters:
    with transaction(actor) as conn:
        return board_filters_in(conn, statuses)


def board_filters_in(conn: Connection, statuses: tuple[str, ...] = PUBLIC_STATUSES) -> BoardFilters:
    rows = conn.execute(sa.text(
            "select array(select distinct department from public.jobs"
            "             where status = any(cast(:statuses as public.job_status[])) order by 1),"
            "       array(select distinct location from public.jobs"
            "             where status = any(cast(:statuses as public.job_status[])) order by 1)"),
            {"statuses": list(statuses)}).one()
    return BoardFilters(list(rows[0]), list(rows[1]))


@dataclass(frozen=True)
class Board:
    """The public job board as a visitor sees it: the company, the filters' choices and
    one page of open jobs."""
    company: Company | None
    filters: BoardFilters
    jobs: Page[Job]


def board(search: str = "", department: str | None = None, location: str | None = None,
          remote_policy: str | None = None, employment_type: str | None = None, page: int = 1,
          page_size: int = 10) -> Board:
    """The public board (the same for everyone, so computed as a visitor and shared between
    sessions until a job or the company changes), in one round trip when nothing changed."""
    job_filter = JobFilter(PUBLIC_STATUSES, search.strip(), department, location, remote_policy,
                           employment_type)

    def compute(conn: Connection) -> Board:
        return Board(load_profile(conn), board_filters_in(conn),
                     list_jobs_in(conn, Actor.visitor(), job_filter, page, page_size))

    return shared.visitors_view(("board", job_filter, page, page_size), compute)

