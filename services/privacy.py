"""Candidates' personal data on request: everything held about one email address as a
file (export), and erasing it (erase); and erasing unsuccessful candidates once the
retention period in the settings has passed (purge).

Each takes a connection, so that the admin pages run it as the admin (row-level security
applies) and the CLI as the database owner. Résumé files go after the commit that
forgets them: a failed transaction leaves every file in place.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import validation
from portal.db import owner_transaction, transaction
from portal.models import Actor
from portal.storage import ResumeStore, resume_store
from services import audit, preferences
from services.permissions import require_admin


def _rows(conn: Connection, sql: str, **params) -> list[dict]:
    return [_plain(dict(row._mapping)) for row in conn.execute(sa.text(sql), params)]


def _plain(row: dict) -> dict:
    return {key: value.isoformat() if isinstance(value, datetime)
            else str(value) if isinstance(value, UUID) else value for key, value in row.items()}


def export_person(conn: Connection, email: str, store: ResumeStore | None = None) -> dict:
    """Everything held about `email`: candidate record, applications (with résumés),
    referrals of them, questions they asked, their account. Empty lists when nothing."""
    email = validation.email_address(email)
    store = store or resume_store()
    applications = _rows(conn, """
        select a.id, j.title as job, a.status, a.source, a.utm_medium, a.utm_campaign,
               a.referral_code, a.note, a.resume_name, a.resume_path, a.consent_at, a.created_at,
               a.updated_at
        from public.applications a
        join public.candidates c on c.id = a.candidate_id
        join public.jobs j on j.id = a.job_id
        where lower(c.email) = :email order by a.created_at""", email=email)
    for application in applications:
        key = application.pop("resume_path")
        if key:
            try:
                application["resume_base64"] = base64.b64encode(store.read(key)).decode()
            except (OSError, ValueError):
                application["resume_base64"] = None
    return {
        "email": email,
        "exported_at": datetime.now().astimezone().isoformat(),
        "candidate": _rows(conn, """
            select full_name, email, phone, linkedin_url, created_at
            from public.candidates where lower(email) = :email""", email=email),
        "applications": applications,
        "referrals": _rows(conn, """
            select p.full_name as referred_by, j.title as job, r.relationship, r.reason, r.stage,
                   r.created_at
            from public.referrals r
            join public.candidates c on c.id = r.candidate_id
            left join public.profiles p on p.id = r.referrer_id
            left join public.jobs j on j.id = r.job_id
            where lower(c.email) = :email order by r.created_at""", email=email),
        "questions": _rows(conn, """
            select q.body, q.status, q.answer, q.created_at as asked_at, q.answered_at
            from public.questions q join public.question_askers a on a.question_id = q.id
            left join public.profiles p on p.id = a.user_id
            where lower(a.email) = :email or lower(p.email) = :email
            order by q.created_at""", email=email),
        "account": _rows(conn, """
            select email, full_name, role, active, created_at
            from public.profiles where lower(email) = :email""", email=email),
    }


@dataclass
class Erasure:
    candidates: int = 0
    applications: int = 0
    referrals: int = 0
    questions_deleted: int = 0
    questions_unlinked: int = 0
    resumes: list[str] = field(default_factory=list, repr=False)
    has_account: bool = False

    @property
    def anything(self) -> bool:
        return bool(self.candidates or self.questions_deleted or self.questions_unlinked)

    def summary(self) -> str:
        if not (self.anything or self.has_account):
            return "Nothing is held about that address."
        text = (f"Erased {self.candidates} candidate record(s), {self.applications} application(s), "
                f"{self.referrals} referral(s) and {len(self.resumes)} résumé file(s); deleted "
                f"{self.questions_deleted} unpublished question(s) and removed the asker from "
                f"{self.questions_unlinked} published one(s).")
        if self.has_account:
            text += (" The person also has a portal account: deactivate it on the Users page, or "
                     "ask them to delete it, to remove their sign-in.")
        return text

    def purge_summary(self) -> str:
        return (f"Erased {self.candidates} unsuccessful candidate(s) past the retention period, "
                f"with {self.applications} application(s) and {len(self.resumes)} résumé file(s).")


def _erase_candidates(conn: Connection, candidate_ids: list[UUID]) -> Erasure:
    erasure = Erasure()
    if not candidate_ids:
        return erasure
    params = {"ids": candidate_ids}
    erasure.resumes = list(conn.execute(sa.text(
        "select resume_path from public.applications"
        " where candidate_id = any(:ids) and resume_path is not null"), params).scalars())
    erasure.applications, erasure.referrals = conn.execute(sa.text(
        "select (select count(*) from public.applications where candidate_id = any(:ids)),"
        "       (select count(*) from public.referrals where candidate_id = any(:ids))"), params).one()
    erasure.candidates = conn.execute(sa.text(
        "delete from public.candidates where id = any(:ids)"), params).rowcount
    return erasure


def erase_person(conn: Connection, email: str, store: ResumeStore | None = None) -> Erasure:
    """Erase what is held about `email` (see Erasure.summary). Hires stay, without the person:
    the savings report counts them, and they hold no personal data."""
    email = validation.email_address(email)
    candidate_ids = list(conn.execute(sa.text(
        "select id from public.candidates where lower(email) = :email"), {"email": email}).scalars())
    erasure = _erase_candidates(conn, candidate_ids)
    asked = list(conn.execute(sa.text(
        "select a.question_id from public.question_askers a"
        " left join public.profiles p on p.id = a.user_id"
        " where lower(a.email) = :email or lower(p.email) = :email"), {"email": email}).scalars())
    if asked:
        erasure.questions_deleted = conn.execute(sa.text(
            "delete from public.questions where id = any(:ids) and status <> 'published'"),
            {"ids": asked}).rowcount
        erasure.questions_unlinked = conn.execute(sa.text(
            "delete from public.question_askers where question_id = any(:ids)"), {"ids": asked}).rowcount
    erasure.has_account = bool(conn.execute(sa.text(
        "select 1 from public.profiles where lower(email) = :email"), {"email": email}).first())
    # The log says that an erasure happened and how much, never whose.
    audit.record(conn, "privacy.erased", "person", None,
                 {"candidates": str(erasure.candidates), "applications": str(erasure.applications),
                  "questions": str(erasure.questions_deleted + erasure.questions_unlinked)})
    return erasure


def remove_files(erasure: Erasure, store: ResumeStore | None = None) -> None:
    """Delete the résumés of a committed erasure."""
    store = store or resume_store()
    for key in erasure.resumes:
        store.delete(key)


# Unsuccessful: applied or was referred, nothing open or hired any more, and nothing has
# happened for the retention period.
_EXPIRED = """
    select c.id from public.candidates c
    where (exists (select 1 from public.applications a where a.candidate_id = c.id)
           or exists (select 1 from public.referrals r where r.candidate_id = c.id))
      and not exists (select 1 from public.applications a where a.candidate_id = c.id
                      and a.status not in ('rejected', 'withdrawn'))
      and not exists (select 1 from public.referrals r where r.candidate_id = c.id
                      and r.stage <> 'not_selected')
      and greatest(c.created_at,
                   (select max(a.updated_at) from public.applications a where a.candidate_id = c.id),
                   (select max(r.stage_changed_at) from public.referrals r where r.candidate_id = c.id))
          < now() - make_interval(days => :days)
"""


def purge_expired(conn: Connection) -> Erasure:
    """Erase unsuccessful candidates whose retention period has passed."""
    days = preferences.load(conn).candidate_retention_days
    ids = list(conn.execute(sa.text(_EXPIRED), {"days": days}).scalars())
    erasure = _erase_candidates(conn, ids)
    if ids:
        audit.record(conn, "privacy.purged", "candidates", None,
                     {"candidates": str(erasure.candidates), "retention_days": str(days)})
    return erasure


# --- for the admin page -------------------------------------------------------------------

def export_for(actor: Actor, email: str) -> dict:
    with transaction(actor) as conn:
        require_admin(conn, "export a person's data")
        data = export_person(conn, email)
        audit.record(conn, "privacy.exported", "person", None)
    return data


def erase_for(actor: Actor, email: str) -> Erasure:
    with transaction(actor) as conn:
        require_admin(conn, "erase a person's data")
        erasure = erase_person(conn, email)
    remove_files(erasure)
    return erasure


def purge_for(actor: Actor) -> Erasure:
    with transaction(actor) as conn:
        require_admin(conn, "erase expired candidates")
        erasure = purge_expired(conn)
    remove_files(erasure)
    return erasure


def purge_as_owner() -> Erasure:
    """The scheduled purge (`portal privacy purge`, the worker's daily task): no user, the
    owner's rights."""
    with owner_transaction() as conn:
        erasure = purge_expired(conn)
    remove_files(erasure)
    return erasure


def privacy_notice(company_name: str, retention_days: int) -> str:
    """What applicants agree to, in plain words (Markdown; the company name is escaped by
    the caller's page, so it is passed in already made safe)."""
    months = max(1, round(retention_days / 30))
    return (
        f"**Who holds your data:** {company_name}, through its recruiting portal.\n\n"
        "**Why:** to consider your application for this job and to contact you about it.\n\n"
        "**What:** the details in this form, your résumé and where the link you followed "
        "came from. Recruiters see them; nobody else does.\n\n"
        f"**How long:** if you are not hired, your data is erased about {months} month(s) "
        "after the last step in your application.\n\n"
        "**Your rights:** you may ask for a copy of your data, its correction or its erasure "
        "at any time, by writing to the recruiting team; and you may complain to your data "
        "protection authority.")
