"""Frameworks on the native driver protocol (libprocess messages, as libmesos's
MesosSchedulerDriver speaks it) share the master with v1 frameworks."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from native_client import NativeScheduler
from protobuf_client import accept_on_executor

EXECUTOR = Path(__file__).with_name("native_executor.py")


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


def framework_state(cluster, framework_id: str) -> dict:
    state = requests.get(f"{cluster.url}/master/state", timeout=10).json()
    return next(f for f in state["frameworks"] if f["id"] == framework_id)


def wait_for(predicate, what: str, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_native_failover_keeps_the_framework(cluster):
    first = NativeScheduler(cluster.master_addr, process_id="scheduler(1)")
    first.info.failover_timeout = 60
    try:
        first.register()
        offer, agent_pid = first.take_offer()
        # The whole agent's cpus and memory: the next driver gets no offer from it.
        call = first.call("ACCEPT")
        call.accept.offer_ids.add().value = offer.id.value
        operation = call.accept.operations.add(type=first.pb.mesos.Offer.Operation.Type.Value("LAUNCH"))
        task = operation.launch.task_infos.add(name="kept")
        task.task_id.value = "kept"
        task.agent_id.value = offer.agent_id.value
        task.command.value = "sleep 100"
        for name in ("cpus", "mem"):
            task.resources.add().CopyFrom(next(r for r in offer.resources if r.name == name))
        assert first.send_call(call).status_code == 202
        first.wait_acknowledging("kept", "TASK_RUNNING")
    finally:
        first.close()  # the driver's process is gone: its link breaks
    wait_for(lambda: not framework_state(cluster, first.framework_id)["connected"],
             "the master did not notice the driver's exit")

    second = NativeScheduler(cluster.master_addr, process_id="scheduler(2)")
    second.info.failover_timeout = 60
    try:
        registered = second.register(framework_id=first.framework_id)
        assert second.framework_id == first.framework_id
        assert registered.framework_id.value == first.framework_id
        reconcile = second.call("RECONCILE")
        second.send_call(reconcile)  # implicit: every task the master knows
        running = second.pb.mesos.TaskState.Value("TASK_RUNNING")
        update = second.wait("StatusUpdateMessage", lambda m: m.update.status.task_id.value == "kept"
                             and m.update.status.state == running)
        assert update.update.framework_id.value == first.framework_id

        # No offer has named the agent to this driver, yet its update carries the agent's pid
        # (without it, the driver could not acknowledge).
        assert not any(n == "ResourceOffersMessage" for n, _ in second.received)
        kill = second.call("KILL")
        kill.kill.task_id.value = "kept"
        second.send_call(kill)
        killed = second.wait_acknowledging("kept", "TASK_KILLED")
        assert killed.pid == agent_pid, (killed.pid, agent_pid)

        # A driver that did not take the framework over (no `force`: one cut off by a partition,
        # coming back) is refused while another driver has it; the framework's driver may come
        # back without `force` and is re-registered.
        stale = NativeScheduler(cluster.master_addr, process_id="scheduler(3)")
        try:
            assert stale.subscribe(first.framework_id, force=False).status_code == 202
            error = stale.wait("FrameworkErrorMessage")
            assert error.message == "Framework failed over"
        finally:
            stale.close()
        assert framework_state(cluster, first.framework_id)["connected"]
        assert not any(n == "FrameworkErrorMessage" for n, _ in second.received)
        assert second.subscribe(first.framework_id, force=False).status_code == 202
        again = second.wait("FrameworkReregisteredMessage")
        assert again.framework_id.value == first.framework_id
    finally:
        second.close()


def test_an_aborted_driver_deactivates_its_framework_until_it_subscribes_again(cluster):
    fw = NativeScheduler(cluster.master_addr)
    fw.info.failover_timeout = 60
    try:
        fw.register()
        offer, _ = fw.take_offer()
        deactivate = fw.msg.DeactivateFrameworkMessage()
        deactivate.framework_id.value = fw.framework_id
        assert fw.send("mesos.internal.DeactivateFrameworkMessage", deactivate).status_code == 202
        rescinded = fw.wait("RescindResourceOfferMessage")
        assert rescinded.offer_id.value == offer.id.value
        wait_for(lambda: not framework_state(cluster, fw.framework_id)["active"], "the framework is still active")
        assert framework_state(cluster, fw.framework_id)["connected"]

        # The same driver subscribes again (libmesos's start() after abort()): re-registered.
        call = fw.call("SUBSCRIBE")
        call.subscribe.framework_info.CopyFrom(fw.info)
        call.subscribe.framework_info.id.value = fw.framework_id
        assert fw.send_call(call).status_code == 202
        fw.wait("FrameworkReregisteredMessage")
        wait_for(lambda: framework_state(cluster, fw.framework_id)["active"], "the framework is not active again")
        fw.take_offer()
    finally:
        fw.close()


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


def launch_on_native_executor(fw, task_id: str):
    """ACCEPTs a fresh offer with a task for native_executor.py; the offer and its agent's pid."""
    offer, pid = fw.take_offer()
    call = accept_on_executor(fw.pb, fw.call("ACCEPT"), offer, task_id, "native-executor", "native executor",
                              f"{sys.executable} {EXECUTOR}")
    assert fw.send_call(call).status_code == 202
    return offer, pid


def test_native_executor_registers_runs_tasks_and_exchanges_messages(cluster):
    """Both drivers native: the scheduler launches tasks on an executor that registers with the
    agent over libprocess; framework messages go both ways, through the master and straight to
    the agent (as the driver sends them once it knows the agent's pid)."""
    fw = NativeScheduler(cluster.master_addr)
    try:
        fw.register()

        def launch(task_id: str):
            offer, pid = launch_on_native_executor(fw, task_id)
            return offer.agent_id.value, pid

        def wait_message(text: str):
            return fw.wait("ExecutorToFrameworkMessage", lambda m: m.data.decode() == text, timeout=30)

        agent_id, agent_pid = launch("first")
        running = fw.wait_acknowledging("first", "TASK_RUNNING")
        assert running.update.executor_id.value == "native-executor"
        assert running.pid == agent_pid, (running.pid, agent_pid)
        started = wait_message("started first")
        assert started.executor_id.value == "native-executor" and started.slave_id.value == agent_id
        wait_message("acknowledged first")

        message = fw.msg.FrameworkToExecutorMessage(data=b"straight")
        message.slave_id.value = agent_id
        message.framework_id.value = fw.framework_id
        message.executor_id.value = "native-executor"
        address = agent_pid.split("@", 1)[1]
        r = requests.post(f"http://{address}/slave(1)/mesos.internal.FrameworkToExecutorMessage",
                          data=message.SerializeToString(), headers={"Libprocess-From": fw.pid}, timeout=10)
        assert r.status_code == 202
        wait_message("echo straight")

        def say(text: str):
            call = fw.call("MESSAGE")
            call.message.agent_id.value = agent_id
            call.message.executor_id.value = "native-executor"
            call.message.data = text.encode()
            assert fw.send_call(call).status_code == 202

        say("through the master")
        wait_message("echo through the master")

        launch("second")
        fw.wait_acknowledging("second", "TASK_RUNNING")
        wait_message("started second")
        say("finish first")
        fw.wait_acknowledging("first", "TASK_FINISHED")
        kill = fw.call("KILL")
        kill.kill.task_id.value = "second"
        fw.send_call(kill)
        fw.wait_acknowledging("second", "TASK_KILLED")

        # The teardown shuts the executor down: it exits on ShutdownExecutorMessage.
        fw.send_call(fw.call("TEARDOWN"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            state = requests.get(f"{cluster.agent_url}/state", timeout=10).json()
            if not state["tasks"] and not subprocess.run(["pgrep", "-f", str(EXECUTOR)]).returncode == 0:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the executor did not shut down")
    finally:
        fw.close()


def test_native_executor_survives_an_agent_restart(cluster):
    """A checkpointing framework's native executor outlives a `kill -9` of its agent: the
    restarted agent asks it to register again (ReconnectExecutorMessage), and its task goes on."""
    cluster.agent_flags.append("--executor_reregistration_timeout=30secs")
    fw = NativeScheduler(cluster.master_addr)
    fw.info.checkpoint = True
    try:
        fw.register()
        offer, _ = launch_on_native_executor(fw, "kept")
        fw.wait_acknowledging("kept", "TASK_RUNNING")
        fw.wait("ExecutorToFrameworkMessage", lambda m: m.data == b"acknowledged kept", timeout=30)

        os.kill(cluster.agent.pid, signal.SIGKILL)
        cluster.agent.popen.wait(timeout=10)
        cluster.start_agent()
        fw.wait("ExecutorToFrameworkMessage", lambda m: m.data == b"reregistered", timeout=40)

        call = fw.call("MESSAGE")
        call.message.agent_id.value = offer.agent_id.value
        call.message.executor_id.value = "native-executor"
        call.message.data = b"finish kept"
        assert fw.send_call(call).status_code == 202
        fw.wait_acknowledging("kept", "TASK_FINISHED")
    finally:
        fw.close()


def test_an_older_driver_with_a_message_per_call(cluster):
    """Drivers before Mesos 1.0 send RegisterFrameworkMessage, LaunchTasksMessage, KillTaskMessage,
    StatusUpdateAcknowledgementMessage, ReconcileTasksMessage ... instead of mesos.scheduler.Call."""
    fw = NativeScheduler(cluster.master_addr, name="old-driver")
    m = fw.msg
    try:
        refused = m.RegisterFrameworkMessage(framework=fw.info)
        refused.framework.id.value = "chosen-by-me"
        fw.send("mesos.internal.RegisterFrameworkMessage", refused)
        assert "'id' already set" in fw.wait("FrameworkErrorMessage").message

        fw.send("mesos.internal.RegisterFrameworkMessage", m.RegisterFrameworkMessage(framework=fw.info))
        fw.framework_id = fw.wait("FrameworkRegisteredMessage").framework_id.value

        def launch(task_id: str, command: str):
            offer, _ = fw.take_offer()
            message = m.LaunchTasksMessage()
            message.framework_id.value = fw.framework_id
            message.offer_ids.add().value = offer.id.value
            message.filters.refuse_seconds = 1
            task = message.tasks.add(name=task_id)
            task.task_id.value = task_id
            task.agent_id.value = offer.agent_id.value
            task.command.value = command
            for name, value in (("cpus", 0.1), ("mem", 32)):
                r = task.resources.add(name=name, type=fw.pb.mesos.Value.Type.Value("SCALAR"))
                r.scalar.value = value
            assert fw.send("mesos.internal.LaunchTasksMessage", message).status_code == 202

        def acknowledge(update):
            ack = m.StatusUpdateAcknowledgementMessage(uuid=update.update.uuid)
            ack.slave_id.value = update.update.slave_id.value
            ack.framework_id.value = fw.framework_id
            ack.task_id.value = update.update.status.task_id.value
            fw.send("mesos.internal.StatusUpdateAcknowledgementMessage", ack)

        def until(task_id: str, state: str):
            """Acknowledges each update of the task (the next comes only then) until `state`."""
            want = fw.pb.mesos.TaskState.Value(state)
            acknowledged = set()
            while True:
                update = fw.wait("StatusUpdateMessage", lambda u: u.update.status.task_id.value == task_id
                                 and u.update.uuid and u.update.uuid not in acknowledged)
                acknowledged.add(update.update.uuid)
                acknowledge(update)
                if update.update.status.state == want:
                    return

        launch("old-sleep", "sleep 100")
        until("old-sleep", "TASK_RUNNING")

        reconcile = m.ReconcileTasksMessage()
        reconcile.framework_id.value = fw.framework_id
        reconcile.statuses.add(state=fw.pb.mesos.TaskState.Value("TASK_STAGING")).task_id.value = "old-sleep"
        fw.send("mesos.internal.ReconcileTasksMessage", reconcile)
        reason = fw.pb.mesos.TaskStatus.Reason.Value("REASON_RECONCILIATION")
        answer = fw.wait("StatusUpdateMessage", lambda u: u.update.status.reason == reason)
        assert answer.update.status.state == fw.pb.mesos.TaskState.Value("TASK_RUNNING")

        kill = m.KillTaskMessage()
        kill.framework_id.value = fw.framework_id
        kill.task_id.value = "old-sleep"
        fw.send("mesos.internal.KillTaskMessage", kill)
        until("old-sleep", "TASK_KILLED")

        revive = m.ReviveOffersMessage()
        revive.framework_id.value = fw.framework_id
        assert fw.send("mesos.internal.ReviveOffersMessage", revive).status_code == 202
        launch("old-echo", "echo old")
        until("old-echo", "TASK_FINISHED")
        state = requests.get(f"{cluster.url}/master/state", timeout=10).json()
        (framework,) = state["frameworks"]
        assert framework["name"] == "old-driver" and not framework["tasks"], framework

        unregister = m.UnregisterFrameworkMessage()
        unregister.framework_id.value = fw.framework_id
        fw.send("mesos.internal.UnregisterFrameworkMessage", unregister)
        deadline = time.monotonic() + 10
        while fw.framework_id not in {f["id"] for f in requests.get(f"{cluster.url}/master/state", timeout=10)
                                      .json()["completed_frameworks"]}:
            assert time.monotonic() < deadline, "the unregistered framework is not completed"
            time.sleep(0.2)
    finally:
        fw.close()


def test_a_master_and_agent_on_every_interface_advertise_a_reachable_address(make_cluster):
    """Listening on 0.0.0.0, master and agent name themselves by --advertise_ip: that is where a
    driver's messages have to go back to."""
    wide = ["--ip=0.0.0.0", "--advertise_ip=127.0.0.1"]
    cluster = make_cluster(master_flags=wide, agent_flags=wide)
    fw = NativeScheduler(cluster.master_addr)
    try:
        fw.register()
        assert fw.raw[0][2] == f"master@127.0.0.1:{cluster.master_port}", fw.raw[0][2]
        _, pid = fw.take_offer()
        assert pid == f"slave(1)@127.0.0.1:{cluster.agent_port}", pid
        flags = requests.get(f"{cluster.url}/master/flags", timeout=10).json()["flags"]
        assert flags["ip"] == "0.0.0.0" and flags["advertise_ip"] == "127.0.0.1", flags
    finally:
        fw.close()
