"""Referrals "open to anything" (recruiters and admins): the inbox of referrals with no job,
oldest first, and linking one to a published job, which makes it an application for that
job whose source is the referral (private.link_referral_to_job decides and checks it all).
From then on the referral follows that application's stage, as a referral link's does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from portal import audit
from portal.db import transaction, translate_refusals
from portal.errors import NotFound, ValidationError
from portal.models import Actor
from portal.permissions import require_staff
from portal.storage import ResumeStore
from services.candidates.hiring_stages import StageWords, stage_labels
from services.postings.editing import ResumeFile, resume_file

INBOX_SIZE = 50  # the oldest first; linking them brings up the next
COUNT_UP_TO = 1_000  # how far the waiting referrals are counted (the inbox's tab says "1,000+")


@dataclass(frozen=True)
class OpenReferral:
    id: UUID
    candidate_id: UUID
    candidate_name: str
    email: str
    linkedin_url: str | None
    referrer_name: str | None  # None once the referrer's account is gone
    relationship: str
    reason: str
    resume_name: str | None
    outcome: str  # owner, duplicate or applied_first (services.referrals.stages.OUTCOME_NOTES)
    stage: str
    created_at: datetime


@dataclass(frozen=True)
class Inbox:
    referrals: list[OpenReferral]  # the oldest INBOX_SIZE
    total: int  # how many wait in all, up to COUNT_UP_TO

    @property
    def total_text(self) -> str:
        """"12", or "1,000+" when there are more than counted."""
        return f"{self.total:,}+" if self.total >= COUNT_UP_TO else f"{self.total:,}"
    jobs: list[tuple[UUID, str]]  # the published jobs they may be linked to, by title


# In progress only: a referral closed as hired or not selected waits for nothing.
_OPEN = "r.job_id is null and r.stage not in ('hired', 'not_selected')"


def inbox(actor: Actor, *, limit: int = INBOX_SIZE) -> Inbox:
    """The referrals open to anything that wait for a job, oldest first, and the published
    jobs to link them to."""
    with transaction(actor) as conn:
        require_staff(conn, "see the referrals waiting for a job")
        rows = conn.execute(sa.text(
            "select r.id, r.candidate_id, c.full_name as candidate_name, c.email, c.linkedin_url,"  # noqa: S608
            "  coalesce(nullif(p.full_name, ''), p.email) as referrer_name, r.relationship, r.reason,"
            "  case when r.resume_path is not null then coalesce(r.resume_name, 'résumé') end"
            "    as resume_name, r.outcome, r.stage::text as stage, r.created_at"
            " from public.referrals r join public.candidates c on c.id = r.candidate_id"
            " left join public.profiles p on p.id = r.referrer_id"
            f" where {_OPEN} order by r.created_at, r.id limit :limit"),
            {"limit": limit}).all()
        total = conn.execute(sa.text(  # counted up to COUNT_UP_TO: past it the page says "+"
            f"select count(*) from (select 1 from public.referrals r where {_OPEN}"  # noqa: S608
            " limit :most) waiting"), {"most": COUNT_UP_TO}).scalar_one()
        jobs = conn.execute(sa.text(
            "select id, title || ' (' || department || ')' from public.jobs"
            " where status = 'published' order by title, created_at")).all()
    return Inbox([OpenReferral(**row._mapping) for row in rows], total, [(j[0], j[1]) for j in jobs])


@dataclass(frozen=True)
class Linked:
    referral_id: UUID
    application_id: UUID
    reused: bool  # they were a candidate for the job already: that application is linked
    status: str  # the application's stage
    candidate_name: str
    job_title: str

    def describe(self, words: StageWords | None = None) -> str:
        """What happened, in words, for the page that linked it (`words`: the company's
        names for the stages)."""
        stage = (words or stage_labels()).label(self.status)
        if self.reused:
            return (f"{self.candidate_name} was already a candidate for {self.job_title} (at {stage}): "
                    "the referral is linked to that application, which keeps its source. The "
                    "referrer was told.")
        return (f"Linked {self.candidate_name} to {self.job_title}: they are on its Applicants tab "
                f"at {stage}, with the referral as their source. The referrer was told.")


def _uuid(value: UUID | str | None) -> UUID | None:
    if value is None or isinstance(value, UUID):
        return value
    try:
        return UUID(str(value).strip())
    except ValueError:
        return None


def link(actor: Actor, referral_id: UUID | str, job_id: UUID | str | None) -> Linked:
    """Link a referral open to anything to a published job: an application for that job with
    the referral as its source (or their application there already), the referral following
    its stage; the referrer is notified and the audit log records it. The database checks it
    all again, and of two recruiters linking one referral at once, one links it."""
    referral = _uuid(referral_id)
    job = _uuid(job_id)
    if job is None:
        problem = "Choose the job to link them to."
        raise ValidationError(problem, (("job", problem),))
    if referral is None:
        raise NotFound("That referral does not exist any more.")
    with translate_refusals(denied="Only recruiters and admins can link a referral to a job.",
                            missing="That referral or job does not exist any more."), \
            transaction(actor) as conn:
        row = conn.execute(sa.text(
            "select application_id, reused, status, candidate_name, job_title"
            " from private.link_referral_to_job(:referral, :job)"),
            {"referral": referral, "job": job}).one()
    return Linked(referral, **row._mapping)


def resume(actor: Actor, referral_id: UUID, store: ResumeStore | None = None) -> ResumeFile:
    """The résumé a referrer gave with a referral, read through the storage layer; each
    download is audited."""
    with transaction(actor) as conn:
        require_staff(conn, "download résumés")
        row = conn.execute(sa.text(
            "select resume_path, resume_name from public.referrals where id = :id"),
            {"id": referral_id}).first()
        if row is None or row.resume_path is None:
            raise NotFound("This referral has no résumé.")
        audit.record(conn, "referral.resume_downloaded", "referral", str(referral_id))
    return resume_file(row.resume_path, row.resume_name, store)
