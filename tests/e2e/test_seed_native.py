"""The seed document's framework, written against libmesos's native Python API (mesos_pb2,
mesos.native.MesosSchedulerDriver), runs as a program on the pure-Python native driver in
native_shim/: found through ZooKeeper as the document has it, and given a master's address.
The same driver, in-process, follows a master failover and hands its framework to another."""
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import run_cli
from plinth_procs import master_state
from test_ha import HACluster, ZooKeeperServer, zookeeper_installed

sys.path.insert(0, str(Path(__file__).with_name("native_shim")))
from mesos.interface import Scheduler, mesos_pb2  # noqa: E402
from mesos.native import MesosSchedulerDriver  # noqa: E402

SEED = Path(__file__).with_name("seed_native_framework.py")
TASKS = 5


def run_seed(master: str, tmp_path: Path, registry: list, tasks: int = TASKS, timeout: float = 90) -> str:
    """Runs the seed framework to its end and checks it ran every task to TASK_FINISHED."""
    code, out, err = run_cli([sys.executable, str(SEED), master, f"--tasks={tasks}", f"--timeout={timeout}"],
                             tmp_path / "seed-native.log", registry, timeout=timeout + 30)
    lines = out.splitlines()
    assert code == 0 and lines[-1] == f"{tasks} passed, 0 failed", f"exit {code}\n{out}\n{err}"
    assert lines[0].startswith("Registered with framework id: "), out
    assert "driver DRIVER_STOPPED" in lines, out
    for i in range(tasks):
        assert f"task {i} -> TASK_FINISHED" in lines, out
    return lines[0].rsplit(" ", 1)[1]


def assert_ran(url: str, framework_id: str, sandboxes: Path):
    """The framework is torn down (driver.stop()) and each task printed the greeting."""
    deadline = time.monotonic() + 10
    while True:
        state = master_state(url)
        completed = {f["id"]: f for f in state["completed_frameworks"]}
        if framework_id in completed or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert framework_id in completed, "the stopped framework was not torn down"
    framework = completed[framework_id]
    assert framework["name"] == "MyFramework"
    finished = [t for t in framework["completed_tasks"] if t["state"] == "TASK_FINISHED"]
    assert sorted(t["id"] for t in finished) == [str(i) for i in range(TASKS)], framework["completed_tasks"]
    for i in range(TASKS):
        files = list(sandboxes.glob(f"**/frameworks/{framework_id}/executors/{i}/runs/*/stdout"))
        assert files and all("Hello, Mesos!" in f.read_text(errors="replace") for f in files), (i, files)


@pytest.fixture
def ha(plinth_bin, tmp_path, proc_registry):
    """Two masters contending in ZooKeeper and one agent, registered with the leader."""
    if not zookeeper_installed():
        pytest.skip("ZooKeeper is not installed (Debian: apt-get install zookeeper)")
    zookeeper = ZooKeeperServer(tmp_path, proc_registry).start()
    cluster = HACluster(plinth_bin, tmp_path, proc_registry, zookeeper.hosts, masters=2, agents=1)
    try:
        leader = cluster.leader_port()
        deadline = time.monotonic() + 30
        while not [a for a in master_state(f"http://127.0.0.1:{leader}")["slaves"] if a["active"]]:
            assert time.monotonic() < deadline, "the agent did not register"
            time.sleep(0.2)
        yield cluster
    finally:
        cluster.stop()
        zookeeper.stop()


def test_seed_native_framework_through_zookeeper(ha, tmp_path, proc_registry):
    """The driver finds the leader of the two masters from `zk://`."""
    framework_id = run_seed(ha.zk_url, tmp_path, proc_registry)
    assert_ran(f"http://127.0.0.1:{ha.leader_port()}", framework_id, tmp_path / "agent-0")


def test_seed_native_framework_given_the_masters_address(cluster, tmp_path, proc_registry):
    framework_id = run_seed(cluster.master_addr, tmp_path, proc_registry)
    assert_ran(cluster.url, framework_id, cluster.agent_dir)


class Recorder(Scheduler):
    """Records the callbacks as (name, details...), each offer as ("offer", Offer)."""

    def __init__(self):
        self.events = []
        self.taken = set()  # the offers launched on
        self.cond = threading.Condition()

    def _note(self, *event):
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def registered(self, driver, framework_id, master_info):
        self._note("registered", framework_id.value, master_info.pid)

    def reregistered(self, driver, master_info):
        self._note("reregistered", master_info.pid)

    def disconnected(self, driver):
        self._note("disconnected")

    def resourceOffers(self, driver, offers):
        for offer in offers:
            self._note("offer", offer)

    def statusUpdate(self, driver, status):
        self._note("update", status.task_id.value, mesos_pb2.TaskState.Name(status.state))

    def error(self, driver, message):
        self._note("error", message)

    def wait(self, *prefix, after=0, timeout=30):
        """The index of the first event from `after` on that starts with `prefix`."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i, event in enumerate(self.events[after:], after):
                    if event[:len(prefix)] == prefix:
                        return i
                assert self.cond.wait(deadline - time.monotonic()), f"no {prefix}; got {self.events}"

    def launch(self, driver, task_id, command, after=0):
        """Launches the task on an offer made after event `after`."""
        def fresh():
            return [e[1] for e in self.events[after:] if e[0] == "offer" and e[1].id.value not in self.taken]
        with self.cond:
            assert self.cond.wait_for(fresh, 30), f"no offer; got {self.events}"
            offer = fresh()[0]
            self.taken.add(offer.id.value)
        task = mesos_pb2.TaskInfo(name=task_id)
        task.task_id.value, task.slave_id.value, task.command.value = task_id, offer.slave_id.value, command
        for name, value in (("cpus", 0.1), ("mem", 32)):
            task.resources.add(name=name, type=mesos_pb2.Value.SCALAR).scalar.value = value
        assert driver.launchTasks(offer.id, [task]) == mesos_pb2.DRIVER_RUNNING


def test_native_driver_follows_a_master_failover_and_fails_over_itself(ha):
    """The leader is killed: the driver is told `disconnected`, finds the next leader in
    ZooKeeper and registers there again with its framework ID; its task runs on. Then it stops
    with failover=True and a second driver, given the framework's ID, takes the framework over."""
    framework = mesos_pb2.FrameworkInfo(user="", name="native-failover", failover_timeout=60)
    first = Recorder()
    driver = MesosSchedulerDriver(first, framework, ha.zk_url)
    assert driver.start() == mesos_pb2.DRIVER_RUNNING
    try:
        framework_id = first.events[first.wait("registered")][1]
        first.launch(driver, "sleeper", "sleep 600")
        first.wait("update", "sleeper", "TASK_RUNNING")

        leader = ha.leader_port()
        ha.masters[leader].killpg(signal.SIGKILL)
        ha.masters[leader].popen.wait(timeout=10)
        # As from Mesos (MESOS-786): a framework that comes back after a master failover, or
        # that fails over to a new driver, is told FrameworkRegisteredMessage: `registered`.
        again = first.wait("registered", after=first.wait("disconnected"))
        assert first.events[again][-1] == f"master@127.0.0.1:{ha.leader_port()}", first.events[again]
        first.launch(driver, "after", "true", after=again)
        first.wait("update", "after", "TASK_FINISHED")
        assert ("update", "sleeper", "TASK_LOST") not in first.events
    finally:
        stopped = driver.stop(failover=True)
    assert stopped == mesos_pb2.DRIVER_STOPPED and driver.join() == mesos_pb2.DRIVER_STOPPED

    framework.id.value = framework_id
    second = Recorder()
    driver = MesosSchedulerDriver(second, framework, ha.zk_url)
    driver.start()
    try:
        second.wait("registered")
        status = mesos_pb2.TaskStatus(state=mesos_pb2.TASK_RUNNING)
        status.task_id.value = "sleeper"
        driver.reconcileTasks([status])
        second.wait("update", "sleeper", "TASK_RUNNING")
        driver.killTask(status.task_id)
        second.wait("update", "sleeper", "TASK_KILLED")
    finally:
        driver.stop()
    assert driver.join() == mesos_pb2.DRIVER_STOPPED
    url = f"http://127.0.0.1:{ha.leader_port()}"
    deadline = time.monotonic() + 10
    while framework_id not in {f["id"] for f in master_state(url)["completed_frameworks"]}:
        assert time.monotonic() < deadline, "stop() did not tear the framework down"
        time.sleep(0.2)


def test_a_master_that_does_not_lead_drops_native_messages(ha):
    """As Mesos's: a standby master drops every message (a driver finds the leader through
    ZooKeeper, as the tests above do), so a driver that reached it registers nowhere."""
    from native_client import NativeScheduler
    leader = ha.leader_port()
    standby = next(port for port in ha.masters if port != leader)
    fw = NativeScheduler(f"127.0.0.1:{standby}", name="to-the-standby")
    try:
        call = fw.call("SUBSCRIBE")
        call.subscribe.framework_info.CopyFrom(fw.info)
        assert fw.send_call(call).status_code == 202
        time.sleep(2)
        assert fw.received == [], fw.received
        names = [f["name"] for f in master_state(f"http://127.0.0.1:{leader}")["frameworks"]]
        assert "to-the-standby" not in names, names
    finally:
        fw.close()
