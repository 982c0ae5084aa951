#!/usr/bin/env bash
# test-sweep-tcp.sh - `xsweep sweep -p PORTS` (the tcp-syn probe module) end to end in
# the lab: real SYNs from the scanner namespace, SYN-ACK/RST from the XDP responder and
# from the responder's own kernel (AnyIP + a real listening socket), validated by the
# real XDP program. Exact against `lab truth --ports`, closed ports, impairments, the
# politeness RSTs counted at the responder, the libpcap path, output formats, and a
# TCP connection that keeps working during a SYN sweep of the same host.
source "$(dirname "$0")/../lib.sh"
need_root test-sweep-tcp

use_lab tc
TMP=$(mktemp -d)
on_exit "rm -rf $TMP"

sweep() { lab_sweep "$@"; }

lab up --alive 0.5 --seed 31 --open-ports 22,80,443 --open 0.3 >/dev/null ||
	{ not_ok "sweep-tcp: lab up"; exit 1; }
eval "$(lab env)"

# --- exact: /20 x 3 ports, /16 x 2 ports ---------------------------------------------------
lab truth --ports 198.18.0.0/20 | sort -V >"$TMP/truth20"
# The RSTs xsweep sends after SYN-ACKs, as the responder counts them (its XDP program
# takes them for the hosts they are addressed to, bench/bpf/lab_responder.bpf.c).
r0=$(lab_stat rx_tcp_rst)
sweep -p 22,80,443 198.18.0.0/20 --wait 0.5 -O list >"$TMP/open20" 2>"$TMP/err20"
check_eq "sweep-tcp: /20 x 3 ports finds exactly the open pairs of lab truth ($(wc -l <"$TMP/truth20"))" \
	"$(cat "$TMP/truth20")" "$(sort -V "$TMP/open20")"
check "sweep-tcp: summary: 12288 targets, 12288 sent" grep -q "targets 12288, rounds 1, sent 12288," "$TMP/err20"
check_eq "sweep-tcp: one RST per open pair reached the responder (politeness)" \
	"$(wc -l <"$TMP/truth20")" $(($(lab_stat rx_tcp_rst) - r0))
check_eq "sweep-tcp: summary counts those resets" "$(wc -l <"$TMP/truth20")" \
	"$(summary_field 'resets sent' "$TMP/err20")"
lab truth --ports 198.18.0.0/16 --open-ports 22,80 | sort -V >"$TMP/truth16"
# --keep-maps: the hosts map of a sweep of up to 2^18 targets is a plain hash with room
# for each target, so it holds every answering pair (an LRU of 65 536 could not).
# One sender thread (-T 1) here too, for the reason given at lab_sweep (tests/lib.sh).
lab exec bash -c "$XSWEEP sweep --rate max -T 1 -p 80,22 198.18.0.0/16 --wait 0.5 -O list --keep-maps 2>/dev/null \
	>$TMP/open16 && bpftool -j map show pinned /sys/fs/bpf/xsweep/hosts >$TMP/hmap16 &&
	bpftool -j map dump pinned /sys/fs/bpf/xsweep/hosts | jq length >$TMP/hn16"
check_eq "sweep-tcp: /16 x 2 ports finds exactly the open pairs of lab truth ($(wc -l <"$TMP/truth16"))" \
	"$(cat "$TMP/truth16")" "$(sort -V "$TMP/open16")"
check_eq "sweep-tcp: /16 x 2 ports: the hosts map is a hash with an entry for each of the 131072 targets" \
	"hash 131072" "$(jq -r '"\(.type) \(.max_entries)"' "$TMP/hmap16")"
check_eq "sweep-tcp: ... and holds every answering pair (2 per alive address)" \
	"$((2 * $(lab truth 198.18.0.0/16 | wc -l)))" "$(cat "$TMP/hn16")"
# Beyond 2^18 targets (/15 x 3 ports = 393 216): the LRU maps, and still exactly lab truth.
lab truth --ports 198.18.0.0/15 | sort -V >"$TMP/truth15"
lab exec bash -c "$XSWEEP sweep --rate max -T 1 -p 22,80,443 198.18.0.0/15 --wait 0.5 -O list --keep-maps 2>/dev/null \
	>$TMP/open15 && bpftool -j map show pinned /sys/fs/bpf/xsweep/hosts >$TMP/hmap15"
check_eq "sweep-tcp: /15 x 3 ports: the hosts map is the LRU of 65536" \
	"lru_hash 65536" "$(jq -r '"\(.type) \(.max_entries)"' "$TMP/hmap15")"
check_eq "sweep-tcp: ... and the sweep finds exactly the open pairs of lab truth ($(wc -l <"$TMP/truth15"))" \
	"$(cat "$TMP/truth15")" "$(sort -V "$TMP/open15")"

# The pinned ports map: bpftool prints address and port by name; xsweep maps --ports lists it.
lab exec bash -c "$XSWEEP sweep --rate max -p 22,80,443 198.18.0.0/24 --wait 0.3 -q --keep-maps \
	>/dev/null && bpftool map dump pinned /sys/fs/bpf/xsweep/ports && $XSWEEP maps --ports" \
	>"$TMP/maps" 2>&1
check "sweep-tcp: bpftool map dump pinned .../ports names the port field" \
	grep -q '"port": 22,' "$TMP/maps"
check_eq "sweep-tcp: xsweep maps --ports lists exactly the open pairs" \
	"$(lab truth --ports 198.18.0.0/24 | sort -V)" \
	"$(awk '/^ports /{p=1; next} p && NF==3 && $1 ~ /^[0-9]/ {print $1 ":" $2}' "$TMP/maps" | sort -V)"

# --- closed ports and the per-host form ------------------------------------------------------
lab truth 198.18.0.0/24 >"$TMP/alive24"
lab truth --ports 198.18.0.0/24 | sort -V >"$TMP/open24"
while read -r a; do for p in 22 80 443; do echo "$a:$p"; done; done <"$TMP/alive24" | sort -V >"$TMP/all24"
sweep -p 22,80,443 198.18.0.0/24 --wait 0.5 --closed -O json -q >"$TMP/j24"
check_eq "sweep-tcp: --closed: every other port of an alive host is closed (RST)" \
	"$(comm -23 <(sort "$TMP/all24") <(sort "$TMP/open24") | sort -V)" \
	"$(jq -r 'select(.state=="closed") | "\(.addr):\(.port)"' "$TMP/j24" | sort -V)"
check "sweep-tcp: JSON lines carry addr, port, proto tcp, state, ttl, rtt_us, timestamp" \
	test "$(jq -r 'select(.proto=="tcp" and .ttl==64 and .rtt_us != null and (.port|type)=="number" and (.timestamp|test("Z$"))) | .addr' "$TMP/j24" | wc -l)" -eq "$(wc -l <"$TMP/j24")"
sweep -p 22,80,443 198.18.0.0/24 --wait 0.5 --inactive -q >"$TMP/t24"
check_eq "sweep-tcp: text: '198.18.0.9 port 22/tcp open' lines" \
	"$(sed 's/:\([0-9]*\)$/ port \1\/tcp open/' "$TMP/open24")" \
	"$(grep '/tcp open$' "$TMP/t24" | sort -V)"
check_eq "sweep-tcp: text: the lab's per-host form '198.18.0.9 (22, 80)' at the end" \
	"$(awk -F: '{ p[$1] = p[$1] (p[$1] ? ", " : "") $2 } END { for (a in p) print a " (" p[a] ")" }' "$TMP/open24" | sort -V)" \
	"$(grep ' (' "$TMP/t24" | sort -V)"
check_eq "sweep-tcp: --inactive lists the hosts that answered on no port" \
	"$(comm -23 <(seq 0 255 | sed 's/^/198.18.0./' | sort) <(sort "$TMP/alive24") | sort -V)" \
	"$(sed -n 's/ is inactive$//p' "$TMP/t24" | sort -V)"
sweep -p 22 198.18.0.0/24 --wait 0.5 -O grep -q >"$TMP/g24"
check "sweep-tcp: grepable: nmap's Ports field with the service name" \
	grep -qP '^Host: 198\.18\.0\.[0-9]+ \(\)\tPorts: 22/open/tcp//ssh///$' "$TMP/g24"

# --- shards, resume and sendmmsg with pairs -----------------------------------------------------
for i in 0 1; do
	sweep -p 22,80,443 198.18.0.0/20 --wait 0.5 --seed 5 --shards 2 --shard $i -O list >"$TMP/sh$i" 2>/dev/null
done
check_eq "sweep-tcp: 2 shards of /20 x 3 ports merged: exactly the open pairs" \
	"$(cat "$TMP/truth20")" "$(cat "$TMP/sh0" "$TMP/sh1" | sort -V)"
s0=$(lab_stat rx_tcp_syn)
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep -p 22,80,443 198.18.0.0/20 --rate 4000 --wait 0.3 \
	-O list --state-file "$TMP/st" >"$TMP/part1" 2>/dev/null &
spid=$!
sleep 0.8
kill -INT $spid
wait $spid
sweep --resume "$TMP/st" >"$TMP/part2" 2>/dev/null
check_eq "sweep-tcp: SIGINT + --resume: every pair probed exactly once (responder count)" \
	12288 $(($(lab_stat rx_tcp_syn) - s0))
check_eq "sweep-tcp: SIGINT + --resume: both parts find exactly the open pairs" \
	"$(cat "$TMP/truth20")" "$(cat "$TMP/part1" "$TMP/part2" | sort -V)"
sweep -p 22,80,443 198.18.0.0/20 --wait 0.5 --send mmsg -O list >"$TMP/mmsg20" 2>/dev/null
check_eq "sweep-tcp: --send mmsg finds exactly the open pairs" "$(cat "$TMP/truth20")" "$(sort -V "$TMP/mmsg20")"

# --- the libpcap path finds the same ---------------------------------------------------------
sweep -p 22,80,443 198.18.0.0/20 --wait 0.5 --capture pcap -O list >"$TMP/pcap20" 2>"$TMP/pcap.err"
check_eq "sweep-tcp: --capture pcap finds exactly the same open pairs" \
	"$(cat "$TMP/truth20")" "$(sort -V "$TMP/pcap20")"
check "sweep-tcp: --capture pcap says the host kernel answers SYN-ACKs with RSTs" \
	grep -q "the host kernel sees the replies too" "$TMP/pcap.err"

# --- native lab, XDP sender: the RSTs leave through the XDP send path too ---------------------
lab down >/dev/null
lab up --mode native --alive 0.5 --seed 31 --open-ports 22,80,443 --open 0.3 >/dev/null ||
	{ not_ok "sweep-tcp: lab up native"; exit 1; }
eval "$(lab env)"
r0=$(lab_stat rx_tcp_rst)
sweep --send xdp -p 22,80,443 198.18.0.0/20 --wait 0.5 -O list >"$TMP/natx" 2>"$TMP/natx.err"
check_eq "sweep-tcp: native lab, --send xdp: exactly the open pairs" \
	"$(cat "$TMP/truth20")" "$(sort -V "$TMP/natx")"
check_eq "sweep-tcp: native lab, --send xdp: one RST per open pair reached the responder" \
	"$(wc -l <"$TMP/truth20")" $(($(lab_stat rx_tcp_rst) - r0))
check_eq "sweep-tcp: native lab, --send xdp: the summary counts them" "$(wc -l <"$TMP/truth20")" \
	"$(summary_field 'resets sent' "$TMP/natx.err")"
r0=$(lab_stat rx_tcp_rst)
sweep --no-reset -p 22,80,443 198.18.0.0/20 --wait 0.5 -O list >/dev/null 2>&1
check_eq "sweep-tcp: --no-reset: no RST reaches the responder" "0" $(($(lab_stat rx_tcp_rst) - r0))

# --- impairments: precision stays 1.0 ----------------------------------------------------------
lab down >/dev/null
lab up --alive 0.5 --seed 33 --open 0.5 --loss 0.1 --dup 0.2 --wrong-src 0.1 --bad-id 0.1 >/dev/null ||
	{ not_ok "sweep-tcp: lab up impaired"; exit 1; }
eval "$(lab env)"
lab truth --ports 198.18.0.0/20 | sort -V >"$TMP/truthi"
sweep -p 22,80,443 198.18.0.0/20 --wait 0.3 --retries 10 -O list >"$TMP/openi" 2>"$TMP/erri"
check_eq "sweep-tcp: impaired lab: no false open pair (precision 1.0)" "" \
	"$(comm -13 <(sort "$TMP/truthi") <(sort "$TMP/openi"))"
check "sweep-tcp: impaired lab with 10 retries (each a new SYN): recall 1.0" \
	test "$(comm -12 <(sort "$TMP/truthi") <(sort "$TMP/openi") | wc -l)" -eq "$(wc -l <"$TMP/truthi")"
check "sweep-tcp: wrong-source and bad-ack replies are counted as bad cookies" \
	test "$(summary_field 'bad cookie' "$TMP/erri")" -gt 0
check "sweep-tcp: duplicated replies are counted as duplicates" \
	test "$(summary_field duplicates "$TMP/erri")" -gt 0

# --- the responder's own kernel: AnyIP addresses and a real listening socket -----------------
lab down >/dev/null
lab up --responder anyip --range 198.18.0.0/26 --alive 0.5 --seed 35 >/dev/null ||
	{ not_ok "sweep-tcp: lab up anyip"; exit 1; }
eval "$(lab env)"
ip netns exec "$LAB_RESPONDER_NS" socat TCP-LISTEN:8080,reuseaddr,fork EXEC:cat &
listener=$!
on_exit "kill $listener 2>/dev/null"
sleep 0.3
lab truth 198.18.0.0/26 >"$TMP/alive26"
sweep -p 8080,8081 198.18.0.0/26 --wait 0.5 --closed -O csv -q >"$TMP/c26"
check_eq "sweep-tcp: kernel responder: port 8080 (socat listening) open on every alive address" \
	"$(cat "$TMP/alive26")" "$(awk -F, '$2==8080 && $4=="open" {print $1}' "$TMP/c26" | sort -V)"
check_eq "sweep-tcp: kernel responder: port 8081 (nothing listening) closed on every alive address" \
	"$(cat "$TMP/alive26")" "$(awk -F, '$2==8081 && $4=="closed" {print $1}' "$TMP/c26" | sort -V)"
check_eq "sweep-tcp: CSV header" "addr,port,proto,state,rtt_us,ttl,timestamp" "$(head -1 "$TMP/c26")"
# The RSTs ended the half-open connections: nothing lingers in SYN-RECV.
sleep 0.2
check_eq "sweep-tcp: kernel responder: no half-open connection left (our RSTs)" "0" \
	"$(ip netns exec "$LAB_RESPONDER_NS" ss -Htn state syn-recv | wc -l)"

# A TCP connection to one of the swept hosts keeps working while it is swept.
host=$(head -1 "$TMP/alive26")
sweep -p 8080,8081 198.18.0.0/26 -q --probes 20 --wait 1 >/dev/null 2>&1 &
spid=$!
got=$(for i in $(seq 1 15); do echo "line $i"; sleep 0.1; done |
	timeout 10 ip netns exec "$LAB_SCANNER_NS" socat -t 1 - "TCP:$host:8080")
wait $spid
check_eq "sweep-tcp: a TCP connection to $host:8080 keeps working during a SYN sweep of it" \
	"$(seq 1 15 | sed 's/^/line /')" "$got"

# Periodic mode: the listener goes away between rounds; every open port is a change.
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep --rate max -p 8080 198.18.0.0/26 --every 1.5s \
	--wait 0.3 >"$TMP/every" 2>/dev/null &
spid=$!
sleep 1
kill $listener
wait $listener 2>/dev/null
sleep 1.6
kill -INT $spid
wait $spid
check_eq "sweep-tcp: --every: a port that closes is reported as a change, per host" \
	"$(sed 's/$/ port 8080\/tcp closed (was open)/' "$TMP/alive26")" \
	"$(grep 'was open' "$TMP/every" | sort -V)"

# --- bad input --------------------------------------------------------------------------------
for bad in "-p 0" "-p 65536" "-p 22," "-p 80-22" "-p x" "-p ''" "--source-port 0" \
	"--source-port 50000-40000" "--probe tcp-syn" "--closed" "-p 22 --probe icmp"; do
	eval "lab exec $XSWEEP sweep --dry-run -S 192.0.2.1 198.18.0.1 $bad" >/dev/null 2>"$TMP/bad.err"
	rc=$?
	check "sweep-tcp: refused: $bad (exit 2, one line)" test "$rc" -eq 2 -a "$(wc -l <"$TMP/bad.err")" -eq 1
done
check_rc "sweep-tcp: more than 2^24 pairs needs --allow-large" 2 \
	lab exec "$XSWEEP" sweep --dry-run -S 192.0.2.1 198.18.0.0/15 -p 1-300
