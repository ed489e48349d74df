"""Personal data on request: everything held about one email address as a file (export),
and erasing it (erase); and erasing unsuccessful candidates once the retention period in
the settings has passed (purge). An address may be a candidate's (applications, questions,
referrals of them), an alumnus' or employee's (the roster, the referrals they made, their
links, rewards, notifications and preferences), or both.

Each takes a connection, so that the admin pages run it as the admin (row-level security
applies) and the CLI as the database owner. Résumé files go inside the transaction that
forgets them, just before it commits (`remove_files`): a file store that fails rolls the
erasure back whole, to be run again, and no résumé outlives its record.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit, validation
from portal.db import owner_transaction, transaction
from portal.models import Actor
from portal.permissions import require_admin
from portal.storage import ResumeStore, resume_store
from portal.words import counted
from services.candidates.hiring_stages import stage_labels
from services.people import preferences
from services.referrals.stages import IN_PROGRESS, stage_words


def _rows(conn: Connection, sql: str, **params) -> list[dict]:
    return [_plain(dict(row._mapping)) for row in conn.execute(sa.text(sql), params)]


def _plain(row: dict) -> dict:
    return {key: value.isoformat() if isinstance(value, date)
            else str(value) if isinstance(value, UUID | Decimal) else value for key, value in row.items()}


def _with_files(rows: list[dict], store: ResumeStore) -> list[dict]:
    """Each row's résumé file (`resume_path`, ours to know) as `resume_base64` (None when the
    file is gone; no key when there was none)."""
    for row in rows:
        key = row.pop("resume_path")
        if key:
            try:
                row["resume_base64"] = base64.b64encode(store.read(key)).decode()
            except (OSError, ValueError):
                row["resume_base64"] = None
    return rows


def export_person(conn: Connection, email: str, store: ResumeStore | None = None) -> dict:
    """Everything held about `email`: candidate record, applications (with résumés),
    referrals of them, questions they asked, their account, and what the referral programme
    holds about them as a referrer. Empty lists when nothing."""
    email = validation.email_address(email)
    store = store or resume_store()
    applications = _with_files(_rows(conn, """
        select a.id, j.title as job, a.status, a.source, a.utm_medium, a.utm_campaign,
               a.referral_code, a.note, a.resume_name, a.resume_path, a.consent_at, a.created_at,
               a.updated_at
        from public.applications a
        join public.candidates c on c.id = a.candidate_id
        join public.jobs j on j.id = a.job_id
        where lower(c.email) = :email order by a.created_at""", email=email), store)
    # Stages in words, as the person reads them elsewhere (the company's wording for candidates).
    status_words, referral_words = stage_labels(), stage_words(None)
    for application in applications:
        application["status"] = status_words.candidate_label(application["status"])
    referrals = _with_files(_rows(conn, """
            select p.full_name as referred_by, j.title as job, r.relationship, r.reason, r.stage,
                   r.linkedin_url, r.resume_name, r.resume_path, r.candidate_agreed_at, r.origin,
                   r.outcome, r.start_date, r.left_on, r.created_at,
                   (select coalesce(json_agg(json_build_object('stage', e.to_stage, 'at', e.changed_at)
                                             order by e.id), '[]')
                    from public.referral_stage_events e where e.referral_id = r.id) as stages
            from public.referrals r
            join public.candidates c on c.id = r.candidate_id
            left join public.profiles p on p.id = r.referrer_id
            left join public.jobs j on j.id = r.job_id
            where lower(c.email) = :email order by r.created_at""", email=email), store)
    for referral in referrals:
        referral["stage"] = referral_words.name(referral["stage"])
        referral["stages"] = [{**step, "stage": referral_words.name(step["stage"])}
                              for step in referral["stages"]]
    as_referrer = _as_referrer(conn, email)
    for made in as_referrer["referrals_made"]:
        made["stage"] = referral_words.name(made["stage"])
    return {
        "email": email,
        "exported_at": datetime.now().astimezone().isoformat(),
        "candidate": _rows(conn, """
            select full_name, email, phone, linkedin_url, created_at
            from public.candidates where lower(email) = :email""", email=email),
        "applications": applications,
        # Referrals of them name who referred them: Art. 15(1)(g) gives them "any available
        # information as to the source" of data not collected from them, and the Art. 14
        # notice they were sent named the referrer already. Only the name, though: the
        # referrer's email, their other referrals and their rewards are the referrer's own
        # data (Art. 15(4)), and so are the referrer's notifications about them.
        "referrals": referrals,
        # The keys (email, LinkedIn profile) by which a referral owns them, and until when.
        "referral_identities": _rows(conn, """
            select o.identity, lower(o.owned) as owned_from, upper(o.owned) as owned_until
            from public.referral_ownerships o
            join public.referrals r on r.id = o.referral_id
            join public.candidates c on c.id = r.candidate_id
            where lower(c.email) = :email order by lower(o.owned), o.identity""", email=email),
        "questions": _rows(conn, """
            select q.body, q.status, q.answer, q.created_at as asked_at, q.answered_at
            from public.questions q join public.question_askers a on a.question_id = q.id
            left join public.profiles p on p.id = a.user_id
            where lower(a.email) = :email or lower(p.email) = :email
            order by q.created_at""", email=email),
        "account": _rows(conn, """
            select email, full_name, role, active, created_at
            from public.profiles where lower(email) = :email""", email=email),
        **as_referrer,
    }


REFERRER_PARTS = ("alumni_roster", "referrals_made", "referral_codes", "referral_payouts",
                  "referral_notifications", "referrer_preferences", "boomerang_interest")


def found(data: dict) -> str:
    """What an export holds, in a line."""
    return (f"{counted(len(data['applications']), 'application')}, "
            f"{counted(len(data['referrals']), 'referral')} of them, "
            f"{counted(len(data['questions']), 'question')} and "
            f"{counted(sum(len(data[k]) for k in REFERRER_PARTS), 'record')} of the referral "
            "programme about them as a referrer found.")


def _as_referrer(conn: Connection, email: str) -> dict[str, list[dict]]:
    """What the referral programme holds about an alumnus or employee. The referrals they
    made show the candidate's name and what the referrer wrote, as on their My referrals
    page; the candidate's contact details and résumé are the candidate's. Job digests are
    sent to all alumni alike and hold nothing about anyone."""
    mine = "user_id in (select id from public.profiles where lower(email) = :email)"
    return {
        "alumni_roster": _rows(conn, """
            select full_name, email, department, last_day, linkedin_url, created_at, invited_at,
                   invitation_expires_at, registered_at
            from public.alumni_roster where email = :email""", email=email),
        "referrals_made": _rows(conn, """
            select c.full_name as candidate, j.title as job, r.relationship, r.reason, r.linkedin_url,
                   r.resume_name, r.stage, r.outcome, r.origin, r.reward_amount, r.reward_paid_at,
                   r.created_at
            from public.referrals r
            join public.profiles p on p.id = r.referrer_id
            join public.candidates c on c.id = r.candidate_id
            left join public.jobs j on j.id = r.job_id
            where lower(p.email) = :email order by r.created_at""", email=email),
        "referral_codes": _rows(conn, f"""
            select code, created_at from public.referral_codes where {mine}""", email=email),  # noqa: S608
        "referral_payouts": _rows(conn, """
            select j.title as job, p.share_percent, p.amount, p.start_date, p.due_on, p.paid_at,
                   p.forfeited_at, p.created_at
            from public.referral_payouts p
            join public.profiles me on me.id = p.referrer_id
            left join public.referrals r on r.id = p.referral_id
            left join public.jobs j on j.id = r.job_id
            where lower(me.email) = :email order by p.due_on""", email=email),
        "referral_notifications": _rows(conn, f"""
            select message, created_at, read_at from public.referral_notifications
            where {mine} order by id""", email=email),  # noqa: S608
        "referrer_preferences": _rows(conn, f"""
            select leaderboard_opt_out, updated_at from public.referrer_preferences
            where {mine}""", email=email),  # noqa: S608
        "boomerang_interest": _rows(conn, f"""
            select areas, notes, created_at, updated_at from public.boomerang_interest
            where {mine}""", email=email),  # noqa: S608
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
    roster: int = 0               # alumni roster rows
    referrer_rows: int = 0        # referral links, notifications, preferences, comeback interest
    referrals_made: int = 0       # kept: the candidates' records
    payouts: int = 0              # kept: bookkeeping

    @property
    def anything(self) -> bool:
        return bool(self.candidates or self.questions_deleted or self.questions_unlinked
                    or self.roster or self.referrer_rows)

    def summary(self) -> str:
        if not (self.anything or self.has_account):
            return "Nothing is held about that address."
        text = (f"Erased {counted(self.candidates, 'candidate record')}, "
                f"{counted(self.applications, 'application')}, {counted(self.referrals, 'referral')} "
                f"and {counted(len(self.resumes), 'résumé file')}; deleted "
                f"{counted(self.questions_deleted, 'unpublished question')} and removed the asker "
                f"from {counted(self.questions_unlinked, 'published one')}.")
        if self.roster or self.referrer_rows:
            entries = counted(self.roster, "alumni roster entry", "alumni roster entries")
            text += (f" As a referrer: removed {entries} and {counted(self.referrer_rows, 'other record')}"
                     " (referral links, notifications, "
                     "leaderboard choice, interest in coming back).")
        if self.referrals_made or self.payouts:
            text += (f" Kept {counted(self.referrals_made, 'referral')} they made, which are the referred "
                     f"candidates' records, and {counted(self.payouts, 'referral bonus payout')}, which "
                     "bookkeeping law requires us to keep.")
        if self.has_account:
            text += (" The person also has a portal account: deactivate it on the Users page, or "
                     "ask them to delete it, to remove their sign-in.")
        return text

    def purge_summary(self) -> str:
        return (f"Erased {counted(self.candidates, 'unsuccessful candidate')} past the retention "
                f"period, with {counted(self.applications, 'application')} and "
                f"{counted(len(self.resumes), 'résumé file')}.")


def _erase_candidates(conn: Connection, candidate_ids: list[UUID]) -> Erasure:
    """Delete the candidates; their applications and the referrals of them go with them,
    and with the referrals everything derived from them: the ownership identities (so the
    person can be referred afresh), stage history and the referrers' notifications about
    them. Bonus payouts stay, detached from the referral (see the migration
    20261130300000_referral_privacy.sql)."""
    erasure = Erasure()
    if not candidate_ids:
        return erasure
    params = {"ids": candidate_ids}
    erasure.resumes = list(conn.execute(sa.text(
        "select resume_path from public.applications"
        " where candidate_id = any(:ids) and resume_path is not null"
        " union select resume_path from public.referrals"
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
    _erase_referrer(conn, email, erasure)
    # Links waiting to confirm the address (a sign-up's name and password hash among them).
    conn.execute(sa.text("select private.forget_email_confirmations(:email)"), {"email": email})
    # The log says that an erasure happened and how much, never whose.
    audit.record(conn, "privacy.erased", "person", None,
                 {"candidates": str(erasure.candidates), "applications": str(erasure.applications),
                  "questions": str(erasure.questions_deleted + erasure.questions_unlinked),
                  "referrer_records": str(erasure.roster + erasure.referrer_rows)})
    return erasure


def _erase_referrer(conn: Connection, email: str, erasure: Erasure) -> None:
    """What the referral programme holds about an alumnus or employee goes: the roster row,
    their referral links (applications through an old link no longer become referrals),
    notifications, leaderboard choice and interest in coming back. Kept: the referrals they
    made, which are the referred candidates' records (and go when those candidates are
    erased or the account is deleted), and their bonus payouts: money paid out is a payroll
    and bookkeeping record that commercial and tax law require us to keep for years (e.g.
    6 to 10), which GDPR Art. 17(3)(b) allows."""
    params = {"email": email}
    erasure.roster = conn.execute(sa.text(
        "delete from public.alumni_roster where email = :email"), params).rowcount
    users = list(conn.execute(sa.text(
        "select id from public.profiles where lower(email) = :email"), params).scalars())
    if not users:
        return
    for table in ("referral_codes", "referral_notifications", "referrer_preferences", "boomerang_interest"):
        erasure.referrer_rows += conn.execute(sa.text(
            f"delete from public.{table} where user_id = any(:users)"), {"users": users}).rowcount  # noqa: S608
    erasure.referrals_made, erasure.payouts = conn.execute(sa.text(
        "select (select count(*) from public.referrals where referrer_id = any(:users)),"
        "       (select count(*) from public.referral_payouts where referrer_id = any(:users))"),
        {"users": users}).one()


def remove_files(erasure: Erasure, store: ResumeStore | None = None) -> None:
    """Delete the résumés of an erasure, inside its transaction before it commits: when the
    file store fails (StorageUnavailable), the erasure rolls back whole and can simply be run
    again, so no résumé outlives the record that pointed to it. (A file deleted before a
    commit that then fails is one the erasure was deleting anyway; running it again ends it.)"""
    store = store or resume_store()
    for key in erasure.resumes:
        store.delete(key)


# Unsuccessful: applied or was referred, nothing open or hired any more, and nothing has
# happened for the retention period. A duplicate or applied-first referral that nobody
# moved on is a record of who else referred them, not an open process (services.referrals.stages
# IN_PROGRESS): it does not keep the candidate's data for ever.
_EXPIRED = f"""
    select c.id from public.candidates c
    where (exists (select 1 from public.applications a where a.candidate_id = c.id)
           or exists (select 1 from public.referrals r where r.candidate_id = c.id))
      and not exists (select 1 from public.applications a where a.candidate_id = c.id
                      and a.status not in ('rejected', 'withdrawn'))
      and not exists (select 1 from public.referrals r where r.candidate_id = c.id
                      and (r.stage = 'hired' or {IN_PROGRESS}))
      and greatest(c.created_at,
                   (select max(a.updated_at) from public.applications a where a.candidate_id = c.id),
                   (select max(r.stage_changed_at) from public.referrals r where r.candidate_id = c.id))
          < now() - make_interval(days => :days)
"""  # noqa: S608


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
        f"**How long:** if you are not hired, your data is erased about {counted(months, 'month')} "
        "after the last step in your application.\n\n"
        "**Your rights:** you may ask for a copy of your data, its correction or its erasure "
        "at any time, by writing to the recruiting team; and you may complain to your data "
        "protection authority.")
