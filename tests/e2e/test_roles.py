"""Roles, weights, quota and reservations, with pymesos frameworks against real processes."""
import time

from mesos_client import command_task, operator_call, scalar


def launch_one_per_offer(frameworks, total_tasks: int, timeout: float = 60) -> dict:
    """Each framework launches one 1-cpu `sleep 600` task per offer and hands the rest back
    unfiltered, so the allocator's order decides who grows; offers too small are declined."""
    counts = {fw: 0 for fw in frameworks}
    deadline = time.monotonic() + timeout
    while sum(counts.values()) < total_tasks and time.monotonic() < deadline:
        progressed = False
        for fw in frameworks:
            with fw.sched.cond:
                offer = fw.sched.pending.popleft() if fw.sched.pending else None
            if offer is None:
                continue
            progressed = True
            cpus = sum(r.scalar.value for r in offer.resources if r.name == "cpus")
            if cpus < 1:
                fw.driver.declineOffer(offer.id, {"refuse_seconds": 60})
                continue
            task_id = f"{fw.sched_name}-{counts[fw]}"
            fw.launch(offer, [command_task(task_id, offer.agent_id.value, "sleep 600", cpus=1, mem=32)],
                      {"refuse_seconds": 0})
            counts[fw] += 1
        if not progressed:
            time.sleep(0.01)
    return counts


def test_weights_one_to_three_converge(make_cluster, make_framework):
    cluster = make_cluster(master_flags=["--weights=light=1,heavy=3"],
                           agent_resources="cpus:32;mem:8192;disk:1000")
    light = make_framework(cluster.master_addr, name="light", role="light")
    heavy = make_framework(cluster.master_addr, name="heavy", role="heavy")
    light.sched_name, heavy.sched_name = "light", "heavy"
    counts = launch_one_per_offer([light, heavy], 32)
    assert sum(counts.values()) == 32, counts
    ratio = counts[heavy] / counts[light]
    assert 2.7 <= ratio <= 3.3, f"heavy:light = {counts[heavy]}:{counts[light]}"
    roles = {r["name"]: r for r in operator_call(cluster.master_addr, {"type": "GET_ROLES"}).json()
             ["get_roles"]["roles"]}
    assert roles["heavy"]["weight"] == 3.0 and roles["light"]["weight"] == 1.0


def test_reserve_then_launch_on_the_reservation(cluster, make_framework):
    fw = make_framework(cluster.master_addr, name="eng", role="eng")
    offer = fw.take_offer()
    reserved_cpu = dict(scalar("cpus", 1), role="eng", reservation={})
    fw.driver.acceptOffers([offer.id], [{"type": "RESERVE", "reserve": {"resources": [reserved_cpu]}}],
                           {"refuse_seconds": 0})
    agent = cluster.wait_agent_active()
    deadline = time.monotonic() + 15
    while not cluster.state()["slaves"][0]["reserved_resources"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cluster.state()["slaves"][0]["reserved_resources"] == {
        "eng": {"cpus": 1.0, "gpus": 0.0, "mem": 0.0, "disk": 0.0}}, agent

    while True:
        offer = fw.take_offer()
        mine = [r for r in offer.resources if r.name == "cpus" and r.role == "eng"]
        if mine:
            break
        fw.driver.declineOffer(offer.id, {"refuse_seconds": 0})
    assert mine[0].scalar.value == 1 and "reservation" in mine[0]
    task = command_task("on-reserved", offer.agent_id.value, "echo reserved", with_resources=False)
    task["resources"] = [reserved_cpu, scalar("mem", 32)]
    fw.launch(offer, [task])
    assert fw.wait_terminal("on-reserved", 20).state == "TASK_FINISHED"


def test_reserve_of_resources_not_offered_is_refused(cluster, make_framework):
    fw = make_framework(cluster.master_addr, name="eng", role="eng")
    offer = fw.take_offer()
    too_much = dict(scalar("cpus", 64), role="eng", reservation={})
    body = {"type": "ACCEPT", "framework_id": {"value": fw.framework_id},
            "accept": {"offer_ids": [offer.id.to_dict()],
                       "operations": [{"type": "RESERVE", "reserve": {"resources": [too_much]}}]}}
    from mesos_client import post_call
    answer = post_call(cluster.master_addr, body, headers={"Mesos-Stream-Id": fw.driver.stream_id})
    assert answer.status_code == 400 and "not in the offer" in answer.text, answer.text
    assert cluster.state()["slaves"][0]["reserved_resources"] == {}


def test_weights_and_quota_survive_a_master_restart(cluster):
    weights = {"type": "UPDATE_WEIGHTS", "update_weights": {"weight_infos": [{"role": "eng", "weight": 2.5}]}}
    assert operator_call(cluster.master_addr, weights).status_code == 200
    quota = {"type": "UPDATE_QUOTA", "update_quota": {"quota_configs": [
        {"role": "eng", "guarantees": {"cpus": {"value": 1}}, "limits": {"cpus": {"value": 2}}}]}}
    answer = operator_call(cluster.master_addr, quota)
    assert answer.status_code == 200, answer.text
    bad = {"type": "UPDATE_QUOTA", "update_quota": {"quota_configs": [
        {"role": "eng", "guarantees": {"cpus": {"value": 3}}, "limits": {"cpus": {"value": 2}}}]}}
    assert operator_call(cluster.master_addr, bad).status_code == 400

    cluster.restart_master()

    got = operator_call(cluster.master_addr, {"type": "GET_WEIGHTS"}).json()
    assert got["get_weights"]["weight_infos"] == [{"weight": 2.5, "role": "eng"}]
    configs = operator_call(cluster.master_addr, {"type": "GET_QUOTA"}).json()["get_quota"]["status"]["configs"]
    assert configs == [{"role": "eng", "guarantees": {"cpus": {"value": 1.0}}, "limits": {"cpus": {"value": 2.0}}}]
    import requests
    assert requests.get(cluster.url + "/weights", timeout=10).json() == [{"weight": 2.5, "role": "eng"}]


def set_quota(master_addr: str, role: str, guarantees: dict, limits: dict | None = None):
    config = {"role": role, "guarantees": {k: {"value": v} for k, v in guarantees.items()}}
    if limits:
        config["limits"] = {k: {"value": v} for k, v in limits.items()}
    answer = operator_call(master_addr, {"type": "UPDATE_QUOTA", "update_quota": {"quota_configs": [config]}})
    assert answer.status_code == 200, answer.text


def test_quota_guarantee_is_met_while_another_framework_is_greedy(make_cluster, make_framework):
    cluster = make_cluster(agent_resources="cpus:4;mem:4096;disk:1000")
    set_quota(cluster.master_addr, "guaranteed", {"cpus": 2})
    greedy = make_framework(cluster.master_addr, name="greedy", role="greedy")
    greedy.sched_name = "greedy"
    counts = launch_one_per_offer([greedy], 4, timeout=4)
    assert counts[greedy] == 2, f"the greedy role took {counts[greedy]} cpus; 2 are held for the quota"

    owner = make_framework(cluster.master_addr, name="guaranteed", role="guaranteed")
    owner.sched_name = "guaranteed"
    counts = launch_one_per_offer([owner], 2, timeout=15)
    assert counts[owner] == 2, counts


def test_quota_limit_is_never_exceeded(make_cluster, make_framework):
    cluster = make_cluster(agent_resources="cpus:4;mem:4096;disk:1000")
    set_quota(cluster.master_addr, "capped", {}, {"cpus": 1})
    fw = make_framework(cluster.master_addr, name="capped", role="capped")
    fw.sched_name = "capped"
    counts = launch_one_per_offer([fw], 4, timeout=4)
    assert counts[fw] == 1, counts
    for offer in fw.sched.offers:
        cpus = sum(r.scalar.value for r in offer.resources if r.name == "cpus")
        assert cpus <= 1, offer
