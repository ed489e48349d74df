"""Leaderboard: the referrers with the most points (alumni, employees and staff).
Referrers may leave it; whoever left is shown to nobody."""

import streamlit as st

from portal import ui
from portal.models import Role
from services.referrals import recognition

actor = ui.require_role(Role.ALUMNUS, Role.EMPLOYEE, Role.RECRUITER, Role.ADMIN)
st.title("Leaderboard")
points = recognition.POINTS
st.caption(f"Points: {points['referral']} for a referral credited to you, {points['interview']} more once "
           f"they reach an interview, {points['hire']} more when they are hired. Someone already referred, "
           "or who had applied already, earns no points. Referrers who chose to stay off the leaderboard "
           "are not shown.")

if actor.role in recognition.REFERRER_ROLES:
    ui.toggle_setting("Show me on the leaderboard", "leaderboard-visible", not recognition.opted_out(actor),
                      lambda shown: recognition.set_opt_out(actor, not shown),
                      recognition.on_leaderboard_text)

standings = recognition.leaderboard(actor)
if not standings:
    st.info("Nobody is on the leaderboard yet.")
else:
    st.dataframe([{"Place": s.place, "Referrer": s.full_name + (" (you)" if s.is_me else ""),
                   "Points": s.points, "Referrals": s.referrals, "Interviews": s.interviews,
                   "Hires": s.hires, "Badges": ", ".join(s.badges)} for s in standings],
                 hide_index=True, width="stretch")  # scrolls inside itself on a phone
