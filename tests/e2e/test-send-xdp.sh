#!/usr/bin/env bash
# test-send-xdp.sh - `xsweep sweep --send xdp` end to end in the lab: probes leave as XDP
# live frames (BPF_PROG_RUN, bpf/xsend.bpf.c) out of the scanner veth into a responder
# veth with GRO on (bench/lab up --gro: NAPI, so XDP frames are taken in). Exact against
# `lab truth` for ICMP /16, TCP SYN -p and IPv6 /112; --probes, shards, SIGINT + --resume
# and retries unchanged; the rate as the responder counts it (1k/s and 50k/s, +-5%);
# auto picks XDP at --rate max only, where the engine and the XDP worker get a CPU each
# (not under taskset -c 0, nor at a set rate). Where frames cannot arrive -- a responder veth
# without NAPI (refused at open), a peer that is down (the first batch is not taken in)
# -- auto falls back to io_uring (quietly when the device says so, with one line when
# frames were lost) and --send xdp refuses with exit 2 and one line. After SIGKILL
# nothing of the sender stays loaded.
source "$(dirname "$0")/../lib.sh"
need_root test-send-xdp

use_lab sx
TMP=$(mktemp -d)
on_exit "rm -rf $TMP"

sweep() { lab exec "$XSWEEP" sweep "$@"; }
same_as() { diff -q <(sort -V "$1") <(sort -V "$2") >/dev/null; }
notices() { grep -v '^summary' "$1"; }

lab up --alive 0.5 --seed 41 --gro >/dev/null || { not_ok "send-xdp: lab up --gro"; exit 1; }
eval "$(lab env)"

# --- exact: ICMP /16, TCP SYN, IPv6 /112 ---------------------------------------------------
lab truth 198.18.0.0/16 >"$TMP/truth16"
e0=$(lab_stat rx_icmp_echo)
sweep 198.18.0.0/16 --send xdp --rate max --wait 0.5 -O list >"$TMP/alive" 2>"$TMP/err"
check "send-xdp: ICMP /16 finds exactly lab truth ($(wc -l <"$TMP/truth16") hosts)" \
	same_as "$TMP/alive" "$TMP/truth16"
check_eq "send-xdp: the responder saw each of the 65536 probes once" 65536 $(($(lab_stat rx_icmp_echo) - e0))
check "send-xdp: summary says XDP, nothing failed" \
	grep -qE '^summary: .*send XDP, send path packet' "$TMP/err"
check "send-xdp: summary: no send error, failed 0" grep -q 'send errors 0 .*, failed 0$' "$TMP/err"
check_eq "send-xdp: no notice" "" "$(notices "$TMP/err")"
# Sender threads are the socket senders': the XDP sender says so in one line and sends alone.
sweep 198.18.0.0/16 --send xdp --rate max -T 2 --wait 0.5 -O list --summary-json "$TMP/sj" \
	>"$TMP/alive" 2>"$TMP/err"
check_eq "send-xdp: -T 2: one notice, the XDP sender sends from one thread" \
	"xsweep: --sender-threads 2: the XDP sender sends from one thread" "$(notices "$TMP/err")"
check_eq "send-xdp: -T 2: exactly lab truth, one sender thread in the summary" \
	"ok 1" "$(same_as "$TMP/alive" "$TMP/truth16" && echo ok) $(jq .sender_threads "$TMP/sj")"

lab truth --ports 198.18.0.0/20 >"$TMP/truthp"
sweep -p 22,80,443 198.18.0.0/20 --send xdp --rate max --wait 0.5 -O list -v -v >"$TMP/open" 2>"$TMP/err"
check "send-xdp: TCP SYN /20 x 3 ports finds exactly the open pairs ($(wc -l <"$TMP/truthp"))" \
	same_as "$TMP/open" "$TMP/truthp"
check "send-xdp: one politeness RST per open pair, through the same sender" \
	grep -q "resets sent $(wc -l <"$TMP/truthp")\$" "$TMP/err"
# Most RSTs leave in the cooldown, after the last probe. Once they are out the worker must
# rest, not poll its empty ring to the end of its run (2^20 program runs, ~0.2 s of a CPU
# each; before the fix every SYN sweep ended with two such runs, > 2 million empty runs).
empty=$(sed -n 's/.* \([0-9]*\) empty runs;.*/\1/p' "$TMP/err")
check "send-xdp: the worker rests after the last RSTs (${empty:-no} empty runs < 2^20)" \
	test "${empty:-1048576}" -lt 1048576

lab truth 2001:2::/112 >"$TMP/truth6"
sweep 2001:2::/112 --send xdp --rate max --wait 0.5 -O list >"$TMP/alive6" 2>"$TMP/err"
check "send-xdp: IPv6 /112 finds exactly lab truth ($(wc -l <"$TMP/truth6") hosts)" \
	same_as "$TMP/alive6" "$TMP/truth6"

# --- auto: XDP at --rate max, io_uring at a set rate --------------------------------------
sweep 198.18.0.0/24 --rate max --wait 0.2 -O list >/dev/null 2>"$TMP/err"
check "send-xdp: auto at --rate max sends with XDP where it can" grep -q 'send XDP,' "$TMP/err"
sweep 198.18.0.0/24 --rate 20000 --wait 0.2 -O list >/dev/null 2>"$TMP/err"
check "send-xdp: auto at a set rate keeps io_uring" grep -q 'send io_uring,' "$TMP/err"

# --- at --rate max the engine and the worker get a CPU each, where two are allowed ----------
lab truth 198.18.0.0/24 >"$TMP/truth24"
cpus() { sed -n 's/^xsweep: XDP send: the engine on CPU \([0-9]*\), the worker on CPU \([0-9]*\)$/\1 \2/p' "$1"; }
if [ "$(nproc)" -ge 2 ]; then
	sweep 198.18.0.0/24 --send xdp --rate max --wait 0.2 -O list -v -v >"$TMP/a24" 2>"$TMP/err"
	c=$(cpus "$TMP/err")
	check "send-xdp: --rate max: the engine and the worker on two CPUs (${c:-none})" \
		test -n "$c" -a "${c% *}" != "${c#* }"
	check "send-xdp: --rate max, two CPUs: exactly lab truth" same_as "$TMP/a24" "$TMP/truth24"
else
	skip "send-xdp: --rate max: the engine and the worker on two CPUs (one CPU here)"
fi
lab exec taskset -c 0 "$XSWEEP" sweep 198.18.0.0/24 --send xdp --rate max --wait 0.2 -O list \
	-v -v >"$TMP/a24" 2>"$TMP/err"
check_eq "send-xdp: --rate max under taskset -c 0: no CPU of its own for anyone" "" "$(cpus "$TMP/err")"
check "send-xdp: --rate max under taskset -c 0: exactly lab truth" same_as "$TMP/a24" "$TMP/truth24"
sweep 198.18.0.0/24 --send xdp --rate 20000 --wait 0.2 -O list -v -v >/dev/null 2>"$TMP/err"
check_eq "send-xdp: a set rate: the threads stay where the scheduler puts them" "" "$(cpus "$TMP/err")"

# --- --probes, shards, resume, unchanged --------------------------------------------------
lab truth 198.18.0.0/20 >"$TMP/truth20"
e0=$(lab_stat rx_icmp_echo)
sweep 198.18.0.0/20 --send xdp --rate max --probes 3 --wait 0.3 -O list >"$TMP/alive" 2>/dev/null
check_eq "send-xdp: --probes 3: the responder saw 3 x 4096 probes" 12288 $(($(lab_stat rx_icmp_echo) - e0))
check "send-xdp: --probes 3: exactly lab truth" same_as "$TMP/alive" "$TMP/truth20"
e0=$(lab_stat rx_icmp_echo)
for i in 0 1; do
	sweep 198.18.0.0/20 --send xdp --rate max --wait 0.3 --seed 9 --shards 2 --shard $i \
		-O list >"$TMP/sh$i" 2>/dev/null
done
check_eq "send-xdp: 2 shards probe each of 4096 targets once" 4096 $(($(lab_stat rx_icmp_echo) - e0))
check "send-xdp: 2 shards together: exactly lab truth" same_as <(cat "$TMP"/sh[01]) "$TMP/truth20"
e0=$(lab_stat rx_icmp_echo)
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep 198.18.0.0/20 --send xdp --rate 2000 --wait 0.3 \
	-O list --state-file "$TMP/st" -o "$TMP/part" 2>/dev/null &
spid=$!
sleep 0.8
kill -INT $spid
wait $spid
check_eq "send-xdp: SIGINT mid-sweep exits 130" 130 $?
sweep --resume "$TMP/st" --rate max >/dev/null 2>&1
check_eq "send-xdp: --resume: both parts probe every target exactly once" 4096 \
	$(($(lab_stat rx_icmp_echo) - e0))
check "send-xdp: --resume: both parts together: exactly lab truth" same_as "$TMP/part" "$TMP/truth20"

# --- the rate, counted at the responder ---------------------------------------------------
# rate_check RATE SECS RANGE: the echo counter sampled every 5 ms during a sweep cut at
# SECS by --timeout: RATE*SECS probes +-5%, arriving over SECS +-5%.
rate_check() {
	local rate=$1 secs=$2 probes span want
	(while :; do echo "$(date +%s%N) $(lab_stat rx_icmp_echo)"; sleep 0.005; done) >"$TMP/samples" 2>/dev/null &
	local sampler=$!
	sleep 0.2
	sweep "$3" --send xdp --rate "$rate" --timeout "${secs}s" -q -O list >/dev/null 2>&1
	sleep 0.2
	kill $sampler
	wait $sampler 2>/dev/null
	read -r probes span < <(awk 'NR == 1 { base = $2 } { t[NR] = $1; c[NR] = $2 }
		END { fin = c[NR]; for (i = 2; i <= NR; i++) { if (!a && c[i] > base) a = (t[i - 1] + t[i]) / 2;
			if (!b && c[i] == fin) b = (t[i - 1] + t[i]) / 2 }
			printf "%d %.3f\n", fin - base, (b - a) / 1e9 }' "$TMP/samples")
	want=$((rate * secs))
	check "send-xdp: --rate $rate for $secs s: $want +-5% probes at the responder ($probes)" \
		test "$probes" -ge $((want * 95 / 100)) -a "$probes" -le $((want * 105 / 100))
	check "send-xdp: --rate $rate: they arrive over $secs s +-5% ($span s)" \
		awk -v s="$span" -v w="$secs" 'BEGIN { exit !(s >= w * 0.95 && s <= w * 1.05) }'
}
rate_check 1000 3 198.18.0.0/16
rate_check 50000 2 198.18.0.0/15

# --- retries against loss -----------------------------------------------------------------
lab down >/dev/null
lab up --alive 0.5 --seed 43 --loss 0.2 --gro >/dev/null || { not_ok "send-xdp: lab up --loss"; exit 1; }
eval "$(lab env)"
lab truth 198.18.0.0/20 >"$TMP/truth20"
sweep 198.18.0.0/20 --send xdp --rate max --wait 0.2 --retries 10 -O list >"$TMP/alive" 2>/dev/null
check "send-xdp: --loss 0.2 --retries 10: exactly lab truth" same_as "$TMP/alive" "$TMP/truth20"

# --- SIGKILL: nothing stays loaded --------------------------------------------------------
lab exec "$XSWEEP" sweep 198.18.0.0/15 --send xdp --rate 20000 --wait 5 -q -O list >/dev/null 2>&1 &
sleep 1
kpid=$(pgrep -n -f "sweep 198.18.0.0/15 --send xdp --rate 20000")
# The programs this process holds, by their fds (bpftool's pids need its pid iterator).
ids=$(for f in /proc/"$kpid"/fdinfo/*; do sed -n 's/^prog_id:\s*//p' "$f"; done 2>/dev/null |
	while read -r id; do bpftool prog show id "$id" | grep -q ' name xs_xsend ' && echo "$id"; done)
check "send-xdp: the running sweep holds its XDP send program (id ${ids:-none})" test -n "$ids"
kill -KILL "$kpid"
wait 2>/dev/null
sleep 0.3
left=""
for id in $ids; do bpftool prog show id "$id" >/dev/null 2>&1 && left="$left $id"; done
check_eq "send-xdp: after SIGKILL the XDP send program is gone" "" "$left"
check "send-xdp: after SIGKILL no XDP program is left on the scanner interface" \
	bash -c "! ip -n $LAB_SCANNER_NS link show dev $LAB_IFACE | grep -q xdp"

# --- where frames cannot arrive: a peer that is down (the first batch is lost) ------------
# A permanent neighbour entry keeps the route usable while the responder veth is down;
# its GRO is on, so the interface still says it can transmit XDP frames.
mac=$(ip netns exec "$LAB_RESPONDER_NS" cat "/sys/class/net/$LAB_RESPONDER_IFACE/address")
ip -n "$LAB_SCANNER_NS" neigh replace "$LAB_RESPONDER_IP" lladdr "$mac" nud permanent dev "$LAB_IFACE"
ip -n "$LAB_RESPONDER_NS" link set "$LAB_RESPONDER_IFACE" down
on_exit "ip -n $LAB_RESPONDER_NS link set $LAB_RESPONDER_IFACE up"
sweep 198.18.0.0/28 --send xdp --rate max --wait 0 >/dev/null 2>"$TMP/err"
rc=$?
check "send-xdp: --send xdp to a peer that is down: exit 2, one line" \
	test "$rc" -eq 2 -a "$(wc -l <"$TMP/err")" -eq 1
check "send-xdp: ... naming the first batch and the counters" \
	grep -qE '^xsweep: sweep failed: xs-scan \(veth\) passed on 0 of the [0-9]+ frames of the first batch \(tx_packets \+0, tx_dropped \+[0-9]+\): its veth peer must be up' "$TMP/err"
sweep 198.18.0.0/28 --rate max --wait 0 --timeout 1s >/dev/null 2>"$TMP/err"
check "send-xdp: auto, peer down: one line, then io_uring" \
	grep -qE '^xsweep: XDP unavailable \(xs-scan \(veth\) passed on 0 of the [0-9]+ frames of the first batch .*\); sending with io_uring instead$' "$TMP/err"
check "send-xdp: auto, peer down: summary says io_uring" grep -q 'send io_uring,' "$TMP/err"
ip -n "$LAB_RESPONDER_NS" link set "$LAB_RESPONDER_IFACE" up
ip -n "$LAB_SCANNER_NS" neigh del "$LAB_RESPONDER_IP" dev "$LAB_IFACE"

# --- where frames cannot arrive: a responder veth without NAPI (the default lab) ----------
lab down >/dev/null
lab up --alive 0.5 --seed 41 >/dev/null || { not_ok "send-xdp: lab up (no GRO)"; exit 1; }
eval "$(lab env)"
e0=$(lab_stat rx_icmp_echo)
sweep 198.18.0.0/24 --send xdp --rate max --wait 0 >/dev/null 2>"$TMP/err"
rc=$?
check_eq "send-xdp: --send xdp into a peer without NAPI: exit 2" 2 "$rc"
check_eq "send-xdp: ... one line saying why" \
	"xsweep: cannot set up the XDP sender on xs-scan: xs-scan (veth) cannot transmit XDP frames now: its veth peer must be up, with an XDP program or GRO (ethtool -K PEER gro on)" \
	"$(cat "$TMP/err")"
check_eq "send-xdp: ... and nothing was sent" "$e0" "$(lab_stat rx_icmp_echo)"
# -T 1: from two io_uring sender threads at --rate max the lab's veth now and then drops
# replies (lab_sweep in tests/lib.sh says how often), which an exact check would take for a miss.
sweep 198.18.0.0/16 --rate max -T 1 --wait 0.5 -O list >"$TMP/alive" 2>"$TMP/err"
check "send-xdp: auto, no NAPI: io_uring finds exactly lab truth" same_as "$TMP/alive" "$TMP/truth16"
check "send-xdp: auto, no NAPI: summary says io_uring" grep -q 'send io_uring,' "$TMP/err"
check_eq "send-xdp: auto, no NAPI: no notice without -v (the device said so)" "" "$(notices "$TMP/err")"
lab exec "$XSWEEP" -v sweep 198.18.0.0/28 --rate max --wait 0 -O list >/dev/null 2>"$TMP/err"
check "send-xdp: auto, no NAPI: -v says why" \
	grep -q '^xsweep: XDP unavailable (xs-scan (veth) cannot transmit XDP frames now: .*); sending with io_uring instead$' "$TMP/err"
