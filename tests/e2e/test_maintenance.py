"""Maintenance through the v1 operator API and the legacy endpoints, against real `plinth master`
and `plinth agent` processes: a schedule drains a machine (offers carry its unavailability),
START_MAINTENANCE takes it down (its agent is removed, its tasks lost, and it may not register),
STOP_MAINTENANCE brings it back, and the schedule survives a master restart."""
import time

import requests

from mesos_client import command_task, operator_call

HOUR_NS = 3600 * 10**9


def machine_of(cluster) -> dict:
    agent = requests.get(f"{cluster.url}/master/slaves", timeout=5).json()["slaves"][0]
    return {"hostname": agent["hostname"], "ip": "127.0.0.1"}


def schedule_with(machine: dict, start_ns: int) -> dict:
    return {"windows": [{"machine_ids": [machine],
                         "unavailability": {"start": {"nanoseconds": start_ns}, "duration": {"nanoseconds": HOUR_NS}}}]}


def status(cluster) -> dict:
    reply = operator_call(cluster.master_addr, {"type": "GET_MAINTENANCE_STATUS"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["type"] == "GET_MAINTENANCE_STATUS"
    return body["get_maintenance_status"]["status"]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_schedule_drain_down_and_up(cluster, fw):
    machine = machine_of(cluster)
    offer = fw.take_offer(timeout=20)
    assert "unavailability" not in offer
    fw.launch(offer, [command_task("mt-long", offer.agent_id.value, "sleep 600")])
    fw.wait_update("mt-long", 30, "TASK_RUNNING")

    # Nothing is scheduled yet, and a machine outside the schedule cannot go down.
    reply = operator_call(cluster.master_addr, {"type": "GET_MAINTENANCE_SCHEDULE"})
    assert reply.status_code == 200 and reply.json()["get_maintenance_schedule"]["schedule"] == {"windows": []}
    assert status(cluster) == {"draining_machines": [], "down_machines": []}
    reply = operator_call(cluster.master_addr, {"type": "START_MAINTENANCE", "start_maintenance": {"machines": [machine]}})
    assert reply.status_code == 400 and "not part of a maintenance schedule" in reply.text

    # Scheduling drains the machine: outstanding offers are rescinded, new ones say when it goes.
    start = time.time_ns() + HOUR_NS
    reply = operator_call(cluster.master_addr, {"type": "UPDATE_MAINTENANCE_SCHEDULE",
                                                "update_maintenance_schedule": {"schedule": schedule_with(machine, start)}})
    assert reply.status_code == 200, reply.text
    got = operator_call(cluster.master_addr, {"type": "GET_MAINTENANCE_SCHEDULE"}).json()
    assert got["get_maintenance_schedule"]["schedule"] == schedule_with(machine, start)
    assert status(cluster)["draining_machines"] == [{"id": {"hostname": machine["hostname"].lower(), "ip": "127.0.0.1"},
                                                      "statuses": []}]
    offer = fw.wait(lambda s: next((o for o in list(s.pending) if "unavailability" in o), None), 20,
                    "an offer with unavailability")
    assert offer["unavailability"]["start"]["nanoseconds"] == start
    assert offer["unavailability"]["duration"]["nanoseconds"] == HOUR_NS

    # Bad schedules are refused and change nothing.
    for bad, message in (({"windows": [{"machine_ids": [], "unavailability": {"start": {"nanoseconds": 0}}}]}, "empty"),
                         ({"windows": [{"machine_ids": [{}], "unavailability": {"start": {"nanoseconds": 0}}}]}, "hostname or an IP"),
                         ({"windows": [{"machine_ids": [machine, machine], "unavailability": {"start": {"nanoseconds": 0}}}]}, "more than once")):
        reply = operator_call(cluster.master_addr, {"type": "UPDATE_MAINTENANCE_SCHEDULE",
                                                    "update_maintenance_schedule": {"schedule": bad}})
        assert reply.status_code == 400 and message in reply.text, reply.text
    assert requests.get(f"{cluster.url}/master/maintenance/schedule", timeout=5).json() == schedule_with(machine, start)

    # Down: the agent is removed, its task lost, and it is turned away when it tries again.
    reply = operator_call(cluster.master_addr, {"type": "START_MAINTENANCE", "start_maintenance": {"machines": [machine]}})
    assert reply.status_code == 200, reply.text
    lost = fw.wait_update("mt-long", 20, "TASK_LOST")
    assert lost.reason == "REASON_AGENT_REMOVED"
    assert status(cluster) == {"draining_machines": [],
                               "down_machines": [{"hostname": machine["hostname"].lower(), "ip": "127.0.0.1"}]}
    assert requests.get(f"{cluster.url}/master/maintenance/status", timeout=5).json()["down_machines"]
    time.sleep(3)  # the agent retries registration meanwhile
    assert cluster.state()["slaves"] == []
    # A machine that is down must stay in the schedule.
    reply = operator_call(cluster.master_addr, {"type": "UPDATE_MAINTENANCE_SCHEDULE",
                                                "update_maintenance_schedule": {"schedule": {"windows": []}}})
    assert reply.status_code == 400 and "must be present in the schedule" in reply.text

    # Up: the machine leaves the schedule and its agent registers again.
    reply = operator_call(cluster.master_addr, {"type": "STOP_MAINTENANCE", "stop_maintenance": {"machines": [machine]}})
    assert reply.status_code == 200, reply.text
    cluster.wait_agent_active(30)
    assert status(cluster) == {"draining_machines": [], "down_machines": []}
    assert requests.get(f"{cluster.url}/master/maintenance/schedule", timeout=5).json() == {"windows": []}
    reply = operator_call(cluster.master_addr, {"type": "STOP_MAINTENANCE", "stop_maintenance": {"machines": [machine]}})
    assert reply.status_code == 400 and "not in DOWN mode" in reply.text


def test_legacy_endpoints_and_restart(cluster):
    machine = machine_of(cluster)
    url = cluster.url
    schedule = schedule_with(machine, time.time_ns())
    reply = requests.post(f"{url}/master/maintenance/schedule", json=schedule, timeout=5)
    assert reply.status_code == 200, reply.text
    assert requests.post(f"{url}/master/maintenance/schedule", data="{not json", timeout=5).status_code == 400
    assert requests.post(f"{url}/master/machine/down", json=[{"hostname": "elsewhere", "ip": "10.0.0.9"}],
                         timeout=5).status_code == 400
    assert requests.post(f"{url}/master/machine/down", json=[machine], timeout=5).status_code == 200
    wait_for(lambda: cluster.state()["slaves"] == [], 10, "the agent's removal")

    # The registry keeps the schedule and the down machine across a master restart.
    cluster.restart_master()
    assert requests.get(f"{url}/master/maintenance/schedule", timeout=5).json() == schedule
    assert requests.get(f"{url}/master/maintenance/status?jsonp=cb", timeout=5).text.startswith("cb(")
    time.sleep(3)
    assert cluster.state()["slaves"] == [], "an agent from a machine that is down registered"

    assert requests.post(f"{url}/master/machine/up", json=[machine], timeout=5).status_code == 200
    cluster.wait_agent_active(30)
