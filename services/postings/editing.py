"""Job postings as recruiters and admins keep them: written and edited, moved through
their lifecycle, with their applicants and referrals, imported from and exported to CSV.

The lifecycle (the database enforces it too, in the trigger `private.guard_job_status`):

    draft → in_review → approved → published → closed (filled or cancelled)
    in_review → draft (changes asked), approved → draft

Someone other than whoever wrote the posting or submitted it approves it, unless an admin
allows self-approval (`allow_self_approval`; each one is audited). The database stamps who
wrote, submitted and approved a posting and refuses the rest (trigger
`private.keep_job_approval_records`); `Posting.approval_refusal` says why before asking.

The CSV columns (the header row names them, in any order):

    title, department, location      required
    remote_policy                    onsite (empty), hybrid or remote
    employment_type                  full_time (empty), part_time, contract, internship, temporary
    level                            intern, junior, mid, senior, lead or executive; optional
    salary_min, salary_max           plain numbers, optional
    currency                         three letters; empty means the reporting currency
    description                      Markdown
    hiring_manager                   optional
    referral_bonus                   empty means the default referral bonus
    target_start_date                YYYY-MM-DD, optional
    owner_email                      a recruiter's or admin's email; empty means whoever imports

Imported rows become new drafts. An export has these columns and also id, status,
close_reason, published_at and closed_at, which an import reads past.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit, validation
from portal.csv_files import ImportResult, RowProblem, amount_cell, check_no_control_characters, read_table
from portal.db import transaction, translate_refusals
from portal.errors import NotFound, PermissionDenied, ValidationError
from portal.models import Actor, Page
from portal.permissions import require_admin, require_staff
from portal.spreadsheets import csv_bytes
from portal.storage import ResumeStore, resume_store
from services.postings.listings import (
    ALL_STATUSES,
    EMPLOYMENT_LABELS,
    JOB_COLUMNS,
    LEVEL_LABELS,
    ORDER,
    REMOTE_LABELS,
    Job,
    JobFilter,
    board_filters_in,
)
from services.savings.report import load_assumptions

STATUS_LABELS = {"draft": "Draft", "in_review": "In review", "approved": "Approved",
                 "published": "Published", "closed": "Closed"}
CLOSE_REASONS = {"filled": "Filled", "cancelled": "Cancelled"}
# What each status may move to, with the button's words; as `private.job_status_next`.
NEXT_STEPS: dict[str, dict[str, str]] = {
    "draft": {"in_review": "Submit for review"},
    "in_review": {"approved": "Approve", "draft": "Ask for changes"},
    "approved": {"published": "Publish", "draft": "Back to draft"},
    "published": {"closed": "Close"},
    "closed": {},
}
MAX_BONUS = Decimal("99999999.99")  # jobs.referral_bonus is numeric(10, 2)

REQUIRED_COLUMNS = ("title", "department", "location")
OPTIONAL_COLUMNS = ("remote_policy", "employment_type", "level", "salary_min", "salary_max", "currency",
                    "description", "hiring_manager", "referral_bonus", "target_start_date",
                    "owner_email")
EXPORT_ONLY_COLUMNS = ("id", "status", "close_reason", "published_at", "closed_at")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class PostingForm:
    """What a recruiter types; `check_form` turns it into what is stored."""
    title: str = ""
    department: str = ""
    location: str = ""
    remote_policy: str = "onsite"
    employment_type: str = "full_time"
    salary_min: Decimal | float | None = None
    salary_max: Decimal | float | None = None
    currency: str = "USD"
    description: str = ""
    hiring_manager: str = ""
    owner_id: UUID | None = None
    referral_bonus: Decimal | float | None = None
    target_start_date: date | None = None
    level: str | None = None  # a key of LEVEL_LABELS, or None for no level


@dataclass(frozen=True)
class Posting:
    """A posting with everything recruiters see of it."""
    job: Job
    hiring_manager: str | None
    referral_bonus: Decimal | None
    target_start_date: date | None
    close_reason: str | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    owner_name: str | None
    created_by: UUID | None = None
    author_name: str | None = None
    submitted_by: UUID | None = None
    submitted_by_name: str | None = None
    approved_by_name: str | None = None
    self_approval: bool = False  # the company's setting when the posting was read

    @property
    def next_steps(self) -> dict[str, str]:
        return NEXT_STEPS[self.job.status]

    def next_steps_for(self, actor: Actor) -> dict[str, str]:
        """The steps the actor may take now: without "Approve" for its author or submitter
        (unless self-approval is allowed); `approval_refusal` says why."""
        steps = dict(self.next_steps)
        if self.approval_refusal(actor) is not None:
            steps.pop("approved", None)
        return steps

    def approval_refusal(self, actor: Actor) -> str | None:
        """Why the actor may not approve this posting now, in words; None when they may
        (or it is not waiting for approval)."""
        if self.job.status != "in_review" or self.self_approval:
            return None
        wrote, submitted = actor.user_id == self.created_by, actor.user_id == self.submitted_by
        if not (wrote or submitted):
            return None
        did = "wrote and submitted" if wrote and submitted else ("wrote" if wrote else "submitted")
        return (f"You {did} this posting, so another recruiter or admin approves it: "
                f"{self.approver_needed}. An admin can allow self-approval under Admin → Company facts.")

    @property
    def approver_needed(self) -> str:
        """Who may approve it, in words: anyone on staff but its author and submitter."""
        if self.self_approval:
            return "any recruiter or admin (self-approval is allowed)"
        names = [n for n in dict.fromkeys((self.author_name, self.submitted_by_name)) if n]
        return ("any recruiter or admin but " + " and ".join(names)) if names else "any recruiter or admin"

    def form(self) -> PostingForm:
        """The posting as the edit form starts with it."""
        j = self.job
        return PostingForm(j.title, j.department, j.location, j.remote_policy, j.employment_type,
                           j.salary_min, j.salary_max, j.currency.strip(), j.description,
                           self.hiring_manager or "", j.owner_id, self.referral_bonus,
                           self.target_start_date, j.level)


def check_form(form: PostingForm) -> PostingForm:
    """The form trimmed and checked; its problems, all of them, raise one ValidationError
    whose `problems` name each field (PostingForm's names) with what to fix."""
    problems = validation.FormProblems()
    text = validation.text
    title = problems.check("title", text, "Title", form.title, minimum=2, maximum=200)
    department = problems.check("department", text, "Department", form.department, minimum=1,
                                maximum=100)
    location = problems.check("location", text, "Location", form.location, minimum=1, maximum=120)
    if form.remote_policy not in REMOTE_LABELS:
        problems.add("remote_policy", f"Remote policy “{form.remote_policy}” is not one of: "
                     + ", ".join(REMOTE_LABELS) + ".")
    if form.employment_type not in EMPLOYMENT_LABELS:
        problems.add("employment_type", f"Employment type “{form.employment_type}” is not one of: "
                     + ", ".join(EMPLOYMENT_LABELS) + ".")
    if form.level is not None and form.level not in LEVEL_LABELS:
        problems.add("level", f"Level “{form.level}” is not one of: " + ", ".join(LEVEL_LABELS)
                     + " (or leave it empty).")
    low = problems.check("salary_min", _amount, "The lowest salary", form.salary_min)
    high = problems.check("salary_max", _amount, "The highest salary", form.salary_max)
    if low is not None and high is not None and low > high:
        problems.add("salary_min", f"The lowest salary ({low:,.2f}) is above the highest "
                     f"({high:,.2f}). Swap them or correct one.")
    currency = problems.check("currency", validation.currency_code, form.currency)
    bonus = problems.check("referral_bonus", _amount, "The referral bonus", form.referral_bonus)
    if bonus is not None and bonus > MAX_BONUS:
        problems.add("referral_bonus", f"The referral bonus is at most {MAX_BONUS:,.2f}.")
    manager = problems.check("hiring_manager", text, "Hiring manager", form.hiring_manager,
                             maximum=120)
    description = problems.check("description", text, "Description", form.description,
                                 maximum=20_000)
    problems.raise_any()
    return PostingForm(
        title=" ".join(title.split()), department=department, location=location,
        remote_policy=form.remote_policy, employment_type=form.employment_type,
        salary_min=low, salary_max=high, currency=currency, description=description,
        hiring_manager=manager, owner_id=form.owner_id, referral_bonus=bonus,
        target_start_date=form.target_start_date, level=form.level)


def _amount(label: str, value: Decimal | float | None) -> Decimal | None:
    if value is None:
        return None
    return round(Decimal(str(validation.money_amount(label, float(value)))), 2)


def _stored(form: PostingForm) -> dict:
    values = asdict(form)
    values["hiring_manager"] = form.hiring_manager or None
    return values


# --- reading ---------------------------------------------------------------------------------

_NAME_OF = "(select coalesce(nullif(p.full_name, ''), p.email) from public.profiles p where p.id = {})"
_POSTING_COLUMNS = (f"{JOB_COLUMNS}, hiring_manager, referral_bonus, target_start_date, close_reason,"  # noqa: S608
                    " closed_at, created_at, updated_at,"
                    " (select nullif(p.full_name, '') from public.profiles p where p.id = owner_id)"
                    " as owner_name, created_by, " + _NAME_OF.format("created_by") + " as author_name,"
                    " submitted_by, " + _NAME_OF.format("submitted_by") + " as submitted_by_name, "
                    + _NAME_OF.format("approved_by") + " as approved_by_name,"
                    " coalesce((select s.postings_self_approval from public.portal_settings s"
                    "  where s.id = 1), false) as self_approval")
_JOB_FIELDS = tuple(name.strip() for name in JOB_COLUMNS.split(","))


def posting(actor: Actor, job_id: UUID | str) -> Posting | None:
    """One posting with its details, if it exists and the actor may see it."""
    try:
        job_id = UUID(str(job_id))
    except ValueError:
        return None
    with transaction(actor) as conn:
        return _load(conn, job_id)


def _load(conn: Connection, job_id: UUID) -> Posting | None:
    row = conn.execute(sa.text(f"select {_POSTING_COLUMNS} from public.jobs where id = :id"),  # noqa: S608
                       {"id": job_id}).first()
    return None if row is None else _posting(row)


def _posting(row) -> Posting:
    values = dict(row._mapping)
    job = Job(**{name: values.pop(name) for name in _JOB_FIELDS})
    return Posting(job, **values)


@dataclass(frozen=True)
class StaffMember:
    id: UUID
    name: str
    email: str


def staff_members(actor: Actor) -> list[StaffMember]:
    """Active recruiters and admins: who may own a posting or hold a social role."""
    with transaction(actor) as conn:
        return _staff_members(conn)


def _staff_members(conn: Connection) -> list[StaffMember]:
    rows = conn.execute(sa.text(
        "select id, coalesce(nullif(full_name, ''), email) as name, email from public.profiles"
        " where role in ('recruiter', 'admin') and active order by 2")).all()
    return [StaffMember(**row._mapping) for row in rows]


@dataclass(frozen=True)
class FormChoices:
    """What the posting form offers: who may own it, and the departments and locations in use
    (any status) to choose from, besides a new one typed."""

    owners: list[StaffMember]
    departments: list[str]
    locations: list[str]


def form_choices(actor: Actor) -> FormChoices:
    with transaction(actor) as conn:
        known = board_filters_in(conn, ALL_STATUSES)
        return FormChoices(_staff_members(conn), known.departments, known.locations)


def new_form(actor: Actor) -> PostingForm:
    """What a new posting starts with: owned by the actor, in the reporting currency, and
    with the default referral bonus (both set by an admin with the savings assumptions),
    unless bonus rules are set: then no bonus of its own, so its level's or department's
    rule decides."""
    with transaction(actor) as conn:
        assumptions = load_assumptions(conn)
        ruled = conn.execute(sa.text(
            "select exists (select 1 from public.referral_bonus_rules)"
            " or exists (select 1 from public.referral_level_bonus_rules)")).scalar_one()
    return PostingForm(currency=assumptions.currency, owner_id=actor.user_id,
                       referral_bonus=None if ruled else Decimal(str(assumptions.default_referral_bonus)))


# --- writing ---------------------------------------------------------------------------------

def create_posting(actor: Actor, form: PostingForm) -> UUID:
    """A new draft; owned by the actor unless the form names another owner."""
    form = check_form(form)
    if form.owner_id is None:
        form = replace(form, owner_id=actor.user_id)
    with transaction(actor) as conn:
        require_staff(conn, "write job postings")
        job_id = conn.execute(sa.text(
            "insert into public.jobs (title, department, location, remote_policy, employment_type,"
            "  salary_min, salary_max, currency, description, hiring_manager, owner_id,"
            "  referral_bonus, target_start_date, level)"
            " values (:title, :department, :location, :remote_policy, :employment_type,"
            "  :salary_min, :salary_max, :currency, :description, :hiring_manager, :owner_id,"
            "  :referral_bonus, :target_start_date, :level) returning id"), _stored(form)).scalar_one()
        audit.record(conn, "job.created", "job", str(job_id), {"title": form.title})
    return job_id


def update_posting(actor: Actor, job_id: UUID, form: PostingForm) -> str:
    """Save an edited posting, in whatever status it is; returns its status after the save. A
    change to one in review or approved sends it back to draft, to be submitted again (the
    database decides: a reviewer may not rewrite a posting and then approve it)."""
    form = check_form(form)
    with transaction(actor) as conn:
        require_staff(conn, "edit job postings")
        before = _load(conn, job_id)
        if before is None:
            raise NotFound("This posting no longer exists.")
        status = conn.execute(sa.text(
            "update public.jobs set title = :title, department = :department,"
            " location = :location, remote_policy = :remote_policy,"
            " employment_type = :employment_type, salary_min = :salary_min,"
            " salary_max = :salary_max, currency = :currency, description = :description,"
            " hiring_manager = :hiring_manager, owner_id = :owner_id,"
            " referral_bonus = :referral_bonus, target_start_date = :target_start_date,"
            " level = :level where id = :id returning status::text"),
            _stored(form) | {"id": job_id}).scalar_one()
        changed = sorted(name for name, value in asdict(form).items()
                         if str(value or "") != str(getattr(before.form(), name) or ""))
        audit.record(conn, "job.updated", "job", str(job_id), {"fields": ", ".join(changed)})
    return status


def move(actor: Actor, job_id: UUID, to_status: str, close_reason: str | None = None) -> Posting:
    """Move a posting one step through its lifecycle. The database stamps published_at or
    closed_at, who submitted or approved it, and writes the audit entry (who and when) in
    the same statement. Its author or submitter may not approve it unless an admin allows
    self-approval (PermissionDenied, saying who may)."""
    if to_status == "closed" and close_reason not in CLOSE_REASONS:
        raise ValidationError("Say whether the posting was filled or cancelled to close it.")
    with translate_refusals(), transaction(actor) as conn:
        require_staff(conn, "move job postings through their lifecycle")
        current = _load(conn, job_id)
        if current is None:
            raise NotFound("This posting no longer exists.")
        status = current.job.status
        if to_status not in NEXT_STEPS[status]:
            allowed = (", ".join(STATUS_LABELS[s].lower() for s in NEXT_STEPS[status])
                       or "nothing: it is final")
            raise ValidationError(f"A posting that is {STATUS_LABELS[status].lower()} cannot become "
                                  f"{STATUS_LABELS.get(to_status, to_status).lower()}; it can move to "
                                  f"{allowed}.")
        if to_status == "approved" and (refusal := current.approval_refusal(actor)):
            raise PermissionDenied(refusal)
        # Only if nobody moved it meanwhile: two recruiters pressing at once make one step.
        moved = conn.execute(sa.text(
            "update public.jobs set status = cast(:to as public.job_status),"
            " close_reason = :reason where id = :id and status = cast(:from as public.job_status)"),
            {"to": to_status, "from": status, "reason": close_reason, "id": job_id}).rowcount
        if not moved:
            raise ValidationError("Someone else changed this posting's status just now. Reload the "
                                  "page to see where it stands.")
        # Closing also unschedules the job's scheduled social posts, in the same transaction
        # (trigger jobs_unschedule_posts_when_closed, migration 20261127000000_social_posts).
        return _load(conn, job_id)


def awaiting_approval(actor: Actor, limit: int = 50) -> list[Posting]:
    """Postings in review, longest waiting first, each saying who may approve it
    (`approver_needed`) and why the actor may not (`approval_refusal`)."""
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(
            f"select {_POSTING_COLUMNS} from public.jobs where status = 'in_review'"  # noqa: S608
            " order by updated_at, id limit :limit"), {"limit": limit}).all()
    return [_posting(row) for row in rows]


def self_approval_allowed(actor: Actor) -> bool:
    """Whether the company lets whoever wrote or submitted a posting approve it too."""
    with transaction(actor) as conn:
        return bool(conn.execute(sa.text(
            "select coalesce((select postings_self_approval from public.portal_settings"
            " where id = 1), false)")).scalar_one())


def allow_self_approval(actor: Actor, allowed: bool) -> None:
    """An admin's choice for the company; the database writes each change to the audit log
    (trigger portal_settings_audit_self_approval), whichever way it is made."""
    with transaction(actor) as conn:
        require_admin(conn, "choose who approves job postings")
        conn.execute(sa.text("update public.portal_settings set postings_self_approval = :allowed,"
                             " updated_at = now() where id = 1"), {"allowed": allowed})


# --- applicants and referrals ----------------------------------------------------------------

@dataclass(frozen=True)
class Applicant:
    application_id: UUID
    full_name: str
    email: str
    status: str
    source: str
    applied_at: datetime
    resume_name: str | None
    stage_since: datetime  # when it was given its stage (the last move, or applying)


def applicants(actor: Actor, job_id: UUID, *, stage: str | None = None, page: int = 1,
               page_size: int = 20) -> Page[Applicant]:
    """A job's applications, newest first, all or those at `stage` (row-level security keeps
    them to staff)."""
    params = {"job": job_id, "stage": stage, "limit": page_size, "offset": Page.offset(page, page_size)}
    with transaction(actor) as conn:
        total = conn.execute(sa.text("select count(*) from public.applications a where a.job_id = :job"
                                     " and (cast(:stage as public.application_status) is null"
                                     "      or a.status = cast(:stage as public.application_status))"),
                             params).scalar_one()
        rows = conn.execute(sa.text(
            "select a.id as application_id, c.full_name, c.email, a.status::text as status,"
            "  a.source, a.created_at as applied_at, a.updated_at as stage_since,"
            "  case when a.resume_path is not null then coalesce(a.resume_name, 'résumé') end"
            "    as resume_name"
            " from public.applications a join public.candidates c on c.id = a.candidate_id"
            " where a.job_id = :job and (cast(:stage as public.application_status) is null"
            "      or a.status = cast(:stage as public.application_status))"
            " order by a.created_at desc, a.id"
            " limit :limit offset :offset"), params).all()
    return Page([Applicant(**row._mapping) for row in rows], total, page, page_size)


@dataclass(frozen=True)
class ResumeFile:
    file_name: str
    data: bytes
    content_type: str


def resume(actor: Actor, application_id: UUID, store: ResumeStore | None = None) -> ResumeFile:
    """An applicant's résumé, read through the storage layer; each download is audited."""
    with transaction(actor) as conn:
        require_staff(conn, "download résumés")
        row = conn.execute(sa.text(
            "select resume_path, resume_name from public.applications where id = :id"),
            {"id": application_id}).first()
        if row is None or row.resume_path is None:
            raise NotFound("This application has no résumé.")
        audit.record(conn, "application.resume_downloaded", "application", str(application_id))
    return resume_file(row.resume_path, row.resume_name, store)


def resume_file(path: str, name: str | None, store: ResumeStore | None = None) -> ResumeFile:
    """The stored résumé `path` (a key of the résumé store) as a file to download, named
    `name` (the name it was uploaded under) where known."""
    data = (store or resume_store()).read(path)
    extension = path.rsplit(".", 1)[-1]
    return ResumeFile(name or f"resume.{extension}", data,
                      validation.RESUME_TYPES.get(extension, "application/octet-stream"))


# --- CSV -------------------------------------------------------------------------------------

def import_postings(actor: Actor, data: bytes, file_name: str) -> ImportResult:
    """Add the file's good rows as drafts, skip rows imported before, and report the bad
    ones by row number. A file that cannot be read as a whole raises ValidationError and
    adds nothing."""
    table = read_table(data, REQUIRED_COLUMNS, OPTIONAL_COLUMNS + EXPORT_ONLY_COLUMNS)
    with transaction(actor) as conn:
        require_staff(conn, "import job postings")
        assumptions = load_assumptions(conn)
        owners = {email.lower(): owner_id for owner_id, email in conn.execute(sa.text(
            "select id, email from public.profiles where role in ('recruiter', 'admin')"))}
        rows, problems = [], []
        occurrences: dict[str, int] = {}
        for number, record in table.rows:
            try:
                form = _form_from_csv(record, owners, assumptions.currency,
                                      Decimal(str(assumptions.default_referral_bonus)))
            except ValidationError as error:
                problems.append(RowProblem(number, str(error)))
                continue
            row = _stored(replace(form, owner_id=form.owner_id or actor.user_id))
            row["import_key"] = _import_key(record, occurrences)
            rows.append(row)
        added = 0
        if rows:
            added = len(conn.execute(sa.text(
                """
                insert into public.jobs (title, department, location, remote_policy, employment_type,
                  salary_min, salary_max, currency, description, hiring_manager, owner_id,
                  referral_bonus, target_start_date, level, import_key)
                select title, department, location, remote_policy, employment_type, salary_min,
                  salary_max, currency, description, hiring_manager, owner_id, referral_bonus,
                  target_start_date, level, import_key
                from jsonb_to_recordset(cast(:rows as jsonb)) as r(
                  title text, department text, location text, remote_policy text,
                  employment_type text, salary_min numeric, salary_max numeric, currency text,
                  description text, hiring_manager text, owner_id uuid, referral_bonus numeric,
                  target_start_date date, level text, import_key text)
                on conflict (import_key) do nothing
                returning 1
                """), {"rows": json.dumps(rows, default=str)}).all())
            audit.record(conn, "jobs.imported", "jobs", None,
                         {"file": file_name, "added": str(added),
                          "already_imported": str(len(rows) - added), "rejected": str(len(problems))})
    return ImportResult(added, len(rows) - added, problems,
                        [c for c in table.ignored_columns if c not in EXPORT_ONLY_COLUMNS])


def _import_key(record: dict[str, str], occurrences: dict[str, int]) -> str:
    """The row's cells as written (an export's status and ids left out), and which
    occurrence of an identical row it is: the same row twice in one file is two postings,
    the same file twice is not."""
    identity = json.dumps({column: value for column, value in record.items()
                           if column not in EXPORT_ONLY_COLUMNS}, sort_keys=True)
    occurrences[identity] = occurrences.get(identity, 0) + 1
    return hashlib.sha256(f"{identity}#{occurrences[identity]}".encode()).hexdigest()


def _form_from_csv(record: dict[str, str], owners: dict[str, UUID], default_currency: str,
                   default_bonus: Decimal) -> PostingForm:
    check_no_control_characters({k: v for k, v in record.items() if k != "description"})
    owner_email = record.get("owner_email", "").lower()
    if owner_email and owner_email not in owners:
        raise ValidationError(f"owner_email “{owner_email}” is not a recruiter's or admin's account")
    start = record.get("target_start_date", "")
    if start and not _ISO_DATE.match(start):
        raise ValidationError(f"target_start_date “{start}” is not a date in the form YYYY-MM-DD")
    try:
        start_date = date.fromisoformat(start) if start else None
    except ValueError:
        raise ValidationError(f"target_start_date “{start}” is not a date") from None
    optional = {column: amount_cell(record, column) if record.get(column) else None
                for column in ("salary_min", "salary_max", "referral_bonus")}
    return check_form(PostingForm(
        title=record["title"], department=record["department"], location=record["location"],
        remote_policy=_choice(record, "remote_policy", "onsite"),
        employment_type=_choice(record, "employment_type", "full_time"),
        level=_level(record),
        salary_min=optional["salary_min"], salary_max=optional["salary_max"],
        currency=record.get("currency") or default_currency,
        description=record.get("description", ""), hiring_manager=record.get("hiring_manager", ""),
        owner_id=owners.get(owner_email),
        referral_bonus=default_bonus if optional["referral_bonus"] is None else optional["referral_bonus"],
        target_start_date=start_date))


def _choice(record: dict[str, str], column: str, default: str) -> str:
    return record.get(column, "").lower().replace("-", "_").replace(" ", "_") or default


def _level(record: dict[str, str]) -> str | None:
    """The level's key from its key or its label, any case ("Senior", "mid-level"); None when empty."""
    cell = record.get("level", "").strip().lower()
    if not cell:
        return None
    by_label = {label.lower(): key for key, label in LEVEL_LABELS.items()}
    level = by_label.get(cell, cell)
    if level not in LEVEL_LABELS:
        raise ValidationError(f"level “{record['level'].strip()}” is not one of: " + ", ".join(LEVEL_LABELS)
                              + " (or leave it empty)")
    return level


_EXPORT_COLUMNS = (
    "id, title, department, location, remote_policy, employment_type, level, salary_min, salary_max,"
    " trim(currency) as currency, description, hiring_manager, referral_bonus, target_start_date,"
    " (select p.email from public.profiles p where p.id = owner_id) as owner_email,"
    " status::text as status, close_reason, published_at, closed_at")


def export_csv(actor: Actor, flt: JobFilter) -> bytes:
    """Every posting the filter matches, as CSV in the import's columns plus their status;
    cells that would start a formula are quoted so that spreadsheets show them as text."""
    where, params = flt.sql()
    with transaction(actor) as conn:
        table = pd.read_sql(sa.text(f"select {_EXPORT_COLUMNS} from public.jobs where {where} {ORDER}"),  # noqa: S608
                            conn, params=params)
    return csv_bytes(table)
