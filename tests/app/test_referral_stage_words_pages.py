"""A referral's stage in the company's words through AppTest (issue 16): an admin renames
stages and switches one off on Admin → Hiring stages; the Referrals board, its table, My
referrals, a referral's page and the referrer's notification all say the new words (the
recruiters' names for staff, the candidate's wording for the referrer), and nothing offers
the stage switched off, though the referrals still at it keep its name."""

from __future__ import annotations

import sqlalchemy as sa

from portal.models import Actor, Role
from tests.app.helpers import (
    app_as,
    as_read,
    assert_no_exception,
    card_texts,
    open_page,
    signed_in,
    texts,
)

HIRING_STAGES = "pages/admin/hiring_stages.py"
REFERRALS = "pages/recruiting/referrals.py"
STAFF_NAMES = {"Sourced", "Screening", "Interviewing", "Offer", "Hired", "Declined"}


def _rename_on_the_admin_page() -> None:
    at = open_page(HIRING_STAGES, signed_in("admin@example.com"))
    for status, label, candidate in (("new", "Sourced", "We have your details"),
                                     ("rejected", "Declined", "Not this time")):
        at.text_input(key=f"stage-label:{status}").input(label)
        at.text_input(key=f"stage-candidate:{status}").input(candidate)
    at.checkbox(key="stage-use:reviewing").uncheck()  # Screening, switched off
    at.button(key="FormSubmitter:hiring-stages-Save stages").click().run()
    assert_no_exception(at)
    assert at.success[0].value.startswith("Saved: 3 stages changed.")


def _first_submitted(engine):
    """The first card of the board's first column, and its referrer as the portal knows them."""
    with engine.connect() as conn:
        row = conn.execute(sa.text(
            "select r.id, c.full_name, p.id as referrer_id, p.email, p.role, p.full_name as referrer"
            " from public.referrals r join public.candidates c on c.id = r.candidate_id"
            " join public.profiles p on p.id = r.referrer_id"
            " where r.stage = 'submitted' order by r.stage_changed_at desc, r.id limit 1")).one()
    return row, Actor(user_id=row.referrer_id, email=row.email, role=Role(row.role), full_name=row.referrer)


def test_renamed_stages_show_on_the_board_my_referrals_a_referral_and_its_news(demo_db):
    _rename_on_the_admin_page()
    referral, referrer = _first_submitted(demo_db)

    board = app_as(signed_in("recruiter@example.com")).run()
    board.switch_page(REFERRALS).run()
    assert_no_exception(board)
    page = texts(board)
    assert "**Sourced** · " in page and "**Declined** · " in page
    assert "**Screening** · " in page  # switched off, but the demo's referrals there keep its column
    assert "**Applied** · " not in page and "**Submitted** · " not in page
    move = board.menu_button(key=f"move:{referral.id}")
    assert "Declined" in move.options and "Interviewing" in move.options
    assert "Screening" not in move.options and "Sourced" not in move.options  # off, and its own column
    stage_filter = next(s for s in board.selectbox if s.label == "Stage")
    assert stage_filter.options == [
        "All stages", "Sourced", "Interviewing", "Offer", "Hired", "Declined"]
    table = board.dataframe[0].value
    assert set(table["Stage"]) <= STAFF_NAMES and "Sourced" in set(table["Stage"])

    move.click("interviewing").run()
    assert_no_exception(board)
    assert "Moved to Interviewing; the referrer was notified in the portal." in texts(board)

    mine = app_as(referrer).run()
    mine.switch_page("pages/referrer/my_referrals.py").run()
    assert_no_exception(mine)
    news = next(e for e in mine.expander if "unread" in e.label)
    moved = "moved from We have your details to Interviewing."
    assert any(referral.full_name in as_read(m.value) and moved in as_read(m.value) for m in news.markdown)
    badges = next(m.value for m in mine.markdown if "-badge[Interviewing: " in m.value)
    assert "-badge[We have your details: " in badges and "-badge[Not this time: " in badges
    stage_badge, timeline = card_texts(mine, f"**{referral.full_name}**")[:2]
    assert "-badge[Interviewing]" in stage_badge
    assert timeline.startswith("We have your details ") and " → Interviewing " in timeline

    mine.query_params["id"] = str(referral.id)
    mine.switch_page("pages/referrer/referral.py").run()
    assert_no_exception(mine)
    assert {m.label: m.value for m in mine.metric}["Stage"] == "Interviewing"
    shown = texts(mine)
    assert "- **We have your details** · " in shown
    assert "moved from We have your details to Interviewing." in shown  # its messages
    assert "Submitted" not in shown and "Applied" not in shown  # neither the old nor the staff name


def test_the_candidates_and_applicants_filters_leave_out_a_stage_switched_off(demo_db):
    with demo_db.connect() as conn:  # an application at the stage to switch off, and its job
        at_offer = conn.execute(sa.text(
            "select a.job_id, c.full_name from public.applications a"
            " join public.candidates c on c.id = a.candidate_id where a.status = 'offer'"
            " order by a.updated_at desc limit 1")).one()
    at = open_page(HIRING_STAGES, signed_in("admin@example.com"))
    at.checkbox(key="stage-use:offer").uncheck()
    at.button(key="FormSubmitter:hiring-stages-Save stages").click().run()
    assert_no_exception(at)
    recruiter = signed_in("recruiter@example.com")

    across = open_page("pages/recruiting/candidates.py", recruiter, q=at_offer.full_name)
    stage_filter = next(s for s in across.selectbox if s.label == "Stage")
    assert "Offer" not in stage_filter.options and "Interviewing" in stage_filter.options
    assert "Offer" in set(across.dataframe[0].value["Stage"])  # still at it, by its name

    posting = open_page("pages/recruiting/posting.py", recruiter, id=str(at_offer.job_id))
    stage_filter = next(s for s in posting.selectbox if s.label == "Stage")
    assert "Offer" not in stage_filter.options and "Applied" in stage_filter.options
