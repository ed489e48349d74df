"""Boomerang's web application: the Streamlit pages (app_script.py, run on every rerun) and
the routes a web app needs beside them (web/routes.py). `streamlit run streamlit_app.py` finds
`app` and serves both (Streamlit's st.App, on Starlette).

Nothing here imports the services: the routes load theirs on first use, so that a new server
answers its health check quickly."""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from web.link_previews import LinkPreviews
from web.routes import ROUTES

app = st.App("app_script.py", routes=ROUTES, middleware=[Middleware(LinkPreviews)])
