"""Custom executors through the v1 executor API: a pymesos executor launched by the agent."""
import sys
from pathlib import Path

from pymesos import encode_data

from mesos_client import scalar

EXECUTOR = Path(__file__).with_name("echo_executor.py")


def executor_task(task_id: str, agent_id: str, executor_id: str = "echo") -> dict:
    return {
        "task_id": {"value": task_id}, "agent_id": {"value": agent_id}, "name": task_id,
        "resources": [scalar("cpus", 0.1), scalar("mem", 32)],
        "executor": {
            "executor_id": {"value": executor_id}, "name": "echo executor",
            "command": {"value": f"{sys.executable} {EXECUTOR}"},
            "resources": [scalar("cpus", 0.1), scalar("mem", 64)],
        },
    }


def messages(fw) -> list[str]:
    with fw.sched.cond:
        return [data.decode() for _, data in fw.sched.messages]


def test_custom_executor_runs_tasks_and_exchanges_messages(cluster, fw):
    offer = fw.take_offer()
    agent_id = offer.agent_id.value
    fw.launch(offer, [executor_task("first", agent_id)])
    assert fw.wait_update("first", 30, "TASK_RUNNING").get("executor_id", {}).get("value") == "echo"
    fw.wait(lambda s: any(d.startswith(b"started first") for _, d in s.messages), 15, "the executor's message")
    first_pid = next(m.split()[-1] for m in messages(fw) if m.startswith("started first"))

    # The scheduler's message reaches the executor, whose answer comes back.
    fw.driver.sendFrameworkMessage({"value": "echo"}, {"value": agent_id}, encode_data(b"ping"))
    fw.wait(lambda s: any(d == b"echo ping" for _, d in s.messages), 15, "the echoed message")

    # A second task for the same executor ID goes to the same process.
    offer = fw.take_offer()
    fw.launch(offer, [executor_task("second", agent_id)])
    fw.wait_update("second", 30, "TASK_RUNNING")
    fw.wait(lambda s: any(d.startswith(b"started second") for _, d in s.messages), 15, "the second task's message")
    second_pid = next(m.split()[-1] for m in messages(fw) if m.startswith("started second"))
    assert second_pid == first_pid

    fw.driver.sendFrameworkMessage({"value": "echo"}, {"value": agent_id}, encode_data(b"finish first"))
    assert fw.wait_terminal("first", 15).state == "TASK_FINISHED"
    fw.kill("second")
    assert fw.wait_terminal("second", 15).state == "TASK_KILLED"
    sandbox = next(cluster.agent_dir.glob("slaves/*/frameworks/*/executors/echo/runs/*"))
    assert (sandbox / "stdout").exists()


def test_executor_exit_fails_its_tasks(cluster, fw):
    offer = fw.take_offer()
    task = executor_task("doomed", offer.agent_id.value, executor_id="crasher")
    task["executor"]["command"]["value"] = "echo executor crashing >&2; exit 3"
    fw.launch(offer, [task])
    update = fw.wait_terminal("doomed", 30)
    assert update.state == "TASK_FAILED", update
    assert update.get("reason") == "REASON_EXECUTOR_TERMINATED", update
    fw.wait(lambda s: s.executor_losses, 15, "the executor's FAILURE event")
    assert fw.sched.executor_losses[0] == ("crasher", 3 << 8)
