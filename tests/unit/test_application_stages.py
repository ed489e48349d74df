"""The application stages' words and the move form's checks (issue 16), without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from portal.errors import ValidationError
from services.candidates import applications
from services.candidates.applications import MoveForm

ROOT = Path(__file__).resolve().parents[2]


def test_every_stage_has_a_recruiters_name_and_one_candidate_wording():
    stages = set(applications.STAGES)
    assert set(applications.STAGE_LABELS) == set(applications.CANDIDATE_STAGE_LABELS) == stages
    assert applications.candidate_stage("new") == "Received"
    assert applications.candidate_stage("rejected") == "Not selected"


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
