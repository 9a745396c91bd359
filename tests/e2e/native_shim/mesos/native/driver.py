"""MesosSchedulerDriver: libmesos's scheduler driver (src/sched/sched.cpp, Mesos 1.11) and its
Python binding, in pure Python, over the same native protocol.

As in libmesos, the driver is one libprocess process that handles everything in order on one
thread: the master's messages (which run the scheduler's callbacks), the detector's leader
changes and the work of the driver's calls. A call made from any thread (a callback included)
checks the driver's status, copies its arguments, and queues its work; it returns at once.

The master's messages are the v1-typed `mesos.internal` messages (native_client.internal());
callbacks get them as v0 `mesos_pb2` objects, parsed from the same bytes. What the driver sends
to the master is `mesos.scheduler.Call` (v0 scheduler_pb2), `DeactivateFrameworkMessage` on
abort; framework messages go straight to the executor's agent when an offer named its pid."""
from __future__ import annotations

import getpass
import logging
import queue
import random
import socket
import sys
import threading
import time
import traceback
from pathlib import Path

from mesos.interface import SchedulerDriver, mesos_pb2, scheduler_pb2

from . import detector
from .libprocess import Process, upid

sys.path.append(str(Path(__file__).resolve().parents[3]))  # tests/e2e, for native_client
from native_client import internal  # noqa: E402

log = logging.getLogger("mesos.native")

DRIVER_NOT_STARTED, DRIVER_RUNNING, DRIVER_ABORTED, DRIVER_STOPPED = (
    mesos_pb2.DRIVER_NOT_STARTED, mesos_pb2.DRIVER_RUNNING, mesos_pb2.DRIVER_ABORTED, mesos_pb2.DRIVER_STOPPED)

REGISTRATION_BACKOFF_FACTOR = 2.0  # s: DEFAULT_REGISTRATION_BACKOFF_FACTOR (sched/constants.hpp)
REGISTRATION_RETRY_INTERVAL_MAX = 60.0  # s: REGISTRATION_RETRY_INTERVAL_MAX


def _read(cls, message):
    """`message` (any protobuf object with the same fields) as a new `cls`: the copy the
    binding's readPythonProtobuf makes, which also raises for a missing required field."""
    try:
        return cls.FromString(message.SerializeToString())
    except Exception as error:
        raise TypeError(f"Could not deserialize Python {cls.__name__}: {error}") from None


def _v0(cls, v1_message):
    """A received v1-typed message as its v0 class (same field numbers, same bytes)."""
    converted = cls()
    converted.MergeFromString(v1_message.SerializePartialToString())
    return converted


class MesosSchedulerDriver(SchedulerDriver):
    def __init__(self, scheduler, framework, master: str, implicitAcknowledgements=True, credential=None):
        if credential is not None:
            raise NotImplementedError("authentication (a Credential) is not supported by this driver")
        self.scheduler = scheduler
        self.framework = _read(mesos_pb2.FrameworkInfo, framework)
        # fillMissingFrameworkInfoFields: the user and hostname the driver runs as.
        self.framework.user = self.framework.user or getpass.getuser()
        self.framework.hostname = self.framework.hostname or socket.gethostname()
        self.master = master
        self.implicit_acknowledgements = bool(implicitAcknowledgements)
        self.status = DRIVER_NOT_STARTED
        self._lock = threading.RLock()
        self._latch = threading.Event()  # set once stopped or aborted: join() waits for it
        self._queue: queue.Queue = queue.Queue()
        self._internal = internal()
        self._process: Process | None = None
        self._detector = None
        # The process's state, touched only on its thread; but stop() and abort() clear
        # `_running` at once, so that no callback follows them.
        self._running = False
        self._stopped = False
        self._connected = False
        self._failover = bool(self.framework.id.value)  # a framework ID given: fail over to it
        self._master = None  # the leading master's MasterInfo
        self._registration = 0  # counts registration rounds; a retry of an earlier one is void
        self._saved_offers: dict[str, dict[str, str]] = {}  # offer -> agent -> agent's pid
        self._saved_agent_pids: dict[str, str] = {}  # agent -> pid, for agents running our tasks

    # ----------------------------------------------------------------- lifecycle

    def start(self):
        with self._lock:
            if self.status != DRIVER_NOT_STARTED:
                return self.status
            try:
                self._detector = detector.create(self.master, lambda info: self._dispatch(self._detected, info))
            except ValueError as error:
                self.status = DRIVER_ABORTED
                self.scheduler.error(self, f"Failed to create a master detector for '{self.master}': {error}")
                return self.status
            self._process = Process(lambda name, body, sender: self._dispatch(self._receive, name, body, sender))
            self._running = True
            threading.Thread(target=self._work, name=self._process.id, daemon=True).start()
            self._detector.start()
            self.status = DRIVER_RUNNING
            return self.status

    def stop(self, failover=False):
        """failover=False tears the framework down (its tasks are killed); True leaves it to
        fail over to another driver within its failover timeout."""
        with self._lock:
            if self.status not in (DRIVER_RUNNING, DRIVER_ABORTED):
                return self.status
            if self._process is not None:
                self._running = False
                self._dispatch(self._stop, bool(failover))
            aborted = self.status == DRIVER_ABORTED
            self.status = DRIVER_STOPPED
            return DRIVER_ABORTED if aborted else DRIVER_STOPPED

    def abort(self):
        with self._lock:
            if self.status != DRIVER_RUNNING:
                return self.status
            self._running = False
            self._dispatch(self._abort)
            self.status = DRIVER_ABORTED
            return self.status

    def join(self):
        with self._lock:
            if self._process is None:
                return self.status
        self._latch.wait()
        with self._lock:
            return self.status

    def run(self):
        status = self.start()
        return status if status != DRIVER_RUNNING else self.join()

    # ----------------------------------------------------------------- calls

    def _api(self, work, *args):
        with self._lock:
            if self.status == DRIVER_RUNNING:
                self._dispatch(work, *args)
            return self.status

    def requestResources(self, requests):
        return self._api(self._call_with, "REQUEST", lambda call: call.request.requests.extend(
            [_read(mesos_pb2.Request, r) for r in requests]))

    def launchTasks(self, offerIds, tasks, filters=None):
        """One offer ID or a list of them, as the binding takes it."""
        operation = mesos_pb2.Offer.Operation(type=mesos_pb2.Offer.Operation.LAUNCH)
        operation.launch.task_infos.extend([_read(mesos_pb2.TaskInfo, task) for task in tasks])
        return self.acceptOffers(offerIds if isinstance(offerIds, list) else [offerIds], [operation], filters)

    def acceptOffers(self, offerIds, operations, filters=None):
        operations = [_read(mesos_pb2.Offer.Operation, operation) for operation in operations]
        if any(operation.HasField("id") for operation in operations):
            raise ValueError("An offer operation's 'id' field was set, which is disallowed because the "
                             "SchedulerDriver cannot handle offer operation status updates")
        return self._api(self._accept, [_read(mesos_pb2.OfferID, i) for i in offerIds], operations,
                         _read(mesos_pb2.Filters, filters or mesos_pb2.Filters()))

    def declineOffer(self, offerId, filters=None):
        offer_id, filters = _read(mesos_pb2.OfferID, offerId), _read(mesos_pb2.Filters, filters or mesos_pb2.Filters())

        def fill(call):
            self._saved_offers.pop(offer_id.value, None)
            call.decline.offer_ids.add().CopyFrom(offer_id)
            call.decline.filters.CopyFrom(filters)
        return self._api(self._call_with, "DECLINE", fill)

    def killTask(self, taskId):
        task_id = _read(mesos_pb2.TaskID, taskId)
        return self._api(self._call_with, "KILL", lambda call: call.kill.task_id.CopyFrom(task_id))

    def reviveOffers(self, roles=None):
        """All roles, or the roles given (none given: nothing to do, as in libmesos)."""
        return self._roles_call("REVIVE", "revive", roles)

    def suppressOffers(self, roles=None):
        return self._roles_call("SUPPRESS", "suppress", roles)

    def _roles_call(self, kind, field, roles):
        # libmesos also keeps the suppressed roles to send with its next SUBSCRIBE; not done here.
        if roles is not None and not list(roles):
            return self.status
        roles = list(roles or [])
        return self._api(self._call_with, kind, lambda call: getattr(call, field).roles.extend(roles))

    def acknowledgeStatusUpdate(self, status):
        status = _read(mesos_pb2.TaskStatus, status)
        with self._lock:
            if self.status != DRIVER_RUNNING:
                return self.status
            if self.implicit_acknowledgements:  # libmesos aborts the whole process here
                raise RuntimeError("Cannot call acknowledgeStatusUpdate: Implicit acknowledgements are enabled")
            if not (status.HasField("uuid") and status.HasField("slave_id")):
                return self.status  # from the master or the driver: nothing to acknowledge

            def fill(call):
                call.acknowledge.slave_id.CopyFrom(status.slave_id)
                call.acknowledge.task_id.CopyFrom(status.task_id)
                call.acknowledge.uuid = status.uuid
            return self._api(self._call_with, "ACKNOWLEDGE", fill)

    def sendFrameworkMessage(self, executorId, slaveId, data):
        executor_id, agent_id = _read(mesos_pb2.ExecutorID, executorId), _read(mesos_pb2.SlaveID, slaveId)
        data = data.encode() if isinstance(data, str) else bytes(data)
        return self._api(self._framework_message, executor_id, agent_id, data)

    def reconcileTasks(self, tasks):
        statuses = [_read(mesos_pb2.TaskStatus, status) for status in tasks]

        def fill(call):
            for status in statuses:
                task = call.reconcile.tasks.add()
                task.task_id.CopyFrom(status.task_id)
                if status.HasField("slave_id"):
                    task.slave_id.CopyFrom(status.slave_id)
        return self._api(self._call_with, "RECONCILE", fill)

    # ----------------------------------------------------------------- the process

    def _dispatch(self, work, *args):
        self._queue.put((work, args))

    def _work(self):
        while not self._stopped:
            work, args = self._queue.get()
            try:
                work(*args)
            except Exception:
                log.exception("Driver %s failed in %s", self._process.pid, work.__name__)

    def _callback(self, name, *args):
        """A scheduler callback. One that raises (or is missing) aborts the driver, as in the
        binding (which prints the error too)."""
        try:
            getattr(self.scheduler, name)(self, *args)
        except Exception:
            print(f"Failed to call scheduler's {name}", file=sys.stderr)
            traceback.print_exc()
            self.abort()

    def _send(self, message, to=None):
        self._process.send(to or self._master.pid, message)

    def _call(self, kind):
        call = scheduler_pb2.Call(type=scheduler_pb2.Call.Type.Value(kind))
        call.framework_id.CopyFrom(self.framework.id)
        return call

    def _call_with(self, kind, fill):
        """The work of the calls that only need the master connected (KILL, REVIVE, ...)."""
        if not self._connected:
            return log.info("Ignoring %s as master is disconnected", kind)
        call = self._call(kind)
        fill(call)
        self._send(call)

    def _stop(self, failover):
        if self._connected and not failover:
            self._send(self._call("TEARDOWN"))
        self._detector.stop()
        self._process.close()
        self._stopped = True
        self._latch.set()

    def _abort(self):
        if self._connected:
            message = self._internal.DeactivateFrameworkMessage()
            message.framework_id.value = self.framework.id.value
            self._send(message)
        self._latch.set()

    # -- registration

    def _detected(self, info):
        if not self._running:
            return
        if self._connected:  # whichever master leads now, the driver registers again
            self._callback("disconnected")
        self._connected = False
        self._master = info
        self._registration += 1
        if info is None:
            return log.info("No master detected")
        log.info("New master detected at %s", info.pid)
        self._register(REGISTRATION_BACKOFF_FACTOR, self._registration)

    def _register(self, max_backoff, registration):
        """SUBSCRIBE, then again after a random delay in [0, max_backoff] (doubling, bounded by a
        minute and a tenth of the failover timeout) until the master answers."""
        if not self._running or self._connected or self._master is None or registration != self._registration:
            return
        call = self._call("SUBSCRIBE")
        call.subscribe.framework_info.CopyFrom(self.framework)
        if self.framework.id.value:
            call.subscribe.force = self._failover
        else:
            call.ClearField("framework_id")
        self._send(call)
        max_backoff = min(max_backoff, REGISTRATION_RETRY_INTERVAL_MAX)
        if self.framework.failover_timeout > 0:
            max_backoff = min(max_backoff, self.framework.failover_timeout / 10)
        timer = threading.Timer(max_backoff * random.random(), self._dispatch,
                                (self._register, max_backoff * 2, registration))
        timer.daemon = True
        timer.start()

    def _from_master(self, sender, what):
        """Whether a message may be handled: running, registered, and from the leading master."""
        if not self._running or not self._connected:
            return False
        if upid(sender) != self._master.pid:
            log.info("Ignoring %s from %s instead of the leading master %s", what, sender, self._master.pid)
            return False
        return True

    # -- the master's messages

    def _receive(self, name, body, sender):
        handler = getattr(self, "_on_" + name.rsplit(".", 1)[-1], None)
        if not name.startswith("mesos.internal.") or handler is None:
            return log.info("Dropping unknown message %s from %s", name, sender)
        message = getattr(self._internal, name.rsplit(".", 1)[-1])()
        try:
            message.ParseFromString(body)
        except Exception as error:
            return log.warning("Dropping a malformed %s from %s: %s", name, sender, error)
        if not message.IsInitialized():  # libprocess's C++ parse fails on these: dropped too
            return log.warning("Dropping %s from %s: missing %s", name, sender, message.FindInitializationErrors())
        handler(sender, message)

    def _on_FrameworkRegisteredMessage(self, sender, message, reregistered=False):
        if not self._running or self._connected:
            return
        if self._master is None or upid(sender) != self._master.pid:
            return log.warning("Ignoring framework registration from %s: not the leading master", sender)
        self.framework.id.CopyFrom(_v0(mesos_pb2.FrameworkID, message.framework_id))
        self._connected, self._failover = True, False
        master_info = _v0(mesos_pb2.MasterInfo, message.master_info)
        if reregistered:
            self._callback("reregistered", master_info)
        else:
            self._callback("registered", _v0(mesos_pb2.FrameworkID, message.framework_id), master_info)

    def _on_FrameworkReregisteredMessage(self, sender, message):
        self._on_FrameworkRegisteredMessage(sender, message, reregistered=True)

    def _on_ResourceOffersMessage(self, sender, message):
        if not self._from_master(sender, "resource offers") or not message.offers:
            return
        offers = [_v0(mesos_pb2.Offer, offer) for offer in message.offers]
        for offer, pid in zip(offers, message.pids):  # the agents' pids, for framework messages
            self._saved_offers.setdefault(offer.id.value, {})[offer.slave_id.value] = pid
        self._callback("resourceOffers", offers)

    def _on_RescindResourceOfferMessage(self, sender, message):
        if self._from_master(sender, "rescind offer"):
            self._saved_offers.pop(message.offer_id.value, None)
            self._callback("offerRescinded", _v0(mesos_pb2.OfferID, message.offer_id))

    def _on_StatusUpdateMessage(self, sender, message):
        if self._from_master(sender, "status update"):
            self._status_update(message.update, from_driver=False, pid=message.pid)

    def _status_update(self, update, from_driver, pid=""):
        """As libmesos: the scheduler sees the uuid only if the update has both a uuid and the
        agent's pid (so the master's own updates, and the driver's, cannot be acknowledged). With
        implicit acknowledgements the driver acknowledges an update with a uuid (or a pid) once
        the callback returns, unless the callback stopped or aborted the driver."""
        if not self._running:
            return
        status = _v0(mesos_pb2.TaskStatus, update.status)
        if update.uuid and not from_driver and pid:
            status.uuid = update.uuid
        else:
            status.ClearField("uuid")
        self._callback("statusUpdate", status)
        if self.implicit_acknowledgements and self._running and (update.uuid or (not from_driver and pid)):
            call = self._call("ACKNOWLEDGE")
            call.acknowledge.slave_id.value = update.slave_id.value
            call.acknowledge.task_id.value = update.status.task_id.value
            call.acknowledge.uuid = update.uuid
            self._send(call)

    def _on_LostSlaveMessage(self, sender, message):
        if self._from_master(sender, "lost agent"):
            self._saved_agent_pids.pop(message.slave_id.value, None)
            self._callback("slaveLost", _v0(mesos_pb2.SlaveID, message.slave_id))

    def _on_ExitedExecutorMessage(self, sender, message):
        if self._from_master(sender, "lost executor"):
            self._callback("executorLost", _v0(mesos_pb2.ExecutorID, message.executor_id),
                           _v0(mesos_pb2.SlaveID, message.slave_id), message.status)

    def _on_ExecutorToFrameworkMessage(self, sender, message):
        if self._running:  # from the master, or straight from the agent
            self._callback("frameworkMessage", _v0(mesos_pb2.ExecutorID, message.executor_id),
                           _v0(mesos_pb2.SlaveID, message.slave_id), message.data)

    def _on_FrameworkErrorMessage(self, sender, message):
        if self._running:
            self.abort()
            self._callback("error", message.message)

    # -- the work of the calls

    def _accept(self, offer_ids, operations, filters):
        launched = [task for operation in operations if operation.type == mesos_pb2.Offer.Operation.LAUNCH
                    for task in operation.launch.task_infos]
        if not self._connected:
            # Each task is answered here: TASK_DROPPED, or TASK_LOST if not partition-aware.
            aware = mesos_pb2.FrameworkInfo.Capability.PARTITION_AWARE in [c.type for c in self.framework.capabilities]
            for task in launched:
                update = self._internal.StatusUpdate(timestamp=time.time())
                update.framework_id.value = self.framework.id.value
                update.status.task_id.value = task.task_id.value
                update.status.state = mesos_pb2.TASK_DROPPED if aware else mesos_pb2.TASK_LOST
                update.status.source = mesos_pb2.TaskStatus.SOURCE_MASTER
                update.status.reason = mesos_pb2.TaskStatus.REASON_MASTER_DISCONNECTED
                update.status.message = "Master disconnected"
                self._status_update(update, from_driver=True)
            return
        call = self._call("ACCEPT")
        call.accept.operations.extend(operations)
        for offer_id in offer_ids:
            call.accept.offer_ids.add().CopyFrom(offer_id)
            saved = self._saved_offers.pop(offer_id.value, None)
            if saved is None:
                log.warning("Attempting to accept an unknown offer %s", offer_id.value)
                continue
            for task in launched:  # keep the pids of the agents that run our tasks
                if task.slave_id.value in saved:
                    self._saved_agent_pids[task.slave_id.value] = saved[task.slave_id.value]
        call.accept.filters.CopyFrom(filters)
        self._send(call)

    def _framework_message(self, executor_id, agent_id, data):
        if not self._connected:
            return log.info("Ignoring send framework message as master is disconnected")
        agent = self._saved_agent_pids.get(agent_id.value)
        if agent:
            message = self._internal.FrameworkToExecutorMessage(data=data)
            message.slave_id.value, message.executor_id.value = agent_id.value, executor_id.value
            message.framework_id.value = self.framework.id.value
            return self._send(message, to=agent)
        call = self._call("MESSAGE")
        call.message.slave_id.CopyFrom(agent_id)
        call.message.executor_id.CopyFrom(executor_id)
        call.message.data = data
        self._send(call)
