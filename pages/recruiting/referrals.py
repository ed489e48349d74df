"""The referral pipeline (recruiters and admins): a board by stage and a filterable table;
moving a stage tells the referrer. Referrals "open to anything" wait in their own inbox until
a recruiter links each to a published job, which makes it an application for that job."""

from uuid import UUID

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from services.candidates import applications
from services.referrals import open_referrals, pipeline
from services.referrals.stages import STAFF_OUTCOME_NOTES, stage_words

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
words = stage_words(actor)  # the company's names for the stages, and which are in use
st.title("Referrals")
st.caption("Every referral by stage. Moving one tells its referrer in the portal, and by email where set.")

if notice := st.session_state.pop("referral-moved", None):
    st.success(notice)
if notice := st.session_state.pop("referral-linked", None):
    st.success(ui.plain(notice))
if refusal := st.session_state.pop("referral-move-refused", None):
    ui.show_error(refusal)
if notice := st.session_state.pop("referral-confirmed", None):
    st.success(notice)

choices, waiting = pipeline.screen(actor)  # the filters' choices, and the referrals open to anything
# A refused link is said under its choice; if the referral has left the inbox (someone else
# linked it meanwhile), here.
refused = st.session_state.pop("referral-link-refused", None)
if refused and refused[0] not in {r.id for r in waiting.referrals}:
    ui.show_error(refused[1])
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


def _move(card: pipeline.Card) -> None:
    """The Move menu's callback: it runs before the page reads the board again, so one run
    shows the card in its new column (a move made in the page's run needed a second run)."""
    stage = st.session_state.get(f"move:{card.id}")
    if stage is None:
        return
    if stage == "not_selected" and card.linked:
        st.session_state["not-selected"] = card  # the dialog asks why first
        return
    try:
        moved = pipeline.move(actor, card.id, stage)
    except UserFacingError as error:
        st.session_state["referral-move-refused"] = error
        return
    told = "notified and emailed." if moved.emailed else "notified in the portal."
    stage = ui.plain(words.name(moved.stage))
    st.session_state["referral-moved"] = f"Moved to {stage}; the referrer was {told}"


def _confirm(referral_id: UUID, candidate_name: str) -> None:
    """The "Mark confirmed" button's callback: the recruiter spoke to the candidate of a pending
    referral, which now counts for its referrer (or is a duplicate of an earlier one)."""
    try:
        outcome = pipeline.confirm_for_candidate(actor, referral_id)
    except UserFacingError as error:
        st.session_state["referral-move-refused"] = error
        return
    name = ui.plain(candidate_name)
    st.session_state["referral-confirmed"] = (
        f"Confirmed for {name}: the referral counts for its referrer." if outcome == "owner" else
        f"Confirmed for {name}, but {STAFF_OUTCOME_NOTES.get(outcome, outcome).lower()}.")


def _confirm_button(referral_id: UUID, candidate_name: str) -> None:
    """For a referral waiting for its candidate: only staff confirm for them, never the referrer."""
    st.caption(STAFF_OUTCOME_NOTES["pending"])
    st.button("Mark confirmed", key=f"confirm:{referral_id}", icon=":material/verified:", width="stretch",
              help="After speaking to the candidate: they are the person referred and the email is theirs.",
              on_click=_confirm, args=(referral_id, candidate_name))


def _forget_not_selected() -> None:
    st.session_state.pop("not-selected", None)


@st.dialog(words.name("not_selected"), on_dismiss=_forget_not_selected)
def _not_selected(card: pipeline.Card) -> None:
    """A referral for a job is its candidate's application: not selecting them rejects the
    application, which says why (the candidate never sees the reason). The dialog stays open
    (session state) until it is sent or closed."""
    st.markdown(f"**{ui.plain(card.candidate_name)}** · {ui.plain(card.job_title or '')}")
    problems = ui.FieldProblems()
    with st.form(f"not-selected:{card.id}", border=False):
        reason = st.selectbox("Why they are not selected", list(applications.REJECTION_REASONS), index=None,
                              format_func=applications.REJECTION_REASONS.get, placeholder="Choose a reason",
                              key=f"not-selected-reason:{card.id}")
        problems.under("reason")
        detail = st.text_input("Say why (for “Other”)", max_chars=applications.MAX_REASON_DETAIL,
                               key=f"not-selected-detail:{card.id}")
        problems.under("reason_detail")
        problems.by_button()
        submitted = st.form_submit_button(f"Move to {ui.plain(words.name('not_selected'))}", type="primary",
                                          key=f"not-selected-go:{card.id}")
    if submitted:
        try:
            pipeline.move(actor, card.id, "not_selected", reason=reason, reason_detail=detail)
        except UserFacingError as error:
            problems.show(error)
        else:
            _forget_not_selected()
            rejected = ui.plain(words.name("not_selected"))
            st.session_state["referral-moved"] = (f"Moved to {rejected}: their application was rejected, "
                                                  "and the referrer was told.")
            st.rerun()


def _resume(referral: open_referrals.OpenReferral) -> None:
    """The résumé the referrer gave (each download audited)."""
    ui.stored_file_download(f"open-resume:{referral.id}", f"Get résumé ({referral.resume_name})",
                            lambda: open_referrals.resume(actor, referral.id))


def _link(referral_id: UUID) -> None:
    """The Link button's callback: it runs before the page reads the inbox again, so a referral
    someone else linked meanwhile (gone from the inbox) is still answered in words."""
    job = st.session_state.get(f"link-job:{referral_id}")
    try:
        linked = open_referrals.link(actor, referral_id, UUID(job) if job else None)
    except UserFacingError as error:
        st.session_state["referral-link-refused"] = (referral_id, error)
    else:
        st.session_state["referral-linked"] = linked.describe(applications.stage_labels(actor))


def _link_form(referral: open_referrals.OpenReferral, jobs: dict[str, str], refused) -> None:
    """"Link to a job": a refused link keeps the job chosen and says why under it."""
    problems = ui.FieldProblems()
    with st.form(f"link:{referral.id}", border=False):
        st.selectbox("Link to a job", list(jobs), index=None, format_func=jobs.get,
                     placeholder="Choose a published job", key=f"link-job:{referral.id}")
        problems.under("job")
        problems.by_button()
        st.form_submit_button("Link", type="primary", icon=":material/link:", key=f"link-go:{referral.id}",
                              on_click=_link, args=(referral.id,))
    if refused and refused[0] == referral.id:
        problems.show(refused[1])


def _open_inbox(waiting: open_referrals.Inbox, refused) -> None:
    st.caption("Referrals for no job in particular, oldest first. Link each to a published job: it "
               "becomes an application for that job, with the referral as its source, and moves on "
               "the job's Applicants tab like any other; the referrer follows it.")
    if not waiting.referrals:
        st.info("No referral is waiting for a job.")
        return
    if not waiting.jobs:
        st.warning("No job is published: publish one to link these referrals to it.")
    jobs = {str(job_id): title for job_id, title in waiting.jobs}
    for referral in waiting.referrals:
        with st.container(border=True):
            st.markdown(f"**{ui.plain(referral.candidate_name)}**")
            facts = [referral.email, referral.linkedin_url or "",
                     f"referred by {referral.referrer_name or 'a former user'} on "
                     f"{ui.day_text(referral.created_at)}", words.name(referral.stage)]
            if referral.outcome not in ("owner", "pending"):
                facts.append(STAFF_OUTCOME_NOTES.get(referral.outcome, ""))
            st.caption(" · ".join(ui.plain(f) for f in facts if f))
            ui.page_link("pages/recruiting/candidate.py", label="Their profile",
                         query_params={"id": str(referral.candidate_id)}, icon=":material/person:")
            st.markdown("**How the referrer knows them**")
            st.text(referral.relationship or "—")
            st.markdown("**Why they fit**")
            st.text(referral.reason or "—")
            if referral.resume_name:
                _resume(referral)
            if referral.outcome == "pending":
                _confirm_button(referral.id, referral.candidate_name)
            _link_form(referral, jobs, refused)
    if waiting.total > len(waiting.referrals):
        st.caption(f"{waiting.total_text} wait in all: link these, the oldest, first.")


board_tab, table_tab, open_tab = st.tabs(["Board", "Table", f"Open to anything ({waiting.total_text})"])
try:
    with board_tab:
        board = pipeline.board(actor, per_stage=5, **filters)
        # A column per stage in use, and one for a switched-off stage while referrals are at it.
        columns = words.shown({stage: total for stage, (_, total) in board.items()})
        for column, stage in zip(st.columns(len(columns)), columns, strict=True):
            cards, total = board[stage]
            column.markdown(f"**{ui.plain(words.name(stage))}** · {total:,}")
            for card in cards:
                with column.container(border=True):
                    st.markdown(ui.plain(card.candidate_name))  # wraps, where st.text would not
                    where = f"{card.job_title or 'Open to anything'} · {card.referrer_name or ''}"
                    st.caption(ui.plain(where))
                    # The column names the stage; a menu offers the others (a picker showing
                    # the stage itself cut the longer stage names short in a card).
                    st.menu_button("Move", [s for s in words.in_use if s != stage], key=f"move:{card.id}",
                                   format_func=words.name, icon=":material/swap_horiz:",
                                   width="stretch", help="Move to another stage",
                                   on_click=_move, args=(card,))
                    if card.outcome == "pending":
                        _confirm_button(card.id, card.candidate_name)
            if total > len(cards):
                column.caption(f"+ {total - len(cards):,} more in the table")
        if (rejecting := st.session_state.get("not-selected")) is not None:
            _not_selected(rejecting)
    with table_tab:
        stage = st.selectbox("Stage", [None, *words.in_use],
                             format_func=lambda s: "All stages" if s is None else words.name(s))
        ui.paged_table(
            f"referrals-page:{stage}:{sorted(filters.items(), key=str)}",
            lambda page: pipeline.search(actor, stage=stage, page=page, **filters),
            lambda r: {"Candidate": r.candidate_name, "Job": r.job_title or "Open to anything",
                       "Department": r.department or "", "Referred by": r.referrer_name,
                       "Stage": words.name(r.stage), "Referred on": r.created_at.date(),
                       "Stage since": r.stage_changed_at.date()},
            empty="No referrals match these filters.",
        )
    with open_tab:
        _open_inbox(waiting, refused)
except UserFacingError as error:
    ui.show_error(error)
