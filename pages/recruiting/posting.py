"""One job posting (recruiters and admins), reached from the list: `posting?id=…` shows its
details, the lifecycle steps it allows now, an edit form, its applicants and its referrals;
`posting?new=1` writes a new one."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from portal.validation import RESUME_TYPES
from portal.words import counted
from services.candidates import applications
from services.posting_screen import posting_screen
from services.postings import editing as postings
from services.postings import listings
from services.postings.editing import FormChoices, PostingForm
from services.referrals import stages
from services.savings.report import source_label
from services.social import channels as social_channels
from services.social import drafting, review
from services.social import posts as social_posts

LIST_PAGE = "pages/recruiting/postings.py"

actor = ui.require_role(Role.RECRUITER, Role.ADMIN)
stage_words = applications.stage_labels(actor)  # the company's names for the stages
referral_words = stages.referral_stage_words(stage_words, for_candidate=False)
ui.page_link(LIST_PAGE, label="All postings", icon=":material/arrow_back:")
creating = st.query_params.get("new") == "1"
job_key = st.query_params.get("id", "")  # names this posting's lists' pages in the session
# Everything the page shows, in one transaction; each list's page as the URL or a click says.
screen = None if creating else posting_screen(
    actor, job_key, applicants_page=ui.page_number(f"applicants:{job_key}", "applicants-page"),
    referrals_page=ui.page_number(f"referrals:{job_key}", "referrals-page"))
if not creating and screen is None:
    st.title("Posting not found")
    st.info("This posting does not exist any more, or the link is incomplete. Open it from the list.")
    st.stop()


def posting_form(key: str, start: PostingForm, choices: FormChoices,
                 submit_label: str) -> tuple[PostingForm | None, ui.FieldProblems]:
    """The posting's fields; what was typed when the button was pressed (else None), and where
    a refusal shows its problems: all of them at once, each under its field. The widgets keep
    their values across reruns, so a refused form loses nothing."""
    owners = {m.id: m.name for m in choices.owners}
    owner_choices = [None, *owners] if start.owner_id in owners else [None, start.owner_id, *owners]
    problems = ui.FieldProblems()  # the summary of a refused save, above the form
    with st.form(key):
        title = st.text_input("Title", start.title, max_chars=200)
        problems.under("title")
        left, middle, right = st.columns(3)
        with left:
            department = ui.known_choice("Department", choices.departments, start.department,
                                      "Choose or type a department")
            problems.under("department")
        with middle:
            location = ui.known_choice("Location", choices.locations, start.location,
                                    "Choose or type a location")
            problems.under("location")
        with right:
            remote = st.selectbox("Remote policy", list(listings.REMOTE_LABELS),
                                  index=list(listings.REMOTE_LABELS).index(start.remote_policy),
                                  format_func=listings.REMOTE_LABELS.get)
            problems.under("remote_policy")
        with left:
            employment = st.selectbox("Employment type", list(listings.EMPLOYMENT_LABELS),
                                      index=list(listings.EMPLOYMENT_LABELS).index(start.employment_type),
                                      format_func=listings.EMPLOYMENT_LABELS.get)
            problems.under("employment_type")
        with middle:
            levels = [None, *listings.LEVEL_LABELS]
            level = st.selectbox("Level (optional)", levels,
                                 index=levels.index(start.level) if start.level in levels else 0,
                                 format_func=lambda v: listings.LEVEL_LABELS[v] if v else "No level",
                                 help="Referral bonus rules can be set per level under Referral payouts.")
            problems.under("level")
        with right:
            low = st.number_input("Salary from (optional)", min_value=0.0, step=1000.0,
                                  value=None if start.salary_min is None else float(start.salary_min))
            problems.under("salary_min")
        with left:
            high = st.number_input("Salary to (optional)", min_value=0.0, step=1000.0,
                                   value=None if start.salary_max is None else float(start.salary_max))
            problems.under("salary_max")
        with middle:
            currency = st.text_input("Currency", start.currency, max_chars=3)
            problems.under("currency")
        with right:
            bonus = st.number_input(
                "Referral bonus", min_value=0.0, step=250.0,
                value=None if start.referral_bonus is None else float(start.referral_bonus),
                help="Paid to the alumnus or employee whose referral is hired, in the posting's "
                     "currency. Leave it empty to use the bonus rules of the posting's level, else of "
                     "its department (Referral payouts); new postings start empty once such rules are "
                     "set, else with the default an admin sets under Running costs & assumptions.")
            problems.under("referral_bonus")
        with left:
            starts = st.date_input("Target start date (optional)", value=start.target_start_date)
            problems.under("target_start_date")
        with middle:
            manager = st.text_input("Hiring manager (optional)", start.hiring_manager, max_chars=120)
            problems.under("hiring_manager")
        with right:
            owner = st.selectbox("Owner", owner_choices,
                                 index=owner_choices.index(start.owner_id),
                                 format_func=lambda o: owners.get(o, "Former staff") if o else "Nobody")
            problems.under("owner_id")
        description = st.text_area(
            "Description (Markdown)", start.description, height=260, max_chars=20_000,
            help="Shown on the public job page as Markdown: ## headings, **bold**, - lists and "
                 "[links](https://…). HTML is shown as text.")
        problems.under("description")
        problems.by_button()
        if not st.form_submit_button(submit_label, type="primary"):
            return None, problems
    return PostingForm(title, department or "", location or "", remote, employment, low, high, currency,
                       description, manager, owner, bonus, starts, level), problems


if creating:
    st.title("New posting")
    st.caption("A new posting is a draft: nobody outside the recruiting team sees it until it "
               "has been reviewed, approved and published.")
    typed, problems = posting_form("new-posting", postings.new_form(actor), postings.form_choices(actor),
                                   "Save draft")
    if typed is not None:
        try:
            job_id = postings.create_posting(actor, typed)
        except UserFacingError as error:
            problems.show(error)  # the form keeps everything typed
        else:
            st.switch_page("pages/recruiting/posting.py", query_params={"id": str(job_id)})
    st.stop()

posting = screen.posting
job = posting.job
st.title(ui.plain(job.title))
st.caption(" · ".join([postings.STATUS_LABELS[job.status]] + [ui.plain(f) for f in job.facts]))

# --- the lifecycle steps this posting allows now ---------------------------------------------
if moved := st.session_state.pop("posting-moved", None):
    st.success(moved)
steps = posting.next_steps_for(actor)  # without "Approve" for its author or submitter
if job.status == "in_review":
    if refusal := posting.approval_refusal(actor):
        st.info(refusal, icon=":material/how_to_reg:")
    else:
        st.caption(f"Waiting for approval by {posting.approver_needed}."
                   + (" You may approve it." if "approved" in steps else ""))
if steps:
    columns = st.columns(len(steps) + 2)
    for column, (to_status, label) in zip(columns, steps.items(), strict=False):
        if to_status == "closed":
            with column.popover(label, icon=":material/block:"):
                st.write("Closing takes the posting off the public board; its page then says "
                         "it is closed. This cannot be undone.")
                reason = st.radio("Why", list(postings.CLOSE_REASONS), format_func=postings.CLOSE_REASONS.get,
                                  horizontal=True)
                pressed = st.button("Close the posting", type="primary")
        else:
            reason = None
            pressed = column.button(label, type="primary" if to_status != "draft" else "secondary",
                                    key=f"move:{to_status}")
        if pressed:
            try:
                postings.move(actor, job.id, to_status, reason)
            except UserFacingError as error:
                ui.show_error(error)
            else:
                now = postings.STATUS_LABELS[to_status].lower()
                st.session_state["posting-moved"] = f"The posting is now {now}."
                st.rerun()
else:
    st.info(f"Closed ({postings.CLOSE_REASONS.get(posting.close_reason or '', 'no reason given').lower()}) "
            f"on {posting.closed_at:%d %b %Y}. A closed posting stays closed; write a new one to hire again."
            if posting.closed_at else "This posting is closed.")
if job.status in ("published", "closed"):
    ui.page_link("pages/public/job.py", label="See it on the public board", icon=":material/public:",
                 query_params={"id": str(job.id)})

# Two paged lists: each keeps its page in the URL under its own name.
applicant_page, referral_page = screen.applicants, screen.referrals
social = screen.social  # the whole "Channel posts" tab
channel_posts = social.posts
details_tab, edit_tab, applicants_tab, referrals_tab, posts_tab = st.tabs(
    ["Details", "Edit", f"Applicants ({applicant_page.total})", f"Referrals ({referral_page.total})",
     "Channel posts"])  # no count: a tab whose label changes is closed by the rerun after saving

with details_tab:
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(ui.staff_markdown(job.description) or "_No description yet._")  # staff write Markdown
    with right:
        facts = {
            "Hiring manager": posting.hiring_manager or "—",
            "Owner": posting.owner_name or "—",
            "Referral bonus": f"{job.currency} {posting.referral_bonus:,.2f}"
                              if posting.referral_bonus is not None else "—",
            "Target start": f"{posting.target_start_date:%d %b %Y}" if posting.target_start_date else "—",
            "Created": f"{posting.created_at:%d %b %Y}",
            "Written by": posting.author_name or "—",
            "Submitted by": posting.submitted_by_name or "—",
            "Approved by": posting.approved_by_name or "—",
            "Published": f"{job.published_at:%d %b %Y}" if job.published_at else "—",
        }
        st.markdown("  \n".join(f"**{label}:** {ui.plain(value)}" for label, value in facts.items()))

with edit_tab:
    if job.status in ("in_review", "approved"):
        st.info(f"This posting is {postings.STATUS_LABELS[job.status].lower()}: changing it sends it back "
                "to draft, to be submitted and approved again.", icon=":material/undo:")
    typed, problems = posting_form(f"edit-posting:{job.id}", posting.form(), screen.choices, "Save changes")
    if typed is not None:
        try:
            status = postings.update_posting(actor, job.id, typed)
        except UserFacingError as error:
            problems.show(error)  # the form keeps everything typed
        else:
            st.toast("Posting saved." if status == job.status else
                     "Posting saved and back in draft: submit it for review again.", icon=":material/check:")
            st.rerun()

def applicants_funnel() -> None:
    """Counts per stage and per source, from the history (applications.funnel)."""
    rows = screen.funnel
    if not rows:
        return
    shown = [*rows, applications.funnel_total(rows)] if len(rows) > 1 else rows
    columns = {"new": "applied", "reviewing": "reviewing", "interviewing": "interviewing",
               "offer": "offer", "hired": "hired", "rejected": "rejected", "withdrawn": "withdrawn"}
    # A stage switched off is left out unless someone reached it before.
    columns = {status: column for status, column in columns.items()
               if status in stage_words.in_use or any(getattr(r, column) for r in rows)}
    st.dataframe([{"Source": "All sources" if r.source == "all" else source_label(r.source),
                   **{stage_words.label(status): getattr(r, column) for status, column in columns.items()}}
                  for r in shown], hide_index=True)
    st.caption("How many reached each stage, even if they moved on or were rejected later.")


def move_form(rows) -> None:
    """Move the chosen applicants to a stage; a rejection takes a reason, and any move may
    carry a message to the candidates. A refused form keeps what was typed."""
    # A done move starts a fresh form: new keys, so the browser's widgets start empty too.
    generation = st.session_state.get(f"move-form:{job.id}", 0)
    keys = {k: f"{k}:{job.id}:{generation}" for k in ("who", "stage", "reason", "detail", "message")}
    names = {a.application_id: f"{a.full_name} ({a.email})" for a in rows}
    with st.container(border=True):
        st.markdown("**Move applicants**")
        every_col, template_col = st.columns(2)
        if every_col.button("Choose everyone on this page", key=f"everyone:{job.id}",
                            icon=":material/select_all:"):
            st.session_state[keys["who"]] = list(names)
        if template_col.button("Start the message from the rejection template", key=f"template:{job.id}",
                               icon=":material/edit_note:"):
            st.session_state[keys["message"]] = applications.REJECTION_TEMPLATE
        with st.form(f"move-applicants:{job.id}:{generation}"):
            chosen = st.multiselect("Applicants", list(names), format_func=names.get, key=keys["who"],
                                    placeholder="Choose one or more applicants on this page")
            left, right = st.columns(2)
            stage = left.selectbox("Move to", stage_words.in_use, index=None, key=keys["stage"],
                                   format_func=stage_words.label, placeholder="Choose a stage")
            reason = right.selectbox(f"Reason (for {stage_words.label('rejected')})",
                                     list(applications.REJECTION_REASONS),
                                     index=None, key=keys["reason"],
                                     format_func=applications.REJECTION_REASONS.get,
                                     placeholder="Choose why they are not selected",
                                     help="Kept for recruiters; the candidate never sees it.")
            detail = st.text_input("Other reason", key=keys["detail"],
                                   help="Needed when the reason is “Other”; recruiters only.")
            message = st.text_area(
                "Message to the candidate (optional)", key=keys["message"], height=120,
                help="Shown to the candidate on their follow link and under My applications, and "
                     "emailed to them when email is set up. Your words go out as plain text.")
            if not st.form_submit_button("Move", type="primary", icon=":material/move_down:"):
                return
    try:
        moved = applications.move(actor, applications.MoveForm(tuple(chosen), stage, reason, detail, message))
    except UserFacingError as error:
        ui.show_error(error)  # the form keeps everything typed
        return
    st.session_state[f"applicants-moved:{job.id}"] = moved.describe(stage, "applicant", bool(message.strip()),
                                                                          stage_words)
    st.session_state[f"move-form:{job.id}"] = generation + 1
    st.rerun()


def applicant_record(rows) -> None:
    """One applicant's history, message and notes, with a note to add (staff only)."""
    names = {a.application_id: f"{a.full_name} ({a.email})" for a in rows}
    chosen = st.selectbox("History and notes of", list(names), index=None, format_func=names.get,
                          key=f"record:{job.id}", placeholder="Choose an applicant")
    if chosen is None:
        return
    kept = applications.record(actor, chosen)
    history, notes = st.columns(2, gap="large")
    with history:
        st.markdown("**History**")
        for event in kept.events:
            st.text(f"{ui.day_text(event.changed_at, with_time=True)} · {event.describe(stage_words)}"
                    + (f" · {event.changed_by}" if event.changed_by else ""))
        if kept.message:
            st.markdown("**Last message to the candidate**")
            st.text(kept.message)
    with notes:
        st.markdown("**Notes** (recruiters only)")
        ui.note_form(f"note:{chosen}", lambda body: applications.add_note(actor, chosen, body))
        for note in kept.notes:
            st.caption(f"{ui.day_text(note.created_at, with_time=True)} · {note.author or 'Former staff'}")
            st.text(note.body)
        if not kept.notes:
            st.caption("No notes yet.")


with applicants_tab:
    if moved_note := st.session_state.pop(f"applicants-moved:{job.id}", None):
        st.success(moved_note)
    if not applicant_page.total:
        st.info("Nobody has applied yet." if job.status in ("published", "closed")
                else "Applications arrive once the posting is published.")
    else:
        applicants_funnel()
        at_stage = st.selectbox(
            "Stage", [None, *stage_words.in_use], key=f"applicants-stage:{job.id}",
            format_func=lambda s: "All stages" if s is None else stage_words.label(s))
        shown_page = applicant_page if at_stage is None else postings.applicants(
            actor, job.id, stage=at_stage,
            page=ui.page_number(f"applicants:{job_key}:{at_stage}", "applicants-page"))
        st.dataframe([{"Name": a.full_name, "Email": a.email,
                       "Stage": stage_words.label(a.status),
                       "In stage": applications.time_in_stage(a.stage_since),
                       "Source": source_label(a.source),
                       "Applied": ui.day_text(a.applied_at, with_time=True),
                       "Résumé": a.resume_name or ""} for a in shown_page.rows], hide_index=True)
        ui.pagination(shown_page, f"applicants:{job_key}" + (f":{at_stage}" if at_stage else ""),
                      "applicants-page")
        if shown_page.rows:
            move_form(shown_page.rows)
            applicant_record(shown_page.rows)
        with_resume = [a for a in shown_page.rows if a.resume_name]
        if with_resume:
            chosen = st.selectbox("Résumé of", with_resume,
                                  format_func=lambda a: f"{a.full_name} ({a.resume_name})")
            ui.stored_file_download(f"applicant-resume:{chosen.application_id}", "Get résumé",
                                    lambda: postings.resume(actor, chosen.application_id))
            st.caption("Downloads are recorded in the audit log. Accepted résumés are "
                       + " and ".join(RESUME_TYPES) + " files.")

with referrals_tab:
    if not referral_page.total:
        st.info("No referrals for this posting yet.")
    else:
        st.dataframe([{"Candidate": r.candidate_name, "Referred by": r.referrer_name or "",
                       "Stage": referral_words.name(r.stage),
                       "Reward": f"{job.currency} {r.reward_amount:,.2f}" if r.reward_amount is not None
                                 else "—",
                       "Referred": ui.day_text(r.created_at)} for r in referral_page.rows], hide_index=True)
        ui.pagination(referral_page, f"referrals:{job_key}", "referrals-page")


# --- channel posts: the posting's social posts, and the composer ----------------------------
roles = social.roles
channels = {c.id: c for c in social.channels}
topics = social.topics
topic_names = {t.id: t.name for t in topics}
rules = social.guidelines


def topic_choice(key: str, current=None):
    """A topic among those not retired (a post keeps its retired topic until changed)."""
    options = [t.id for t in topics] + ([current] if current and current not in topic_names else [])
    return st.selectbox("Topic", options, key=key, index=options.index(current) if current in options
                        else (0 if options else None),
                        format_func=lambda t: topic_names.get(t, "A retired topic"),
                        placeholder="No approved topics yet",
                        help="Approvers keep the list of topics under Social media → Post topics.")


def post_editor(key: str, channel: social_channels.Channel, body: str) -> str:
    """The post's text area with its check beside it; what is in the text area now."""
    text_col, check_col = st.columns([3, 2], gap="medium")
    typed = text_col.text_area(f"Text for {channel.name}", body, key=key, height=220,
                               max_chars=social_posts.MAX_BODY)
    with check_col:
        ui.post_check(review.check(typed, channel, rules), channel.name)
    return typed


def composer(active: list[social_channels.Channel]) -> None:
    """New posts for this posting: channels, tone and topic, drafted, checked, saved or submitted."""
    st.subheader("Compose")
    st.caption("Choose where to share this posting and how it should sound, then **Draft**: every channel "
               "gets a text you can edit, ending with the tracked link that credits visits and "
               "applications to that post. Each text is checked against the social-media guidelines.")
    drafts_key = f"composer:{job.id}"
    with st.form(f"draft-posts:{job.id}"):
        chosen = st.multiselect("Channels", [c.id for c in active],
                                format_func=lambda c: f"{channels[c].name} ({channels[c].audience})",
                                placeholder="Choose one or more channels")
        tone_col, topic_col = st.columns(2)
        with tone_col:
            tone = st.selectbox("Tone", list(drafting.TONES), format_func=drafting.TONES.get)
        with topic_col:
            new_topic = topic_choice(f"compose-topic:{job.id}")
        if st.form_submit_button("Draft", icon=":material/edit_note:"):
            try:
                with st.spinner("Drafting…"):
                    st.session_state[drafts_key] = drafting.draft_for_posting(actor, job.id, chosen,
                                                                                   tone)
            except UserFacingError as error:
                ui.show_error(error)
    drafted = st.session_state.get(drafts_key, [])
    checks = {}
    for d in drafted:
        with st.container(border=True):
            st.markdown(f"**{ui.plain(d.channel.name)}** · {d.channel.audience} · "
                        + ("written by the AI" if d.by_ai else "from the template"))
            if d.note:
                st.info(ui.plain(d.note), icon=":material/info:")
            typed = post_editor(f"compose-body:{d.post_id}", d.channel, d.body)
            checks[d.post_id] = (typed, review.check(typed, d.channel, rules))
            if d.link not in typed:
                st.caption("The tracked link is no longer in the text: visits from this post will not "
                           "be credited to it.")
    if drafted:
        save_col, submit_col, _ = st.columns([1, 1, 2])
        save = save_col.button("Save drafts", icon=":material/save:")
        submit = submit_col.button("Submit for approval", type="primary", icon=":material/send:",
                                   disabled=POSTS_WAIT is not None, help=POSTS_WAIT)
        blocked = [d.channel.name for d in drafted if checks[d.post_id][1].blocked]
        if submit and blocked:
            st.error("Fix what is marked as blocking first: " + ui.plain(", ".join(blocked)) + ". Nothing "
                     "was submitted.")
        elif save or submit:
            try:
                for d in drafted:
                    review.save_draft(actor, job.id, d.channel.id, d.post_id, checks[d.post_id][0],
                                           new_topic)
                    if submit:
                        review.submit_for_approval(actor, d.post_id)
            except UserFacingError as error:
                ui.show_error(error)  # what was saved stays saved; the texts stay here
            else:
                del st.session_state[drafts_key]
                st.session_state[f"posts-done:{job.id}"] = (
                    f"Submitted {counted(len(drafted), 'post')}: an approver sees "
                    "them under Social media → Post approvals." if submit
                    else f"{counted(len(drafted), 'draft')} saved; edit them above.")
                st.rerun()


# Posts are submitted, approved and scheduled only for a posting that is approved or
# published (the database refuses the rest too).
POSTS_WAIT = {
    "draft": "This posting is a draft, so its posts cannot be submitted for approval yet: they can be "
             "once the posting is approved. You can write and save drafts now.",
    "in_review": "This posting is in review, so its posts cannot be submitted for approval yet: they "
                 "can be once the posting is approved. You can write and save drafts now.",
    "closed": "This posting is closed, so its posts cannot be submitted, approved or scheduled any more.",
}.get(job.status)

with posts_tab:
    if done := st.session_state.pop(f"posts-done:{job.id}", None):
        st.success(done)
    if POSTS_WAIT:
        st.info(POSTS_WAIT, icon=":material/hourglass_empty:")
    st.subheader("Posts on social channels")
    if not channel_posts:
        st.info("No posts for this posting yet." + (" Compose the first one below." if "publisher" in roles
                                                    else ""))
    else:
        # What each published post brought since it went out (Post performance has the rest).
        results = screen.post_results
        st.dataframe([{"Channel": p.channel, "Topic": p.topic or "—",
                       "Status": social_posts.STATUS_LABELS[p.status],
                       "Scheduled / published": ui.day_text(p.published_at or p.scheduled_for,
                                                            with_time=True),
                       "Author": p.author or "—",
                       # counted once published; a number or a dash, never "None"
                       "Visits": str(results[p.id].visits) if p.id in results else "—",
                       "Applications": str(results[p.id].applications) if p.id in results else "—",
                       "Hires": str(results[p.id].hires) if p.id in results else "—",
                       "Text": p.body} for p in channel_posts], hide_index=True)
        if results:
            ui.page_link("pages/recruiting/post_performance.py", label="Cost and conversion per post",
                         icon=":material/leaderboard:")
    editable = [p for p in channel_posts if p.status in ("draft", "rejected")
                and (p.author_id == actor.user_id or "editor" in roles)]
    for p in editable:
        with st.expander(f"{social_posts.STATUS_LABELS[p.status]}: {p.channel}",
                         expanded=p.status == "rejected", icon=":material/edit:"):
            if p.status == "rejected":
                st.warning("The reviewer's comment: " + ui.plain(p.review_comment or ""),
                           icon=":material/undo:")
            typed = post_editor(f"post-body:{p.id}", channels[p.channel_id], p.body)
            topic = topic_choice(f"post-topic:{p.id}", p.topic_id)
            save_col, submit_col, _ = st.columns([1, 1, 2])
            try:
                if save_col.button("Save changes", key=f"post-save:{p.id}"):
                    review.save_draft(actor, job.id, p.channel_id, p.id, typed, topic)
                    st.session_state[f"posts-done:{job.id}"] = f"The post for {p.channel} is saved."
                    st.rerun()
                if submit_col.button("Submit for approval", key=f"post-submit:{p.id}", type="primary",
                                     disabled=POSTS_WAIT is not None, help=POSTS_WAIT):
                    review.save_draft(actor, job.id, p.channel_id, p.id, typed, topic)
                    review.submit_for_approval(actor, p.id)
                    st.session_state[f"posts-done:{job.id}"] = (
                        f"The post for {p.channel} waits for an approver under Social media → "
                        "Post approvals.")
                    st.rerun()
            except UserFacingError as error:
                ui.show_error(error)  # the text area keeps what was typed

    active = [c for c in channels.values() if c.active]
    if "publisher" not in roles:
        st.caption("Publishers write posts, editors change them and approvers approve them; an admin "
                   "gives these roles." + (" You may edit the drafts shown above." if editable else ""))
    elif not active:
        st.info("There are no active social channels yet; an admin sets them up.")
    else:
        composer(active)

