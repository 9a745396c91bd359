"""Frameworks on the native driver protocol (libprocess messages, as libmesos's
MesosSchedulerDriver speaks it) share the master with v1 frameworks."""
import time

import requests

from native_client import NativeScheduler


def test_native_scheduler_registers_launches_kills_reconciles_and_tears_down(cluster):
    fw = NativeScheduler(cluster.master_addr)
    try:
        registered = fw.register()
        assert registered.master_info.id and registered.master_info.port == cluster.master_port
        name, _, sender = fw.raw[0]
        assert name == "mesos.internal.FrameworkRegisteredMessage"
        assert sender == f"master@127.0.0.1:{cluster.master_port}", sender

        # A retried SUBSCRIBE (the driver retries until it hears back) registers nothing new.
        call = fw.call("SUBSCRIBE")
        call.subscribe.framework_info.CopyFrom(fw.info)
        call.ClearField("framework_id")
        assert fw.send_call(call).status_code == 202
        state = requests.get(f"{cluster.url}/master/state", timeout=10).json()
        assert [f["id"] for f in state["frameworks"]] == [fw.framework_id], state["frameworks"]

        offer, pid = fw.take_offer()
        assert pid.startswith("slave(1)@127.0.0.1:"), pid
        assert fw.launch(offer, "native-echo", "echo native").status_code == 202
        finished = fw.wait_acknowledging("native-echo", "TASK_FINISHED")
        assert finished.update.framework_id.value == fw.framework_id
        assert finished.update.slave_id.value == offer.agent_id.value
        assert finished.pid.startswith("slave(1)@"), finished.pid

        offer, _ = fw.take_offer()
        assert fw.launch(offer, "native-sleep", "sleep 100").status_code == 202
        fw.wait_acknowledging("native-sleep", "TASK_RUNNING")
        reconcile = fw.call("RECONCILE")
        reconcile.reconcile.tasks.add().task_id.value = "native-sleep"
        fw.send_call(reconcile)
        reason = fw.pb.mesos.TaskStatus.Reason.Value("REASON_RECONCILIATION")
        answer = fw.wait("StatusUpdateMessage", lambda m: m.update.status.reason == reason)
        assert answer.update.status.state == fw.pb.mesos.TaskState.Value("TASK_RUNNING")
        assert not answer.update.uuid, "the master's own answers are not acknowledged"

        kill = fw.call("KILL")
        kill.kill.task_id.value = "native-sleep"
        fw.send_call(kill)
        fw.wait_acknowledging("native-sleep", "TASK_KILLED")

        # The UI and the operator API see a native framework as any other.
        frameworks = requests.post(f"{cluster.url}/api/v1", json={"type": "GET_FRAMEWORKS"}, timeout=10).json()
        names = [f["framework_info"]["name"] for f in frameworks["get_frameworks"]["frameworks"]]
        assert names == ["native-e2e"], names

        assert fw.send_call(fw.call("TEARDOWN")).status_code == 202
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            state = requests.get(f"{cluster.url}/master/state", timeout=10).json()
            if fw.framework_id in {f["id"] for f in state["completed_frameworks"]}:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the torn-down framework is not completed")
    finally:
        fw.close()


def test_native_failover_keeps_the_framework(cluster):
    first = NativeScheduler(cluster.master_addr, process_id="scheduler(1)")
    first.info.failover_timeout = 60
    try:
        first.register()
        offer, _ = first.take_offer()
        assert first.launch(offer, "kept", "sleep 100").status_code == 202
        first.wait_acknowledging("kept", "TASK_RUNNING")
    finally:
        first.close()  # the driver's process is gone

    second = NativeScheduler(cluster.master_addr, process_id="scheduler(2)")
    second.info.failover_timeout = 60
    try:
        second.register(framework_id=first.framework_id)
        assert second.framework_id == first.framework_id
        reconcile = second.call("RECONCILE")
        second.send_call(reconcile)  # implicit: every task the master knows
        running = second.pb.mesos.TaskState.Value("TASK_RUNNING")
        update = second.wait("StatusUpdateMessage", lambda m: m.update.status.task_id.value == "kept"
                             and m.update.status.state == running)
        assert update.update.framework_id.value == first.framework_id
    finally:
        second.close()


def test_calls_before_registering_and_garbage(cluster):
    fw = NativeScheduler(cluster.master_addr)
    try:
        fw.framework_id = "not-registered"
        assert fw.send_call(fw.call("REVIVE")).status_code == 202
        error = fw.wait("FrameworkErrorMessage")
        assert "not subscribed" in error.message

        url = f"http://{cluster.master_addr}/master/mesos.scheduler.Call"
        for body in (b"\xff\xff\xff", b"\x08" * 7, b""):
            r = requests.post(url, data=body, headers={"Libprocess-From": fw.pid}, timeout=10)
            assert r.status_code == 202, r.status_code
        r = requests.post(f"http://{cluster.master_addr}/master/mesos.internal.NoSuchMessage", data=b"x",
                          headers={"Libprocess-From": fw.pid}, timeout=10)
        assert r.status_code == 202
        r = requests.post(f"http://{cluster.master_addr}/nobody/mesos.scheduler.Call", data=b"",
                          headers={"Libprocess-From": fw.pid}, timeout=10)
        assert r.status_code == 404
        r = requests.post(url, data=b"", headers={"Libprocess-From": "not a pid"}, timeout=10)
        assert r.status_code in (400, 404, 405, 415), r.status_code
        assert requests.get(f"{cluster.url}/health", timeout=5).status_code == 200
    finally:
        fw.close()
