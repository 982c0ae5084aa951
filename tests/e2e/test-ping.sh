#!/usr/bin/env bash
# tests/e2e/test-ping.sh - `xsweep ping` end to end between two throwaway namespaces.
#
# Topology (deleted on exit): scanner ns (192.0.2.1, 2001:db8::1) --veth-- responder ns
# (192.0.2.2, 2001:db8::2). The responder's kernel answers echo requests for addresses
# routed "local" to lo (AnyIP); the rest of the target ranges is blackholed (silent
# loss), 198.18.1.0/24 and 2001:2:0:1::/64 are "unreachable" routes (ICMP errors).
# nftables in the responder makes the impairments: every reply from 198.18.0.101 and
# 2001:2::3 is sent twice (dup), replies from 198.18.0.102 leave with source .103.
#   alive:  198.18.0.{1,3,..,29}, 198.18.0.64/27, 198.18.0.101-103, 2001:2::/124
#   dead:   198.18.0.{2,4,..,30}, 198.18.0.200, 2001:2::100
source "$(dirname "$0")/../lib.sh"
need_root test-ping

ns_new ping-s || exit 1
S=$NS
ns_new ping-r || exit 1
R=$NS
ip link add vS netns "$S" type veth peer name vR netns "$R" || exit 1
ip -n "$S" addr add 192.0.2.1/24 dev vS
ip -n "$R" addr add 192.0.2.2/24 dev vR
ip -n "$S" -6 addr add 2001:db8::1/64 dev vS nodad
ip -n "$R" -6 addr add 2001:db8::2/64 dev vR nodad
ip -n "$S" link set vS up
ip -n "$R" link set vR up
ip -n "$S" route add 198.18.0.0/15 via 192.0.2.2
ip -n "$S" -6 route add 2001:2::/48 via 2001:db8::2
# No ICMP error rate limit at all in the router: per destination (ratelimit) and the
# global, randomised limiter of recent kernels (ratemask: no type is limited).
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 net.ipv4.icmp_ratemask=0 \
	net.ipv6.icmp.ratemask=
for i in $(seq 1 2 29); do ip -n "$R" route add local 198.18.0.$i/32 dev lo; done
ip -n "$R" route add local 198.18.0.64/27 dev lo
for i in 101 102 103; do ip -n "$R" route add local 198.18.0.$i/32 dev lo; done
ip -n "$R" route add blackhole 198.18.0.0/15
ip -n "$R" route add unreachable 198.18.1.0/24
ip -n "$R" -6 route add local 2001:2::/124 dev lo
ip -n "$R" -6 route add blackhole 2001:2::/48
ip -n "$R" -6 route add unreachable 2001:2:0:1::/64

have_nft=0
if command -v nft >/dev/null && ip netns exec "$R" nft -f - <<'EOF'
table ip xsping {
	counter ttl1 { }
	chain pre {
		type filter hook prerouting priority 0; policy accept;
		ip daddr 198.18.0.1 ip ttl 1 icmp type echo-request counter name ttl1
	}
	chain post {
		type filter hook postrouting priority 0; policy accept;
		ip saddr 198.18.0.101 icmp type echo-reply dup to 192.0.2.1
		ip saddr 198.18.0.102 icmp type echo-reply ip saddr set 198.18.0.103
	}
}
table ip6 xsping6 {
	chain post {
		type filter hook postrouting priority 0; policy accept;
		ip6 saddr 2001:2::3 icmpv6 type echo-reply dup to 2001:db8::1
	}
}
EOF
then have_nft=1; fi

# Copies of the binary that the unprivileged user can run (setcap / setuid variants).
BIN=$(mktemp -d /tmp/xsweep-ping.XXXXXX) || exit 1
on_exit rm -rf "$BIN"
chmod 755 "$BIN"
cp "$XSWEEP" "$BIN/xsweep" && chmod 755 "$BIN/xsweep"
cp "$XSWEEP" "$BIN/xsweep-cap" && chmod 755 "$BIN/xsweep-cap"
cp "$XSWEEP" "$BIN/xsweep-suid" && chmod 4755 "$BIN/xsweep-suid"

FAST=(-i 0.05 -W 0.5)
OUT=$BIN/out ERR=$BIN/err
# xp ARGS... : xsweep ping in the scanner ns; stdout in $OUT, stderr in $ERR, rc in $RC.
xp() { in_ns "$S" "$XSWEEP" ping "$@" >"$OUT" 2>"$ERR"; RC=$?; }
# as_nobody BINARY ARGS... : the same, as an unprivileged user without capabilities.
as_nobody() {
	local bin=$1
	shift
	in_ns "$S" setpriv --reuid nobody --regid nogroup --clear-groups --inh-caps=-all \
		"$bin" ping "$@" >"$OUT" 2>"$ERR"
	RC=$?
}
count() { grep -c -- "$1" "$OUT"; }
# rtts_plausible: every "Get pong in Xms" has 0 < X < 1000 and there is at least one.
rtts_plausible() {
	grep -o 'Get pong in [0-9.]*ms' "$OUT" | sed 's/Get pong in //; s/ms//' |
		awk 'BEGIN { n = 0; bad = 0 } { n++; if ($1 <= 0 || $1 >= 1000) bad++ }
		     END { exit (n > 0 && bad == 0) ? 0 : 1 }'
}
jq_ok() { jq -e "$@" >/dev/null 2>&1; }
show() { sed 's/^/    # /' "$OUT" "$ERR" | head -${1:-20}; }

# The veth needs a moment before the first packet gets through.
for _ in $(seq 50); do
	xp -c 1 -W 0.2 -q 198.18.0.1 2001:2::1
	[ "$RC" -eq 0 ] && break
	sleep 0.1
done
check_eq "ping: lab network answers" 0 "$RC"

# --- 4 pings to an alive and to a dead address
xp -c 4 "${FAST[@]}" 198.18.0.1
check_eq "ping: alive host exits 0" 0 "$RC"
check_eq "ping: alive host gets 4 'Get pong' lines" 4 "$(count '^Ping to 198.18.0.1\.\.\. Get pong in [0-9]*\.[0-9]\{4\}ms$')"
check "ping: alive host RTTs are > 0 and < 1 s" rtts_plausible
check_eq "ping: alive host summary 4/4" 1 "$(count '^198.18.0.1: sent 4, received 4, 0% loss, rtt min/avg/max/mdev = ')"

xp -c 4 "${FAST[@]}" 198.18.0.200
check_eq "ping: dead host exits 1" 1 "$RC"
check_eq "ping: dead host gets 4 timeouts" 4 "$(count '^Ping to 198.18.0.200\.\.\. Ping failed. (timeout within 0.5sec.)$')"
check_eq "ping: dead host summary 0/4" "198.18.0.200: sent 4, received 0, 100% loss" "$(tail -1 "$OUT")"

xp -c 4 "${FAST[@]}" 198.18.0.1 198.18.0.200
check_eq "ping: alive + dead together exits 1" 1 "$RC"
check "ping: alive + dead summaries 4/4 and 0/4" \
	grep -qx '198.18.0.200: sent 4, received 0, 100% loss' "$OUT"
check_eq "ping: alive + dead, no pong attributed to the dead host" 0 "$(count '^Ping to 198.18.0.200\.\.\. Get pong')"

# --- 30 hosts at once, odd ones alive, even ones dead: each reply to the right host
hosts30=$(seq -f '198.18.0.%g' 1 30)
# shellcheck disable=SC2086
xp -c 3 "${FAST[@]}" -O json $hosts30
check_eq "ping: 30 mixed hosts exits 1" 1 "$RC"
check "ping: 30 hosts, every JSON line parses" jq_ok . "$OUT"
got=$(jq -r 'select(.type == "summary") | "\(.addr) \(.sent) \(.received) \(.duplicates) \(.wrong_source)"' "$OUT" 2>/dev/null)
want=$(for i in $(seq 1 30); do echo "198.18.0.$i 3 $(( i % 2 ? 3 : 0 )) 0 0"; done)
check_eq "ping: 30 hosts, odd 3/3, even 0/3, no dup or wrong source" "$want" "$got"
check_eq "ping: 30 hosts, every reply came from the host it is attributed to" \
	"45 0" "$(jq -s '[.[] | select(.type == "reply")] | "\(length) \([.[] | select(.from != .addr or .dup or .wrong_source)] | length)"' -r "$OUT" 2>/dev/null)"
check_eq "ping: 30 hosts, each alive host answered seq 1..3 once" \
	"$(for i in $(seq 1 2 29); do echo "198.18.0.$i 1,2,3"; done)" \
	"$(jq -rs '[.[] | select(.type == "reply")] | group_by(.addr) | .[] | "\(.[0].addr) \([.[].seq] | sort | map(tostring) | join(","))"' "$OUT" 2>/dev/null | sort -t. -k4 -n)"
check_eq "ping: 30 hosts, 45 timeouts, all on dead hosts" "45 0" \
	"$(jq -rs '[.[] | select(.type == "timeout")] | "\(length) \([.[] | select((.addr | split(".")[3] | tonumber) % 2 == 1)] | length)"' "$OUT" 2>/dev/null)"

# shellcheck disable=SC2086
xp -c 2 "${FAST[@]}" -q $(seq -f '198.18.0.%g' 65 94)
check_eq "ping: 30 alive hosts exits 0" 0 "$RC"
check_eq "ping: 30 alive hosts, 30 summaries of 2/2" 30 "$(count '^198\.18\.0\.[0-9]*: sent 2, received 2, 0% loss')"

# Two pingers at once on the same raw ICMP traffic: each counts only its own replies.
in_ns "$S" "$XSWEEP" ping -c 5 "${FAST[@]}" -q 198.18.0.1 >"$BIN/a" 2>&1 &
in_ns "$S" "$XSWEEP" ping -c 5 "${FAST[@]}" -q 198.18.0.1 >"$BIN/b" 2>&1
wait
check_eq "ping: two concurrent pingers each see exactly their 5 replies" \
	"$(printf '198.18.0.1: sent 5, received 5, 0%% loss\n%.0s' 1 2)" \
	"$(cat "$BIN/a" "$BIN/b" | sed 's/, rtt.*//')"

# --- duplicates, wrong source, ICMP errors
if [ "$have_nft" = 1 ]; then
	xp -c 4 "${FAST[@]}" 198.18.0.101
	check_eq "ping: duplicated replies exit 0" 0 "$RC"
	check_eq "ping: 4 first replies without (DUP!)" 4 "$(count 'Get pong in [0-9.]*ms$')"
	dups=$(count 'Get pong in [0-9.]*ms (DUP!)$')
	check "ping: duplicates shown as (DUP!) ($dups of 4)" test "$dups" -ge 3 -a "$dups" -le 4
	check "ping: summary counts the duplicates, 4/4" \
		grep -q "^198.18.0.101: sent 4, received 4, 0% loss, $dups duplicates, rtt" "$OUT"

	xp -c 3 "${FAST[@]}" 198.18.0.102
	check_eq "ping: reply from the wrong source exits 1" 1 "$RC"
	check_eq "ping: wrong-source replies flagged" 3 "$(count '^Ping to 198.18.0.102\.\.\. Get pong in [0-9.]*ms (wrong source 198.18.0.103!)$')"
	check_eq "ping: wrong-source replies not counted" 1 "$(count '^198.18.0.102: sent 3, received 0, 100% loss, 3 from wrong source$')"

	xp -c 2 -t 1 "${FAST[@]}" 198.18.0.1
	check_eq "ping: -t 1 leaves with TTL 1 (counted by the responder)" "packets 2" \
		"$(ip netns exec "$R" nft list counter ip xsping ttl1 | grep -o 'packets [0-9]*')"
else
	skip "ping: (DUP!), wrong source and -t checks need nft in the responder"
fi

xp -c 3 "${FAST[@]}" 198.18.1.1
check_eq "ping: ICMP host unreachable exits 1" 1 "$RC"
check_eq "ping: unreachable reported with the router's address" 3 "$(count '^Ping to 198.18.1.1\.\.\. Ping failed. (Destination Host Unreachable from 192.0.2.2)$')"
check_eq "ping: unreachable summary counts errors" 1 "$(count '^198.18.1.1: sent 3, received 0, 100% loss, 3 errors$')"

# --- output styles and sizes
xp -c 2 "${FAST[@]}" --style ping 198.18.0.1
check_eq "ping: --style ping reply lines" 2 "$(count '^64 bytes from 198.18.0.1: icmp_seq=[12] ttl=64 time=[0-9.]* ms$')"
check "ping: --style ping summary" grep -q '^2 packets transmitted, 2 received, 0% packet loss$' "$OUT"
check "ping: --style ping rtt line" grep -Eq '^rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms$' "$OUT"

xp -c 2 "${FAST[@]}" -s 3000 --style ping 198.18.0.1
check_eq "ping: -s 3000 (fragmented) replies carry 3008 bytes" 2 "$(count '^3008 bytes from 198.18.0.1')"
xp -c 2 "${FAST[@]}" -s 0 198.18.0.1
check_eq "ping: -s 0 (no room for the cookie) still matches by sequence" 0 "$RC"

xp -c 2 "${FAST[@]}" -q 198.18.0.1 198.18.0.200
check_eq "ping: -q prints only the summaries" 2 "$(wc -l <"$OUT")"

xp -c 2 "${FAST[@]}" -O json 198.18.0.1
check_eq "ping: -O json, 2 replies + 1 summary" "reply reply summary" \
	"$(jq -r .type "$OUT" 2>/dev/null | xargs)"
check "ping: -O json summary fields" jq_ok 'select(.type == "summary") | .sent == 2 and .received == 2 and .loss_pct == 0 and .rtt_ms.min > 0 and .rtt_ms.max < 1000' "$OUT"

# --- IPv6
xp -c 4 "${FAST[@]}" 2001:2::1
check_eq "ping: IPv6 alive exits 0" 0 "$RC"
check "ping: IPv6 RTTs plausible" rtts_plausible
check_eq "ping: IPv6 alive 4/4" 1 "$(count '^2001:2::1: sent 4, received 4, 0% loss, rtt')"
xp -c 4 "${FAST[@]}" 2001:2::100
check_eq "ping: IPv6 dead 0/4, exit 1" "1 2001:2::100: sent 4, received 0, 100% loss" "$RC $(tail -1 "$OUT")"
xp -c 2 "${FAST[@]}" 2001:2:0:1::1
check_eq "ping: ICMPv6 unreachable reported" 2 "$(count '^Ping to 2001:2:0:1::1\.\.\. Ping failed. (Destination unreachable: No route from 2001:db8::2)$')"
if [ "$have_nft" = 1 ]; then
	xp -c 3 "${FAST[@]}" 2001:2::3
	check "ping: IPv6 duplicates shown as (DUP!)" test "$(count '(DUP!)$')" -ge 2
fi
xp -c 2 "${FAST[@]}" -6 --style ping 2001:2::1 198.18.0.1
check_eq "ping: -6 rejects an IPv4 literal with exit 2" 2 "$RC"

# --- privileges
# A root run keeps no capability once its sockets are open.
# (ip netns exec and setpriv exec in place, so $! is xsweep's pid)
ip netns exec "$S" "$XSWEEP" ping -c 4 -i 0.3 -W 0.3 -q 198.18.0.200 >/dev/null 2>&1 &
pid=$!
caps=
for _ in $(seq 40); do
	sleep 0.05
	if [ "$(cat /proc/$pid/comm 2>/dev/null)" = xsweep ]; then
		sleep 0.2
		caps=$(grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs)' /proc/$pid/status | awk '{print $2}' | xargs)
		break
	fi
done
wait $pid
check_eq "ping: root run drops every capability after opening its sockets" \
	"0000000000000000 0000000000000000 0000000000000000 1" "$(echo "$caps" | awk '{print $2, $1, $3, $4}')"

ip netns exec "$S" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
as_nobody "$BIN/xsweep" -v -c 4 "${FAST[@]}" 198.18.0.1 198.18.0.200 2001:2::1
check_eq "ping: unprivileged, ping_group_range open: exit 1 (one host dead)" 1 "$RC"
check "ping: unprivileged uses ICMP datagram sockets" grep -q 'using a datagram ICMP socket' "$ERR"
check "ping: unprivileged uses ICMPv6 datagram sockets" grep -q 'using a datagram ICMPv6 socket' "$ERR"
check_eq "ping: unprivileged datagram path 4/4, 0/4, 4/4" \
	"$(printf '%s\n' '198.18.0.1: sent 4, received 4, 0% loss' '198.18.0.200: sent 4, received 0, 100% loss' '2001:2::1: sent 4, received 4, 0% loss')" \
	"$(tail -3 "$OUT" | sed 's/, rtt.*//')"
check "ping: unprivileged RTTs plausible" rtts_plausible
as_nobody "$BIN/xsweep" -c 2 "${FAST[@]}" 198.18.1.1
check_eq "ping: unprivileged ICMP errors via the error queue" 2 "$(count '^Ping to 198.18.1.1\.\.\. Ping failed. (Destination Host Unreachable from 192.0.2.2)$')"
if [ "$have_nft" = 1 ]; then
	as_nobody "$BIN/xsweep" -c 3 "${FAST[@]}" 198.18.0.101 198.18.0.102
	check "ping: unprivileged (DUP!) shown" test "$(count '^Ping to 198.18.0.101.*(DUP!)$')" -ge 2
	check_eq "ping: unprivileged wrong source flagged" 3 "$(count '^Ping to 198.18.0.102.*(wrong source 198.18.0.103!)$')"
fi
# Root forced onto the datagram path too (kernel picks the echo id).
xp -c 3 "${FAST[@]}" --socket dgram 198.18.0.1 2001:2::1
check_eq "ping: --socket dgram as root, 3/3 on both families" 0 "$RC"

ip netns exec "$S" sysctl -qw net.ipv4.ping_group_range="1 0"
as_nobody "$BIN/xsweep" -c 2 "${FAST[@]}" 198.18.0.1
check_eq "ping: unprivileged, range closed: exit 2" 2 "$RC"
check_eq "ping: unprivileged, range closed: one line on stderr" 1 "$(wc -l <"$ERR")"
check "ping: the line names setcap and ping_group_range" \
	grep -q '^xsweep: ping: .*setcap cap_net_raw+ep .*net.ipv4.ping_group_range' "$ERR"
check_eq "ping: nothing printed on stdout" 0 "$(wc -c <"$OUT")"

if setcap cap_net_raw+ep "$BIN/xsweep-cap" 2>/dev/null; then
	as_nobody "$BIN/xsweep-cap" -v -c 2 "${FAST[@]}" 198.18.0.1
	check_eq "ping: setcap'd binary as nobody: raw socket, 2/2" "0 1" \
		"$RC $(grep -c 'using a raw ICMP socket' "$ERR")"
	check "ping: setcap'd binary drops CAP_NET_RAW" grep -q 'capabilities dropped' "$ERR"
else
	skip "ping: setcap not possible on $BIN"
fi

# Setuid root: opens the raw socket, then goes back to the caller's uid/gid.
ip netns exec "$S" setpriv --reuid nobody --regid nogroup --clear-groups --inh-caps=-all \
	"$BIN/xsweep-suid" ping -c 4 -i 0.3 -W 0.3 -q 198.18.0.200 >/dev/null 2>&1 &
pid=$!
ids=
for _ in $(seq 40); do
	sleep 0.05
	if [ "$(cat /proc/$pid/comm 2>/dev/null)" = xsweep-suid ]; then
		sleep 0.2
		ids=$(grep -E '^(Uid|Gid|CapEff|CapPrm)' /proc/$pid/status | cut -f2- | xargs)
		break
	fi
done
wait $pid
check_eq "ping: setuid run returns to nobody (uid, gid) with no capabilities" \
	"65534 65534 65534 65534 65534 65534 65534 65534 0000000000000000 0000000000000000" "$ids"

# --- bad input: one line, exit 2
bad() {
	local name=$1
	shift
	xp "$@"
	if [ "$RC" -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q '^xsweep: ping: ' "$ERR"; then
		ok "ping: $name -> one-line error, exit 2"
	else
		not_ok "ping: $name -> one-line error, exit 2 (exit $RC)"
		show
	fi
}
bad "unknown host" -c 1 nosuch.invalid
bad "-c 0" -c 0 198.18.0.1
bad "-i -1" -i -1 198.18.0.1
bad "-s 70000" -s 70000 198.18.0.1
bad "-s 65520 to an IPv4 host" -s 65520 198.18.0.1
bad "-W 0" -W 0 198.18.0.1
bad "no host" -c 1
bad "unknown option" --frobnicate 198.18.0.1
