"""Finding the leading master, as libmesos's MasterDetector::create does for a driver's
`master` string (src/master/detector/): `host:port` or `master@host:port` names the one master;
`zk://[user:password@]host:port[,host:port...]/path` watches ZooKeeper, where each master
contending for leadership holds an ephemeral sequential node `json.info_<sequence>` under
`path`, whose data is its MasterInfo as JSON; the one with the lowest sequence leads."""
from __future__ import annotations

import logging
import re
import threading

from google.protobuf import json_format

from mesos.interface import mesos_pb2

from .libprocess import upid

log = logging.getLogger("mesos.native")


def create(url: str, detected):
    """A detector for `url` that calls `detected(MasterInfo or None)` on its own thread whenever
    the leader changes, once started. Raises ValueError for a URL it cannot use."""
    if url.startswith("zk://"):
        return ZooKeeperDetector(url, detected)
    if url.startswith("file://") or url in ("local", "localquiet"):
        raise ValueError(f"'{url}' is not supported by this driver")
    pid = url if url.startswith("master@") else f"master@{url}"
    if not re.fullmatch(r"master@[^@:/]+:\d+", pid):
        raise ValueError(f"Failed to parse '{url}'")
    return StandaloneDetector(pid, detected)


class StandaloneDetector:
    """One master, known from the start (MasterInfo holds only what its name says)."""

    def __init__(self, pid: str, detected):
        self.info = mesos_pb2.MasterInfo(id="", ip=0, port=int(pid.rsplit(":", 1)[1]), pid=upid(pid),
                                         hostname=pid.split("@")[1].rsplit(":", 1)[0])
        self.detected = detected

    def start(self):
        self.detected(self.info)

    def stop(self):
        pass


class ZooKeeperDetector:
    """Reads the leader's node again whenever ZooKeeper says the children or the data changed
    (and every second, in case a watch was lost with a connection)."""

    def __init__(self, url: str, detected):
        from kazoo.client import KazooClient

        match = re.fullmatch(r"zk://(?:([^@/]+)@)?([^/]+)(/.*)", url)
        if not match:
            raise ValueError(f"Failed to parse '{url}'")
        if match[3].rstrip("/") == "":
            raise ValueError("Expecting a (chroot) path for ZooKeeper ('/' is not supported)")
        self.path = match[3].rstrip("/")
        self.zk = KazooClient(hosts=match[2], auth_data=[("digest", match[1])] if match[1] else None)
        self.detected = detected
        self.changed = threading.Event()
        self.stopping = False

    def start(self):
        self.zk.start_async()  # ZooKeeper may not be up yet: the loop below waits for it
        threading.Thread(target=self._run, name="master-detector", daemon=True).start()

    def stop(self):
        self.stopping = True
        self.changed.set()

    def _watch(self, _event):
        self.changed.set()

    def _run(self):
        leader = None
        while not self.stopping:
            self.changed.clear()
            try:
                current = self._leader()
            except Exception as error:  # not connected (yet, or for now): keep the last leader
                log.debug("ZooKeeper at %s: %r", self.path, error)
            else:
                if current != leader:
                    leader = current
                    self.detected(self._parse(*leader) if leader else None)
            self.changed.wait(1.0)
        self.zk.stop()
        self.zk.close()

    def _leader(self):
        """(node, data) of the leader's node, or None while no master contends."""
        from kazoo.exceptions import NoNodeError

        try:
            children = self.zk.get_children(self.path, watch=self._watch)
        except NoNodeError:
            self.zk.exists(self.path, watch=self._watch)
            return None
        contenders = sorted((int(name.rsplit("_", 1)[1]), name) for name in children
                            if re.fullmatch(r"json\.info_\d+", name))
        if not contenders:
            return None
        node = contenders[0][1]
        try:
            data, _ = self.zk.get(f"{self.path}/{node}", watch=self._watch)
        except NoNodeError:  # it just went away: the next round finds the next leader
            self.changed.set()
            return None
        return node, data

    @staticmethod
    def _parse(node: str, data: bytes):
        try:
            info = json_format.Parse(data.decode(), mesos_pb2.MasterInfo(), ignore_unknown_fields=True)
        except (ValueError, json_format.ParseError) as error:
            log.error("Leading master's node %s does not hold a MasterInfo: %s", node, error)
            return None
        info.pid = upid(info.pid)
        log.info("A new leading master (UPID=%s) is detected", info.pid)
        return info
