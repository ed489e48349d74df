"""Create a candidate account: email, name and password, then a one-time link emailed to
that address; the account exists once the link is opened (pages/public/confirm_email.py)."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.settings import settings
from services.people import email_confirmation

if ui.current_actor().signed_in:
    st.switch_page("pages/public/jobs.py")

st.title("Create a candidate account")
st.markdown("With an account you follow every application you send with its email address, "
            "those sent before too, on **My applications**. We email you a link to confirm "
            "the address first.")
supabase = settings().supabase_auth
state = st.session_state
if sent := state.get("sign-up-sent"):
    st.success(ui.plain(sent), icon=":material/mark_email_read:")  # holds the address typed
    st.caption("No email? Look in your spam folder, or send the form again.")
problems = ui.FieldProblems()
with st.form("sign-up"):
    # Filled in after applying (the job page keeps what the application said).
    st.text_input("Your name", key="sign-up-name", max_chars=120, autocomplete="name")
    problems.under("full_name")
    st.text_input("Email", key="sign-up-email", max_chars=254, autocomplete="email")
    problems.under("email")
    if not supabase:
        st.text_input("Password (at least 10 characters)", type="password", key="sign-up-password",
                      autocomplete="new-password")
        problems.under("password")
        st.text_input("Password again", type="password", key="sign-up-password-again",
                      autocomplete="new-password")
        problems.under("password_again")
    problems.by_button()
    submitted = st.form_submit_button("Email me a confirmation link", type="primary",
                                      icon=":material/send:")
if submitted:
    try:
        state["sign-up-sent"] = email_confirmation.request_sign_up(
            state["sign-up-email"], state["sign-up-name"], state.get("sign-up-password", ""),
            state.get("sign-up-password-again", ""))
    except UserFacingError as error:
        problems.show(error)  # the form keeps everything typed
    else:
        st.rerun()
ui.page_link("pages/public/sign_in.py", label="Have an account? Sign in", icon=":material/login:")
