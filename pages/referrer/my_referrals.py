"""My referrals (alumni and employees)."""

import streamlit as st

from portal import ui
from portal.models import Role
from services import recognition, referrals

actor = ui.require_role(Role.ALUMNUS, Role.EMPLOYEE)
st.title("My referrals")
st.caption("Everyone you referred, the stage the recruiters have them at, and your rewards.")

mine = recognition.my_recognition(actor)
points_column, badges_column = st.columns([1, 3])
points_column.metric("Points", f"{mine.points:,}")
with badges_column:
    st.markdown("**Badges**")
    st.markdown(" ".join(f":orange-badge[:material/military_tech: {badge}]" for badge in mine.badges)
                if mine.badges else "None yet: your first referral earns one.")
    st.caption("See where you stand on the Leaderboard.")

counts = referrals.count_by_stage(actor, mine=True)
for column, stage in zip(st.columns(len(referrals.STAGES)), referrals.STAGES, strict=True):
    column.metric(referrals.STAGE_LABELS[stage], counts[stage])

ui.paged_table(
    "my-referrals-page",
    lambda page: referrals.list_referrals(actor, mine=True, page=page),
    lambda r: {"Candidate": r.candidate_name, "Job": r.job_title or "Open to anything",
               "Stage": referrals.STAGE_LABELS[r.stage], "Referred on": r.created_at.date(),
               "Reward": f"{r.reward_amount:,.0f}" if r.reward_amount else "",
               "Paid on": r.reward_paid_at.date().isoformat() if r.reward_paid_at else ""},
    empty="You have not referred anyone yet.",
)
