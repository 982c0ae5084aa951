#!/usr/bin/env bash
# test-faults.sh - SIGKILL, SIGINT and SIGTERM at random moments of sweep, monitor and
# capture in the lab (start-up, attach, sending, cooldown, exit), then: no XDP program
# left on the interface; pins left only by SIGKILL, and then `xsweep maps` calls them
# stale (exit 1); the next run exact against lab truth; after SIGINT/SIGTERM a sweep's
# output plus its --resume part is exactly lab truth (each host once), a monitor exits 0
# and a capture's pcap file reads back whole. Signals and delays come from $RANDOM seeded
# with FAULT_SEED (printed; FAULT_SEED=N bash tests/e2e/test-faults.sh replays a run).
source "$(dirname "$0")/../lib.sh"
need_root test-faults

SEED=${FAULT_SEED:-$(((RANDOM << 15 | RANDOM) % 100000))}
RANDOM=$SEED
echo "# FAULT_SEED=$SEED"
on_exit "echo '# FAULT_SEED=$SEED reproduces this run'"
use_lab flt
T=$(mktemp -d)
on_exit "rm -rf $T"

lab up --alive 0.5 --seed 23 >/dev/null || { not_ok "faults: lab up"; exit 1; }
eval "$(lab env)"
lab truth 198.18.0.0/18 >"$T/truth"
lab truth 198.18.0.0/26 >"$T/truth26"

# One mount namespace (bpffs) for every run, so pins outlive a command as on a host
# (`ip netns exec` alone gives each command a fresh bpffs); RUN CMD & makes $! CMD's pid.
ip netns exec "$LAB_SCANNER_NS" bash -c 'mount -t bpf bpf /sys/fs/bpf && exec sleep 3600' &
HOLDER=$!
on_exit "kill $HOLDER"
for ((i = 0; i < 50; i++)); do
	nsenter -t "$HOLDER" -m mountpoint -q /sys/fs/bpf 2>/dev/null && break
	sleep 0.05
done
[ "$(readlink /proc/$HOLDER/ns/net)" != "$(root_netns)" ] || { not_ok "faults: holder in the root namespace"; exit 1; }
RUN="nsenter -t $HOLDER -m -n"

# draw MAX_MS: sig = KILL, INT or TERM and d = 0 to MAX_MS milliseconds (in seconds), from
# the seeded generator. Not in $(...): bash reseeds $RANDOM in every subshell.
draw() {
	local sigs=(KILL INT TERM) ms
	sig=${sigs[RANDOM % 3]}
	ms=$((RANDOM % $1))
	d=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
}
no_xdp() { ! ip -n "$LAB_SCANNER_NS" link show dev "$LAB_IFACE" 2>/dev/null | grep -q xdp; }
# rc_ok SIG RC: 0 (done before the signal, or a clean stop); KILL 137; INT/TERM 130
# (interrupted) or 143 (SIGTERM before the handlers were installed; SIGINT is ignored
# then, as in any background job of a script).
rc_ok() {
	case $1 in
	KILL) [ "$2" -eq 0 ] || [ "$2" -eq 137 ] ;;
	INT) [ "$2" -eq 0 ] || [ "$2" -eq 130 ] ;;
	TERM) [ "$2" -eq 0 ] || [ "$2" -eq 130 ] || [ "$2" -eq 143 ] ;;
	esac
}
# pins_after SIG DIR NAME: INT/TERM leave no pins; SIGKILL may, and maps must say stale.
pins_after() {
	local sig=$1 dir=$2 name=$3 rc
	if ! $RUN test -e "$dir/owner"; then
		check "$name: no pins left" $RUN test ! -e "$dir/stats" -a ! -e "$dir/hosts"
		return
	fi
	if [ "$sig" != KILL ]; then
		not_ok "$name: pins left after SIG$sig"
		return
	fi
	$RUN "$XSWEEP" maps --hosts 0 >/dev/null 2>"$T/maps.err"
	rc=$?
	check "$name: pins left by SIGKILL are called stale by xsweep maps (exit 1)" \
		test "$rc" -eq 1 -a "$(grep -c "stale: $dir pinned by pid [0-9]* which is gone" "$T/maps.err")" -eq 1
}

# Signal sig to the background process p after d seconds; the checks every command gets
# after it (exit status, no XDP program left, pins as sig leaves them under dir); sets rc.
signal_checks() {
	local p=$1 dir=$2
	sleep "$d"
	kill -"$sig" "$p" 2>/dev/null
	{ wait "$p"; } 2>/dev/null
	rc=$?
	check "$name: exit $rc" rc_ok "$sig" "$rc"
	check "$name: no XDP program left" no_xdp
	pins_after "$sig" "$dir" "$name"
}
# -T 1: exact checks send from one thread (lab_sweep in tests/lib.sh says why).
sweep_list() { $RUN "$XSWEEP" sweep --rate max -T 1 --wait 0.3 -q -O list "$@" 2>/dev/null | sort -V; }

# --- sweep ---------------------------------------------------------------------------------
for trial in 1 2 3 4 5 6; do
	draw 1300
	name="faults: sweep $trial (SIG$sig at ${d}s)"
	rm -f "$T/st" "$T/out"
	$RUN "$XSWEEP" sweep 198.18.0.0/18 --rate 25000 --wait 0.4 -O list -o "$T/out" \
		--state-file "$T/st" 2>"$T/err" &
	signal_checks $! /sys/fs/bpf/xsweep
	if [ "$sig" = KILL ]; then
		check_eq "$name: the next sweep is exactly lab truth" "$(cat "$T/truth")" \
			"$(sweep_list 198.18.0.0/18)"
		check "$name: ... and leaves no stale pins" $RUN test ! -e /sys/fs/bpf/xsweep/owner
	elif [ -e "$T/st" ]; then
		check "$name: says how to resume" grep -q "state saved, resume with" "$T/err"
		$RUN "$XSWEEP" sweep --resume "$T/st" --rate max -T 1 -q >/dev/null 2>&1
		check_eq "$name: output + --resume output is exactly lab truth, each host once" \
			"$(cat "$T/truth")" "$(sort -V "$T/out")"
	elif [ "$rc" -eq 0 ] || grep -q "nothing to resume" "$T/err"; then
		check_eq "$name: done before the signal: exactly lab truth" "$(cat "$T/truth")" \
			"$(sort -V "$T/out")"
	else
		check "$name: stopped before probing: no output" test ! -s "$T/out"
		check_eq "$name: the next sweep is exactly lab truth" "$(cat "$T/truth")" \
			"$(sweep_list 198.18.0.0/18)"
	fi
done

# --- monitor and capture: the next run sees exactly the lab's replies -----------------------
# A TCP SYN sweep of the /26 captured with libpcap: XDP leaves everything to the monitor
# or capture under test, whose view must be every alive host from each of its 3 ports.
monitor_exact() {
	local name=$1
	$RUN "$XSWEEP" monitor -i "$LAB_IFACE" --duration 1.5s >"$T/mon" 2>"$T/mon.err" &
	local m=$!
	sleep 0.4
	$RUN "$XSWEEP" sweep -p 22,80,443 198.18.0.0/26 --capture pcap --rate max -q --wait 0.2 >/dev/null 2>&1
	wait $m
	check_eq "$name: the next monitor (XDP) sees exactly the lab's hosts and ports" \
		"$(sed 's/$/ (22, 80, 443)/' "$T/truth26")" "$(grep '^198\.' "$T/mon")"
}
capture_exact() {
	local name=$1 n=$(($(wc -l <"$T/truth26") * 3))
	$RUN "$XSWEEP" capture -i "$LAB_IFACE" -w "$T/next.pcap" --duration 1.5 tcp >/dev/null 2>"$T/cap.err" &
	local c=$!
	sleep 0.4
	$RUN "$XSWEEP" sweep -p 22,80,443 198.18.0.0/26 --capture pcap --rate max -q --wait 0.2 >/dev/null 2>&1
	wait $c
	check_eq "$name: the next capture (XDP) holds one reply per alive host and port" \
		"$n $(cat "$T/truth26" | tr '\n' ' ')" \
		"$(tcpdump -r "$T/next.pcap" -n 2>/dev/null | wc -l) $(tcpdump -r "$T/next.pcap" -n 2>/dev/null |
			awk '{print $3}' | cut -d. -f1-4 | sort -uV | tr '\n' ' ')"
}

for trial in 1 2 3 4 5; do
	draw 1200
	name="faults: monitor $trial (SIG$sig at ${d}s)"
	$RUN "$XSWEEP" monitor -i "$LAB_IFACE" --interval 200ms --duration 5s -O json >/dev/null 2>&1 &
	signal_checks $! /sys/fs/bpf/xsweep/monitor
	monitor_exact "$name"
done

for trial in 1 2 3 4 5; do
	draw 1200
	name="faults: capture $trial (SIG$sig at ${d}s)"
	rm -f "$T/cap.pcap"
	$RUN "$XSWEEP" capture -i "$LAB_IFACE" -w "$T/cap.pcap" --duration 5 >/dev/null 2>&1 &
	p=$!
	# Traffic to capture while the signal comes.
	$RUN "$XSWEEP" sweep 198.18.0.0/22 --rate 5000 -q --wait 0 --capture pcap >/dev/null 2>&1 &
	s=$!
	sleep "$d"
	kill -"$sig" $p 2>/dev/null
	{ wait $p; } 2>/dev/null
	rc=$?
	wait $s
	check "$name: exit $rc" rc_ok "$sig" "$rc"
	check "$name: no XDP program left" no_xdp
	if [ "$sig" != KILL ] && [ -s "$T/cap.pcap" ]; then
		check "$name: the pcap file reads back whole" tcpdump -r "$T/cap.pcap" -w /dev/null 2>/dev/null
	fi
	capture_exact "$name"
done
