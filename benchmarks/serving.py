"""Starting app processes and HAProxy in front of them, for the benchmarks that serve the
portal (or a floor app) as it is deployed with several processes (processes.py, load.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from portal import proxy
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[1]
HAPROXY = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")


def start_app(env: dict[str, str], script: str | Path = "streamlit_app.py",
              cwd: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """`streamlit run script` on a free port of 127.0.0.1; the process and its HOST:PORT."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, f"127.0.0.1:{port}"


def start_proxy(apps: list[str], folder: Path) -> tuple[subprocess.Popen, str]:
    """HAProxy, configured by `portal proxy-config` (its config written in `folder`), in front
    of `apps` (HOST:PORT each); the process and the base URL it answers on."""
    port = free_port()
    config = folder / f"haproxy-{port}.cfg"
    config.write_text(proxy.haproxy_config(apps, bind=f"127.0.0.1:{port}", stats=None,
                                           check_interval="500ms"))
    process = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}"


def stop(processes: list[subprocess.Popen]) -> None:
    """Terminate `processes` and wait for each."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
