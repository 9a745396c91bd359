"""Task life cycle through pymesos: invalid tasks, kill, reconciliation, failing commands."""
import re
import time

from mesos_client import command_task
from plinth_procs import describe, pids_with_cmdline, wait_gone


def test_task_without_resources_is_task_error(fw):
    offer = fw.take_offer()
    fw.launch(offer, [{"task_id": {"value": "no-res"}, "agent_id": offer.agent_id,
                       "name": "no-res", "command": {"value": "true"}}])
    update = fw.wait_terminal("no-res", timeout=15)
    assert update.state == "TASK_ERROR", update
    assert update.get("reason") == "REASON_TASK_INVALID", update


def test_kill_running_task(fw):
    before = pids_with_cmdline("sleep 600")
    fw.launch_command("sleeper", "sleep 600")
    fw.wait_update("sleeper", 20, "TASK_RUNNING")

    # TASK_RUNNING may come just before the shell starts `sleep`: wait for the process to show up.
    deadline = time.monotonic() + 10
    while not (pids_with_cmdline("sleep 600") - before) and time.monotonic() < deadline:
        time.sleep(0.1)
    task_pids = pids_with_cmdline("sleep 600") - before
    assert task_pids, "the task's `sleep 600` process never appeared"

    start = time.monotonic()
    fw.kill("sleeper")
    update = fw.wait_terminal("sleeper", timeout=10)
    elapsed = time.monotonic() - start
    assert update.state == "TASK_KILLED", update
    assert elapsed < 10, f"TASK_KILLED took {elapsed:.1f}s"

    left = wait_gone(task_pids, timeout=3)
    assert not left, f"task processes still alive after TASK_KILLED: {describe(left)}"


def test_explicit_and_implicit_reconciliation(fw):
    offer = fw.take_offer()
    agent = offer.agent_id.value
    fw.launch(offer, [command_task("rec-a", agent, "sleep 600"),
                      command_task("rec-b", agent, "sleep 600")])
    for task in ("rec-a", "rec-b"):
        fw.wait_update(task, 20, "TASK_RUNNING")

    since = fw.update_count()
    fw.reconcile(["rec-a"])
    update = fw.wait_update("rec-a", 10, since=since, reason="REASON_RECONCILIATION")
    assert update.state == "TASK_RUNNING", update
    assert "uuid" not in update, f"master-generated update must carry no uuid: {update}"

    since = fw.update_count()
    fw.reconcile([])
    for task in ("rec-a", "rec-b"):
        update = fw.wait_update(task, 10, since=since, reason="REASON_RECONCILIATION")
        assert update.state == "TASK_RUNNING", update


def test_failing_command_is_task_failed(fw):
    fw.launch_command("exit3", "exit 3")
    update = fw.wait_terminal("exit3", timeout=20)
    assert update.state == "TASK_FAILED", update
    message = update.get("message", "")
    assert re.search(r"status\D{0,3}3\b", message), f"message should mention status 3: {message!r}"


def test_task_runs_as_its_frameworks_user(cluster):
    """A root agent runs a task as FrameworkInfo.user, in a sandbox that user owns."""
    import os
    import pytest
    from mesos_client import Framework
    if os.geteuid() != 0:
        pytest.skip("switching users needs a root agent")
    fw = Framework(cluster.master_addr, name="as-nobody", user="nobody").start()
    try:
        fw.launch_command("whoami", "id -un && touch made-here")
        assert fw.wait_terminal("whoami", 20).state == "TASK_FINISHED", fw.states("whoami")
        [stdout] = cluster.sandbox_files("whoami")
        assert stdout.read_text() == "nobody\n"
        assert (stdout.parent / "made-here").stat().st_uid == 65534
    finally:
        fw.stop()
