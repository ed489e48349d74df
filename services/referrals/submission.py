"""Referring someone (alumni and employees): the form, who owns a candidate, the privacy
notice the candidate is owed, and personal referral links.

Ownership is decided in the database (`private.record_referral`): a referral waits for
its candidate to confirm (outcome 'pending': it owns nobody yet), by the one-time link in
the privacy notice emailed to them or by a recruiter who spoke to them
(`services.referrals.pipeline.confirm_for_candidate`). Then the first referral of a
candidate (matched by email and LinkedIn profile) owns them for the ownership period, a
later one is kept as a duplicate, and a candidate who had applied on their own is credited
to no one (these two are told at once: they never wait).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode
from uuid import UUID

import sqlalchemy as sa

from portal import audit, mail, validation
from portal.db import transaction, translate_refusals
from portal.errors import ValidationError
from portal.models import Actor
from portal.permissions import require_admin
from portal.public_address import public_url
from portal.storage import ResumeStore, discard, resume_store
from portal.words import counted
from services.candidates.applications import Resume, store_resume
from services.people import email_confirmation, preferences
from services.postings import company
from services.postings.tracking import TrackedSource, short_address, short_link_codes

OPEN_TO_ANYTHING = None  # the job of a referral for no job in particular


@dataclass(frozen=True)
class ReferralForm:
    full_name: str
    email: str
    linkedin_url: str = ""
    job_id: UUID | None = OPEN_TO_ANYTHING
    relationship: str = ""
    reason: str = ""
    candidate_agreed: bool = False


@dataclass(frozen=True)
class Referred:
    referral_id: UUID
    outcome: str  # pending (until the candidate confirms), duplicate or applied_first
    notice: str | None  # the privacy notice, when the candidate is owed one (without any link)
    notice_emailed: bool
    candidate_name: str = "They"
    confirmation_emailed: bool = False  # the notice carried the link that confirms the referral

    @property
    def message(self) -> str:
        """What the referrer is told, politely."""
        if self.outcome == "duplicate":
            return ("Thank you! This person has already been referred by someone else recently, so "
                    "this referral is recorded but the earlier one counts for the reward.")
        if self.outcome == "applied_first":
            return ("Thank you! This person had already applied to us themselves, so we have noted "
                    "your recommendation, but it does not count for a referral reward.")
        if self.outcome == "pending":
            asked = ("we have emailed them a link to confirm it" if self.confirmation_emailed else
                     "a recruiter confirms it with them when they get in touch")
            return (f"Thank you! Your referral has been received and the recruiters will review it. "
                    f"It counts for you once {self.candidate_name} confirms it: {asked}.")
        return "Thank you! Your referral has been received and the recruiters will review it."


def check_form(form: ReferralForm) -> ReferralForm:
    """The form with every field checked and tidied; its problems, all of them, raise one
    ValidationError saying what to fix in each field."""
    problems = validation.FormProblems()
    full_name = problems.check("full_name", validation.full_name, form.full_name)
    email = problems.check("email", validation.email_address, form.email)
    linkedin_url = problems.check("linkedin_url", validation.linkedin_url, form.linkedin_url)
    relationship = problems.check("relationship", validation.text, "How you know them",
                                  form.relationship, minimum=3, maximum=1000)
    reason = problems.check("reason", validation.text, "Why they fit", form.reason, minimum=10,
                            maximum=2000)
    if not form.candidate_agreed:
        problems.add("candidate_agreed", "Please confirm that the candidate agreed to be referred; "
                     "we cannot keep their details otherwise.")
    problems.raise_any()
    return ReferralForm(full_name=full_name, email=email, linkedin_url=linkedin_url or "",
                        job_id=form.job_id, relationship=relationship, reason=reason,
                        candidate_agreed=True)


def refer(actor: Actor, form: ReferralForm, resume: Resume | None = None,
          store: ResumeStore | None = None) -> Referred:
    """Submit a referral. The candidate is sent the privacy notice by email where SMTP is
    set, with the one-time link that confirms a pending referral; otherwise (or when sending
    fails) the notice comes back for the referrer to forward, without any link: a referrer
    may not confirm for their candidate (a recruiter does, after speaking to them)."""
    form = check_form(form)
    store = store or resume_store()
    resume_key = store_resume(resume, store)
    try:
        # private.submit_referral's refusals (who may refer, the job closed, the candidate
        # being the referrer) are written for users.
        with translate_refusals(), transaction(actor) as conn:
            row = conn.execute(sa.text(
                "select referral_id, outcome from private.submit_referral("
                " :name, :email, :linkedin, :job, :relationship, :reason, :resume, :resume_name, true)"),
                {"name": form.full_name, "email": form.email, "linkedin": form.linkedin_url or None,
                 "job": form.job_id, "relationship": form.relationship, "reason": form.reason,
                 "resume": resume_key, "resume_name": resume.file_name[-255:] if resume else None}).one()
            audit.record(conn, "referral.submitted", "referral", str(row.referral_id),
                         {"outcome": row.outcome})
            notice = None
            if row.outcome != "duplicate":  # the first referral's notice already told them
                notice = privacy_notice(conn, referrer=actor.display_name, candidate=form.full_name)
    except Exception:  # any failure: no orphan file
        if resume_key:
            discard(store, resume_key)
        raise
    emailed = confirming = False
    if notice and mail.enabled():
        link = row.outcome == "pending" and email_confirmation.notice_confirmation(row.referral_id)
        emailed = mail.send(form.email, "How we got your details", f"{notice}\n{link}" if link else notice)
        confirming = emailed and bool(link)
    return Referred(row.referral_id, row.outcome, notice, emailed, form.full_name, confirming)


# --- the privacy notice (GDPR Art. 14: data not obtained from the person) ----------------------

def privacy_notice(conn: sa.Connection, *, referrer: str, candidate: str) -> str:
    """Plain text, for an email or for the referrer to forward."""
    profile = company.load_profile(conn)
    name = profile.name if profile and profile.name else "The company"
    website = f" ({profile.website})" if profile and profile.website else ""
    months = max(1, round(preferences.load(conn).candidate_retention_days / 30))
    return (
        f"Dear {candidate},\n\n"
        f"{referrer} has referred you to {name} for a job, and told us that you agreed. The law "
        "asks us to tell you what we hold about you when it did not come from you.\n\n"
        f"Who holds your data: {name}{website}, through its recruiting portal.\n"
        f"Where it came from: {referrer}, who referred you.\n"
        "What we hold: your name, email address and LinkedIn profile, the job you were referred "
        "for, how the referrer knows you and why they think you fit, and a résumé if they sent one.\n"
        "Why: to consider you for jobs with us and to contact you about them (our legitimate "
        "interest in hiring people recommended to us).\n"
        "Who sees it: our recruiters. The referrer sees only how far your application has got.\n"
        f"How long: if you are not hired, we erase it about {counted(months, 'month')} after the last "
        "step in your application.\n"
        "Your rights: you may ask for a copy of your data, its correction or its erasure, object "
        "to its use, or ask us to stop considering you, at any time by replying to this message; "
        "and you may complain to your data protection authority.\n")


# --- open jobs and personal referral links -----------------------------------------------------

@dataclass(frozen=True)
class OpenJob:
    id: UUID
    title: str
    department: str


def _open_jobs(conn: sa.Connection) -> list[OpenJob]:
    rows = conn.execute(sa.text(
        "select id, title, department from public.jobs where status = 'published'"
        " order by department, title")).all()
    return [OpenJob(**row._mapping) for row in rows]


@dataclass(frozen=True)
class ReferralLinks:
    code: str
    board: str
    jobs: list[tuple[OpenJob, str]]


def my_links(actor: Actor) -> ReferralLinks:
    """The actor's personal links: the whole board, and a short link to each open job (the jobs
    the refer form offers, read in the same transaction)."""
    base = public_url()
    with translate_refusals(), transaction(actor) as conn:  # its refusal names who may have links
        code = conn.execute(sa.text("select private.my_referral_code()")).scalar_one()
        jobs = _open_jobs(conn)
        source = TrackedSource("referral", referral_code=code)
        codes = short_link_codes(conn, [job.id for job in jobs], source)
    return ReferralLinks(code, f"{base}/?{urlencode({'ref': code})}",
                         [(job, short_address(base, codes[job.id])) for job in jobs])


# --- the ownership period (admins) -------------------------------------------------------------

def ownership_months(actor: Actor) -> int:
    with transaction(actor) as conn:
        return conn.execute(sa.text(
            "select ownership_months from public.referral_settings where id = 1")).scalar_one()


def set_ownership_months(actor: Actor, months: int) -> None:
    if not 1 <= months <= 60:
        raise ValidationError("The ownership period must be between 1 and 60 months.")
    with transaction(actor) as conn:
        require_admin(conn, "change the referral ownership period")
        conn.execute(sa.text("update public.referral_settings set ownership_months = :m,"
                             " updated_at = now() where id = 1"), {"m": months})
        audit.record(conn, "referral_settings.updated", "referral_settings", "1",
                     {"ownership_months": str(months)})
