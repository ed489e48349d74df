"""Candidates across jobs and one candidate's profile through AppTest (issue 16): the table of
every application with words for stages and sources, its filters and search, chosen rows
moved together or opened as a profile; the profile gathering a person's applications,
history, notes, referrals and questions, what people wrote shown as text."""

from __future__ import annotations

import sqlalchemy as sa

from portal.models import Actor
from services.candidates import applications
from services.candidates.across_jobs import Filters
from services.candidates.applications import ApplicationForm, MoveForm
from services.postings.tracking import TrackedSource
from tests.app.helpers import (
    app_as,
    as_read,
    assert_errors,
    assert_no_exception,
    demo_job_id,
    open_page,
    problem_under,
    signed_in,
    texts,
)
from tests.support import make_pdf

CANDIDATES = "pages/recruiting/candidates.py"
CANDIDATE = "pages/recruiting/candidate.py"
RECRUITER = "recruiter@example.com"


def _table(at):
    return [d.value for d in at.dataframe if "In stage" in d.value.columns][0]


def _choose_rows(at, filters: Filters, *rows: int) -> None:
    """Tick `rows` of the table's first page, as it is shown with `filters`."""
    at.session_state[f"candidates-table:candidates-page:{filters}:1"] = {
        "selection": {"rows": list(rows), "columns": []}}
    at.run()


def _apply(job_id, name: str, email: str, source: str = "career_site"):
    return applications.apply(Actor.visitor(), job_id, ApplicationForm(name, email, consent=True), None,
                              TrackedSource(source)).application_id


def test_the_table_shows_every_job_in_words_filtered_and_searched(demo_db):
    job_id = demo_job_id(demo_db)
    _apply(job_id, "Zed <b>Bold</b>", "zed.bold@example.org", "linkedin")
    at = open_page(CANDIDATES, signed_in(RECRUITER))
    table = _table(at)
    assert list(table.columns) == ["Name", "Email", "Job", "Stage", "Source", "Applied", "In stage"]
    assert table["Name"][0] == "Zed <b>Bold</b>"  # the newest, as typed (a table cell is text)
    assert table["Source"][0] == "LinkedIn" and table["Stage"][0] == "Applied"
    assert table["Job"].nunique() > 1  # across jobs
    assert not set(table["Stage"]) & set(applications.STAGES)  # words, never codes
    assert "career_site" not in set(table["Source"])
    assert "1–25 of" in texts(at)

    at.text_input(key="q").input("ZED.BOLD").run()  # search by email, any case
    assert list(_table(at)["Email"]) == ["zed.bold@example.org"]
    at.text_input(key="q").input("").run()
    at.selectbox(key="stage").set_value("hired").run()
    assert_no_exception(at)
    assert set(_table(at)["Stage"]) == {"Hired"}
    at.selectbox(key="stage").set_value("").run()
    at.selectbox(key="job").set_value(str(job_id)).run()
    assert set(_table(at)["Job"]) == {"Senior Backend Engineer (Python)"}
    at.selectbox(key="source").set_value("linkedin").run()
    assert set(_table(at)["Source"]) == {"LinkedIn"} and _table(at)["Name"][0] == "Zed <b>Bold</b>"
    at.text_input(key="q").input("nobody-by-this-name").run()
    assert_no_exception(at)
    assert "No candidates match" in texts(at)


def test_chosen_rows_open_profiles_and_move_together_every_problem_under_its_field(demo_db):
    job_id = demo_job_id(demo_db)
    first = _apply(job_id, "Lin Park", "lin.park@kestrel-mail.com")
    second = _apply(job_id, "Kai Berg", "kai.berg@kestrel-mail.com")
    at = open_page(CANDIDATES, signed_in(RECRUITER))
    assert list(_table(at)["Name"])[:2] == ["Kai Berg", "Lin Park"]  # the newest two
    assert "Choose rows" in texts(at)
    _choose_rows(at, Filters(), 0, 1)
    links = {as_read(link.proto.label): link.proto.page for link in at.get("page_link")}
    assert {"Kai Berg (kai.berg@kestrel-mail.com)", "Lin Park (lin.park@kestrel-mail.com)"} <= set(links)

    submit = "FormSubmitter:candidates-move:0-Move"
    at.selectbox(key="candidates-stage:0").set_value("rejected")
    at.selectbox(key="candidates-reason:0").set_value("other")
    at.text_area(key="candidates-message:0").input("x" * 2001)
    at.button(key=submit).click().run()
    assert_errors(at, "Say in a few words why")  # both problems at once, each under its field
    assert "at most 2,000 characters" in at.error[0].value
    assert problem_under(at, "Other reason").startswith("Say in a few words why")
    assert "at most 2,000" in problem_under(at, "Message to the candidate (optional)")
    assert at.selectbox(key="candidates-stage:0").value == "rejected"  # nothing typed is lost

    at.text_input(key="candidates-detail:0").input("Hiring paused in this team")
    at.text_area(key="candidates-message:0").input("Thank you for applying.")
    at.button(key=submit).click().run()
    assert_no_exception(at)
    assert "Moved 2 applications to Rejected." in texts(at)
    with demo_db.connect() as conn:
        moved = conn.execute(sa.text("select status::text from public.applications where id in (:a, :b)"),
                             {"a": first, "b": second}).scalars().all()
    assert moved == ["rejected", "rejected"]
    assert list(_table(at)["Stage"])[:2] == ["Rejected", "Rejected"]
    assert "Choose rows" in texts(at)  # the moved rows are no longer chosen


def test_the_profile_gathers_a_person_and_shows_what_people_wrote_as_text(demo_db):
    job_id = demo_job_id(demo_db)
    recruiter = signed_in(RECRUITER)
    app_id = _apply(job_id, "Nia **Stone**", "nia.stone@example.org")
    applications.move(recruiter, MoveForm((app_id,), "interviewing"))
    applications.add_note(recruiter, app_id, "Called; <i>keen</i> on Postgres.")
    with demo_db.connect() as conn:
        candidate_id = conn.execute(sa.text("select id from public.candidates where email = :e"),
                                    {"e": "nia.stone@example.org"}).scalar_one()
    at = open_page(CANDIDATE, recruiter, id=str(candidate_id))
    assert at.title[0].value == "Nia \\*\\*Stone\\*\\*"  # the name literally, no bold
    shown = [t.value for t in at.text]
    assert any("Applied → Interviewing · Jordan Rivera" in line for line in shown), shown
    assert "Called; <i>keen</i> on Postgres." in shown
    apps = [d.value for d in at.dataframe if "In stage" in d.value.columns][0]
    assert list(apps["Stage"]) == ["Interviewing"]
    timeline = [d.value for d in at.dataframe if "What" in d.value.columns][0]
    assert "Senior Backend Engineer (Python): Applied → Interviewing" in set(timeline["What"])

    # a note through the profile; an empty one is refused and nothing is added
    at.button(key=f"FormSubmitter:profile-note:{app_id}:0-Add note").click().run()
    assert_errors(at, "Write the note first.")
    at.text_area(key=f"profile-note-body:{app_id}:0").input("Second call booked.")
    at.button(key=f"FormSubmitter:profile-note:{app_id}:0-Add note").click().run()
    assert_no_exception(at)
    assert "Second call booked." in [t.value for t in at.text]


def test_a_profile_with_a_referral_and_a_question(demo_db):
    """A demo person referred by an alumna: the referral shows with its words."""
    with demo_db.connect() as conn:
        candidate_id = conn.execute(sa.text(
            "select r.candidate_id from public.referrals r where r.job_id is not null"
            " order by r.created_at limit 1")).scalar_one()
    at = open_page(CANDIDATE, signed_in(RECRUITER), id=str(candidate_id))
    referrals = [d.value for d in at.dataframe if "Referred by" in d.value.columns][0]
    assert len(referrals) >= 1
    assert not set(referrals["Stage"]) & {"not_selected", "submitted"}
    assert referrals["Counts"][0]


def test_a_wrong_link_says_so_and_only_staff_reach_the_pages(demo_db):
    at = open_page(CANDIDATE, signed_in(RECRUITER), id="not-an-id")
    assert at.title[0].value == "Candidate not found"
    for who in ("candidate@example.com", "priya@example.com"):
        at = app_as(signed_in(who)).run()
        for page in (CANDIDATES, CANDIDATE):
            try:
                at.switch_page(page)
            except ValueError:
                continue
            raise AssertionError(f"{who} reached {page}")


def _field(at, label: str):
    return next(w for w in [*at.text_input, *at.selectbox, *at.number_input] if w.label == label)


ADD = "FormSubmitter:candidates-add:0-Add candidate"


def test_adding_a_candidate_by_hand_reports_every_problem_under_its_field(demo_db):
    at = open_page(CANDIDATES, signed_in(RECRUITER))
    _field(at, "Email").input("not an email")
    _field(at, "LinkedIn profile (optional)").input("https://evil.example/in/x")
    _field(at, "Source").set_value("agency")
    at.button(key=ADD).click().run()
    assert_errors(at, "Choose the job they are a candidate for.")
    summary = as_read(at.error[0].value)
    for words in ("Enter a name.", "is not a valid email address", "is not a LinkedIn profile address",
                  "Agency: this is required.", "Enter the agency's fee"):
        assert words in summary, words
    assert problem_under(at, "Job") == "Choose the job they are a candidate for."
    assert problem_under(at, "Name") == "Enter a name."
    assert problem_under(at, "Agency (for an agency's candidate)") == "Agency: this is required."
    assert problem_under(at, "Agency fee, in the job's currency (for an agency's candidate)").startswith(
        "Enter the agency's fee")
    assert _field(at, "Email").value == "not an email"  # kept to correct


def test_an_agency_candidate_added_by_hand_is_listed_and_their_hire_carries_the_fee(demo_db):
    job_id = demo_job_id(demo_db)
    at = open_page(CANDIDATES, signed_in(RECRUITER))
    _field(at, "Job").set_value(str(job_id))
    _field(at, "Name").input("Mo <b>Reyes</b>")
    _field(at, "Email").input("mo.reyes@kestrel-mail.com")
    _field(at, "Source").set_value("agency")
    _field(at, "Agency (for an agency's candidate)").input("Hays Talent")
    _field(at, "Agency fee, in the job's currency (for an agency's candidate)").set_value(15000.0)
    at.button(key=ADD).click().run()
    assert_no_exception(at)
    assert "Added Mo <b>Reyes</b> to Senior Backend Engineer (Python)." in texts(at)
    table = _table(at)
    assert (table["Name"][0], table["Source"][0], table["Stage"][0]) == (
        "Mo <b>Reyes</b>", "Agency", "Applied")
    assert _field(at, "Name").value == ""  # a fresh form for the next one

    _field(at, "Job").set_value(str(job_id))  # the same person for the same job: refused, said why
    _field(at, "Name").input("Mo Reyes")
    _field(at, "Email").input("MO.REYES@kestrel-mail.com")
    _field(at, "Source").set_value("direct")
    at.button(key="FormSubmitter:candidates-add:1-Add candidate").click().run()
    assert_errors(at, "This person (mo.reyes@kestrel-mail.com) is already a candidate for this job.")

    _choose_rows(at, Filters(), 0)
    at.selectbox(key="candidates-stage:0").set_value("hired")
    at.button(key="FormSubmitter:candidates-move:0-Move").click().run()
    assert_no_exception(at)
    with demo_db.connect() as conn:
        hire = conn.execute(sa.text(
            "select h.source::text, h.channel, h.agency_fee from public.hires h"
            " join public.candidates c on c.id = h.candidate_id"
            " where c.email = 'mo.reyes@kestrel-mail.com'")).one()
    assert (hire.source, hire.channel, float(hire.agency_fee)) == ("agency", "Hays Talent", 15000.0)


def test_the_profile_downloads_a_resume_through_the_audited_path(demo_db):
    job_id = demo_job_id(demo_db)
    applied = applications.apply(Actor.visitor(), job_id, ApplicationForm(
        "Ola Nowak", "ola.nowak@kestrel-mail.com", consent=True),
        applications.Resume("Ola CV.pdf", make_pdf("Ola Nowak, engineer")), TrackedSource())
    with demo_db.connect() as conn:
        candidate_id = conn.execute(sa.text("select id from public.candidates where email = :e"),
                                    {"e": "ola.nowak@kestrel-mail.com"}).scalar_one()
    at = open_page(CANDIDATE, signed_in(RECRUITER), id=str(candidate_id))
    at.button(key=f"profile-resume:{applied.application_id}").click().run()
    assert_no_exception(at)
    assert [b.label for b in at.get("download_button")] == ["Download Ola CV.pdf"]
    with demo_db.connect() as conn:
        audited = conn.execute(sa.text("select count(*) from public.audit_log"
                                       " where action = 'application.resume_downloaded'"
                                       " and subject_id = :a"),
                               {"a": str(applied.application_id)}).scalar_one()
    assert audited == 1


def test_the_profile_names_another_candidate_with_the_same_linkedin_profile(demo_db):
    job_id = demo_job_id(demo_db)
    for name, email in (("Ana Ruiz", "ana.ruiz@kestrel-mail.com"), ("Ana R.", "ana@ruiz-home.net")):
        applications.apply(Actor.visitor(), job_id, ApplicationForm(
            name, email, linkedin_url="linkedin.com/in/ana-ruiz", consent=True), None, TrackedSource())
    with demo_db.connect() as conn:
        ids = dict(conn.execute(sa.text(
            "select email, id from public.candidates where email like '%ruiz%'")).all())
    at = open_page(CANDIDATE, signed_in(RECRUITER), id=str(ids["ana.ruiz@kestrel-mail.com"]))
    assert "The same LinkedIn profile is on another candidate" in texts(at)
    links = {as_read(link.proto.label) for link in at.get("page_link")}
    assert "Ana R. (ana@ruiz-home.net)" in links


def test_the_profile_merges_the_other_record_of_the_same_person(demo_db):
    job_id = demo_job_id(demo_db)
    _apply(job_id, "Ana Ruiz", "ana.ruiz@kestrel-mail.com")
    with demo_db.begin() as conn:
        other_job = conn.execute(sa.text(
            "select id from public.jobs where status = 'published' and id <> :j order by title limit 1"),
            {"j": job_id}).scalar_one()
    _apply(other_job, "Ana R.", "ana@ruiz-home.net")
    with demo_db.begin() as conn:
        conn.execute(sa.text("update public.candidates set linkedin_url = 'https://www.linkedin.com/in/ana-ruiz'"
                             " where email like '%ruiz%'"))
        ids = dict(conn.execute(sa.text(
            "select email, id from public.candidates where email like '%ruiz%'")).all())
    at = open_page(CANDIDATE, signed_in(RECRUITER), id=str(ids["ana.ruiz@kestrel-mail.com"]))
    at.button(key=f"merge:{ids['ana@ruiz-home.net']}").click().run()
    assert_no_exception(at)
    assert ("Merged Ana R. (ana@ruiz-home.net) into this profile: 1 application, 0 referrals and "
            "0 questions moved here.") in texts(at)
    assert "Applications (2)" in [t.label for t in at.tabs]
    assert "The same LinkedIn profile is on another candidate" not in texts(at)
