"""Draining and deactivating an agent through the v1 operator API, with a pymesos framework."""
import time

from mesos_client import command_task, operator_call


def agent_entry(cluster) -> dict:
    return cluster.state()["slaves"][0]


def wait_drained(cluster, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        agent = agent_entry(cluster)
        if agent.get("drain_info", {}).get("state") == "DRAINED":
            return agent
        time.sleep(0.1)
    raise AssertionError(f"the agent never became DRAINED: {agent_entry(cluster)}")


def test_drained_agent_has_no_tasks_and_no_offers_until_reactivated(cluster, fw):
    offer = fw.take_offer()
    agent_id = offer.agent_id.value
    stubborn = command_task("stubborn", agent_id, "trap '' TERM; sleep 600")
    stubborn["kill_policy"] = {"grace_period": {"nanoseconds": 60_000_000_000}}
    fw.launch(offer, [stubborn, command_task("plain", agent_id, "sleep 600")])
    fw.wait_update("stubborn", 20, "TASK_RUNNING")
    fw.wait_update("plain", 20, "TASK_RUNNING")

    start = time.monotonic()
    reply = operator_call(cluster.master_addr, {"type": "DRAIN_AGENT", "drain_agent": {
        "agent_id": {"value": agent_id}, "max_grace_period": {"seconds": 1}}})
    assert reply.status_code == 200, reply.text
    early = operator_call(cluster.master_addr, {"type": "REACTIVATE_AGENT",
                                                "reactivate_agent": {"agent_id": {"value": agent_id}}})
    assert early.status_code == 400, early.text
    for task_id in ["stubborn", "plain"]:
        update = fw.wait_terminal(task_id, timeout=15)
        assert update.state == "TASK_KILLED", update
        assert update.get("reason") == "REASON_AGENT_DRAINING", update
    assert time.monotonic() - start < 10, "the drain did not cap the 60 s kill grace"

    agent = wait_drained(cluster)
    assert agent["deactivated"] is True, agent
    assert agent["drain_info"]["config"]["max_grace_period"] == {"nanoseconds": 1_000_000_000}, agent
    assert not [t for f in cluster.state()["frameworks"] for t in f["tasks"] if t["state"] == "TASK_RUNNING"]
    offers_before = fw.offer_count()
    time.sleep(2.5)
    assert fw.offer_count() == offers_before, "a drained agent was offered"

    reply = operator_call(cluster.master_addr, {"type": "REACTIVATE_AGENT",
                                                "reactivate_agent": {"agent_id": {"value": agent_id}}})
    assert reply.status_code == 200, reply.text
    fw.wait(lambda s: len(s.offers) > offers_before, 15, "an offer after reactivation")
    assert "drain_info" not in agent_entry(cluster)


def test_deactivate_keeps_tasks_and_stops_offers(cluster, fw):
    fw.launch_command("keeps", "sleep 600")
    fw.wait_update("keeps", 20, "TASK_RUNNING")
    agent_id = agent_entry(cluster)["id"]
    reply = operator_call(cluster.master_addr, {"type": "DEACTIVATE_AGENT",
                                                "deactivate_agent": {"agent_id": {"value": agent_id}}})
    assert reply.status_code == 200, reply.text
    assert agent_entry(cluster)["deactivated"] is True
    offers_before = fw.offer_count()
    time.sleep(2.5)
    assert fw.offer_count() == offers_before
    assert fw.states("keeps")[-1] == "TASK_RUNNING"
    unknown = operator_call(cluster.master_addr, {"type": "DEACTIVATE_AGENT",
                                                  "deactivate_agent": {"agent_id": {"value": "no-such-agent"}}})
    assert unknown.status_code == 400
    reply = operator_call(cluster.master_addr, {"type": "REACTIVATE_AGENT",
                                                "reactivate_agent": {"agent_id": {"value": agent_id}}})
    assert reply.status_code == 200, reply.text
    fw.wait(lambda s: len(s.offers) > offers_before, 15, "an offer after reactivation")
    fw.kill("keeps")
    fw.wait_terminal("keeps", timeout=15)
