"""Social media guidelines: what posts are checked against before they go out, and a box
to try a post against them."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.models import Role
from portal.networks import AUDIENCES, NETWORKS
from portal.words import counted
from services.social import channel_text, policy
from services.social import guidelines as social_guidelines
from services.social.review import PostCheck

actor = ui.require_role(Role.ADMIN)
st.title("Social media guidelines")
st.caption("Every post is checked against these before it can be submitted: confidential terms must "
           "not appear, employees disclose that they work here, no personal data. Gender- and "
           "age-coded wording is pointed out with alternatives, as advice.")

guidelines = social_guidelines.load_guidelines(actor)

with st.form("guidelines"):
    terms = st.text_area(
        "Confidential terms, one a line", "\n".join(guidelines.confidential_terms), height=150,
        help="Project code names, client names, anything not yet announced. Matched as whole words in "
             "any case, also inside hashtags (“Project Falcon” finds #ProjectFalcon).")
    disclosures = st.text_area(
        "Accepted affiliation disclosures, one a line", "\n".join(guidelines.disclosures), height=150,
        help="A post must contain one of these where the disclosure is required, e.g. #ad or "
             "“I work at Northwind”.")
    external = st.checkbox("Require the disclosure on posts to external audiences",
                           guidelines.disclosure_external)
    internal = st.checkbox("Require the disclosure on posts to internal audiences",
                           guidelines.disclosure_internal)
    if st.form_submit_button("Save guidelines", type="primary"):
        try:
            guidelines = social_guidelines.save_guidelines(actor, policy.Guidelines(
                tuple(terms.splitlines()), tuple(disclosures.splitlines()), external, internal))
        except UserFacingError as error:
            ui.show_error(error)
        else:
            st.success("Guidelines saved.", icon=":material/check:")

st.subheader("Try a post")
st.caption("Checked against the saved guidelines, and measured as the channel counts.")
with st.form("try-post"):
    text = st.text_area("Post text", height=150, max_chars=70000)
    left, right = st.columns(2)
    # The shortest limit first, and so the one chosen until another is.
    key = left.selectbox("Channel", sorted(NETWORKS, key=lambda k: NETWORKS[k].limit),
                         format_func=lambda k: NETWORKS[k].label)
    audience = right.radio("Audience", AUDIENCES, format_func=str.capitalize, horizontal=True)
    checked = st.form_submit_button("Check the post")

if checked and text.strip():
    findings = policy.check_post(text, guidelines, audience)
    blocking = sum(f.blocking for f in findings)
    with st.container(border=True):
        st.markdown(ui.highlighted(text, [(f.start, f.end, "red" if f.blocking else "orange")
                                          for f in findings]))
    if not findings:
        st.success("Nothing to fix: this post follows the guidelines.")
    elif blocking:
        st.error(f"Blocking this post: {counted(blocking, 'finding')}. Fix them before it can be submitted.")
    ui.post_check(PostCheck(channel_text.length_on(key, text), NETWORKS[key].limit, findings),
                  NETWORKS[key].label)
elif checked:
    st.info("Write or paste a post to check.")
