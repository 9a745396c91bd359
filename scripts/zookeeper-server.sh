#!/bin/sh
# Runs a throwaway standalone ZooKeeper in the foreground, for tests.
#
# usage: zookeeper-server.sh <port> <datadir> [tickTimeMs]
#
# Why a config file rather than ZooKeeperServerMain's "<port> <dir>" form:
# only the config file can bind the server to loopback (clientPortAddress)
# and turn off the Jetty admin server, which would otherwise grab port 8080
# and collide with other test servers. tickTime defaults to 500 ms so the
# server accepts session timeouts from 1 s (2 x tickTime) up to 10 s
# (20 x tickTime); Debian's default of 3000 ms would force >= 6 s sessions
# and make expiry tests slow.
#
# Needs Debian's `zookeeper` package (which pulls libzookeeper-java and a
# JRE): /usr/share/java/zookeeper.jar carries the rest of the class path in
# its manifest. The process is exec'd so the caller's kill reaches the JVM.
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 <port> <datadir> [tickTimeMs]" >&2
    exit 2
fi
port=$1
datadir=$2
tick=${3:-500}

jar=${ZOOKEEPER_JAR:-/usr/share/java/zookeeper.jar}
if [ ! -r "$jar" ]; then
    echo "zookeeper-server.sh: $jar not found (apt-get install zookeeper)" >&2
    exit 3
fi
command -v java >/dev/null 2>&1 || { echo "zookeeper-server.sh: java not found" >&2; exit 3; }

mkdir -p "$datadir/data"
cfg="$datadir/zoo.cfg"
cat > "$cfg" <<CFG
tickTime=$tick
dataDir=$datadir/data
clientPort=$port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,stat
CFG

# Debian ships no SLF4J binding, so the server logs nothing (SLF4J prints a
# three-line NOP warning on stderr); small heap and C1-only JIT keep startup
# quick on a 2-core machine.
exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -cp "$jar" \
    org.apache.zookeeper.server.ZooKeeperServerMain "$cfg"
