"""My referrals (alumni and employees): each referral's timeline, its reward, and news.

Referrals are cards rather than a table: their timelines and bonuses are sentences that a
table cut short at 1400 pixels and that a phone could only scroll sideways."""

import streamlit as st

from portal import ui
from portal.models import Role
from services.referrals import pipeline, recognition, stages
from services.referrals.my_referrals import my_referrals

actor = ui.require_role(Role.ALUMNUS, Role.EMPLOYEE)
st.title("My referrals")
st.caption("Everyone you referred, each stage the recruiters gave them, and your rewards.")

PAGE_KEY = "my-referrals-page"
STAGE_COLOURS = {"submitted": "gray", "reviewing": "blue", "interviewing": "violet", "offer": "orange",
                 "hired": "green", "not_selected": "red"}
screen = my_referrals(actor, ui.page_number(PAGE_KEY))  # the whole page in one transaction
news, unread = screen.notifications, screen.unread
if news:
    title = f"Notifications ({unread} unread)" if unread else "Notifications"
    with st.expander(title, expanded=bool(unread)):
        for item in news:
            st.markdown(("**New** · " if not item.read else "")
                        + f":gray[{ui.day_text(item.created_at, with_time=True)}] · {ui.plain(item.message)}")
        if unread and st.button("Mark all as read"):
            pipeline.mark_all_read(actor)
            st.rerun()

mine = screen.recognition
points_column, badges_column = st.columns([1, 3])
points_column.metric("Points", f"{mine.points:,}")
with badges_column:
    st.markdown("**Badges**")
    st.markdown(" ".join(f":orange-badge[:material/military_tech: {badge}]" for badge in mine.badges)
                if mine.badges else "None yet: your first referral earns one.")
    shown = screen.on_leaderboard
    st.caption(("See where you stand on the Leaderboard. " if shown else "")
               + recognition.on_leaderboard_text(shown) + " Change this on the Leaderboard or on My account.")

counts = screen.counts  # one line of badges, which wraps on a phone (six metrics took a screen)
words = screen.stage_words  # the company's wording of the stages, as candidates read it
st.markdown("  ".join(f":{STAGE_COLOURS[stage]}-badge[{ui.plain(words.name(stage))}: {counts[stage]}]"
                      for stage in words.shown(counts)))


def _bonus(r) -> str:
    """The bonus and where it stands, in one cell ("2,000 · paid 17 Jul 2026"): as two
    columns, "Paid 2026-…" was cut short at 1400 pixels."""
    payout = screen.payouts.get(r.id)
    if payout is None:
        if not r.reward_amount:
            return ""
        paid = f" · paid {ui.day_text(r.reward_paid_at)}" if r.reward_paid_at else ""
        return f"{r.reward_amount:,.0f}{paid}"
    return f"{payout.amount:,.0f}" + {
        "paid": f" · paid {ui.day_text(payout.paid_at)}" if payout.paid_at else "",
        "forfeited": " · forfeited (left before the retention period)",
        "due": f" · due since {ui.day_text(payout.due_on)}",
        "waiting": f" · due {ui.day_text(payout.due_on)}"}[payout.status]


def _card(r) -> None:
    with st.container(border=True):
        bonus = _bonus(r)
        st.markdown(f"**{ui.plain(r.candidate_name)}** · {ui.plain(r.job_title or 'Open to anything')} "
                    f":{STAGE_COLOURS[r.stage]}-badge[{ui.plain(words.name(r.stage))}]"
                    + (f" :orange-badge[:material/payments: Bonus {bonus}]" if bonus else ""))
        st.caption(ui.plain(pipeline.timeline_text(screen.timelines.get(r.id, []), words)))
        if note := stages.OUTCOME_NOTES.get(r.outcome):
            st.caption(note)
        ui.page_link("pages/referrer/referral.py", label="Open: timeline, bonus, messages",
                     query_params={"id": str(r.id)}, icon=":material/open_in_new:")


listed = screen.referrals
if not listed.total:
    st.info("You have not referred anyone yet.")
for referral in listed.rows:
    _card(referral)
ui.pagination(listed, PAGE_KEY)
