"""Admin → Social channels: the channels posts go out on, their weekly posting slots, the
incoming webhook of channels whose network takes one, the company page connected to channels
whose network connects through OAuth (LinkedIn, X, Facebook), and who holds which social role."""

from zoneinfo import available_timezones

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from portal.networks import AUDIENCES, LABELS
from services.social import channels, connections
from services.social.channels_screen import channels_screen

actor = ui.require_role(Role.ADMIN)
st.title("Social channels")
st.caption("The channels job posts are shared on, the days and hours each one is updated, and who "
           "writes, edits and approves posts. Channels with a webhook or a connected company page are "
           "published automatically; the others are shared by hand from the Posting calendar.")

screen = channels_screen(actor)  # the whole page in one transaction
zone = screen.time_zone
all_channels = screen.channels
by_id = {c.id: c for c in all_channels}
connected = screen.connected
if (just_connected := st.query_params.get("connected")) is not None:
    # Back from the network's consent screen (the web layer's callback sent us here).
    del st.query_params["connected"]
    page = next((k for k in connected.values() if str(k.channel_id) == just_connected), None)
    if page and page.channel_id in by_id:
        st.session_state["edit-channel"] = page.channel_id
        st.session_state["channels:notice"] = ui.plain(f"Page “{page.account_name}” connected to "
                                                       f"{by_id[page.channel_id].name}.")
if notice := st.session_state.pop("channels:notice", None):
    st.success(notice, icon=":material/check:")


def _run(action, success: str) -> None:
    ui.act_then_rerun(action, "channels:notice", success)


def on_add() -> None:
    """Runs before the page, so that a success can empty the form."""
    state = st.session_state
    try:
        channels.add_channel(actor, state["new-channel:name"], state["new-channel:network"],
                             state["new-channel:audience"])
    except UserFacingError as error:
        state["new-channel:error"] = str(error)
    else:
        state["channels:notice"] = f"Channel “{state['new-channel:name'].strip()}” added."
        state["new-channel:name"] = ""


def _published_how(channel: channels.Channel) -> str:
    if channel.has_webhook:
        return "Automatically (webhook)"
    if channel.id in connected:
        return f"Automatically (as {connected[channel.id].account_name})"
    return "By hand (share link)"


if all_channels:
    st.dataframe([{
        "Channel": c.name, "Network": c.network_label, "Audience": c.audience.capitalize(),
        "Active": c.active, "Slots": ", ".join(map(str, c.slots)) or "none",
        "Published": _published_how(c),
        "Webhook": (c.webhook_hint or "not set") if c.takes_webhook else "—",
    } for c in all_channels], hide_index=True)
else:
    st.info("No channels yet. Add the first one below, e.g. the company's LinkedIn page.")

with st.expander("Add a channel", icon=":material/add:", expanded=not all_channels):
    with st.form("add-channel"):
        st.text_input("Name", max_chars=60, placeholder="Company LinkedIn", key="new-channel:name")
        left, right = st.columns(2)
        left.selectbox("Network", list(LABELS), format_func=LABELS.get,
                       key="new-channel:network")
        right.radio("Audience", AUDIENCES, format_func=str.capitalize, horizontal=True,
                    key="new-channel:audience")
        st.form_submit_button("Add channel", type="primary", on_click=on_add)
    if message := st.session_state.pop("new-channel:error", None):
        ui.show_error(message)

def on_webhook(channel_id, field: str) -> None:
    """Runs before the page: a saved address leaves the field (it is a secret), a refused one stays."""
    state = st.session_state
    try:
        channels.set_webhook(actor, channel_id, state[field])
    except UserFacingError as error:
        state["webhook:error"] = str(error)
    else:
        state[field] = ""
        state["channels:notice"] = "Webhook saved."


if all_channels:
    st.subheader("Change a channel")
    chosen = by_id[st.selectbox(
        "Channel", list(by_id), key="edit-channel",
        format_func=lambda i: by_id[i].name + ("" if by_id[i].active else " (inactive)"))]
    key = f"channel:{chosen.id}"
    with st.form(f"{key}:edit"):
        name = st.text_input("Name", chosen.name, max_chars=60)
        left, right = st.columns(2)
        network = left.selectbox("Network", list(LABELS), list(LABELS).index(chosen.network),
                                 format_func=LABELS.get)
        audience = right.radio("Audience", AUDIENCES, AUDIENCES.index(chosen.audience),
                               format_func=str.capitalize, horizontal=True)
        active = st.checkbox("Active: posts can be scheduled on it", chosen.active,
                             help="Deactivating keeps its posts; it leaves the calendar and the composer.")
        if st.form_submit_button("Save channel"):
            _run(lambda: channels.edit_channel(actor, chosen.id, name, network, audience, active),
                 "Channel saved.")

    st.markdown(f"**Posting slots**, in {ui.plain(zone)}"
                + (" (no company time zone is set; choose one below)" if zone == "UTC" else ""))
    slot_problems = ui.FieldProblems()  # every day's problem at once, under that day
    with st.form(f"{key}:slots"):
        st.caption("Times of day for each day the channel is updated, as HH:MM separated by commas. "
                   "Leave a day empty for none.")
        typed = []
        for number, (column, day) in enumerate(zip(st.columns(7), channels.WEEKDAYS, strict=True), start=1):
            with column:
                typed.append(st.text_input(day, ", ".join(f"{s.at:%H:%M}" for s in chosen.slots
                                                          if s.weekday == number), key=f"{key}:day{number}"))
                slot_problems.under(f"day{number}")
        if st.form_submit_button("Save slots"):
            try:
                slots = channels.typed_slots(typed)
            except UserFacingError as error:
                slot_problems.show(error)  # what was typed stays
            else:
                _run(lambda: channels.set_slots(actor, chosen.id, slots), "Slots saved.")

    if chosen.takes_webhook:
        st.markdown("**Incoming webhook** — " + ui.plain(chosen.webhook_hint or "not set: posts on this "
                                                           "channel are shared by hand"))
        with st.form(f"{key}:webhook"):
            st.text_input("New webhook URL", type="password", max_chars=2000, key=f"{key}:webhook-url",
                          help="Slack: https://hooks.slack.com/services/…; Teams: the address its "
                               "Incoming Webhook connector gives. It is never shown again.")
            st.form_submit_button("Set webhook" if chosen.webhook_hint is None else "Replace webhook",
                                  on_click=on_webhook, args=(chosen.id, f"{key}:webhook-url"))
        if message := st.session_state.pop("webhook:error", None):
            ui.show_error(message)
        if chosen.webhook_hint and st.button("Remove webhook", key=f"{key}:remove-webhook"):
            _run(lambda: channels.remove_webhook(actor, chosen.id), "Webhook removed.")

    if connections.connectable(chosen.network):
        label = chosen.network_label
        what = connections.oauth_of(chosen.network).connects  # page, or account
        page = connected.get(chosen.id)
        if page:
            until = (f"access until {page.expires_at:%d %b %Y, %H:%M} UTC"
                     + (", renewed by the worker before then" if page.refreshable else
                        f"; {label} gives no renewal, so connect it again before then")
                     if page.expires_at else "access without an end date")
            st.markdown(f"**{label} {what}** — connected: {ui.plain(page.account_name)} ({until}). "
                        f"Posts on this channel are published automatically as this {what}.")
            if page.problem:
                st.warning(ui.plain(page.problem), icon=":material/warning:")
            if len(page.choices) > 1:  # the admin who connected manages several pages
                names = dict(page.choices)
                with st.form(f"{key}:post-as"):
                    account = st.selectbox(f"Post as (the {what}s the connecting admin manages)", list(names),
                                           list(names).index(page.account_id) if page.account_id in names
                                           else 0, format_func=names.get)
                    if st.form_submit_button(f"Post as this {what}"):
                        _run(lambda: connections.post_as(actor, chosen.id, account),
                             ui.plain(f"Posts on {chosen.name} now go out as {names[account]}."))
        else:
            st.markdown(f"**{label} {what}** — not connected: posts on this channel are shared by hand.")
        if missing := connections.missing_configuration(chosen.network):
            st.info(f"To connect the company's {label} {what}, whoever runs the portal sets "
                    f"{', '.join(missing)} in the environment or in .streamlit/secrets.toml, and "
                    f"registers {connections.callback_url(chosen.network)} as the redirect URL of the "
                    f"portal's app at {label}. docs/operations.md says how, step by step.",
                    icon=":material/settings:")
        else:
            connect, disconnect = st.columns(2)
            wording = (f"Connect a {label} {what} again" if page
                       else f"Connect the company's {label} {what}")
            connect.link_button(wording, connections.connect_path(chosen.network, chosen.id),
                                icon=":material/link:", type="primary" if not page else "secondary",
                                help=f"Opens {label}, where whoever manages the company's {what} allows the "
                                     "portal to post; the portal never shows the access again.")
            if page and disconnect.button(f"Disconnect the {label} {what}", key=f"{key}:disconnect"):
                try:
                    said = connections.disconnect(actor, chosen.id)
                except UserFacingError as error:
                    ui.show_error(error)
                else:
                    st.session_state["channels:notice"] = ui.plain(said)  # names the network's page
                    st.rerun()

st.subheader("Company time zone")
with st.form("time-zone"):
    zones = sorted(available_timezones() | {"UTC"})
    picked = st.selectbox("Time zone for slots and the calendar", zones, zones.index(zone),
                          help="Slots stay at the same local time through daylight-saving changes.")
    if st.form_submit_button("Save time zone"):
        _run(lambda: channels.set_time_zone(actor, picked), "Time zone saved.")

st.subheader("Social roles")
st.caption("Publishers write posts and schedule or publish them, editors edit others' posts, approvers "
           "approve topics and posts (never their own). Admins hold every role.")
holders = screen.role_holders
if holders:
    st.dataframe([{"Name": h.full_name, "Email": h.email, "Role": h.role.capitalize()} for h in holders],
                 hide_index=True)
else:
    st.info("Nobody holds a social role yet: grant one below.")
staff = screen.staff
grant, revoke = st.columns(2)
with grant.form("grant-role"):
    person = st.selectbox("Staff member", range(len(staff)),
                          format_func=lambda i: f"{staff[i].name} ({staff[i].email})")
    role = st.selectbox("Role", list(channels.SOCIAL_ROLES), format_func=channels.SOCIAL_ROLES.get)
    if st.form_submit_button("Grant role", type="primary") and person is not None:
        _run(lambda: channels.grant_role(actor, staff[person].id, role),
             f"{staff[person].name} is now {role}.")
with revoke.form("revoke-role"):
    held = st.selectbox("Role held", range(len(holders)),
                        format_func=lambda i: f"{holders[i].full_name}: {holders[i].role}")
    if st.form_submit_button("Revoke role") and held is not None:
        _run(lambda: channels.revoke_role(actor, holders[held].user_id, holders[held].role),
             f"{holders[held].full_name} is no longer {holders[held].role}.")
