#!/usr/bin/env bash
# test-monitor.sh - `xsweep monitor` end to end, in two throwaway namespaces.
#
# Known TCP connection attempts (chosen source addresses and ports, sent with socat from
# the peer namespace) arrive on the monitored veth; the table must list exactly those
# sources and ports <= 1000, the same through XDP, through --capture pcap, and through a
# second monitor that falls back to libpcap because XDP is taken (its notice names the
# program). Also: bpftool dump of the pinned hosts and ports maps, JSON, SIGTERM, LRU evictions,
# --keep-maps and stale pins, a foreign XDP program, and nothing left behind.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/mc-lib.sh"
need_root test-monitor
command -v socat >/dev/null || { skip "test-monitor (socat missing: make deps)"; exit 0; }
T=$(mktemp -d)
on_exit rm -rf "$T"
mc_setup || { not_ok "monitor: lab setup"; exit 1; }
PIN=/sys/fs/bpf/xsweep/monitor
RUN="nsenter -t $MON_HOLDER -m -n"	# unquoted use: $! is then xsweep's pid

# Ten packets: 9 SYNs (one above --max-port 1000 per family, port 80 twice) and one UDP.
send_known() {
	mc_syn 198.18.0.10 22 192.0.2.1 9
	mc_syn 198.18.0.9 443 192.0.2.1 9
	mc_syn 198.18.0.9 22 192.0.2.1 9
	mc_syn 198.18.0.9 80 192.0.2.1 9
	mc_syn 198.18.0.9 80 192.0.2.1 9
	mc_syn 198.18.0.9 5000 192.0.2.1 9
	mc_syn 2001:2::7 443 2001:db8::1 9
	mc_syn 2001:db8::2 1000 2001:db8::1 9
	mc_syn 2001:db8::2 1001 2001:db8::1 9
	echo x | in_ns "$NSP" socat -u - UDP4:192.0.2.1:9,bind=192.0.2.2:40000
}
EXPECTED="192.0.2.2
198.18.0.9 (22, 80, 443)
198.18.0.10 (22)
2001:2::7 (443)
2001:db8::2 (1000)"

# wait_ready ERRFILE: the "monitoring IF via PATH" line appears once counting runs.
wait_ready() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q "monitoring xm0 via" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

xdp_id() { ip -n "$NSM" link show xm0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'; }

# --- 1: XDP, libpcap, and an automatic fallback, all at once on the same traffic ---
$RUN "$XSWEEP" monitor -i xm0 --duration 4 >"$T/xdp.out" 2>"$T/xdp.err" &
PX=$!
wait_ready "$T/xdp.err"
$RUN "$XSWEEP" monitor -i xm0 --capture pcap --duration 3.5 >"$T/pcap.out" 2>"$T/pcap.err" &
PP=$!
$RUN "$XSWEEP" monitor -i xm0 --once --interval 3 >"$T/auto.out" 2>"$T/auto.err" &
PA=$!
wait_ready "$T/pcap.err"
wait_ready "$T/auto.err"
ID=$(xdp_id)
check "monitor: XDP program attached while running" test -n "$ID"
$RUN "$XSWEEP" monitor -i xm0 --capture xdp --once --interval 100ms >/dev/null 2>"$T/force.err"
check_eq "monitor --capture xdp on a taken interface exits 2" 2 "$?"
check "monitor --capture xdp names the attached program" \
	grep -q "xm0 already has XDP program '[a-z_]*' (id $ID, [a-z]* mode, not a libxdp dispatcher) attached" "$T/force.err"
send_known
sleep 0.3
in_mon bpftool map dump pinned $PIN/hosts >"$T/dump" 2>&1
in_mon bpftool -j map dump pinned $PIN/hosts >"$T/dump.json" 2>&1
in_mon bpftool -j map dump pinned $PIN/ports >"$T/dump-ports.json" 2>&1
wait $PX
check_eq "monitor (xdp) exits 0" 0 "$?"
wait $PP
check_eq "monitor (pcap) exits 0" 0 "$?"
wait $PA
check_eq "monitor (auto, fell back) exits 0" 0 "$?"
check_eq "monitor table via XDP is exactly what was sent" "$EXPECTED" "$(cat "$T/xdp.out")"
check_eq "monitor table via --capture pcap is identical" "$EXPECTED" "$(cat "$T/pcap.out")"
check_eq "monitor table via automatic libpcap fallback is identical" "$EXPECTED" "$(cat "$T/auto.out")"
check "fallback notice (one line) names the program already attached" \
	grep -qx "xsweep: xm0 already has XDP program '[a-z_]*' (id $ID, [a-z]* mode, not a libxdp dispatcher) attached; capturing with libpcap instead" "$T/auto.err"
# Each host's first 3 ports are counted in its hosts entry (.value.ports[], used == 1);
# the ports map holds only ports beyond those, none here.
check "bpftool dump of pinned hosts shows field names, inline ports included" \
	grep -q '"port": 443' "$T/dump"
check_eq "bpftool dump of pinned hosts: 6 (address, port) pairs in the inline slots" 6 \
	"$(jq '[.[] | .formatted // . | .value.ports[] | select(.used == 1)] | length' "$T/dump.json" 2>/dev/null)"
check_eq "bpftool dump: 198.18.0.9 port 80 counted twice" 2 \
	"$(jq '[.[] | .formatted // . | .value.ports[] | select(.used == 1 and .port == 80) | .packets] | .[0]' "$T/dump.json" 2>/dev/null)"
check_eq "bpftool dump of pinned ports: empty (no host sent from more than 3 ports)" 0 \
	"$(jq 'length' "$T/dump-ports.json" 2>/dev/null)"
sed 's/^/    # /' "$T/dump" | head -30 >"$T/dump.excerpt"
mc_no_leftovers "monitor after --duration"

# --- 2: JSON, one document per interval ---
$RUN "$XSWEEP" monitor -i xm0 -O json --interval 1s --duration 2.5 >"$T/j.out" 2>"$T/j.err" &
PJ=$!
wait_ready "$T/j.err"
send_known
wait $PJ
check_eq "monitor -O json: 3 documents in 2.5 s at 1 s intervals" 3 "$(wc -l <"$T/j.out")"
check_eq "monitor -O json: final document lists the sent hosts and ports" \
	'192.0.2.2 []
198.18.0.9 [22,80,443]
198.18.0.10 [22]
2001:2::7 [443]
2001:db8::2 [1000]' "$(tail -1 "$T/j.out" | jq -r '.hosts[] | "\(.address) \(.ports | tojson)"')"
check_eq "monitor -O json: totals tcp 9, udp 1, ipv4 7, ipv6 3" "9 1 7 3" \
	"$(tail -1 "$T/j.out" | jq -r '.totals | "\(.tcp) \(.udp) \(.ipv4) \(.ipv6)"')"

# --- 3: SIGTERM on a pipe; --max-hosts 2 with 5 sources: evictions counted ---
$RUN "$XSWEEP" -v monitor -i xm0 --max-hosts 2 >"$T/e.out" 2>"$T/e.err" &
PE=$!
$RUN "$XSWEEP" -v monitor -i xm0 --capture pcap --max-hosts 2 >"$T/ep.out" 2>"$T/ep.err" &
PEP=$!
wait_ready "$T/e.err"
wait_ready "$T/ep.err"
send_known
sleep 0.3
kill -TERM $PE $PEP
wait $PE
check_eq "monitor exits 0 on SIGTERM" 0 "$?"
wait $PEP
# -v rows: hosts with counters (live) or "(evicted)" (known from ports only).
for f in e ep; do
	live=$(grep -cE '^[0-9a-f.:]+( \([0-9, ]+\))? +[0-9]+ ' "$T/$f.out")
	ev=$(sed -n 's/^evicted (maps full): \([0-9]*\) hosts.*/\1/p' "$T/$f.out")
	check_eq "monitor $f --max-hosts 2: live <= 2 and live + evicted == 5 sources" "ok" \
		"$([ -n "$ev" ] && [ "$live" -le 2 ] && [ $((live + ev)) -eq 5 ] && echo ok || echo "live=$live evicted=$ev")"
done
# (An evicted host's inline ports go with it: the ports map holds only ports beyond a
# host's first 3, so no "(evicted)" rows here.)
check "SIGTERM: final table printed (pipe)" grep -q '^evicted (maps full): [1-9][0-9]* hosts' "$T/e.out"
mc_no_leftovers "monitor after SIGTERM"

# --- 4: stale pins are reset at start; --keep-maps keeps them; next run cleans up ---
in_mon bash -c "mkdir -p $PIN && bpftool map create $PIN/ports type hash key 4 value 4 entries 4 name stale"
$RUN "$XSWEEP" monitor -i xm0 --keep-maps --duration 1.5 >"$T/k.out" 2>"$T/k.err" &
PK=$!
wait_ready "$T/k.err"
send_known
wait $PK
check "--keep-maps: pinned maps remain after exit, holding this run's counts" \
	bash -c "nsenter -t $MON_HOLDER -m -n bpftool map dump pinned $PIN/hosts | grep -q '\"port\": 1000'"
check "--keep-maps: program detached all the same" bash -c "! ip -n $NSM link show xm0 | grep -q prog/xdp"
$RUN "$XSWEEP" monitor -i xm0 --once --interval 100ms >/dev/null 2>&1
mc_no_leftovers "monitor run after --keep-maps"

# --- 5: a foreign XDP program (the sweep object, generic mode) forces the fallback ---
if ip -n "$NSM" link set dev xm0 xdpgeneric obj "$XSWEEP_TOP/build/sweep.bpf.o" sec xdp 2>"$T/ip.err"; then
	ID=$(xdp_id)
	$RUN "$XSWEEP" monitor -i xm0 --duration 2 >"$T/f.out" 2>"$T/f.err" &
	PF=$!
	wait_ready "$T/f.err"
	send_known
	wait $PF
	check_eq "foreign XDP program: fallback table identical" "$EXPECTED" "$(cat "$T/f.out")"
	check "foreign XDP program: notice names program id $ID" \
		grep -q "xm0 already has XDP program '[a-z_]*' (id $ID, [a-z]* mode, not a libxdp dispatcher) attached; capturing with libpcap instead" "$T/f.err"
	check_eq "foreign XDP program left in place" "$ID" "$(xdp_id)"
	check_rc "foreign XDP program: --capture xdp exits 2" 2 \
		$RUN "$XSWEEP" monitor -i xm0 --capture xdp --once --interval 100ms
	ip -n "$NSM" link set dev xm0 xdpgeneric off
else
	not_ok "attach sweep.bpf.o with ip link: $(cat "$T/ip.err")"
fi
mc_no_leftovers "monitor at the end"
check_rc "monitor: bad interface exits 2" 2 $RUN "$XSWEEP" monitor -i nosuch0 --once
check_rc "monitor: bad option value exits 2" 2 "$XSWEEP" monitor --max-port 70000
