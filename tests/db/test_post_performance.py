"""Post performance: visits, applications, hires, conversion and cost per post and per
channel, worked out by hand on a small world, as a recruiter under row-level security."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from portal.errors import NotFound, ValidationError
from portal.models import Actor, Role
from services.people.accounts import create_account
from services.social import performance as perf
from services.social.performance import ResultsFilter

TODAY = date.today()


def days_ago(n: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=n), time(12), tzinfo=UTC)


@dataclass(frozen=True)
class World:
    recruiter: Actor
    admin: Actor
    jobs: dict[str, UUID]
    channels: dict[str, UUID]
    posts: dict[str, UUID]


def _publish(conn, job: UUID, channel: UUID, topic: UUID, published: datetime | None) -> UUID:
    """A post taken through the workflow as the owner (the trigger checks each step)."""
    post = conn.execute(sa.text(
        "insert into public.social_posts (job_id, channel_id, topic_id, body) values (:j, :c, :t, 'Join us')"
        " returning id"), {"j": job, "c": channel, "t": topic}).scalar_one()
    if published:
        for status in ("submitted", "approved", "published"):
            conn.execute(sa.text("update public.social_posts set published_at = :at,"
                                 " status = cast(:s as public.social_post_status) where id = :id"),
                         {"s": status, "at": published if status == "published" else None, "id": post})
    return post


def _visits(conn, job: UUID, post: UUID | None, count: int, at: datetime) -> None:
    conn.execute(sa.text(
        "insert into public.job_visits (job_id, session_id, source, post_id, visited_at)"
        " select :job, gen_random_uuid(), 'linkedin', :post, :at from generate_series(1, :n)"),
        {"job": job, "post": post, "at": at, "n": count})


def _application(conn, job: UUID, post: UUID, at: datetime, hired_on: date | None = None) -> None:
    candidate = conn.execute(sa.text(
        "insert into public.candidates (full_name, email) values ('C', :e) returning id"),
        {"e": f"{uuid4()}@mail.test"}).scalar_one()
    application = conn.execute(sa.text(
        "insert into public.applications (job_id, candidate_id, source, post_id, created_at, status)"
        " values (:job, :cand, 'linkedin', :post, :at, cast(:status as public.application_status))"
        " returning id"),
        {"job": job, "cand": candidate, "post": post, "at": at,
         "status": "hired" if hired_on else "new"}).scalar_one()
    if hired_on:  # the database recorded the hire today: date it
        conn.execute(sa.text("update public.hires set hire_date = :d where application_id = :a"),
                     {"d": hired_on, "a": application})


def _cost(conn, post: UUID, amount: float, currency: str, spent: date) -> None:
    conn.execute(sa.text("insert into public.social_post_costs (post_id, amount, currency, spent_on)"
                         " values (:p, :a, :c, :d)"), {"p": post, "a": amount, "c": currency, "d": spent})


@pytest.fixture
def world(clean_db) -> World:
    with clean_db.begin() as conn:
        recruiter = create_account(conn, "r@perf.test", "Rita Recruiter", Role.RECRUITER, None)
        admin = create_account(conn, "a@perf.test", "Ada Admin", Role.ADMIN, None)
        jobs = {}
        for key in ("A", "B"):
            jobs[key] = conn.execute(sa.text(
                "insert into public.jobs (title, department, location, status, published_at)"
                " values (:t, 'Eng', 'Berlin', 'published', now() - interval '300 days') returning id"),
                {"t": f"Job {key}"}).scalar_one()
        channels = {}
        for key, network, audience in (("LinkedIn", "linkedin", "external"), ("X.com", "x", "external"),
                                       ("Slack", "slack", "internal")):
            channels[key] = conn.execute(sa.text(
                "insert into public.social_channels (name, network, audience)"
                " values (:n, cast(:k as public.social_network), :a) returning id"),
                {"n": key, "k": network, "a": audience}).scalar_one()
        topic = conn.execute(sa.text("insert into public.social_topics (name) values ('Open roles')"
                                     " returning id")).scalar_one()
        conn.execute(sa.text("insert into public.exchange_rates (currency, rate) values ('EUR', 1.1)"))
        posts = {
            "p1": _publish(conn, jobs["A"], channels["LinkedIn"], topic, days_ago(10)),
            "p2": _publish(conn, jobs["A"], channels["X.com"], topic, days_ago(20)),
            "p3": _publish(conn, jobs["B"], channels["LinkedIn"], topic, days_ago(5)),  # nothing yet
            "p4": _publish(conn, jobs["B"], channels["Slack"], topic, days_ago(200)),  # old, still works
            "p5": _publish(conn, jobs["B"], channels["X.com"], topic, days_ago(200)),  # old, quiet
            "draft": _publish(conn, jobs["A"], channels["LinkedIn"], topic, None),
        }
        _visits(conn, jobs["A"], posts["p1"], 10, days_ago(3))
        _visits(conn, jobs["B"], posts["p1"], 1, days_ago(3))  # p1's id on job B's link: not p1's
        _visits(conn, jobs["A"], None, 7, days_ago(3))  # untracked
        _visits(conn, jobs["A"], posts["p2"], 4, days_ago(15))
        _visits(conn, jobs["B"], posts["p4"], 2, days_ago(30))
        _visits(conn, jobs["B"], posts["p4"], 3, days_ago(150))
        _application(conn, jobs["A"], posts["p1"], days_ago(3), hired_on=TODAY - timedelta(days=1))
        _application(conn, jobs["A"], posts["p1"], days_ago(2))
        _application(conn, jobs["A"], posts["p1"], days_ago(1))
        _application(conn, jobs["A"], posts["p2"], days_ago(15), hired_on=TODAY - timedelta(days=2))
        _application(conn, jobs["A"], posts["p2"], days_ago(14), hired_on=TODAY - timedelta(days=120))
        _application(conn, jobs["B"], posts["p4"], days_ago(30))
        _cost(conn, posts["p1"], 100, "USD", TODAY - timedelta(days=9))
        _cost(conn, posts["p1"], 50, "EUR", TODAY - timedelta(days=8))  # 55 USD
        _cost(conn, posts["p2"], 30, "GBP", TODAY - timedelta(days=8))  # no rate: left out
        _cost(conn, posts["p4"], 1000, "USD", TODAY - timedelta(days=150))
    return World(Actor(recruiter, "r@perf.test", Role.RECRUITER), Actor(admin, "a@perf.test", Role.ADMIN),
                 jobs, channels, posts)


LAST_90 = ResultsFilter(TODAY - timedelta(days=89), TODAY)


def test_posts_best_first_with_their_figures(world):
    page = perf.post_results(world.recruiter, LAST_90)
    assert page.total == 4  # p5 brought nothing in the period and is older; drafts never count
    assert [r.post_id for r in page.rows] == [world.posts[k] for k in ("p1", "p2", "p4", "p3")]
    p1, p2, p4, p3 = page.rows
    assert (p1.visits, p1.applications, p1.hires) == (10, 3, 1)
    assert p1.cost == pytest.approx(155.0)  # 100 USD + 50 EUR at 1.1
    assert p1.application_rate == pytest.approx(0.3)
    assert p1.hire_rate == pytest.approx(1 / 3)
    assert p1.cost_per_application == pytest.approx(155 / 3)
    assert p1.cost_per_hire == pytest.approx(155.0)
    assert (p1.job_title, p1.channel) == ("Job A", "LinkedIn")
    # The second hire was 120 days ago; the GBP spend has no rate.
    assert (p2.visits, p2.applications, p2.hires, p2.cost) == (4, 2, 1, None)
    assert p2.cost_per_hire is None
    assert (p4.visits, p4.applications, p4.hires, p4.cost) == (2, 1, 0, None)
    assert (p3.visits, p3.applications, p3.hires, p3.cost) == (0, 0, 0, None)
    assert p3.application_rate is None and p3.hire_rate is None


def test_paging(world):
    first = perf.post_results(world.recruiter, LAST_90, page=1, size=3)
    second = perf.post_results(world.recruiter, LAST_90, page=2, size=3)
    assert (first.total, len(first.rows), len(second.rows), first.page_count) == (4, 3, 1, 2)
    assert second.rows[0].post_id == world.posts["p3"]
    assert perf.post_results(world.recruiter, LAST_90, page=9, size=3).number == 1


def test_channels_summed_best_first(world):
    rows = perf.channel_results(world.recruiter, LAST_90)
    assert [r.channel for r in rows] == ["LinkedIn", "X.com", "Slack"]
    linkedin, x, slack = rows
    assert (linkedin.posts, linkedin.visits, linkedin.applications, linkedin.hires) == (2, 10, 3, 1)
    assert linkedin.cost == pytest.approx(155.0)
    assert (x.posts, x.visits, x.applications, x.hires, x.cost) == (1, 4, 2, 1, None)
    assert (slack.posts, slack.visits, slack.applications, slack.audience) == (1, 2, 1, "internal")
    assert perf.unconverted_costs(world.recruiter, LAST_90) == {"GBP": 1}


def test_channel_and_posting_filters(world):
    only_x = ResultsFilter(LAST_90.start, LAST_90.end, channel_id=world.channels["X.com"])
    assert [r.post_id for r in perf.post_results(world.recruiter, only_x).rows] == [world.posts["p2"]]
    assert [r.channel for r in perf.channel_results(world.recruiter, only_x)] == ["X.com"]
    only_b = ResultsFilter(LAST_90.start, LAST_90.end, job_id=world.jobs["B"])
    assert {r.post_id for r in perf.all_post_results(world.recruiter, only_b)} == \
        {world.posts["p3"], world.posts["p4"]}


def test_an_older_period(world):
    # 160 to 140 days ago: only p4 existed, with three visits and 1,000 spent then.
    then = ResultsFilter(TODAY - timedelta(days=160), TODAY - timedelta(days=140))
    rows = perf.all_post_results(world.recruiter, then)
    assert [(r.post_id, r.visits, r.applications, r.cost) for r in rows] == \
        [(world.posts["p4"], 3, 0, 1000.0)]
    assert rows[0].cost_per_application is None


def test_one_postings_results_since_it_went_out(world):
    rows = perf.posting_results(world.recruiter, world.jobs["A"])
    assert [(r.channel, r.visits, r.applications, r.hires) for r in rows] == \
        [("X.com", 4, 2, 2), ("LinkedIn", 10, 3, 1)]


def test_recording_a_cost(world):
    p2 = world.posts["p2"]
    perf.record_cost(world.recruiter, p2, 40.0, "eur", TODAY, "Boosted for a week")
    row = next(r for r in perf.all_post_results(world.recruiter, LAST_90) if r.post_id == p2)
    assert row.cost == pytest.approx(44.0)
    assert row.cost_per_hire == pytest.approx(44.0)
    recorded = perf.recorded_costs(world.recruiter, LAST_90)
    assert (recorded[0].amount, recorded[0].currency, recorded[0].note, recorded[0].recorded_by) == \
        (40.0, "EUR", "Boosted for a week", "Rita Recruiter")


@pytest.mark.parametrize(("amount", "currency", "days_ahead", "message"), [
    (0.0, "USD", 0, "more than 0"),
    (-5.0, "USD", 0, "more than 0"),
    (float("nan"), "USD", 0, "more than 0"),
    (10.0, "dollars", 0, "not a currency code"),
    (10.0, "JPY", 0, "no exchange rate for JPY"),
    (10.0, "USD", 1, "cannot be in the future"),
])
def test_bad_costs_are_refused_with_what_to_fix(world, amount, currency, days_ahead, message):
    # Today as the service sees it when called, not when the module was imported.
    spent = date.today() + timedelta(days=days_ahead)
    with pytest.raises(ValidationError, match=message):
        perf.record_cost(world.recruiter, world.posts["p1"], amount, currency, spent)


def test_spend_only_on_published_posts(world):
    with pytest.raises(ValidationError, match="published posts only"):
        perf.record_cost(world.recruiter, world.posts["draft"], 10.0, "USD", TODAY)
    with pytest.raises(NotFound):
        perf.record_cost(world.recruiter, uuid4(), 10.0, "USD", TODAY)


def test_only_admins_delete_a_cost(world):
    cost = perf.record_cost(world.recruiter, world.posts["p3"], 25.0, "USD", TODAY)
    with pytest.raises(NotFound):
        perf.delete_cost(world.recruiter, cost)
    perf.delete_cost(world.admin, cost)
    assert all(c.id != cost for c in perf.recorded_costs(world.admin, LAST_90))


def test_exports(world):
    posts = perf.posts_table(perf.all_post_results(world.recruiter, LAST_90))
    channels = perf.channels_table(perf.channel_results(world.recruiter, LAST_90))
    assert list(posts["Posting"]) == ["Job A", "Job A", "Job B", "Job B"]
    assert perf.to_xlsx(channels, posts, LAST_90, "USD")[:2] == b"PK"
    assert [chart["title"] for chart in perf.channel_charts(channels)] == [
        perf.VISITS, perf.APPLICATIONS, perf.HIRES]
