"""A local stand-in for the social networks' OAuth 2 and posting endpoints, over real HTTP:
LinkedIn's /oauth/v2/* and /rest/*, X's /i/oauth2/authorize, /2/oauth2/* and /2/*, and
Facebook's /v21.0/*. Its consent screen consents at once (a 302 back to the redirect URI with
a code and the state). `running_network()` starts one and yields its base URL."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENTS = {"li-app": "li-secret", "x-app": "x-secret", "fb-app": "fb-secret"}


class FakeNetwork(BaseHTTPRequestHandler):
    """LinkedIn's /oauth/v2/* and /rest/*, X's /i/oauth2/authorize, /2/oauth2/* and /2/*, and
    Facebook's /v21.0/*."""
    clients = CLIENTS
    page_tokens: set[str] = set()  # Facebook: the pages' own tokens handed out
    codes: dict[str, dict] = {}  # code -> what the authorize request said
    access: dict[str, str] = {}  # live access token -> refresh token it came with
    refresh: set[str] = set()  # live refresh tokens
    revoked: list[str] = []
    token_requests: list[dict] = []
    posts: list[tuple[dict, dict]] = []  # (headers, body)
    expires_in = 3600
    serial = itertools.count(1)

    def log_message(self, *args):
        pass

    def _reply(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
        payload = json.dumps(body or {}).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _bearer(self) -> bool:
        return (self.headers.get("Authorization") or "").removeprefix("Bearer ") in FakeNetwork.access

    def _client_ok(self, form: dict) -> bool:
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        else:
            client_id, secret = form.get("client_id"), form.get("client_secret")
        return FakeNetwork.clients.get(client_id) == secret

    def do_GET(self):  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path.startswith("/v21.0/") and url.path != "/v21.0/dialog/oauth":
            return self._facebook(url.path, query)
        if url.path in ("/oauth/v2/authorization", "/i/oauth2/authorize", "/v21.0/dialog/oauth"):
            code = f"code-{next(FakeNetwork.serial)}"
            FakeNetwork.codes[code] = query
            back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
            return self._reply(302, headers={"Location": back})
        if not self._bearer():
            return self._reply(401, {"message": "invalid token"})
        if url.path == "/rest/organizationAcls":
            return self._reply(200, {"elements": [
                {"organization": f"urn:li:organization:{number}", "role": "ADMINISTRATOR",
                 "state": "APPROVED"} for number in (42, 43)]})
        if url.path == "/rest/organizations/42":
            return self._reply(200, {"localizedName": "Acme <b>Careers</b> **now**"})
        if url.path == "/rest/organizations/43":
            return self._reply(200, {"localizedName": "Acme Engineering"})
        if url.path == "/2/users/me":
            return self._reply(200, {"data": {"id": "777", "username": "acme_jobs"}})
        return self._reply(404)

    def do_POST(self):  # noqa: N802 - http.server's naming
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        url = urlsplit(self.path)
        if url.path in ("/rest/posts", "/2/tweets"):
            if not self._bearer():
                return self._reply(401)
            FakeNetwork.posts.append(({k.lower(): v for k, v in self.headers.items()}, json.loads(raw)))
            if url.path == "/2/tweets":
                return self._reply(201, {"data": {"id": "1"}})
            return self._reply(201, headers={"x-restli-id": "urn:li:share:1"})
        form = {k: v[0] for k, v in parse_qs(raw).items()}
        if url.path in ("/v21.0/555/feed", "/v21.0/556/feed"):  # Facebook: as the page, with its token
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            if not form.get("access_token", "").startswith(f"FBPAGE-{url.path.split('/')[2]}-") \
                    or form["access_token"] not in FakeNetwork.page_tokens:
                return self._reply(401)
            FakeNetwork.posts.append(({"access_token": form["access_token"]}, form))
            return self._reply(200, {"id": "555_1"})
        if url.path in ("/oauth/v2/accessToken", "/2/oauth2/token", "/v21.0/oauth/access_token"):
            FakeNetwork.token_requests.append(form)
            if not self._client_ok(form):
                return self._reply(401, {"error": "invalid_client"})
            if form.get("grant_type") == "authorization_code":
                asked = FakeNetwork.codes.pop(form.get("code", ""), None)
                if not asked or asked["redirect_uri"] != form.get("redirect_uri"):
                    return self._reply(400, {"error": "invalid_grant"})
                if "code_challenge" in asked:
                    digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                    if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != asked["code_challenge"]:
                        return self._reply(400, {"error": "invalid_grant"})
            elif form.get("grant_type") == "refresh_token":
                if form.get("refresh_token") not in FakeNetwork.refresh:
                    return self._reply(400, {"error": "invalid_grant"})
                FakeNetwork.refresh.discard(form["refresh_token"])  # rotated, as X does
            else:
                return self._reply(400, {"error": "unsupported_grant_type"})
            n = next(FakeNetwork.serial)
            access, refresh = f"ACCESS-{n}-secret", f"REFRESH-{n}-secret"
            FakeNetwork.access[access], _ = refresh, FakeNetwork.refresh.add(refresh)
            return self._reply(200, {"access_token": access, "expires_in": FakeNetwork.expires_in,
                                     "refresh_token": refresh, "refresh_token_expires_in": 31536000})
        if url.path in ("/oauth/v2/revoke", "/2/oauth2/revoke"):
            if not self._client_ok(form):
                return self._reply(401, {"error": "invalid_client"})
            token = form.get("token", "")
            FakeNetwork.revoked.append(token)
            FakeNetwork.access.pop(token, None)
            FakeNetwork.refresh.discard(token)
            return self._reply(200)
        return self._reply(404)

    def _facebook(self, path: str, query: dict):
        if path == "/v21.0/oauth/access_token" and query.get("grant_type") == "fb_exchange_token":
            if not self._client_ok(query) or query.get("fb_exchange_token") not in FakeNetwork.access:
                return self._reply(400, {"error": {"message": "invalid"}})
            lasting = f"FBLONG-{next(FakeNetwork.serial)}-secret"
            FakeNetwork.access[lasting] = ""
            return self._reply(200, {"access_token": lasting, "token_type": "bearer"})
        if query.get("access_token") not in FakeNetwork.access:
            return self._reply(401)
        if path == "/v21.0/me":
            return self._reply(200, {"id": "u-1"})
        if path == "/v21.0/me/accounts":
            pages = [(page_id, name, f"FBPAGE-{page_id}-{next(FakeNetwork.serial)}-secret")
                     for page_id, name in (("555", "Acme on Facebook"), ("556", "Acme Engineering"))]
            FakeNetwork.page_tokens.update(token for *_, token in pages)
            return self._reply(200, {"data": [{"id": page_id, "name": name, "access_token": token}
                                              for page_id, name, token in pages]})
        return self._reply(404)

    def do_DELETE(self):  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/v21.0/u-1/permissions" and query.get("access_token") == "fb-app|fb-secret":
            FakeNetwork.revoked.append("grant of u-1")
            FakeNetwork.page_tokens.clear()
            return self._reply(200, {"success": True})
        return self._reply(400)


@contextmanager
def running_network() -> Iterator[str]:
    FakeNetwork.codes, FakeNetwork.access, FakeNetwork.refresh = {}, {}, set()
    FakeNetwork.revoked, FakeNetwork.token_requests, FakeNetwork.posts = [], [], []
    FakeNetwork.expires_in, FakeNetwork.page_tokens = 3600, set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNetwork)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
