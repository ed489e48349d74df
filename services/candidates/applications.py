"""Applications: applying to a job (visitors and candidates), following an application by
its private link, and the signed-in candidate's list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import sqlalchemy as sa

from portal import mail, outbox, tokens, validation
from portal.db import owner_transaction, transaction, translate_refusals
from portal.errors import ValidationError
from portal.models import Actor
from portal.permissions import require_staff
from portal.storage import ResumeStore, discard, resume_store
from portal.words import counted
from services.candidates import private_links
from services.candidates.hiring_stages import (
    DEFAULT_CANDIDATE_LABELS,
    DEFAULT_LABELS,
    STAGES,
    StageWords,
    candidate_stage,
    stage_labels,
)
from services.people import email_confirmation
from services.postings.tracking import TrackedSource

# --- stages: one list; their words are the company's (hiring_stages.stage_labels) ------------

# The defaults, for code that has no database at hand; screens read `stage_labels(actor)`.
STAGE_LABELS = DEFAULT_LABELS
CANDIDATE_STAGE_LABELS = DEFAULT_CANDIDATE_LABELS
# Why a candidate is not selected (recruiters only; the candidate never sees it).
REJECTION_REASONS = {"skills": "Skills or experience do not match",
                     "another_candidate": "Another candidate was a closer fit",
                     "position_closed": "The position was filled or closed",
                     "no_response": "The candidate did not respond",
                     "salary": "Salary expectations do not match",
                     "location": "Location or right to work",
                     "other": "Other (say why)"}
MAX_NOTE = 2000
MAX_MESSAGE = 2000
MAX_REASON_DETAIL = 300
# A starting point for the message to a candidate who is not selected; recruiters edit it.
REJECTION_TEMPLATE = ("Thank you for applying and for the time you gave us. We have decided not to "
                      "go further with your application for this role. We wish you every success, "
                      "and hope to see your name again for another opening.")


def time_in_stage(since: datetime, now: datetime | None = None) -> str:
    """"today", "1 day", "12 days": how long an application has been at its stage."""
    days = ((now or datetime.now(UTC)) - since).days
    return "today" if days < 1 else counted(days, "day")


@dataclass(frozen=True)
class MyApplication:
    id: UUID
    job_title: str
    department: str
    status: str
    created_at: datetime
    message: str | None = None
    message_at: datetime | None = None

    @property
    def stage(self) -> str:
        return candidate_stage(self.status)


def my_applications(actor: Actor) -> list[MyApplication]:
    """The signed-in candidate's applications (a candidate has a handful, so no paging)."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            """
            select a.id, j.title as job_title, j.department, a.status::text as status, a.created_at,
                   a.candidate_message as message, a.candidate_message_at as message_at
            from public.applications a
            join public.candidates c on c.id = a.candidate_id
            join public.jobs j on j.id = a.job_id
            where c.user_id = :me
            order by a.created_at desc
            """), {"me": actor.user_id}).all()
    return [MyApplication(**row._mapping) for row in rows]


# --- applying (visitors and candidates) ------------------------------------------------------

@dataclass(frozen=True)
class ApplicationForm:
    full_name: str
    email: str
    phone: str = ""
    linkedin_url: str = ""
    note: str = ""
    consent: bool = False


@dataclass(frozen=True)
class Resume:
    file_name: str
    data: bytes


@dataclass(frozen=True)
class Applied:
    application_id: UUID
    created: bool
    follow_link: str | None  # None for a duplicate: the first application's link stands
    # Made through a referral link: a link to confirm the email is on its way, and the
    # referrer is credited only once it is opened.
    confirming_referral: bool = False
    applicant: tuple[str, str] = ("", "")  # the name and email applied with (to offer an account)

    @property
    def duplicate(self) -> bool:
        return not self.created


def check_form(form: ApplicationForm, resume: Resume | None = None) -> ApplicationForm:
    """The form with every field checked and tidied (the résumé too, if any); its problems,
    all of them, raise one ValidationError saying what to fix in each field."""
    problems = validation.FormProblems()
    full_name = problems.check("full_name", validation.full_name, form.full_name)
    email = problems.check("email", validation.email_address, form.email)
    phone = problems.check("phone", validation.phone, form.phone)
    linkedin_url = problems.check("linkedin_url", validation.linkedin_url, form.linkedin_url)
    note = problems.check("note", validation.text, "Note", form.note, maximum=2000)
    if not form.consent:
        problems.add("consent", "Please tick the box to agree to the privacy notice; we cannot "
                     "keep your application without it.")
    if resume is not None:
        problems.check("resume", validation.resume, resume.file_name, resume.data)
    problems.raise_any()
    return ApplicationForm(full_name=full_name, email=email, phone=phone or "",
                           linkedin_url=linkedin_url or "", note=note, consent=True)


def store_resume(resume: Resume | None, store: ResumeStore) -> str | None:
    """Check `resume`, store it and record it as an upload of the server's, which applying
    or referring may attach once (the database takes no other file); its key, or None."""
    if resume is None:
        return None
    extension, content_type = validation.resume(resume.file_name, resume.data)
    key = store.save(resume.data, extension, content_type)
    try:
        with owner_transaction() as conn:
            conn.execute(sa.text("insert into private.resume_uploads (path) values (:path)"),
                         {"path": key})
    except Exception:
        discard(store, key)
        raise
    return key


def apply(actor: Actor, job_id: UUID, form: ApplicationForm, resume: Resume | None,
          source: TrackedSource, store: ResumeStore | None = None) -> Applied:
    """Apply to a published job. A second application to the same job with the same email
    stores nothing (not even the résumé) and says so."""
    form = check_form(form, resume)
    store = store or resume_store()
    resume_key = store_resume(resume, store)
    token = tokens.new_token()
    try:
        # private.submit_application's refusal (the job closed) is written for users.
        with translate_refusals(), transaction(actor) as conn:
            row = conn.execute(sa.text(
                "select application_id, created from private.submit_application("
                " :job, :name, :email, :phone, :linkedin, :note, :source, :medium, :campaign,"
                " :post, :ref, :resume, :resume_name, :token)"),
                {"job": job_id, "name": form.full_name, "email": form.email,
                 "phone": form.phone or None, "linkedin": form.linkedin_url or None,
                 "note": form.note or None, "source": source.source, "medium": source.medium,
                 "campaign": source.campaign, "post": source.post_id, "ref": source.referral_code,
                 "resume": resume_key, "resume_name": resume.file_name[-255:] if resume else None,
                 "token": tokens.token_hash(token)}).one()
    except Exception:  # any failure (the database unreachable too): no orphan file
        if resume_key:
            discard(store, resume_key)
        raise
    if not row.created:
        if resume_key:
            discard(store, resume_key)
        return Applied(row.application_id, False, None)
    # Through someone's referral link: the referral waits for the email's owner to confirm.
    confirming = (source.referral_code is not None
                  and email_confirmation.request_referral_confirmation(row.application_id))
    return Applied(row.application_id, True, private_links.follow_link("application", token),
                   confirming, (form.full_name, form.email))


@dataclass(frozen=True)
class FollowedApplication:
    job_title: str
    status: str
    applied_at: datetime
    updated_at: datetime
    job_id: UUID
    message: str | None = None
    message_at: datetime | None = None

    @property
    def stage(self) -> str:
        return candidate_stage(self.status)


def application_by_link(actor: Actor, token: str) -> FollowedApplication | None:
    """What the private link shows, or None for a link that matches nothing."""
    row = private_links.find(actor, "private.application_by_token", token)
    return FollowedApplication(**row._mapping) if row else None




# --- working the pipeline (recruiters and admins) ---------------------------------------------

@dataclass(frozen=True)
class MoveForm:
    application_ids: tuple[UUID, ...]
    stage: str | None
    reason: str | None = None  # for a rejection: a key of REJECTION_REASONS
    reason_detail: str = ""  # for "other"
    message: str = ""  # to the candidate, optional


@dataclass(frozen=True)
class Moved:
    moved: int  # applications given the stage (or the message)
    unchanged: int  # already there, with no message to give
    emails_queued: int  # messages the worker will email

    def describe(self, stage: str, noun: str, with_message: bool, words: StageWords | None = None) -> str:
        """"Moved 2 applicants to Rejected. 1 applicant already there. 2 messages will be
        emailed." for the page that moved them (`noun`: what the page calls them)."""
        told = (f" {counted(self.emails_queued, 'message')} will be emailed." if self.emails_queued
                else " The message is on their follow link and under My applications." if with_message
                else "")
        same = f" {counted(self.unchanged, noun)} already there." if self.unchanged else ""
        return f"Moved {counted(self.moved, noun)} to {(words or stage_labels()).label(stage)}.{same}{told}"


def check_move(form: MoveForm) -> MoveForm:
    """The move with every field checked and tidied; all its problems raise one
    ValidationError (the database checks the same again)."""
    problems = validation.FormProblems()
    if not form.application_ids:
        problems.add("applicants", "Choose at least one applicant to move.")
    if form.stage not in STAGES:
        problems.add("stage", "Choose the stage to move them to.")
    reason = form.reason if form.stage == "rejected" else None
    if form.stage == "rejected" and reason not in REJECTION_REASONS:
        problems.add("reason", "Choose why they are not selected.")
    detail = ""
    if reason == "other":
        if not (form.reason_detail or "").strip():
            problems.add("reason_detail", "Say in a few words why, for “Other”.")
        detail = problems.check("reason_detail", validation.text, "Reason", form.reason_detail,
                                maximum=MAX_REASON_DETAIL)
    message = problems.check("message", validation.text, "Message to the candidate", form.message,
                             maximum=MAX_MESSAGE)
    problems.raise_any()
    return MoveForm(tuple(form.application_ids), form.stage, reason, detail or "", message or "")


def move(actor: Actor, form: MoveForm) -> Moved:
    """Give applications a stage (a rejection with its reason), and the candidates a message
    if one is written: stored for their follow link and My applications, and queued for the
    worker to email when SMTP is set. The database records each move in the history, the
    audit log, and moves the referrals for the same person and job."""
    form = check_move(form)
    queue_email = mail.enabled()
    with translate_refusals(), transaction(actor) as conn:
        rows = conn.execute(sa.text(
            "select application_id, from_status, email_id from private.move_applications("
            " cast(:ids as uuid[]), :stage, :reason, :detail, :message, :email)"),
            {"ids": list(form.application_ids), "stage": form.stage, "reason": form.reason,
             "detail": form.reason_detail or None, "message": form.message or None,
             "email": queue_email}).all()
    emails = [r.email_id for r in rows if r.email_id]
    if emails:
        outbox.defer(emails)
    return Moved(len(rows), len(set(form.application_ids)) - len(rows), len(emails))


@dataclass(frozen=True)
class StageEvent:
    from_status: str | None
    to_status: str
    changed_at: datetime
    changed_by: str | None
    reason: str | None
    reason_detail: str | None
    message: str | None

    def describe(self, words: StageWords | None = None) -> str:
        """"Screening → Rejected (Salary expectations do not match)" for the history, in
        `words` (the company's names for the stages; the defaults without)."""
        name = (words or stage_labels()).label
        moved = (f"{name(self.from_status)} → {name(self.to_status)}"
                 if self.from_status else name(self.to_status))
        if self.reason:
            why = self.reason_detail if self.reason == "other" else REJECTION_REASONS[self.reason]
            moved += f" ({why})"
        return moved


@dataclass(frozen=True)
class Note:
    author: str | None
    body: str
    created_at: datetime


@dataclass(frozen=True)
class Record:
    """One application's history and notes (staff)."""
    events: list[StageEvent]
    notes: list[Note]
    message: str | None
    message_at: datetime | None


def record(actor: Actor, application_id: UUID) -> Record:
    """An application's stage history, oldest first, and its notes, newest first."""
    with transaction(actor) as conn:
        require_staff(conn, "read an application's history")
        events = conn.execute(sa.text(
            "select e.from_status::text as from_status, e.to_status::text as to_status, e.changed_at,"
            " coalesce(nullif(p.full_name, ''), p.email) as changed_by, e.reason, e.reason_detail,"
            " e.message from public.application_events e"
            " left join public.profiles p on p.id = e.changed_by"
            " where e.application_id = :id order by e.id"), {"id": application_id}).all()
        notes = conn.execute(sa.text(
            "select coalesce(nullif(p.full_name, ''), p.email) as author, n.body, n.created_at"
            " from public.application_notes n left join public.profiles p on p.id = n.author_id"
            " where n.application_id = :id order by n.id desc"), {"id": application_id}).all()
        message = conn.execute(sa.text(
            "select candidate_message, candidate_message_at from public.applications where id = :id"),
            {"id": application_id}).first()
    return Record([StageEvent(**e._mapping) for e in events], [Note(**n._mapping) for n in notes],
                  message.candidate_message if message else None,
                  message.candidate_message_at if message else None)


def add_note(actor: Actor, application_id: UUID, body: str) -> None:
    """A note on an application, in the actor's name (staff; candidates never see notes)."""
    if not (body or "").strip():
        raise ValidationError("Write the note first.")
    text = validation.text("Note", body, maximum=MAX_NOTE)
    with translate_refusals(denied="Only recruiters and admins can add notes.",
                            missing="That application does not exist any more."), \
            transaction(actor) as conn:
        conn.execute(sa.text(
            "insert into public.application_notes (application_id, body) values (:id, :body)"),
            {"id": application_id, "body": text})


@dataclass(frozen=True)
class FunnelRow:
    source: str
    applied: int
    reviewing: int
    interviewing: int
    offer: int
    hired: int
    rejected: int
    withdrawn: int


def funnel(actor: Actor, job_id: UUID) -> list[FunnelRow]:
    """A job's funnel per source: how many applied, reached screening, an interview, an offer,
    were hired (from the history), and are rejected or withdrew; counted in SQL."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text("select * from private.application_funnel(:job)"),
                            {"job": job_id}).all()
    return [FunnelRow(**row._mapping) for row in rows]


def funnel_total(rows: list[FunnelRow]) -> FunnelRow:
    """All sources together."""
    return FunnelRow("all", *(sum(getattr(r, f) for r in rows)
                              for f in ("applied", "reviewing", "interviewing", "offer", "hired",
                                        "rejected", "withdrawn")))
