"""A one-time link from an email (`/confirm-email?token=…`): it creates the candidate
account asked for, or credits the referrer whose link the candidate applied through, or who
referred them (the link in the privacy notice)."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from services.people import email_confirmation

# The token leaves the address bar at once (screenshots, shared screens); the link is used
# once, so its result is kept for the reruns of this session.
if "token" in st.query_params:
    token = st.query_params["token"]
    del st.query_params["token"]
    try:
        st.session_state["confirmed-email"] = email_confirmation.confirm(token)
    except UserFacingError as error:
        st.session_state["confirmed-email"] = str(error)

st.title("Confirm your email")
done = st.session_state.get("confirmed-email")
if done is None:
    st.info("Open the link from the confirmation email exactly as it was sent.")
elif isinstance(done, str):
    ui.show_error(done)
    ui.page_link("pages/public/create_account.py", label="Create a candidate account",
                 icon=":material/person_add:")
elif done.purpose == "sign_up":
    if done.account_created:
        st.success(f"Thank you: {ui.plain(done.email)} is confirmed and your account is ready. "
                   "Sign in to see your applications.", icon=":material/verified:")
    else:
        st.info(f"{ui.plain(done.email)} already has an account. Sign in with its password.")
    ui.page_link("pages/public/sign_in.py", label="Sign in", icon=":material/login:")
else:
    confirmed = "your application" if done.referral_origin == "link" else "the referral"
    st.success(f"Thank you: {ui.plain(done.email)} is confirmed, and so is {confirmed}.",
               icon=":material/verified:")
    if not ui.current_actor().signed_in:
        ui.page_link("pages/public/create_account.py", label="Create an account to follow your applications",
                     icon=":material/person_add:")
