#!/usr/bin/env bash
# test-route6.sh - IPv6 routes and neighbours (user/net/route.c) against the kernel's real
# tables: xs_route_get6(), xs_iface_ipv6() and xs_route_resolve_macs() through the C
# checker build/tests/unit/test_route6, run inside a namespace built here (the unit tier
# runs the same binary without XS_ROUTE6_TEST=1, and it skips).
#
# Two namespaces: the scanner S and its peer P, joined by veth pairs with chosen MACs:
#   s0 <-> p0   2001:db8:6:1::1, fe80::1 <-> 2001:db8:6:1::2, fe80::2, 2001:2:0:3::7;
#               192.0.2.1 <-> 192.0.2.2 (the IPv4 route still fills family AF_INET)
#   s1 <-> p1   2001:db8:6:2::1 <-> 2001:db8:6:2::2, a second output interface
#   s2 <-> p2   only a tentative address (DAD held for minutes) and use_oif_addrs_only:
#               the kernel names no source, and none is usable
#   s3 <-> p3   link-local, then a tentative global address listed before a usable one
# Routes in S: via a global gateway, via a link-local one, with a preferred source, on
# link, out of s1 and s2, and unreachable/blackhole/prohibit/throw ones. The neighbour
# table is flushed before each resolution, so the MACs come from real NDP (or ARP).
# All traffic stays on these veth pairs; nothing is sent from the root namespace.
. "$(dirname "$0")/../lib.sh"
need_root route6

CHK=$XSWEEP_TOP/build/tests/unit/test_route6
[ -x "$CHK" ] || { not_ok "route6: $CHK missing (make tests)"; exit 1; }
ns_new r6p && P=$NS || { not_ok "route6: create namespace"; exit 1; }
ns_new r6s && S=$NS || { not_ok "route6: create namespace"; exit 1; }

# chk CASE ARGS... : the checker inside S (its ok/not ok lines are this test's).
chk() { in_ns "$S" env XS_ROUTE6_TEST=1 "$CHK" "$@" || [ $? -eq 1 ] || not_ok "route6: checker $*"; }
# No DAD and no automatic link-local addresses unless a link asks for them below.
for ns in "$S" "$P"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.addr_gen_mode=1
done
for i in 0 1 2 3; do
	ip -n "$S" link add "s$i" address "02:00:00:00:06:${i}1" type veth \
		peer name "p$i" address "02:00:00:00:06:${i}2" netns "$P"
done
# s2, s3: DAD on, one probe every 10 minutes, so their addresses stay tentative.
for i in 2 3; do
	ip netns exec "$S" sysctl -qw "net.ipv6.conf.s$i.accept_dad=1" \
		"net.ipv6.conf.s$i.dad_transmits=1" "net.ipv6.neigh.s$i.retrans_time_ms=600000"
done
ip netns exec "$S" sysctl -qw net.ipv6.conf.s2.use_oif_addrs_only=1
ip -n "$S" addr add 192.0.2.1/24 dev s0
ip -n "$S" addr add 2001:db8:6:1::1/64 dev s0 nodad
ip -n "$S" addr add fe80::1/64 dev s0 nodad
ip -n "$S" addr add 2001:db8:6:9::10/128 dev lo
ip -n "$S" addr add 2001:db8:6:2::1/64 dev s1 nodad
ip -n "$S" addr add 2001:db8:6:3::1/64 dev s2
ip -n "$S" addr add fe80::3/64 dev s3 nodad
ip -n "$P" addr add 192.0.2.2/24 dev p0
ip -n "$P" addr add 2001:db8:6:1::2/64 dev p0 nodad
ip -n "$P" addr add fe80::2/64 dev p0 nodad
ip -n "$P" addr add 2001:2:0:3::7/64 dev p0 nodad
ip -n "$P" addr add 2001:db8:6:2::2/64 dev p1 nodad
for i in 0 1 2 3; do
	ip -n "$S" link set "s$i" up
	ip -n "$P" link set "p$i" up
done
r() { ip -n "$S" "$@"; }
r -6 route add 2001:2::/48 via 2001:db8:6:1::2 dev s0 &&
	r -6 route add 2001:2:0:1::/64 via 2001:db8:6:1::2 dev s0 src 2001:db8:6:9::10 &&
	r -6 route add 2001:2:0:2::/64 via fe80::2 dev s0 &&
	r -6 route add 2001:2:0:3::/64 dev s0 &&
	r -6 route add 2001:2:0:4::/64 via 2001:db8:6:2::2 dev s1 &&
	r -6 route add 2001:2:0:5::/64 dev s2 &&
	r -6 route add unreachable 2001:2:0:ff::/64 &&
	r -6 route add blackhole 2001:2:0:fe::/64 &&
	r -6 route add prohibit 2001:2:0:fd::/64 &&
	r -6 route add throw 2001:2:0:fc::/64 &&
	r -4 route add 198.18.0.0/15 via 192.0.2.2 dev s0 &&
	r -4 route add unreachable 198.18.1.0/24 ||
	{ not_ok "route6: configure routes"; exit 1; }

# operstate comes up asynchronously (linkwatch); the routes need the carrier.
for _ in $(seq 50); do
	[ "$(r -o link show up | grep -c 'state UP')" -eq 4 ] && break
	sleep 0.1
done

# ---- routes ----
chk route 2001:2::5 s0 2001:db8:6:1::1 2001:db8:6:1::2		# kernel-selected source
chk route 2001:2:0:1::9 s0 2001:db8:6:9::10 2001:db8:6:1::2	# the route's src
chk route 2001:2:0:2::9 s0 2001:db8:6:1::1 fe80::2		# link-local gateway
chk route 2001:2:0:3::9 s0 2001:db8:6:1::1 -			# on link: next hop = dst
chk route 2001:2:0:4::9 s1 2001:db8:6:2::1 2001:db8:6:2::2	# another interface
chk route 198.18.0.5 s0 192.0.2.1 192.0.2.2			# IPv4: family AF_INET
# Unreachable, blackhole, prohibit, throw, no route at all: all -ENETUNREACH for IPv6.
for d in 2001:2:0:ff::1 2001:2:0:fe::1 2001:2:0:fd::1 2001:2:0:fc::1 2001:db8:ffff::1; do
	chk err "$d" ENETUNREACH
done
# IPv4 keeps its behaviour: the kernel's own error (unreachable: EHOSTUNREACH).
chk err 198.18.1.1 EHOSTUNREACH

# ---- source addresses when the kernel names none ----
check "route6: s2's only address is tentative" grep -q tentative <<<"$(r -6 addr show dev s2)"
check_eq "route6: the kernel names no source for the route out of s2" "" \
	"$(r -6 route get 2001:2:0:5::9 | grep -o 'src [^ ]*')"
chk err 2001:2:0:5::9 EADDRNOTAVAIL
chk addr s2 -
chk addr s3 -							# link-local only
r addr add 2001:db8:6:4::5/64 dev s3 nodad
r addr add 2001:db8:6:4::1/64 dev s3				# tentative, listed first
check_eq "route6: s3 lists the tentative address before the usable one" \
	"2001:db8:6:4::1/64 tentative|2001:db8:6:4::5/64|fe80::3/64" \
	"$(r -6 -o addr show dev s3 | awk '{ print $4 ($0 ~ /tentative/ ? " tentative" : "") }' |
		paste -sd'|')"
chk addr s3 2001:db8:6:4::5
chk addr s0 2001:db8:6:1::1

# ---- next-hop MACs from an empty neighbour table ----
# resolve NAME DST NEXTHOP DEV MAC: flush, check the entry is gone, resolve, check again.
resolve() {
	local name=$1 dst=$2 nh=$3 dev=$4 mac=$5 fam=-6
	[[ $nh == *:* ]] || fam=-4
	r "$fam" neigh flush dev "$dev"
	check_eq "route6: $name: no entry for $nh before" "" "$(r "$fam" neigh show "$nh" dev "$dev" | grep lladdr)"
	chk mac "$dst" "02:00:00:00:06:${dev#s}1" "$mac"
	check "route6: $name: the kernel's entry for $nh after" \
		grep -Eq "lladdr $mac .*(REACHABLE|STALE|DELAY|PROBE)" <<<"$(r "$fam" neigh show "$nh" dev "$dev")"
}
resolve "NDP via a global gateway" 2001:2::5 2001:db8:6:1::2 s0 02:00:00:00:06:02
resolve "NDP via a link-local gateway" 2001:2:0:2::9 fe80::2 s0 02:00:00:00:06:02
resolve "NDP on link (the target itself)" 2001:2:0:3::7 2001:2:0:3::7 s0 02:00:00:00:06:02
resolve "NDP out of s1" 2001:2:0:4::9 2001:db8:6:2::2 s1 02:00:00:00:06:12
resolve "ARP still works" 198.18.0.5 192.0.2.2 s0 02:00:00:00:06:02
chk nomac 2001:2:0:3::99 500			# on link, nobody there
