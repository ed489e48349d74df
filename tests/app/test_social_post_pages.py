"""Social posts through AppTest: the composer on a posting's page, the approvals queue and
the topics page, with what each refuses (a blocking finding, approving one's own post, a
rejection without a comment, topics changed by someone who is not an approver)."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
import sqlalchemy as sa

from services.social import posts as social_posts
from services.social import review as post_review
from tests.app.helpers import assert_errors, assert_no_exception, open_page, texts
from tests.db.rows import short_link_query
from tests.db.social_world import SocialWorld, make_world

POSTING = "pages/recruiting/posting.py"
APPROVALS = "pages/recruiting/post_approvals.py"
TOPICS = "pages/recruiting/post_topics.py"


@pytest.fixture
def world(clean_db) -> SocialWorld:
    return make_world(clean_db)


def statuses(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "select c.name, p.status::text from public.social_posts p"
            " join public.social_channels c on c.id = p.channel_id order by c.name")).all()]


def compose(world: SocialWorld, *channels):
    at = open_page(POSTING, world.publisher, id=str(world.job))
    at.multiselect[0].set_value(list(channels))
    at.button(key=f"FormSubmitter:draft-posts:{world.job}-Draft").click().run()
    assert_no_exception(at)
    return at


def drafted_texts(at) -> list:
    """The composer's text areas, one per drafted channel."""
    return [t for t in at.text_area if (t.key or "").startswith("compose-body:")]


def button(at, label: str):
    return [b for b in at.button if b.label == label][0]


def submitted_post(world: SocialWorld, author=None) -> social_posts.Post:
    [area] = drafted_texts(compose(world, world.x))
    post_id, author = UUID(area.key.split(":", 1)[1]), author or world.publisher
    post_review.save_draft(author, world.job, world.x, post_id, area.value, world.topic)
    post_review.submit_for_approval(author, post_id)
    return social_posts.post(author, post_id)


def test_composer_drafts_one_text_per_channel_and_saves_them(world, clean_db):
    at = compose(world, world.x, world.slack)
    page = texts(at)
    assert "No OpenAI API key is set" in page and "This is the template's text." in page
    assert [t.label for t in drafted_texts(at)] == ["Text for Company X", "Text for Team Slack"]
    x_text = drafted_texts(at)[0].value
    assert "Data Engineer" in x_text and re.search(r"/r/[A-Za-z0-9]{7}$", x_text)  # its short link
    assert "of 280 characters on Company X" in page and "of 4,000 characters on Team Slack" in page
    button(at, "Save drafts").click().run()
    assert_no_exception(at)
    assert statuses(clean_db) == [("Company X", "draft"), ("Team Slack", "draft")]
    assert "2 drafts saved" in texts(at)
    [x_post] = [p for p in social_posts.posts_for_job(world.publisher, world.job) if p.channel == "Company X"]
    # the link credits the id the post was saved with
    assert short_link_query(clean_db, x_post.body.rsplit(maxsplit=1)[1])["post"] == str(x_post.id)
    assert len(at.dataframe[-1].value) == 2  # the posting's posts, listed


def test_a_blocking_finding_stops_submit_and_keeps_the_text(world, clean_db):
    at = compose(world, world.x)
    typed = "Call me on +49 30 901820 to join our team!"
    drafted_texts(at)[0].input(typed).run()
    assert "Remove the phone number" in texts(at)
    button(at, "Submit for approval").click().run()
    assert_errors(at, "Remove the phone number",
                  "Fix what is marked as blocking first: Company X. Nothing was submitted.")
    assert statuses(clean_db) == [] and drafted_texts(at)[0].value == typed
    drafted_texts(at)[0].input("We're hiring a Data Engineer; join our team of rockstars!").run()
    assert "masculine-coded" in texts(at)  # advice, which does not block
    button(at, "Submit for approval").click().run()
    assert_no_exception(at)
    assert statuses(clean_db) == [("Company X", "submitted")]
    assert "Submitted 1 post" in texts(at)


def test_staff_without_a_social_role_read_posts_but_get_no_composer(world):
    submitted_post(world)
    at = open_page(POSTING, world.recruiter, id=str(world.job))
    assert "Compose" not in [s.value for s in at.subheader]
    assert "Publishers write posts, editors change them" in texts(at)
    assert at.dataframe[-1].value["Status"].tolist() == ["Waiting for approval"]


def test_a_rejected_post_shows_the_comment_and_is_submitted_again(world, clean_db):
    post = submitted_post(world)
    social_posts.reject(world.approver, post.id, "Add the salary range, please.")
    at = open_page(POSTING, world.publisher, id=str(world.job))
    assert "The reviewer's comment: Add the salary range, please." in texts(at)
    editor = [t for t in at.text_area if t.key == f"post-body:{post.id}"][0]
    link = post.body.rsplit("\n", 1)[1]
    editor.input(f"Join our team as a Senior Data Engineer, EUR 70,000 – 90,000.\n\n{link}").run()
    at.button(key=f"post-submit:{post.id}").click().run()
    assert_no_exception(at)
    again = social_posts.post(world.publisher, post.id)
    assert again.status == "submitted" and "Senior Data Engineer" in again.body


def test_an_approver_approves_from_the_queue(world, clean_db):
    post = submitted_post(world)
    at = open_page(APPROVALS, world.approver)
    assert "Data Engineer · Company X" in texts(at) and "by Publisher" in texts(at)
    at.button(key=f"FormSubmitter:review:{post.id}-Approve").click().run()
    assert_no_exception(at)
    assert "Approved the post for Company X." in texts(at)
    assert social_posts.post(world.admin, post.id).status == "approved"
    assert "Nothing is waiting for approval." in texts(at)


def test_a_rejection_needs_a_comment(world):
    post = submitted_post(world)
    at = open_page(APPROVALS, world.second_approver)
    at.button(key=f"FormSubmitter:review:{post.id}-Reject").click().run()
    assert_errors(at, "Say in the comment why the post is rejected")
    assert social_posts.post(world.admin, post.id).status == "submitted"
    at.text_area(key=f"comment:{post.id}").input("Too many hashtags.")
    at.button(key=f"FormSubmitter:review:{post.id}-Reject").click().run()
    assert social_posts.post(world.admin, post.id).status == "rejected"
    history = [(t.to_status, t.comment) for t in social_posts.history(world.admin, post.id)]
    assert history[-1] == ("rejected", "Too many hashtags.")


def test_nobody_approves_their_own_post_and_others_read_only(world):
    post = submitted_post(world, author=world.approver)
    mine = open_page(APPROVALS, world.approver)
    assert "You wrote this post, so another approver approves it" in texts(mine)
    assert not [b for b in mine.button if b.key and str(post.id) in b.key]
    reader = open_page(APPROVALS, world.publisher)
    assert "Only approvers and admins approve or reject them" in texts(reader)
    assert "Data Engineer · Company X" in texts(reader) and not reader.text_area


def test_approvers_add_and_retire_topics(world):
    at = open_page(TOPICS, world.second_approver)
    assert at.dataframe[0].value["Topic"].tolist() == ["Open roles", "Old campaign"]
    at.text_input[0].input("Open roles")
    at.button(key="FormSubmitter:add-topic-Add topic").click().run()
    assert "There is already a topic “Open roles”" in texts(at)
    assert at.text_input[0].value == "Open roles"
    at.text_input[0].input("Graduate programme")
    at.button(key="FormSubmitter:add-topic-Add topic").click().run()
    assert_no_exception(at)
    assert "Topic added: Graduate programme." in texts(at)
    at.selectbox[0].select_index(0)  # Graduate programme, offered
    at.button(key="FormSubmitter:retire-topic-Retire").click().run()
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert dict(zip(table["Topic"], table["Status"], strict=True))["Graduate programme"] == "Retired"


def test_others_read_topics_only(world):
    at = open_page(TOPICS, world.publisher)
    assert "Only approvers and admins add, retire and restore topics." in texts(at)
    assert not at.text_input and [b.label for b in at.button] == ["Sign out"]
