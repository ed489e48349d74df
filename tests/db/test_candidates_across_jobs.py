"""Candidates across jobs (issue 16): one table of every application, searched and filtered in
SQL a page at a time; a candidate's profile read in one transaction; a candidate added by hand,
whose agency fee reaches the hire and the savings figures. Against the real database, per role."""

from __future__ import annotations

from uuid import UUID

import pytest
import sqlalchemy as sa

from portal import db
from portal.db import act_as
from portal.errors import PermissionDenied, ValidationError
from portal.models import Actor, Role
from services.candidates import across_jobs, applications
from services.candidates import profile as profiles
from services.candidates.across_jobs import Filters, HandForm
from services.candidates.applications import ApplicationForm, MoveForm
from services.postings.tracking import TrackedSource
from tests.db.rows import add_account, add_job

VISITOR = Actor.visitor()


def _apply(job: UUID, email: str, name: str, source: str = "career_site") -> UUID:
    return applications.apply(VISITOR, job, ApplicationForm(name, email, consent=True), None,
                              TrackedSource(source)).application_id


@pytest.fixture
def desk(clean_db):
    """Two published jobs with applications from several sources, and one of each role."""
    data = add_job(clean_db, "Data Engineer", salary_min=60000, salary_max=80000, currency="EUR")
    design = add_job(clean_db, "Product Designer")
    people = {"recruiter": add_account(clean_db, "rita@example.com", "Rita Recruiter", Role.RECRUITER),
              "admin": add_account(clean_db, "adam@example.com", "Adam Admin", Role.ADMIN),
              "alumnus": add_account(clean_db, "al@example.com", "Al Alumnus", Role.ALUMNUS),
              "candidate": add_account(clean_db, "cara@example.com", "Cara Candidate", Role.CANDIDATE)}
    apps = {"ada_data": _apply(data, "ada@example.com", "Ada Lovelace", "linkedin"),
            "alan_data": _apply(data, "alan@example.com", "Alan Turing"),
            "ada_design": _apply(design, "ada@example.com", "Ada Lovelace"),
            "grace_design": _apply(design, "grace@example.com", "Grace Hopper", "indeed")}
    return {"data": data, "design": design, "apps": apps, **people}


def _names(page) -> list[str]:
    return [f"{r.full_name} / {r.job_title}" for r in page.rows]


def test_the_table_lists_every_application_newest_first_filtered_and_paged(desk):
    recruiter = desk["recruiter"]
    everyone = across_jobs.search(recruiter, Filters())
    assert everyone.total == 4
    assert _names(everyone)[0] == "Grace Hopper / Product Designer"  # the newest
    assert {r.status for r in everyone.rows} == {"new"}
    assert _names(across_jobs.search(recruiter, Filters(job_id=str(desk["data"])))) == [
        "Alan Turing / Data Engineer", "Ada Lovelace / Data Engineer"]
    assert _names(across_jobs.search(recruiter, Filters(source="indeed"))) == [
        "Grace Hopper / Product Designer"]
    # by part of a name or an email, case and % _ taken literally
    assert across_jobs.search(recruiter, Filters(search="LOVEL")).total == 2
    assert across_jobs.search(recruiter, Filters(search="alan@exa")).total == 1
    assert across_jobs.search(recruiter, Filters(search="%")).total == 0
    applications.move(recruiter, MoveForm((desk["apps"]["alan_data"],), "interviewing"))
    interviewing = across_jobs.search(recruiter, Filters(stage="interviewing"))
    assert _names(interviewing) == ["Alan Turing / Data Engineer"]
    # a page at a time, with the total
    second = across_jobs.search(recruiter, Filters(), page=2, page_size=3)
    assert (second.total, len(second.rows), second.page_count) == (4, 1, 2)
    # filters the URL carried wrongly are no filters
    assert across_jobs.search(recruiter, Filters(job_id="not-a-uuid", stage="sideways")).total == 4
    choices = across_jobs.filter_choices(recruiter)
    assert choices.sources == ["career_site", "indeed", "linkedin"]
    assert [title for _, title in choices.jobs] == ["Data Engineer", "Product Designer"]


@pytest.mark.parametrize("who", ["candidate", "alumnus"])
def test_only_staff_see_the_table_and_profiles(desk, who):
    with pytest.raises(PermissionDenied):
        across_jobs.search(desk[who], Filters())
    with pytest.raises(PermissionDenied):
        across_jobs.filter_choices(desk[who])
    ada = across_jobs.search(desk["recruiter"], Filters(search="ada@")).rows[0].candidate_id
    with pytest.raises(PermissionDenied):
        profiles.profile(desk[who], ada)


def test_a_profile_gathers_applications_history_notes_referrals_and_questions_in_one_transaction(
        clean_db, desk):
    recruiter = desk["recruiter"]
    ada = across_jobs.search(recruiter, Filters(search="ada@")).rows[0].candidate_id
    applications.move(recruiter, MoveForm((desk["apps"]["ada_data"],), "rejected", "salary", "",
                                          "Thank you, <b>Ada</b>."))
    applications.add_note(recruiter, desk["apps"]["ada_design"], "Strong portfolio <script>")
    with clean_db.begin() as conn:
        conn.execute(sa.text(
            "insert into public.referrals (referrer_id, candidate_id, job_id, relationship, reason)"
            " values (:al, :ada, :job, 'Worked together', 'Best engineer I know')"),
            {"al": desk["alumnus"].user_id, "ada": ada, "job": desk["design"]})
        question = conn.execute(sa.text("insert into public.questions (body, job_id)"
                                        " values ('Is the role remote?', :job) returning id"),
                                {"job": desk["data"]}).scalar_one()
        conn.execute(sa.text("insert into public.question_askers (question_id, email)"
                             " values (:q, 'ada@example.com')"), {"q": question})
    before = db.transactions_opened()
    found = profiles.profile(recruiter, str(ada))
    assert db.transactions_opened() - before == 1
    assert (found.full_name, found.email) == ("Ada Lovelace", "ada@example.com")
    assert [a.job_title for a in found.applications] == ["Product Designer", "Data Engineer"]
    data_app = found.applications[1]
    assert data_app.status == "rejected" and data_app.message == "Thank you, <b>Ada</b>."
    assert [e.to_status for e in data_app.events] == ["new", "rejected"]
    assert "Salary expectations" in data_app.events[-1].describe()
    assert [n.body for n in found.applications[0].notes] == ["Strong portfolio <script>"]
    [referral] = found.referrals
    assert (referral.job_title, referral.referrer_name, referral.reason) == (
        "Product Designer", "Al Alumnus", "Best engineer I know")
    assert [q.body for q in found.questions] == ["Is the role remote?"]
    assert profiles.profile(recruiter, "not-an-id") is None
    assert profiles.profile(recruiter, UUID(int=0)) is None


# --- added by hand ---------------------------------------------------------------------------

def test_every_problem_of_a_hand_added_candidate_is_reported_at_once_under_its_field(desk):
    with pytest.raises(ValidationError) as refused:
        across_jobs.add_by_hand(desk["recruiter"], HandForm(None, " ", "not-an-email", "example.com/x",
                                                            "agency", "", None))
    assert [field for field, _ in refused.value.problems] == [
        "job", "full_name", "email", "linkedin_url", "agency_name", "agency_fee"]
    with pytest.raises(ValidationError) as refused:
        across_jobs.add_by_hand(desk["recruiter"], HandForm(desk["data"], "Lin", "lin@example.com",
                                                            source="agency", agency_name="Hays",
                                                            agency_fee=-5))
    assert [field for field, _ in refused.value.problems] == ["agency_fee"]
    with pytest.raises(ValidationError) as refused:
        across_jobs.add_by_hand(desk["recruiter"], HandForm(desk["data"], "Lin", "lin@example.com",
                                                            source="sideways"))
    assert [field for field, _ in refused.value.problems] == ["source"]


def test_an_agency_candidate_added_by_hand_brings_its_fee_to_the_hire_and_the_savings(clean_db, desk):
    recruiter = desk["recruiter"]
    added = across_jobs.add_by_hand(recruiter, HandForm(
        desk["data"], "Lin  Park", "Lin.Park@Example.org", "linkedin.com/in/lin-park", "agency",
        " Hays Talent ", 12500.75))
    assert added.new_person
    row = across_jobs.search(recruiter, Filters(search="lin.park")).rows[0]
    assert (row.full_name, row.source, row.job_title) == ("Lin Park", "agency", "Data Engineer")
    with clean_db.connect() as conn:
        audit = conn.execute(sa.text("select details from public.audit_log"
                                     " where action = 'application.added_by_hand'")).scalar_one()
        assert audit["agency"] == "Hays Talent"
    # the same person for the same job again is refused; for another job they are found by email
    with pytest.raises(ValidationError, match="already a candidate for this job"):
        across_jobs.add_by_hand(recruiter, HandForm(desk["data"], "Lin Park", "lin.park@example.org",
                                                    source="direct"))
    again = across_jobs.add_by_hand(desk["admin"], HandForm(desk["design"], "Lin P.", "lin.park@example.org",
                                                            source="internal"))
    assert not again.new_person and again.candidate_id == added.candidate_id
    found = profiles.profile(recruiter, added.candidate_id)
    assert found.linkedin_url == "https://linkedin.com/in/lin-park"
    assert {(a.job_title, a.agency_name, a.agency_fee) for a in found.applications} == {
        ("Data Engineer", "Hays Talent", 12500.75), ("Product Designer", None, None)}

    applications.move(recruiter, MoveForm((added.application_id,), "hired"))
    with clean_db.connect() as conn:
        hire = conn.execute(sa.text("select source::text, channel, agency_fee, currency, first_year_salary"
                                    " from public.hires where application_id = :a"),
                            {"a": added.application_id}).one()
        kept = conn.execute(sa.text("select sum(agency_fee) from public.hire_totals"
                                    " where source = 'agency'")).scalar_one()
    assert (hire.source, hire.channel, float(hire.agency_fee), hire.currency) == (
        "agency", "Hays Talent", 12500.75, "EUR")
    assert float(kept) == 12500.75  # the savings report's kept figures count the fee
    # an internal move is a hire without a fee
    applications.move(recruiter, MoveForm((again.application_id,), "hired"))
    with clean_db.connect() as conn:
        internal = conn.execute(sa.text("select source::text, agency_fee from public.hires"
                                        " where application_id = :a"), {"a": again.application_id}).one()
    assert (internal.source, float(internal.agency_fee)) == ("internal", 0)


def test_a_closed_job_takes_no_candidate_by_hand(clean_db, desk):
    closed = add_job(clean_db, "Office Manager", status="closed")
    with pytest.raises(ValidationError, match="closed"):
        across_jobs.add_by_hand(desk["recruiter"], HandForm(closed, "Lin Park", "lin@example.org",
                                                            source="direct"))


@pytest.mark.parametrize("who", ["anon", "candidate", "alumnus"])
def test_only_staff_may_call_the_function_and_the_database_checks_again(clean_db, desk, who):
    actor = VISITOR if who == "anon" else desk[who]
    call = ("select * from private.add_candidate(:job, 'Lin Park', 'lin@example.org', null, 'agency',"
            " 'Hays', 100)")
    with clean_db.connect() as conn, conn.begin():
        act_as(conn, actor)
        with pytest.raises(sa.exc.DBAPIError) as refused:
            conn.execute(sa.text(call), {"job": desk["data"]})
        assert refused.value.orig.sqlstate == "42501"
    # staff get past the door, and the database refuses what the form would have
    for args, words in (
            ("'Lin', 'lin@example.org', null, 'agency', null, 5", "Name the agency"),
            ("'Lin', 'lin@example.org', null, 'direct', 'Hays', 5", "go with an agency's candidate only"),
            ("'Lin', 'lin@example.org', null, 'agency', 'Hays', -1", "agency's fee"),
            ("'', 'lin@example.org', null, 'direct', null, null", "Enter their name"),
            ("'Lin', 'lin', null, 'direct', null, null", "Enter their email"),
            ("'Lin', 'lin@example.org', 'https://evil.example/in/x', 'direct', null, null", "LinkedIn"),
            ("'Lin', 'lin@example.org', null, 'referral', null, null", "where the candidate comes from")):
        sql = f"select * from private.add_candidate(:job, {args})"  # noqa: S608 - the test's own
        with clean_db.connect() as conn, conn.begin():
            act_as(conn, desk["recruiter"])
            with pytest.raises(sa.exc.DBAPIError, match=words):
                conn.execute(sa.text(sql), {"job": desk["data"]})


@pytest.mark.parametrize("who", ["anon", "candidate", "alumnus", "recruiter"])
def test_nobody_writes_agency_fees_but_the_function(clean_db, desk, who):
    added = across_jobs.add_by_hand(desk["recruiter"], HandForm(desk["data"], "Lin Park", "lin@example.org",
                                                                source="agency", agency_name="Hays",
                                                                agency_fee=100))
    actor = VISITOR if who == "anon" else desk[who]
    for sql in ("update public.application_agencies set agency_fee = 0",
                "delete from public.application_agencies",
                "insert into public.application_agencies (application_id, agency_name, agency_fee)"
                " values (:app, 'Forged', 1)"):
        with clean_db.connect() as conn, conn.begin():
            act_as(conn, actor)
            with pytest.raises(sa.exc.DBAPIError) as refused:
                conn.execute(sa.text(sql), {"app": desk["apps"]["alan_data"]})
            assert refused.value.orig.sqlstate == "42501"
    with clean_db.connect() as conn, conn.begin():
        act_as(conn, actor)
        if who == "anon":  # visitors are not granted the table at all
            with pytest.raises(sa.exc.DBAPIError):
                conn.execute(sa.text("select count(*) from public.application_agencies"))
            return
        seen = conn.execute(sa.text("select application_id from public.application_agencies")).all()
    assert seen == ([(added.application_id,)] if who == "recruiter" else [])


@pytest.mark.parametrize("who", ["anon", "candidate", "alumnus", "recruiter", "admin"])
def test_the_name_and_email_search_finds_people_for_staff_only(clean_db, desk, who):
    actor = VISITOR if who == "anon" else desk[who]
    with clean_db.connect() as conn, conn.begin():
        act_as(conn, actor)
        if who == "anon":
            with pytest.raises(sa.exc.DBAPIError) as refused:
                conn.execute(sa.text("select private.candidates_matching('%')"))
            assert refused.value.orig.sqlstate == "42501"
            return
        found = conn.execute(sa.text("select count(*) from private.candidates_matching('%')")).scalar_one()
    assert found == (3 if who in ("recruiter", "admin") else 0)
