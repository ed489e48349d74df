"""Admin → Social channels and Recruiting → Posting calendar through AppTest: channels,
slots, webhooks and roles with bad input refused (and kept); scheduling, sharing and
marking published from the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from services.postings import editing as postings
from services.social import calendar as post_calendar
from services.social import channels as social_channels
from services.social import posts as social_posts
from services.social import review as post_review
from tests.app.helpers import (
    as_read,
    assert_errors,
    assert_no_exception,
    open_page,
    problem_under,
    signed_in,
    texts,
)

CHANNELS = "pages/admin/social_channels.py"
CALENDAR = "pages/recruiting/post_calendar.py"
SECRET = "https://hooks.slack.com/services/T000/B000/TopSecretToken42"


@pytest.fixture
def no_social_media(demo_db):
    """The demo without its channels, posts and social roles: each test sets up its own."""
    with demo_db.begin() as conn:
        conn.execute(sa.text("truncate public.social_posts, public.social_channels, public.social_roles"
                             " cascade"))
    return demo_db


def _text_input(at, label):
    return next(w for w in at.text_input if w.label == label)


def test_admin_sets_up_channels_slots_webhooks_and_roles(no_social_media):
    admin = signed_in("admin@example.com")
    at = open_page(CHANNELS, admin)
    assert "Social channels" in texts(at) and "No channels yet" in texts(at)

    at.text_input(key="new-channel:name").input("Team Slack")
    at.selectbox(key="new-channel:network").select("slack")
    at.radio(key="new-channel:audience").set_value("internal")
    at.button(key="FormSubmitter:add-channel-Add channel").click().run()
    assert_no_exception(at)
    assert "Channel “Team Slack” added." in texts(at)
    at.text_input(key="new-channel:name").input("Team Slack")  # the same name again
    at.button(key="FormSubmitter:add-channel-Add channel").click().run()
    assert "A channel with that name exists already" in texts(at)
    assert at.text_input(key="new-channel:name").value == "Team Slack"  # kept to correct

    (slack,) = social_channels.list_channels(admin)
    key = f"channel:{slack.id}"
    at.text_input(key=f"{key}:day1").input("09:00, 9h")
    at.text_input(key=f"{key}:day3").input("noon")
    at.button(key=f"FormSubmitter:{key}:slots-Save slots").click().run()
    # both days' problems at once, each under its day, and what was typed kept
    assert_errors(at, "Mon: “9h” is not a time of day")
    assert "Wed: “noon” is not a time of day" in as_read(at.error[0].value)
    assert problem_under(at, "Mon").startswith("Mon: “9h” is not a time of day")
    assert problem_under(at, "Wed").startswith("Wed: “noon” is not a time of day")
    assert problem_under(at, "Tue") is None
    assert at.text_input(key=f"{key}:day1").value == "09:00, 9h"
    at.text_input(key=f"{key}:day3").input("")
    assert social_channels.list_channels(admin)[0].slots == ()
    at.text_input(key=f"{key}:day1").input("09:00, 13:30")
    at.text_input(key=f"{key}:day4").input("10:00")
    at.button(key=f"FormSubmitter:{key}:slots-Save slots").click().run()
    assert "Slots saved." in texts(at)
    assert [str(s) for s in social_channels.list_channels(admin)[0].slots] == \
        ["Mon 09:00", "Mon 13:30", "Thu 10:00"]

    _text_input(at, "New webhook URL").input("http://hooks.slack.com/services/x")
    at.button(key=f"FormSubmitter:{key}:webhook-Set webhook").click().run()
    assert "it must be an https:// address" in texts(at)
    _text_input(at, "New webhook URL").input(SECRET)
    at.button(key=f"FormSubmitter:{key}:webhook-Set webhook").click().run()
    assert_no_exception(at)
    assert "Webhook saved." in texts(at) and "set, ending …oken42" in texts(at)
    table = at.dataframe[0].value
    assert list(table["Published"]) == ["Automatically (webhook)"]
    assert SECRET not in texts(at) and SECRET not in table.to_string()
    assert "TopSecret" not in str([w.value for w in at.text_input])  # not put back in the field

    jordan = next(s for s in postings.staff_members(admin) if s.email == "recruiter@example.com")
    staff = postings.staff_members(admin)
    grant_box = next(w for w in at.selectbox if w.label == "Staff member")
    grant_box.set_value(staff.index(jordan))
    next(w for w in at.selectbox if w.label == "Role").set_value("approver")
    at.button(key="FormSubmitter:grant-role-Grant role").click().run()
    assert_no_exception(at)
    assert "is now approver" in texts(at)
    assert [(h.email, h.role) for h in social_channels.role_holders(admin)] == \
        [("recruiter@example.com", "approver")]


def test_a_channel_name_with_a_nul_character_is_refused_with_what_to_fix(no_social_media):
    admin = signed_in("admin@example.com")
    at = open_page(CHANNELS, admin)
    at.text_input(key="new-channel:name").input("Team\x00Slack")
    at.button(key="FormSubmitter:add-channel-Add channel").click().run()
    assert_errors(at, "Channel name: remove a NUL character")
    assert social_channels.list_channels(admin) == []


def test_recruiters_see_whether_a_channel_is_automatic_but_not_its_webhook(no_social_media):
    admin = signed_in("admin@example.com")
    slack = social_channels.add_channel(admin, "Team Slack", "slack", "internal")
    social_channels.set_webhook(admin, slack, SECRET)
    recruiter = signed_in("recruiter@example.com")
    (channel,) = social_channels.list_channels(recruiter)
    assert channel.has_webhook and channel.webhook_hint is None


def _approved_post(engine, network: str = "linkedin", name: str = "Company LinkedIn"):
    """A LinkedIn channel with a Monday 09:00 slot and an approved post on it; Jordan (the
    demo recruiter) may publish."""
    admin, recruiter = signed_in("admin@example.com"), signed_in("recruiter@example.com")
    channel = social_channels.add_channel(admin, name, network, "external")
    social_channels.set_slots(admin, channel, [social_channels.Slot(1, time(9))])
    social_channels.grant_role(admin, recruiter.user_id, "publisher")
    with engine.begin() as conn:
        job = conn.execute(sa.text("select id from public.jobs where status = 'published'"
                                   " order by title limit 1")).scalar_one()
        topic = conn.execute(sa.text("insert into public.social_topics (name) values ('Open roles')"
                                     " on conflict (name) do update set name = excluded.name"
                                     " returning id")).scalar_one()
    post_id = social_posts.compose(recruiter, job, channel, "We are hiring! *Apply* <b>now</b>", topic)
    social_posts.submit(recruiter, post_id)
    post_review.approve(admin, post_id)
    return recruiter, channel, post_id


def test_recruiter_schedules_at_the_next_free_slot_and_a_past_time_is_refused(no_social_media):
    recruiter, channel, post_id = _approved_post(no_social_media)
    at = open_page(CALENDAR, recruiter)
    assert "Posting calendar" in texts(at) and "Times are in UTC" in texts(at)
    assert "Ready to schedule" in texts(at)

    yesterday = date.today() - timedelta(days=1)
    next(w for w in at.date_input if w.label == "Date").set_value(yesterday)
    at.button(key=f"FormSubmitter:pick:{post_id}-Schedule at this time").click().run()
    assert_errors(at, "Choose a time in the future")
    assert next(w for w in at.date_input if w.label == "Date").value == yesterday  # kept
    assert social_posts.post(recruiter, post_id).status == "approved"

    slot = post_calendar.next_free_slot(recruiter, channel)
    at.button(key=f"next-slot:{post_id}").click().run()
    assert_no_exception(at)
    assert social_posts.post(recruiter, post_id).scheduled_for == slot
    assert f"Scheduled for {slot:%a %-d %b %H:%M}." in texts(at)
    # the calendar moved to that week; the post is shown as text (its Markdown does nothing)
    page = texts(at)
    assert f"Week of {slot.date() - timedelta(days=slot.weekday()):%-d %B %Y}" in page
    assert "Scheduled" in page and "We are hiring! *Apply* <b>now</b>" in [t.value for t in at.text]
    assert "Due to publish" in page and "Share on LinkedIn" in [b.label for b in at.get("link_button")]


def test_marking_published_checks_the_link(no_social_media):
    recruiter, _, post_id = _approved_post(no_social_media, "x", "Company X")
    social_posts.schedule(recruiter, post_id, datetime.now(UTC) + timedelta(hours=2))
    at = open_page(CALENDAR, recruiter)
    (share,) = at.get("link_button")
    assert share.proto.url.startswith("https://twitter.com/intent/tweet?text=We%20are%20hiring")
    assert f"post%3D{post_id}" in share.proto.url
    assert any(f"post={post_id}" in c.value for c in at.code)  # the text to copy, with its link

    form = f"publish:{post_id}"
    _text_input(at, "Link to the live post (optional)").input("x.com/status/1")
    at.button(key=f"FormSubmitter:{form}-Mark published").click().run()
    assert "must start with https://" in texts(at)
    assert _text_input(at, "Link to the live post (optional)").value == "x.com/status/1"
    _text_input(at, "Link to the live post (optional)").input("https://x.com/northwind/status/1")
    at.button(key=f"FormSubmitter:{form}-Mark published").click().run()
    assert_no_exception(at)
    assert "Marked published." in texts(at)
    done = social_posts.post(recruiter, post_id)
    assert done.status == "published" and done.published_url == "https://x.com/northwind/status/1"
    assert "No posts are waiting to be shared by hand." in texts(at)


def test_month_view_and_navigation(no_social_media):
    recruiter, _, _ = _approved_post(no_social_media)
    at = open_page(CALENDAR, recruiter)
    # A March ahead of today that starts on a Saturday (as 2031's does): its month view shows
    # six Mondays, 24 February to 31 March.
    this_year = date.today().year
    year = next(y for y in range(this_year + 1, this_year + 30) if date(y, 3, 1).weekday() == 5)
    at.session_state["calendar:anchor"] = date(year, 3, 12)
    at.run()
    assert f"Week of 10 March {year}" in texts(at)
    at.button(key="calendar:Next").click().run()
    assert f"Week of 17 March {year}" in texts(at)
    at.get("button_group")[0].set_value("month").run()
    assert_no_exception(at)
    assert f"March {year}" in texts(at) and texts(at).count("1 free slot") == 6  # the six Mondays
    at.button(key="calendar:Previous").click().run()
    assert f"February {year}" in texts(at)
    at.button(key="calendar:Today").click().run()
    assert f"{datetime.now(UTC):%B %Y}" in texts(at) and "today" in texts(at)  # the page's clock: UTC
