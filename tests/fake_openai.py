"""A local stand-in for OpenAI's API that the real `openai` package talks real HTTP to:
chat completions (with the content, status and delay a test chooses) and moderations.
Use the `fake_openai` fixture (import it into the test module)."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal import ai
from portal.settings import settings

CATEGORIES = ("harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
              "illicit/violent", "self-harm", "self-harm/instructions", "self-harm/intent", "sexual",
              "sexual/minors", "violence", "violence/graphic")


class FakeOpenAI(BaseHTTPRequestHandler):
    chat_content = "{}"  # the message content the model "writes"
    chat_status = 200
    chat_delay = 0.0
    flagged: tuple[str, ...] = ()  # moderation categories to flag
    moderation_reply: object = None  # a reply of the test's own instead of a verdict
    requests: list[tuple[str, dict, dict]] = []  # (path, headers, JSON body)
    release = threading.Event()  # ends a delayed reply early when the test is over

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        FakeOpenAI.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()},
                                     body))
        if self.path == "/v1/chat/completions":
            if self.chat_delay:
                self.release.wait(self.chat_delay)
            if self.chat_status != 200:
                return self._reply(self.chat_status, {"error": {"message": "boom", "type": "server_error"}})
            return self._reply(200, {
                "id": "chatcmpl-test", "object": "chat.completion", "created": 1,
                "model": body.get("model"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": self.chat_content}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
        if self.path == "/v1/moderations" and self.moderation_reply is not None:
            return self._reply(200, self.moderation_reply)
        if self.path == "/v1/moderations":
            categories = {name: name in self.flagged for name in CATEGORIES}
            return self._reply(200, {
                "id": "modr-test", "model": "omni-moderation-latest",
                "results": [{"flagged": bool(self.flagged), "categories": categories,
                             "category_scores": {name: 0.9 if hit else 0.01
                                                 for name, hit in categories.items()},
                             "category_applied_input_types": {name: ["text"] for name in CATEGORIES}}]})
        self._reply(404, {"error": {"message": "not found"}})

    def _reply(self, status: int, payload: object):
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up waiting
            pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass


@pytest.fixture
def fake_openai(monkeypatch):
    server = _QuietServer(("127.0.0.1", 0), FakeOpenAI)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    FakeOpenAI.chat_content, FakeOpenAI.chat_status, FakeOpenAI.chat_delay = "{}", 200, 0.0
    FakeOpenAI.flagged, FakeOpenAI.moderation_reply, FakeOpenAI.requests = (), None, []
    FakeOpenAI.release = threading.Event()
    config = replace(settings(), openai_api_key="test-key", openai_model="test-model",
                     openai_base_url=f"http://127.0.0.1:{server.server_port}/v1", openai_timeout=1.0)
    monkeypatch.setattr(ai, "settings", lambda: config)
    yield FakeOpenAI
    FakeOpenAI.release.set()
    server.shutdown()
    server.server_close()


def chats(fake) -> list[dict]:
    """The chat requests the fake received, as JSON."""
    return [body for path, _, body in fake.requests if path == "/v1/chat/completions"]
