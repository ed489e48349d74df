"""The referral pipeline (recruiters and admins): a board by stage and a filterable table;
moving a stage tells the referrer."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from services.referrals import pipeline
from services.referrals.stages import STAGE_LABELS, STAGES

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
st.title("Referrals")
st.caption("Every referral by stage. Moving one tells its referrer in the portal, and by email where set.")

if notice := st.session_state.pop("referral-moved", None):
    st.success(notice)

choices = pipeline.filter_choices(actor)
jobs = dict(choices.jobs)
referrers = dict(choices.referrers)
# A row that wraps rather than columns: all five in a row on a computer, two by two on a phone
# (columns would stack them, a screenful of filters before the first referral).
FILTER_WIDTH = 150  # pixels: two fit side by side in the box on a 390-pixel phone
with st.container(border=True, horizontal=True, wrap=True, gap="small"):
    job = st.selectbox("Job", [None, *jobs], format_func=lambda j: "All jobs" if j is None else jobs[j],
                       width=FILTER_WIDTH)
    department = st.selectbox("Department", [None, *choices.departments],
                              format_func=lambda d: "All departments" if d is None else d, width=FILTER_WIDTH)
    referrer = st.selectbox("Referrer", [None, *referrers],
                            format_func=lambda r: "All referrers" if r is None else referrers[r],
                            width=FILTER_WIDTH)
    since = st.date_input("Referred from", value=None, format="YYYY-MM-DD", width=FILTER_WIDTH)
    until = st.date_input("Referred to", value=None, format="YYYY-MM-DD", width=FILTER_WIDTH)
filters = {"job_id": job, "department": department, "referrer_id": referrer, "since": since, "until": until}


def _move(referral_id, stage: str) -> None:
    try:
        moved = pipeline.move(actor, referral_id, stage)
    except UserFacingError as error:
        ui.show_error(error)
        return
    st.session_state["referral-moved"] = (f"Moved to {STAGE_LABELS[moved.stage]}; the referrer was notified"
                                          + (" and emailed." if moved.emailed else " in the portal."))
    st.rerun()


board_tab, table_tab = st.tabs(["Board", "Table"])
try:
    with board_tab:
        board = pipeline.board(actor, per_stage=5, **filters)
        for column, stage in zip(st.columns(len(STAGES)), STAGES, strict=True):
            cards, total = board[stage]
            column.markdown(f"**{STAGE_LABELS[stage]}** · {total:,}")
            for card in cards:
                with column.container(border=True):
                    st.markdown(ui.plain(card.candidate_name))  # wraps, where st.text would not
                    where = f"{card.job_title or 'Open to anything'} · {card.referrer_name or ''}"
                    st.caption(ui.plain(where))
                    # The column names the stage; a menu offers the others (a picker showing
                    # the stage itself cut "Interviewing" and "Not selected" short in a card).
                    target = st.menu_button("Move", [s for s in STAGES if s != stage], key=f"move:{card.id}",
                                            format_func=STAGE_LABELS.get, icon=":material/swap_horiz:",
                                            width="stretch", help="Move to another stage")
                    if target is not None:
                        _move(card.id, target)
            if total > len(cards):
                column.caption(f"+ {total - len(cards):,} more in the table")
    with table_tab:
        stage = st.selectbox("Stage", [None, *STAGES],
                             format_func=lambda s: "All stages" if s is None else STAGE_LABELS[s])
        ui.paged_table(
            f"referrals-page:{stage}:{sorted(filters.items(), key=str)}",
            lambda page: pipeline.search(actor, stage=stage, page=page, **filters),
            lambda r: {"Candidate": r.candidate_name, "Job": r.job_title or "Open to anything",
                       "Department": r.department or "", "Referred by": r.referrer_name,
                       "Stage": STAGE_LABELS[r.stage], "Referred on": r.created_at.date(),
                       "Stage since": r.stage_changed_at.date()},
            empty="No referrals match these filters.",
        )
except UserFacingError as error:
    ui.show_error(error)
