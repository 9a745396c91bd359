#!/usr/bin/env bash
# Three masters elected through ZooKeeper and one agent, on this machine, to watch a failover:
#
#   scripts/ha-local.sh            (Ctrl-C stops everything)
#
# Needs Debian's zookeeper package (apt-get install zookeeper). Masters listen on 5050-5052, the
# agent on 5051+10; ZooKeeper on 2181. Kill the leader (its pid is printed) and watch another
# take over: `curl -si localhost:5050/master/redirect` names the leader from any master.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
swift build --package-path "$repo" --product plinth >&2
plinth="$(swift build --package-path "$repo" --show-bin-path)/plinth"
work=$(mktemp -d /tmp/plinth-ha.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; echo "logs and work dirs: $work"' EXIT

"$repo/scripts/zookeeper-server.sh" 2181 "$work/zookeeper" > "$work/zookeeper.log" 2>&1 &
pids+=($!)
until (exec 3<>/dev/tcp/127.0.0.1/2181) 2>/dev/null; do sleep 0.2; done
zk=zk://127.0.0.1:2181/mesos   # the path the seed document's framework uses
for port in 5050 5051 5052; do
  "$plinth" master --ip=127.0.0.1 --port=$port --work_dir="$work/master-$port" --zk=$zk --quorum=2 \
    > "$work/master-$port.log" 2>&1 &
  pids+=($!)
  echo "master on :$port, pid $!"
done
"$plinth" agent --master=$zk --ip=127.0.0.1 --port=5061 --work_dir="$work/agent" > "$work/agent.log" 2>&1 &
pids+=($!)
echo "agent on :5061, pid $!"
echo "frameworks: MesosSchedulerDriver(scheduler, framework, \"$zk\"); or: $plinth execute --master=$zk --name=hi --command='echo hi'"
echo "logs: $work"
wait
