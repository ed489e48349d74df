"""One referral, for the alumnus or employee who made it (`referral?id=…`, opened from My
referrals): where it stands, each stage it was given, its bonus and points, and the
notifications it brought. Row-level security shows a referrer only their own referrals,
so anyone else's link reads "not found"."""

import streamlit as st

from portal import ui
from portal.models import Role
from services.referrals import stages
from services.referrals.my_referrals import my_referral

MY_REFERRALS = "pages/referrer/my_referrals.py"

actor = ui.require_role(Role.ALUMNUS, Role.EMPLOYEE)
ui.page_link(MY_REFERRALS, label="My referrals", icon=":material/arrow_back:")
shown = my_referral(actor, st.query_params.get("id"))  # the whole page in one transaction
if shown is None:
    st.title("Referral not found")
    st.info("This referral is not among yours: the link may be incomplete, or it belongs to someone "
            "else. Your own referrals are all listed under My referrals.")
    st.stop()

detail = shown.detail
referral = detail.referral
st.title(ui.plain(referral.candidate_name))
st.caption(f"{ui.plain(referral.job_title or 'Open to anything')} · referred on "
           f"{ui.day_text(referral.created_at)}")
if referral.outcome == "pending":
    st.info(f"{stages.OUTCOME_NOTES['pending']}. Until then it earns no bonus or points.")
elif note := stages.OUTCOME_NOTES.get(referral.outcome):
    st.info(f"{note}, so this referral is recorded but earns no bonus or points.")

payout, bonus = shown.payout, shown.bonus
stage_col, points_col, bonus_col, paid_col = st.columns(4)
words = shown.stage_words  # the company's wording of the stages, as candidates read it
stage_col.metric("Stage", words.name(referral.stage))
points_col.metric("Points earned", f"{detail.points:,}")
if payout is not None:
    bonus_col.metric("Your bonus", f"{payout.amount:,.0f}")
    paid_col.metric("Bonus status", {
        "paid": f"Paid {ui.day_text(payout.paid_at)}", "forfeited": "Forfeited",
        "due": f"Due since {ui.day_text(payout.due_on)}", "waiting": f"Due {ui.day_text(payout.due_on)}",
    }[payout.status])
    if payout.status == "forfeited":
        st.caption("The bonus was forfeited: they left before the retention period ended.")
elif referral.outcome == "owner" and bonus is not None and bonus.amount:
    bonus_col.metric("Bonus if hired", f"{bonus.amount:,.0f}")
    paid_col.metric("Paid after", f"{bonus.retention_days:,} days")
    st.caption(f"Paid once they have stayed {bonus.retention_days:,} days after their start date.")

st.subheader("Timeline", anchor=False)
if detail.timeline:  # lines rather than a table: they wrap on a phone
    st.markdown("\n".join(
        f"- **{ui.plain(words.name(event.stage))}** · {ui.day_text(event.changed_at, with_time=True)}"
        + (f" · by {ui.plain(event.changed_by)}" if event.changed_by else "") for event in detail.timeline))
else:
    st.caption("No stage recorded yet.")

st.subheader("Messages", anchor=False)
if detail.notifications:
    for item in detail.notifications:
        with st.container(border=True):
            st.caption(ui.day_text(item.created_at, with_time=True) + ("" if item.read else " · new"))
            st.markdown(ui.plain(item.message))  # wraps, unlike st.text; shown as the text it is
else:
    st.caption("No messages about this referral yet: you are told here when the recruiters move it on.")
