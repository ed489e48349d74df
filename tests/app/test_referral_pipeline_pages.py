"""The referral pipeline pages through AppTest: the board and its move, My referrals with
its timeline and notifications, and the payouts page with its rules, start dates and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from portal.models import Actor, Role
from services.referrals import open_referrals
from services.referrals import pipeline as referral_pipeline
from services.referrals import rewards as referral_rewards
from tests.app.helpers import (
    app_as,
    as_read,
    assert_errors,
    assert_no_exception,
    card_texts,
    problem_under,
    signed_in,
    texts,
)


def _interviewing(engine):
    with engine.connect() as conn:
        # The first card of the Interviewing column.
        return conn.execute(sa.text(
            "select r.id, c.full_name, p.email from public.referrals r"
            " join public.candidates c on c.id = r.candidate_id"
            " join public.profiles p on p.id = r.referrer_id"
            " where r.stage = 'interviewing' order by r.stage_changed_at desc, r.id limit 1")).first()


def _referrer(engine, email: str) -> Actor:
    """A demo referrer (not every one has the demo password) as the portal knows them."""
    with engine.connect() as conn:
        row = conn.execute(sa.text("select id, role, full_name from public.profiles where email = :e"),
                           {"e": email}).one()
    return Actor(user_id=row.id, email=email, role=Role(row.role), full_name=row.full_name)


def test_board_moves_a_referral_and_priya_is_told(demo_db):
    referral = _interviewing(demo_db)
    at = app_as(signed_in("recruiter@example.com")).run()
    at.switch_page("pages/recruiting/referrals.py").run()
    assert_no_exception(at)
    assert "Interviewing" in texts(at)
    move = at.menu_button(key=f"move:{referral.id}")
    assert "Interviewing" not in move.options and "Offer" in move.options  # its own stage is the column
    move.click("offer").run()
    assert_no_exception(at)
    assert "Moved to Offer; the referrer was notified in the portal." in texts(at)

    priya = app_as(_referrer(demo_db, referral.email)).run()
    priya.switch_page("pages/referrer/my_referrals.py").run()
    assert_no_exception(priya)
    news = next(e for e in priya.expander if "unread" in e.label)
    assert any(referral.full_name in as_read(m.value) for m in news.markdown)
    assert any("unread" in e.label for e in priya.expander)
    stage_badge, timeline = card_texts(priya, f"**{referral.full_name}**")[:2]
    # The referrer reads the candidate's wording of the stage (by default "Offer made").
    assert "-badge[Offer made]" in stage_badge and timeline.split(" → ")[-1].startswith("Offer made")


def test_table_filters_and_bad_dates(demo_db):
    at = app_as(signed_in("recruiter@example.com")).run()
    at.switch_page("pages/recruiting/referrals.py").run()
    at.date_input[0].set_value(date.today()).run()
    at.date_input[1].set_value(date.today() - timedelta(days=5)).run()
    assert_errors(at, "The “from” date is after the “to” date")


def test_payouts_page_rejects_bad_input_and_keeps_it(demo_db):
    at = app_as(signed_in("recruiter@example.com")).run()
    at.switch_page("pages/recruiting/referral_payouts.py").run()
    assert_no_exception(at)
    assert "Referral payouts" in texts(at)
    department = next(s for s in at.selectbox if s.label == "Department")
    assert {"Engineering", "Sales"} <= set(department.options)  # the postings' departments
    department.set_value("Engineering")
    at.number_input[0].set_value(-5.0)
    at.number_input[1].set_value(731)
    at.button(key="FormSubmitter:bonus-rule-Save rule").click().run()
    # both problems at once, each under its field, and what was typed kept
    assert_errors(at, "Bonus amount must be a number between 0")
    assert "Bonus amount must be a number between 0" in problem_under(at, "Bonus")
    assert "between 0 and 730 days" in problem_under(at, "Paid after (days from start)")
    assert problem_under(at, "Department") is None
    assert "Nothing was sent: fix the 2 problems shown above" in texts(at)
    assert next(s for s in at.selectbox if s.label == "Department").value == "Engineering"
    assert at.number_input[1].value == 731
    at.number_input[1].set_value(90)
    at.number_input[0].set_value(1200.0)
    at.button(key="FormSubmitter:bonus-rule-Save rule").click().run()
    assert "Saved: Engineering earns 1,200.00." in texts(at)

    at.text_area[0].set_value("priya@example.com sixty\ntom@example.com")
    at.button(key="FormSubmitter:start-date-Save").click().run()
    # every problem at once, each under its field: both bad lines, and the missing start date
    assert_errors(at, "Split, line 1: “sixty” is not a percent.")
    assert problem_under(at, "Split the bonus (optional)") == (
        "Split, line 1: “sixty” is not a percent. Split, line 2: write one email and one percent, "
        "as “priya@example.com 60”.")
    assert problem_under(at, "Start date") == "Enter the hire's start date: a split plans the bonus from it."
    at.text_area[0].set_value("priya@example.com sixty")
    at.date_input[0].set_value(date.today() - timedelta(days=100))
    at.button(key="FormSubmitter:start-date-Save").click().run()
    assert "Split, line 1: “sixty” is not a percent." in texts(at)
    assert problem_under(at, "Start date") is None
    assert at.text_area[0].value == "priya@example.com sixty"
    at.text_area[0].set_value("")
    at.button(key="FormSubmitter:start-date-Save").click().run()
    assert_no_exception(at)
    assert "Planned:" in texts(at)
    assert any(len(df.value) for df in at.dataframe)


def test_mark_paid_from_the_services_shows_on_my_referrals(demo_db):
    recruiter = signed_in("recruiter@example.com")
    hired = referral_pipeline.search(recruiter, stage="hired").rows[0]
    referral_rewards.save_rule(recruiter, "", 1000, 0)
    referral_rewards.record_start(recruiter, hired.id, date.today() - timedelta(days=1))
    payout = referral_rewards.payouts(recruiter, status="due").rows[0]
    referral_rewards.mark_paid(recruiter, payout.id)
    at = app_as(_referrer(demo_db, payout.referrer_email)).run()
    at.switch_page("pages/referrer/my_referrals.py").run()
    assert_no_exception(at)
    assert " · paid " in texts(at)  # on the hired referral's bonus badge


# --- referrals open to anything ----------------------------------------------------------------

def _open_referrals(engine) -> list:
    """The referrals open to anything still in progress, oldest first (as the inbox lists them)."""
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select r.id, r.candidate_id, c.full_name, p.email as referrer, r.stage::text as stage"
            " from public.referrals r"
            " join public.candidates c on c.id = r.candidate_id"
            " join public.profiles p on p.id = r.referrer_id"
            " where r.job_id is null and r.stage not in ('hired', 'not_selected')"
            " order by r.created_at, r.id")).all()


def _published_jobs(engine, candidate) -> list:
    """(id, title) of the published jobs `candidate` has not applied to, by title."""
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select j.id, j.title from public.jobs j where j.status = 'published' and not exists"
            " (select 1 from public.applications a where a.job_id = j.id and a.candidate_id = :c)"
            " order by j.title, j.id"), {"c": candidate}).all()


def test_open_referrals_are_linked_to_a_job_from_their_inbox(demo_db):
    referral = _open_referrals(demo_db)[0]
    job, title = _published_jobs(demo_db, referral.candidate_id)[0]
    at = app_as(signed_in("recruiter@example.com")).run()
    at.switch_page("pages/recruiting/referrals.py").run()
    assert_no_exception(at)
    assert referral.full_name in texts(at)  # in the Open to anything inbox
    # no job chosen: said under the choice (the first card's), nothing linked
    at.button(key=f"link-go:{referral.id}").click().run()
    assert_errors(at, "Choose the job to link them to.")
    assert problem_under(at, "Link to a job") == "Choose the job to link them to."
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select job_id from public.referrals where id = :r"),
                            {"r": referral.id}).scalar() is None
    at.selectbox(key=f"link-job:{referral.id}").set_value(str(job))
    at.button(key=f"link-go:{referral.id}").click().run()
    assert_no_exception(at)
    # it starts at the stage the referral had reached on its board
    stage = {"submitted": "Applied", "reviewing": "Screening"}.get(referral.stage, referral.stage.title())
    assert (f"Linked {referral.full_name} to {title}: they are on its Applicants tab at "
            f"{stage}, with the referral as their source. The referrer was told.") in texts(at)
    with demo_db.connect() as conn:
        linked = conn.execute(sa.text(
            "select a.source, a.status::text from public.referrals r"
            " join public.applications a on a.id = r.application_id where r.id = :r"),
            {"r": referral.id}).one()
    assert linked.source == "referral"
    assert not any(s.key == f"link-job:{referral.id}" for s in at.selectbox)  # out of the inbox

    # the referrer's My referrals names the job and tells them
    referrer = app_as(_referrer(demo_db, referral.referrer)).run()
    referrer.switch_page("pages/referrer/my_referrals.py").run()
    assert_no_exception(referrer)
    assert (f"{referral.full_name}, whom you referred open to anything, is now a candidate for "
            f"{title}.") in texts(referrer)


def test_a_referral_someone_linked_meanwhile_is_answered_in_words(demo_db):
    referral = _open_referrals(demo_db)[0]
    (job, _), (other, other_title) = _published_jobs(demo_db, referral.candidate_id)[:2]
    at = app_as(signed_in("recruiter@example.com")).run()
    at.switch_page("pages/recruiting/referrals.py").run()
    at.selectbox(key=f"link-job:{referral.id}").set_value(str(job))
    # an admin links it to another job while the recruiter is choosing
    open_referrals.link(_referrer(demo_db, "admin@example.com"), referral.id, other)
    at.button(key=f"link-go:{referral.id}").click().run()
    assert_errors(at, f"{referral.full_name} is already linked to {other_title}: nothing changed.")
    with demo_db.connect() as conn:
        assert conn.execute(sa.text("select job_id from public.referrals where id = :r"),
                            {"r": referral.id}).scalar() == other


def test_not_selecting_a_referral_for_a_job_on_the_board_asks_why(demo_db):
    with demo_db.connect() as conn:
        referral = conn.execute(sa.text(
            "select r.id, r.application_id from public.referrals r"
            " where r.stage = 'interviewing' and r.application_id is not null"
            " order by r.stage_changed_at desc, r.id limit 1")).one()
    at = app_as(signed_in("recruiter@example.com")).run()
    at.switch_page("pages/recruiting/referrals.py").run()
    at.menu_button(key=f"move:{referral.id}").click("not_selected").run()
    assert_no_exception(at)
    at.button(key=f"not-selected-go:{referral.id}").click().run()  # no reason chosen
    assert problem_under(at, "Why they are not selected").startswith("Choose why they are not selected")
    at.selectbox(key=f"not-selected-reason:{referral.id}").set_value("skills")
    at.button(key=f"not-selected-go:{referral.id}").click().run()
    assert_no_exception(at)
    assert "Moved to Rejected: their application was rejected, and the referrer was told." in texts(at)
    assert not any(b.key == f"not-selected-go:{referral.id}" for b in at.button)  # the dialog is closed
    with demo_db.connect() as conn:
        moved = conn.execute(sa.text(
            "select r.stage::text, a.status::text, e.reason from public.referrals r"
            " join public.applications a on a.id = r.application_id"
            " join public.application_events e on e.application_id = a.id"
            " where r.id = :r order by e.id desc limit 1"), {"r": referral.id}).one()
    assert tuple(moved) == ("not_selected", "rejected", "skills")
