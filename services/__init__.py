"""The portal's use cases: one package per capability (what users do), no Streamlit here.

Pages call these; each capability stands on `portal` and on the capabilities below it in
the import contract (`[tool.importlinter]` in pyproject.toml). The modules at this level join capabilities:
the recruiters' overview, the worker's tasks and the demo data.
"""
