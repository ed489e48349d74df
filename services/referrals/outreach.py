"""Outreach to alumni: job digests (the open jobs of chosen departments, emailed where
SMTP is set and always listed in the portal) and "boomerang" interest (alumni who would
come back, which recruiters filter for)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from portal import audit, mail, validation
from portal.db import transaction
from portal.errors import PermissionDenied, ValidationError
from portal.models import Actor, Page, Role
from portal.permissions import require_staff
from services.postings import listings
from services.referrals import outreach_mail
from services.referrals.outreach_mail import DigestCounts, DigestJob


@dataclass(frozen=True)
class Digest:
    id: UUID
    departments: tuple[str, ...]
    note: str
    jobs: tuple[DigestJob, ...]
    recipients: int
    emailed: int
    sent_at: datetime
    sent_by: str | None
    # Its emails (staff see them; zero for everyone else): sent, failed, waiting or being sent.
    emails: DigestCounts = DigestCounts()


@dataclass(frozen=True)
class SentDigest:
    digest_id: UUID
    jobs: int
    recipients: int
    queued: int  # emails queued for the worker (0 without SMTP)
    email_enabled: bool


def departments(actor: Actor) -> list[str]:
    """The departments that have published jobs now."""
    return listings.board_filters(actor).departments


def preview(actor: Actor, chosen: list[str]) -> list[DigestJob]:
    """The published jobs of the chosen departments, newest first: what a digest would carry."""
    if not chosen:
        raise ValidationError("Choose at least one department for the digest.")
    with transaction(actor) as conn:
        return _open_jobs(conn, chosen)


def _open_jobs(conn, chosen: list[str]) -> list[DigestJob]:
    rows = conn.execute(sa.text(
        "select id, title, department, location from public.jobs"
        " where status = 'published' and department = any(:chosen)"
        " order by published_at desc nulls last, title limit 200"), {"chosen": list(chosen)}).all()
    return [DigestJob(**row._mapping) for row in rows]


def send_digest(actor: Actor, chosen: list[str], note: str = "") -> SentDigest:
    """Record the digest (every alumnus sees it on Job digests at once) and, where SMTP is
    set, queue an email of it to each active alumnus for the worker
    (services/referrals/outreach_mail.py); their state is in `digests`."""
    problems = validation.FormProblems()  # both fields' problems at once
    if not chosen:
        problems.add("departments", "Choose at least one department for the digest.")
    note = problems.check("note", validation.text, "The note", note, maximum=2000)
    problems.raise_any()
    emailing = mail.enabled()
    with transaction(actor) as conn:
        require_staff(conn, "send job digests")
        jobs = _open_jobs(conn, chosen)
        if not jobs:
            message = "Those departments have no open jobs now; choose others."
            raise ValidationError(message, (("departments", message),))
        recipients = conn.execute(sa.text("select id from public.profiles"
                                          " where role = 'alumnus' and active"
                                          " order by email")).scalars().all()
        digest_id = conn.execute(sa.text(
            "insert into public.job_digests (departments, note, jobs, recipients)"
            " values (:departments, :note, cast(:jobs as jsonb), :recipients) returning id"),
            {"departments": sorted(chosen), "note": note, "recipients": len(recipients),
             "jobs": json.dumps([{"id": str(j.id), "title": j.title, "department": j.department,
                                  "location": j.location} for j in jobs])}).scalar_one()
        queued = outreach_mail.queue_digest(conn, digest_id, recipients) if emailing else []
        audit.record(conn, "digest.sent", "job_digest", str(digest_id),
                     {"departments": ", ".join(sorted(chosen)), "jobs": str(len(jobs)),
                      "emails": str(len(queued))})
    outreach_mail.defer(queued)
    return SentDigest(digest_id, len(jobs), len(recipients), len(queued), emailing)


def digests(actor: Actor, limit: int = 20) -> list[Digest]:
    """The digests sent, newest first (alumni, employees and staff)."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            "select d.id, d.departments, d.note, d.jobs, d.recipients, d.emailed, d.sent_at,"
            " p.full_name as sent_by from public.job_digests d"
            " left join public.profiles p on p.id = d.sent_by"
            " order by d.sent_at desc, d.id limit :limit"), {"limit": limit}).all()
    counts = outreach_mail.digest_counts(actor, [row.id for row in rows]) if rows else {}
    return [Digest(row.id, tuple(row.departments), row.note,
                   tuple(DigestJob(UUID(j["id"]), j["title"], j["department"], j["location"])
                         for j in row.jobs),
                   row.recipients, row.emailed, row.sent_at, row.sent_by,
                   counts.get(row.id, DigestCounts())) for row in rows]


# --- boomerang interest --------------------------------------------------------------------

@dataclass(frozen=True)
class Interest:
    areas: str
    notes: str
    updated_at: datetime


@dataclass(frozen=True)
class InterestedAlumnus:
    full_name: str
    email: str
    areas: str
    notes: str
    since: datetime


def my_interest(actor: Actor) -> Interest | None:
    with transaction(actor) as conn:
        row = conn.execute(sa.text("select areas, notes, updated_at from public.boomerang_interest"
                                   " where user_id = :me"), {"me": actor.user_id}).first()
    return Interest(**row._mapping) if row else None


def say_interested(actor: Actor, areas: str = "", notes: str = "") -> None:
    """An alumnus says they would come back, with the areas and a note if they like."""
    if actor.role is not Role.ALUMNUS:
        raise PermissionDenied("Only alumni can say they would come back.")
    areas = validation.text("Areas", areas, maximum=300)
    notes = validation.text("Notes", notes, maximum=2000)
    with transaction(actor) as conn:
        conn.execute(sa.text(
            "insert into public.boomerang_interest (user_id, areas, notes) values (:me, :areas, :notes)"
            " on conflict (user_id) do update set areas = excluded.areas, notes = excluded.notes,"
            " updated_at = now()"), {"me": actor.user_id, "areas": areas, "notes": notes})


def withdraw_interest(actor: Actor) -> None:
    with transaction(actor) as conn:
        conn.execute(sa.text("delete from public.boomerang_interest where user_id = :me"),
                     {"me": actor.user_id})


def interested(actor: Actor, *, search: str = "", since: datetime | None = None, page: int = 1,
               page_size: int = 25) -> Page[InterestedAlumnus]:
    """Alumni who would come back, newest first; `search` matches name, areas and notes."""
    where = ("p.active and p.role = 'alumnus'"
             " and (:search = '' or p.full_name ilike :like or b.areas ilike :like or b.notes ilike :like)"
             " and (cast(:since as timestamptz) is null or b.updated_at >= cast(:since as timestamptz))")
    search = (search or "").strip()
    like = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    params = {"search": search, "like": like, "since": since, "limit": page_size,
              "offset": Page.offset(page, page_size)}
    joined = "from public.boomerang_interest b join public.profiles p on p.id = b.user_id"
    with transaction(actor) as conn:
        require_staff(conn, "see who would come back")
        total = conn.execute(sa.text(f"select count(*) {joined} where {where}"), params).scalar_one()  # noqa: S608
        rows = conn.execute(sa.text(
            f"select p.full_name, p.email, b.areas, b.notes, b.updated_at as since {joined}"  # noqa: S608
            f" where {where} order by b.updated_at desc, p.id limit :limit offset :offset"), params).all()
    return Page([InterestedAlumnus(**row._mapping) for row in rows], total, page, page_size)
