"""Job postings as recruiters keep them, against the real database: writing and checking,
the lifecycle (in the service and in the trigger that no caller can skip), the audit log,
closing off the board, applicants with their résumés, referrals, CSV import and export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from uuid import UUID

import pytest
import sqlalchemy as sa

from portal import db
from portal.db import transaction
from portal.errors import NotFound, PermissionDenied, ValidationError
from portal.models import Actor, Role
from portal.storage import LocalStore
from services.candidates.applications import ApplicationForm, Resume, apply
from services.postings import editing as postings
from services.postings import listings as jobs
from services.postings.editing import PostingForm
from services.postings.listings import JobFilter
from services.postings.tracking import TrackedSource
from services.referrals import rewards as referral_rewards
from services.referrals import stages as referrals
from services.savings import running_costs as programme
from tests.db.rows import POSTING_FORM, add_account
from tests.support import make_pdf


@pytest.fixture
def recruiter(clean_db) -> Actor:
    return add_account(clean_db, "rita@example.com", role=Role.RECRUITER)


def audit_rows(engine, job_id: UUID) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select action, actor_id, details, created_at from public.audit_log"
            " where subject_type = 'job' and subject_id = :id order by id"), {"id": str(job_id)}).all()


def status_of(engine, job_id: UUID) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("select status::text from public.jobs where id = :id"),
                            {"id": job_id}).scalar_one()


def second_recruiter(engine) -> Actor:
    """Someone other than its author approves a posting (test_posting_approval.py)."""
    with engine.connect() as conn:
        found = conn.execute(sa.text(
            "select id from public.profiles where email = 'sam@example.com'")).first()
    return (Actor(user_id=found.id, email="sam@example.com", role=Role.RECRUITER, full_name="Sam") if found
            else add_account(engine, "sam@example.com", role=Role.RECRUITER))


def step(recruiter: Actor, job_id: UUID, to: str, reason: str | None = None):
    """One lifecycle step by the recruiter, except approval, which a second recruiter gives."""
    mover = second_recruiter(db.engine()) if to == "approved" else recruiter
    return postings.move(mover, job_id, to, reason)


def published(recruiter: Actor) -> UUID:
    job_id = postings.create_posting(recruiter, POSTING_FORM)
    for to in ("in_review", "approved", "published"):
        step(recruiter, job_id, to)
    return job_id


# --- writing ---------------------------------------------------------------------------------

def test_create_and_edit_a_posting(clean_db, recruiter):
    job_id = postings.create_posting(recruiter, POSTING_FORM)
    saved = postings.posting(recruiter, job_id)
    assert saved.job.status == "draft" and saved.job.currency == "EUR"
    assert saved.job.owner_id == recruiter.user_id and saved.owner_name == "Rita"
    assert saved.referral_bonus == Decimal("2000.00") and saved.hiring_manager == "Ada Lovelace"
    postings.update_posting(recruiter, job_id, saved.form().__class__(
        **{**saved.form().__dict__, "title": "Senior Data Engineer", "salary_max": 90000}))
    edited = postings.posting(recruiter, job_id)
    assert edited.job.title == "Senior Data Engineer" and edited.job.salary_max == 90000
    actions = [(row.action, row.details) for row in audit_rows(clean_db, job_id)]
    assert actions == [("job.created", {"title": "Data Engineer"}),
                       ("job.updated", {"fields": "salary_max, title"})]


@pytest.mark.parametrize("changes,message", [
    ({"title": " "}, "Title: this is required."),
    ({"title": "x" * 201}, "Title: at most 200 characters"),
    ({"department": ""}, "Department: this is required."),
    ({"salary_min": 90000, "salary_max": 80000}, "The lowest salary (90,000.00) is above the highest"),
    ({"salary_min": -1}, "The lowest salary must be a number between 0"),
    ({"currency": "euro"}, "“euro” is not a currency code"),
    ({"remote_policy": "mars"}, "Remote policy “mars” is not one of: onsite, hybrid, remote."),
    ({"referral_bonus": 10**9}, "The referral bonus is at most 99,999,999.99."),
])
def test_bad_input_says_what_to_fix(clean_db, recruiter, changes, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        postings.create_posting(recruiter, PostingForm(**{**POSTING_FORM.__dict__, **changes}))
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.jobs")).scalar_one() == 0


def test_only_staff_write_postings(clean_db):
    alumnus = add_account(clean_db, "al@example.com", role=Role.ALUMNUS)
    with pytest.raises(PermissionDenied):
        postings.create_posting(alumnus, POSTING_FORM)


def test_referral_bonus_defaults_from_the_assumptions(clean_db, recruiter):
    admin = add_account(clean_db, "ad@example.com", role=Role.ADMIN)
    assert postings.new_form(recruiter) == PostingForm(currency="USD", owner_id=recruiter.user_id,
                                                       referral_bonus=Decimal("1500"))
    programme.save_assumptions(admin, currency="USD", fee_rate=0.2, job_board_cost_per_hire=4700,
                               default_referral_bonus=2250)
    assert postings.new_form(recruiter).referral_bonus == Decimal("2250")
    programme.save_assumptions(admin, currency="USD", fee_rate=0.25, job_board_cost_per_hire=4700)
    assert postings.new_form(recruiter).referral_bonus == Decimal("2250")  # None keeps it
    # Once a bonus rule is set, a new posting has no bonus of its own: the rules decide.
    referral_rewards.save_level_rule(recruiter, "senior", 3000, 90)
    assert postings.new_form(recruiter).referral_bonus is None
    with pytest.raises(PermissionDenied):
        programme.save_assumptions(recruiter, currency="USD", fee_rate=0.2,
                                   job_board_cost_per_hire=4700, default_referral_bonus=1)


# --- lifecycle -------------------------------------------------------------------------------

def test_lifecycle_stamps_and_audits_every_step(clean_db, recruiter):
    job_id = published(recruiter)
    posting = postings.posting(recruiter, job_id)
    assert posting.job.published_at is not None and posting.closed_at is None
    closed = postings.move(recruiter, job_id, "closed", "filled")
    assert closed.job.status == "closed" and closed.close_reason == "filled"
    assert closed.closed_at is not None
    steps = [row for row in audit_rows(clean_db, job_id) if row.action == "job.status_changed"]
    assert [(r.details["from"], r.details["to"]) for r in steps] == [
        ("draft", "in_review"), ("in_review", "approved"), ("approved", "published"),
        ("published", "closed")]
    approver = second_recruiter(clean_db)
    assert [r.actor_id for r in steps] == [recruiter.user_id, approver.user_id, recruiter.user_id,
                                           recruiter.user_id]
    assert steps[-1].details["close_reason"] == "filled"


def test_back_steps(clean_db, recruiter):
    job_id = postings.create_posting(recruiter, POSTING_FORM)
    postings.move(recruiter, job_id, "in_review")
    assert postings.move(recruiter, job_id, "draft").job.status == "draft"  # changes asked
    postings.move(recruiter, job_id, "in_review")
    step(recruiter, job_id, "approved")
    assert postings.move(recruiter, job_id, "draft").job.status == "draft"


@pytest.mark.parametrize("path,refused", [
    ((), "published"),
    ((), "approved"),
    (("in_review",), "published"),
    (("in_review", "approved", "published"), "draft"),
    (("in_review", "approved", "published", "closed"), "published"),
])
def test_service_refuses_skipped_steps(clean_db, recruiter, path, refused):
    job_id = postings.create_posting(recruiter, POSTING_FORM)
    for to in path:
        step(recruiter, job_id, to, "cancelled" if to == "closed" else None)
    before = status_of(clean_db, job_id)
    with pytest.raises(ValidationError, match=f"cannot become {refused.replace('_', ' ')}"):
        postings.move(recruiter, job_id, refused)
    assert status_of(clean_db, job_id) == before


def test_closing_needs_a_reason(clean_db, recruiter):
    job_id = published(recruiter)
    with pytest.raises(ValidationError, match="filled or cancelled"):
        postings.move(recruiter, job_id, "closed")


def test_trigger_refuses_a_direct_update_that_skips_a_step(clean_db, recruiter):
    job_id = postings.create_posting(recruiter, POSTING_FORM)
    for conn_factory in (lambda: transaction(recruiter), clean_db.begin):  # as the API and as owner
        with pytest.raises(sa.exc.IntegrityError, match="cannot go from draft to published"), \
                conn_factory() as conn:
            conn.execute(sa.text("update public.jobs set status = 'published' where id = :id"),
                         {"id": job_id})
    with pytest.raises(sa.exc.IntegrityError, match="filled or cancelled"), clean_db.begin() as conn:
        for step in ("in_review", "approved", "published", "closed"):
            conn.execute(sa.text("update public.jobs set status = cast(:s as public.job_status)"
                                 " where id = :id"), {"id": job_id, "s": step})
    assert status_of(clean_db, job_id) == "draft"


def test_api_inserts_start_as_drafts_and_stamps_are_not_the_writers(clean_db, recruiter):
    with pytest.raises(sa.exc.IntegrityError, match="starts as a draft"), transaction(recruiter) as conn:
        conn.execute(sa.text("insert into public.jobs (title, department, location, status)"
                             " values ('Sneaky', 'Eng', 'Remote', 'published')"))
    job_id = published(recruiter)
    with transaction(recruiter) as conn:
        conn.execute(sa.text("update public.jobs set published_at = '2001-01-01' where id = :id"),
                     {"id": job_id})
    assert postings.posting(recruiter, job_id).job.published_at.year > 2001


def test_service_steps_match_the_database(clean_db):
    with clean_db.connect() as conn:
        database = {status: set(conn.execute(sa.text(
            "select unnest(private.job_status_next(cast(:s as public.job_status)))::text"),
            {"s": status}).scalars()) for status in jobs.ALL_STATUSES}
    assert database == {status: set(steps) for status, steps in postings.NEXT_STEPS.items()}


def test_closing_takes_the_posting_off_the_board(clean_db, recruiter):
    job_id = published(recruiter)
    visitor = Actor.visitor()
    assert [j.id for j in jobs.list_jobs(visitor).rows] == [job_id]
    postings.move(recruiter, job_id, "closed", "cancelled")
    assert jobs.list_jobs(visitor).total == 0
    page = jobs.job(visitor, job_id)  # the job's own page still opens, and says it is closed
    assert page is not None and not page.open


# --- the recruiters' list, applicants and referrals ------------------------------------------

def test_list_filters_by_owner_status_department_and_search(clean_db, recruiter):
    other = add_account(clean_db, "otto@example.com", role=Role.RECRUITER)
    mine = postings.create_posting(recruiter, POSTING_FORM)
    theirs = postings.create_posting(other, PostingForm(**{**POSTING_FORM.__dict__, "title": "Sales Lead",
                                                           "department": "Sales"}))
    every = jobs.ALL_STATUSES
    assert {j.id for j in jobs.list_jobs(recruiter, statuses=every).rows} == {mine, theirs}
    assert [j.id for j in jobs.list_jobs(recruiter, statuses=every, owner_id=other.user_id).rows] == [theirs]
    assert [j.id for j in jobs.list_jobs(recruiter, statuses=every, department="Data").rows] == [mine]
    assert [j.id for j in jobs.list_jobs(recruiter, statuses=every, search="sales").rows] == [theirs]
    assert jobs.list_jobs(recruiter, statuses=("published",)).total == 0
    assert [s.name for s in postings.staff_members(recruiter)] == ["Otto", "Rita"]


def test_applicants_with_resume_download(clean_db, recruiter, tmp_path):
    job_id = published(recruiter)
    store = LocalStore(tmp_path)
    pdf = make_pdf()
    form = ApplicationForm("Grace Hopper", "grace@example.org", "", "", "", True)
    applied = apply(Actor.visitor(), job_id, form, Resume("grace.pdf", pdf), TrackedSource("linkedin"),
                    store=store)
    page = postings.applicants(recruiter, job_id)
    assert page.total == 1
    row = page.rows[0]
    assert (row.full_name, row.email, row.status, row.source, row.resume_name) == (
        "Grace Hopper", "grace@example.org", "new", "linkedin", "grace.pdf")
    file = postings.resume(recruiter, applied.application_id, store=store)
    assert (file.file_name, file.data, file.content_type) == ("grace.pdf", pdf, "application/pdf")
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.audit_log"
                                    " where action = 'application.resume_downloaded'")).scalar_one() == 1
    alumnus = add_account(clean_db, "al@example.com", role=Role.ALUMNUS)
    assert postings.applicants(alumnus, job_id).total == 0  # RLS keeps candidates to staff
    with pytest.raises(PermissionDenied):
        postings.resume(alumnus, applied.application_id, store=store)


def test_referrals_of_one_job(clean_db, recruiter):
    job_id, other_job = published(recruiter), published(recruiter)
    alumnus = add_account(clean_db, "al@example.com", role=Role.ALUMNUS)
    with clean_db.begin() as conn:
        for job in (job_id, other_job):
            candidate = conn.execute(sa.text("insert into public.candidates (full_name, email)"
                                             " values ('Kim', :e) returning id"),
                                     {"e": f"kim{job}@example.org"}).scalar_one()
            conn.execute(sa.text("insert into public.referrals (referrer_id, candidate_id, job_id)"
                                 " values (:r, :c, :j)"),
                         {"r": alumnus.user_id, "c": candidate, "j": job})
    page = referrals.list_referrals(recruiter, job_id=job_id)
    assert page.total == 1 and page.rows[0].candidate_name == "Kim"


def test_unknown_posting(clean_db, recruiter):
    assert postings.posting(recruiter, "not-a-uuid") is None
    with pytest.raises(NotFound):
        postings.move(recruiter, UUID(int=1), "in_review")


# --- CSV -------------------------------------------------------------------------------------

CSV = (
    "title,department,location,remote_policy,employment_type,salary_min,salary_max,currency,"
    "referral_bonus,target_start_date,owner_email,description\n"
    "Analyst,Finance,London,remote,contract,\"50,000\",60000,GBP,,2027-01-15,,\"## Hi\n\nMulti-line\"\n"
    "X,Finance,London,,,,,,,,,\n"
    "Designer,Design,Lisbon,hybrid,,70000,60000,EUR,,,,\n"
    "Writer,Content,Remote,,,,,,500,2027-02-30,,\n"
    "Manager,Ops,Austin,,,,,,,,nobody@example.com,\n"
    "\n"
    "Engineer,Engineering,Berlin,,,,,,,,otto@example.com,\n"
)


def test_import_keeps_good_rows_and_reports_bad_ones_by_row_number(clean_db, recruiter):
    other = add_account(clean_db, "otto@example.com", role=Role.RECRUITER)
    result = postings.import_postings(recruiter, CSV.encode(), "postings.csv")
    assert result.added == 2
    assert [(p.row, p.reason.split(":")[0].split(" ")[0]) for p in result.problems] == [
        (3, "Title"), (4, "The"), (5, "target_start_date"), (6, "owner_email")]
    assert "above the highest" in result.problems[1].reason
    every = jobs.list_jobs(recruiter, statuses=jobs.ALL_STATUSES).rows
    by_title = {j.title: j for j in every}
    assert set(by_title) == {"Analyst", "Engineer"}
    assert all(j.status == "draft" for j in every)
    analyst = postings.posting(recruiter, by_title["Analyst"].id)
    assert (analyst.job.salary_min, analyst.job.currency, analyst.job.remote_policy) == (
        Decimal("50000.00"), "GBP", "remote")
    assert analyst.referral_bonus == Decimal("1500.00")  # the default
    assert analyst.job.description == "## Hi\n\nMulti-line"
    assert by_title["Engineer"].owner_id == other.user_id
    assert analyst.job.owner_id == recruiter.user_id


def test_importing_the_same_file_again_skips_what_it_added(clean_db, recruiter):
    add_account(clean_db, "otto@example.com", role=Role.RECRUITER)
    twice = CSV + "".join(CSV.splitlines(keepends=True)[1:4])  # the Analyst row again
    first = postings.import_postings(recruiter, twice.encode(), "postings.csv")
    assert (first.added, first.already_imported) == (3, 0)  # an identical row twice is two postings
    again = postings.import_postings(recruiter, twice.encode(), "postings.csv")
    assert (again.added, again.already_imported, len(again.problems)) == (0, 3, 4)
    edited = twice.replace("Berlin", "Munich")
    changed = postings.import_postings(recruiter, edited.encode(), "postings.csv")
    assert (changed.added, changed.already_imported) == (1, 2)
    every = jobs.list_jobs(recruiter, statuses=jobs.ALL_STATUSES).rows
    assert sorted(j.title for j in every) == ["Analyst", "Analyst", "Engineer", "Engineer"]


@pytest.mark.parametrize("data,message", [
    (b"title,location\nA,B\n", "missing: department"),
    (b"\xff\xfe", "not UTF-8"),
    (b"", "The file is empty"),
])
def test_import_refuses_unreadable_files(clean_db, recruiter, data, message):
    with pytest.raises(ValidationError, match=message):
        postings.import_postings(recruiter, data, "bad.csv")


def test_export_of_the_current_filter_defuses_formulas(clean_db, recruiter):
    postings.create_posting(recruiter, PostingForm(**{**POSTING_FORM.__dict__, "title": "=HYPERLINK(1)",
                                                      "hiring_manager": "@boss"}))
    postings.create_posting(recruiter, PostingForm(**{**POSTING_FORM.__dict__, "department": "Sales"}))
    data = postings.export_csv(recruiter, JobFilter(statuses=jobs.ALL_STATUSES, department="Data"))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["title"] == "'=HYPERLINK(1)" and row["hiring_manager"] == "'@boss"
    assert (row["status"], row["owner_email"], row["currency"]) == ("draft", "rita@example.com", "EUR")
    # An export goes back in as new drafts: its extra columns are read past without a word.
    result = postings.import_postings(recruiter, data, "export.csv")
    assert (result.added, result.problems, result.ignored_columns) == (1, [], [])
    titles = [j.title for j in jobs.list_jobs(recruiter, statuses=jobs.ALL_STATUSES).rows]
    assert titles.count("=HYPERLINK(1)") == 2  # the apostrophe was the export's, not the title's
