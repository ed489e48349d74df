"""First run: create the first admin, or load the demo data."""

import streamlit as st

from portal import ui
from portal.errors import UserFacingError
from portal.settings import settings
from services import demo
from services.people import accounts

if not accounts.is_first_run():  # done already (by this browser or another)
    st.switch_page("pages/public/jobs.py")

st.title("Welcome to Boomerang")
st.write("The portal has no accounts yet. Choose how to begin.")

admin_col, demo_col = st.columns(2, gap="large")

with admin_col, st.container(border=True):
    st.subheader("Create the first admin", anchor=False)
    st.caption("For a real company: you become its admin and add the others from Admin → Users.")
    supabase = settings().supabase_auth
    with st.form("first-admin", clear_on_submit=False):
        name = st.text_input("Your name", autocomplete="name")
        email = st.text_input("Email", autocomplete="email")
        password = "" if supabase else st.text_input(
            "Password (at least 10 characters)", type="password", autocomplete="new-password")
        create = st.form_submit_button("Create admin account", type="primary")
    if create:
        try:
            if supabase:
                accounts.invite_first_admin(email, name)
            else:
                ui.remember(accounts.create_first_admin(email, name, password))
        except UserFacingError as error:
            ui.show_error(error)
        else:
            if supabase:
                st.success("Supabase has emailed you a sign-in code. Use it on the Sign in page.")
            else:
                st.rerun()

with demo_col, st.container(border=True):
    st.subheader("Explore with demo data", anchor=False)
    st.caption("Northwind Analytics with a year of recruiting: jobs, referrals in every stage, "
               "questions and hires. Every demo account's password is shown below.")
    st.table(
        [{"Email": a.email, "Name": a.full_name, "Role": a.role.label,
          "Password": demo.DEMO_PASSWORD} for a in demo.DEMO_ACCOUNTS],
        hide_index=True,
    )
    if st.button("Load demo data", type="primary"):
        with st.status("Loading demo data…", expanded=False) as status:
            summary = demo.loaded_summary(demo.load_demo())
            status.update(label=summary, state="complete")
        st.toast(summary, icon=":material/check:")  # it stays while the jobs page opens
        st.rerun()
