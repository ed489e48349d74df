"""My referrals (alumni and employees): each referral's timeline, its reward, and news."""

import streamlit as st

from portal import ui
from portal.models import Role
from services.referrals import pipeline, recognition, stages
from services.referrals.my_referrals import my_referrals

actor = ui.require_role(Role.ALUMNUS, Role.EMPLOYEE)
st.title("My referrals")
st.caption("Everyone you referred, each stage the recruiters gave them, and your rewards.")

PAGE_KEY = "my-referrals-page"
screen = my_referrals(actor, ui.page_number(PAGE_KEY))  # the whole page in one transaction
news, unread = screen.notifications, screen.unread
if news:
    title = f"Notifications ({unread} unread)" if unread else "Notifications"
    with st.expander(title, expanded=bool(unread)):
        for item in news:
            st.text(f"{'● ' if not item.read else ''}{item.created_at:%-d %b %Y %H:%M}  {item.message}")
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

counts = screen.counts
for column, stage in zip(st.columns(len(stages.STAGES)), stages.STAGES, strict=True):
    column.metric(stages.STAGE_LABELS[stage], counts[stage])


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


listed = ui.paged_table(
    PAGE_KEY, lambda _page: screen.referrals,
    lambda r: {"Candidate": r.candidate_name, "Job": r.job_title or "Open to anything",
               "Stage": stages.STAGE_LABELS[r.stage],
               "Timeline": pipeline.timeline_text(screen.timelines.get(r.id, [])),
               "Bonus": _bonus(r), "Note": stages.OUTCOME_NOTES.get(r.outcome, "")},
    empty="You have not referred anyone yet.",
    column_config={"Bonus": st.column_config.TextColumn(width=160)},
    on_select=lambda r: st.switch_page("pages/referrer/referral.py", query_params={"id": str(r.id)}),
)
if listed.total:
    st.caption("Select a row to open the referral: its timeline, its bonus and points, and its messages.")
