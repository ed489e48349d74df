"""A job posting is approved by someone other than whoever wrote or submitted it (issue 16),
through the pages and through the Data API alike: each attack is tried first as the
recruiter through SQL, the way PostgREST would run it. An admin may allow self-approval;
the setting and each self-approval are in the audit log. Social posts wait for their
posting to be approved."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
import sqlalchemy as sa

from portal.db import transaction
from portal.errors import PermissionDenied, ValidationError
from portal.models import Actor, Role
from services.postings import editing as postings
from services.social import posts as social_posts
from services.social import review
from tests.db.rows import POSTING_FORM, add_account
from tests.db.social_world import make_team


@pytest.fixture
def rita(clean_db) -> Actor:
    return add_account(clean_db, "rita@example.com", "Rita Writer", role=Role.RECRUITER)


@pytest.fixture
def sam(clean_db) -> Actor:
    return add_account(clean_db, "sam@example.com", "Sam Second", role=Role.RECRUITER)


@pytest.fixture
def admin(clean_db) -> Actor:
    return add_account(clean_db, "ada@example.com", "Ada Admin", role=Role.ADMIN)


def in_review(by: Actor) -> UUID:
    job_id = postings.create_posting(by, POSTING_FORM)
    postings.move(by, job_id, "in_review")
    return job_id


def row(engine, job_id: UUID):
    with engine.connect() as conn:
        return conn.execute(sa.text("select status::text as status, created_by, submitted_by, approved_by"
                                    " from public.jobs where id = :id"), {"id": job_id}).one()


def audit(engine, action: str) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text("select actor_id, subject_id, details from public.audit_log"
                                    " where action = :a order by id"), {"a": action}).all()


# --- through the service and the pages' words --------------------------------------------------

def test_the_author_may_not_approve_and_is_told_who_may(clean_db, rita, sam):
    job_id = in_review(rita)
    posting = postings.posting(rita, job_id)
    assert "approved" not in posting.next_steps_for(rita) and "draft" in posting.next_steps_for(rita)
    assert posting.approval_refusal(rita) == (
        "You wrote and submitted this posting, so another recruiter or admin approves it: any "
        "recruiter or admin but Rita Writer. An admin can allow self-approval under Admin → Company facts.")
    with pytest.raises(PermissionDenied, match="You wrote and submitted this posting"):
        postings.move(rita, job_id, "approved")
    assert row(clean_db, job_id).status == "in_review"

    assert postings.posting(sam, job_id).approval_refusal(sam) is None
    approved = postings.move(sam, job_id, "approved")
    assert approved.job.status == "approved" and approved.approved_by_name == "Sam Second"
    stamped = row(clean_db, job_id)
    assert (stamped.created_by, stamped.submitted_by, stamped.approved_by) == (
        rita.user_id, rita.user_id, sam.user_id)


def test_who_submitted_it_may_not_approve_it_either(clean_db, rita, sam, admin):
    job_id = postings.create_posting(rita, POSTING_FORM)
    postings.move(sam, job_id, "in_review")
    with pytest.raises(PermissionDenied, match="You submitted this posting"):
        postings.move(sam, job_id, "approved")
    with pytest.raises(PermissionDenied, match="You wrote this posting"):
        postings.move(rita, job_id, "approved")
    assert (postings.posting(admin, job_id).approver_needed
            == "any recruiter or admin but Rita Writer and Sam Second")
    postings.move(admin, job_id, "approved")
    # Back to draft forgets who submitted and approved; the next round stamps afresh.
    postings.move(rita, job_id, "draft")
    assert row(clean_db, job_id)[2:] == (None, None)
    postings.move(admin, job_id, "in_review")
    with pytest.raises(PermissionDenied):
        postings.move(admin, job_id, "approved")
    postings.move(sam, job_id, "approved")


def test_postings_waiting_say_who_approves_them(clean_db, rita, sam):
    job_id = in_review(rita)
    waiting = postings.awaiting_approval(sam)
    assert [p.job.id for p in waiting] == [job_id]
    assert waiting[0].submitted_by_name == "Rita Writer" and waiting[0].approval_refusal(sam) is None
    assert postings.awaiting_approval(rita)[0].approval_refusal(rita) is not None


# --- through the Data API: the recruiter's own SQL ----------------------------------------------

def test_an_insert_cannot_name_another_author_or_approver(clean_db, rita, sam):
    with transaction(rita) as conn:
        job_id = conn.execute(sa.text(
            "insert into public.jobs (title, department, location, created_by, submitted_by, approved_by)"
            " values ('Sneaky', 'Eng', 'Remote', :sam, :sam, :sam) returning id"),
            {"sam": sam.user_id}).scalar_one()
    assert tuple(row(clean_db, job_id)) == ("draft", rita.user_id, None, None)


@pytest.mark.parametrize("sets", [
    "created_by = :sam",
    "submitted_by = :sam",
    "approved_by = :sam",
    "status = 'approved', submitted_by = :sam",
    "status = 'approved', created_by = :sam, submitted_by = :sam",
])
def test_the_author_cannot_rewrite_the_records_to_approve_their_own(clean_db, rita, sam, sets):
    job_id = in_review(rita)
    with pytest.raises(sa.exc.ProgrammingError, match="keeps its author|recorded by its workflow"), \
            transaction(rita) as conn:
        conn.execute(sa.text(f"update public.jobs set {sets} where id = :id"),  # noqa: S608
                     {"id": job_id, "sam": sam.user_id})
    assert tuple(row(clean_db, job_id)) == ("in_review", rita.user_id, rita.user_id, None)


def test_the_author_cannot_approve_by_a_plain_status_update(clean_db, rita):
    job_id = in_review(rita)
    with pytest.raises(sa.exc.ProgrammingError, match="Someone other than who wrote or submitted"), \
            transaction(rita) as conn:
        conn.execute(sa.text("update public.jobs set status = 'approved' where id = :id"), {"id": job_id})
    assert row(clean_db, job_id).status == "in_review"


def test_a_recruiter_cannot_allow_self_approval(clean_db, rita):
    with transaction(rita) as conn:
        changed = conn.execute(sa.text(
            "update public.portal_settings set postings_self_approval = true where id = 1")).rowcount
    assert changed == 0
    with pytest.raises(PermissionDenied):
        postings.allow_self_approval(rita, True)
    assert postings.self_approval_allowed(rita) is False
    assert audit(clean_db, "settings.postings_self_approval") == []


# --- an admin may allow self-approval; each is audited ------------------------------------------

def test_self_approval_when_an_admin_allows_it_is_audited(clean_db, rita, admin):
    job_id = in_review(rita)
    postings.allow_self_approval(admin, True)
    assert postings.self_approval_allowed(rita) is True
    posting = postings.posting(rita, job_id)
    assert posting.approval_refusal(rita) is None and "approved" in posting.next_steps_for(rita)
    assert posting.approver_needed == "any recruiter or admin (self-approval is allowed)"
    postings.move(rita, job_id, "approved")
    assert row(clean_db, job_id).approved_by == rita.user_id
    [self_approved] = audit(clean_db, "job.self_approved")
    assert (self_approved.actor_id, self_approved.subject_id) == (rita.user_id, str(job_id))
    assert self_approved.details == {"wrote_it": True, "submitted_it": True}

    postings.allow_self_approval(admin, False)
    postings.allow_self_approval(admin, False)  # no change, no entry
    assert [(r.actor_id, r.details) for r in audit(clean_db, "settings.postings_self_approval")] == [
        (admin.user_id, {"allowed": True}), (admin.user_id, {"allowed": False})]
    second = in_review(rita)
    with pytest.raises(PermissionDenied):
        postings.move(rita, second, "approved")


def test_the_setting_changed_through_the_data_api_is_audited_too(clean_db, admin):
    with transaction(admin) as conn:
        conn.execute(sa.text("update public.portal_settings set postings_self_approval = true where id = 1"))
    assert [(r.actor_id, r.details) for r in audit(clean_db, "settings.postings_self_approval")] == [
        (admin.user_id, {"allowed": True})]


# --- social posts wait for their posting ---------------------------------------------------------

@pytest.fixture
def team(clean_db):
    return make_team(clean_db)


def set_job_status(engine, job_id: UUID, status: str) -> None:
    with engine.begin() as conn:  # the owner, as demo data and history imports write
        conn.execute(sa.text("update public.jobs set status = 'closed', close_reason = 'cancelled'"
                             " where id = :id and :s = 'closed'"), {"id": job_id, "s": status})
        conn.execute(sa.text("update public.jobs set status = cast(:s as public.job_status)"
                             " where id = :id and :s <> 'closed'"), {"id": job_id, "s": status})


def draft_post(team, job_id: UUID) -> UUID:
    return social_posts.compose(team.publisher, job_id, team.channel, "We are hiring!", team.topic)


@pytest.mark.parametrize("status,words", [("draft", "is a draft"), ("in_review", "is in review")])
def test_a_post_for_a_posting_not_yet_approved_cannot_be_submitted(clean_db, team, status, words):
    job_id = postings.create_posting(team.recruiter, POSTING_FORM)
    if status == "in_review":
        postings.move(team.recruiter, job_id, "in_review")
    post_id = draft_post(team, job_id)  # drafts may be written
    with pytest.raises(ValidationError, match=f"Its job posting {words}, not approved or published"):
        review.submit_for_approval(team.publisher, post_id)
    # The Data API is refused the same way.
    with pytest.raises(sa.exc.IntegrityError, match="not approved or published"), \
            transaction(team.publisher) as conn:
        conn.execute(sa.text("update public.social_posts set status = 'submitted' where id = :id"),
                     {"id": post_id})
    assert social_posts.post(team.publisher, post_id).status == "draft"
    if status == "draft":
        postings.move(team.recruiter, job_id, "in_review")
    postings.move(team.admin, job_id, "approved")
    review.submit_for_approval(team.publisher, post_id)  # once approved, it may
    assert social_posts.post(team.publisher, post_id).status == "submitted"


def test_posts_are_not_approved_or_scheduled_while_their_posting_is_back_in_draft(clean_db, team):
    post_id = draft_post(team, team.job)
    review.submit_for_approval(team.publisher, post_id)
    set_job_status(clean_db, team.job, "closed")
    with pytest.raises(ValidationError, match="Its job posting is closed, not approved or published"):
        review.approve(team.approver, post_id)

    other = postings.create_posting(team.recruiter, POSTING_FORM)
    postings.move(team.recruiter, other, "in_review")
    postings.move(team.admin, other, "approved")
    post_id = draft_post(team, other)
    review.submit_for_approval(team.publisher, post_id)
    review.approve(team.approver, post_id)
    later = datetime.now(UTC) + timedelta(days=2)
    social_posts.schedule(team.publisher, post_id, later)
    # Back to draft: its scheduled post is unscheduled, and cannot be scheduled again.
    postings.move(team.recruiter, other, "draft")
    assert social_posts.post(team.publisher, post_id).status == "approved"
    with pytest.raises(ValidationError, match="Its job posting is a draft"):
        social_posts.schedule(team.publisher, post_id, later)
    with pytest.raises(ValidationError, match="Its job posting is a draft"):
        social_posts.mark_published(team.publisher, post_id)


# --- changed while waiting: approval starts again ------------------------------------------------

def test_a_reviewer_who_rewrites_a_posting_cannot_then_approve_it(clean_db, rita, sam, admin):
    job_id = in_review(rita)
    rewritten = replace(POSTING_FORM, description="## About\n\nSam's words now.")
    assert postings.update_posting(sam, job_id, rewritten) == "draft"  # back to its author
    assert row(clean_db, job_id).status == "draft" and row(clean_db, job_id).submitted_by is None
    with pytest.raises(ValidationError):
        postings.move(sam, job_id, "approved")  # not from draft
    postings.move(sam, job_id, "in_review")
    with pytest.raises(PermissionDenied, match="You submitted this posting"):
        postings.move(sam, job_id, "approved")
    assert postings.move(admin, job_id, "approved").job.status == "approved"  # a third person may
    [edited] = [d for _, subject, d in audit(clean_db, "job.status_changed")
                if subject == str(job_id) and d.get("because") == "edited"]
    assert edited == {"from": "in_review", "to": "draft", "because": "edited"}


@pytest.mark.parametrize("column,value", [("description", "'Rewritten'"), ("referral_bonus", "99999"),
                                          ("title", "'Another job'")])
def test_an_approved_posting_changed_through_the_data_api_waits_for_approval_again(
        clean_db, rita, sam, column, value):
    job_id = in_review(rita)
    postings.move(sam, job_id, "approved")
    with transaction(sam) as conn:
        conn.execute(sa.text(f"update public.jobs set {column} = {value} where id = :id"),  # noqa: S608
                     {"id": job_id})
    assert (row(clean_db, job_id).status, row(clean_db, job_id).approved_by) == ("draft", None)


def test_what_is_not_the_posting_s_content_leaves_its_approval(clean_db, rita, sam):
    job_id = in_review(rita)
    assert postings.update_posting(sam, job_id, replace(POSTING_FORM, owner_id=sam.user_id)) == "in_review"
    assert postings.update_posting(rita, job_id, POSTING_FORM) == "in_review"  # saved unchanged
    postings.move(sam, job_id, "approved")
    postings.move(rita, job_id, "published")
    edited = replace(POSTING_FORM, description="## About\n\nFixed a typo.")
    assert postings.update_posting(rita, job_id, edited) == "published"  # live edits stay live


def test_scheduled_posts_stop_waiting_when_an_edit_sends_their_posting_back(clean_db, team):
    job_id = postings.create_posting(team.recruiter, POSTING_FORM)
    postings.move(team.recruiter, job_id, "in_review")
    postings.move(team.admin, job_id, "approved")
    post_id = draft_post(team, job_id)
    review.submit_for_approval(team.publisher, post_id)
    review.approve(team.approver, post_id)
    social_posts.schedule(team.publisher, post_id, datetime.now(UTC) + timedelta(days=2))
    postings.update_posting(team.recruiter, job_id, replace(POSTING_FORM, title="Data Engineer II"))
    assert social_posts.post(team.publisher, post_id).status == "approved"
