"""Channels as admins keep them (slots, webhooks kept secret, social roles), the posting
calendar, the next free slot and sharing by hand, against the real database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import pytest
import sqlalchemy as sa

from portal.db import act_as
from portal.errors import PermissionDenied, ValidationError
from portal.settings import settings
from services.postings import editing as postings
from services.social import calendar as post_calendar
from services.social import channels, posts, review
from services.social.channels import Slot
from tests.db.social_world import Team


def _first_monday(year: int, month: int) -> datetime:
    first = datetime(year, month, 1, tzinfo=UTC)
    return first + timedelta(days=-first.weekday() % 7)


# A Monday in winter, far enough ahead to schedule: by the clock `posts.schedule` reads, so
# it stays ahead whatever the date the tests run on.
MONDAY = _first_monday(datetime.now(UTC).year + 2, 1)


def _approved(team: Team, channel: UUID | None = None, body: str = "We are hiring a Data Engineer!") -> UUID:
    post_id = posts.compose(team.publisher, team.job, channel or team.channel, body, team.topic)
    posts.submit(team.publisher, post_id)
    review.approve(team.approver, post_id)
    return post_id


def _slots(team: Team, *slots: tuple[int, str]) -> None:
    channels.set_slots(team.admin, team.channel, [Slot(day, time.fromisoformat(at)) for day, at in slots])


# --- channels ---------------------------------------------------------------------------------

def test_admin_adds_and_edits_a_channel_and_a_duplicate_name_is_refused(team):
    slack = channels.add_channel(team.admin, "  Team Slack ", "slack", "internal")
    with pytest.raises(ValidationError, match="exists already"):
        channels.add_channel(team.admin, "Team Slack", "teams", "internal")
    with pytest.raises(ValidationError, match="exists already"):
        channels.edit_channel(team.admin, slack, "Company LinkedIn", "slack", "internal", True)
    with pytest.raises(ValidationError, match="Channel name"):
        channels.add_channel(team.admin, "x", "x", "external")
    with pytest.raises(PermissionDenied, match="Only admins"):
        channels.add_channel(team.recruiter, "Recruiter's X", "x", "external")

    channels.edit_channel(team.admin, slack, "Engineering Slack", "slack", "internal", False)
    listed = {c.name: c for c in channels.list_channels(team.recruiter)}
    assert set(listed) == {"Company LinkedIn", "Engineering Slack"}
    assert not listed["Engineering Slack"].active
    assert [c.name for c in channels.list_channels(team.recruiter, active_only=True)] == ["Company LinkedIn"]


def test_slots_are_days_times_times(team):
    assert channels.parse_times("13:30, 9:00 9:00") == [time(9), time(13, 30)]
    with pytest.raises(ValidationError, match="“9h” is not a time of day"):
        channels.parse_times("9h")
    with pytest.raises(ValidationError, match="not a time of day"):
        channels.parse_times("25:00")
    assert [str(s) for s in channels.typed_slots(["9:00", "", "", "10:00, 8:15", "", "", ""])] == [
        "Mon 09:00", "Thu 08:15", "Thu 10:00"]
    with pytest.raises(ValidationError) as every:  # every day's problem at once, named by its day
        channels.typed_slots(["9h", "", "noon", "", "", "", "25:00"])
    assert every.value.problems == (
        ("day1", "Mon: “9h” is not a time of day; write times as HH:MM, e.g. 09:00, 13:30."),
        ("day3", "Wed: “noon” is not a time of day; write times as HH:MM, e.g. 09:00, 13:30."),
        ("day7", "Sun: “25:00” is not a time of day; write times as HH:MM, e.g. 09:00, 13:30."))
    channels.set_slots(team.admin, team.channel, channels.slots_from([2, 4], [time(10), time(15)]))
    (linkedin,) = channels.list_channels(team.recruiter)
    assert [str(s) for s in linkedin.slots] == ["Tue 10:00", "Tue 15:00", "Thu 10:00", "Thu 15:00"]
    with pytest.raises(PermissionDenied):
        channels.set_slots(team.recruiter, team.channel, [])


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/hook", "https://localhost:8443/hook", "https://10.1.2.3/hook",
    "https://192.168.0.10/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook", "https://100.64.0.1/hook", "https://0.0.0.0/hook"])
def test_a_webhook_on_a_private_or_local_address_is_refused_unless_allowed(clean_db, team, url):
    slack = channels.add_channel(team.admin, "Team Slack", "slack", "internal")
    with pytest.raises(ValidationError, match="private or local address.*PORTAL_ALLOW_PRIVATE_WEBHOOKS"):
        channels.set_webhook(team.admin, slack, url)
    channels.set_webhook(team.admin, slack, url, replace(settings(), allow_private_webhooks=True))
    assert channels.channel(team.admin, slack).has_webhook


def test_webhooks_are_checked_and_never_shown_to_recruiters(clean_db, team):
    slack = channels.add_channel(team.admin, "Team Slack", "slack", "internal")
    for bad in ("hooks.slack.com/services/T0/B0/xyz", "http://hooks.slack.com/services/T0/B0/xyz",
                "https://hooks.slack.com/ services"):
        with pytest.raises(ValidationError, match="https://"):
            channels.set_webhook(team.admin, slack, bad)
    with pytest.raises(ValidationError, match="shared by hand"):
        channels.set_webhook(team.admin, team.channel, "https://example.com/hook")
    channels.set_webhook(team.admin, slack, "https://hooks.slack.com/services/T0/B0/secretABC123")
    channels.set_webhook(team.admin, slack, "https://hooks.slack.com/services/T0/B0/secretXYZ789")

    as_admin = {c.name: c for c in channels.list_channels(team.admin)}
    assert as_admin["Team Slack"].webhook_hint == "set, ending …XYZ789"
    as_recruiter = {c.name: c for c in channels.list_channels(team.recruiter)}
    assert as_recruiter["Team Slack"].has_webhook and as_recruiter["Team Slack"].webhook_hint is None
    assert not as_recruiter["Company LinkedIn"].has_webhook

    with clean_db.connect() as conn, conn.begin():
        act_as(conn, team.recruiter)
        assert conn.execute(sa.text("select count(*) from public.channel_webhooks")).scalar() == 0
        assert conn.execute(sa.text("select private.channel_has_webhook(:c)"), {"c": slack}).scalar() is True
    with clean_db.connect() as conn, conn.begin():  # someone who is not staff learns nothing
        act_as(conn, team.recruiter.__class__(user_id=None))
        with pytest.raises(sa.exc.DBAPIError, match="permission denied"):
            conn.execute(sa.text("select private.channel_has_webhook(:c)"), {"c": slack})
    with clean_db.begin() as conn:
        audit = conn.execute(sa.text("select details::text from public.audit_log"
                                     " where action = 'channel.webhook_set'")).scalars().all()
    assert len(audit) == 2 and not any("secret" in entry for entry in audit)

    channels.remove_webhook(team.admin, slack)
    assert not {c.name: c for c in channels.list_channels(team.recruiter)}["Team Slack"].has_webhook


def test_candidates_get_no_answer_from_the_webhook_function(clean_db, team):
    from portal.models import Actor, Role
    from services.people.accounts import create_account

    with clean_db.begin() as conn:
        user = create_account(conn, "cand@posts.test", "Cand", Role.CANDIDATE, None)
        conn.execute(sa.text("insert into public.channel_webhooks values (:c, 'https://hooks.example/x')"),
                     {"c": team.channel})
    with clean_db.connect() as conn, conn.begin():
        act_as(conn, Actor(user_id=user, email="cand@posts.test", role=Role.CANDIDATE))
        assert conn.execute(sa.text("select private.channel_has_webhook(:c)"),
                            {"c": team.channel}).scalar() is None


def test_admins_grant_and_revoke_social_roles_to_staff_only(clean_db, team):
    channels.grant_role(team.admin, team.recruiter.user_id, "approver")
    channels.grant_role(team.admin, team.recruiter.user_id, "approver")  # twice is once
    holders = [(h.full_name, h.role) for h in channels.role_holders(team.recruiter)]
    assert ("Recruiter", "approver") in holders
    with pytest.raises(PermissionDenied):
        channels.grant_role(team.recruiter, team.recruiter.user_id, "editor")
    with pytest.raises(ValidationError, match="choose publisher"):
        channels.grant_role(team.admin, team.recruiter.user_id, "owner")
    channels.revoke_role(team.admin, team.recruiter.user_id, "approver")
    assert ("Recruiter", "approver") not in [(h.full_name, h.role) for h in channels.role_holders(team.admin)]
    assert {s.name for s in postings.staff_members(team.admin)} >= {"Recruiter", "Admin"}


def test_time_zone_is_utc_until_set_and_must_exist(team):
    assert channels.time_zone(team.recruiter) == "UTC"
    with pytest.raises(ValidationError, match="not a time zone"):
        channels.set_time_zone(team.admin, "Mars/Olympus")
    with pytest.raises(PermissionDenied):
        channels.set_time_zone(team.recruiter, "Europe/Berlin")
    channels.set_time_zone(team.admin, "Europe/Berlin")
    assert channels.time_zone(team.recruiter) == "Europe/Berlin"


# --- the calendar and the next free slot -----------------------------------------------------

def test_slots_are_wall_clock_times_in_the_company_time_zone_across_daylight_saving(team):
    channels.set_time_zone(team.admin, "Europe/Berlin")
    _slots(team, (2, "10:00"))
    winter = post_calendar.calendar(team.recruiter, MONDAY, MONDAY + timedelta(days=7))
    assert [s.at for s in winter.slots] == [MONDAY + timedelta(days=1, hours=9)]  # 10:00 CET
    summer_monday = _first_monday(MONDAY.year, 7)
    summer = post_calendar.calendar(team.recruiter, summer_monday, summer_monday + timedelta(days=7))
    assert [s.at for s in summer.slots] == [summer_monday + timedelta(days=1, hours=8)]  # 10:00 CEST
    assert summer.time_zone == "Europe/Berlin"


def _schedule_at_next_free_slot(team, post_id, now):
    """As the calendar page does: the channel's next free slot, then the post scheduled at it."""
    posts.schedule(team.publisher, post_id, post_calendar.next_free_slot(team.recruiter, team.channel, now),
                   now=now)


def test_next_free_slot_crosses_the_week_and_skips_taken_slots(team):
    _slots(team, (1, "09:00"), (3, "14:00"))
    saturday = MONDAY + timedelta(days=5, hours=12)
    assert post_calendar.next_free_slot(team.recruiter, team.channel, saturday) == \
        MONDAY + timedelta(days=7, hours=9)  # over the weekend to Monday
    assert post_calendar.next_free_slot(team.recruiter, team.channel, MONDAY + timedelta(hours=9)) == \
        MONDAY + timedelta(hours=9)  # at or after

    first = _approved(team)
    _schedule_at_next_free_slot(team, first, saturday)
    assert posts.post(team.publisher, first).scheduled_for == MONDAY + timedelta(days=7, hours=9)
    second = _approved(team)
    _schedule_at_next_free_slot(team, second, saturday)
    assert posts.post(team.publisher, second).scheduled_for == \
        MONDAY + timedelta(days=9, hours=14)  # Monday's is taken now
    posts.mark_published(team.publisher, first)  # a published post keeps holding its slot
    assert post_calendar.next_free_slot(team.recruiter, team.channel, saturday) == \
        MONDAY + timedelta(days=14, hours=9)
    posts.unschedule(team.publisher, second)  # and an unscheduled one frees it
    assert post_calendar.next_free_slot(team.recruiter, team.channel, saturday) == \
        MONDAY + timedelta(days=9, hours=14)


def test_a_channel_without_slots_has_no_next_slot(team):
    assert post_calendar.next_free_slot(team.recruiter, team.channel, MONDAY) is None


def test_the_calendar_shows_posts_and_free_and_taken_slots_in_the_range(team):
    slack = channels.add_channel(team.admin, "Team Slack", "slack", "internal")
    _slots(team, (1, "09:00"), (2, "09:00"))
    channels.set_slots(team.admin, slack, [Slot(1, time(12))])
    inside = _approved(team, body="We are hiring: inside the week")
    posts.schedule(team.publisher, inside, MONDAY + timedelta(hours=9), now=MONDAY - timedelta(days=1))
    outside = _approved(team, body="We are hiring: next week")
    posts.schedule(team.publisher, outside, MONDAY + timedelta(days=8), now=MONDAY - timedelta(days=1))
    _approved(team, body="We are hiring: approved, not scheduled")

    week = post_calendar.calendar(team.recruiter, MONDAY, MONDAY + timedelta(days=7))
    assert [(e.body, e.status, e.at, e.problem) for e in week.entries] == \
        [("We are hiring: inside the week", "scheduled", MONDAY + timedelta(hours=9), None)]
    assert [(s.channel, s.at.isoformat(), s.taken) for s in week.slots] == [
        ("Company LinkedIn", (MONDAY + timedelta(hours=9)).isoformat(), True),
        ("Team Slack", (MONDAY + timedelta(hours=12)).isoformat(), False),
        ("Company LinkedIn", (MONDAY + timedelta(days=1, hours=9)).isoformat(), False)]
    only_slack = post_calendar.calendar(team.recruiter, MONDAY, MONDAY + timedelta(days=7), slack)
    assert only_slack.entries == [] and [s.channel for s in only_slack.slots] == ["Team Slack"]
    with pytest.raises(ValidationError, match="two months"):
        post_calendar.calendar(team.recruiter, MONDAY, MONDAY + timedelta(days=90))


def test_waiting_posts_and_what_sharing_by_hand_fills_in(team):
    slack = channels.add_channel(team.admin, "Team Slack", "slack", "internal")
    channels.set_webhook(team.admin, slack, "https://hooks.slack.com/services/T/B/c")
    x = channels.add_channel(team.admin, "Company X", "x", "external")
    on_linkedin, on_slack = _approved(team), _approved(team, slack)
    on_x = _approved(team, x, "Join our team!")
    assert {p.id for p in post_calendar.ready_to_schedule(team.recruiter)} == {on_linkedin, on_slack, on_x}
    for post_id in (on_linkedin, on_slack, on_x):
        posts.schedule(team.publisher, post_id, datetime.now(UTC) + timedelta(days=1))
    due = post_calendar.due_to_publish(team.recruiter)
    assert {p.id for p in due} == {on_linkedin, on_x}  # the Slack post goes out by its webhook

    shared = post_calendar.sharing(next(p for p in due if p.id == on_x), "https://jobs.example")
    assert shared.link.startswith(f"https://jobs.example/job?id={team.job}")
    assert f"post={on_x}" in shared.link and "utm_source=x" in shared.link
    query = parse_qs(urlsplit(shared.share_url).query)
    assert shared.share_url.startswith("https://twitter.com/intent/tweet?")
    assert query == {"text": ["Join our team!"], "url": [shared.link]}
    assert shared.text == f"Join our team!\n\n{shared.link}"
    linkedin = post_calendar.sharing(next(p for p in due if p.id == on_linkedin), "https://jobs.example")
    assert parse_qs(urlsplit(linkedin.share_url).query) == {"url": [linkedin.link]}


def test_a_failed_automatic_delivery_shows_on_the_calendar_and_the_post_can_be_unscheduled(clean_db, team):
    slack = channels.add_channel(team.admin, "Team Slack", "slack", "internal")
    channels.set_webhook(team.admin, slack, "https://hooks.slack.com/services/T/B/c")
    on_slack = _approved(team, slack)
    when = datetime.now(UTC) + timedelta(days=1)
    posts.schedule(team.publisher, on_slack, when)
    waiting = post_calendar.going_out_automatically(team.recruiter)
    assert [(p.id, p.problem) for p in waiting] == [(on_slack, None)]
    with clean_db.begin() as conn:  # what the worker records when Slack refuses the post
        conn.execute(sa.text(
            "insert into public.social_post_deliveries (post_id, scheduled_for, attempts, next_attempt_at,"
            " last_status, last_error, given_up_at) values (:id, :at, 1, :at, 404,"
            " 'Slack refused the post (HTTP 404).', :at)"), {"id": on_slack, "at": when})
    [failed] = post_calendar.going_out_automatically(team.recruiter)
    assert failed.problem.startswith("Slack refused the post (HTTP 404).")
    shown = post_calendar.calendar(team.recruiter, when - timedelta(hours=1), when + timedelta(hours=1))
    assert [(e.post_id, e.problem) for e in shown.entries] == [(on_slack, failed.problem)]
    assert post_calendar.due_to_publish(team.recruiter) == []
    posts.unschedule(team.publisher, on_slack)
    assert post_calendar.going_out_automatically(team.recruiter) == []
