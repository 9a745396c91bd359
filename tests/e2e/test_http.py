"""The scheduler endpoint refuses malformed requests without harm; /version and /state shapes."""
import requests

from mesos_client import post_call

REVIVE = {"type": "REVIVE", "framework_id": {"value": "no-such-framework"}}


def test_malformed_requests_are_refused(cluster, make_framework):
    addr = cluster.master_addr

    r = post_call(addr, '{"type": "SUBSCRIBE", ')
    assert r.status_code == 400, (r.status_code, r.text)
    assert r.text.strip(), "a 400 should explain what was wrong"

    r = requests.get(f"{cluster.url}/api/v1/scheduler", timeout=10)
    assert r.status_code == 405, (r.status_code, r.text)

    r = post_call(addr, REVIVE, content_type="text/plain")
    assert r.status_code == 415, (r.status_code, r.text)

    r = post_call(addr, REVIVE, content_type=None)
    assert r.status_code == 400, ("no Content-Type", r.status_code, r.text)

    r = post_call(addr, REVIVE)  # a non-SUBSCRIBE call without Mesos-Stream-Id
    assert r.status_code == 400, (r.status_code, r.text)

    assert requests.get(f"{cluster.url}/health", timeout=5).status_code == 200
    fw = make_framework(addr)
    offer = fw.take_offer()
    assert offer.agent_id.value


def test_calls_need_the_frameworks_stream_id(cluster, fw):
    revive = {"type": "REVIVE", "framework_id": {"value": fw.framework_id}}
    r = post_call(cluster.master_addr, revive)
    assert r.status_code == 400, ("no Mesos-Stream-Id", r.status_code, r.text)
    r = post_call(cluster.master_addr, revive, headers={"Mesos-Stream-Id": "not-the-stream"})
    assert r.status_code == 400, ("wrong Mesos-Stream-Id", r.status_code, r.text)

    fw.driver.reviveOffers()  # the driver's own calls still work
    assert fw.take_offer().agent_id.value
    assert not fw.sched.errors and fw.sched.disconnections == 0, fw.sched.errors


def test_version_is_numeric(cluster):
    body = requests.get(f"{cluster.url}/version", timeout=5).json()
    parts = tuple(int(n) for n in body["version"].split("."))
    assert parts == (1, 11, 0), body


def test_state_shape(cluster):
    for path in ("/master/state", "/state"):
        state = requests.get(cluster.url + path, timeout=5).json()
        for key in ("frameworks", "completed_frameworks", "slaves"):
            assert isinstance(state.get(key), list), (path, key, state.get(key))
        (agent,) = state["slaves"]
        assert agent["active"] is True
        for key in ("id", "hostname", "resources", "used_resources"):
            assert key in agent, (path, key, agent)
        assert agent["resources"]["cpus"] == 4, agent["resources"]
