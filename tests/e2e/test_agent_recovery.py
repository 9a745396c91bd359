"""Agent recovery: tasks of a checkpointing framework survive a `kill -9` of their agent. The
restarted agent comes back under the same ID, re-attaches to the same processes, reports what
ended while it was down with its real exit status, and its executors subscribe again."""
import os
import signal
import time
from pathlib import Path

from pymesos import encode_data

from mesos_client import command_task
from plinth_procs import is_alive
from test_containers import start_isolated
from test_executors import executor_task, messages
from test_task_groups import launch_group


def kill_agent(cluster) -> None:
    os.kill(cluster.agent.pid, signal.SIGKILL)
    cluster.agent.popen.wait(timeout=10)


def running_pid(fw, task_id: str) -> int:
    update = fw.wait_update(task_id, 30, "TASK_RUNNING")
    return int(update["container_status"]["executor_pid"])


def start_count(cluster, task_id: str) -> int:
    marks = list(cluster.agent_dir.glob(f"slaves/*/frameworks/*/executors/*/runs/*/**/{task_id}.started"))
    return sum(len(p.read_text().splitlines()) for p in marks)


def test_checkpointed_tasks_survive_an_agent_restart(cluster, make_framework):
    # pymesos's executor retries after 2, 4, 8 s...: give it more than Mesos's default 2 s.
    cluster.agent_flags.append("--executor_reregistration_timeout=40secs")
    check_recovery(cluster, make_framework)


def test_isolated_containers_survive_an_agent_restart(make_cluster, make_framework):
    """The same with cgroups and a pid namespace: the cgroups are kept, and a recovered task's
    limits and kill still work."""
    cluster = start_isolated(make_cluster, "cgroups/cpu,cgroups/mem,namespaces/pid",
                             "--executor_reregistration_timeout=40secs")
    check_recovery(cluster, make_framework)
    cgroups = [p for p in Path("/sys/fs/cgroup").glob("*/**/plinth-e2e-*/*") if p.is_dir()]
    assert cgroups, "the recovered containers' cgroups are gone"


def check_recovery(cluster, make_framework):
    fw = make_framework(cluster.master_addr, checkpoint=True)
    agent_id = cluster.wait_agent_active()["id"]

    def marked(task_id: str, rest: str) -> str:
        return f"echo $$ >> {task_id}.started; {rest}"

    trigger = cluster.root / "short-may-exit"
    offer = fw.take_offer()
    fw.launch(offer, [command_task("web", agent_id, marked("web", "sleep 600")),
                      command_task("worker", agent_id, marked("worker", "sleep 600")),
                      command_task("batch", agent_id, marked("batch", "sleep 600")),
                      command_task("short", agent_id, marked("short", f"until [ -e {trigger} ]; do sleep 0.1; done; exit 3")),
                      executor_task("custom", agent_id)])
    offer = fw.take_offer()
    launch_group(fw, offer, "pod", [command_task("member", agent_id, marked("member", "sleep 600"))])
    pids = {t: running_pid(fw, t) for t in ["web", "worker", "batch", "short", "member"]}
    fw.wait_update("custom", 30, "TASK_RUNNING")
    fw.wait(lambda s: any(d.startswith(b"started custom") for _, d in s.messages), 15, "the executor's message")
    executor_pid = int(next(m.split()[-1] for m in messages(fw) if m.startswith("started custom")))
    updates_before = fw.update_count()

    kill_agent(cluster)
    trigger.touch()
    time.sleep(5)
    assert not is_alive(pids["short"])
    assert all(is_alive(pids[t]) for t in ["web", "worker", "batch", "member"]), pids
    assert is_alive(executor_pid)
    cluster.start_agent()
    assert cluster.wait_agent_active(agent_id=agent_id)["id"] == agent_id

    # The task that exited while the agent was down, with its real exit status.
    short = fw.wait_terminal("short", 30)
    assert short.state == "TASK_FAILED", short
    assert "exited with status 3" in short.get("message", ""), short
    # Nothing else ended or started again: same processes, one start each.
    time.sleep(1)
    for task_id in ["web", "worker", "batch", "member"]:
        assert is_alive(pids[task_id]), task_id
        assert start_count(cluster, task_id) == 1, task_id
        # An update whose acknowledgement had not reached the agent comes again (at least once),
        # under the same uuid; a restarted task would send a new one.
        running = {u.get("uuid") for u in fw.updates_for(task_id) if u.state == "TASK_RUNNING"}
        assert len(running) == 1, fw.updates_for(task_id)
        assert not any(s in ("TASK_LOST", "TASK_GONE", "TASK_FAILED", "TASK_KILLED") for s in fw.states(task_id))
    master_tasks = {t["id"]: t["state"] for f in cluster.state()["frameworks"] for t in f["tasks"]}
    assert all(master_tasks[t] == "TASK_RUNNING" for t in ["web", "worker", "batch", "member", "custom"]), master_tasks

    # The executor subscribes again by itself (pymesos retries with a backoff) and still runs its
    # task. Framework messages are best effort, so this one waits for the executor to be back.
    fw.wait(lambda s: any(d.startswith(b"reregistered") for _, d in s.messages), 45, "the executor's return")
    fw.driver.sendFrameworkMessage({"value": "echo"}, {"value": agent_id}, encode_data(b"finish custom"))
    assert fw.wait_terminal("custom", 15).state == "TASK_FINISHED"
    assert is_alive(executor_pid)

    # Recovered tasks are still the agent's to kill.
    fw.kill("web")
    assert fw.wait_terminal("web", 15).state == "TASK_KILLED"
    assert fw.update_count() > updates_before


def test_tasks_of_a_non_checkpointing_framework_are_lost_once(cluster, make_framework):
    fw = make_framework(cluster.master_addr, checkpoint=False)
    agent_id = cluster.wait_agent_active()["id"]
    offer = fw.take_offer()
    fw.launch(offer, [command_task("a", agent_id, "sleep 600"), command_task("b", agent_id, "sleep 600")])
    pids = [running_pid(fw, t) for t in ["a", "b"]]
    kill_agent(cluster)
    cluster.start_agent()
    for task_id in ["a", "b"]:
        assert fw.wait_terminal(task_id, 20).state == "TASK_LOST"
    time.sleep(1)
    for task_id in ["a", "b"]:
        assert fw.states(task_id).count("TASK_LOST") == 1
    assert not any(is_alive(p) for p in pids)


def test_a_stopped_agent_leaves_checkpointed_tasks_for_its_next_run(cluster, make_framework):
    """SIGTERM (an upgrade's restart) stops the agent, not the checkpointing framework's tasks;
    the other frameworks' tasks go with it."""
    keeper = make_framework(cluster.master_addr, checkpoint=True, name="keeper")
    other = make_framework(cluster.master_addr, name="other")
    agent_id = cluster.wait_agent_active()["id"]
    keeper.launch(keeper.take_offer(), [command_task("kept", agent_id, "sleep 600")])
    other.launch(other.take_offer(), [command_task("dropped", agent_id, "sleep 600")])
    kept, dropped = running_pid(keeper, "kept"), running_pid(other, "dropped")

    os.kill(cluster.agent.pid, signal.SIGTERM)
    cluster.agent.popen.wait(timeout=20)
    assert is_alive(kept)
    assert not is_alive(dropped)
    cluster.start_agent()
    assert other.wait_terminal("dropped", 20).state == "TASK_LOST"
    assert cluster.wait_agent_active(agent_id=agent_id)["id"] == agent_id
    time.sleep(1)
    assert is_alive(kept)
    assert {u.get("uuid") for u in keeper.updates_for("kept")} == {u.get("uuid") for u in keeper.updates_for("kept")
                                                                   if u.state in ("TASK_STARTING", "TASK_RUNNING")}
    assert len({u.get("uuid") for u in keeper.updates_for("kept")}) == 2, keeper.updates_for("kept")
    keeper.kill("kept")
    assert keeper.wait_terminal("kept", 15).state == "TASK_KILLED"
    assert not is_alive(kept)
