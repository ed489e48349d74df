"""The load benchmark's client (benchmarks/streamlit_client.py) speaks Streamlit's protocol:
its messages are the protobufs Streamlit reads, and a tab runs a real app's pages."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.serving import start_app, stop
from benchmarks.streamlit_client import Screen, Tab, rerun_message, write_floor
from tests.browser.helpers import wait_for_health


def test_a_rerun_names_the_page_its_query_and_what_was_typed():
    message = BackMsg.FromString(rerun_message("job", "id=7&q=data", {"box-id": "data"}, "http://x/job"))
    state = message.rerun_script
    assert (state.page_name, state.query_string, state.context_info.url) == ("job", "id=7&q=data",
                                                                             "http://x/job")
    assert [(w.id, w.string_value) for w in state.widget_states.widgets] == [("box-id", "data")]


def test_a_screen_reads_texts_boxes_errors_and_the_end_of_the_run():
    screen = Screen()
    heading = ForwardMsg()
    heading.delta.new_element.heading.body = r"Data \(Python\)"
    box = ForwardMsg()
    box.delta.new_element.text_input.label = "Search jobs"
    box.delta.new_element.text_input.id = "box-id"
    failure = ForwardMsg()
    failure.delta.new_element.exception.type = "KeyError"
    for message in (heading, box, failure):
        screen.read(message)
    assert screen.headings == ["Data (Python)"] and screen.shows("(Python)")
    assert screen.text_inputs == {"Search jobs": "box-id"}
    assert screen.errors == ["KeyError: "]

    rerun, done = ForwardMsg(), ForwardMsg()
    rerun.script_finished = ForwardMsg.FINISHED_EARLY_FOR_RERUN
    done.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    screen.read(rerun)
    assert not screen.finished  # a switch_page's rerun follows
    screen.read(done)
    assert screen.finished


def test_a_tab_runs_the_one_line_app_page_by_page(tmp_path):
    process, address = start_app(dict(os.environ), write_floor(tmp_path), tmp_path)
    try:
        wait_for_health(f"http://{address}")

        async def visit() -> list[Screen]:
            tab = Tab(f"http://{address}")
            await tab.open()
            try:
                return [await tab.run(), await tab.run("job", "id=1"), await tab.run("nowhere")]
            finally:
                await tab.close()

        # In a thread of its own: a browser test run earlier in this worker may have left
        # Playwright's event loop running in the main thread, where asyncio.run refuses to start.
        with ThreadPoolExecutor(1) as thread:
            first, job, nowhere = thread.submit(asyncio.run, visit()).result()
    finally:
        stop([process])
    assert first.finished and first.shows("hi") and not first.errors
    assert job.finished and job.shows("hi") and not job.errors
    assert nowhere.errors == ["page not found"]
