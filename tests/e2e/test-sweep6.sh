#!/usr/bin/env bash
# test-sweep6.sh - IPv6 sweeps end to end in the lab: ICMPv6 echo and TCP SYN over
# 2001:2::/48 from the scanner namespace, replies from the XDP responder validated by the
# real XDP program (and by the libpcap path); exact against `lab truth`, mixed IPv4 and
# IPv6 targets, sendmmsg, shards, SIGINT + resume, impairments, and the host's own IPv6
# (a TCP connection over IPv6, neighbour discovery) working during a sweep.
source "$(dirname "$0")/../lib.sh"
need_root test-sweep6

use_lab s6
TMP=$(mktemp -d)
on_exit "rm -rf $TMP"

sweep() { lab_sweep "$@"; }
echoes6() { lab_stat rx_icmp6_echo; }

lab up --alive 0.5 --seed 41 >/dev/null || { not_ok "sweep6: lab up"; exit 1; }
eval "$(lab env)"

# --- exact: a /112, mixed families, TCP ----------------------------------------------------
lab truth 2001:2::/112 | sort >"$TMP/truth112"
sweep 2001:2::/112 -O list >"$TMP/alive112" 2>"$TMP/err112"
check_eq "sweep6: 2001:2::/112 finds exactly lab truth ($(wc -l <"$TMP/truth112") hosts)" \
	"$(cat "$TMP/truth112")" "$(sort "$TMP/alive112")"
check "sweep6: summary: 65536 targets, sent 65536, no invalid reply" \
	grep -q "targets 65536, rounds 1, sent 65536," "$TMP/err112"
check_eq "sweep6: no invalid replies" 0 "$(summary_field invalid "$TMP/err112")"

printf '198.18.0.0/24\n2001:2::100-2001:2::1ff\n# a comment\n2001:2::7\n' >"$TMP/mixed"
(lab truth 198.18.0.0/24; lab truth 2001:2::100/120 2001:2::7/128) | sort >"$TMP/truthm"
sweep -iL "$TMP/mixed" -O json -q >"$TMP/mixed.json"
check_eq "sweep6: a mixed IPv4 + IPv6 list (-iL) finds exactly lab truth" \
	"$(cat "$TMP/truthm")" "$(jq -r 'select(.state=="alive") | .addr' "$TMP/mixed.json" | sort)"
check "sweep6: IPv6 addresses are printed in RFC 5952 form" \
	test "$(jq -r '.addr' "$TMP/mixed.json" | grep ':' | grep -vcE '^2001:2::[0-9a-f]{1,4}$')" -eq 0
sweep 2001:2::/120 -q --wait 0.3 >"$TMP/text"
check "sweep6: the lab's text form: '2001:2::9 is alive'" \
	grep -qE '^2001:2::[0-9a-f]+ is alive$' "$TMP/text"

lab truth --ports 2001:2::/116 | sort >"$TMP/truthp"
sweep -p 22,80,443 2001:2::/116 --wait 0.5 -O list >"$TMP/openp" 2>/dev/null
check_eq "sweep6: TCP SYN over IPv6, /116 x 3 ports: exactly the open pairs ($(wc -l <"$TMP/truthp"))" \
	"$(cat "$TMP/truthp")" "$(sort "$TMP/openp")"

# --- the other paths -----------------------------------------------------------------------
lab truth 2001:2::/116 | sort >"$TMP/truth116"
sweep 2001:2::/116 --wait 0.5 --capture pcap -O list >"$TMP/pcap" 2>/dev/null
check_eq "sweep6: --capture pcap finds exactly lab truth" "$(cat "$TMP/truth116")" "$(sort "$TMP/pcap")"
sweep 2001:2::/116 --wait 0.5 --send mmsg -O list >"$TMP/mmsg" 2>"$TMP/mmsg.err"
check_eq "sweep6: --send mmsg finds exactly lab truth" "$(cat "$TMP/truth116")" "$(sort "$TMP/mmsg")"
check "sweep6: --send mmsg says sendmmsg" grep -q 'send sendmmsg' "$TMP/mmsg.err"

# --- order, shards, resume -------------------------------------------------------------------
for i in 0 1 2; do
	sweep 2001:2::/116 --dry-run --seed 9 --shards 3 --shard $i -q >"$TMP/shard$i"
done
check_eq "sweep6: dry-run shards 0-2 of 3 cover 2001:2::/116 once" \
	"$( (echo 2001:2::; for i in $(seq 1 4095); do printf '2001:2::%x\n' $i; done) | sort)" \
	"$(cut -d' ' -f1 "$TMP"/shard[012] | sort)"
e0=$(echoes6)
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep 2001:2::/116 --rate 2000 --wait 0.3 -O list \
	--state-file "$TMP/st" >"$TMP/part1" 2>/dev/null &
spid=$!
sleep 0.8
kill -INT $spid
wait $spid
check "sweep6: SIGINT saved a state with IPv6 ranges" grep -q '^range 2001:2::-2001:2::fff$' "$TMP/st"
sweep --resume "$TMP/st" >"$TMP/part2" 2>/dev/null
check_eq "sweep6: --resume: both parts probe every IPv6 target exactly once" \
	4096 $(($(echoes6) - e0))
check_eq "sweep6: --resume: both parts together find exactly lab truth" \
	"$(cat "$TMP/truth116")" "$(cat "$TMP/part1" "$TMP/part2" | sort)"

# --- the host's IPv6 keeps working during a sweep ---------------------------------------------
ip netns exec "$LAB_RESPONDER_NS" socat TCP6-LISTEN:7007,bind=[2001:db8::2],reuseaddr EXEC:cat &
on_exit "kill $! 2>/dev/null"
sleep 0.3
lab exec ip -6 neigh flush dev "$LAB_IFACE"
sweep 2001:2::/112 -q --wait 1 >/dev/null 2>&1 &
spid=$!
got=$(for i in $(seq 1 15); do echo "line $i"; sleep 0.1; done |
	timeout 10 ip netns exec "$LAB_SCANNER_NS" socat -t 1 - 'TCP6:[2001:db8::2]:7007')
wait $spid
check_eq "sweep6: a TCP connection over IPv6 keeps working during an IPv6 sweep (NDP included)" \
	"$(seq 1 15 | sed 's/^/line /')" "$got"

# --- periodic mode ---------------------------------------------------------------------------
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep --rate max 2001:2::/120 --every 1s --wait 0.3 \
	-O json >"$TMP/every.json" 2>/dev/null &
spid=$!
sleep 2.6
kill -INT $spid
wait $spid
lab truth 2001:2::/120 | sort >"$TMP/truth120"
check "sweep6: --every: at least two rounds, each exactly lab truth, no change reported" \
	test "$(jq -r 'select(.state=="alive") | .addr' "$TMP/every.json" | sort | uniq -c |
		awk '{print $1}' | sort -u | wc -l)" -eq 1 -a \
	"$(jq -r 'select(.state=="alive") | .addr' "$TMP/every.json" | wc -l)" -ge \
	"$((2 * $(wc -l <"$TMP/truth120")))" -a \
	"$(jq -r 'select(.state=="alive") | .addr' "$TMP/every.json" | sort -u | diff - "$TMP/truth120" | wc -l)" -eq 0 -a \
	"$(jq -r 'select(.change) | .addr' "$TMP/every.json" | wc -l)" -eq 0

# --- the kernel as responder (AnyIP on IPv6) ----------------------------------------------------
lab down >/dev/null
lab up --responder anyip --range 198.18.0.0/26 --range6 2001:2::/120 --alive 0.5 --seed 45 \
	>/dev/null || { not_ok "sweep6: lab up anyip"; exit 1; }
eval "$(lab env)"
(lab truth 2001:2::/120; lab truth 198.18.0.0/26) | sort >"$TMP/truthk"
sweep 2001:2::/120 198.18.0.0/26 --wait 0.5 -O list >"$TMP/alivek" 2>/dev/null
check_eq "sweep6: kernel responder (AnyIP, IPv4 + IPv6): exactly lab truth" \
	"$(cat "$TMP/truthk")" "$(sort "$TMP/alivek")"
sweep -p 8080 2001:2::/120 --wait 0.5 --closed -O csv -q >"$TMP/tcpk.csv"
check_eq "sweep6: kernel responder: TCP/IPv6 to a port nobody listens on is closed on every alive address" \
	"$(lab truth 2001:2::/120 | sort)" "$(awk -F, '$4=="closed" {print $1}' "$TMP/tcpk.csv" | sort)"

# --- impairments ----------------------------------------------------------------------------
lab down >/dev/null
lab up --alive 0.5 --seed 43 --dup 0.3 >/dev/null || { not_ok "sweep6: lab up --dup"; exit 1; }
eval "$(lab env)"
lab truth 2001:2::/116 | sort >"$TMP/truthd"
sweep 2001:2::/116 --wait 0.5 -O list >"$TMP/alived" 2>"$TMP/errd"
check_eq "sweep6: duplicate impairment: still exactly lab truth" "$(cat "$TMP/truthd")" "$(sort "$TMP/alived")"
check_eq "sweep6: duplicates counted = duplicates the responder injected" \
	"$(lab_stat duplicated)" "$(summary_field duplicates "$TMP/errd")"
lab down >/dev/null
lab up --alive 0.5 --seed 44 --loss 0.2 --wrong-src 0.1 --bad-id 0.1 >/dev/null ||
	{ not_ok "sweep6: lab up impaired"; exit 1; }
eval "$(lab env)"
lab truth 2001:2::/116 | sort >"$TMP/truthi"
sweep 2001:2::/116 --wait 0.5 -O list >"$TMP/alive1" 2>"$TMP/err1"
stats=$("$LABCTL" stats --pin-dir "$LAB_PIN_DIR" --json)
check_eq "sweep6: impaired lab: no false host (precision 1.0)" "" \
	"$(comm -13 "$TMP/truthi" <(sort "$TMP/alive1"))"
# A reply can carry both impairments; the scanner then counts it once, as a bad cookie.
check_eq "sweep6: bad cookie count = bad-id replies injected" "$(jq .bad_id <<<"$stats")" \
	"$(summary_field 'bad cookie' "$TMP/err1")"
check "sweep6: wrong source count <= wrong-source replies injected, and > 0" \
	test "$(summary_field 'wrong source' "$TMP/err1")" -le "$(jq .wrong_src <<<"$stats")" \
	-a "$(summary_field 'wrong source' "$TMP/err1")" -gt 0
# Each attempt is lost, or answered from a wrong source or with a bad id, with p ~ 0.35
# (independent draws: a retry has a new cookie). With 10 retries some alive host of the
# ~2000 misses all 11 once in ~50 runs (seen once); with 20, once in ~10^6.
sweep 2001:2::/116 --wait 0.3 --retries 20 -O list >"$TMP/alivei" 2>/dev/null
check_eq "sweep6: impaired lab with 20 retries (each a new cookie): exactly lab truth" \
	"$(cat "$TMP/truthi")" "$(sort "$TMP/alivei")"
