"""Social media → Posting calendar: scheduled and published posts per channel and day with the
channels' slots, the approved posts waiting for a time, and the posts due to be shared by hand."""

from collections import defaultdict
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import streamlit as st

from portal import ui
from portal.models import Role
from portal.networks import LABELS
from portal.words import counted
from services.social import calendar as post_calendar
from services.social import posts as social_posts

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
state = st.session_state
st.title("Posting calendar")

# The view, channel and day the widgets hold (set before this rerun began), read with the rest
# of the page in one transaction.
view = state.get("calendar:view") or "week"
screen = post_calendar.calendar_screen(actor, view, state.get("calendar:anchor"),
                                       state.get("calendar:channel"))
zone_name = screen.time_zone
zone = ZoneInfo(zone_name)
now = datetime.now(zone)
today = screen.today
st.caption(f"Times are in {zone_name}" + (" (the company's time zone)." if zone_name != "UTC" else
           ": no company time zone is set; an admin can set one under Admin → Social channels."))
if notice := state.pop("calendar:notice", None):
    st.success(ui.plain(notice), icon=":material/check:")

STATUS = {"scheduled": ("blue", ":material/schedule:", "Scheduled"),
          "published": ("green", ":material/check_circle:", "Published")}
active_channels = screen.channels
names = {c.id: c.name for c in active_channels}
if state.get("calendar:channel") not in names:
    state.pop("calendar:channel", None)  # a channel no longer active: the calendar shows all


def _moved(steps: int) -> None:
    view = state.get("calendar:view") or "week"
    state["calendar:anchor"] = today if steps == 0 else post_calendar.shifted(
        view, state.get("calendar:anchor", today), steps)


# --- the calendar -----------------------------------------------------------------------------

view_col, channel_col, nav_col = st.columns([2, 3, 3], vertical_alignment="bottom")
view_col.segmented_control("View", ["week", "month"], default="week", format_func=str.capitalize,
                           key="calendar:view")
channel_id = channel_col.selectbox("Channel", [None, *names], key="calendar:channel",
                                   format_func=lambda i: "All channels" if i is None else names[i])
# One row, not columns: on a phone columns would stack the three buttons a screen's width each.
nav_row = nav_col.container(horizontal=True, gap="small")
for label, steps, icon in (("Previous", -1, ":material/chevron_left:"), ("Today", 0, ":material/today:"),
                           ("Next", 1, ":material/chevron_right:")):
    nav_row.button(label, icon=icon, on_click=_moved, args=(steps,), width="stretch", key=f"calendar:{label}")

anchor: date = state.setdefault("calendar:anchor", today)
days = post_calendar.view_days(view, anchor)
shown = screen.calendar
st.subheader(f"Week of {days[0]:%-d %B %Y}" if view == "week" else f"{anchor:%B %Y}")

entries_on, slots_on = defaultdict(list), defaultdict(list)
for entry in shown.entries:
    entries_on[entry.at.astimezone(zone).date()].append(entry)
for slot in shown.slots:
    slots_on[slot.at.astimezone(zone).date()].append(slot)
if not active_channels:
    st.info("No channels yet: an admin adds them, with their posting slots, under Admin → Social channels.")
elif not shown.entries and not shown.slots:
    st.info("Nothing scheduled or published in these days, and no posting slots: schedule an approved "
            "post below, or ask an admin to set the channels' slots.")


def _entry(entry: post_calendar.CalendarEntry, compact: bool) -> None:
    colour, icon, label = STATUS[entry.status]
    at = f"{entry.at.astimezone(zone):%H:%M}"
    if compact:
        st.markdown(f":{colour}[{icon}] {at} {ui.plain(entry.job_title)}"
                    + (" :red[:material/error:]" if entry.problem else ""), help=label)
        return
    with st.container(border=True):
        st.markdown(f":{colour}[{icon} {label}] **{at}**  \n**{ui.plain(entry.job_title)}**  \n"
                    f":gray[{ui.plain(entry.channel)}]")
        st.text(ui.shortened(entry.body, 90))
        if entry.problem:
            st.error(ui.plain(entry.problem), icon=":material/error:")


def _slots(slots: list[post_calendar.SlotCell], entries: list, compact: bool) -> None:
    held = {(e.channel_id, e.at) for e in entries}
    slots = [s for s in slots if s.taken or s.at > now]  # a slot gone by unused is no longer free
    free = [s for s in slots if not s.taken]
    if compact:
        if free:
            st.markdown(f":green[{counted(len(free), 'free slot')}]")
        return
    for slot in slots:
        if slot.taken and (slot.channel_id, slot.at) in held:
            continue  # its post is shown
        what = "free" if not slot.taken else "taken"
        channel = "" if channel_id else f" · {ui.plain(slot.channel)}"
        st.markdown(f":{'green' if not slot.taken else 'gray'}[:material/event_available: "
                    f"{slot.at.astimezone(zone):%H:%M} {what}]{channel}")


compact = view == "month"
for week_start in range(0, len(days), 7):
    for column, day in zip(st.columns(7, border=compact), days[week_start:week_start + 7], strict=True):
        with column:
            other_month = compact and day.month != anchor.month
            heading = f"{day:%a %-d %b}" if not compact else f"{day:%-d}"
            st.markdown(f":blue-background[**{heading} · today**]" if day == today
                        else f":gray[{heading}]" if other_month else f"**{heading}**")
            for entry in entries_on[day]:
                _entry(entry, compact)
            _slots(slots_on[day], entries_on[day], compact)


# --- ready to schedule ------------------------------------------------------------------------

def _act(action, success: str, show: date | None = None) -> None:
    """A workflow step; on success the calendar moves to `show`, where the post now is."""
    ui.act_then_rerun(action, "calendar:notice", success, {"calendar:anchor": show} if show else None)


def _heading(post: post_calendar.WaitingPost) -> None:
    st.markdown(f"**{ui.plain(post.job_title)}** · {ui.plain(post.channel)} "
                f":gray[({LABELS[post.network]}, "
                f"{'published automatically' if post.automatic else 'shared by hand'})]")
    st.text(ui.shortened(post.body, 300))


st.divider()
st.subheader("Ready to schedule")
ready, next_slots = screen.ready, screen.next_slots
if not ready:
    st.info("No approved posts are waiting for a time.")
for post in ready:
    with st.container(border=True):
        _heading(post)
        slot = next_slots[post.channel_id]
        if slot is None:
            st.caption("This channel has no free posting slot: pick a date and time, or ask an admin to "
                       "add slots under Admin → Social channels.")
        else:
            label = f"Schedule at next free slot ({slot.astimezone(zone):%a %-d %b %H:%M})"
            if st.button(label, key=f"next-slot:{post.id}", type="primary", icon=":material/event:"):
                local = slot.astimezone(zone)
                _act(lambda post=post, slot=slot: social_posts.schedule(actor, post.id, slot),
                     f"Scheduled for {local:%a %-d %b %H:%M}.", local.date())
        with st.form(f"pick:{post.id}"):
            day_col, time_col, button_col = st.columns([2, 2, 2], vertical_alignment="bottom")
            day = day_col.date_input("Date", today, format="YYYY-MM-DD")
            at = time_col.time_input("Time", time(10, 0), step=900)
            if button_col.form_submit_button("Schedule at this time"):
                when = datetime.combine(day, at, zone)
                _act(lambda post=post, when=when: social_posts.schedule(actor, post.id, when),
                     f"Scheduled for {when:%a %-d %b %H:%M}.", day)


# --- due to publish ---------------------------------------------------------------------------

st.subheader("Due to publish")
st.caption("Scheduled posts on channels without a webhook or API credentials: share each one with its "
           "tracked link when its time comes, then mark it published.")
due = screen.due
if not due:
    st.info("No posts are waiting to be shared by hand.")
for post in due:
    sharing = post_calendar.sharing(post)
    with st.container(border=True):
        when = post.scheduled_for.astimezone(zone)
        overdue = post.scheduled_for <= now
        (st.warning if overdue else st.caption)(
            f"{'Due since' if overdue else 'Scheduled for'} {when:%a %-d %b %H:%M}",
            **({"icon": ":material/alarm:"} if overdue else {}))
        _heading(post)
        network = LABELS[post.network]
        if sharing.share_url:
            st.link_button(f"Share on {network}", sharing.share_url, icon=":material/share:")
            if post.network != "x":
                st.caption(f"{network}'s share dialog takes the link only: copy the text below and "
                           "paste it there.")
        else:
            st.caption("This channel has no share dialog: copy the text below and post it there.")
        st.code(sharing.text, language=None, wrap_lines=True)
        with st.form(f"publish:{post.id}"):
            url = st.text_input("Link to the live post (optional)", max_chars=2000,
                                placeholder="https://www.linkedin.com/feed/update/…")
            if st.form_submit_button("Mark published", type="primary", icon=":material/check:"):
                _act(lambda post=post, url=url: social_posts.mark_published(actor, post.id, url),
                     "Marked published.")
        if st.button("Unschedule", key=f"unschedule:{post.id}", icon=":material/event_busy:"):
            _act(lambda post=post: social_posts.unschedule(actor, post.id),
                 "Unscheduled: the post is back under Ready to schedule.")


# --- going out automatically ------------------------------------------------------------------

automatic = screen.automatic
if automatic:
    st.subheader("Going out automatically")
    st.caption("Scheduled posts on channels with a webhook or API credentials: `portal worker` sends each "
               "at its time, retries a failure after 1, 5, 15 and 60 minutes, and never sends one twice.")
for post in automatic:
    with st.container(border=True):
        st.caption(f"Scheduled for {post.scheduled_for.astimezone(zone):%a %-d %b %H:%M}")
        _heading(post)
        if post.problem:
            st.error(ui.plain(post.problem), icon=":material/error:")
        if st.button("Unschedule", key=f"unschedule:{post.id}", icon=":material/event_busy:"):
            _act(lambda post=post: social_posts.unschedule(actor, post.id),
                 "Unscheduled: the post is back under Ready to schedule.")
