#!/usr/bin/env bash
# test-lab.sh - bench/lab end to end: real packets from fping and the scanner kernel's
# TCP stack through the XDP responder (generic and native mode) and through the AnyIP
# responder (IPv4 and, with --range6, IPv6), compared with `bench/lab truth`; impairments checked against the scanner
# kernel's ICMP counters; determinism; two labs side by side; nothing left behind.
# Every sender runs inside the lab's scanner namespace (bench/lab exec refuses the
# root namespace); each lab is torn down on exit.
. "$(dirname "$0")/../lib.sh"
need_root "lab e2e"

LABSH=$XSWEEP_TOP/bench/lab
LABCTL=$XSWEEP_TOP/build/labctl
A=${TEST_ID}a B=${TEST_ID}b C=${TEST_ID}c D=${TEST_ID}d E=${TEST_ID}e
for l in $A $B $C $D $E; do on_exit "LAB=$l $LABSH down"; done

lab() {
	local name=$1
	shift
	LAB=$name "$LABSH" "$@"
}

# Every address of a /24 (fping -g leaves out .0 and .255; truth does not).
all24() { for i in $(seq 0 255); do echo "$1.$i"; done; }
all6() { for i in $(seq 0 255); do printf '%s%x\n' "$1" "$i"; done; }
stat_of() { lab "$1" stats | awk -v k="$2" '$1 == k { print $2 }'; }
fping_alive() { lab "$1" exec fping -a -q -r0 -t 300 -i 1 "${@:2}" 2>/dev/null; }

# ---- lab A: XDP responder, generic mode, the whole /15 ----
out=$(lab $A up --seed 7 --alive 0.5)
check_eq "up exits 0" 0 $?
check "up prints namespaces and scanner interface" \
	grep -q "xs-$A-scan.*interface xs-scan" <<<"$out"
grep -q "xs-$A-resp" <<<"$out" || not_ok "up names the responder namespace"
eval "$(lab $A env)"
check_eq "env names the namespaces" "xs-$A-scan xs-$A-resp xs-scan" \
	"$LAB_SCANNER_NS $LAB_RESPONDER_NS $LAB_IFACE"
check_eq "env addresses" "192.0.2.1 192.0.2.2 2001:db8::1 2001:db8::2" \
	"$LAB_SCANNER_IP $LAB_RESPONDER_IP $LAB_SCANNER_IP6 $LAB_RESPONDER_IP6"
check_eq "scanner IPv4 routes: link and 198.18.0.0/15 only" \
	"192.0.2.0/24 dev xs-scan proto kernel scope link src 192.0.2.1
198.18.0.0/15 via 192.0.2.2 dev xs-scan" \
	"$(ip -n "$LAB_SCANNER_NS" -4 route show | sed 's/ *$//')"
check_eq "scanner IPv6 routes: link, 2001:2::/48, no default" "2001:2::/48 via 2001:db8::2 dev xs-scan
2001:db8::/64 dev xs-scan proto kernel
fe80::/64 dev xs-scan proto kernel" \
	"$(ip -n "$LAB_SCANNER_NS" -6 route show | sed 's/ metric.*//')"
check "responder runs XDP in generic mode" \
	grep -q xdpgeneric <<<"$(ip -n "$LAB_RESPONDER_NS" link show xs-resp)"
check_rc "up on a running lab fails with status 2" 2 lab $A up

truth24=$(lab $A truth 198.18.0.0/24)
n24=$(wc -l <<<"$truth24")
check_eq "fping over 198.18.0.0/24 finds exactly the truth (XDP responder, $n24 alive)" \
	"$truth24" "$(all24 198.18.0 | fping_alive $A)"
check_eq "stats count every echo request and reply" "256 $n24 $((256 - n24))" \
	"$(stat_of $A rx_icmp_echo) $(stat_of $A tx_icmp_echo_reply) $(stat_of $A dropped_dead)"
check "stats --json has the named counters" \
	grep -q '"rx_icmp_echo":256' <<<"$(lab $A stats --json)"
check "bpftool dumps the pinned map with field names" \
	grep -q '"tx_icmp_echo_reply"' <<<"$(bpftool map dump pinned "$LAB_PIN_DIR/stats")"

truth6=$(lab $A truth 2001:2::/120)
check_eq "fping -6 over 2001:2::/120 finds exactly the truth ($(wc -l <<<"$truth6") alive)" \
	"$truth6" "$(all6 2001:2:: | fping_alive $A -6)"
check_eq "stats count ICMPv6 echo" 256 "$(stat_of $A rx_icmp6_echo)"

# TCP through the scanner kernel's own connect(): open -> connects, closed -> refused,
# dead -> no answer at all.
tcp_try() {
	lab "$1" exec timeout 1 bash -c "exec 3<>/dev/tcp/$2/$3" 2>&1
	echo "rc=$?"
}
open1=$(lab $A truth --ports 198.18.0.0/24 | head -1)
oaddr=${open1%:*} oport=${open1##*:}
dead1=$(comm -23 <(all24 198.18.0 | sort) <(sort <<<"$truth24") | head -1)
check "SYN to open $open1 -> connection established" \
	grep -q 'rc=0' <<<"$(tcp_try $A "$oaddr" "$oport")"
check "SYN to closed port $oaddr:8080 -> connection refused (RST)" \
	grep -q 'refused' <<<"$(tcp_try $A "$oaddr" 8080)"
check "SYN to dead $dead1 -> no answer (timeout)" \
	grep -q 'rc=124' <<<"$(tcp_try $A "$dead1" "$oport")"
open6=$(lab $A truth --ports 2001:2::/120 | head -1)
o6addr=${open6%]:*} o6addr=${o6addr#[}
check "IPv6 SYN to open $open6 -> connection established" \
	grep -q 'rc=0' <<<"$(tcp_try $A "$o6addr" "${open6##*:}")"
check_eq "stats: SYN-ACKs and RSTs" "2 1" "$(stat_of $A tx_tcp_synack) $(stat_of $A tx_tcp_rst)"

# ---- determinism ----
check_eq "same seed, same truth" "$(lab $A truth 198.18.0.0/16)" "$(lab $A truth --seed 7 198.18.0.0/16)"
n16=$(lab $A truth 198.18.0.0/16 | wc -l)
check "alive 0.5 gives about half of a /16 ($n16 of 65536)" test "$n16" -gt 31768 -a "$n16" -lt 33768
diff16=$(diff <(lab $A truth 198.18.0.0/16) <(lab $A truth --seed 8 198.18.0.0/16) | grep -c '^[<>]')
check "a different seed gives a different truth ($diff16 addresses differ)" test "$diff16" -gt 20000
check_eq "truth is sorted numerically" "$(lab $A truth 198.18.0.0/22 | sort -t. -k1,1n -k2,2n -k3,3n -k4,4n)" \
	"$(lab $A truth 198.18.0.0/22)"

# ---- lab B: AnyIP responder beside lab A, same seed, IPv4 and IPv6 ----
lab $B up --responder anyip --seed 7 --range 198.18.0.0/24 --range6 2001:2::/120 >/dev/null
check_eq "anyip lab comes up beside the XDP lab" 0 $?
check_eq "anyip truth (both ranges) equals the XDP lab's truth (same seed)" \
	"$truth24"$'\n'"$truth6" "$(lab $B truth)"
check_eq "env names the anyip IPv6 range" LAB_RANGE6=2001:2::/120 "$(lab $B env | grep RANGE6)"
check_eq "fping over 198.18.0.0/24 finds exactly the truth (AnyIP responder)" \
	"$truth24" "$(all24 198.18.0 | fping_alive $B)"
check_eq "anyip truth 2001:2::/120 equals the XDP lab's" "$truth6" "$(lab $B truth 2001:2::/120)"
check_eq "fping -6 over 2001:2::/120 finds exactly the truth (AnyIP responder)" \
	"$truth6" "$(all6 2001:2:: | fping_alive $B -6)"
check_eq "anyip truth: a range around --range6 gives --range6's, one beside it nothing" \
	"$truth6" "$(lab $B truth 2001:2::/112 2001:2::100/120 2001:2:1::/120)"
dead6=$(comm -23 <(all6 2001:2:: | sort) <(sort <<<"$truth6") | tail -1)
check "anyip: IPv6 SYN to alive $(head -1 <<<"$truth6") -> refused (the kernel's RST)" \
	grep -q 'refused' <<<"$(tcp_try $B "$(head -1 <<<"$truth6")" 22)"
check "anyip: IPv6 SYN to dead $dead6 -> no answer (timeout)" \
	grep -q 'rc=124' <<<"$(tcp_try $B "$dead6" 22)"
check_eq "lab A saw none of lab B's traffic" "256 256" \
	"$(stat_of $A rx_icmp_echo) $(stat_of $A rx_icmp6_echo)"
check_rc "impairments are refused with the anyip responder" 2 \
	lab $E up --responder anyip --loss 0.1

# ---- the XDP live-frames blaster (labctl xdpblast) and bench/lab gro, on lab A ----
RMAC=$(ip -n "$LAB_RESPONDER_NS" -o link show xs-resp | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
xb() { lab $A exec "$LABCTL" xdpblast --ifname xs-scan --dst-mac "$RMAC" "$@"; }
gro_of() { ip netns exec "$LAB_RESPONDER_NS" ethtool -k xs-resp | awk '$1 == "generic-receive-offload:" { print $2 }'; }
check "xdpblast --verify: 3000 echo requests byte for byte over stale frames" \
	"$LABCTL" xdpblast --dst-mac "$RMAC" --range 198.18.0.0/24 --verify 3000
check "xdpblast --verify: 3000 SYNs (three ports) byte for byte over stale frames" \
	"$LABCTL" xdpblast --dst-mac "$RMAC" --range 198.18.0.0/24 --syn-ports 22,80,443 --verify 3000
check_rc "xdpblast refuses the root network namespace" 2 \
	"$LABCTL" xdpblast --ifname lo --dst-mac "$RMAC" --count 1
check_rc "xdpblast --batch above the kernel's 256 -> status 2" 2 xb --batch 512 --count 1
rx0=$(stat_of $A rx_icmp_echo)
check_rc "xdpblast into a generic responder without GRO: nothing arrives, status 1" 1 \
	xb --range 198.18.0.0/24 --count 1000
check_eq "... and the responder saw none of it" "$rx0" "$(stat_of $A rx_icmp_echo)"
check_eq "GRO is off on the responder veth after up" off "$(gro_of)"
check_rc "bench/lab gro on" 0 lab $A gro on
check_eq "GRO is on" on "$(gro_of)"
tx0=$(stat_of $A tx_icmp_echo_reply)
out=$(xb --range 198.18.0.0/24 --count 10240)
check_eq "xdpblast with GRO on exits 0" 0 $?
check "xdpblast reports 10240 sent, no drop ($out)" grep -q '^sent 10240 .*tx_dropped +0;' <<<"$out"
check_eq "every frame arrived: 10240 echo requests (40 to each address), $((40 * n24)) replies" \
	"$((rx0 + 10240)) $((tx0 + 40 * n24))" "$(stat_of $A rx_icmp_echo) $(stat_of $A tx_icmp_echo_reply)"
syn0=$(stat_of $A rx_tcp_syn) sa0=$(stat_of $A tx_tcp_synack) rst0=$(stat_of $A tx_tcp_rst)
open2=$(lab $A truth --ports 198.18.0.0/24 | grep -c ':\(22\|80\)$')
xb --range 198.18.0.0/24 --syn-ports 22,80 --count 512 >/dev/null
check_eq "xdpblast --syn-ports: 512 SYNs, one to every (address, port) pair; $open2 SYN-ACKs, $((2 * n24 - open2)) RSTs" \
	"$((syn0 + 512)) $((sa0 + open2)) $((rst0 + 2 * n24 - open2))" \
	"$(stat_of $A rx_tcp_syn) $(stat_of $A tx_tcp_synack) $(stat_of $A tx_tcp_rst)"
check_rc "bench/lab gro off" 0 lab $A gro off
check_eq "GRO is off again" off "$(gro_of)"
check_rc "bench/lab gro with a bad value -> status 2" 2 lab $A gro maybe

# ---- lab C: impairments, counted on both sides ----
lab $C up --alive 1 --loss 0.2 --dup 0.3 --wrong-src 0.2 --bad-id 0.2 \
	--range 198.18.1.0/24 >/dev/null
check "tc program attached for --dup" \
	grep -q lab_dup <<<"$(tc -n "xs-$C-resp" filter show dev xs-resp ingress)"
lab $C exec nstat -n
fp=$(lab $C exec fping -c 200 -p 2 -q 198.18.1.7 2>&1 | grep xmt)
rcv=$(sed 's|.*= 200/\([0-9]*\)/.*|\1|' <<<"$fp")
replies=$(lab $C exec nstat -a | awk '$1 == "IcmpInEchoReps" { print $2 }')
rx=$(stat_of $C rx_icmp_echo) tx=$(stat_of $C tx_icmp_echo_reply) lost=$(stat_of $C lost)
dup=$(stat_of $C duplicated) wsrc=$(stat_of $C wrong_src) bad=$(stat_of $C bad_id)
echo "# fping: $fp; responder: rx $rx tx $tx lost $lost dup $dup wrong_src $wsrc bad_id $bad; scanner got $replies"
check_eq "every request arrived and was answered or lost" "200 200" "$rx $((tx + lost))"
check_eq "scanner kernel received replies + duplicates" "$((tx + dup))" "$replies"
check_eq "fping accepted every reply except those with a bad id" "$((tx - bad))" "$rcv"
check "each impairment injected at a plausible rate" \
	test "$lost" -ge 15 -a "$lost" -le 70 -a "$dup" -ge 15 -a "$dup" -le 80 \
	-a "$wsrc" -ge 8 -a "$wsrc" -le 60 -a "$bad" -ge 8 -a "$bad" -le 60
check_eq "no failed duplicate" 0 "$(stat_of $C dup_failed)"

# ---- lab D: native mode, the scanner side running an XDP program ----
lab $D up --mode native --seed 3 --range 198.18.2.0/24 --dup 0.5 >/dev/null
check "responder runs XDP in native mode" \
	grep -q ' xdp ' <<<"$(ip -n "xs-$D-resp" link show xs-resp)"
"$LABCTL" pass --netns "xs-$D-scan" --ifname xs-scan
check_eq "native mode: fping finds exactly the truth (scanner runs XDP)" \
	"$(lab $D truth)" "$(all24 198.18.2 | fping_alive $D | sort -V -u)"

# ---- bad input, teardown ----
check_rc "unknown option -> status 2" 2 lab $E up --bogus
check_rc "range outside 198.18.0.0/15 -> status 2" 2 lab $E up --range 192.0.2.0/24
check_rc "--range6 with the xdp responder -> status 2" 2 lab $E up --range6 2001:2::/120
check_rc "--range6 shorter than /104 -> status 2" 2 lab $E up --responder anyip --range6 2001:2::/100
check_rc "--range6 outside 2001:2::/48 -> status 2" 2 lab $E up --responder anyip --range6 2001:3::/120
check_rc "--range6 not IPv6 -> status 2" 2 lab $E up --responder anyip --range6 198.18.0.0/24
check_rc "bad fraction -> status 2" 2 lab $E up --alive 2
check "failed ups leave nothing behind" \
	test ! -e "/run/netns/xs-$E-scan" -a ! -e "/run/xsweep-lab/$E" -a ! -e "/sys/fs/bpf/xsweep-lab/$E"
for l in $A $B $C $D; do lab $l down; done
left=$(for l in $A $B $C $D; do
	ls /run/netns/ | grep -- "xs-$l-"
	ls -d "/sys/fs/bpf/xsweep-lab/$l" "/run/xsweep-lab/$l" 2>/dev/null
done)
check_eq "down leaves no namespace, pin or state" "" "$left"
check_rc "down again is a no-op (idempotent)" 0 lab $A down
check_rc "truth on a lab that is down -> status 2" 2 lab $A truth
