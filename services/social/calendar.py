"""The posting calendar: scheduled and published posts per channel and day, the channels'
weekly slots expanded into a range (free or taken), the next free slot of a channel, and
the posts waiting for a time or for someone to share them by hand.

Slots are wall-clock times in the company's time zone (`portal_settings.time_zone`, UTC
when unset); Postgres expands them (`(day + time) at time zone …`), so a Tuesday 10:00
slot stays at 10:00 local through daylight-saving changes. A slot is taken when a
scheduled or published post of its channel is planned for exactly that instant.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal.db import one_transaction, transaction
from portal.errors import ValidationError
from portal.models import Actor
from portal.permissions import require_staff
from portal.public_address import public_url
from portal.settings import settings
from services.social import channel_text, publishing
from services.social import delivery as social_delivery
from services.social.channels import Channel, list_channels, load_time_zone, time_zone

NEXT_SLOT_HORIZON = timedelta(days=371)  # a year and a week: every weekly slot comes round
MAX_RANGE = timedelta(days=62)


@dataclass(frozen=True)
class CalendarEntry:
    post_id: UUID
    channel_id: UUID
    channel: str
    network: str
    job_id: UUID
    job_title: str
    status: str  # scheduled or published
    at: datetime  # when it went out, or is planned to
    body: str
    published_url: str | None
    problem: str | None = None  # a failed automatic delivery, shown prominently when set


@dataclass(frozen=True)
class SlotCell:
    channel_id: UUID
    channel: str
    at: datetime
    taken: bool


@dataclass(frozen=True)
class Calendar:
    start: datetime
    end: datetime
    time_zone: str
    entries: list[CalendarEntry]
    slots: list[SlotCell]


@dataclass(frozen=True)
class WaitingPost:
    """An approved post waiting for a time, or a scheduled one waiting to go out."""
    id: UUID
    job_id: UUID
    job_title: str
    channel_id: UUID
    channel: str
    network: str
    body: str
    status: str
    scheduled_for: datetime | None
    automatic: bool  # the worker publishes it (a webhook, or API credentials in the settings)
    problem: str | None = None  # what went wrong with an automatic delivery, if anything
    short_codes: tuple[str, ...] = ()  # the post's short links (/r/<code>), oldest first


@dataclass(frozen=True)
class Sharing:
    link: str  # the job's tracked link, credited to this post
    text: str  # what to paste: the post and its link
    share_url: str | None  # the network's share dialog, filled in; None without one


# Slots of the active channels inside [start, end), expanded day by day in the company's
# time zone, each with whether a post holds it. Shared by the calendar and the next free slot.
_SLOTS = """
    with zone as (select coalesce(time_zone, 'UTC') as name from public.portal_settings where id = 1),
    days as (
      select d::date as day from zone,
        generate_series((cast(:start as timestamptz) at time zone zone.name)::date,
                        (cast(:end as timestamptz) at time zone zone.name)::date, interval '1 day') d
    ),
    slots as (
      select s.channel_id, c.name as channel, (days.day + s.at_time) at time zone zone.name as at
      from zone, days
      join public.channel_slots s on s.weekday = extract(isodow from days.day)
      join public.social_channels c on c.id = s.channel_id and c.active
      where s.channel_id = coalesce(cast(:channel as uuid), s.channel_id)
    )
    select * from (
      select slots.channel_id, slots.channel, slots.at,
             exists (select 1 from public.social_posts p
                     where p.channel_id = slots.channel_id and p.status in ('scheduled', 'published')
                       and coalesce(p.scheduled_for, p.published_at) = slots.at) as taken
      from slots
      where slots.at >= :start and slots.at < :end
    ) slots where true
"""


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValidationError("Give the time with its time zone.")
    return when


def calendar(actor: Actor, start: datetime, end: datetime, channel_id: UUID | None = None) -> Calendar:
    """Posts scheduled or published in [start, end) and the slots in it, of one channel or all."""
    start, end = _aware(start), _aware(end)
    if not start < end <= start + MAX_RANGE:
        raise ValidationError("Show at most two months at a time.")
    params = {"start": start, "end": end, "channel": channel_id}
    with transaction(actor) as conn:
        require_staff(conn, "see the posting calendar")
        entries = conn.execute(sa.text(
            "select p.id as post_id, p.channel_id, c.name as channel, c.network::text as network,"
            " p.job_id, j.title as job_title, p.status::text as status,"
            " coalesce(p.published_at, p.scheduled_for) as at, p.body, p.published_url"
            " from public.social_posts p"
            " join public.social_channels c on c.id = p.channel_id"
            " join public.jobs j on j.id = p.job_id"
            " where p.status in ('scheduled', 'published')"
            " and coalesce(p.published_at, p.scheduled_for) >= :start"
            " and coalesce(p.published_at, p.scheduled_for) < :end"
            " and p.channel_id = coalesce(cast(:channel as uuid), p.channel_id)"
            " order by at, c.name, p.id"), params).all()
        slots = conn.execute(sa.text(_SLOTS + " order by slots.at, slots.channel"), params).all()  # noqa: S608
        zone = load_time_zone(conn)
    problems = social_delivery.delivery_problems(
        actor, [r.post_id for r in entries if r.status == "scheduled"])
    return Calendar(start, end, zone,
                    [CalendarEntry(**r._mapping, problem=problems.get(r.post_id)) for r in entries],
                    [SlotCell(**r._mapping) for r in slots])


def view_days(view: str, anchor: date) -> list[date]:
    """The days a view shows: the week (Monday to Sunday) around `anchor`, or the whole
    weeks that cover its month."""
    if view == "week":
        first, weeks = anchor - timedelta(days=anchor.weekday()), 1
    else:
        first_of_month = anchor.replace(day=1)
        last = (first_of_month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        first = first_of_month - timedelta(days=first_of_month.weekday())
        weeks = (last - first).days // 7 + 1
    return [first + timedelta(days=i) for i in range(7 * weeks)]


def shifted(view: str, anchor: date, steps: int) -> date:
    """`anchor` moved by whole weeks or months (to the 1st of the month)."""
    if view == "week":
        return anchor + timedelta(weeks=steps)
    months = anchor.year * 12 + anchor.month - 1 + steps
    return date(months // 12, months % 12 + 1, 1)


def calendar_view(actor: Actor, view: str, anchor: date, zone: ZoneInfo,
                  channel_id: UUID | None = None) -> Calendar:
    """The calendar of the days a view shows, from midnight to midnight in `zone` (the
    company's time zone, which the page has read already)."""
    days = view_days(view, anchor)
    return calendar(actor, datetime.combine(days[0], time(), zone),
                    datetime.combine(days[-1] + timedelta(days=1), time(), zone), channel_id)


def next_free_slot(actor: Actor, channel_id: UUID, after: datetime | None = None) -> datetime | None:
    """The channel's first slot at or after `after` (now by default) that no scheduled or
    published post holds; None when the channel has no slots (or all of the next year's
    are taken)."""
    start = _aware(after) if after else datetime.now(UTC)
    with transaction(actor) as conn:
        return _next_free_slot(conn, channel_id, start)


def _next_free_slot(conn: Connection, channel_id: UUID, start: datetime) -> datetime | None:
    return conn.execute(sa.text(f"select at from ({_SLOTS} and not taken) free order by at limit 1"),  # noqa: S608
        {"start": start, "end": start + NEXT_SLOT_HORIZON, "channel": channel_id}).scalar()


_WAITING = """
    select p.id, p.job_id, j.title as job_title, p.channel_id, c.name as channel,
           c.network::text as network, p.body, p.status::text as status, p.scheduled_for,
           coalesce(private.channel_has_webhook(c.id), false) as has_webhook,
           c.id in (select k.channel_id from private.channel_connections_shown() k) as connected,
           array(select s.code from public.short_links s where s.post_id = p.id
                 order by s.created_at) as short_codes
    from public.social_posts p
    join public.social_channels c on c.id = p.channel_id
    join public.jobs j on j.id = p.job_id
"""


def _waiting(actor: Actor, where_and_order: str) -> list[WaitingPost]:
    config = settings()
    with transaction(actor) as conn:
        rows = conn.execute(sa.text(_WAITING + where_and_order)).all()  # noqa: S608
    hidden = ("has_webhook", "connected", "short_codes")
    return [WaitingPost(**{k: v for k, v in r._mapping.items() if k not in hidden},
                        short_codes=tuple(r.short_codes),
                        automatic=publishing.publishing_method(
                            r.network, r.has_webhook, config, r.connected) != publishing.SHARE_LINK)
            for r in rows]


def ready_to_schedule(actor: Actor) -> list[WaitingPost]:
    """Approved posts without a time, oldest approval first."""
    return _waiting(actor, " where p.status = 'approved' order by p.updated_at, p.id")


def _scheduled(actor: Actor) -> list[WaitingPost]:
    return _waiting(actor, " where p.status = 'scheduled' order by p.scheduled_for, p.id")


def due_to_publish(actor: Actor) -> list[WaitingPost]:
    """Scheduled posts that someone shares by hand (no webhook, no API credentials), by time."""
    return [post for post in _scheduled(actor) if not post.automatic]


def going_out_automatically(actor: Actor) -> list[WaitingPost]:
    """Scheduled posts the worker sends, by time, each with its delivery problem if any."""
    automatic = [post for post in _scheduled(actor) if post.automatic]
    problems = social_delivery.delivery_problems(actor, [post.id for post in automatic])
    return [replace(post, problem=problems.get(post.id)) for post in automatic]


@dataclass(frozen=True)
class CalendarScreen:
    """Everything the Posting calendar page shows, read in one transaction."""

    time_zone: str
    today: date  # in the company's time zone
    channels: list[Channel]  # the active ones
    calendar: Calendar  # the days of the view asked for
    ready: list[WaitingPost]
    next_slots: dict[UUID, datetime | None]  # per channel of a ready post
    due: list[WaitingPost]  # shared by hand
    automatic: list[WaitingPost]  # sent by the worker, each with its delivery problem


def calendar_screen(actor: Actor, view: str, anchor: date | None = None,
                    channel_id: UUID | None = None) -> CalendarScreen:
    """The calendar page: `view` ("week" or "month") around `anchor` (today by default) for
    one channel or all (a channel no longer active counts as all)."""
    with one_transaction(actor):
        zone_name = time_zone(actor)
        zone = ZoneInfo(zone_name)
        today = datetime.now(zone).date()
        active = list_channels(actor, active_only=True)
        if channel_id not in {c.id for c in active}:
            channel_id = None
        ready = ready_to_schedule(actor)
        return CalendarScreen(
            zone_name, today, active, calendar_view(actor, view, anchor or today, zone, channel_id), ready,
            # posts on one channel wait for the same slot: each channel's is looked up once
            {channel: next_free_slot(actor, channel) for channel in {p.channel_id for p in ready}},
            due_to_publish(actor), going_out_automatically(actor))


def sharing(post: WaitingPost, base_url: str | None = None) -> Sharing:
    """The tracked link, the text to paste and the network's share dialog for a post (links at
    `base_url`, else at the portal's public address)."""
    link = channel_text.link_of_post(post.body, base_url or public_url(), post.job_id, post.network,
                                     post.id, post.job_title, post.short_codes)
    text = post.body if link in post.body else f"{post.body}\n\n{link}"
    return Sharing(link, text, channel_text.share_url(post.network, post.body, link))
