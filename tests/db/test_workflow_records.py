"""Columns that record a workflow, attacked through SQL as the Data API would send it (each
statement runs as the user's role with their claims): only the workflow writes them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.db import transaction
from tests.db.referral_world import hire

REFUSED = sa.exc.DBAPIError


def sql(actor, statement: str, **params):
    with transaction(actor) as conn:
        result = conn.execute(sa.text(statement), params)
        return result.first() if result.returns_rows else None


def draft(team, actor, **columns) -> sa.Row:
    """A draft inserted as `actor` would through the Data API, with any extra `columns` set."""
    names = "".join(f", {n}" for n in columns)
    values = "".join(f", :{n}" for n in columns)
    statement = (f"insert into public.social_posts (job_id, channel_id, topic_id, body{names})"  # noqa: S608
                 f" values (:job, :channel, :topic, 'We are hiring'{values})"
                 " returning id, author_id, approved_by, published_at")
    return sql(actor, statement, job=team.job, channel=team.channel, topic=team.topic, **columns)


def test_nobody_approves_their_own_post_by_lending_it_to_someone_else(team):
    post = draft(team, team.admin)
    sql(team.admin, "update public.social_posts set status = 'submitted' where id = :id", id=post.id)
    with pytest.raises(REFUSED, match="a post keeps its author"):
        sql(team.admin, "update public.social_posts set author_id = :other where id = :id",
            other=team.approver.user_id, id=post.id)
    with pytest.raises(REFUSED, match="nobody approves their own post"):
        sql(team.admin, "update public.social_posts set status = 'approved' where id = :id", id=post.id)


def test_a_new_post_is_written_by_whoever_inserts_it_and_approved_by_nobody(team):
    post = draft(team, team.publisher, author_id=team.approver.user_id, approved_by=team.approver.user_id)
    assert (post.author_id, post.approved_by) == (team.publisher.user_id, None)


def test_approved_by_is_stamped_by_approval_only(team):
    post = draft(team, team.publisher)
    sql(team.publisher, "update public.social_posts set status = 'submitted' where id = :id", id=post.id)
    sql(team.approver, "update public.social_posts set status = 'approved' where id = :id", id=post.id)
    with pytest.raises(REFUSED, match="approved through its workflow"):
        sql(team.admin, "update public.social_posts set approved_by = :me where id = :id",
            me=team.admin.user_id, id=post.id)
    row = sql(team.admin, "select approved_by from public.social_posts where id = :id", id=post.id)
    assert row.approved_by == team.approver.user_id


def test_a_publication_date_set_before_publishing_does_not_survive_the_workflow(team):
    post = draft(team, team.publisher, published_at=date(2020, 1, 1))
    assert post.published_at is None
    sql(team.publisher, "update public.social_posts set status = 'submitted', published_at = '2020-01-01'"
        " where id = :id", id=post.id)
    sql(team.approver, "update public.social_posts set status = 'approved' where id = :id", id=post.id)
    with pytest.raises(REFUSED, match="cannot be published in the future"):
        sql(team.publisher, "update public.social_posts set status = 'published', published_at = :later"
            " where id = :id", id=post.id, later=date.today() + timedelta(days=30))
    published = sql(team.publisher, "update public.social_posts set status = 'published' where id = :id"
                    " returning published_at, now() as now", id=post.id)
    assert published.published_at == published.now
    with pytest.raises(REFUSED, match="keeps its publication date"):
        sql(team.publisher, "update public.social_posts set published_at = '2020-01-01' where id = :id",
            id=post.id)


def test_a_bonus_cannot_be_inserted_as_already_paid(referral_world):
    world = referral_world
    with pytest.raises(REFUSED, match="planned for a hired referral only"):
        sql(world.recruiter, "insert into public.referral_payouts (referral_id, referrer_id, share_percent,"
            " amount, start_date, due_on) values (:r, :u, 100, 1000, '2020-01-01', '2020-01-02')",
            r=world.referral, u=world.priya.user_id)
    hire(world, date.today() - timedelta(days=200))
    with pytest.raises(REFUSED, match="planned unpaid"):
        sql(world.recruiter, "insert into public.referral_payouts (referral_id, referrer_id, share_percent,"
            " amount, start_date, due_on, paid_at, paid_by) values (:r, :u, 5, 50, '2020-01-01',"
            " '2020-01-02', '2020-01-03', :admin)",
            r=world.referral, u=world.priya.user_id, admin=world.admin.user_id)
    with transaction(world.recruiter) as conn:
        paid = conn.scalar(sa.text("select count(*) from public.referral_payouts where paid_at is not null"))
    assert paid == 0
