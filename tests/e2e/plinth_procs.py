"""Starting, stopping and inspecting the plinth processes the end-to-end tests drive."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

_handed_out: set[int] = set()


def free_port() -> int:
    """A loopback TCP port that is free right now (never the same one twice per session)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


# ----------------------------------------------------------------------------- /proc helpers

def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, pgrp) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2])


def all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def is_alive(pid: int) -> bool:
    """True if the process exists and is not a zombie."""
    st = _stat(pid)
    return st is not None and st[0] != "Z"


def cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def pids_with_cmdline(fragment: str) -> set[int]:
    """Live processes whose command line contains `fragment` (this process excluded)."""
    return {p for p in all_pids()
            if p != os.getpid() and fragment in cmdline(p) and is_alive(p)}


def descendants(root: int) -> set[int]:
    """Every live process below `root` in the parent/child tree (root excluded)."""
    children: dict[int, list[int]] = {}
    for pid in all_pids():
        st = _stat(pid)
        if st is not None:
            children.setdefault(st[1], []).append(pid)
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def group_members(pgid: int) -> set[int]:
    """Live (non-zombie) processes in process group `pgid`."""
    out = set()
    for pid in all_pids():
        st = _stat(pid)
        if st is not None and st[2] == pgid and st[0] != "Z":
            out.add(pid)
    return out


def pids_under_dir(root: Path) -> set[int]:
    """Live processes whose working directory is inside `root` (e.g. task sandboxes)."""
    root_s = str(root.resolve())
    out = set()
    for pid in all_pids():
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if (cwd == root_s or cwd.startswith(root_s + "/")) and is_alive(pid):
            out.add(pid)
    return out


def kill_pids(pids, sig=signal.SIGKILL) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def wait_gone(pids, timeout: float) -> set[int]:
    """Wait until none of `pids` is alive; return those still alive at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        left = {p for p in pids if is_alive(p)}
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.1)


def describe(pids) -> str:
    return ", ".join(f"{p} ({cmdline(p) or '?'})" for p in sorted(pids)) or "none"


# ----------------------------------------------------------------------------- processes

class PlinthProcess:
    """One subprocess in its own session (so its process group can be killed), output in a log file."""

    def __init__(self, name: str, argv: list[str], log_path: Path):
        self.name, self.argv, self.log_path = name, argv, log_path
        self.popen: subprocess.Popen | None = None

    def start(self) -> "PlinthProcess":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            log.write(("$ " + " ".join(self.argv) + "\n").encode())
            log.flush()
            self.popen = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def returncode(self):
        return self.popen.poll() if self.popen else None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 150) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def killpg(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)
        except OSError:
            pass

    def stop(self, sig: int = signal.SIGTERM, grace: float = 5.0) -> None:
        """Signal the process group, SIGKILL it after `grace` s, and SIGKILL every descendant seen."""
        if self.popen is None:
            return
        family = descendants(self.pid) if self.running() else set()
        if self.running():
            self.killpg(sig)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                family |= descendants(self.pid)
                self.killpg(signal.SIGKILL)
                self.popen.wait(timeout=10)
        self.killpg(signal.SIGKILL)  # stragglers left in the group
        kill_pids({p for p in family if is_alive(p)})


def wait_http_ok(url: str, proc: PlinthProcess, timeout: float) -> None:
    """Poll GET `url` until it answers 200; fail early if `proc` exits."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if not proc.running():
            raise AssertionError(f"{proc.name} exited with status {proc.returncode()} before "
                                 f"{url} answered\n--- {proc.log_path} ---\n{proc.log_tail(60)}")
        try:
            r = requests.get(url, timeout=2)
            if r.status_code == 200:
                return
            last = f"HTTP {r.status_code}"
        except requests.RequestException as e:
            last = type(e).__name__
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer 200 within {timeout}s (last: {last})")


def master_state(url: str) -> dict:
    r = requests.get(url + "/master/state", timeout=5)
    r.raise_for_status()
    return r.json()


def wait_agent_active(url: str, timeout: float, agent_id: str | None = None,
                      agent: PlinthProcess | None = None) -> dict:
    """Poll the master at `url` until an agent (`agent_id`, if given) is active; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if agent is not None and not agent.running():
            raise AssertionError(f"{agent.name} exited with status {agent.returncode()}\n"
                                 f"--- {agent.log_path} ---\n{agent.log_tail(60)}")
        try:
            for a in master_state(url).get("slaves", []):
                if a.get("active") and agent_id in (None, a.get("id")):
                    return a
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"no active agent{' ' + agent_id if agent_id else ''} in "
                         f"{url}/master/state within {timeout}s")


# ----------------------------------------------------------------------------- the cluster

class Cluster:
    """`plinth master` and `plinth agent` as separate processes on free loopback ports."""

    def __init__(self, plinth_bin: str, root: Path, registry: list, master_flags: list[str] | None = None,
                 agent_resources: str = "cpus:4;mem:4096;disk:10000;ports:[31000-32000]",
                 agent_flags: list[str] | None = None):
        self.bin, self.root, self.registry = plinth_bin, root, registry
        self.master_flags = list(master_flags or [])
        self.agent_flags = list(agent_flags or [])
        self.agent_resources = agent_resources
        self.master_port, self.agent_port = free_port(), free_port()
        self.master_dir, self.agent_dir = root / "master-work", root / "agent-work"
        self.master: PlinthProcess | None = None
        self.agent: PlinthProcess | None = None
        self._masters_started = 0

    @property
    def master_addr(self) -> str:
        return f"127.0.0.1:{self.master_port}"

    @property
    def url(self) -> str:
        return f"http://{self.master_addr}"

    def _spawn(self, name: str, argv: list[str]) -> PlinthProcess:
        proc = PlinthProcess(name, [self.bin, *argv], self.root / f"{name}.log").start()
        self.registry.append(proc)
        return proc

    def start_master(self, timeout: float = 30) -> None:
        self._masters_started += 1
        name = "master" if self._masters_started == 1 else f"master-{self._masters_started}"
        self.master = self._spawn(name, [
            "master", "--ip=127.0.0.1", f"--port={self.master_port}",
            f"--work_dir={self.master_dir}", "--allocation_interval=1secs", *self.master_flags])
        wait_http_ok(self.url + "/health", self.master, timeout)

    def start_agent(self, timeout: float = 30) -> None:
        self.agent = self._spawn("agent", [
            "agent", f"--master={self.master_addr}", "--ip=127.0.0.1",
            f"--port={self.agent_port}", f"--work_dir={self.agent_dir}",
            f"--resources={self.agent_resources}", *self.agent_flags])
        self.wait_agent_active(timeout)

    @property
    def agent_url(self) -> str:
        return f"http://127.0.0.1:{self.agent_port}"

    def start(self) -> "Cluster":
        self.start_master()
        self.start_agent()
        return self

    def restart_master(self, sig: int = signal.SIGKILL, while_down=None, timeout: float = 30) -> None:
        """Stop the master with `sig` (kill -9 by default), call `while_down()` if given, then start
        it again on the same port with the same work dir and wait for /health."""
        self.master.stop(sig=sig, grace=10)
        if while_down is not None:
            while_down()
        self.start_master(timeout)

    def state(self) -> dict:
        return master_state(self.url)

    def active_agents(self) -> list[dict]:
        return [a for a in self.state().get("slaves", []) if a.get("active")]

    def wait_agent_active(self, timeout: float = 30, agent_id: str | None = None) -> dict:
        return wait_agent_active(self.url, timeout, agent_id, self.agent)

    def framework_state(self, framework_id: str) -> dict | None:
        for fw in self.state().get("frameworks", []):
            if fw.get("id") == framework_id:
                return fw
        return None

    def sandbox_files(self, task_id: str, name: str = "stdout") -> list[Path]:
        """A command task's sandbox files (executor id == task id) under the agent work dir."""
        return sorted(self.agent_dir.glob(
            f"slaves/*/frameworks/*/executors/{task_id}/runs/*/{name}"))

    def stop(self) -> None:
        for proc in (self.agent, self.master):
            if proc is not None:
                proc.stop()
        # Task processes that outlived their agent still run in their sandboxes.
        kill_pids(pids_under_dir(self.root))
