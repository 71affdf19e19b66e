#!/bin/sh
# Installs the reference store `ariadne bench --compare clickhouse` measures against: Debian's
# clickhouse-server package (18.16 on Debian 12, an old release). The benchmark starts its own server
# process on loopback with a configuration and data directory of its own; the system service is not used.
set -eu

if command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/bin/clickhouse-server ] || [ -x /usr/sbin/clickhouse-server ]; then
    echo "clickhouse-server is installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    run() { "$@"; }
else
    run() { sudo "$@"; }
fi

run apt-get update
run env DEBIAN_FRONTEND=noninteractive apt-get install -y clickhouse-server
echo "clickhouse-server installed"
