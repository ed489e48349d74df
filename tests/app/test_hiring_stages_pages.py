"""Hiring stages configurable per company through AppTest (issue 16): an admin renames a
stage and switches one off; the Applicants tab, Candidates and My applications show the
new words, and the move menus no longer offer the stage switched off."""

from __future__ import annotations

import sqlalchemy as sa

from portal.models import Actor
from services.candidates import applications
from services.candidates.applications import ApplicationForm, MoveForm
from services.postings.tracking import TrackedSource
from tests.app.helpers import (
    POSTING,
    assert_errors,
    assert_no_exception,
    demo_job_id,
    open_page,
    signed_in,
    texts,
)

PAGE = "pages/admin/hiring_stages.py"
SAVE = "FormSubmitter:hiring-stages-Save stages"


def test_an_admin_is_told_every_problem_at_once_and_keeps_what_was_typed(demo_db):
    at = open_page(PAGE, signed_in("admin@example.com"))
    assert_no_exception(at)
    at.text_input(key="stage-label:reviewing").input("   ")
    at.text_input(key="stage-label:interviewing").input("Applied")
    at.text_input(key="stage-candidate:offer").input("x" * 41)
    at.button(key=SAVE).click().run()
    assert_errors(at, "Fix these and try again")
    shown = texts(at)
    assert "Name for recruiters: this is required." in shown
    assert "Another stage is already called “Applied” for recruiters" in shown
    assert "Name for candidates: at most 40 characters" in shown
    assert at.text_input(key="stage-label:interviewing").value == "Applied"  # kept
    assert applications.stage_labels(signed_in("admin@example.com")).staff["reviewing"] == "Screening"


def test_a_renamed_stage_shows_everywhere_and_a_stage_switched_off_is_not_offered(demo_db):
    job_id = demo_job_id(demo_db)
    sam = signed_in("candidate@example.com")
    applied = applications.apply(Actor.visitor(), job_id, ApplicationForm(
        "Sam Okafor", "candidate@example.com", consent=True), None, TrackedSource())
    with demo_db.begin() as conn:  # the application is Sam's own account's
        conn.execute(sa.text("update public.candidates set user_id = :u where lower(email) = :e"),
                     {"u": sam.user_id, "e": "candidate@example.com"})
    recruiter = signed_in("recruiter@example.com")
    applications.move(recruiter, MoveForm((applied.application_id,), "reviewing"))

    at = open_page(PAGE, signed_in("admin@example.com"))
    assert at.checkbox(key="stage-use:hired").disabled  # always in use
    at.text_input(key="stage-label:reviewing").input("Phone screen")
    at.text_input(key="stage-candidate:reviewing").input("Phone call with us")
    at.checkbox(key="stage-use:offer").uncheck()
    at.button(key=SAVE).click().run()
    assert_no_exception(at)
    assert at.success[0].value.startswith("Saved: 2 stages changed.")
    assert at.text_input(key="stage-label:reviewing").value == "Phone screen"

    tab = open_page(POSTING, recruiter, id=str(job_id))
    assert_no_exception(tab)
    table = [d.value for d in tab.dataframe if "In stage" in d.value.columns][0]
    assert "Phone screen" in set(table["Stage"]) and "Screening" not in set(table["Stage"])
    funnel = [d.value for d in tab.dataframe if "Phone screen" in d.value.columns]
    assert funnel, "the funnel names the stage as the company does"
    move_to = tab.selectbox(key=f"stage:{job_id}:0")
    assert "offer" not in move_to.options and "Offer" not in move_to.options
    assert "Phone screen" in move_to.options

    across = open_page("pages/recruiting/candidates.py", recruiter)
    assert_no_exception(across)
    assert "Phone screen" in set(across.dataframe[0].value["Stage"])

    mine = open_page("pages/candidate/my_applications.py", sam)
    assert_no_exception(mine)
    assert "Phone call with us" in set(mine.dataframe[0].value["Status"])
