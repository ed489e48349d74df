"""Sign in."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.settings import settings
from services import accounts

if ui.current_actor().signed_in:
    st.switch_page("pages/public/jobs.py")

st.title("Sign in")
st.caption("Recruiters, alumni, employees and candidates with an account sign in here. "
           "Browsing jobs needs no account.")

with st.form("sign-in", enter_to_submit=True):
    email = st.text_input("Email", autocomplete="email")
    password = st.text_input("Password", type="password", autocomplete="current-password")
    submitted = st.form_submit_button("Sign in", type="primary")

if submitted:
    try:
        actor = accounts.sign_in(email, password)
    except UserFacingError as error:
        st.error(str(error))
    else:
        ui.remember(actor)
        st.rerun()

if settings().supabase_auth:
    with st.expander("Sign in with a code sent by email instead"):
        with st.form("email-code"):
            code_email = st.text_input("Email", key="code-email", autocomplete="email")
            code = st.text_input("Code from the email (leave empty to get one)", max_chars=10)
            sent = st.form_submit_button("Send code / sign in")
        if sent:
            try:
                if code.strip():
                    ui.remember(accounts.sign_in_with_code(code_email, code.strip()))
                    st.rerun()
                accounts.send_sign_in_code(code_email)
                st.success("If an account has this address, a code is on its way.")
            except UserFacingError as error:
                st.error(str(error))
