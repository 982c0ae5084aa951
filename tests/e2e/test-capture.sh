#!/usr/bin/env bash
# test-capture.sh - `xsweep capture` end to end, in two throwaway namespaces.
#
# A known exchange (two TCP SYNs, two UDP datagrams with known payloads, IPv4 and IPv6)
# arrives on the captured veth while tcpdump records the same ingress traffic as the
# reference. The pcap files xsweep writes (XDP path and libpcap path) are read back with
# tcpdump -r and must hold exactly those packets with identical bytes; -s must truncate
# like tcpdump -s; a filter keeps only what it should (and counts the rest); the second
# capture on a taken interface falls back to libpcap with a notice and prints the same
# lines; a burst into a tiny ring buffer is fully accounted for (captured + dropped +
# filtered = sent); nothing stays attached.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/mc-lib.sh"
need_root test-capture
command -v socat >/dev/null || { skip "test-capture (socat missing: make deps)"; exit 0; }
command -v tcpdump >/dev/null || { skip "test-capture (tcpdump missing: make deps)"; exit 0; }
T=$(mktemp -d)
on_exit rm -rf "$T"
mc_setup || { not_ok "capture: lab setup"; exit 1; }
RUN="nsenter -t $MON_HOLDER -m -n"	# unquoted use: $! is then the command's pid

send_exchange() {
	mc_syn 198.18.0.10 22 192.0.2.1 9
	mc_syn 2001:2::7 443 2001:db8::1 9
	printf 'hello-xsweep-v4' | in_ns "$NSP" socat -u - UDP4:192.0.2.1:9,bind=192.0.2.2:5353
	printf 'hello-xsweep-v6' | in_ns "$NSP" socat -u - UDP6:[2001:db8::1]:9,bind=[2001:db8::2]:5353
}

# wait_line FILE REGEX: until a command's stderr says it is ready.
wait_line() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "    # timeout waiting for '$2' in $1" >&2
	return 1
}

hex() { tcpdump -r "$1" -n -t -xx 2>/dev/null; }
npk() { tcpdump -r "$1" -n 2>/dev/null | wc -l; }

# --- 1: XDP and libpcap paths write the exchange, tcpdump is the reference ---
$RUN tcpdump -i xm0 -Q in -U -c 4 -w "$T/ref.pcap" 2>"$T/ref.err" &
PR=$!
$RUN tcpdump -i xm0 -Q in -U -c 4 -s 40 -w "$T/ref40.pcap" 2>"$T/ref40.err" &
PR40=$!
$RUN "$XSWEEP" capture -i xm0 -c 4 --duration 10 -w "$T/x.pcap" 2>"$T/x.err" &
PX=$!
wait_line "$T/x.err" "capturing on xm0 via xdp"
$RUN "$XSWEEP" capture -i xm0 --capture pcap -c 4 --duration 10 -w "$T/p.pcap" 2>"$T/p.err" &
PP=$!
$RUN "$XSWEEP" capture -i xm0 --capture pcap -s 40 -c 4 --duration 10 -w "$T/s.pcap" 2>"$T/s.err" &
PS=$!
wait_line "$T/p.err" "capturing on xm0 via pcap"
wait_line "$T/s.err" "capturing on xm0 via pcap"
wait_line "$T/ref.err" "listening on"
wait_line "$T/ref40.err" "listening on"
send_exchange
wait $PX
check_eq "capture (xdp) -c 4 exits 0" 0 "$?"
wait $PP
check_eq "capture (pcap) -c 4 exits 0" 0 "$?"
wait $PS $PR $PR40
check_eq "reference tcpdump saw the 4 packets" 4 "$(npk "$T/ref.pcap")"
check_eq "capture -w (xdp): tcpdump -r reads exactly 4 packets" 4 "$(npk "$T/x.pcap")"
check_eq "capture -w (xdp): bytes identical to tcpdump's capture" "$(hex "$T/ref.pcap")" "$(hex "$T/x.pcap")"
check_eq "capture -w (pcap): bytes identical to tcpdump's capture" "$(hex "$T/ref.pcap")" "$(hex "$T/p.pcap")"
check_eq "capture -s 40 (pcap): truncated exactly like tcpdump -s 40" "$(hex "$T/ref40.pcap")" "$(hex "$T/s.pcap")"
check "capture -w (xdp): the UDP payloads are in the file" \
	bash -c "tcpdump -r '$T/x.pcap' -A udp 2>/dev/null | grep -q hello-xsweep-v4 &&
		 tcpdump -r '$T/x.pcap' -A udp 2>/dev/null | grep -q hello-xsweep-v6"
check_eq "capture (xdp) summary" "4 packets captured, 0 dropped, 0 filtered out (xdp on xm0)" \
	"$(tail -1 "$T/x.err")"
check_eq "capture (pcap) summary" "4 packets captured, 0 dropped, 0 filtered out (pcap on xm0)" \
	"$(tail -1 "$T/p.err")"
# Wall-clock timestamps: XDP's monotonic ns converted in userspace, within 50 ms of tcpdump's.
paste <(tcpdump -r "$T/ref.pcap" -tt -n 2>/dev/null | cut -d' ' -f1) \
	<(tcpdump -r "$T/x.pcap" -tt -n 2>/dev/null | cut -d' ' -f1) >"$T/ts"
check "capture (xdp): timestamps within 50 ms of tcpdump's" \
	awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 0.05 || NF != 2) bad = 1 } END { exit bad || NR != 4 }' "$T/ts"
mc_no_leftovers "capture -c"

# --- 2: a filter, one line per packet, SIGINT, and the automatic fallback ---
$RUN "$XSWEEP" capture -i xm0 udp and src port 5353 >"$T/fx.out" 2>"$T/fx.err" &
PFX=$!
wait_line "$T/fx.err" "capturing on xm0 via xdp"
$RUN "$XSWEEP" capture -i xm0 udp and src port 5353 >"$T/fa.out" 2>"$T/fa.err" &
PFA=$!
wait_line "$T/fa.err" "capturing on xm0 via pcap"
ID=$(ip -n "$NSM" link show xm0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
check_rc "capture --capture xdp on a taken interface exits 2" 2 \
	$RUN "$XSWEEP" capture -i xm0 --capture xdp -c 1
send_exchange
sleep 0.3
kill -INT $PFX $PFA
wait $PFX
check_eq "capture exits 0 on SIGINT" 0 "$?"
wait $PFA
LINES='IP 192.0.2.2.5353 > 192.0.2.1.9: UDP, length 15
IP6 2001:db8::2.5353 > 2001:db8::1.9: UDP, length 15'
check_eq "capture FILTER (xdp): only the matching packets, tcpdump-like lines" "$LINES" \
	"$(cut -d' ' -f2- "$T/fx.out")"
check_eq "capture FILTER (automatic libpcap fallback): same lines" "$LINES" "$(cut -d' ' -f2- "$T/fa.out")"
check "capture lines start with a HH:MM:SS.uuuuuu timestamp" \
	grep -qE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} IP ' "$T/fx.out"
check_eq "capture FILTER (xdp) summary counts the filtered out" \
	"2 packets captured, 0 dropped, 2 filtered out (xdp on xm0)" "$(tail -1 "$T/fx.err")"
check_eq "capture FILTER (fallback) summary" \
	"2 packets captured, 0 dropped, 2 filtered out (pcap on xm0)" "$(tail -1 "$T/fa.err")"
check "capture fallback notice names the attached program" \
	grep -qx "xsweep: xm0 already has XDP program '[a-z_]*' (id $ID, [a-z]* mode, not a libxdp dispatcher) attached; capturing with libpcap instead" "$T/fa.err"
mc_no_leftovers "capture after SIGINT"

# --- 3: a burst into a 4 KiB ring buffer: every frame captured, dropped or filtered ---
head -c 300000 /dev/zero >"$T/burst"
$RUN "$XSWEEP" capture -i xm0 -B 4 -w /dev/null --duration 3 udp >/dev/null 2>"$T/b.err" &
PB=$!
wait_line "$T/b.err" "capturing on xm0 via xdp"
in_ns "$NSP" socat -u -b 1000 "OPEN:$T/burst" UDP4-SENDTO:192.0.2.1:9,bind=192.0.2.2:7000
wait $PB
read -r cap drop filt < <(tail -1 "$T/b.err" | sed -n 's/^\([0-9]*\) packets captured, \([0-9]*\) dropped, \([0-9]*\) filtered out.*/\1 \2 \3/p')
echo "    # burst of 300 into a 4 KiB ring: $(tail -1 "$T/b.err")"
check_eq "capture burst: captured + dropped + filtered == 300 sent" 300 $((${cap:-0} + ${drop:-0} + ${filt:-0}))
mc_no_leftovers "capture after the burst"

# --- 4: -c alone stops the capture, and lines appear as packets arrive, on both paths ---
# (XDP writes ring-buffer records without a wakeup until a batch waits: the reader must
# still see a lone record within its poll timeout.)
# gone PID SECONDS: the process ends within SECONDS; killed (INT) otherwise.
gone() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -INT "$1" 2>/dev/null
	return 1
}
for path in xdp pcap; do
	$RUN "$XSWEEP" capture -i xm0 --capture $path -c 3 -w "$T/c-$path.pcap" 2>"$T/c-$path.err" &
	PC=$!
	wait_line "$T/c-$path.err" "capturing on xm0 via $path"
	send_exchange
	check "capture -c 3 -w ($path): stops by itself within 2 s of the packets" gone $PC 2
	wait $PC
	check_eq "capture -c 3 -w ($path): 3 packets in the file and the summary" \
		"3 3 packets captured, 0 dropped, 0 filtered out ($path on xm0)" \
		"$(npk "$T/c-$path.pcap") $(tail -1 "$T/c-$path.err")"

	$RUN "$XSWEEP" capture -i xm0 --capture $path -c 2 udp >"$T/l-$path.out" 2>"$T/l-$path.err" &
	PL=$!
	wait_line "$T/l-$path.err" "capturing on xm0 via $path"
	printf 'one' | in_ns "$NSP" socat -u - UDP4:192.0.2.1:9,bind=192.0.2.2:5353
	check "capture -c 2 ($path): the first line is printed while the capture runs" \
		wait_line "$T/l-$path.out" "IP 192.0.2.2.5353 > 192.0.2.1.9: UDP, length 3"
	check "capture -c 2 ($path): still running after one packet" kill -0 $PL
	printf 'two!' | in_ns "$NSP" socat -u - UDP4:192.0.2.1:9,bind=192.0.2.2:5353
	check "capture -c 2 ($path): stops by itself within 2 s of the second packet" gone $PL 2
	wait $PL
	check_eq "capture -c 2 ($path): two lines" 2 "$(wc -l <"$T/l-$path.out")"
done
mc_no_leftovers "capture at the end"
check_rc "capture: bad filter exits 2" 2 "$XSWEEP" capture -i lo 'tcp port'
check_rc "capture: bad snaplen exits 2" 2 "$XSWEEP" capture -i lo -s abc
