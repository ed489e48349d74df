"""The savings feature's data, against the real database: the hires the portal records when
an application or a referral is hired, hires imported from CSV, hires listed and corrected,
the assumptions, exchange rates and running costs, and the report over all of it.

Setup runs as the database owner; everything a user would do runs as that user, through
the services (row-level security applies), or through `transaction(actor)` for the status
changes the recruiting pages make.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from portal.db import act_as, transaction
from portal.errors import NotFound, PermissionDenied, ValidationError
from portal.models import Actor, Role
from services.people.accounts import create_account
from services.savings import hires
from services.savings import report as savings
from services.savings import running_costs as programme
from services.savings.report import fetch_report, savings_report, what_if
from tests.db.rows import HIRES_CSV_HEADER, hires_csv

TODAY = date(2026, 3, 1)  # the import's "today" where a test needs a fixed one


@dataclass
class People:
    admin: Actor
    recruiter: Actor
    alumnus: Actor
    candidate: Actor
    employee: Actor


@pytest.fixture
def people(clean_db) -> People:
    actors = {}
    with clean_db.begin() as conn:
        for who, role in (("admin", Role.ADMIN), ("recruiter", Role.RECRUITER),
                          ("alumnus", Role.ALUMNUS), ("candidate", Role.CANDIDATE),
                          ("employee", Role.EMPLOYEE)):
            email = f"{who}@savings.test"
            user_id = create_account(conn, email, who.capitalize(), role, None)
            actors[who] = Actor(user_id=user_id, email=email, role=role)
    return People(**actors)


# --- setup as the owner ---------------------------------------------------------------------

def add_job(engine, *, title="Backend Engineer", department="Engineering", salary_min=80_000,
            salary_max=100_000, currency="EUR", referral_bonus=None) -> UUID:
    with engine.begin() as conn:
        return conn.execute(sa.text(
            "insert into public.jobs (title, department, location, salary_min, salary_max, currency,"
            " referral_bonus, status) values (:title, :department, 'Berlin', :min, :max, :currency,"
            " :bonus, 'published') returning id"),
            {"title": title, "department": department, "min": salary_min, "max": salary_max,
             "currency": currency, "bonus": referral_bonus}).scalar_one()


def add_candidate(engine, name="Ada Lovelace") -> UUID:
    with engine.begin() as conn:
        return conn.execute(sa.text(
            "insert into public.candidates (full_name, email) values (:name, :email) returning id"),
            {"name": name, "email": f"{uuid4().hex[:8]}@mail.test"}).scalar_one()


def add_application(engine, job: UUID, candidate: UUID, *, source="direct", status="new",
                    created_at: datetime | None = None) -> UUID:
    with engine.begin() as conn:
        return conn.execute(sa.text(
            "insert into public.applications (job_id, candidate_id, source, status, created_at)"
            " values (:job, :candidate, :source, cast(:status as public.application_status),"
            " coalesce(:created, now())) returning id"),
            {"job": job, "candidate": candidate, "source": source, "status": status,
             "created": created_at}).scalar_one()


def add_referral(engine, referrer: Actor, candidate: UUID, job: UUID | None, *, reward=None,
                 stage="submitted", created_at: datetime | None = None) -> UUID:
    with engine.begin() as conn:
        return conn.execute(sa.text(
            "insert into public.referrals (referrer_id, candidate_id, job_id, reward_amount, stage,"
            " created_at) values (:referrer, :candidate, :job, :reward,"
            " cast(:stage as public.referral_stage), coalesce(:created, now())) returning id"),
            {"referrer": referrer.user_id, "candidate": candidate, "job": job, "reward": reward,
             "stage": stage, "created": created_at}).scalar_one()


def set_status(actor: Actor, application: UUID, status: str) -> None:
    """What the recruiting pages do when an application moves on."""
    with transaction(actor) as conn:
        assert conn.execute(sa.text(
            "update public.applications set status = cast(:status as public.application_status)"
            " where id = :id"), {"id": application, "status": status}).rowcount == 1


def set_stage(actor: Actor, referral: UUID, stage: str) -> None:
    with transaction(actor) as conn:
        assert conn.execute(sa.text(
            "update public.referrals set stage = cast(:stage as public.referral_stage),"
            " stage_changed_at = now() where id = :id"), {"id": referral, "stage": stage}).rowcount == 1


def hire_both(actor: Actor, application: UUID, referral: UUID, *, first: str) -> None:
    """Mark an application and a referral hired, the one named `first` first."""
    steps = [lambda: set_status(actor, application, "hired"), lambda: set_stage(actor, referral, "hired")]
    for step in steps if first == "application" else reversed(steps):
        step()


def all_hires(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select id, hire_date, job_id, job_title, department, source::text as source, channel,"
            " first_year_salary, trim(currency) as currency, referral_bonus, ad_spend,"
            " job_board_fee, agency_fee, other_cost, application_id, referral_id, candidate_id,"
            " import_key from public.hires order by hire_date, job_title, created_at")).all()


def db_today(engine) -> date:
    with engine.connect() as conn:
        return conn.execute(sa.text("select current_date")).scalar_one()


def one_hire(engine):
    rows = all_hires(engine)
    assert len(rows) == 1, rows
    return rows[0]


# --- hires the portal records ---------------------------------------------------------------

def test_a_hired_application_is_recorded_once_with_the_jobs_details(people, engine):
    job = add_job(engine, title="Backend Engineer", department="Engineering",
                  salary_min=80_000, salary_max=100_000, currency="EUR", referral_bonus=1_500)
    candidate = add_candidate(engine)
    application = add_application(engine, job, candidate, source="linkedin")
    set_status(people.recruiter, application, "interviewing")
    assert all_hires(engine) == []
    set_status(people.recruiter, application, "hired")

    hire = one_hire(engine)
    assert hire.job_id == job and hire.application_id == application
    assert hire.candidate_id == candidate and hire.referral_id is None
    assert hire.job_title == "Backend Engineer" and hire.department == "Engineering"
    assert hire.first_year_salary == Decimal("90000.00")  # (80,000 + 100,000) / 2
    assert hire.currency == "EUR"
    assert (hire.source, hire.channel) == ("social", "linkedin")
    assert hire.referral_bonus == 0  # no referral: the job's bonus is not a cost
    assert hire.import_key is None
    assert hire.hire_date == db_today(engine)

    # Saving the application again, or touching other fields, adds nothing.
    with transaction(people.recruiter) as conn:
        conn.execute(sa.text("update public.applications set status = 'hired', note = 'x'"
                             " where id = :id"), {"id": application})
    assert len(all_hires(engine)) == 1


@pytest.mark.parametrize("source, kind, channel", [
    ("linkedin", "social", "linkedin"),
    ("  LinkedIn ", "social", "linkedin"),
    ("newsletter", "social", "newsletter"),
    ("Indeed", "job_board", "indeed"),
    ("stepstone", "job_board", "stepstone"),
    ("referral", "referral", None),
    ("career_site", "career_site", None),
    ("agency", "agency", None),
    ("internal", "internal", None),
    ("direct", "direct", None),
    ("", "direct", None),
    ("some-blog", "direct", "some-blog"),
])
def test_an_applications_source_becomes_the_hires_source_and_channel(people, engine, source, kind,
                                                                     channel):
    job = add_job(engine)
    # Inserted already hired (a recruiter entering a past hire): the insert trigger records it.
    add_application(engine, job, add_candidate(engine), source=source, status="hired")
    hire = one_hire(engine)
    assert (hire.source, hire.channel) == (kind, channel)


@pytest.mark.parametrize("salary_min, salary_max, currency, salary", [
    (50_000, 50_000, "GBP", Decimal("50000")),
    (60_000, None, "USD", Decimal("60000")),
    (None, 70_000, "USD", Decimal("70000")),
    (None, None, "USD", Decimal("0")),
])
def test_the_hires_salary_is_the_middle_of_the_jobs_range(people, engine, salary_min, salary_max,
                                                          currency, salary):
    job = add_job(engine, salary_min=salary_min, salary_max=salary_max, currency=currency)
    add_application(engine, job, add_candidate(engine), status="hired")
    hire = one_hire(engine)
    assert hire.first_year_salary == salary and hire.currency == currency


@pytest.mark.parametrize("reward, job_bonus, bonus", [
    (2_000, 1_500, Decimal("2000")),  # the referral's own reward first
    (None, 1_500, Decimal("1500")),   # else the job's referral bonus
    (None, None, Decimal("0")),
])
def test_a_hired_referral_is_a_referral_hire_costing_its_reward(people, engine, reward, job_bonus,
                                                                bonus):
    job = add_job(engine, title="Data Analyst", department="Data", salary_min=60_000,
                  salary_max=70_000, currency="USD", referral_bonus=job_bonus)
    candidate = add_candidate(engine)
    referral = add_referral(engine, people.alumnus, candidate, job, reward=reward)
    set_stage(people.recruiter, referral, "offer")
    assert all_hires(engine) == []
    set_stage(people.recruiter, referral, "hired")

    hire = one_hire(engine)
    assert (hire.source, hire.channel) == ("referral", None)
    assert hire.referral_bonus == bonus
    assert hire.referral_id == referral and hire.application_id is None
    assert hire.candidate_id == candidate and hire.job_id == job
    assert (hire.job_title, hire.department, hire.first_year_salary) == \
        ("Data Analyst", "Data", Decimal("65000"))


def test_a_hired_referral_without_a_job_is_an_open_application(people, engine):
    referral = add_referral(engine, people.alumnus, add_candidate(engine), None, reward=500)
    set_stage(people.recruiter, referral, "hired")
    hire = one_hire(engine)
    assert (hire.job_title, hire.department, hire.first_year_salary, hire.currency) == \
        ("Open application", "Unassigned", 0, "USD")
    assert hire.source == "referral" and hire.referral_bonus == 500


def test_an_application_after_a_referral_is_the_referrers_hire(people, engine):
    job = add_job(engine, referral_bonus=1_000)
    candidate = add_candidate(engine)
    earlier = datetime.now(UTC) - timedelta(days=10)
    referral = add_referral(engine, people.alumnus, candidate, job, reward=2_500, created_at=earlier)
    application = add_application(engine, job, candidate, source="linkedin")
    set_status(people.recruiter, application, "hired")
    hire = one_hire(engine)
    assert hire.source == "referral" and hire.channel is None
    assert hire.referral_bonus == 2_500
    assert (hire.application_id, hire.referral_id) == (application, referral)


def test_an_application_before_the_referral_is_not_the_referrers_hire(people, engine):
    job = add_job(engine, referral_bonus=1_000)
    candidate = add_candidate(engine)
    earlier = datetime.now(UTC) - timedelta(days=10)
    application = add_application(engine, job, candidate, source="indeed", created_at=earlier)
    add_referral(engine, people.alumnus, candidate, job, reward=2_500)
    set_status(people.recruiter, application, "hired")
    hire = one_hire(engine)
    assert (hire.source, hire.channel) == ("job_board", "indeed")
    assert hire.referral_bonus == 0 and hire.referral_id is None


@pytest.mark.parametrize("first", ["application", "referral"])
def test_an_application_and_a_referral_of_the_same_person_and_job_are_one_hire(people, engine, first):
    job = add_job(engine, referral_bonus=1_000)
    candidate = add_candidate(engine)
    earlier = datetime.now(UTC) - timedelta(days=10)
    referral = add_referral(engine, people.alumnus, candidate, job, reward=2_000, created_at=earlier)
    application = add_application(engine, job, candidate, source="referral")
    hire_both(people.recruiter, application, referral, first=first)
    hire = one_hire(engine)
    assert (hire.application_id, hire.referral_id, hire.candidate_id) == \
        (application, referral, candidate)
    assert hire.source == "referral" and hire.referral_bonus == 2_000


@pytest.mark.parametrize("first", ["application", "referral"])
def test_who_is_hired_first_does_not_change_a_merged_hires_source(people, engine, first):
    # The candidate applied through Indeed ten days before being referred: not the
    # referrer's hire (the migration: "a referral counts only if it came before the
    # application"), whichever side the recruiter marks hired first.
    job = add_job(engine, referral_bonus=1_000)
    candidate = add_candidate(engine)
    application = add_application(engine, job, candidate, source="indeed",
                                  created_at=datetime.now(UTC) - timedelta(days=10))
    referral = add_referral(engine, people.alumnus, candidate, job, reward=2_500)
    hire_both(people.recruiter, application, referral, first=first)
    hire = one_hire(engine)
    assert hire.application_id == application
    assert (hire.source, hire.channel, hire.referral_bonus) == ("job_board", "indeed", 0)


@pytest.mark.parametrize("referred", ["after applying", "before applying"])
def test_application_and_referral_hired_at_the_same_time_are_one_hire(people, engine, referred):
    job, candidate = add_job(engine), add_candidate(engine)
    now = datetime.now(UTC)
    referral_at = now + timedelta(days=1) if referred == "after applying" else now - timedelta(days=1)
    application = add_application(engine, job, candidate, created_at=now)
    referral = add_referral(engine, people.alumnus, candidate, job, created_at=referral_at)

    outcome: list[BaseException | None] = []

    def second_recruiter() -> None:
        try:
            with transaction(people.admin) as conn:
                conn.exec_driver_sql("set local lock_timeout = '10s'")
                conn.execute(sa.text("update public.referrals set stage = 'hired' where id = :id"),
                             {"id": referral})
            outcome.append(None)
        except Exception as error:  # reported by the assertion below
            outcome.append(error)

    with engine.connect() as first, first.begin():
        act_as(first, people.recruiter)
        first.execute(sa.text("update public.applications set status = 'hired' where id = :id"),
                      {"id": application})
        other = threading.Thread(target=second_recruiter)
        other.start()
        other.join(timeout=1.5)  # a correct implementation waits here for the first to commit
    other.join(timeout=15)
    assert outcome == [None]
    hire = one_hire(engine)
    assert (hire.application_id, hire.referral_id) == (application, referral)


def test_the_same_person_hired_for_two_jobs_is_two_hires(people, engine):
    candidate = add_candidate(engine)
    first, second = add_job(engine, title="Backend Engineer"), add_job(engine, title="Frontend Engineer")
    add_application(engine, first, candidate, status="hired")
    referral = add_referral(engine, people.alumnus, candidate, second)
    set_stage(people.recruiter, referral, "hired")
    assert [h.job_title for h in all_hires(engine)] == ["Backend Engineer", "Frontend Engineer"]


def test_unhiring_an_application_deletes_its_hire(people, engine):
    application = add_application(engine, add_job(engine), add_candidate(engine), status="offer")
    set_status(people.recruiter, application, "hired")
    assert len(all_hires(engine)) == 1
    set_status(people.recruiter, application, "offer")
    assert all_hires(engine) == []
    set_status(people.recruiter, application, "hired")  # and hired again: recorded again
    assert len(all_hires(engine)) == 1


def test_unhiring_a_referral_deletes_its_hire(people, engine):
    referral = add_referral(engine, people.alumnus, add_candidate(engine), add_job(engine))
    set_stage(people.recruiter, referral, "hired")
    assert len(all_hires(engine)) == 1
    set_stage(people.recruiter, referral, "not_selected")
    assert all_hires(engine) == []


def test_a_hire_stays_while_its_other_side_is_still_hired(people, engine):
    job, candidate = add_job(engine), add_candidate(engine)
    referral = add_referral(engine, people.alumnus, candidate, job,
                            created_at=datetime.now(UTC) - timedelta(days=3))
    application = add_application(engine, job, candidate)
    set_stage(people.recruiter, referral, "hired")
    set_status(people.recruiter, application, "hired")
    set_stage(people.recruiter, referral, "offer")  # the board moves the referral alone
    assert len(all_hires(engine)) == 1  # the application is still hired
    # Moving the application takes its referral along (issue 16): withdrawn, neither is hired.
    set_status(people.recruiter, application, "withdrawn")
    assert all_hires(engine) == []


def test_a_referral_made_after_the_application_keeps_its_stage(people, engine):
    job, candidate = add_job(engine), add_candidate(engine)
    application = add_application(engine, job, candidate, created_at=datetime.now(UTC) - timedelta(days=3))
    referral = add_referral(engine, people.alumnus, candidate, job)
    set_status(people.recruiter, application, "interviewing")
    with engine.connect() as conn:
        assert conn.execute(sa.text("select stage::text from public.referrals where id = :r"),
                            {"r": referral}).scalar_one() == "submitted"


def test_unhiring_never_deletes_an_imported_hire(people, engine):
    result = hires.import_hires(people.recruiter, HIRES_CSV_HEADER.encode() + b"\n"
                                b"2026-01-15,Backend Engineer,Engineering,direct,90000,USD,,,,,,\n",
                                "past.csv", today=TODAY)
    assert result.added == 1
    imported = one_hire(engine)
    application = add_application(engine, add_job(engine), add_candidate(engine))
    # A recruiter ties the imported hire to the portal's application.
    with engine.begin() as conn:
        conn.execute(sa.text("update public.hires set application_id = :app where id = :id"),
                     {"app": application, "id": imported.id})
    set_status(people.recruiter, application, "hired")
    assert [h.id for h in all_hires(engine)] == [imported.id]  # no second hire
    set_status(people.recruiter, application, "rejected")
    assert [h.id for h in all_hires(engine)] == [imported.id]

    # Nor does un-hiring some other application or referral.
    other = add_application(engine, add_job(engine), add_candidate(engine), status="hired")
    set_status(people.recruiter, other, "rejected")
    assert [h.id for h in all_hires(engine)] == [imported.id]
    assert one_hire(engine).import_key == imported.import_key


# --- CSV import -----------------------------------------------------------------------------

MIXED = hires_csv(
    "2026-01-15,Backend Engineer,Engineering,referral,90000,USD,2000,,,,,",   # row 2: good
    "2026-02-01,Designer,Design,social,70000,eur,,300,,,,LinkedIn",           # row 3: good
    "2026-02-30,Designer,Design,social,70000,EUR,,,,,,",                      # row 4: no such day
    "",                                                                       # row 5: blank
    "2026-02-01,Designer,Design,billboard,70000,EUR,,,,,,",                   # row 6: source
    "2026-02-01,Designer,Design,direct,-5,EUR,,,,,,",                         # row 7: negative
    "2026-02-01,Designer,Design,direct,50000,EUR,,lots,,,,",                  # row 8: not a number
    "2026-02-01,Designer,Design,direct,50000,EURO,,,,,,",                     # row 9: currency
    "2026-02-01,   ,Design,direct,50000,EUR,,,,,,",                           # row 10: no title
    "2026-03-02,Designer,Design,direct,50000,EUR,,,,,,",                      # row 11: future
    '2026-02-20,"Sales  Lead",Sales,Job Board,"85,000",,,50,400,,,Indeed',    # row 12: good
)


def test_import_keeps_good_rows_and_reports_bad_ones_by_spreadsheet_row(people, engine):
    result = hires.import_hires(people.recruiter, MIXED, "mixed.csv", today=TODAY)
    assert result.added == 3 and result.already_imported == 0
    assert result.ignored_columns == []
    reported = {p.row: p.reason for p in result.problems}
    assert sorted(reported) == [4, 6, 7, 8, 9, 10, 11]
    for row, column in ((4, "hire_date"), (6, "source"), (7, "first_year_salary"), (8, "ad_spend"),
                        (9, "currency"), (10, "job_title"), (11, "hire_date")):
        assert column in reported[row], (row, reported[row])
    assert "future" in reported[11]
    assert str(result.problems[0]).startswith("row 4: ")

    rows = {h.job_title: h for h in all_hires(engine)}
    assert set(rows) == {"Backend Engineer", "Designer", "Sales Lead"}
    backend, designer, sales = rows["Backend Engineer"], rows["Designer"], rows["Sales Lead"]
    assert (backend.hire_date, backend.source, backend.first_year_salary, backend.currency,
            backend.referral_bonus) == (date(2026, 1, 15), "referral", 90_000, "USD", 2_000)
    assert (designer.currency, designer.ad_spend, designer.channel) == ("EUR", 300, "LinkedIn")
    # "85,000" is eighty-five thousand; an empty currency is the reporting currency (USD)
    assert (sales.source, sales.first_year_salary, sales.currency, sales.ad_spend,
            sales.job_board_fee, sales.channel) == ("job_board", 85_000, "USD", 50, 400, "Indeed")
    assert all(h.import_key and h.application_id is None for h in rows.values())

    with engine.connect() as conn:
        audit = conn.execute(sa.text(
            "select actor_id, details from public.audit_log where action = 'hires.imported'")).one()
    assert audit.actor_id == people.recruiter.user_id
    assert audit.details == {"file": "mixed.csv", "added": "3", "already_imported": "0",
                             "rejected": "7"}


def test_importing_the_same_file_twice_adds_nothing_the_second_time(people, engine):
    hires.import_hires(people.recruiter, MIXED, "mixed.csv", today=TODAY)
    again = hires.import_hires(people.admin, MIXED, "mixed (1).csv", today=TODAY)
    assert again.added == 0 and again.already_imported == 3
    assert len(again.problems) == 7  # the bad rows are still bad
    assert len(all_hires(engine)) == 3


def test_two_identical_rows_in_one_file_are_two_hires(people, engine):
    row = "2026-01-15,Backend Engineer,Engineering,agency,100000,USD,,,,20000,,Hays"
    first = hires.import_hires(people.recruiter, hires_csv(row, row), "a.csv", today=TODAY)
    assert first.added == 2
    assert len({h.import_key for h in all_hires(engine)}) == 2
    # The same two again are the same two hires; a third copy is a third hire.
    assert hires.import_hires(people.recruiter, hires_csv(row, row), "a.csv", today=TODAY).added == 0
    third = hires.import_hires(people.recruiter, hires_csv(row, row, row), "b.csv", today=TODAY)
    assert (third.added, third.already_imported) == (1, 2)
    assert len(all_hires(engine)) == 3


def test_a_missing_required_column_rejects_the_whole_file(people, engine):
    header = "hire_date,job_title,source,first_year_salary"  # no department
    data = hires_csv("2026-01-15,Backend Engineer,direct,90000", header=header)
    with pytest.raises(ValidationError, match="department"):
        hires.import_hires(people.recruiter, data, "short.csv", today=TODAY)
    assert all_hires(engine) == []


@pytest.mark.parametrize("data", [b"", b"\n\n", b" , ,\n"])
def test_an_empty_file_is_rejected(people, engine, data):
    with pytest.raises(ValidationError, match="empty"):
        hires.import_hires(people.recruiter, data, "empty.csv", today=TODAY)


def test_a_file_that_is_not_utf8_is_rejected(people, engine):
    data = (HIRES_CSV_HEADER + "\n2026-01-15,Ingénieur,Zürich,direct,90000,EUR,,,,,,\n").encode("latin-1")
    with pytest.raises(ValidationError, match="UTF-8"):
        hires.import_hires(people.recruiter, data, "latin1.csv", today=TODAY)
    assert all_hires(engine) == []


def test_a_spreadsheets_utf8_file_with_bom_any_column_order_and_extra_columns(people, engine):
    programme.save_assumptions(people.admin, currency="EUR", fee_rate=0.2,
                               job_board_cost_per_hire=4_000)
    data = ("\ufeffSource,Department,Notes,Hire_Date,First_Year_Salary,Job_Title\n"
            "Internal,München,moved from Ops,2026-01-02,55000,Ingénieure\n").encode()
    result = hires.import_hires(people.recruiter, data, "bom.csv", today=TODAY)
    assert result.added == 1 and result.problems == []
    assert result.ignored_columns == ["notes"]
    hire = one_hire(engine)
    assert (hire.job_title, hire.department, hire.source) == ("Ingénieure", "München", "internal")
    assert hire.currency == "EUR"  # no currency column: the reporting currency
    assert hire.referral_bonus == hire.ad_spend == hire.other_cost == 0


@pytest.mark.parametrize("who", ["candidate", "alumnus", "employee"])
def test_only_staff_can_import(people, engine, who):
    data = hires_csv("2026-01-15,Backend Engineer,Engineering,direct,90000,USD,,,,,,")
    with pytest.raises(PermissionDenied):
        hires.import_hires(getattr(people, who), data, "sneaky.csv", today=TODAY)
    assert all_hires(engine) == []


def test_future_hire_dates_are_rejected(people, engine):
    data = hires_csv("2026-03-01,Today,Eng,direct,1,USD,,,,,,",
                    "2026-03-02,Tomorrow,Eng,direct,1,USD,,,,,,")
    result = hires.import_hires(people.recruiter, data, "dates.csv", today=TODAY)
    assert result.added == 1 and [p.row for p in result.problems] == [3]
    assert "in the future" in result.problems[0].reason
    # Without a "today" given, today's date is used.
    tomorrow = date.today() + timedelta(days=1)
    result = hires.import_hires(people.recruiter,
                                hires_csv(f"{tomorrow},Later,Eng,direct,1,USD,,,,,,"), "later.csv")
    assert result.added == 0 and [p.row for p in result.problems] == [2]
    assert [h.job_title for h in all_hires(engine)] == ["Today"]


@pytest.mark.parametrize("text, amount", [
    ("85000", Decimal("85000")), ("85000.5", Decimal("85000.50")), ("85,000", Decimal("85000")),
    ("1,250,000.75", Decimal("1250000.75")), ("85 000", Decimal("85000")), ("0", Decimal("0")),
    ("1,5", None), ("85.000,00", None), ("NaN", None), ("Infinity", None), ("-1", None),
    ("$85000", None), ("12345678901", None), ("", None),
])
def test_parse_reads_plain_amounts_and_rejects_the_rest(text, amount):
    data = hires_csv(f'2026-01-15,Dev,Eng,direct,"{text}",USD,,,,,,')
    rows, problems, _ = hires.parse_hires_csv(data, "USD", TODAY)
    if amount is None:
        assert rows == [] and [p.row for p in problems] == [2]
        assert "first_year_salary" in problems[0].reason
    else:
        assert problems == [] and rows[0]["first_year_salary"] == amount


def test_parse_reports_rows_of_a_multiline_cell_as_the_spreadsheet_shows_them():
    data = hires_csv('2026-01-15,"Senior\nEngineer",Eng,direct,90000,USD,,,,,,',
                    "2026-01-15,Designer,Eng,nowhere,90000,USD,,,,,,")
    rows, problems, _ = hires.parse_hires_csv(data, "USD", TODAY)
    assert [r["job_title"] for r in rows] == ["Senior Engineer"]
    assert [p.row for p in problems] == [3]


# --- listing and correcting hires -----------------------------------------------------------

def test_list_hires_filters_pages_and_tells_where_each_came_from(people, engine):
    hires.import_hires(people.recruiter, hires_csv(
        "2026-01-15,Backend Engineer,Engineering,agency,100000,USD,,,,20000,,Hays",
        "2026-02-15,Designer,Design,social,70000,USD,,300,,,,LinkedIn"), "a.csv", today=TODAY)
    add_application(engine, add_job(engine, title="Portal Hire"), add_candidate(engine), status="hired")
    with engine.begin() as conn:
        conn.execute(sa.text(
            "insert into public.hires (hire_date, job_title, department, source, first_year_salary)"
            " values ('2025-12-01', 'Typed In', 'Ops', 'direct', 1)"))

    listed = hires.list_hires(people.recruiter)
    assert listed.total == 4
    assert [h.job_title for h in listed.rows] == ["Portal Hire", "Designer", "Backend Engineer",
                                                  "Typed In"]  # newest first
    assert [h.origin for h in listed.rows] == ["portal", "import", "import", "entered"]
    backend = listed.rows[2]
    assert backend.actual_cost == 20_000 and backend.currency == "USD"
    assert [h.job_title for h in hires.list_hires(people.recruiter, search="linked").rows] == \
        ["Designer"]
    assert [h.job_title for h in hires.list_hires(people.recruiter, source="agency").rows] == \
        ["Backend Engineer"]
    second = hires.list_hires(people.recruiter, page=2, page_size=3)
    assert second.total == 4 and [h.job_title for h in second.rows] == ["Typed In"]
    assert hires.list_hires(people.candidate).total == 0  # row-level security


def test_update_and_delete_a_hire(people, engine):
    hires.import_hires(people.recruiter, hires_csv("2026-01-15,Dev,Eng,direct,90000,USD,,,,,,"),
                       "a.csv", today=TODAY)
    hire_id = one_hire(engine).id
    hires.update_hire(people.recruiter, hire_id, source="job_board", channel="  Stack   Overflow ",
                      first_year_salary=95_000, currency="eur",
                      costs={"job_board_fee": 450, "ad_spend": 25.5})
    hire = one_hire(engine)
    assert (hire.source, hire.channel, hire.first_year_salary, hire.currency, hire.job_board_fee,
            hire.ad_spend, hire.referral_bonus) == \
        ("job_board", "Stack Overflow", 95_000, "EUR", 450, Decimal("25.50"), 0)

    for bad in ({"source": "billboard"}, {"currency": "euro"}, {"first_year_salary": -1},
                {"costs": {"agency_fee": -5}}, {"costs": {"other_cost": float("nan")}}):
        arguments = {"source": "direct", "channel": "", "first_year_salary": 1, "currency": "USD",
                     "costs": {}} | bad
        with pytest.raises(ValidationError):
            hires.update_hire(people.recruiter, hire_id, **arguments)
    assert one_hire(engine).source == "job_board"

    with pytest.raises(NotFound):  # row-level security hides it from a candidate
        hires.update_hire(people.candidate, hire_id, source="direct", channel="",
                          first_year_salary=1, currency="USD", costs={})
    with pytest.raises(NotFound):
        hires.delete_hire(people.candidate, hire_id)
    hires.delete_hire(people.recruiter, hire_id)
    assert all_hires(engine) == []
    with pytest.raises(NotFound):
        hires.delete_hire(people.recruiter, hire_id)


# --- assumptions, exchange rates, running costs ---------------------------------------------

def settings_row(engine):
    """The settings row, or None while none was written (`clean_db` truncates the migration's)."""
    with engine.connect() as conn:
        row = conn.execute(sa.text(
            "select trim(currency) as currency, headhunter_fee_rate, job_board_cost_per_hire"
            " from public.savings_settings")).first()
    return None if row is None else tuple(row)


@pytest.mark.parametrize("who", ["recruiter", "candidate"])
def test_only_admins_change_the_assumptions(people, engine, who):
    with pytest.raises(PermissionDenied):
        programme.save_assumptions(getattr(people, who), currency="EUR", fee_rate=0.3,
                                   job_board_cost_per_hire=1)
    assert settings_row(engine) is None
    programme.save_assumptions(people.admin, currency="GBP", fee_rate=0.25,
                               job_board_cost_per_hire=5_000)
    with pytest.raises(PermissionDenied):  # nor, once written, change them
        programme.save_assumptions(getattr(people, who), currency="EUR", fee_rate=0.3,
                                   job_board_cost_per_hire=1)
    assert settings_row(engine) == ("GBP", Decimal("0.2500"), Decimal("5000.00"))


def test_assumptions_and_rates_say_every_problem_at_once(people, engine):
    with pytest.raises(ValidationError) as every:
        programme.save_assumptions(people.admin, currency="E", fee_rate=float("nan"),
                                   job_board_cost_per_hire=-1, default_referral_bonus=float("inf"))
    assert [field for field, _ in every.value.problems] == [
        "currency", "default_referral_bonus", "fee_rate", "job_board_cost_per_hire"]
    with pytest.raises(ValidationError) as both:
        programme.set_rate(people.admin, "", 0)
    assert [field for field, _ in both.value.problems] == ["currency", "rate"]
    assert settings_row(engine) is None


def test_an_admin_changes_the_assumptions(people, engine):
    programme.save_assumptions(people.admin, currency="gbp", fee_rate=0.25,
                               job_board_cost_per_hire=5_000)
    assert settings_row(engine) == ("GBP", Decimal("0.2500"), Decimal("5000.00"))
    programme.save_assumptions(people.admin, currency="USD", fee_rate=0.3,
                               job_board_cost_per_hire=4_000)  # and again: replaced
    assert settings_row(engine) == ("USD", Decimal("0.3000"), Decimal("4000.00"))
    seen = programme.assumptions(people.recruiter)
    assert (seen.currency, seen.fee_rate, seen.job_board_cost_per_hire) == ("USD", 0.3, 4_000)


@pytest.mark.parametrize("bad", [{"currency": "pounds"}, {"fee_rate": 1.5}, {"fee_rate": -0.1},
                                 {"job_board_cost_per_hire": -1},
                                 {"job_board_cost_per_hire": float("inf")}])
def test_assumptions_out_of_range_are_refused(people, engine, bad):
    with pytest.raises(ValidationError):
        programme.save_assumptions(people.admin, **({"currency": "USD", "fee_rate": 0.2,
                                                    "job_board_cost_per_hire": 4_700} | bad))
    assert settings_row(engine) is None


def rates(engine) -> dict[str, Decimal]:
    with engine.connect() as conn:
        return {c.strip(): r for c, r in conn.execute(sa.text(
            "select currency, rate from public.exchange_rates"))}


def test_only_admins_set_and_remove_exchange_rates(people, engine):
    with pytest.raises(PermissionDenied):
        programme.set_rate(people.recruiter, "EUR", 1.1)
    assert rates(engine) == {}
    programme.set_rate(people.admin, "eur", 1.1)
    programme.set_rate(people.admin, "EUR", 1.08)  # set again: replaced
    programme.set_rate(people.admin, "GBP", 1.27)
    assert rates(engine) == {"EUR": Decimal("1.08"), "GBP": Decimal("1.27")}
    assert programme.assumptions(people.recruiter).rates == {"EUR": 1.08, "GBP": 1.27}
    with pytest.raises(PermissionDenied):
        programme.remove_rate(people.recruiter, "EUR")
    programme.remove_rate(people.admin, "EUR")
    assert rates(engine) == {"GBP": Decimal("1.27")}


@pytest.mark.parametrize("currency, rate", [("EUR", 0), ("EUR", -1), ("EUR", float("nan")),
                                            ("EURO", 1.1), ("", 1.1)])
def test_bad_exchange_rates_are_refused(people, engine, currency, rate):
    with pytest.raises(ValidationError):
        programme.set_rate(people.admin, currency, rate)
    assert rates(engine) == {}


def test_saving_a_months_running_costs_replaces_its_rows(people, engine):
    programme.save_month_costs(people.recruiter, date(2026, 1, 17),
                               {"content": 1_000, "tools": 250.5, "promotion": 0}, "eur",
                               "  launch   event ")
    january = programme.month_costs(people.recruiter, date(2026, 1, 1))
    assert january.month == date(2026, 1, 1)
    assert january.amounts == {"content": Decimal("1000.00"), "tools": Decimal("250.50")}
    assert (january.currency, january.note, january.total) == ("EUR", "launch event",
                                                               Decimal("1250.50"))

    programme.save_month_costs(people.admin, date(2026, 1, 1), {"content": 1_200, "tools": 0}, "USD")
    january = programme.month_costs(people.recruiter, date(2026, 1, 1))
    assert (january.amounts, january.currency, january.note) == ({"content": 1_200}, "USD", "")
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from public.programme_costs")).scalar() == 1

    programme.save_month_costs(people.recruiter, date(2026, 1, 1), {"content": 0}, "USD")
    assert programme.month_costs(people.recruiter, date(2026, 1, 1)) is None  # all zero: removed


@pytest.mark.parametrize("amounts, currency", [
    ({"content": -1}, "USD"), ({"content": 100, "tools": -0.01}, "USD"),
    ({"content": float("nan")}, "USD"), ({"content": 100}, "DOLLARS"), ({"content": 100}, "U$D"),
    ({"catering": 100}, "USD"),
])
def test_bad_running_costs_are_refused_and_change_nothing(people, engine, amounts, currency):
    programme.save_month_costs(people.recruiter, date(2026, 2, 1), {"content": 500}, "USD")
    with pytest.raises(ValidationError):
        programme.save_month_costs(people.recruiter, date(2026, 2, 1), amounts, currency)
    assert programme.month_costs(people.recruiter, date(2026, 2, 1)).amounts == {"content": 500}


def test_a_note_over_500_characters_is_refused(people, engine):
    with pytest.raises(ValidationError, match="500"):
        programme.save_month_costs(people.recruiter, date(2026, 2, 1), {"content": 1}, "USD",
                                   "x" * 501)


@pytest.mark.parametrize("who", ["candidate", "alumnus"])
def test_only_staff_enter_running_costs(people, engine, who):
    with pytest.raises(PermissionDenied):
        programme.save_month_costs(getattr(people, who), date(2026, 2, 1), {"content": 500}, "USD")
    programme.save_month_costs(people.recruiter, date(2026, 3, 1), {"tools": 5}, "USD")
    with pytest.raises(PermissionDenied):  # nor replace (delete) what staff entered
        programme.save_month_costs(getattr(people, who), date(2026, 3, 1), {"tools": 9}, "USD")
    assert programme.month_costs(people.recruiter, date(2026, 3, 1)).amounts == {"tools": 5}


def test_running_costs_page_lists_months_newest_first(people, engine):
    for month in range(1, 6):
        programme.save_month_costs(people.recruiter, date(2026, month, 1),
                                   {"content": 100 * month, "tools": month}, "USD")
    first = programme.running_costs_page(people.recruiter, page_size=2)
    assert first.total == 5
    assert [m.month for m in first.rows] == [date(2026, 5, 1), date(2026, 4, 1)]
    assert first.rows[0].total == 505
    last = programme.running_costs_page(people.recruiter, page=3, page_size=2)
    assert [m.month for m in last.rows] == [date(2026, 1, 1)]
    assert last.rows[0].amounts == {"content": 100, "tools": 1}


# --- the report over the database -----------------------------------------------------------

def insert_hire(conn, hire_date, source, department, currency, salary, **costs) -> None:
    conn.execute(sa.text(
        "insert into public.hires (hire_date, job_title, department, source, channel,"
        " first_year_salary, currency, referral_bonus, ad_spend, job_board_fee, agency_fee,"
        " other_cost) values (:date, 'Job', :department, cast(:source as public.hire_source),"
        " :channel, :salary, :currency, :referral_bonus, :ad_spend, :job_board_fee, :agency_fee,"
        " :other_cost)"),
        {"date": hire_date, "source": source, "department": department, "currency": currency,
         "salary": salary, "channel": costs.pop("channel", None),
         **{c: costs.get(c, 0) for c in ("referral_bonus", "ad_spend", "job_board_fee",
                                         "agency_fee", "other_cost")}})


@pytest.fixture
def report_world(people, engine) -> People:
    programme.save_assumptions(people.admin, currency="USD", fee_rate=0.25,
                               job_board_cost_per_hire=5_000)
    programme.set_rate(people.admin, "EUR", 1.2)
    with engine.begin() as conn:
        insert_hire(conn, date(2026, 1, 10), "referral", "Eng", "USD", 100_000, referral_bonus=3_000)
        insert_hire(conn, date(2026, 1, 20), "agency", "Eng", "USD", 150_000, agency_fee=40_000)
        insert_hire(conn, date(2026, 2, 5), "social", "Sales", "EUR", 50_000, ad_spend=500,
                    channel="linkedin")
        insert_hire(conn, date(2026, 3, 31), "job_board", "Sales", "USD", 60_000, job_board_fee=800,
                    other_cost=200)
        insert_hire(conn, date(2026, 2, 10), "direct", "Ops", "GBP", 80_000)  # no GBP rate
        insert_hire(conn, date(2025, 12, 31), "direct", "Ops", "USD", 999_999)  # before the period
        insert_hire(conn, date(2026, 4, 1), "direct", "Ops", "USD", 999_999)  # after it
    for month, amounts, currency in ((date(2025, 12, 1), {"content": 99_999}, "USD"),
                                     (date(2026, 1, 1), {"content": 25_000, "tools": 5_000}, "USD"),
                                     (date(2026, 2, 1), {"tools": 2_000}, "EUR"),
                                     (date(2026, 3, 1), {"promotion": 5_000}, "USD"),
                                     (date(2026, 4, 1), {"content": 99_999}, "USD")):
        programme.save_month_costs(people.recruiter, month, amounts, currency)
    return people


def test_the_report_over_the_database_matches_the_hand_computed_figures(report_world):
    report = savings_report(report_world.recruiter, date(2026, 1, 1), date(2026, 3, 31))
    # fee rate 25 %, job-board baseline 5,000, EUR at 1.2; GBP has no rate
    #   Jan referral  100,000        bonus 3,000   vs HH 25,000−3,000 = 22,000  vs JB 5,000−3,000 = 2,000
    #   Jan agency    150,000        fee 40,000    vs HH 0                      vs JB 0
    #   Feb social    50,000 EUR = 60,000 USD, ads 500 EUR = 600 USD
    #                                              vs HH 15,000−600 = 14,400    vs JB 5,000−600 = 4,400
    #   Mar job board 60,000         fee 800 + other 200
    #                                              vs HH 15,000−1,000 = 14,000  vs JB 0
    # hires 4; actual cost 3,000 + 40,000 + 600 + 1,000 = 44,600
    # saving vs HH 22,000 + 14,400 + 14,000 = 50,400; vs job boards 2,000 + 4,400 = 6,400
    # running costs Jan 30,000, Feb 2,000 EUR = 2,400, Mar 5,000 → 37,400
    # ROI (50,400 − 37,400) / 37,400; cumulative savings 22,000 | 36,400 | 50,400 against
    # cumulative costs 30,000 | 32,400 | 37,400 → paid back in February
    totals = report.totals
    assert totals.hires == 4
    assert totals.actual_cost == pytest.approx(44_600)
    assert totals.saving_vs_headhunter == pytest.approx(50_400)
    assert totals.saving_vs_job_boards == pytest.approx(6_400)
    assert totals.running_costs == pytest.approx(37_400)
    assert totals.roi == pytest.approx(13_000 / 37_400)
    assert report.payback_month == date(2026, 2, 1)
    assert report.unconverted == {"GBP": 1}
    assert report.rates_used == {"EUR": 1.2, "USD": 1.0}
    assert report.by_month["Month"].tolist() == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert report.by_month["Hires"].tolist() == [2, 1, 1]
    assert report.average_referral_bonus == pytest.approx(3_000)
    assert report.referral_share == pytest.approx(0.25)
    same = what_if(report, fee_rate=0.25, referral_bonus=3_000, referral_share=0.25)
    assert same.saving_vs_headhunter == pytest.approx(50_400)
    assert same.actual_cost == pytest.approx(44_600)


def test_the_report_period_includes_both_ends_and_the_months_it_touches(report_world, engine):
    with engine.connect() as conn:
        report = fetch_report(conn, date(2026, 1, 15), date(2026, 3, 30))
    # Jan 10 and Mar 31 are outside; Jan's and Mar's running costs count in full.
    assert report.totals.hires == 2  # the agency hire (Jan 20) and the social one (Feb 5)
    assert report.totals.saving_vs_headhunter == pytest.approx(14_400)
    assert report.totals.running_costs == pytest.approx(37_400)
    assert report.payback_month is None


def test_the_report_shows_nothing_to_who_may_not_see_it(report_world):
    report = savings_report(report_world.candidate, date(2026, 1, 1), date(2026, 3, 31))
    assert report.totals.hires == 0 and report.totals.running_costs == 0
    assert report.unconverted == {}


def test_a_portal_hire_shows_in_todays_report(people, engine):
    job = add_job(engine, salary_min=100_000, salary_max=100_000, currency="USD", referral_bonus=2_000)
    referral = add_referral(engine, people.alumnus, add_candidate(engine), job)
    set_stage(people.recruiter, referral, "hired")
    today = db_today(engine)
    month_end = date(today.year + today.month // 12, today.month % 12 + 1, 1) - timedelta(days=1)
    # The month so far, and the whole month (read from the totals the database keeps).
    for end in (today, month_end):
        report = savings_report(people.recruiter, today.replace(day=1), end)
        # 0.2 × 100,000 − 2,000 = 18,000; 4,700 − 2,000 = 2,700
        assert report.totals.hires == 1
        assert report.totals.saving_vs_headhunter == pytest.approx(18_000)
        assert report.totals.saving_vs_job_boards == pytest.approx(2_700)
    set_stage(people.recruiter, referral, "not_selected")
    for end in (today, month_end):
        assert savings_report(people.recruiter, today.replace(day=1), end).totals.hires == 0


def test_the_report_follows_corrections_and_deletions(people, engine):
    hires.import_hires(people.recruiter, hires_csv(
        "2026-02-03,Dev,Eng,referral,100000,USD,2000,,,,,",
        "2026-02-20,Ops,Ops,direct,50000,USD,,,,,,"), "feb.csv", today=TODAY)

    def february():
        return savings_report(people.recruiter, date(2026, 2, 1), date(2026, 2, 28)).totals

    # 0.2 × 100,000 − 2,000 + 0.2 × 50,000 = 28,000; cost 2,000
    assert (february().hires, february().actual_cost) == (2, 2_000)
    assert february().saving_vs_headhunter == pytest.approx(28_000)
    ops = next(h for h in hires.list_hires(people.recruiter).rows if h.job_title == "Ops")
    hires.update_hire(people.recruiter, ops.id, source="agency", channel="Hays",
                      first_year_salary=50_000, currency="USD", costs={"agency_fee": 5_000})
    # the direct hire is now an agency hire: it saves nothing; cost 2,000 + 5,000
    assert february().actual_cost == pytest.approx(7_000)
    assert february().saving_vs_headhunter == pytest.approx(18_000)
    hires.update_hire(people.recruiter, ops.id, source="agency", channel="Hays",
                      first_year_salary=50_000, currency="EUR", costs={"agency_fee": 5_000})
    programme.set_rate(people.admin, "EUR", 2)
    assert february().actual_cost == pytest.approx(12_000)  # 2,000 + 5,000 EUR × 2
    hires.delete_hire(people.recruiter, ops.id)
    assert (february().hires, february().actual_cost) == (1, 2_000)
    with engine.connect() as conn:
        kept = savings.hire_groups(conn, date(2026, 2, 1), date(2026, 2, 28))
        summed = savings.hire_groups_from_hires(conn, date(2026, 2, 1), date(2026, 2, 28))
    assert kept.to_dict("records") == summed.to_dict("records")


def test_the_demo_report_agrees_with_sql(demo_db):
    from services import demo
    from services.people import sign_in

    recruiter = sign_in.with_password("recruiter@example.com", demo.DEMO_PASSWORD)
    end = date.today()
    start = end - timedelta(days=365)
    report = savings_report(recruiter, start, end)
    with demo_db.connect() as conn:
        expected = conn.execute(sa.text(
            """
            with s as (select trim(currency) as currency, headhunter_fee_rate as fee,
                              job_board_cost_per_hire as jb from public.savings_settings
                       union all  -- never written: the defaults
                       select 'USD', 0.20, 4700
                       where not exists (select 1 from public.savings_settings)),
            h as (
              select h.*, h.referral_bonus + h.ad_spend + h.job_board_fee + h.agency_fee
                          + h.other_cost as cost,
                     case when trim(h.currency) = s.currency then 1 else r.rate end as rate,
                     s.fee, s.jb
              from public.hires h cross join s
              left join public.exchange_rates r on trim(r.currency) = trim(h.currency)
              where h.hire_date between :start and :end)
            select count(*) as hires, sum(cost * rate) as cost,
                   sum(case when source <> 'agency' then (fee * first_year_salary - cost) * rate
                       else 0 end) as hh,
                   sum(case when source in ('referral', 'social', 'direct', 'internal')
                       then jb - cost * rate else 0 end) as jb  -- the baseline is in USD already
            from h where rate is not null
            """), {"start": start, "end": end}).one()
    assert report.totals.hires == expected.hires > 90
    assert report.totals.actual_cost == pytest.approx(float(expected.cost))
    assert report.totals.saving_vs_headhunter == pytest.approx(float(expected.hh))
    assert report.totals.saving_vs_job_boards == pytest.approx(float(expected.jb))
    assert report.unconverted == {}
    assert report.totals.running_costs > 0 and report.totals.roi is not None
    assert len(report.by_month) in (12, 13)
    same = what_if(report, fee_rate=report.assumptions.fee_rate,
                   referral_bonus=report.average_referral_bonus,
                   referral_share=report.referral_share)
    assert same.saving_vs_headhunter == pytest.approx(report.totals.saving_vs_headhunter)
    assert same.actual_cost == pytest.approx(report.totals.actual_cost)
