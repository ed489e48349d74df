"""Steps people look for (issue 18), through AppTest: the job board's and the Job postings
list's search and filters read from the URL (bad values ignored); "Refer someone for this
job" on a job's page, leading to the refer form with that job chosen; a referral's own
page for its referrer, "not found" for anyone else."""

from __future__ import annotations

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.helpers import (
    APP,
    BACKEND,
    TIMEOUT,
    app_as,
    assert_no_exception,
    board_cards,
    card,
    demo_job_id,
    open_page,
    signed_in,
    texts,
)

JOB = "pages/public/job.py"
REFER = "pages/referrer/refer.py"
REFERRAL = "pages/referrer/referral.py"
MY_REFERRALS = "pages/referrer/my_referrals.py"


def board_with(**params) -> AppTest:
    """The job board (the default page) opened at a URL with `params`: a first load, the
    only time a URL seeds the widgets."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def board_titles(at: AppTest) -> list[str]:
    return [title for title, _ in board_cards(at)]


def test_the_board_reads_its_search_and_filters_from_the_url(demo_db):
    everything = board_with()
    assert_no_exception(everything)
    at = board_with(q="engineer", remote="Remote")
    assert_no_exception(at)
    assert at.text_input(key="q").value == "engineer"
    assert at.selectbox(key="remote").value == "remote"
    titles = board_titles(at)
    assert {"Site Reliability Engineer", "Machine Learning Engineer"} <= set(titles)
    assert len(titles) < len(board_titles(everything))
    assert all("Remote" in facts for _, facts in board_cards(at))

    # Each job's link carries the board's filters, and its "All open jobs" link brings them back.
    view = next(link for link in at.page_link if link.proto.label == "View and apply")
    assert "q=engineer" in view.proto.query_string and "remote=Remote" in view.proto.query_string
    job = app_as()
    for key, value in {"id": str(demo_job_id(demo_db)), "q": "engineer", "remote": "Remote"}.items():
        job.query_params[key] = value
    job.switch_page(JOB).run()  # straight to the job, as from the link (the board's own run
    assert_no_exception(job)    # would take its bound parameters out of the URL)
    back = next(link for link in job.page_link if link.proto.label == "All open jobs")
    assert back.proto.query_string in ("q=engineer&remote=Remote", "remote=Remote&q=engineer")

    department = at.selectbox(key="department").options[1]
    at = board_with(department=department, type="Full time")
    assert at.selectbox(key="department").value == department
    assert at.selectbox(key="type").value == "full_time"
    assert all(department in facts for _, facts in board_cards(at))


def test_bad_values_in_the_boards_url_are_ignored(demo_db):
    at = board_with(q="x" * 500, department="<script>alert(1)</script>", remote="Nowhere",
                    type=["Full time", "Contract"], location="")
    assert_no_exception(at)
    assert at.text_input(key="q").value == "x" * 100  # cut at the field's limit
    assert at.selectbox(key="department").value == ""
    assert at.selectbox(key="remote").value == ""
    assert at.selectbox(key="location").value == ""
    # unknown values leave the URL, so a shared link does not carry them on
    assert "department" not in at.query_params and "remote" not in at.query_params
    assert "No open jobs match your search" in texts(at)


def test_job_postings_read_their_filters_from_the_url(demo_db):
    at = app_as(signed_in("recruiter@example.com"))
    for key, value in {"status": ["Published", "Bogus"], "owner": "Jordan Rivera",
                       "department": "No such department", "q": "engineer"}.items():
        at.query_params[key] = value
    at.switch_page("pages/recruiting/postings.py").run()  # the first load is the list's
    assert_no_exception(at)
    assert at.multiselect(key="status").value == ["published"]
    assert at.selectbox(key="department").value == ""
    assert at.selectbox(key="owner").value not in ("", None)
    assert at.text_input(key="q").value == "engineer"
    table = at.dataframe[0].value
    assert len(table) and set(table["Status"]) == {"Published"}
    assert set(table["Owner"]) == {"Jordan Rivera"}
    assert BACKEND in set(table["Title"]) and "Product Designer" not in set(table["Title"])


def test_an_alumna_refers_someone_from_a_jobs_page(demo_db):
    job_id = demo_job_id(demo_db)
    visitor = open_page(JOB, id=str(job_id))
    assert not [link for link in visitor.page_link if "Refer someone" in link.proto.label]
    candidate = open_page(JOB, signed_in("candidate@example.com"), id=str(job_id))
    assert not [link for link in candidate.page_link if "Refer someone" in link.proto.label]

    priya = open_page(JOB, signed_in("priya@example.com"), id=str(job_id))
    link = next(link for link in priya.page_link if link.proto.label == "Refer someone for this job")
    assert link.proto.page.endswith("refer") and f"job={job_id}" in link.proto.query_string

    at = open_page(REFER, signed_in("priya@example.com"), job=str(job_id))
    assert at.selectbox[0].value is not None and at.selectbox[0].value.id == job_id
    assert BACKEND in at.selectbox[0].format_func(at.selectbox[0].value)


def test_a_link_to_refer_for_a_job_that_is_not_open_chooses_nothing(demo_db):
    at = open_page(REFER, signed_in("priya@example.com"), job="not-a-job")
    assert at.selectbox[0].value is None
    assert "The job in your link is not open for referrals now" in texts(at)


def _referrals_of(engine, email: str) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select r.id, c.full_name, r.stage::text as stage from public.referrals r"
            " join public.candidates c on c.id = r.candidate_id"
            " join public.profiles p on p.id = r.referrer_id"
            " where p.email = :email and r.outcome = 'owner' order by r.created_at desc"),
            {"email": email}).all()


def test_a_referrer_opens_her_referral_from_my_referrals(demo_db):
    mine = _referrals_of(demo_db, "priya@example.com")
    hired = next(r for r in mine if r.stage == "hired")
    at = app_as(signed_in("priya@example.com")).run()
    at.switch_page(MY_REFERRALS).run()
    assert_no_exception(at)
    link = card(at, f"**{hired.full_name}**")[-1]  # the card's link, to the referral's own page
    assert link.proto.page == "referral" and link.proto.query_string == f"id={hired.id}"
    at.query_params["id"] = str(hired.id)
    at.switch_page(REFERRAL).run()
    assert_no_exception(at)
    page = texts(at)
    assert hired.full_name in page
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Stage"] == "Hired"
    assert metrics["Points earned"] == "140"  # 10 referred, 30 interviewed, 100 hired
    timeline = [line for line in page.splitlines() if line.startswith("- **")]  # oldest first
    assert timeline[0].startswith("- **Received**") and timeline[-1].startswith("- **Hired**")
    assert "Messages" in page


def test_someone_elses_referral_is_not_found(demo_db):
    priyas = _referrals_of(demo_db, "priya@example.com")[0]
    at = open_page(REFERRAL, signed_in("tom@example.com"), id=str(priyas.id))
    page = texts(at)
    assert "Referral not found" in page and priyas.full_name not in page
    for bad in ("", "nonsense", "00000000-0000-0000-0000-000000000000"):
        at = open_page(REFERRAL, signed_in("tom@example.com"), id=bad)
        assert "Referral not found" in texts(at)
