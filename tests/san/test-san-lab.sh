#!/usr/bin/env bash
# test-san-lab.sh - short lab runs of every command with the ASan+UBSan binary
# (make SANITIZE=1, build-san/xsweep; tests/run.sh san sets XSWEEP to it and turns every
# sanitizer report into a failure). Each run is also checked for its result, so a run
# that a sanitizer stopped fails here too: sweeps (ICMP and -p, IPv4 and IPv6, XDP and
# libpcap paths, outputs, retries, SIGINT + --resume, --every), maps, monitor and capture
# (both paths), ping (raw and datagram sockets, both families), iface (netlink and ioctl).
source "$(dirname "$0")/../lib.sh"
need_root test-san-lab
if ! grep -qa __asan_init "$XSWEEP" 2>/dev/null; then
	skip "san-lab: $XSWEEP is not a sanitized build (make SANITIZE=1; tests/run.sh san)"
	exit 0
fi

use_lab san
TMP=$(mktemp -d)
chmod 755 "$TMP"
on_exit "rm -rf $TMP"

sweep() { lab exec "$XSWEEP" sweep --rate max --wait 0.3 -q "$@"; }

lab up --alive 0.5 --seed 11 >/dev/null || { not_ok "san-lab: lab up"; exit 1; }
eval "$(lab env)"

# --- sweep: both receive paths, both probe types, both families -----------------------------
for cap in xdp pcap; do
	check_eq "san-lab: sweep 198.18.0.0/22 --capture $cap is exactly lab truth" \
		"$(lab truth 198.18.0.0/22)" "$(sweep 198.18.0.0/22 --capture $cap -O list | sort -V)"
	check_eq "san-lab: sweep -p 22,80,443 198.18.0.0/24 --capture $cap: open pairs" \
		"$(lab truth 198.18.0.0/24 --ports | sort)" \
		"$(sweep -p 22,80,443 198.18.0.0/24 --capture $cap -O list | sort)"
	check_eq "san-lab: sweep 2001:2::/118 --capture $cap is exactly lab truth" \
		"$(lab truth 2001:2::/118 | sort)" "$(sweep 2001:2::/118 --capture $cap -O list | sort)"
	check_eq "san-lab: sweep -p 22,80 2001:2::/124 198.18.0.0/28 --capture $cap: open pairs" \
		"$(lab truth 2001:2::/124 198.18.0.0/28 --ports | grep -v ':443$' | sort)" \
		"$(sweep -p 22,80 2001:2::/124 198.18.0.0/28 --capture $cap -O list | sort)"
done
n=$(lab truth 198.18.0.0/26 | wc -l)
for fmt in text json csv grep; do
	sweep 198.18.0.0/26 2001:2::/122 -O $fmt --inactive --retries 1 --send mmsg >"$TMP/out.$fmt" 2>&1
	check "san-lab: sweep -O $fmt --inactive --retries 1 --send mmsg: exit 0, output" \
		test $? -eq 0 -a "$(grep -c '198\.18\.0\.' "$TMP/out.$fmt")" -ge "$n"
done
sweep -p 22,80 198.18.0.0/28 --closed --filtered --inactive -O grep >/dev/null 2>&1
check "san-lab: sweep -p --closed --filtered --inactive -O grep: exit 0" test $? -eq 0
lab exec timeout -s INT 2.5 "$XSWEEP" sweep 198.18.0.0/28 --rate max --every 1s --wait 0.2 \
	--inactive >"$TMP/every" 2>&1
check "san-lab: sweep --every 1s, two rounds, SIGINT" test "$(grep -c 'summary: targets' "$TMP/every")" -ge 1

# SIGINT, then --resume: together every alive host once (the state file's reader runs).
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep 198.18.0.0/20 --rate 4000 --wait 0.3 -O list \
	--state-file "$TMP/st" -o "$TMP/part" 2>"$TMP/part1.err" &
spid=$!
sleep 0.5
kill -INT $spid
wait $spid
check_eq "san-lab: SIGINT mid-sweep exits 130" 130 $?
sweep --resume "$TMP/st" >/dev/null 2>&1
check_eq "san-lab: SIGINT + --resume: both parts are exactly lab truth" \
	"$(lab truth 198.18.0.0/20)" "$(sort -V "$TMP/part")"

# --- maps ---------------------------------------------------------------------------------
lab exec bash -c "$XSWEEP sweep -p 22,80 198.18.0.0/24 --rate max -q --wait 0.2 --keep-maps >/dev/null &&
	$XSWEEP maps --hosts 3 && $XSWEEP maps --ports && rm -rf /sys/fs/bpf/xsweep" >"$TMP/maps" 2>&1
check "san-lab: maps --hosts 3, maps --ports after --keep-maps" grep -qE 'rx_valid +[1-9]' "$TMP/maps"

# --- monitor and capture on both paths (one XDP program per interface: while one holds it,
# the others read with libpcap), during a TCP sweep that captures with libpcap -------------
for mcap in xdp pcap; do
	ccap=pcap
	[ $mcap = pcap ] && ccap=xdp
	lab exec bash -c "$XSWEEP monitor -i $LAB_IFACE --capture $mcap --duration 1.5s -v >$TMP/mon.$mcap 2>&1 &
		sleep 0.3
		$XSWEEP monitor -i $LAB_IFACE --capture pcap --interval 300ms --duration 1.2s -O json >$TMP/monj.$mcap 2>/dev/null &
		$XSWEEP capture -i $LAB_IFACE --capture $ccap -c 30 --duration 3 >$TMP/cap.$ccap 2>&1 &
		$XSWEEP capture -i $LAB_IFACE --capture pcap --duration 1.2 -w $TMP/cap.$ccap.pcap tcp >/dev/null 2>&1 &
		sleep 0.3
		$XSWEEP sweep -p 22,80,443 198.18.0.0/26 2001:2::/124 --capture pcap --rate max -q --wait 0.3 >/dev/null
		wait" 2>/dev/null
	check "san-lab: monitor --capture $mcap sees the sweep's replies" grep -qE '^198\.18\.0\.[0-9]+ +\(' "$TMP/mon.$mcap"
	check "san-lab: monitor -O json --capture pcap: documents with hosts" \
		test "$(jq -r '.hosts | length' "$TMP/monj.$mcap" 2>/dev/null | sort -n | tail -1)" -gt 0
	check "san-lab: capture --capture $ccap prints the replies" grep -q '198\.18\.0\.[0-9]*\.[0-9]* > 192\.0\.2\.1' "$TMP/cap.$ccap"
	check "san-lab: capture -w FILE tcp: tcpdump reads it" \
		test "$(tcpdump -r "$TMP/cap.$ccap.pcap" -n 2>/dev/null | wc -l)" -gt 0
done

# --- ping: raw and datagram sockets, both families, a dead host -----------------------------
alive=$(lab truth 198.18.0.0/28 | head -1)
alive6=$(lab truth 2001:2::/124 | head -1)
dead=$(comm -23 <(seq 0 15 | sed 's/^/198.18.0./' | sort) <(lab truth 198.18.0.0/28 | sort) | head -1)
ip netns exec "$LAB_SCANNER_NS" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
for sock in raw dgram; do
	lab exec "$XSWEEP" ping --socket $sock -c 2 -i 0.1 -W 0.3 "$alive" "$alive6" "$dead" >"$TMP/ping" 2>&1
	check_eq "san-lab: ping --socket $sock: exit 1 (one dead host), 4 pongs" "1 4" \
		"$? $(grep -c 'Get pong' "$TMP/ping")"
done
lab exec "$XSWEEP" ping --style ping -O json -c 1 -W 0.3 "$alive" "$dead" >"$TMP/pingj" 2>&1
check "san-lab: ping -O json --style ping" test "$(jq -r .type "$TMP/pingj" | sort -u | tr '\n' ' ')" = "reply summary timeout "

# --- iface --------------------------------------------------------------------------------
lab exec bash -c "$XSWEEP iface list && $XSWEEP iface list --json && $XSWEEP iface list --ioctl &&
	$XSWEEP iface addr -6 $LAB_IFACE && $XSWEEP iface addr --json $LAB_IFACE &&
	$XSWEEP -v iface status $LAB_IFACE && $XSWEEP iface status --json lo" >"$TMP/iface" 2>&1
check "san-lab: iface list/--json/--ioctl, addr -6/--json, status: exit 0" test $? -eq 0
check_rc "san-lab: iface status of a missing interface: exit 2" 2 lab exec "$XSWEEP" iface status nosuch0
