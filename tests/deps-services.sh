#!/usr/bin/env bash
# tests/deps-services.sh PKG... - run by `make deps` with the packages it has just
# installed. Debian's prometheus package (wanted for promtool and for a server that the
# metrics test starts inside a lab namespace) ships a system service, and so does
# prometheus-node-exporter, which it recommends. Services that this very install brought
# are stopped and disabled, so nothing of theirs listens in the root namespace; a service
# the machine already had is left alone.
set -u

just_installed() {
	local p
	for p in "${installed[@]}"; do [ "$p" = "$1" ] && return 0; done
	return 1
}

# A package this run installed as a dependency: its file list is not older than
# prometheus's (both were unpacked by the same apt-get run).
came_with_prometheus() {
	local list=/var/lib/dpkg/info/$1.list ref=/var/lib/dpkg/info/prometheus.list
	[ -e "$list" ] && [ -e "$ref" ] && [ "$(stat -c %Y "$list")" -ge $(($(stat -c %Y "$ref") - 600)) ]
}

quiet() {
	local svc=$1
	if [ -d /run/systemd/system ]; then
		systemctl disable --now "$svc" >/dev/null 2>&1
	else
		[ -x "/etc/init.d/$svc" ] && "/etc/init.d/$svc" stop >/dev/null 2>&1
		command -v update-rc.d >/dev/null && update-rc.d "$svc" disable >/dev/null 2>&1
	fi
	echo "deps: $svc service stopped and disabled (tests start their own, in a namespace)"
}

installed=("$@")
just_installed prometheus || exit 0
quiet prometheus
came_with_prometheus prometheus-node-exporter && quiet prometheus-node-exporter
exit 0
