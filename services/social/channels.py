"""The channels posts go out on, as an admin keeps them: name, network, audience, the
weekly slots they are updated in (wall-clock times in the company's time zone), their
incoming webhook (a secret: admins set it, nobody reads it back), and who holds which
social role (publisher, editor, approver)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal import audit, validation
from portal.db import transaction, translate_refusals
from portal.errors import NotFound, ValidationError
from portal.models import Actor
from portal.networks import AUDIENCES, LABELS, NETWORKS
from portal.permissions import require_admin, require_staff
from portal.settings import Settings, settings
from services.social import publishing

SOCIAL_ROLES = {"publisher": "Publisher (writes and publishes posts)",
                "editor": "Editor (edits others' posts)", "approver": "Approver (approves topics and posts)"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # ISO weekday 1..7
MAX_SLOTS = 70


@dataclass(frozen=True, order=True)
class Slot:
    weekday: int  # ISO: 1 = Monday
    at: time

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday - 1]} {self.at:%H:%M}"


@dataclass(frozen=True)
class Channel:
    id: UUID
    name: str
    network: str
    audience: str
    active: bool
    slots: tuple[Slot, ...]
    has_webhook: bool
    webhook_hint: str | None  # admins only: "set, ending …" the address's last characters

    @property
    def network_label(self) -> str:
        return NETWORKS[self.network].label

    @property
    def takes_webhook(self) -> bool:
        return NETWORKS[self.network].webhook is not None


@dataclass(frozen=True)
class RoleHolder:
    user_id: UUID
    full_name: str
    email: str
    role: str


# --- the company's time zone ------------------------------------------------------------------

def load_time_zone(conn: Connection) -> str:
    return conn.execute(sa.text(
        "select coalesce(time_zone, 'UTC') from public.portal_settings where id = 1")).scalar() or "UTC"


def time_zone(actor: Actor) -> str:
    """The IANA name slots and the calendar are shown in; UTC until an admin sets one."""
    with transaction(actor) as conn:
        return load_time_zone(conn)


def set_time_zone(actor: Actor, name: str) -> str:
    name = (name or "").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"“{name[:64]}” is not a time zone name; choose one like "
                              "Europe/Berlin or America/New_York.") from None
    with transaction(actor) as conn:
        require_admin(conn, "set the company's time zone")
        if not conn.execute(sa.text("select exists (select 1 from pg_timezone_names where name = :n)"),
                            {"n": name}).scalar():
            raise ValidationError(f"The database does not know the time zone “{name}”; choose another.")
        conn.execute(sa.text("update public.portal_settings set time_zone = :n, updated_at = now()"
                             " where id = 1"), {"n": None if name == "UTC" else name})
        audit.record(conn, "settings.time_zone", "portal_settings", "1", {"time_zone": name})
    return name


# --- channels ---------------------------------------------------------------------------------

def list_channels(actor: Actor, *, active_only: bool = False) -> list[Channel]:
    """Every channel, by name, with its slots and whether it publishes automatically."""
    with transaction(actor) as conn:
        require_staff(conn, "see the social channels")
        return load_channels(conn, active_only=active_only)


def load_channels(conn: Connection, *, active_only: bool = False) -> list[Channel]:
    # channel_webhooks is admins-only under RLS: for anyone else the join finds nothing and
    # the hint stays null, while channel_has_webhook still says whether one is set.
    rows = conn.execute(sa.text(
        "select c.id, c.name, c.network::text as network, c.audience, c.active,"
        " coalesce(private.channel_has_webhook(c.id), false) as has_webhook, right(w.url, 6) as hint,"
        " coalesce((select array_agg(array[s.weekday::text, s.at_time::text] order by s.weekday, s.at_time)"
        "   from public.channel_slots s where s.channel_id = c.id), '{}') as slots"
        " from public.social_channels c left join public.channel_webhooks w on w.channel_id = c.id"
        " where c.active or not :active_only order by c.name"), {"active_only": active_only}).all()
    return [Channel(id=r.id, name=r.name, network=r.network, audience=r.audience, active=r.active,
                    slots=tuple(Slot(int(day), time.fromisoformat(at)) for day, at in r.slots),
                    has_webhook=r.has_webhook, webhook_hint=f"set, ending …{r.hint}" if r.hint else None)
            for r in rows]


def channel(actor: Actor, channel_id: UUID) -> Channel:
    found = [c for c in list_channels(actor) if c.id == channel_id]
    if not found:
        raise NotFound("That channel does not exist.")
    return found[0]


def network_of(conn: Connection, channel_id: UUID) -> str:
    """The channel's network (its key); NotFound when there is no such channel."""
    network = conn.execute(sa.text("select network::text from public.social_channels where id = :id"),
                           {"id": channel_id}).scalar()
    if network is None:
        raise NotFound("That channel does not exist.")
    return network


def _fields(name: str, network: str, audience: str) -> dict:
    name = validation.text("Channel name", name, minimum=2, maximum=60, single_line=True)
    if network not in NETWORKS:
        raise ValidationError(f"Network: choose one of {', '.join(LABELS.values())}.")
    if audience not in AUDIENCES:
        raise ValidationError("Audience: choose external or internal.")
    return {"name": name, "network": network, "audience": audience}


def _unique_name():
    """A duplicate channel name (the table's unique constraint) said in words."""
    return translate_refusals(duplicate="A channel with that name exists already; choose another name.")


def add_channel(actor: Actor, name: str, network: str, audience: str) -> UUID:
    fields = _fields(name, network, audience)
    with _unique_name(), transaction(actor) as conn:
        require_admin(conn, "add social channels")
        channel_id = conn.execute(sa.text(
            "insert into public.social_channels (name, network, audience)"
            " values (:name, cast(:network as public.social_network), :audience) returning id"),
            fields).scalar_one()
        audit.record(conn, "channel.added", "social_channel", str(channel_id), fields)
    return channel_id


def edit_channel(actor: Actor, channel_id: UUID, name: str, network: str, audience: str,
                 active: bool) -> None:
    fields = _fields(name, network, audience)
    with _unique_name(), transaction(actor) as conn:
        require_admin(conn, "change social channels")
        connected_elsewhere = conn.execute(sa.text(
            "select c.network::text from public.social_channels c"
            " join private.channel_connections_shown() k on k.channel_id = c.id"
            " where c.id = :id and c.network <> cast(:network as public.social_network)"),
            {"id": channel_id, "network": fields["network"]}).scalar()
        if connected_elsewhere:
            what = NETWORKS[connected_elsewhere].oauth.connects
            raise ValidationError(f"Network: the channel has a connected {LABELS[connected_elsewhere]} "
                                  f"{what}; disconnect it before moving the channel to another network.")
        changed = conn.execute(sa.text(
            "update public.social_channels set name = :name,"
            " network = cast(:network as public.social_network), audience = :audience,"
            " active = :active where id = :id"),
            {**fields, "active": active, "id": channel_id}).rowcount
        if not changed:
            raise NotFound("That channel does not exist.")
        audit.record(conn, "channel.changed", "social_channel", str(channel_id),
                     {**fields, "active": str(active).lower()})


def parse_times(text: str) -> list[time]:
    """Times of day typed as "09:00, 13:30" (commas or spaces between them)."""
    found = []
    for part in text.replace(",", " ").replace(";", " ").split():
        try:
            hours, minutes = part.split(":")
            found.append(time(int(hours), int(minutes)))
        except ValueError:
            raise ValidationError(f"Times: “{part[:20]}” is not a time of day; write times as HH:MM, "
                                  "e.g. 09:00, 13:30.") from None
    return sorted(set(found))


def typed_slots(per_day: Iterable[str]) -> list[Slot]:
    """The slots typed for each day of the week, Monday first, each as "09:00, 13:30": every
    day's problem at once, named for its field ("day1" for Monday … "day7")."""
    problems = validation.FormProblems()
    slots = []
    for day, (name, text) in enumerate(zip(WEEKDAYS, per_day, strict=True), start=1):
        try:
            slots += [Slot(day, at) for at in parse_times(text)]
        except ValidationError as error:
            problems.add(f"day{day}", f"{name}: " + str(error).removeprefix("Times: "))
    problems.raise_any()
    return slots


def slots_from(weekdays: Iterable[int], times: Iterable[time]) -> list[Slot]:
    """Every chosen day at every chosen time."""
    return sorted({Slot(day, at) for day in weekdays for at in times})


def set_slots(actor: Actor, channel_id: UUID, slots: Iterable[Slot]) -> None:
    """Replace the channel's weekly slots (wall-clock times in the company's time zone)."""
    slots = sorted(set(slots))
    if len(slots) > MAX_SLOTS:
        raise ValidationError(f"At most {MAX_SLOTS} slots a week (this has {len(slots)}).")
    if any(not 1 <= s.weekday <= 7 for s in slots):
        raise ValidationError("Days are Monday to Sunday.")
    with transaction(actor) as conn:
        require_admin(conn, "set a channel's posting slots")
        conn.execute(sa.text("delete from public.channel_slots where channel_id = :id"), {"id": channel_id})
        if slots:
            conn.execute(sa.text("insert into public.channel_slots (channel_id, weekday, at_time)"
                                 " values (:id, :day, :at)"),
                         [{"id": channel_id, "day": s.weekday, "at": s.at} for s in slots])
        audit.record(conn, "channel.slots", "social_channel", str(channel_id),
                     {"slots": ", ".join(map(str, slots))})


def set_webhook(actor: Actor, channel_id: UUID, url: str, config: Settings | None = None) -> None:
    """Set or replace the incoming-webhook address of a channel whose network takes one."""
    url = (url or "").strip()
    if not url:
        raise ValidationError("Webhook URL: paste the incoming webhook's address (https://…).")
    if any(c.isspace() for c in url) or not url.lower().startswith("https://") or len(url) < 12:
        raise ValidationError("Webhook URL: it must be an https:// address, such as Slack's "
                              "https://hooks.slack.com/services/… or the one Teams gives.")
    if len(url) > 2000:
        raise ValidationError("Webhook URL: at most 2,000 characters.")
    if not (config or settings()).allow_private_webhooks and (address := publishing.private_address(url)):
        raise ValidationError(f"Webhook URL: its host is a private or local address ({address}); the "
                              "portal sends posts to public addresses only. Paste the address the "
                              "network gave you, or ask whoever runs the portal to allow private "
                              "webhooks (PORTAL_ALLOW_PRIVATE_WEBHOOKS).")
    with transaction(actor) as conn:
        require_admin(conn, "set a channel's webhook")
        network = network_of(conn, channel_id)
        if NETWORKS[network].webhook is None:
            takers = [n.label for n in NETWORKS.values() if n.webhook is not None]
            raise ValidationError(f"{LABELS[network]} channels are shared by hand (the share link); "
                                  f"only {', '.join(takers[:-1])} and {takers[-1]} channels take a webhook.")
        conn.execute(sa.text(
            "insert into public.channel_webhooks (channel_id, url) values (:id, :url)"
            " on conflict (channel_id) do update set url = excluded.url, updated_at = now()"),
            {"id": channel_id, "url": url})
        # The address is a secret: the log says that it changed, not what it is.
        audit.record(conn, "channel.webhook_set", "social_channel", str(channel_id))


def remove_webhook(actor: Actor, channel_id: UUID) -> None:
    with transaction(actor) as conn:
        require_admin(conn, "remove a channel's webhook")
        conn.execute(sa.text("delete from public.channel_webhooks where channel_id = :id"),
                     {"id": channel_id})
        audit.record(conn, "channel.webhook_removed", "social_channel", str(channel_id))


# --- social roles -----------------------------------------------------------------------------

def role_holders(actor: Actor) -> list[RoleHolder]:
    with transaction(actor) as conn:
        require_staff(conn, "see who holds social roles")
        rows = conn.execute(sa.text(
            "select r.user_id, p.full_name, p.email, r.role::text as role from public.social_roles r"
            " join public.profiles p on p.id = r.user_id order by p.full_name, p.email, r.role")).all()
    return [RoleHolder(**r._mapping) for r in rows]


def grant_role(actor: Actor, user_id: UUID, role: str) -> None:
    if role not in SOCIAL_ROLES:
        raise ValidationError("Role: choose publisher, editor or approver.")
    with transaction(actor) as conn:
        require_admin(conn, "grant social roles")
        staff = conn.execute(sa.text("select role in ('recruiter', 'admin') from public.profiles"
                                     " where id = :u"), {"u": user_id}).scalar()
        if not staff:
            raise ValidationError("Social roles are for recruiters and admins; choose one of them.")
        conn.execute(sa.text("insert into public.social_roles (user_id, role)"
                             " values (:u, cast(:r as public.social_role)) on conflict do nothing"),
                     {"u": user_id, "r": role})
        audit.record(conn, "social_role.granted", "profile", str(user_id), {"role": role})


def revoke_role(actor: Actor, user_id: UUID, role: str) -> None:
    with transaction(actor) as conn:
        require_admin(conn, "revoke social roles")
        conn.execute(sa.text("delete from public.social_roles where user_id = :u"
                             " and role = cast(:r as public.social_role)"), {"u": user_id, "r": role})
        audit.record(conn, "social_role.revoked", "profile", str(user_id), {"role": role})
