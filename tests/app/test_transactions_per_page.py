"""A page's rerun reads what its screen shows in as few transactions as it needs (issue 14):
each transaction is a round of BEGIN, role, claims and COMMIT, and one more chance for two
reads to see different snapshots."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal import db
from tests.app.helpers import POSTING, app_as, assert_no_exception, demo_job_id, signed_in


@pytest.fixture
def counted(monkeypatch):
    """How many transactions were opened since the last reset, whatever the thread."""
    opened = []
    count = db._count_opened

    def count_every_thread() -> None:
        opened.append(1)
        count()

    monkeypatch.setattr(db, "_count_opened", count_every_thread)
    return opened


def rerun_cost(at, counted) -> int:
    counted.clear()
    at.run()
    assert_no_exception(at)
    return len(counted)


def test_a_postings_page_is_read_in_one_transaction(demo_db, counted):
    at = app_as(signed_in("recruiter@example.com")).run()
    at.query_params["id"] = str(demo_job_id(demo_db))
    at.switch_page(POSTING).run()
    assert_no_exception(at)
    assert at.title[0].value.startswith("Senior Backend Engineer")
    # the signed-in session's check, and the screen: posting, form choices, applicants and
    # their funnel, referrals, social posts and their results
    assert rerun_cost(at, counted) == 2


# A page's own reads after the signed-in session's check: one screen read, or two where the
# widgets' choices must be read before what they filter.
SCREENS = [("recruiter@example.com", "pages/recruiting/post_calendar.py", 1),
           ("recruiter@example.com", "pages/recruiting/post_approvals.py", 1),
           ("recruiter@example.com", "pages/recruiting/referral_payouts.py", 1),
           ("recruiter@example.com", "pages/recruiting/post_performance.py", 2),
           ("admin@example.com", "pages/admin/social_channels.py", 1),
           ("priya@example.com", "pages/referrer/my_referrals.py", 1),
           # the filters' choices with the referrals open to anything, then the board and the
           # table, which the filters filter
           ("recruiter@example.com", "pages/recruiting/referrals.py", 3)]


def test_a_referrals_own_page_is_read_in_one_transaction(demo_db, counted):
    with demo_db.connect() as conn:
        referral = conn.execute(sa.text(
            "select r.id from public.referrals r join public.profiles p on p.id = r.referrer_id"
            " where p.email = 'priya@example.com' limit 1")).scalar_one()
    at = app_as(signed_in("priya@example.com")).run()
    at.query_params["id"] = str(referral)
    at.switch_page("pages/referrer/referral.py").run()
    assert_no_exception(at)
    assert at.title[0].value != "Referral not found"
    assert rerun_cost(at, counted) == 2


@pytest.mark.parametrize(("email", "page", "reads"), SCREENS, ids=[p.split("/")[-1] for _, p, _ in SCREENS])
def test_a_busy_page_reads_its_screen_at_once(demo_db, counted, email, page, reads):
    at = app_as(signed_in(email)).run()
    at.switch_page(page).run()
    assert_no_exception(at)
    assert rerun_cost(at, counted) == 1 + reads
