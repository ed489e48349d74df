"""The web layer's own routes beside Streamlit's pages (mounted in streamlit_app.py): the career
site as server-rendered HTML, its feeds, and link previews for the pages' addresses."""
