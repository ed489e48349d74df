"""The portal's use cases, one module per capability. No Streamlit here."""
