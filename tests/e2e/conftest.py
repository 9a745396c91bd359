"""Fixtures for the end-to-end suite: real `plinth` processes on loopback ports, pymesos frameworks.

Environment: PLINTH_BIN (default <repo>/.build/debug/plinth).
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from mesos_client import Framework
from plinth_procs import Cluster, PlinthProcess

REPO = Path(__file__).resolve().parents[2]
PROCS = pytest.StashKey[list]()


@pytest.fixture(scope="session")
def plinth_bin() -> str:
    path = os.environ.get("PLINTH_BIN") or str(REPO / ".build" / "debug" / "plinth")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.exit(f"plinth binary not found at {path}: build it (swift build --product plinth) "
                    f"or set PLINTH_BIN", returncode=4)
    return path


@pytest.fixture
def proc_registry(request):
    """Every process a test starts; their logs are attached to the report when the test fails.
    Whatever a test's own cleanup did (or failed to do), each one is stopped when the test ends."""
    procs = request.node.stash.setdefault(PROCS, [])
    yield procs
    for proc in reversed(procs):
        try:
            proc.stop()
        except Exception as error:  # one stubborn process must not spare the others
            print(f"could not stop {proc.name}: {error}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for proc in item.stash.get(PROCS, []):
            report.sections.append((f"{proc.name} log: {proc.log_path}", proc.log_tail()))


@pytest.fixture
def cluster(plinth_bin, tmp_path, proc_registry):
    """A running `plinth master` + `plinth agent` (agent active in /master/state)."""
    c = Cluster(plinth_bin, tmp_path, proc_registry)
    try:
        c.start()
        yield c
    finally:
        c.stop()


@pytest.fixture
def make_cluster(plinth_bin, tmp_path, proc_registry):
    """Factory for clusters with their own master flags or agent resources."""
    made: list[Cluster] = []

    def make(**kw) -> Cluster:
        c = Cluster(plinth_bin, tmp_path / f"cluster-{len(made)}", proc_registry, **kw)
        c.root.mkdir(parents=True, exist_ok=True)
        made.append(c)
        return c.start()

    yield make
    for c in made:
        c.stop()


@pytest.fixture
def make_framework():
    """Factory for pymesos frameworks; every one still running is stopped (torn down) at the end."""
    made: list[Framework] = []

    def make(master_addr: str, start: bool = True, **kw) -> Framework:
        fw = Framework(master_addr, **kw)
        made.append(fw)
        return fw.start() if start else fw

    yield make
    for fw in made:
        fw.stop(failover=False, timeout=10)


@pytest.fixture
def fw(cluster, make_framework) -> Framework:
    """A subscribed pymesos framework on `cluster`."""
    return make_framework(cluster.master_addr)


def run_cli(argv: list[str], log_path: Path, registry: list, timeout: float):
    """Run a plinth command to completion (own session, killed as a group on timeout).

    Returns (returncode, stdout, stderr); stdout and stderr are also copied to `log_path`."""
    proc = PlinthProcess(log_path.stem, argv, log_path)
    registry.append(proc)
    popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True, text=True)
    proc.popen = popen
    try:
        out, err = popen.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.killpg(9)
        out, err = popen.communicate()
        log_path.write_text(f"$ {' '.join(argv)}\n--- stdout\n{out}\n--- stderr\n{err}\n")
        raise AssertionError(f"{' '.join(argv)} did not exit within {timeout}s\n"
                             f"stdout:\n{out}\nstderr:\n{err}")
    log_path.write_text(f"$ {' '.join(argv)}\n--- stdout\n{out}\n--- stderr\n{err}\n"
                        f"--- exit status {popen.returncode}\n")
    return popen.returncode, out, err


@pytest.fixture
def cli(plinth_bin, tmp_path, proc_registry):
    """cli(*args, timeout=60) runs `plinth args...` and returns (returncode, stdout, stderr)."""
    counter = iter(range(1, 1000))

    def run(*args: str, timeout: float = 60):
        return run_cli([plinth_bin, *args], tmp_path / f"cli-{next(counter)}.log",
                       proc_registry, timeout)
    return run

