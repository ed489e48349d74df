"""A browser-like client of Streamlit's own protocol, for the load benchmark (load.py): a tab
opens a websocket on /_stcore/stream and sends `BackMsg`s that run the script (a page, its
query string, text typed in widgets), then reads the `ForwardMsg`s of the run until its
`script_finished`. And the floor the benchmark compares with: a one-line app on the same
pages, served like the portal. Importing this starts nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

UNEXPECTED = "Something went wrong"  # the portal's box for an unexpected error (ui.unexpected_error)
OPEN_TIMEOUT = 120.0  # seconds to open the websocket

# The floor: the pages the tasks open, each one line. Served like the portal: an st.App (with
# the /healthz route HAProxy checks) running a script that calls st.navigation.
FLOOR_SCRIPT = """import streamlit as st

pages = ("jobs", "job", "overview", "postings", "posting")
st.navigation([st.Page(lambda: st.write("hi"), title=name, url_path=name, default=name == "jobs")
               for name in pages]).run()
"""
FLOOR_APP = '''import streamlit as st
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def health(_request):
    return PlainTextResponse("ok")


app = st.App("floor_script.py", routes=[Route("/healthz", health)])
'''


def write_floor(folder: Path) -> str:
    """The floor app's files in `folder`; the script to `streamlit run` there."""
    (folder / "floor_script.py").write_text(FLOOR_SCRIPT)
    (folder / "floor_app.py").write_text(FLOOR_APP)
    return "floor_app.py"


# --- The client: Streamlit's protocol ------------------------------------------------------

def rerun_message(page_name: str = "", query_string: str = "", widgets: dict[str, str] | None = None,
                  url: str = "") -> bytes:
    """The BackMsg a browser sends to run the script: for the page `page_name` (its URL path;
    "" is the default page) with `query_string`, and text typed in widgets (id: text)."""
    message = BackMsg()
    state = message.rerun_script
    state.page_name = page_name
    state.query_string = query_string
    for widget_id, text in (widgets or {}).items():
        widget = state.widget_states.widgets.add()
        widget.id = widget_id
        widget.string_value = text
    state.context_info.timezone = "UTC"
    state.context_info.timezone_offset = 0
    state.context_info.locale = "en-US"
    state.context_info.url = url
    return message.SerializeToString()


@dataclass
class Screen:
    """What one run of the script sent: the texts shown, the text boxes (label: widget id),
    the errors, and whether the run finished."""

    texts: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    text_inputs: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    finished: bool = False

    def read(self, message: ForwardMsg) -> None:
        """Take in one ForwardMsg of the run."""
        kind = message.WhichOneof("type")
        if kind == "script_finished":
            status = message.script_finished
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                self.errors.append("the script did not compile")
                self.finished = True
            elif status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:  # else a rerun (switch_page) follows
                self.finished = True
        elif kind == "page_not_found":
            self.errors.append("page not found")  # (Streamlit shows the default page instead)
        elif kind == "session_event" and message.session_event.WhichOneof("type") == \
                "script_compilation_exception":
            self.errors.append("script compilation exception")
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self.element(message.delta.new_element)

    def element(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.errors.append(f"{element.exception.type}: {element.exception.message}")
        elif kind in ("heading", "markdown", "text", "alert"):
            body = literal(getattr(element, kind).body)
            self.texts.append(body)
            if kind == "heading":
                self.headings.append(body)
            elif kind == "markdown":  # headings written in Markdown (a job card on the board)
                self.headings += [literal(line.lstrip("#").strip()) for line in
                                  element.markdown.body.splitlines() if line.startswith("#")]
            if kind == "alert" and UNEXPECTED in body:
                self.errors.append(body)
        elif kind == "page_link":
            self.texts.append(element.page_link.label)
        elif kind == "text_input":
            self.text_inputs[element.text_input.label] = element.text_input.id

    def shows(self, text: str) -> bool:
        return any(text in shown for shown in self.texts)


def literal(markdown: str) -> str:
    """Text as shown: without the escapes and word joiners that make it literal in Markdown."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


class Tab:
    """One browser tab: a websocket on /_stcore/stream, a session in one app process."""

    def __init__(self, base_url: str, cookies: dict[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.cookies = cookies or {}
        self.connection = None
        self.last = Screen()

    async def open(self) -> None:
        parts = urlsplit(self.base_url)
        headers = {"Origin": self.base_url}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        self.connection = await connect(
            f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}/_stcore/stream",
            subprotocols=["streamlit"], additional_headers=headers, max_size=None,
            open_timeout=OPEN_TIMEOUT,
            # A browser answers the server's pings but sends none: a busy process that is slow
            # to answer is not a closed tab.
            ping_interval=None)

    async def run(self, page_name: str = "", query_string: str = "",
                  widgets: dict[str, str] | None = None) -> Screen:
        """Run the script as a browser asks for it, and read its messages until it finishes."""
        url = f"{self.base_url}/{page_name}" + (f"?{query_string}" if query_string else "")
        await self.connection.send(rerun_message(page_name, query_string, widgets, url))
        screen = Screen()
        while not screen.finished:
            screen.read(ForwardMsg.FromString(await self.connection.recv()))
        self.last = screen
        return screen

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
