"""The referral pipeline (recruiters and admins)."""

import streamlit as st

from portal import ui
from portal.models import Role
from services import referrals

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Referrals")

counts = referrals.count_by_stage(actor)
for column, stage in zip(st.columns(len(referrals.STAGES)), referrals.STAGES, strict=True):
    column.metric(referrals.STAGE_LABELS[stage], counts[stage])

stage = st.selectbox("Stage", [None, *referrals.STAGES],
                     format_func=lambda s: "All stages" if s is None else referrals.STAGE_LABELS[s])
ui.paged_table(
    f"referrals-page:{stage}",
    lambda page: referrals.list_referrals(actor, stage=stage, page=page),
    lambda r: {"Candidate": r.candidate_name, "Job": r.job_title or "Open to anything",
               "Referred by": r.referrer_name, "Stage": referrals.STAGE_LABELS[r.stage],
               "Referred on": r.created_at.date(), "Stage since": r.stage_changed_at.date()},
    empty="No referrals in this stage.",
)
