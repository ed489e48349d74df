"""A referral's stage in the company's words (issue 16): one mapping from referral stages to
application stages (services/referrals/stages.py), the recruiters' names for staff, the
candidate's wording for referrers, in the notification, the email and the privacy export; and
stages switched off offered nowhere, while a referral already at one keeps its name."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.errors import ValidationError
from portal.models import Actor
from services.candidates import applications, hiring_stages
from services.candidates.applications import ApplicationForm, MoveForm
from services.candidates.hiring_stages import StageEdit
from services.people import privacy
from services.postings.tracking import TrackedSource
from services.referrals import my_referrals, pipeline, stages
from tests.support import body


def _rename(world, **changes: tuple[str, str, bool]) -> None:
    """The admin's Hiring stages form, saved with `changes` (status: label, candidate label, in use)."""
    hiring_stages.save_stages(world.admin, [
        StageEdit(s, *changes.get(s, (hiring_stages.DEFAULT_LABELS[s],
                                      hiring_stages.DEFAULT_CANDIDATE_LABELS[s], True)))
        for s in hiring_stages.STAGES])


RENAMED = {"new": ("Sourced", "We have your details", True),
           "rejected": ("Declined", "Not this time", True)}


def test_the_python_mapping_is_the_databases(clean_db):
    with clean_db.connect() as conn:
        mapped = dict(conn.execute(sa.text(
            "select s::text, private.application_status_of(s)::text"
            " from unnest(enum_range(null::public.referral_stage)) s")).all())
        back = dict(conn.execute(sa.text(
            "select a::text, private.referral_stage_of(a)::text"
            " from unnest(enum_range(null::public.application_status)) a")).all())
    assert stages.APPLICATION_STATUS == mapped
    assert set(stages.STAGES) == set(mapped)
    assert all(back[status] == stage for stage, status in stages.APPLICATION_STATUS.items())


def test_staff_read_the_recruiters_names_and_referrers_the_candidates_wording(referral_world):
    staff, referrer = stages.stage_words(referral_world.recruiter), stages.stage_words(referral_world.priya)
    assert [staff.name(s) for s in stages.STAGES] == [
        "Applied", "Screening", "Interviewing", "Offer", "Hired", "Rejected"]
    assert [referrer.name(s) for s in stages.STAGES] == [
        "Received", "Being reviewed", "Interviewing", "Offer made", "Hired", "Not selected"]
    _rename(referral_world, **RENAMED)
    assert stages.stage_words(referral_world.recruiter).name("submitted") == "Sourced"
    assert stages.stage_words(referral_world.admin).name("not_selected") == "Declined"
    assert stages.stage_words(referral_world.priya).name("submitted") == "We have your details"
    assert stages.stage_words(None).name("not_selected") == "Not this time"


def test_a_renamed_stage_is_in_the_notification_the_email_and_my_referrals(referral_world, smtp):
    _rename(referral_world, **RENAMED)
    assert pipeline.move(referral_world.recruiter, referral_world.referral, "not_selected").emailed
    # The notification (written by the database) and the email name both stages as the referrer reads them.
    news, _ = pipeline.notifications(referral_world.priya)
    assert news[0].message == "Ada Lovelace (Data Engineer) moved from We have your details to Not this time."
    assert "moved from We have your details to Not this time." in body(smtp.messages[0][1])
    screen = my_referrals.my_referrals(referral_world.priya)
    events = screen.timelines[referral_world.referral]
    assert pipeline.timeline_text(events, screen.stage_words).startswith("We have your details ")
    assert " → Not this time " in pipeline.timeline_text(events, screen.stage_words)
    shown = my_referrals.my_referral(referral_world.priya, referral_world.referral)
    assert shown.stage_words.name(shown.detail.referral.stage) == "Not this time"


def test_a_wrong_stage_is_refused_in_the_companys_words(referral_world):
    _rename(referral_world, **RENAMED)
    with pytest.raises(ValidationError, match="Choose one of: Sourced, Screening, .*Declined"):
        pipeline.move(referral_world.recruiter, referral_world.referral, "maybe")
    with pytest.raises(ValidationError, match="Choose one of: Sourced"):
        pipeline.search(referral_world.recruiter, stage="new")  # an application's code, not a referral's


def test_a_stage_switched_off_is_offered_nowhere_but_keeps_its_referrals_name(referral_world):
    pipeline.move(referral_world.recruiter, referral_world.other, "reviewing")
    _rename(referral_world, reviewing=("Phone screen", "Talking to us", False))
    words = stages.stage_words(referral_world.recruiter)
    assert words.in_use == ("submitted", "interviewing", "offer", "hired", "not_selected")
    with pytest.raises(ValidationError, match="“Phone screen” is switched off"):
        pipeline.move(referral_world.recruiter, referral_world.referral, "reviewing")
    # Alan's referral stays at the stage, by its name, and so does the board's column while he is there.
    board = pipeline.board(referral_world.recruiter)
    counts = {stage: total for stage, (_, total) in board.items()}
    assert words.shown(counts) == stages.STAGES
    (alan,) = pipeline.search(referral_world.recruiter, stage="reviewing").rows
    assert words.name(alan.stage) == "Phone screen"
    pipeline.move(referral_world.recruiter, referral_world.other, "interviewing")  # moving on is allowed
    counts = {stage: total for stage, (_, total) in pipeline.board(referral_world.recruiter).items()}
    assert "reviewing" not in words.shown(counts)


def test_the_privacy_export_names_stages_in_words(referral_world, clean_db):
    pipeline.move(referral_world.recruiter, referral_world.referral, "interviewing")
    _rename(referral_world, **RENAMED)
    codes = {"submitted", "not_selected", "new", "reviewing", "rejected"}
    with clean_db.begin() as conn:  # an address an export accepts (the world's are reserved ones)
        conn.execute(sa.text("update public.candidates set email = 'ada@example.com'"
                             " where email = 'ada@mail.test'"))
    candidate = privacy.export_for(referral_world.admin, "ada@example.com")
    (referral,) = candidate["referrals"]
    assert referral["stage"] == "Interviewing"
    assert [step["stage"] for step in referral["stages"]] == ["We have your details", "Interviewing"]
    referrer = privacy.export_for(referral_world.admin, "tom@example.com")
    assert [made["stage"] for made in referrer["referrals_made"]] == ["We have your details"]
    for data in (candidate, referrer):
        shown = [r["stage"] for r in data["referrals"] + data["referrals_made"]]
        shown += [a["status"] for a in data["applications"]]
        assert not set(shown) & codes


def test_the_privacy_export_names_an_applications_stage_in_words(referral_world):
    applied = applications.apply(Actor.visitor(), referral_world.job,
                                 ApplicationForm("Grace Hopper", "grace@example.com", consent=True), None,
                                 TrackedSource())
    applications.move(referral_world.recruiter, MoveForm((applied.application_id,), "reviewing"))
    _rename(referral_world, reviewing=("Phone screen", "Talking to us", True))
    data = privacy.export_for(referral_world.admin, "grace@example.com")
    assert [a["status"] for a in data["applications"]] == ["Talking to us"]
