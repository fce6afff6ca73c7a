"""`roost run`'s supervisor: a dead child is restarted with a backoff and counted, the others
keep running, and a stop request (Ctrl-C, SIGTERM) stops every child."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from roost.core.supervisor import Child, Supervisor, describe_exit, restart_delay

ROOT = Path(__file__).resolve().parents[3]
EXITS_AT_ONCE = [sys.executable, "-I", "-S", "-c", "raise SystemExit(3)"]
RUNS = [sys.executable, "-I", "-S", "-c", "import time\nwhile True: time.sleep(60)"]


def until(condition: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    """Poll `condition` until it is true; fail naming `what` after a generous deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too (its parent has not reaped it yet).
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_restart_delay_doubles_up_to_the_cap() -> None:
    assert [restart_delay(n, 0.5, 10) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 10, 10]
    assert describe_exit(1) == "exit code 1"
    assert describe_exit(-9) == "killed by SIGKILL"


def test_a_dead_child_is_restarted_after_a_growing_backoff_and_counted() -> None:
    """Stepped by hand with a made-up clock: each restart waits for its backoff, the backoff
    doubles up to its cap, and returns to the first step after a stable run."""
    out: list[str] = []
    child = Child("worker", EXITS_AT_ONCE)
    sup = Supervisor([child], say=out.append, first_delay=0.5, max_delay=2, stable_after=60)
    sup.start(now=0.0)
    first = child.proc
    assert first is not None
    first.wait()
    sup.check(now=1.0)
    assert out == ["roost: the worker stopped (exit code 3); restarting it in 0.5 s"]
    sup.check(now=1.49)
    assert child.proc is first and child.restarts == 0  # not before its backoff is over
    sup.check(now=1.5)
    assert child.proc is not first and child.restarts == 1
    assert out[-1] == "roost: the worker is running again (restarts: 1)"

    timeline = [(2.0, 3.0), (3.5, 5.5), (6.0, 8.0)]  # (noticed dead, restart due)
    for noticed, due in timeline:
        proc = child.proc
        assert proc is not None
        proc.wait()
        sup.check(now=noticed)
        sup.check(now=due - 0.01)
        assert child.proc is proc
        sup.check(now=due)
        assert child.proc is not proc
    assert out[2:] == [
        "roost: the worker stopped (exit code 3); restarting it in 1 s",
        "roost: the worker is running again (restarts: 2)",
        "roost: the worker stopped (exit code 3); restarting it in 2 s",
        "roost: the worker is running again (restarts: 3)",
        "roost: the worker stopped (exit code 3); restarting it in 2 s",
        "roost: the worker is running again (restarts: 4)",
    ]
    # It ran for a minute before dying this time: back to the first step.
    assert child.proc is not None
    child.proc.wait()
    sup.check(now=8.0 + 60)
    assert out[-1] == "roost: the worker stopped (exit code 3); restarting it in 0.5 s"
    assert child.exits == [3, 3, 3, 3, 3]
    sup.shutdown()


def test_a_child_that_cannot_start_is_retried() -> None:
    out: list[str] = []
    child = Child("web server", [str(ROOT / "no-such-program")])
    sup = Supervisor([child], say=out.append, first_delay=0.5)
    sup.start(now=0.0)
    assert child.proc is None and child.exits == [None]
    assert out[0].startswith("roost: the web server could not start ([Errno 2] ")
    assert out[0].endswith("; restarting it in 0.5 s")
    child.argv = RUNS
    sup.check(now=0.5)
    assert child.proc is not None and child.proc.poll() is None
    assert out[-1] == "roost: the web server is running again (restarts: 1)"
    sup.shutdown()
    assert child.proc.returncode == -signal.SIGTERM


def test_a_killed_child_is_restarted_while_the_others_keep_running() -> None:
    """SIGKILL one child of a running supervisor: it comes back; the other is untouched;
    stop() then stops both."""
    out: list[str] = []
    web, worker = Child("web server", RUNS), Child("worker", RUNS)
    sup = Supervisor([web, worker], say=out.append, first_delay=0.05, tick=0.01)
    thread = threading.Thread(target=sup.run)
    thread.start()
    try:
        until(lambda: web.proc and worker.proc, "both children to start")
        assert web.proc is not None and worker.proc is not None
        web_proc, killed = web.proc, worker.proc
        killed.kill()
        until(lambda: worker.restarts == 1 and worker.proc is not killed, "the restart")
        assert worker.proc is not None and alive(worker.proc.pid)
        assert web.proc is web_proc and alive(web_proc.pid) and web.restarts == 0
    finally:
        sup.stop()
        thread.join(timeout=60)
    assert not thread.is_alive()
    assert out == [
        "roost: the worker stopped (killed by SIGKILL); restarting it in 0.05 s",
        "roost: the worker is running again (restarts: 1)",
    ]
    assert web_proc.returncode == -signal.SIGTERM
    assert worker.proc.returncode == -signal.SIGTERM
    assert worker.exits == [-signal.SIGKILL]


_SUPERVISE = """
import signal, sys
from roost.core.supervisor import Child, Supervisor
child = [sys.executable, "-I", "-S", "-c", sys.argv[2]]
children = [Child(name, [*child, sys.argv[1], name]) for name in ("web server", "worker")]
sup = Supervisor(children, say=print, first_delay=0.5, stop_timeout=float(sys.argv[3]))
sup.handle_signals()
sup.run()
print("roost: stopped", [c.restarts for c in children], [c.proc.returncode for c in children])
"""

# A child that records its pid in <dir>/<name>.pid once it runs (and, if asked, that it
# received SIGTERM, which it then ignores).
_CHILD = """
import os, signal, sys, time
folder, name = sys.argv[1], sys.argv[2]
def note_term(*_):
    open(os.path.join(folder, name + ".term"), "w").close()
if os.environ.get("IGNORE_TERM"):
    signal.signal(signal.SIGTERM, note_term)
tmp = os.path.join(folder, name + ".tmp")
with open(tmp, "w") as f:
    f.write(str(os.getpid()))
os.replace(tmp, os.path.join(folder, name + ".pid"))
while True:
    time.sleep(60)
"""


def _supervise(tmp_path: Path, stop_timeout: float, **env: str) -> tuple[Any, list[int]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _SUPERVISE, str(tmp_path), _CHILD, str(stop_timeout)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )
    names = ("web server", "worker")
    until(lambda: all((tmp_path / f"{n}.pid").exists() for n in names), "children to start")
    return proc, [int((tmp_path / f"{n}.pid").read_text()) for n in names]


@pytest.mark.parametrize("how", ["SIGTERM to roost run", "Ctrl-C in its terminal"])
def test_a_stop_signal_stops_every_child_and_restarts_none(tmp_path: Path, how: str) -> None:
    proc, pids = _supervise(tmp_path, stop_timeout=60)
    if how == "SIGTERM to roost run":
        proc.send_signal(signal.SIGTERM)
    else:  # the terminal sends SIGINT to the whole foreground group, children too
        os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "restarting" not in out + err
    assert out.splitlines()[-1].startswith("roost: stopped [0, 0]")
    assert not any(alive(pid) for pid in pids)


def test_a_second_stop_signal_kills_children_that_ignore_the_first(tmp_path: Path) -> None:
    proc, pids = _supervise(tmp_path, stop_timeout=600, IGNORE_TERM="1")
    proc.send_signal(signal.SIGTERM)
    until(
        lambda: all((tmp_path / f"{n}.term").exists() for n in ("web server", "worker")),
        "both children to receive SIGTERM",
    )
    assert proc.poll() is None  # still waiting for them
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.splitlines()[-1] == "roost: stopped [0, 0] [-9, -9]"
    assert not any(alive(pid) for pid in pids)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def answering_health() -> Iterator[str]:
    """A stand-in Sandbox that only answers /health, so `roost run` starts none of its own."""

    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/health" else 404)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _children(pid: int) -> dict[int, str]:
    """The direct children of `pid` and their command lines (Linux /proc)."""
    found = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        except FileNotFoundError:
            continue
        found[int(child)] = cmdline.decode()
    return found


def _children_running(pid: int, command: str) -> set[int]:
    return {child for child, cmd in _children(pid).items() if command in cmd}


def _beating(db: Path) -> set[int]:
    """The pids of the workers that wrote a heartbeat row."""
    with closing(sqlite3.connect(db)) as conn:
        return {pid for (pid,) in conn.execute("SELECT pid FROM core_workerheartbeat")}


def _workers_alive(url: str) -> int:
    try:
        response = httpx.get(f"{url}/health/?format=json", timeout=5, trust_env=False)
    except httpx.HTTPError:
        return -1
    return int(response.json()["workers_alive"])


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads children from /proc")
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite"), reason="a file database"
)
def test_roost_run_restarts_a_killed_worker_and_keeps_serving(tmp_path: Path) -> None:
    """The real `roost run`: SIGKILL its worker; a new worker starts and beats while the web
    app keeps answering; SIGTERM then stops everything and `roost run` exits cleanly."""
    db = tmp_path / "run.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        DJANGO_SETTINGS_MODULE="roost.settings",
        ROOST_LOG_LEVEL="WARNING",
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    bind = f"127.0.0.1:{port}"
    with answering_health() as sandbox_url, open(tmp_path / "run.log", "wb") as log:
        env["ROOST_SANDBOX_URL"] = sandbox_url
        run = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "roost.cli",
                "run",
                "--no-demo",
                "--bind",
                bind,
                "--web-workers",
                "1",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            until(lambda: _workers_alive(url) == 1, "the web app and a live worker", 180)
            (web,) = _children_running(run.pid, "gunicorn")
            (worker,) = _children_running(run.pid, "roost.cli worker")
            assert _beating(db) == {worker}
            os.kill(worker, signal.SIGKILL)
            # A new worker process starts and writes its own heartbeat.
            (new_worker,) = until(
                lambda: _beating(db) - {worker} & _children_running(run.pid, "roost.cli worker"),
                "a new worker's heartbeat",
                180,
            )
            assert _children_running(run.pid, "gunicorn") == {web}
            assert _workers_alive(url) >= 1  # the web app kept answering
            assert run.poll() is None
            run.send_signal(signal.SIGTERM)
            assert run.wait(timeout=60) == 0
        finally:
            if run.poll() is None:
                run.kill()
    output = (tmp_path / "run.log").read_text()
    assert "roost: the worker stopped (killed by SIGKILL); restarting it in 0.5 s" in output
    assert "roost: the worker is running again (restarts: 1)" in output
    assert output.rstrip().endswith("roost: stopped")
    assert not alive(web) and not alive(new_worker)
