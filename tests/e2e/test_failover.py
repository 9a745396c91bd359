"""Framework failover (a new driver with the same framework id) and master restart."""
import time

from plinth_procs import pids_with_cmdline, wait_gone


def test_framework_failover_keeps_tasks(cluster, make_framework):
    first = make_framework(cluster.master_addr, failover_timeout=60)
    first.launch_command("survivor", "sleep 600")
    first.wait_update("survivor", 20, "TASK_RUNNING")
    fid = first.framework_id
    assert first.stop(failover=True), "driver.stop(failover=True) did not finish"

    second = make_framework(cluster.master_addr, failover_timeout=60, framework_id=fid)
    assert second.sched.reregistrations >= 1 and not second.sched.registered_ids, \
        "a driver with framework.id set must get reregistered, not registered"
    assert second.framework_id == fid
    assert not second.sched.errors, second.sched.errors

    second.reconcile(["survivor"])
    update = second.wait_update("survivor", 10, reason="REASON_RECONCILIATION")
    assert update.state == "TASK_RUNNING", update

    framework = cluster.framework_state(fid)
    assert framework is not None, f"framework {fid} missing from /master/state"
    assert framework.get("active") is True, framework
    tasks = {t["id"]: t for t in framework.get("tasks", [])}
    assert "survivor" in tasks, framework
    assert tasks["survivor"]["state"] == "TASK_RUNNING", tasks["survivor"]
    assert tasks["survivor"]["framework_id"] == fid


def test_master_restart_loses_no_status_update(cluster, make_framework):
    fw = make_framework(cluster.master_addr, failover_timeout=120)
    before = pids_with_cmdline("sleep 5")
    fw.launch_command("short", "sleep 5")
    fw.wait_update("short", 20, "TASK_RUNNING")
    agent_id = cluster.active_agents()[0]["id"]
    registrations = fw.sched.reregistrations

    def until_task_exited():
        # Keep the master down until the task is over, so TASK_FINISHED must be retried.
        deadline = time.monotonic() + 10
        while not (pids_with_cmdline("sleep 5") - before) and time.monotonic() < deadline:
            time.sleep(0.1)
        wait_gone(pids_with_cmdline("sleep 5") - before, timeout=10)
        time.sleep(1)

    started = time.monotonic()
    cluster.restart_master(while_down=until_task_exited)  # kill -9, same port and work dir

    # pymesos reconnects by itself; the agent re-registers and resends what was not acknowledged.
    fw.wait(lambda s: s.reregistrations > registrations, 30, "pymesos to resubscribe")
    cluster.wait_agent_active(timeout=45, agent_id=agent_id)
    left = max(1.0, 60 - (time.monotonic() - started))
    fw.wait_update("short", left, "TASK_FINISHED")

    from_agent = [u.state for u in fw.updates_for("short")
                  if u.get("reason") != "REASON_RECONCILIATION"]
    distinct = [s for i, s in enumerate(from_agent) if i == 0 or s != from_agent[i - 1]]
    if distinct and distinct[0] == "TASK_STARTING":
        distinct = distinct[1:]
    assert distinct == ["TASK_RUNNING", "TASK_FINISHED"], f"updates for the task: {from_agent}"


def test_framework_that_does_not_return_is_removed_after_its_failover_timeout(cluster, make_framework):
    fw = make_framework(cluster.master_addr, failover_timeout=1)
    before = pids_with_cmdline("sleep 601")
    fw.launch_command("orphan", "sleep 601")
    fw.wait_update("orphan", 20, "TASK_RUNNING")
    fid = fw.framework_id
    assert fw.stop(failover=True), "driver.stop(failover=True) did not finish"

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        completed = [f for f in cluster.state()["completed_frameworks"] if f["id"] == fid]
        if completed:
            break
        time.sleep(0.2)
    assert completed, "the framework should be removed once its failover timeout passed"
    assert [t["state"] for t in completed[0]["completed_tasks"]] == ["TASK_KILLED"]
    assert not wait_gone(pids_with_cmdline("sleep 601") - before, timeout=10), "the task's process survived"
