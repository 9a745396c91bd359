"""The command line as a newcomer meets it: `plinth dev` and `plinth execute`."""
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from mesos_client import Framework
from plinth_procs import (PlinthProcess, describe, descendants, free_port, group_members,
                          kill_pids, pids_under_dir, pids_with_cmdline, wait_agent_active,
                          wait_gone)

SEED = Path(__file__).with_name("seed_framework.py")


def wait_for_url_line(proc: PlinthProcess, port: int, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    pattern = re.compile(rf"http://127\.0\.0\.1:{port}\b")
    while time.monotonic() < deadline:
        match = pattern.search(proc.log_text())
        if match:
            return match.group(0)
        assert proc.running(), f"plinth dev exited with status {proc.returncode()}"
        time.sleep(0.1)
    raise AssertionError(f"plinth dev printed no line with http://127.0.0.1:{port} within "
                         f"{timeout}s (is stdout flushed when it is not a terminal?)")


def test_dev_runs_the_seed_framework_and_stops_on_ctrl_c(plinth_bin, tmp_path, proc_registry):
    port = free_port()
    dev = PlinthProcess("dev", [plinth_bin, "dev", f"--port={port}",
                                f"--work_dir={tmp_path / 'dev-work'}"], tmp_path / "dev.log")
    proc_registry.append(dev.start())
    family: set[int] = set()
    try:
        url = wait_for_url_line(dev, port)
        assert requests.get(url + "/health", timeout=5).status_code == 200
        wait_agent_active(url, timeout=30, agent=dev)

        seed = subprocess.run([sys.executable, str(SEED), f"127.0.0.1:{port}", "--tasks", "3",
                               "--timeout", "60"], capture_output=True, text=True, timeout=90)
        assert seed.returncode == 0, f"seed framework failed:\n{seed.stdout}\n{seed.stderr}"
        assert seed.stdout.strip().splitlines()[-1] == "3 passed, 0 failed", seed.stdout

        # Leave a long task running (framework failed over, not torn down) for Ctrl-C to clean up.
        before = pids_with_cmdline("sleep 600")
        fw = Framework(f"127.0.0.1:{port}", failover_timeout=300).start()
        try:
            fw.launch_command("long", "sleep 600")
            fw.wait_update("long", 20, "TASK_RUNNING")
        finally:
            fw.stop(failover=True)
        deadline = time.monotonic() + 10
        while not (pids_with_cmdline("sleep 600") - before) and time.monotonic() < deadline:
            time.sleep(0.1)
        task_pids = pids_with_cmdline("sleep 600") - before
        family = descendants(dev.pid) | task_pids

        dev.popen.send_signal(signal.SIGINT)
        try:
            code = dev.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise AssertionError("plinth dev did not exit within 10 s of SIGINT")
        assert code in (0, 130, -signal.SIGINT), f"plinth dev exited with status {code}"

        left = wait_gone(family, timeout=3) | group_members(dev.pid)
        assert not left, f"processes left behind by plinth dev: {describe(left)}"
        assert task_pids, "the `sleep 600` task process was never seen"
    finally:
        dev.stop()
        kill_pids(family | pids_under_dir(tmp_path))  # whatever plinth dev left behind


def test_execute_echo_hi(cluster, cli):
    code, out, err = cli("execute", f"--master={cluster.master_addr}", "--name=hi",
                         "--command=echo hi")
    assert code == 0, f"exit status {code}\nstdout:\n{out}\nstderr:\n{err}"
    assert "TASK_FINISHED" in out + err, out + err
    assert re.search(r"^hi$", out, re.M), f"task output 'hi' missing from stdout:\n{out}"


def test_execute_failing_command_exits_non_zero(cluster, cli):
    code, out, err = cli("execute", f"--master={cluster.master_addr}", "--name=fails",
                         "--command=exit 2")
    assert code != 0, f"exit status 0 for a failed task\nstdout:\n{out}\nstderr:\n{err}"
    assert "TASK_FAILED" in out + err, out + err
