#!/usr/bin/env bash
# test-sweep.sh - `xsweep sweep` end to end in the lab: real probes from the scanner
# namespace, real replies from the XDP (and AnyIP) responder, validated by the real XDP
# program. Checks exact agreement with `lab truth`, impairment accounting, output formats,
# periodic mode, coexistence with the host's TCP traffic, and cleanup after SIGINT/SIGKILL.
source "$(dirname "$0")/../lib.sh"
need_root test-sweep

use_lab sw
on_exit "LAB=${LAB}b $LABSH down"
TMP=$(mktemp -d)
on_exit "rm -rf $TMP"

sweep() { lab_sweep "$@"; }
stat_field() { jq -r ".$1" "$2"; }

lab up --alive 0.5 --seed 11 >/dev/null || { not_ok "sweep: lab up"; exit 1; }
eval "$(lab env)"

# --- exact truth on a /16 -----------------------------------------------------------------
lab truth 198.18.0.0/16 >"$TMP/truth"
sweep 198.18.0.0/16 -O list >"$TMP/alive" 2>"$TMP/err"
check_eq "sweep: /16 with alive 0.5 finds exactly lab truth ($(wc -l <"$TMP/truth") hosts)" \
	"$(cat "$TMP/truth")" "$(sort -V "$TMP/alive")"
check "sweep: summary reports 65536 targets and sent" grep -q "targets 65536, rounds 1, sent 65536," "$TMP/err"
check_eq "sweep: no invalid replies without impairments" "0" "$(summary_field invalid "$TMP/err")"

# --- output formats on a small range -----------------------------------------------------
lab truth 198.18.0.0/28 >"$TMP/t28"
expect=$( (sed 's/$/ is alive/' "$TMP/t28"
	comm -23 <(seq 0 15 | sed 's/^/198.18.0./' | sort) <(sort "$TMP/t28") | sort -V | sed 's/$/ is inactive/'
	echo "Total $((16 - $(wc -l <"$TMP/t28"))) hosts are inactive"))
sweep 198.18.0.0-15 --inactive --wait 0.3 -q >"$TMP/text" 2>&1
check_eq "sweep: lab text format with --inactive" "$expect" \
	"$( (grep 'is alive' "$TMP/text" | sort -V; grep -v 'is alive' "$TMP/text"))"
sweep 198.18.0.0/28 -O json --inactive --wait 0.3 -q >"$TMP/json"
check_eq "sweep: JSON Lines alive addresses" "$(cat "$TMP/t28")" \
	"$(jq -r 'select(.state=="alive") | .addr' "$TMP/json" | sort -V)"
check "sweep: JSON alive lines carry rtt_us > 0, ttl 64 and a timestamp" \
	test "$(jq -r 'select(.state=="alive") | select(.rtt_us > 0 and .ttl == 64 and (.timestamp | test("^20[0-9-]+T[0-9:.]+Z$"))) | .addr' "$TMP/json" | wc -l)" -eq "$(wc -l <"$TMP/t28")"
check_eq "sweep: JSON inactive lines have null rtt" "$((16 - $(wc -l <"$TMP/t28")))" \
	"$(jq -r 'select(.state=="inactive" and .rtt_us == null) | .addr' "$TMP/json" | wc -l)"
sweep 198.18.0.0/28 -O csv --wait 0.3 -q -o /tmp/xs-$$.csv
lab exec cat /tmp/xs-$$.csv >"$TMP/csv" && rm -f /tmp/xs-$$.csv
check_eq "sweep: CSV header row" "addr,state,rtt_us,ttl,timestamp" "$(head -1 "$TMP/csv")"
check_eq "sweep: CSV rows (-o FILE)" "$(cat "$TMP/t28")" "$(tail -n +2 "$TMP/csv" | cut -d, -f1 | sort -V)"
sweep 198.18.0.0/28 -O grep --inactive --wait 0.3 -q >"$TMP/grep"
check_eq "sweep: nmap grepable format" "$(sed 's/.*/Host: & ()\tStatus: Up/' "$TMP/t28")" \
	"$(grep 'Status: Up' "$TMP/grep" | sort -V)"

# --- host names, streaming, the status line -----------------------------------------------
# ip netns exec bind-mounts /etc/netns/NS/hosts over /etc/hosts inside the namespace.
first=$(head -1 "$TMP/t28")
mkdir -p "/etc/netns/$LAB_SCANNER_NS"
on_exit "rm -rf /etc/netns/$LAB_SCANNER_NS"
echo "$first labhost.test" >"/etc/netns/$LAB_SCANNER_NS/hosts"
check_eq "sweep: a host name is resolved up front (/etc/hosts of the namespace)" "$first is alive" \
	"$(sweep labhost.test --wait 0.3 -q 2>&1)"
check_rc "sweep: an unknown host name is one error, exit 2" 2 lab exec "$XSWEEP" sweep no-such-host.invalid
# Streaming: the alive lines are out while the sweep is still in its 3 s cooldown.
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep 198.18.0.0/28 --rate max --wait 3 -q -O list \
	>"$TMP/stream" 2>/dev/null &
spid=$!
sleep 1.2
early=$(sort -V "$TMP/stream")
kill -0 $spid 2>/dev/null && running=yes || running=no
wait $spid
check_eq "sweep: results stream as replies arrive (all out 1.2 s into a 3 s cooldown)" \
	"$(cat "$TMP/t28") running=yes" "$early running=$running"
sweep 198.18.0.0/24 --rate 100 --progress --wait 0.2 -O list 2>"$TMP/progress" >/dev/null
check "sweep: --progress prints the status line once a second (rate, hits, invalid, drops, ETA)" \
	grep -qE '^\[ +[0-9.]+s\] sent +[0-9.]+% +[0-9]+ pps \| recv +[0-9]+ pps \| hits [0-9]+ \| invalid 0 \| drops 0 \| ETA [0-9]+s' "$TMP/progress"
check "sweep: at 100 probes/s a /24 takes about 2.5 s: at least two status lines" \
	test "$(grep -c '^\[' "$TMP/progress")" -ge 2

# --- several probes per target ------------------------------------------------------------
lab stats --json >"$TMP/st0"
sweep 198.18.0.0/20 --probes 3 --rate max --wait 0.5 -O list >"$TMP/alive" 2>"$TMP/err"
lab stats --json >"$TMP/st1"
check_eq "sweep: --probes 3 still reports each host once, exactly lab truth" \
	"$(lab truth 198.18.0.0/20)" "$(sort -V "$TMP/alive")"
check_eq "sweep: --probes 3 sends 3 probes per target (counted at the responder)" $((3 * 4096)) \
	$(($(stat_field rx_icmp_echo "$TMP/st1") - $(stat_field rx_icmp_echo "$TMP/st0")))
check_eq "sweep: --probes 3: the extra replies are duplicates" "$((2 * $(wc -l <"$TMP/alive")))" \
	"$(summary_field duplicates "$TMP/err")"
check_rc "sweep: --probes x --retries beyond 256 cookies is refused" 2 \
	lab exec "$XSWEEP" sweep --probes 100 --retries 2 198.18.0.1

# --- targets: ranges, files, exclusions, duplicates ----------------------------------------
printf '# lab hosts\n198.18.0.0/28\n198.18.0.4-12   # overlap\n\n198.18.0.16\n' >"$TMP/targets"
cp "$TMP/targets" /tmp/xs-$$.targets
on_exit "rm -f /tmp/xs-$$.targets"
sweep -iL /tmp/xs-$$.targets 198.18.0.3 --exclude 198.18.0.0-7 -O list --wait 0.3 >"$TMP/il" 2>"$TMP/err"
check_eq "sweep: -iL file + argument + overlap + --exclude probe each target once" \
	"$(lab truth 198.18.0.0/27 | awk -F. '$4 >= 8 && $4 <= 16')" "$(sort -V "$TMP/il")"
check "sweep: 9 targets after exclusions and merging" grep -q "targets 9, rounds 1, sent 9," "$TMP/err"

# --- a monitor on the interface the sweep holds: it falls back to libpcap --------------------
open1=$(lab truth 198.18.0.0/24 --ports | head -1)
oaddr=${open1%:*} oport=${open1##*:}
lab exec bash -c "$XSWEEP sweep 198.18.0.0/24 --rate max --wait 3 -q -O list >$TMP/co.sweep 2>&1 & s=\$!
	sleep 0.5
	$XSWEEP monitor -i $LAB_IFACE --duration 1.5s >$TMP/co.mon 2>$TMP/co.mon.err & m=\$!
	sleep 0.5
	timeout 1 bash -c 'echo > /dev/tcp/$oaddr/$oport' 2>/dev/null
	wait \$m; echo monitor=\$?; wait \$s; echo sweep=\$?" >"$TMP/co.rc" 2>&1
check_eq "sweep + monitor on one interface: both exit 0" "$(printf 'monitor=0\nsweep=0')" "$(cat "$TMP/co.rc")"
check "sweep + monitor: the monitor falls back to libpcap, naming the sweep's program" \
	grep -q "already has XDP program 'xs_sweep' .*capturing with libpcap instead" "$TMP/co.mon.err"
check "sweep + monitor: the monitor sees the SYN-ACK from $oaddr port $oport" \
	grep -qx "$oaddr ($oport)" "$TMP/co.mon"
check_eq "sweep + monitor: the sweep still finds exactly lab truth" "$(lab truth 198.18.0.0/24)" \
	"$(sort -V "$TMP/co.sweep")"

# --- cleanup: normal exit, --keep-maps, SIGINT, SIGKILL -------------------------------------
no_xdp() { ! ip -n "$LAB_SCANNER_NS" link show dev "$LAB_IFACE" | grep -q 'xdp'; }
lab exec bash -c "$XSWEEP sweep 198.18.0.0/24 --rate max -q --wait 0.2 --keep-maps >/dev/null &&
	bpftool map dump pinned /sys/fs/bpf/xsweep/stats && $XSWEEP maps --hosts 256 &&
	bpftool -j map show pinned /sys/fs/bpf/xsweep/hosts >$TMP/hmap" >"$TMP/maps" 2>&1
check "sweep: --keep-maps leaves stats pinned; bpftool prints named fields" grep -q '"rx_valid": [1-9]' "$TMP/maps"
check "sweep: xsweep maps reads the pinned maps" grep -qE 'rx_valid +[1-9]' "$TMP/maps"
check "sweep: hosts map lists the responders" grep -qE '^  198\.18\.0\.[0-9]+ +0 1 ' "$TMP/maps"
check_eq "sweep: a /24's hosts map is a hash with an entry for each of its 256 targets" \
	"hash 256" "$(jq -r '"\(.type) \(.max_entries)"' "$TMP/hmap")"
check_eq "sweep: xsweep maps lists every responder" "$(lab truth 198.18.0.0/24 | wc -l)" \
	"$(grep -cE '^  198\.18\.0\.[0-9]+ +0 1 ' "$TMP/maps")"
check "sweep: no XDP program left after exit" no_xdp

lab exec bash -c "$XSWEEP sweep 198.18.0.0/15 --rate max --state-file $TMP/int.resume -q --wait 5 >/dev/null 2>&1 & p=\$!; sleep 0.7;
	ip link show dev $LAB_IFACE | grep -q xdp && echo attached-during;
	test -d /sys/fs/bpf/xsweep && echo pinned-during;
	kill -INT \$p; wait \$p; echo rc=\$?; test -e /sys/fs/bpf/xsweep && echo pins-left;
	ip link show dev $LAB_IFACE | grep -q xdp && echo xdp-left; true" >"$TMP/int" 2>&1
check_eq "sweep: SIGINT mid-sweep: exit 130, program detached and pins removed" \
	"$(printf 'attached-during\npinned-during\nrc=130')" "$(cat "$TMP/int")"

lab exec bash -c "$XSWEEP sweep 198.18.0.0/15 --rate max -q --wait 5 >/dev/null & p=\$!; sleep 0.7;
	kill -KILL \$p; wait \$p; sleep 0.2; ip link show dev $LAB_IFACE | grep -q xdp && echo xdp-left;
	$XSWEEP sweep 198.18.0.0/28 --rate max -O list --wait 0.3 -q | wc -l" 2>/dev/null >"$TMP/kill"
check_eq "sweep: after SIGKILL the kernel detached XDP and the next run starts clean" \
	"$(wc -l <"$TMP/t28")" "$(cat "$TMP/kill")"

# --- impairments --------------------------------------------------------------------------
lab down >/dev/null
lab up --alive 0.5 --seed 5 --dup 0.2 >/dev/null || { not_ok "sweep: lab up --dup"; exit 1; }
lab truth 198.18.0.0/20 >"$TMP/truth"
sweep 198.18.0.0/20 -O list --wait 0.5 >"$TMP/alive" 2>"$TMP/err"
lab stats --json >"$TMP/stats"
check_eq "sweep: duplicate impairment: still exactly lab truth" "$(cat "$TMP/truth")" "$(sort -V "$TMP/alive")"
check_eq "sweep: duplicates counted = duplicates the responder injected" \
	"$(stat_field duplicated "$TMP/stats")" "$(summary_field duplicates "$TMP/err")"
check "sweep: some duplicates were injected" test "$(stat_field duplicated "$TMP/stats")" -gt 100

lab down >/dev/null
lab up --alive 0.5 --seed 6 --wrong-src 0.1 --bad-id 0.1 >/dev/null || { not_ok "sweep: lab up impaired"; exit 1; }
lab truth 198.18.0.0/20 >"$TMP/truth"
sweep 198.18.0.0/20 -O list --wait 0.5 >"$TMP/alive" 2>"$TMP/err"
lab stats --json >"$TMP/stats"
check "sweep: wrong-source and bad-id replies are never reported as hosts" \
	test -z "$(comm -13 <(sort "$TMP/truth") <(sort "$TMP/alive"))"
# A reply can carry both impairments; the scanner then counts it once, as a bad cookie.
check_eq "sweep: bad cookie count = bad-id replies injected" \
	"$(stat_field bad_id "$TMP/stats")" "$(summary_field "bad cookie" "$TMP/err")"
check "sweep: wrong source count <= wrong-source replies injected, and > 0" \
	test "$(summary_field "wrong source" "$TMP/err")" -le "$(stat_field wrong_src "$TMP/stats")" \
	-a "$(summary_field "wrong source" "$TMP/err")" -gt 0
check_eq "sweep: every alive host's reply is either a found host or a counted invalid reply" \
	"$(wc -l <"$TMP/truth")" \
	"$(($(wc -l <"$TMP/alive") + $(summary_field "bad cookie" "$TMP/err") + $(summary_field "wrong source" "$TMP/err")))"
# Each retry carries a new cookie, so the responder's impairment draw is new too.
sweep 198.18.0.0/20 -O list --wait 0.5 --retries 8 >"$TMP/alive" 2>"$TMP/err"
check_eq "sweep: with --retries 8 the impaired lab gives exactly lab truth" "$(cat "$TMP/truth")" "$(sort -V "$TMP/alive")"

# --- the host's own traffic keeps working during a sweep -------------------------------------
ip netns exec "$LAB_RESPONDER_NS" socat TCP-LISTEN:7007,bind=192.0.2.2,reuseaddr EXEC:cat &
on_exit "kill $! 2>/dev/null"
sleep 0.3
sweep 198.18.0.0/16 -q --wait 1 >/dev/null 2>&1 &
spid=$!
sleep 0.2
got=$(for i in $(seq 1 15); do echo "line $i"; sleep 0.1; done |
	timeout 10 ip netns exec "$LAB_SCANNER_NS" socat -t 1 - TCP:192.0.2.2:7007)
wait $spid
check_eq "sweep: a TCP connection in the scanner namespace keeps working during a sweep" \
	"$(seq 1 15 | sed 's/^/line /')" "$got"

# --- periodic mode, on the AnyIP responder (hosts can be taken down between rounds) ----------
lab down >/dev/null
lab up --responder anyip --range 198.18.0.0/28 --alive 0.5 --seed 11 >/dev/null ||
	{ not_ok "sweep: lab up anyip"; exit 1; }
eval "$(lab env)"
victim=$(head -1 "$TMP/t28")
# Started directly (not through a function or bench/lab) so $! is xsweep itself.
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep 198.18.0.0/28 --rate max --every 1.5s --wait 0.3 --inactive \
	>"$TMP/every" 2>"$TMP/every.err" &
spid=$!
sleep 0.9
ip -n "$LAB_RESPONDER_NS" route del local "$victim/32" dev lo table local 2>/dev/null ||
	ip -n "$LAB_RESPONDER_NS" route del local "$victim/32" dev lo
sleep 2.4
kill -INT $spid
wait $spid
rc=$?
check_eq "sweep: --every ends with status 0 on SIGINT" 0 "$rc"
check "sweep: --every prints numbered rounds" grep -q '^Round 2 ' "$TMP/every"
check_eq "sweep: --every reports the host that went down" "$victim went down" "$(grep 'went' "$TMP/every")"
check "sweep: --every round 1 found every AnyIP host" \
	test "$(sed -n '/^Round 1/,/^Round 2/p' "$TMP/every" | grep -c 'is alive')" -eq "$(wc -l <"$TMP/t28")"
check "sweep: --every prints the summary at the end" grep -q '^summary: targets 16, rounds 2' "$TMP/every.err"

# --- bad input ------------------------------------------------------------------------------
for bad in "198.18.0.300" "198.18.0.4/33" "198.18.0.9-3" "-iL /nonexistent" "--retries x 198.18.0.1" \
	"--every 0 198.18.0.1" "-O yaml 198.18.0.1" "-i averyveryverylongname 198.18.0.1"; do
	# shellcheck disable=SC2086
	lab exec "$XSWEEP" sweep $bad >"$TMP/bad" 2>&1
	rc=$?
	check "sweep: bad input '$bad' -> one line, exit 2" test "$rc" -eq 2 -a "$(wc -l <"$TMP/bad")" -eq 1
done
# 2001:2::/103 is 2^25 addresses, inside the lab's IPv6 range; --dry-run so that even a
# broken check could not send a probe.
check_rc "sweep: more than 2^24 targets needs --allow-large" 2 lab exec "$XSWEEP" sweep --dry-run 2001:2::/103
