"""Metrics under Mesos's names at /metrics/snapshot and GET_METRICS, and the same values as
Prometheus text at /metrics, on a master and an agent running a pymesos framework's tasks."""
import requests
from prometheus_client.parser import text_string_to_metric_families

from mesos_client import command_task, operator_call

# Values that do not move between two reads a moment apart (uptime and allocation timers do).
STABLE = ("tasks_", "slaves_", "frameworks_", "cpus_", "mem_", "disk_", "registered", "elected",
          "executors_running", "messages_launch_tasks")


def snapshot(url: str) -> dict:
    reply = requests.get(f"{url}/metrics/snapshot", timeout=10)
    assert reply.status_code == 200
    return reply.json()


def prometheus(url: str) -> dict:
    reply = requests.get(f"{url}/metrics", timeout=10)
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/plain")
    return {sample.name: sample.value
            for family in text_string_to_metric_families(reply.text) for sample in family.samples}


def assert_same(json_values: dict, prom: dict):
    checked = 0
    for name, value in json_values.items():
        if not any(part in name for part in STABLE):
            continue
        assert prom[name.replace("/", "_")] == value, name
        checked += 1
    assert checked > 10


def test_master_and_agent_metrics_count_what_ran(cluster, fw):
    offer = fw.take_offer(timeout=20)
    fw.launch(offer, [command_task("ok-1", offer.agent_id.value, "true"),
                      command_task("ok-2", offer.agent_id.value, "true"),
                      command_task("bad", offer.agent_id.value, "exit 3"),
                      command_task("long", offer.agent_id.value, "sleep 600")])
    for task in ("ok-1", "ok-2", "bad"):
        fw.wait_terminal(task, 30)
    fw.wait_update("long", 30, "TASK_RUNNING")

    master = snapshot(cluster.url)
    assert master["master/elected"] == 1
    assert master["master/tasks_finished"] == 2 and master["master/tasks_failed"] == 1
    assert master["master/tasks_running"] == 1
    assert master["master/slaves_active"] == 1 and master["master/slaves_connected"] == 1
    assert master["master/frameworks_active"] == 1
    assert master["master/cpus_total"] == 4 and 0 < master["master/cpus_used"] < 4
    assert master["master/cpus_percent"] == master["master/cpus_used"] / 4
    assert master["master/messages_launch_tasks"] >= 1 and master["master/messages_register_framework"] == 1
    assert master["master/valid_status_updates"] >= 7
    assert master["allocator/mesos/allocation_runs"] >= 1
    assert master["allocator/mesos/allocation_run_ms/count"] >= 1
    assert master["allocator/mesos/allocation_run_ms/max"] >= master["allocator/mesos/allocation_run_ms/min"]
    assert master["master/uptime_secs"] > 0
    # The snapshot's own request is on its way through the master while it is taken.
    assert master["master/event_queue_http_requests"] >= 1
    assert master["master/event_queue_messages"] >= 0 and master["master/event_queue_dispatches"] in (0, 1)

    agent = snapshot(cluster.agent_url)
    assert agent["slave/registered"] == 1
    assert agent["slave/tasks_finished"] == 2 and agent["slave/tasks_failed"] == 1
    assert agent["slave/tasks_running"] == 1
    assert agent["slave/cpus_total"] == 4 and agent["slave/cpus_used"] == 0.1

    assert_same(master, prometheus(cluster.url))
    assert_same(agent, prometheus(cluster.agent_url))

    listed = operator_call(cluster.master_addr, {"type": "GET_METRICS", "get_metrics": {}})
    assert listed.status_code == 200 and listed.json()["type"] == "GET_METRICS"
    metrics = {m["name"]: m["value"] for m in listed.json()["get_metrics"]["metrics"]}
    assert metrics["master/tasks_finished"] == 2 and metrics["master/slaves_active"] == 1
    listed = operator_call(cluster.agent_url.removeprefix("http://"), {"type": "GET_METRICS", "get_metrics": {}})
    metrics = {m["name"]: m["value"] for m in listed.json()["get_metrics"]["metrics"]}
    assert metrics["slave/tasks_finished"] == 2
