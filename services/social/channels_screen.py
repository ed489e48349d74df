"""What Admin → Social channels shows, read in one transaction: the channels with their slots,
the company pages connected to them, who holds which social role, and the staff who may be
given one. Apart from `connections` because the web layer's OAuth routes import that one,
and this one's staff list brings pandas with the postings (a second to start the server)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from portal.db import one_transaction
from portal.models import Actor
from services.postings.editing import StaffMember, staff_members
from services.social import channels, connections


@dataclass(frozen=True)
class ChannelsScreen:
    time_zone: str
    channels: list[channels.Channel]
    connected: dict[UUID, connections.Shown]  # by channel: its connected page (never a token)
    role_holders: list[channels.RoleHolder]
    staff: list[StaffMember]  # who may be given a social role


def channels_screen(actor: Actor) -> ChannelsScreen:
    with one_transaction(actor):
        return ChannelsScreen(channels.time_zone(actor), channels.list_channels(actor),
                              connections.shown(actor), channels.role_holders(actor), staff_members(actor))
