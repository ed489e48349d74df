"""Candidates across jobs (recruiters and admins): every application of every job in one
table, searched by name or email and filtered by job, stage and source, a page at a time in
SQL; and a candidate added by hand to a job (from an agency, with its fee, an internal move,
a job board...). Moving the chosen rows is `applications.move`, as on a job's Applicants tab."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from portal import validation
from portal.db import contains_pattern, transaction, translate_refusals
from portal.models import Actor, Page
from portal.permissions import require_staff
from services.candidates.applications import STAGES

# Where a candidate added by hand comes from (hire sources, as the savings report names them).
HAND_SOURCES = ("agency", "internal", "job_board", "social", "direct")
MAX_SEARCH = 100
# Matches are counted up to this many: past it the table says "of 10,000+" (a filter narrows
# it), and counting never reads more than this many rows.
COUNT_UP_TO = 10_000
MAX_AGENCY_NAME = 120


@dataclass(frozen=True)
class CandidateRow:
    application_id: UUID
    candidate_id: UUID
    full_name: str
    email: str
    job_id: UUID
    job_title: str
    status: str
    source: str
    applied_at: datetime
    stage_since: datetime  # when it was given its stage (the last move, or applying)


@dataclass(frozen=True)
class Filters:
    search: str = ""  # part of a name or an email
    job_id: UUID | str | None = None  # a job's id (as the URL carries it)
    stage: str | None = None  # one of applications.STAGES
    source: str | None = None  # an application's source as stored (career_site, linkedin, agency…)


@dataclass(frozen=True)
class FilterChoices:
    jobs: list[tuple[UUID, str]]  # (id, title), by title; a closed job says so
    sources: list[str]  # the sources applications have, as stored
    open_jobs: list[tuple[UUID, str]]  # the jobs a candidate may be added to (not closed)


def filter_choices(actor: Actor) -> FilterChoices:
    """The jobs and the sources the filters offer: every job, and the sources in use (read
    by skipping through the source index, not by reading every application)."""
    with transaction(actor) as conn:
        require_staff(conn, "see candidates")
        jobs = conn.execute(sa.text(
            "select id, title || case when status = 'closed' then ' (closed)' else '' end,"
            " status = 'closed' as closed"
            " from public.jobs order by title, created_at")).all()
        sources = conn.execute(sa.text(
            "with recursive used as ("
            "  (select a.source from public.applications a order by a.source limit 1)"
            "  union all"
            "  select (select a.source from public.applications a where a.source > used.source"
            "          order by a.source limit 1)"
            "  from used where used.source is not null)"
            " select source from used where source is not null")).scalars().all()
    return FilterChoices([(r[0], r[1]) for r in jobs], list(sources),
                         [(r[0], r[1]) for r in jobs if not r.closed])


def check_filters(filters: Filters) -> Filters:
    """The filters tidied: a search of at most MAX_SEARCH characters, a job's id, a known
    stage; anything else is no filter."""
    search = " ".join((filters.search or "").split())[:MAX_SEARCH]
    try:
        job_id = UUID(str(filters.job_id)) if filters.job_id else None
    except ValueError:
        job_id = None
    stage = filters.stage if filters.stage in STAGES else None
    return Filters(search, job_id, stage, filters.source or None)


def search(actor: Actor, filters: Filters, *, page: int = 1, page_size: int = 25) -> Page[CandidateRow]:
    """One page of every application matching `filters`, newest first, with how many match;
    row-level security keeps them to staff."""
    filters = check_filters(filters)
    params = {"pattern": contains_pattern(filters.search) if filters.search else None,
              "job": filters.job_id, "stage": filters.stage, "source": filters.source,
              "limit": page_size, "offset": Page.offset(page, page_size), "count_to": COUNT_UP_TO + 1}
    # Empty filters drop out of the plan (act_as plans every query for its own values). Names
    # and emails are searched through their index (private.candidates_matching); the count
    # joins no candidate (a join for each of a million applications took seconds) and stops
    # at COUNT_UP_TO.
    where = (" where (cast(:job as uuid) is null or a.job_id = cast(:job as uuid))"
             " and (cast(:stage as public.application_status) is null"
             "      or a.status = cast(:stage as public.application_status))"
             " and (cast(:source as text) is null or a.source = cast(:source as text))")
    searched = ""
    if filters.search:
        searched = " and a.candidate_id in (select private.candidates_matching(:pattern))"
    with transaction(actor) as conn:
        require_staff(conn, "see candidates")
        counted = conn.execute(sa.text(
            "select count(*) from (select from public.applications a"  # noqa: S608 - our own SQL
            + where + searched + " limit :count_to) matching"), params).scalar_one()
        rows = conn.execute(sa.text(
            "select a.id as application_id, c.id as candidate_id, c.full_name, c.email,"  # noqa: S608
            "  j.id as job_id, j.title as job_title, a.status::text as status, a.source,"
            "  a.created_at as applied_at,"
            # when it entered its stage: its last move in the history (applying, if none)
            "  coalesce((select e.changed_at from public.application_events e"
            "            where e.application_id = a.id order by e.id desc limit 1),"
            "           a.updated_at) as stage_since"
            " from public.applications a"
            " join public.candidates c on c.id = a.candidate_id"
            " join public.jobs j on j.id = a.job_id" + where + searched +
            " order by a.created_at desc, a.id limit :limit offset :offset"), params).all()
    return Page([CandidateRow(**row._mapping) for row in rows], min(counted, COUNT_UP_TO), page, page_size,
                more=counted > COUNT_UP_TO)


# --- a candidate added by hand ---------------------------------------------------------------

@dataclass(frozen=True)
class HandForm:
    job_id: UUID | None
    full_name: str
    email: str
    linkedin_url: str = ""
    source: str | None = None  # one of HAND_SOURCES
    agency_name: str = ""  # for an agency's candidate
    agency_fee: float | None = None  # in the job's currency, for an agency's candidate


@dataclass(frozen=True)
class Added:
    application_id: UUID
    candidate_id: UUID
    new_person: bool  # False: the email was known, the person gets another application


def check_hand_form(form: HandForm) -> HandForm:
    """The form with every field checked and tidied; all its problems raise one
    ValidationError, each for its field (the database checks the same again)."""
    problems = validation.FormProblems()
    if form.job_id is None:
        problems.add("job", "Choose the job they are a candidate for.")
    full_name = problems.check("full_name", validation.full_name, form.full_name)
    email = problems.check("email", validation.email_address, form.email)
    linkedin_url = problems.check("linkedin_url", validation.linkedin_url, form.linkedin_url)
    if form.source not in HAND_SOURCES:
        problems.add("source", "Choose where the candidate comes from.")
    agency, fee = "", None
    if form.source == "agency":
        agency = problems.check("agency_name", validation.text, "Agency", form.agency_name,
                                minimum=1, maximum=MAX_AGENCY_NAME, single_line=True) or ""
        if form.agency_fee is None:
            problems.add("agency_fee", "Enter the agency's fee (0 if there is none).")
        else:
            fee = problems.check("agency_fee", validation.money_amount, "Agency fee", form.agency_fee)
            if fee is not None and not math.isfinite(fee):
                fee = None
    problems.raise_any()
    return HandForm(form.job_id, full_name or "", email or "", linkedin_url or "", form.source,
                    agency, None if fee is None else round(fee, 2))


def add_by_hand(actor: Actor, form: HandForm) -> Added:
    """Add a person (found by email, or new) as a candidate for a job, with where they come
    from; an agency's name and fee are kept for the hire the application may become."""
    form = check_hand_form(form)
    with translate_refusals(denied="Only recruiters and admins can add candidates.",
                            missing="That job does not exist any more."), \
            transaction(actor) as conn:
        row = conn.execute(sa.text(
            "select application_id, candidate_id, new_person from private.add_candidate("
            " :job, :name, :email, :linkedin, :source, :agency, cast(:fee as numeric))"),
            {"job": form.job_id, "name": form.full_name, "email": form.email,
             "linkedin": form.linkedin_url or None, "source": form.source,
             "agency": form.agency_name or None, "fee": form.agency_fee}).one()
    return Added(row.application_id, row.candidate_id, row.new_person)
