#!/usr/bin/env bash
# test-forged.sh - forged traffic during real sweeps, on both receive paths (XDP and
# --capture pcap), ICMP and TCP SYN, IPv4 and IPv6 targets at once.
#
# First, genuine replies are recorded (tcpdump -w in the scanner namespace, during a
# sweep captured with libpcap, so XDP drops nothing before tcpdump). Then, while a later
# sweep (a new cookie key) waits for replies, tests/e2e/forge.py in the responder
# namespace replays every recorded reply and adds random forged ones shaped like ours
# (ICMP: xsweep's payload magic; TCP: SYN-ACK or RST+ACK to our source ports) from alive
# and silent lab addresses. Required: the sweep reports exactly lab truth (0 false
# hosts) and counts exactly the injected frames as bad cookies (no other invalid reply).
source "$(dirname "$0")/../lib.sh"
need_root test-forged
command -v python3 >/dev/null || { skip "test-forged (python3 missing)"; exit 0; }
command -v tcpdump >/dev/null || { skip "test-forged (tcpdump missing: make deps)"; exit 0; }

FORGE=$XSWEEP_TOP/tests/e2e/forge.py
use_lab fg
T=$(mktemp -d)
chmod 755 "$T"
on_exit "rm -rf $T"

lab up --alive 0.5 --seed 31 >/dev/null || { not_ok "forged: lab up"; exit 1; }
eval "$(lab env)"
SCAN_MAC=$(ip -n "$LAB_SCANNER_NS" -br link show "$LAB_IFACE" | awk '{print $3}')
RESP_MAC=$(ip -n "$LAB_RESPONDER_NS" -br link show "$LAB_RESPONDER_IFACE" | awk '{print $3}')
ICMP_T=(198.18.0.0/20 2001:2::/118)
TCP_T=(-p 22,80,443 198.18.0.0/22 2001:2::/120)
(lab truth "${ICMP_T[@]}") | sort >"$T/truth.icmp"
(lab truth 198.18.0.0/22 2001:2::/120 --ports) | sort >"$T/truth.tcp"

# --- record genuine replies of an earlier run ----------------------------------------------
record() {
	local kind=$1
	shift
	ip netns exec "$LAB_SCANNER_NS" tcpdump -i "$LAB_IFACE" -B 16384 -Q in -U -w "$T/rec.$kind.pcap" \
		'icmp or icmp6 or tcp' 2>"$T/tcpdump.$kind" &
	local td=$!
	for ((i = 0; i < 100; i++)); do
		grep -q "listening on" "$T/tcpdump.$kind" && break
		sleep 0.05
	done
	lab exec "$XSWEEP" sweep "$@" --capture pcap --rate 20000 --wait 0.5 -q >/dev/null 2>&1
	sleep 0.2
	kill -INT $td
	wait $td
}
# The recordings are this test's fixture: tcpdump on a loaded 2-CPU machine can miss a
# burst, so a short one is recorded again (up to three times) before it is checked.
icmp_want=$(wc -l <"$T/truth.icmp")
tcp_want=$((3 * $(lab truth 198.18.0.0/22 2001:2::/120 | wc -l)))
icmp_got() { tcpdump -r "$T/rec.icmp.pcap" -n 'icmp[0] == 0 or (icmp6 and ip6[40] == 129)' 2>/dev/null | wc -l; }
tcp_got() { tcpdump -r "$T/rec.tcp.pcap" -n 'tcp' 2>/dev/null | wc -l; }
for try in 1 2 3; do
	record icmp "${ICMP_T[@]}"
	[ "$(icmp_got)" -eq "$icmp_want" ] && break
done
for try in 1 2 3; do
	record tcp "${TCP_T[@]}"
	[ "$(tcp_got)" -eq "$tcp_want" ] && break
done

# forged_sweep KIND CAPTURE TARGETS...: a sweep with replays and forgeries injected while
# it waits for replies (once its first result is out, so its receive path is open).
forged_sweep() {
	local kind=$1 cap=$2 name="forged: $1 sweep, --capture $2" n i
	shift 2
	rm -f "$T/out"
	ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep "$@" --capture "$cap" --rate 50000 --wait 2 \
		-O list -o "$T/out" 2>"$T/err" &
	local p=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$T/out" ] && break
		sleep 0.02
	done
	n=$(ip netns exec "$LAB_RESPONDER_NS" python3 "$FORGE" replay "$LAB_RESPONDER_IFACE" \
		"$T/rec.$kind.pcap" "$kind")
	n=$((n + $(ip netns exec "$LAB_RESPONDER_NS" python3 "$FORGE" forge "$LAB_RESPONDER_IFACE" \
		"$kind" 1000 "$RANDOM" "$SCAN_MAC" "$RESP_MAC" "$LAB_SCANNER_IP" "$LAB_SCANNER_IP6")))
	wait $p
	check "$name: exit 0, the injection started while it ran" test $? -eq 0 -a "$i" -lt 100
	check_eq "$name: 0 false hosts: exactly lab truth" "$(cat "$T/truth.$kind")" "$(sort "$T/out")"
	check_eq "$name: bad cookies counted = frames injected (replayed $((n - 1000)) + forged 1000)" \
		"$n" "$(summary_field "bad cookie" "$T/err")"
	check_eq "$name: no other invalid reply" "0 0" \
		"$(summary_field "wrong source" "$T/err") $(summary_field unexpected "$T/err")"
}

check_eq "forged: the recording holds one echo reply per alive host" "$icmp_want" "$(icmp_got)"
check_eq "forged: the recording holds one SYN-ACK or RST per alive host and port" \
	"$tcp_want" "$(tcp_got)"
for cap in xdp pcap; do
	forged_sweep icmp $cap "${ICMP_T[@]}"
	forged_sweep tcp $cap "${TCP_T[@]}"
done
