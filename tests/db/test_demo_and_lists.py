from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal.db import act_as
from portal.errors import ValidationError
from portal.models import Actor, Role
from services import demo, overview
from services.candidates import applications
from services.people import accounts, sign_in
from services.postings import listings as jobs
from services.referrals import rewards as referral_rewards
from services.referrals import stages as referrals
from services.referrals import submission as referral_submission


def test_demo_loads_once(demo_db):
    assert not any(demo.load_demo().values())  # the second load adds nothing
    with demo_db.connect() as conn:
        stages = set(conn.execute(sa.text("select distinct stage::text from public.referrals")).scalars())
        statuses = set(conn.execute(sa.text("select distinct status::text from public.questions")).scalars())
        months = conn.execute(sa.text(
            "select count(distinct date_trunc('month', hire_date)) from public.hires")).scalar()
    assert stages == set(referrals.STAGES)
    # every alumni account is on the roster, registered; one digest went out to them
    with demo_db.connect() as conn:
        unrostered = conn.execute(sa.text(
            "select p.email from public.profiles p left join public.alumni_roster r"
            " on r.email = p.email and r.registered_at is not null"
            " where p.role = 'alumnus' and r.id is null")).scalars().all()
        digest = conn.execute(sa.text(
            "select recipients, jsonb_array_length(jobs) from public.job_digests")).all()
    assert unrostered == [] and len(digest) == 1 and digest[0][0] == 8 and digest[0][1] >= 3
    assert {"published", "pending"} <= statuses
    assert months >= 12


def test_demo_stays_out_of_a_portal_with_its_own_accounts(clean_db):
    accounts.create_first_admin("real.admin@example.com", "Real Admin", "a long password")
    with pytest.raises(ValidationError, match="already has accounts of its own"):
        demo.load_demo()
    assert demo.load_demo(force=True)["jobs"] == 12


def test_public_board_shows_published_jobs_only(demo_db):
    board = jobs.list_jobs(Actor.visitor(), page_size=5)
    assert board.total == 9 and len(board.rows) == 5
    assert {j.status for j in board.rows} == {"published"}
    second = jobs.list_jobs(Actor.visitor(), page=2, page_size=5)
    assert {j.id for j in second.rows}.isdisjoint({j.id for j in board.rows})
    assert jobs.list_jobs(Actor.visitor(), search="berlin").total == 4
    assert jobs.list_jobs(Actor.visitor(), department="Engineering").total == 3


def test_visitors_cannot_see_drafts_even_when_they_ask(demo_db):
    assert jobs.list_jobs(Actor.visitor(), statuses=jobs.ALL_STATUSES).total == 10  # + closed
    recruiter = sign_in.with_password("recruiter@example.com", demo.DEMO_PASSWORD)
    assert jobs.list_jobs(recruiter, statuses=jobs.ALL_STATUSES).total == 12


def test_board_search_reads_titles_locations_and_descriptions_of_visible_jobs_only(clean_db):
    with clean_db.begin() as conn:
        for title, location, description, status in (
                ("Site Reliability Engineer", "Lisbon", "Keep 99% of things up.", "published"),
                ("Data Analyst", "Berlin", "SQL and RELIABILITY reports.", "published"),
                ("Reliability Lead (secret)", "Berlin", "Not announced yet.", "draft")):
            conn.execute(sa.text(
                "insert into public.jobs (title, department, location, description, status)"
                " values (:t, 'Eng', :l, :d, cast(:s as public.job_status))"),
                {"t": title, "l": location, "d": description, "s": status})
        recruiter = Actor(user_id=accounts.create_account(conn, "r@search.test", "R", Role.RECRUITER, None),
                          email="r@search.test", role=Role.RECRUITER)
    visitor = Actor.visitor()

    def titles(actor, text, statuses=jobs.PUBLIC_STATUSES):
        return sorted(j.title for j in jobs.list_jobs(actor, search=text, statuses=statuses).rows)

    assert titles(visitor, "reliab") == ["Data Analyst", "Site Reliability Engineer"]  # any case
    assert titles(visitor, "lisbon") == ["Site Reliability Engineer"]
    assert titles(visitor, "99%") == ["Site Reliability Engineer"]  # % taken literally
    assert titles(visitor, "9%9") == []
    assert titles(visitor, "secret", jobs.ALL_STATUSES) == []  # drafts stay hidden
    with clean_db.connect() as conn:  # even asking the search function directly
        act_as(conn, visitor)
        hidden = conn.execute(sa.text("select count(*) from private.jobs_matching('%secret%')"))
        assert hidden.scalar_one() == 0
    assert titles(recruiter, "secret", jobs.ALL_STATUSES) == ["Reliability Lead (secret)"]


def test_alumni_list_their_own_referrals(demo_db):
    priya = sign_in.with_password("priya@example.com", demo.DEMO_PASSWORD)
    recruiter = sign_in.with_password("recruiter@example.com", demo.DEMO_PASSWORD)
    mine = referrals.list_referrals(priya, mine=True)
    everything_she_can_see = referrals.list_referrals(priya)
    assert mine.total == everything_she_can_see.total == 6
    assert set(referrals.count_by_stage(priya).values()) == {1}
    assert referrals.list_referrals(recruiter).total == 49  # 48 and Tom's duplicate of Priya's first
    tom = sign_in.with_password("tom@example.com", demo.DEMO_PASSWORD)
    toms = referrals.list_referrals(tom, mine=True, page_size=50).rows
    assert [r.outcome for r in toms].count("duplicate") == 1


def test_demo_stage_history_happens_in_working_hours_in_order(demo_db):
    """The demo's stage events, applications and questions are stamped at plausible times of
    a working day (not all at midnight), each step after the one before and none in the future."""
    with demo_db.connect() as conn:
        moments = conn.execute(sa.text(
            "select changed_at from public.referral_stage_events"
            " union all select changed_at from public.application_events"
            " union all select created_at from public.questions")).scalars().all()
        out_of_order = conn.execute(sa.text(
            "select count(*) from public.referral_stage_events later"
            " join public.referral_stage_events earlier on earlier.referral_id = later.referral_id"
            "  and earlier.to_stage = 'submitted' and later.from_stage = 'submitted'"
            " where later.changed_at <= earlier.changed_at")).scalar_one()
        future = conn.execute(sa.text(
            "select count(*) from public.referral_stage_events where changed_at > now()")).scalar_one()
        midnight = conn.execute(sa.text(
            "select count(*) from public.application_events where changed_at::time = '00:00'")).scalar_one()
    # A step taken today is kept out of the future, so at night it is stamped at night: only
    # the days before today are held to working hours (a step after an earlier one may run late).
    # Today as the demo reads it: this machine's clock, in UTC.
    today = datetime.now(UTC).date()
    earlier_days = [m for m in moments if m.astimezone(UTC).date() < today]
    in_hours = [m for m in earlier_days if 9 <= m.astimezone(UTC).hour <= 20]
    assert len(earlier_days) > 300 and len(in_hours) == len(earlier_days)
    assert len({(m.hour, m.minute) for m in moments}) > 100  # spread over the day
    assert out_of_order == 0 and future == 0 and midnight == 0
    # the same times at every load: deterministic
    assert demo.at_work(date(2026, 3, 2), "x") == demo.at_work(date(2026, 3, 2), "x")
    assert demo.at_work(date(2026, 3, 2), "x") != demo.at_work(date(2026, 3, 2), "y")


def test_demo_referrals_own_their_candidates_and_hires_have_payouts(demo_db):
    tom = sign_in.with_password("tom@example.com", demo.DEMO_PASSWORD)
    again = referral_submission.refer(tom, referral_submission.ReferralForm(
        full_name="Someone", email=_a_referred_email(demo_db), relationship="Worked together.",
        reason="Good at this.", candidate_agreed=True))
    assert again.outcome == "duplicate"
    admin = sign_in.with_password("admin@example.com", demo.DEMO_PASSWORD)
    statuses = {p.status for p in referral_rewards.payouts(admin, page_size=100).rows}
    assert statuses == {"paid", "due", "forfeited", "waiting"}


def _a_referred_email(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "select c.email from public.referrals r join public.candidates c on c.id = r.candidate_id"
            " where not exists (select 1 from public.applications a where a.candidate_id = c.id)"
            " order by r.created_at limit 1")).scalar_one()


def test_candidate_sees_own_applications(demo_db):
    sam = sign_in.with_password("candidate@example.com", demo.DEMO_PASSWORD)
    assert len(applications.my_applications(sam)) == 2


def test_overview_counts(demo_db):
    recruiter = sign_in.with_password("recruiter@example.com", demo.DEMO_PASSWORD)
    figures = overview.recruiting_overview(recruiter)
    assert figures.open_jobs == 9 and figures.jobs_awaiting_review == 1
    assert figures.unanswered_questions == 7
    assert sum(figures.hires_by_month["hires"].to_pylist()) == figures.hires_last_12_months > 0
    assert len(set(figures.hires_by_month["month"].to_pylist())) <= 12


@pytest.mark.parametrize("email, counted", [("recruiter@example.com", 7), ("admin@example.com", 7),
                                            ("priya@example.com", None), ("candidate@example.com", None),
                                            (None, None)])
def test_only_staff_count_the_unanswered_questions(demo_db, email, counted):
    actor = sign_in.with_password(email, demo.DEMO_PASSWORD) if email else Actor.visitor()
    with demo_db.begin() as conn:
        act_as(conn, actor)
        if actor.signed_in:
            assert conn.execute(sa.text("select private.unanswered_questions()")).scalar() == counted
        else:  # visitors may not call it at all
            with pytest.raises(sa.exc.ProgrammingError):
                conn.execute(sa.text("select private.unanswered_questions()"))



def test_demo_social_media(demo_db):
    from datetime import date, timedelta

    from services.social import performance as post_performance
    from services.social import posts as social_posts

    def one(sql: str):
        with demo_db.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()

    def every(sql: str) -> set:
        with demo_db.connect() as conn:
            return set(conn.execute(sa.text(sql)).scalars())

    assert every("select distinct status::text from public.social_posts") == set(social_posts.STATUS_LABELS)
    assert one("select bool_and(scheduled_for > now()) from public.social_posts where status = 'scheduled'")
    assert one("select review_comment from public.social_posts where status = 'rejected'")
    assert every("select distinct audience from public.social_channels") == {"internal", "external"}
    assert one("select count(distinct channel_id) from public.channel_slots") == 6
    assert "teams" in every("select network::text from public.social_channels")
    assert every("select unnest(confidential_terms) from public.social_guidelines") == \
        set(demo.CONFIDENTIAL_TERMS)
    assert not one("select count(*) from public.social_posts p, public.social_guidelines g"
                   " where p.body ilike any(select '%' || t || '%' from unnest(g.confidential_terms) t)")
    assert one("select count(*) from public.channel_webhooks") == 0
    assert every("select p.email || ':' || r.role from public.social_roles r"
                 " join public.profiles p on p.id = r.user_id") == {
        "recruiter@example.com:publisher", "recruiter@example.com:editor", "admin@example.com:approver"}
    # Every step of a published post is in its history, with who took it, before it went out.
    with demo_db.connect() as conn:
        history = conn.execute(sa.text(
            "select e.to_status::text, pr.email from public.social_post_events e"
            " join public.social_posts p on p.id = e.post_id"
            " left join public.profiles pr on pr.id = e.actor_id"
            " where p.id = (select id from public.social_posts where status = 'published'"
            " order by published_at limit 1) and e.at <= p.published_at order by e.at")).all()
    assert [tuple(h) for h in history] == [
        ("draft", "recruiter@example.com"), ("submitted", "recruiter@example.com"),
        ("approved", "admin@example.com"), ("published", "recruiter@example.com")]
    recruiter = sign_in.with_password("recruiter@example.com", demo.DEMO_PASSWORD)
    year = post_performance.ResultsFilter(date.today() - timedelta(days=364), date.today())
    channels = post_performance.channel_results(recruiter, year)
    assert sum(c.hires for c in channels) >= 2 and all(c.visits > 0 for c in channels)
    assert channels[0].cost is not None and channels[0].cost_per_hire is not None
