"""LAUNCH_GROUP through pymesos: a task group under the agent's built-in default executor."""
import requests

from mesos_client import command_task, scalar


def launch_group(fw, offer, executor_id: str, tasks: list[dict]) -> None:
    executor = {"executor_id": {"value": executor_id}, "type": "DEFAULT",
                "resources": [scalar("cpus", 0.1), scalar("mem", 32)]}
    operation = {"type": "LAUNCH_GROUP", "launch_group": {"executor": executor, "task_group": {"tasks": tasks}}}
    fw.driver.acceptOffers([offer.id], [operation])


def test_failing_member_kills_its_group(cluster, fw):
    offer = fw.take_offer()
    agent = offer.agent_id.value
    launch_group(fw, offer, "pod", [command_task("web", agent, "sleep 600"),
                                    command_task("sidecar", agent, "sleep 600"),
                                    command_task("migrate", agent, "sleep 1; echo migration broke >&2; exit 2")])
    for task_id in ["web", "sidecar", "migrate"]:
        fw.wait_update(task_id, 20, "TASK_RUNNING")
    master_tasks = {t["id"]: t for f in cluster.state()["frameworks"] for t in f["tasks"]}
    assert {master_tasks[t]["executor_id"] for t in ["web", "sidecar", "migrate"]} == {"pod"}
    agent_state = requests.get(cluster.agent_url + "/state", timeout=10).json()
    assert {t["executor_id"] for t in agent_state["tasks"]} == {"pod"}
    sandboxes = sorted(p.name for p in cluster.agent_dir.glob("slaves/*/frameworks/*/executors/pod/runs/*/tasks/*"))
    assert sandboxes == ["migrate", "sidecar", "web"], sandboxes

    failed = fw.wait_terminal("migrate", 20)
    assert failed.state == "TASK_FAILED", failed
    assert "migration broke" in failed.get("message", ""), failed
    for task_id in ["web", "sidecar"]:
        assert fw.wait_terminal(task_id, 20).state == "TASK_KILLED"
    fw.wait(lambda s: s.executor_losses, 15, "the default executor's FAILURE event")
    assert fw.sched.executor_losses[0][0] == "pod"


def test_invalid_group_is_rejected_whole(fw):
    offer = fw.take_offer()
    agent = offer.agent_id.value
    greedy = command_task("greedy", agent, "true", cpus=1000)
    launch_group(fw, offer, "bad-pod", [command_task("fine", agent, "true"), greedy])
    for task_id in ["fine", "greedy"]:
        update = fw.wait_terminal(task_id, 15)
        assert update.state == "TASK_ERROR", update
        assert update.get("reason") == "REASON_TASK_GROUP_INVALID", update
