# tests/e2e/mc-lib.sh - lab setup shared by test-monitor.sh and test-capture.sh (source it
# after tests/lib.sh).
#
# mc_setup: namespace $NSM (the monitored side, interface xm0: 192.0.2.1/24, 2001:db8::1/64)
# and namespace $NSP (the traffic source, xp0: 192.0.2.2/24, 2001:db8::2/64, plus target
# addresses 198.18.0.9, 198.18.0.10 and 2001:2::7 to send from). Permanent neighbour
# entries and no DAD/router solicitation keep the link free of ARP/ND chatter, and the
# multicast listener reports that follow link-up are over before mc_setup returns, so the only
# packets xm0 receives are the ones a test sends.
mc_setup() {
	ns_new mon || return 1
	NSM=$NS
	ns_new peer || return 1
	NSP=$NS
	ip link add name xm0 netns "$NSM" type veth peer name xp0 netns "$NSP" || return 1
	local ns dev
	for ns in "$NSM" "$NSP"; do
		dev=xm0
		[ "$ns" = "$NSP" ] && dev=xp0
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.$dev.accept_dad=0 \
			net.ipv6.conf.$dev.router_solicitations=0 \
			net.ipv6.conf.$dev.mldv1_unsolicited_report_interval=10 \
			net.ipv6.conf.$dev.mldv2_unsolicited_report_interval=10 || return 1
	done
	ip -n "$NSM" addr add 192.0.2.1/24 dev xm0
	ip -n "$NSM" addr add 2001:db8::1/64 dev xm0 nodad
	ip -n "$NSP" addr add 192.0.2.2/24 dev xp0
	ip -n "$NSP" addr add 2001:db8::2/64 dev xp0 nodad
	ip -n "$NSP" addr add 198.18.0.9/32 dev xp0
	ip -n "$NSP" addr add 198.18.0.10/32 dev xp0
	ip -n "$NSP" addr add 2001:2::7/128 dev xp0 nodad
	MAC_M=$(ip -n "$NSM" -br link show xm0 | awk '{print $3}')
	MAC_P=$(ip -n "$NSP" -br link show xp0 | awk '{print $3}')
	ip -n "$NSM" neigh add 192.0.2.2 lladdr "$MAC_P" dev xm0 nud permanent
	ip -n "$NSM" neigh add 2001:db8::2 lladdr "$MAC_P" dev xm0 nud permanent
	ip -n "$NSP" neigh add 192.0.2.1 lladdr "$MAC_M" dev xp0 nud permanent
	ip -n "$NSP" neigh add 2001:db8::1 lladdr "$MAC_M" dev xp0 nud permanent
	ip -n "$NSM" link set xm0 up
	ip -n "$NSP" link set xp0 up
	# Replies (RSTs) to the target addresses go back through the peer.
	ip -n "$NSM" route add 198.18.0.0/15 via 192.0.2.2
	ip -n "$NSM" -6 route add 2001:2::/48 via 2001:db8::2
	# Link-local addresses appear once the carrier is seen (linkwatch, up to ~1 s); the
	# listener reports they trigger take ~40 ms with the 10 ms intervals set above.
	local i
	for ((i = 0; i < 50; i++)); do
		ip -n "$NSP" -6 addr show dev xp0 scope link | grep -q fe80 &&
			ip -n "$NSM" -6 addr show dev xm0 scope link | grep -q fe80 && break
		sleep 0.1
	done
	sleep 0.3
	mc_holder
}

# mc_holder: one mount namespace for every xsweep run on the monitored side.
# `ip netns exec` gives each command a fresh mount namespace (and so a fresh, empty
# bpffs), so pins would be invisible to the next command; a holder process keeps one
# (with bpffs mounted) and in_mon / `nsenter -t $MON_HOLDER -m -n` run inside it.
mc_holder() {
	ip netns exec "$NSM" bash -c 'mount -t bpf bpf /sys/fs/bpf && exec sleep 3600' &
	MON_HOLDER=$!
	on_exit "kill $MON_HOLDER"
	local i
	for ((i = 0; i < 50; i++)); do
		nsenter -t "$MON_HOLDER" -m mountpoint -q /sys/fs/bpf 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# in_mon CMD...: run CMD in the monitored namespace (net + the holder's mounts). In the
# background, use `nsenter -t "$MON_HOLDER" -m -n CMD &` so that $! is CMD's pid.
in_mon() { nsenter -t "$MON_HOLDER" -m -n "$@"; }

# mc_syn SRC SPORT DST DPORT: one TCP connection attempt from the peer (SRC:SPORT ->
# DST:DPORT, nothing listens: one SYN, answered by an RST). IPv6 addresses without [].
mc_syn() {
	local src=$1 sport=$2 dst=$3 dport=$4
	if [[ $src == *:* ]]; then
		in_ns "$NSP" socat -u OPEN:/dev/null "TCP6:[$dst]:$dport,bind=[$src]:$sport,connect-timeout=2" 2>/dev/null
	else
		in_ns "$NSP" socat -u OPEN:/dev/null "TCP4:$dst:$dport,bind=$src:$sport,connect-timeout=2" 2>/dev/null
	fi
	return 0
}

# mc_no_leftovers NAME: nothing attached to xm0, no pins of ours left in $NSM.
mc_no_leftovers() {
	local name=$1
	if ip -n "$NSM" link show xm0 | grep -q 'prog/xdp'; then
		not_ok "$name: no XDP program left on xm0"
		ip -n "$NSM" link show xm0 | sed 's/^/    # /'
	else
		ok "$name: no XDP program left on xm0"
	fi
	if in_mon test -e /sys/fs/bpf/xsweep/monitor; then
		not_ok "$name: pin directory removed"
	else
		ok "$name: pin directory removed"
	fi
}
