"""The application stages' words and the move form's checks (issue 16), without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from portal.errors import ValidationError
from services.candidates import applications, hiring_stages
from services.candidates.applications import MoveForm
from services.candidates.hiring_stages import StageEdit

ROOT = Path(__file__).resolve().parents[2]


def test_every_stage_has_a_recruiters_name_and_one_candidate_wording():
    stages = set(applications.STAGES)
    assert set(applications.STAGE_LABELS) == set(applications.CANDIDATE_STAGE_LABELS) == stages
    # The defaults; the company's own words are read through stage_labels (tests/db).
    assert applications.CANDIDATE_STAGE_LABELS["new"] == "Received"
    assert applications.CANDIDATE_STAGE_LABELS["rejected"] == "Not selected"
    assert applications.StageWords({}, {}, ()).label("offer") == "offer"  # never None on screen


def _edits(**changes):
    return [StageEdit(s, *changes.get(s, (hiring_stages.DEFAULT_LABELS[s],
                                          hiring_stages.DEFAULT_CANDIDATE_LABELS[s], True)))
            for s in hiring_stages.STAGES]


def test_stage_names_are_tidied_and_every_problem_is_named_under_its_field():
    tidy = hiring_stages.check_stages(_edits(reviewing=("  Phone screen ", "Talking to us", False)))
    assert tidy[1] == StageEdit("reviewing", "Phone screen", "Talking to us", False)
    with pytest.raises(ValidationError) as refused:
        hiring_stages.check_stages(_edits(new=("", "x" * 41, False), offer=("screening", "Offer made", True)))
    assert list(refused.value.problems[:3]) == [
        ("label:new", "Name for recruiters: this is required."),
        ("candidate_label:new",
         "Name for candidates: at most 40 characters (this has 41). Shorten it and try again."),
        ("in_use:new", "Applied is always in use.")]
    assert [f for f, _ in refused.value.problems[3:]] == ["label:offer"]  # "screening" twice, any case


def test_candidate_pages_use_the_one_mapping():
    for page in ("pages/public/follow.py", "pages/candidate/my_applications.py"):
        source = (ROOT / page).read_text()
        assert "STATUS_LABELS" not in source and "STAGE_LABELS" not in source, page
        assert ".stage" in source, page  # FollowedApplication.stage / MyApplication.stage


def test_time_in_stage_reads_as_days():
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert applications.time_in_stage(now - timedelta(hours=3), now) == "today"
    assert applications.time_in_stage(now - timedelta(days=1, hours=1), now) == "1 day"
    assert applications.time_in_stage(now - timedelta(days=12), now) == "12 days"


def test_a_move_form_names_every_problem_at_once():
    with pytest.raises(ValidationError) as refused:
        applications.check_move(MoveForm((), None))
    assert [field for field, _ in refused.value.problems] == ["applicants", "stage"]


def test_a_reason_is_kept_for_a_rejection_only_and_other_needs_words():
    one = (UUID(int=1),)
    assert applications.check_move(MoveForm(one, "reviewing", "salary")).reason is None
    with pytest.raises(ValidationError, match="Say in a few words why"):
        applications.check_move(MoveForm(one, "rejected", "other", " "))
    kept = applications.check_move(MoveForm(one, "rejected", "other", "  Wanted Rust  ", " Thanks! "))
    assert (kept.reason, kept.reason_detail, kept.message) == ("other", "Wanted Rust", "Thanks!")
