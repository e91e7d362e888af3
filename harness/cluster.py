"""gdviz replicas and HAProxy on loopback ports: the deploy/ set-up without containers.

    with cluster(replicas=2) as c:   # two `streamlit run app.py`, HAProxy in front
        c.url                        # http://127.0.0.1:<port> (HAProxy; the server if replicas=1)
        c.pids                       # the Streamlit processes, for CPU and memory readings
        c.stop_replica(0)            # as if a replica died

HAProxy reads ``deploy/haproxy.cfg`` (the policy: sticky cookies, health checks, timeouts, the
same file the compose set-up uses) and a backend file naming the loopback replicas, in place of
``deploy/replicas.cfg`` (Docker's DNS). Debian's ``haproxy`` package provides the binary.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    """Poll ``url`` + ``/_stcore/health`` until it answers ``ok``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as reply:
                if reply.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not become healthy")
        time.sleep(0.2)


def start_app(port: int, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``streamlit run app.py`` on loopback ``port`` (the project's .streamlit/config.toml),
    with ``env`` added to the environment."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--server.fileWatcherType=none",
            *extra,
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@dataclass
class Cluster:
    """Running replicas (and HAProxy when there are several)."""

    url: str
    ports: list[int]
    apps: list[subprocess.Popen]
    haproxy: subprocess.Popen | None = None
    workdir: Path | None = None
    stopped: set[int] = field(default_factory=set)

    @property
    def pids(self) -> list[int]:
        return [p.pid for i, p in enumerate(self.apps) if i not in self.stopped]

    def stop_replica(self, index: int) -> None:
        """Stop replica ``index`` (SIGTERM), as a crashed or replaced container would go."""
        self.apps[index].terminate()
        self.apps[index].wait(timeout=20)
        self.stopped.add(index)

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"


def haproxy_backend(ports: list[int]) -> str:
    """The loopback stand-in for deploy/replicas.cfg: one ``server`` line per replica."""
    lines = ["backend gdviz"]
    lines += [f"    server app{i + 1} 127.0.0.1:{port}" for i, port in enumerate(ports)]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def cluster(
    replicas: int = 1, *, app_args: tuple[str, ...] = (), env: dict[str, str] | None = None
) -> Iterator[Cluster]:
    """Start ``replicas`` app servers (``env`` added to their environment), and HAProxy in front
    of them when there are several."""
    ports = [free_port() for _ in range(replicas)]
    apps = [start_app(port, *app_args, env=env) for port in ports]
    work = Path(tempfile.mkdtemp(prefix="gdviz-cluster-"))
    c = Cluster(url=f"http://127.0.0.1:{ports[0]}", ports=ports, apps=apps, workdir=work)
    try:
        for port, app in zip(ports, apps, strict=True):
            wait_healthy(f"http://127.0.0.1:{port}", proc=app)
        if replicas > 1:
            binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
            backend = work / "replicas.cfg"
            backend.write_text(haproxy_backend(ports))
            front = free_port()
            env = dict(
                os.environ,
                GDVIZ_BIND=f"127.0.0.1:{front}",
                GDVIZ_COOKIE_KEY="loopback-test",
            )
            c.haproxy = subprocess.Popen(
                [binary, "-db", "-f", str(HAPROXY_CFG), "-f", str(backend)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            c.url = f"http://127.0.0.1:{front}"
            wait_healthy(c.url, proc=c.haproxy)
        yield c
    finally:
        procs = ([c.haproxy] if c.haproxy else []) + apps
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
