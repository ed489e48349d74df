"""Applications: applying to a job (visitors and candidates), following an application by
its private link, and the signed-in candidate's list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from portal import tokens, validation
from portal.db import owner_transaction, transaction, translate_refusals
from portal.models import Actor
from portal.storage import ResumeStore, resume_store
from services.candidates import private_links
from services.postings.tracking import TrackedSource


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

    @property
    def duplicate(self) -> bool:
        return not self.created


def check_form(form: ApplicationForm) -> ApplicationForm:
    """The form with every field checked and tidied; its problems, all of them, raise one
    ValidationError saying what to fix in each field."""
    problems = validation.FormProblems()
    full_name = problems.check("full_name", validation.full_name, form.full_name)
    email = problems.check("email", validation.email_address, form.email)
    phone = problems.check("phone", validation.phone, form.phone)
    linkedin_url = problems.check("linkedin_url", validation.linkedin_url, form.linkedin_url)
    note = problems.check("note", validation.text, "Note", form.note, maximum=2000)
    if not form.consent:
        problems.add("consent", "Please tick the box to agree to the privacy notice; we cannot "
                     "keep your application without it.")
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
        store.delete(key)
        raise
    return key


def apply(actor: Actor, job_id: UUID, form: ApplicationForm, resume: Resume | None,
          source: TrackedSource, store: ResumeStore | None = None) -> Applied:
    """Apply to a published job. A second application to the same job with the same email
    stores nothing (not even the résumé) and says so."""
    form = check_form(form)
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
            store.delete(resume_key)
        raise
    if not row.created:
        if resume_key:
            store.delete(resume_key)
        return Applied(row.application_id, False, None)
    return Applied(row.application_id, True, private_links.follow_link("application", token))


@dataclass(frozen=True)
class FollowedApplication:
    job_title: str
    status: str
    applied_at: datetime
    updated_at: datetime
    job_id: UUID


def application_by_link(actor: Actor, token: str) -> FollowedApplication | None:
    """What the private link shows, or None for a link that matches nothing."""
    row = private_links.find(actor, "private.application_by_token", token)
    return FollowedApplication(**row._mapping) if row else None


STATUS_LABELS = {"new": "Received", "reviewing": "Being reviewed", "interviewing": "Interviewing",
                 "offer": "Offer made", "hired": "Hired", "rejected": "Not selected",
                 "withdrawn": "Withdrawn"}
