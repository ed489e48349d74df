"""Every AppTest test fails when a page shows the portal's "Something went wrong" box,
exactly as when an exception reaches Streamlit, whether or not the test looks."""

from __future__ import annotations

import traceback

import pytest

from portal import ui


@pytest.fixture(autouse=True)
def no_unexpected_error(monkeypatch):
    caught: list[Exception] = []
    show = ui.unexpected_error

    def record(error: Exception) -> None:
        caught.append(error)
        show(error)

    # AppTest runs the script in this process, and app_script.py calls ui.unexpected_error.
    monkeypatch.setattr(ui, "unexpected_error", record)
    yield
    if caught:
        pytest.fail("a page showed 'Something went wrong':\n" + "".join(
            traceback.format_exception(caught[0])))
