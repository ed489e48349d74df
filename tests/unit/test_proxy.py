"""`portal proxy-config`: the HAProxy configuration for several app processes, and the copy
shipped in deploy/haproxy.cfg."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from portal import proxy
from portal.errors import ValidationError
from tests.support import portal_command

ROOT = Path(__file__).resolve().parents[2]
HAPROXY = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")


def test_the_shipped_configuration_is_what_the_command_prints():
    result = portal_command("proxy-config")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "deploy" / "haproxy.cfg").read_text(), \
        "deploy/haproxy.cfg is out of date: portal proxy-config > deploy/haproxy.cfg"


def test_one_server_per_process_each_with_its_cookie_and_health_check():
    text = proxy.haproxy_config(proxy.app_addresses(3, 9000), bind=":80", stats=None)
    assert [line.split() for line in text.splitlines() if line.strip().startswith("server ")] == [
        ["server", f"app{n}", f"127.0.0.1:{8999 + n}", "check", "cookie", f"app{n}"] for n in (1, 2, 3)]
    assert "cookie SERVERID insert indirect nocache" in text
    assert "option httpchk GET /healthz" in text and "timeout tunnel 1h" in text
    assert "bind :80" in text and "listen stats" not in text


@pytest.mark.parametrize(("apps", "bind", "message"), [
    ([], ":8080", "Give at least one app process"),
    (["foo"], ":8080", "App address 'foo' is not HOST:PORT"),
    (["127.0.0.1:70000"], ":8080", "is not HOST:PORT"),
    (["127.0.0.1:8501"], "8080", "--bind '8080' is not HOST:PORT"),
    (["127.0.0.1:8501\n    server evil 1.2.3.4:80"], ":8080", "is not HOST:PORT"),
])
def test_addresses_that_are_not_host_and_port_say_what_to_write(apps, bind, message):
    with pytest.raises(ValidationError, match=message):
        proxy.haproxy_config(apps, bind=bind)


def test_a_bad_process_count_is_one_line_and_nonzero():
    result = portal_command("proxy-config", "--processes", "0")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "error: --processes must be between 1 and 64, not 0.\n"


@pytest.mark.skipif(HAPROXY is None, reason="HAProxy is not installed (apt-get install haproxy)")
def test_haproxy_accepts_the_configuration(tmp_path):
    config = tmp_path / "haproxy.cfg"
    config.write_text(proxy.haproxy_config(proxy.app_addresses(4)))
    result = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
