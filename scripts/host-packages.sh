#!/usr/bin/env bash
# Installs the Debian packages the container tests use, when run as root on a machine with apt:
# busybox-static (a static /bin/busybox that the image tests pack into a `docker save` archive),
# util-linux's unshare/mount, zookeeper (with a JRE) for the high-availability tests, and chromium
# with chromium-driver for the web UI's browser tests. Without
# root nothing is installed and those tests skip.
set -uo pipefail
missing=()
if ! { [[ -x /bin/busybox ]] && ! head -c 8192 /bin/busybox | grep -q 'ld-linux'; }; then missing+=(busybox-static); fi
command -v unshare >/dev/null || missing+=(util-linux)
{ [[ -r /usr/share/java/zookeeper.jar ]] && command -v java >/dev/null; } || missing+=(zookeeper)
[[ -x /usr/lib/chromium/chromium ]] || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
((${#missing[@]})) || exit 0
if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
  echo "host-packages: missing ${missing[*]}; the tests that need them will skip" >&2
  exit 0
fi
echo "host-packages: installing ${missing[*]}" >&2
apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 \
  || echo "host-packages: could not install ${missing[*]}; the tests that need them will skip" >&2
exit 0
