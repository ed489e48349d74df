"""The HAProxy configuration for several app processes behind one address (`portal proxy-config`).

Streamlit keeps a browser's session (its websocket, its uploaded files, the files it offers
for download under /media/) in the one process that opened it, so every request of a browser
must reach the same process: HAProxy inserts a cookie naming the process the browser was
given (SERVERID) and sends the browser back there while that process is up. Who is signed
in is not held in a process (the session cookie names a row in Postgres), so a browser that
is sent to another process, when its own stopped, is still signed in there.

deploy/haproxy.cfg is this module's output for two processes on ports 8501 and 8502
(tests/unit/test_proxy.py keeps them the same).
"""

from __future__ import annotations

import re

from portal.addresses import HEALTH_PATH
from portal.errors import ValidationError

FIRST_PORT = 8501
BIND = "127.0.0.1:8080"
STATS = "127.0.0.1:8404"
STATS_URI = "/haproxy-stats"
COOKIE = "SERVERID"

_ADDRESS = re.compile(r"^(?P<host>[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]|\*)?:(?P<port>[0-9]{1,5})$")


def app_addresses(processes: int, first_port: int = FIRST_PORT, host: str = "127.0.0.1") -> list[str]:
    """`processes` app processes on this machine, on consecutive ports from `first_port`."""
    if not 1 <= processes <= 64:
        raise ValidationError(f"--processes must be between 1 and 64, not {processes}.")
    if not 1 <= first_port <= 65535 - processes + 1:
        raise ValidationError(f"--first-port {first_port} leaves no room for {processes} ports.")
    return [f"{host}:{first_port + n}" for n in range(processes)]


def check_address(address: str, what: str) -> str:
    """`address` as HOST:PORT (or :PORT), else a message that says what to write."""
    match = _ADDRESS.match(address.strip())
    if not match or not 1 <= int(match["port"]) <= 65535:
        raise ValidationError(f"{what} {address!r} is not HOST:PORT, e.g. 127.0.0.1:8501.")
    return address.strip()


def haproxy_config(apps: list[str], bind: str = BIND, stats: str | None = STATS,
                   check_interval: str = "2s") -> str:
    """The text of haproxy.cfg: the portal on `bind`, balanced over `apps` (HOST:PORT each)
    with cookie stickiness, websocket-friendly timeouts and a health check on /healthz;
    HAProxy's own statistics page on `stats` (keep it on a private address) unless None."""
    if not apps:
        raise ValidationError("Give at least one app process (HOST:PORT).")
    apps = [check_address(app, "App address") for app in apps]
    bind = check_address(bind, "--bind")
    servers = "\n".join(f"    server app{n} {app} check cookie app{n}" for n, app in enumerate(apps, 1))
    stats_section = "" if stats is None else f"""
# HAProxy's statistics (each app process's state and requests), for operators only.
listen stats
    bind {check_address(stats, "--stats")}
    stats enable
    stats uri {STATS_URI}
    stats refresh 10s
"""
    return f"""\
# Boomerang: {len(apps)} app process(es) behind HAProxy, with session affinity.
# Written by `portal proxy-config`; see docs/operations.md#several-app-processes.
# Run it with: haproxy -f haproxy.cfg   (-db keeps it in the foreground)

global
    maxconn 4096
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout http-request 15s
    timeout client 60s
    timeout server 60s
    # A websocket (Streamlit's session) stays open while the tab is open: after the upgrade,
    # the tunnel timeout applies instead of the client and server ones.
    timeout tunnel 1h
    timeout client-fin 30s
    # A process busy with many reruns answers /healthz late (its event loop shares one core
    # with them): waiting only the check interval for it took the only process out under
    # load, and every visitor got a 503.
    timeout check 10s
    # A process that stops: its browsers go to another (still signed in, a new page session).
    option redispatch
    retries 3

frontend portal
    bind {bind}
    # Where the visitor came in (TLS ended at this proxy or before it).
    http-request set-header X-Forwarded-Proto https if {{ ssl_fc }}
    default_backend app_processes

backend app_processes
    balance roundrobin
    # Stickiness: the websocket, file uploads (/_stcore/upload_file/...) and downloads
    # (/media/...) of a browser's session must reach the process that holds that session.
    cookie {COOKIE} insert indirect nocache httponly attr "SameSite=Lax"
    option httpchk GET {HEALTH_PATH}
    http-check expect status 200
    default-server inter {check_interval} fall 3 rise 2
{servers}
{stats_section}"""
