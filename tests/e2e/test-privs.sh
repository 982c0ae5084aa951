#!/usr/bin/env bash
# test-privs.sh - least privilege of the long-running commands, in the lab.
#
# Once set up, sweep, monitor and capture (each path: XDP and libpcap) run with at most
# CAP_BPF (to read their maps and ring buffers) in the effective, permitted and bounding
# sets and no_new_privs set, read from /proc/PID/status while they run, and still finish
# exactly (a sweep is lab truth, its summary read from the stats map). So does every
# thread of a periodic sweep and of a monitor serving /metrics, whose server thread is
# started before the command drops its capabilities. A setuid-root copy
# run by another user refuses sweep, monitor and capture with one line pointing to
# setcap, before reading or writing any file named on its command line.
source "$(dirname "$0")/../lib.sh"
need_root test-privs

use_lab pv
T=$(mktemp -d)
chmod 755 "$T"
on_exit "rm -rf $T"
BPF_ONLY=0000008000000000	# CAP_BPF (39)
NONE=0000000000000000

lab up --alive 0.5 --seed 29 >/dev/null || { not_ok "privs: lab up"; exit 1; }
eval "$(lab env)"

# status PID: "CapEff CapPrm CapBnd NoNewPrivs" of a running process.
status() { awk '/^(CapEff|CapPrm|CapBnd|NoNewPrivs):/ {printf "%s%s", sep, $2; sep=" "}' "/proc/$1/status"; }
# when_running FILE PID: wait until FILE has a line (the command is set up and working).
when_running() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -s "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.03
	done
	return 1
}

for cap in xdp pcap; do
	# Status taken during the cooldown, once the first result is out.
	ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep 198.18.0.0/20 --capture $cap --rate max -T 1 \
		--wait 1 -O list >"$T/out.$cap" 2>"$T/err.$cap" &
	p=$!
	when_running "$T/out.$cap" $p
	st=$(status $p)
	wait $p
	rc=$?
	check_eq "privs: sweep --capture $cap runs with CAP_BPF alone, no_new_privs" \
		"$BPF_ONLY $BPF_ONLY $BPF_ONLY 1" "$st"
	check_eq "privs: ... and finishes exactly (exit 0, lab truth)" \
		"0 $(lab truth 198.18.0.0/20 | tr '\n' ' ')" "$rc $(sort -V "$T/out.$cap" | tr '\n' ' ')"
	check "privs: ... its summary still reads the counters" grep -q "invalid 0 (bad cookie 0" "$T/err.$cap"

	want=$BPF_ONLY
	[ $cap = pcap ] && want=$NONE
	ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" monitor -i "$LAB_IFACE" --capture $cap \
		--interval 100ms --duration 2s -O json >"$T/mon.$cap" 2>/dev/null &
	p=$!
	when_running "$T/mon.$cap" $p
	st=$(status $p)
	wait $p
	check_eq "privs: monitor --capture $cap runs with $([ $cap = xdp ] && echo CAP_BPF alone || echo no capability), no_new_privs; exit 0" \
		"$want $want $want 1 0" "$st $?"

	ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" capture -i "$LAB_IFACE" --capture $cap \
		--duration 2 >"$T/cap.$cap" 2>"$T/cap.err.$cap" &
	p=$!
	when_running "$T/cap.err.$cap" $p
	sleep 0.2
	st=$(status $p)
	lab exec "$XSWEEP" ping -c 2 -i 0.1 "$(lab truth 198.18.0.0/24 | head -1)" >/dev/null 2>&1
	wait $p
	check_eq "privs: capture --capture $cap runs with $([ $cap = xdp ] && echo CAP_BPF alone || echo no capability), no_new_privs; exit 0" \
		"$want $want $want 1 0" "$st $?"
	check "privs: ... and still captures (the ping replies)" grep -q 'ICMP echo reply' "$T/cap.$cap"
done

# --- every thread: the metrics server's too --------------------------------------------------
# Capabilities are per thread. The /metrics server's thread is started before the command
# drops its own, so it must drop them itself; the XDP send worker is started after.
# threads PID: the distinct "CapEff CapPrm CapBnd NoNewPrivs" of its threads, then their number.
threads() {
	local f
	for f in /proc/"$1"/task/*/status; do
		awk '/^(CapEff|CapPrm|CapBnd|NoNewPrivs):/ {printf "%s%s", sep, $2; sep=" "} END {print ""}' "$f"
	done | sort -u
	echo "$(find /proc/"$1"/task -mindepth 1 -maxdepth 1 | wc -l) threads"
}
scrape() { ip netns exec "$LAB_SCANNER_NS" curl -sf --max-time 2 "http://127.0.0.1:$1/metrics"; }
# metric PORT NAME: its value in a scrape, or nothing.
metric() { scrape "$1" | awk -v n="$2" '$1 == n { print $2 }'; }
# serving PORT NAME MIN: wait until the scrape shows NAME >= MIN (5 s at most).
serving() {
	local i v
	for ((i = 0; i < 100; i++)); do
		v=$(metric "$1" "$2")
		[ -n "$v" ] && [ "${v%.*}" -ge "$3" ] && return 0
		sleep 0.05
	done
	return 1
}

lab gro on >/dev/null	# NAPI on the responder veth: the XDP sender can run
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep 198.18.0.0/24 --rate max --every 1s --wait 0.3 -q \
	--send xdp --metrics-listen 127.0.0.1:9131 >/dev/null 2>"$T/every.err" &
p=$!
on_exit "kill -9 $p 2>/dev/null"
serving 9131 xsweep_sweep_rounds_total 1
st=$(threads $p)
valid=$(metric 9131 'xsweep_sweep_replies_total{verdict="valid"}')
kill -INT $p
wait $p
lab gro off >/dev/null
check_eq "privs: sweep --every --metrics-listen: every thread with CAP_BPF alone, no_new_privs" \
	"$BPF_ONLY $BPF_ONLY $BPF_ONLY 1" "$(head -n -1 <<<"$st")"
check "privs: ... the metrics server and the XDP sender among them ($(tail -1 <<<"$st"))" \
	test "$(tail -1 <<<"$st" | cut -d' ' -f1)" -ge 3
check "privs: ... and the server still reads the stats map (valid replies: ${valid:-none})" \
	test "${valid:-0}" -ge "$(lab truth 198.18.0.0/24 | wc -l)"

# Sender threads (-T) start per pass, after the drop: they have what the main thread has.
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep 198.18.0.0/16 --rate 20000 -T 2 --wait 0 -q \
	>/dev/null 2>"$T/lanes.err" &
p=$!
on_exit "kill -9 $p 2>/dev/null"
sleep 0.7
st=$(threads $p)
kill -INT $p
wait $p
check_eq "privs: sweep -T 2: every thread with CAP_BPF alone, no_new_privs" \
	"$BPF_ONLY $BPF_ONLY $BPF_ONLY 1" "$(head -n -1 <<<"$st")"
check "privs: ... the second sender thread among them ($(tail -1 <<<"$st"))" \
	test "$(tail -1 <<<"$st" | cut -d' ' -f1)" -ge 2

ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" monitor -i "$LAB_IFACE" --capture xdp --interval 100ms \
	--duration 3s -O json --metrics-listen 127.0.0.1:9132 >/dev/null 2>"$T/mon.err" &
p=$!
on_exit "kill -9 $p 2>/dev/null"
serving 9132 xsweep_monitor_packets_total 0
lab exec "$XSWEEP" ping -c 3 -i 0.1 "$(lab truth 198.18.0.0/24 | head -1)" >/dev/null 2>&1
st=$(threads $p)
serving 9132 xsweep_monitor_packets_total 3	# the table behind /metrics is refreshed each --interval
pk=$(metric 9132 xsweep_monitor_packets_total)
wait $p
rc=$?
check_eq "privs: monitor --metrics-listen: every thread with CAP_BPF alone, no_new_privs; exit 0" \
	"$BPF_ONLY $BPF_ONLY $BPF_ONLY 1 0" "$(head -n -1 <<<"$st") $rc"
check "privs: ... the metrics server among them ($(tail -1 <<<"$st"))" \
	test "$(tail -1 <<<"$st" | cut -d' ' -f1)" -ge 2
check "privs: ... and it still reads the maps (packets counted: ${pk:-none}, 3 echo replies at least)" \
	test "${pk:-0}" -ge 3

# --- setuid: refused, no file named on the command line touched -----------------------------
cp "$XSWEEP" "$T/xsweep-suid"
chown root:root "$T/xsweep-suid"
chmod 4755 "$T/xsweep-suid"
echo "198.18.0.1 root-only-secret" >"$T/rootfile"
chmod 600 "$T/rootfile"
cp "$T/rootfile" "$T/rootfile.orig"
nobody() { lab exec setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
for args in "sweep -iL $T/rootfile --dry-run" "sweep 198.18.0.1 --dry-run -o $T/rootfile" \
	"monitor -i $LAB_IFACE --once" "capture -i $LAB_IFACE -c 1 -w $T/rootfile"; do
	# shellcheck disable=SC2086
	nobody "$T/xsweep-suid" $args >"$T/out" 2>"$T/err"
	rc=$?
	check "privs: setuid root as nobody, '${args%% *}': exit 2, one line pointing to setcap" \
		test "$rc" -eq 2 -a "$(wc -l <"$T/err")" -eq 1 -a "$(grep -c 'refusing to run setuid.*setcap' "$T/err")" -eq 1
	check "privs: ... the root-only file was neither read nor written" \
		test -z "$(grep -l secret "$T/out" "$T/err")" -a "$(cmp -s "$T/rootfile" "$T/rootfile.orig" && echo same)" = same
done
