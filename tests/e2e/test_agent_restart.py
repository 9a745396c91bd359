"""An agent killed with SIGKILL and started again on the same work dir comes back under the same
agent ID. Tasks of a framework that does not checkpoint are not recovered: each is reported lost
exactly once, and what the killed agent left running is stopped (see test_agent_recovery for
checkpointing frameworks)."""
import os
import signal
import time

from plinth_procs import describe, pids_with_cmdline, wait_gone


def kill_agent_only(cluster) -> None:
    """kill -9 of the agent process alone: its tasks live on, as after a crash."""
    os.kill(cluster.agent.pid, signal.SIGKILL)
    cluster.agent.popen.wait(timeout=10)


def test_restarted_agent_keeps_its_id_and_reports_lost_tasks_once(cluster, fw):
    agent_id = cluster.wait_agent_active()["id"]
    marker = "sleep 7123"
    fw.launch_command("survivor", marker)
    fw.wait_update("survivor", 20, "TASK_RUNNING")
    deadline = time.monotonic() + 10
    while not pids_with_cmdline(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    pids = pids_with_cmdline(marker)
    assert pids

    kill_agent_only(cluster)
    assert pids_with_cmdline(marker), "the task should outlive a SIGKILLed agent until it restarts"
    cluster.start_agent()
    assert cluster.wait_agent_active(agent_id=agent_id)["id"] == agent_id
    lost = fw.wait_terminal("survivor", 20)
    assert lost.state == "TASK_LOST", lost
    assert lost.get("reason") == "REASON_AGENT_RESTARTED", lost
    left = wait_gone(pids, timeout=5)
    assert not left, f"the previous run's task still runs: {describe(left)}"
    time.sleep(1)
    assert [u.state for u in fw.updates_for("survivor")].count("TASK_LOST") == 1
    assert len(cluster.state()["slaves"]) == 1


def test_restart_with_other_resources_is_refused(cluster):
    agent_id = cluster.wait_agent_active()["id"]
    kill_agent_only(cluster)
    cluster.agent_resources = "cpus:2;mem:1024;disk:10000;ports:[31000-32000]"
    try:
        cluster.start_agent(timeout=15)
    except AssertionError as error:
        assert "resources changed" in str(error), error
    else:
        raise AssertionError("the agent started with changed resources")
    cluster.agent_flags.append("--recover=cleanup")
    cluster.start_agent()
    assert [a["id"] for a in cluster.active_agents()] != [agent_id], "--recover=cleanup kept the old agent ID"
