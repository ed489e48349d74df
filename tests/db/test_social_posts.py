"""Social posts' workflow as the database enforces it: roles, steps, nobody approving
their own post, the history of every transition, and a closed posting's scheduled posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
import sqlalchemy as sa

from portal.db import act_as
from portal.errors import PermissionDenied, ValidationError
from portal.models import Actor
from services.social import posts, review
from tests.db.social_world import Team


def _draft(team: Team, author: Actor | None = None, topic: bool = True) -> UUID:
    return posts.compose(author or team.publisher, team.job, team.channel,
                         "We are hiring a Data Engineer in Berlin!", team.topic if topic else None)


def _soon() -> datetime:
    return datetime.now(UTC) + timedelta(days=1)


def test_a_post_goes_from_draft_to_published_and_keeps_its_history(team):
    post_id = _draft(team)
    posts.submit(team.publisher, post_id)
    review.approve(team.approver, post_id)
    posts.schedule(team.publisher, post_id, _soon())
    assert posts.post(team.publisher, post_id).status == "scheduled"
    posts.mark_published(team.publisher, post_id, "https://www.linkedin.com/feed/update/1")

    done = posts.post(team.admin, post_id)
    assert done.status == "published" and done.approved_by == team.approver.user_id
    assert done.published_at is not None and done.published_url.endswith("/1")
    steps = [(t.from_status, t.to_status, t.actor) for t in posts.history(team.admin, post_id)]
    assert steps == [(None, "draft", "Publisher"), ("draft", "submitted", "Publisher"),
                     ("submitted", "approved", "Approver"), ("approved", "scheduled", "Publisher"),
                     ("scheduled", "published", "Publisher")]
    assert [p.id for p in posts.posts_for_job(team.recruiter, team.job)] == [post_id]


def test_nobody_approves_their_own_post(team):
    post_id = _draft(team, author=team.approver)
    posts.submit(team.approver, post_id)
    with pytest.raises(PermissionDenied, match="Nobody approves their own post"):
        review.approve(team.approver, post_id)
    with pytest.raises(PermissionDenied, match="Nobody approves their own post"):
        posts.reject(team.approver, post_id, "Not good enough")
    assert posts.post(team.approver, post_id).status == "submitted"


def test_only_approvers_approve_and_only_publishers_write(team):
    post_id = _draft(team)
    posts.submit(team.publisher, post_id)
    for who in (team.editor, team.recruiter):
        with pytest.raises(PermissionDenied, match="Only approvers"):
            review.approve(who, post_id)
    with pytest.raises(PermissionDenied):
        _draft(team, author=team.recruiter)
    review.approve(team.admin, post_id)  # admins hold every social role


@pytest.mark.parametrize(("steps", "refused"), [
    ([], "approved"),  # a draft is not approved without being submitted
    ([], "published"),
    (["submitted"], "scheduled"),
    (["submitted", "approved", "published"], "draft"),  # published is final
])
def test_steps_cannot_be_skipped(team, steps, refused):
    post_id = _draft(team)
    actors = {"submitted": team.publisher, "approved": team.approver, "published": team.publisher}
    for step in steps:
        posts._move(actors[step], post_id, step)
    with pytest.raises(ValidationError, match="cannot become"):
        posts._move(team.admin, post_id, refused)


def test_the_database_refuses_a_skipped_step_whoever_asks(clean_db, team):
    post_id = _draft(team)
    with clean_db.connect() as conn, conn.begin():
        act_as(conn, team.approver)
        with pytest.raises(sa.exc.DBAPIError, match="a draft post cannot become published"):
            conn.execute(sa.text("update public.social_posts set status = 'published' where id = :id"),
                         {"id": post_id})


def test_submitting_needs_a_topic_and_rejecting_needs_a_reason(team):
    post_id = _draft(team, topic=False)
    with pytest.raises(ValidationError, match="Choose an approved topic"):
        posts.submit(team.publisher, post_id)
    posts.edit(team.publisher, post_id, "We are hiring!", team.topic)
    posts.submit(team.publisher, post_id)
    with pytest.raises(ValidationError, match="Why it is rejected"):
        posts.reject(team.approver, post_id, " ")
    posts.reject(team.approver, post_id, "Add the salary range, please.")
    rejected = posts.post(team.publisher, post_id)
    assert rejected.status == "rejected" and rejected.review_comment == "Add the salary range, please."
    assert posts.history(team.publisher, post_id)[-1].comment == "Add the salary range, please."
    posts.back_to_draft(team.publisher, post_id)
    posts.edit(team.publisher, post_id, "We are hiring! 70–90k EUR.", team.topic)
    posts.submit(team.publisher, post_id)
    assert posts.post(team.publisher, post_id).review_comment is None


def test_only_the_author_or_an_editor_changes_a_post_and_never_once_approved(team):
    post_id = _draft(team)
    with pytest.raises(PermissionDenied, match="Only its author or an editor"):
        posts.edit(team.approver, post_id, "Rewritten by someone else", team.topic)
    posts.edit(team.editor, post_id, "We are hiring: polished by the editor", team.topic)
    posts.submit(team.publisher, post_id)
    review.approve(team.approver, post_id)
    with pytest.raises(ValidationError, match="cannot be changed"):
        posts.edit(team.publisher, post_id, "A late change", team.topic)
    assert posts.post(team.publisher, post_id).body == "We are hiring: polished by the editor"


def test_scheduling_needs_a_future_time(team):
    post_id = _draft(team)
    posts.submit(team.publisher, post_id)
    review.approve(team.approver, post_id)
    with pytest.raises(ValidationError, match="in the future"):
        posts.schedule(team.publisher, post_id, datetime.now(UTC) - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="time zone"):
        posts.schedule(team.publisher, post_id, datetime(2030, 1, 1, 9, 0))
    posts.schedule(team.publisher, post_id, _soon())
    posts.unschedule(team.publisher, post_id)
    assert posts.post(team.publisher, post_id).scheduled_for is None


def test_closing_a_posting_unschedules_its_posts(clean_db, team):
    scheduled, published = _draft(team), _draft(team)
    for post_id in (scheduled, published):
        posts.submit(team.publisher, post_id)
        review.approve(team.approver, post_id)
    posts.schedule(team.publisher, scheduled, _soon())
    posts.mark_published(team.publisher, published)
    with clean_db.connect() as conn, conn.begin():
        act_as(conn, team.recruiter)  # no social role: the cascade is the portal's, not theirs
        conn.execute(sa.text("update public.jobs set status = 'closed', close_reason = 'filled',"
                             " closed_at = now() where id = :id"), {"id": team.job})
    assert posts.post(team.admin, scheduled).status == "approved"
    assert posts.post(team.admin, scheduled).scheduled_for is None
    assert posts.post(team.admin, published).status == "published"
    last = posts.history(team.admin, scheduled)[-1]
    assert (last.from_status, last.to_status, last.comment) == ("scheduled", "approved",
                                                                "the posting was closed")
