#!/usr/bin/env bash
# test-sweep-output.sh - what a user and a program read from `xsweep sweep`, in the lab: the
# status line and result lines sharing one terminal (a pty from script(1), rendered the
# way a terminal would), and the machine-readable outputs.
source "$(dirname "$0")/../lib.sh"
need_root test-sweep-output

use_lab so
TMP=$(mktemp -d)
chmod 755 "$TMP"
on_exit "rm -rf $TMP"

sweep() { lab_sweep "$@"; }

# render: what a terminal shows for a typescript on stdin: '\r' returns to column 0,
# ESC [ K clears to the end of the line, other bytes overwrite.
render() {
	LC_ALL=C awk '{
		line = ""; col = 0; n = length($0)
		for (i = 1; i <= n; i++) {
			c = substr($0, i, 1)
			if (c == "\r") { col = 0; continue }
			if (c == "\033" && substr($0, i, 3) == "\033[K") { line = substr(line, 1, col); i += 2; continue }
			line = substr(line, 1, col) c substr(line, col + 2); col++
		}
		print line
	}'
}

lab up --alive 0.5 --seed 21 >/dev/null || { not_ok "sweep-output: lab up"; exit 1; }
eval "$(lab env)"
lab truth 198.18.0.0/24 >"$TMP/t24"

# --- the status line and result lines on one terminal -------------------------------------
# 100 probes/s over a /24: results arrive while the status line is on the screen.
lab exec script -qec "$XSWEEP sweep 198.18.0.0/24 --rate 100 --wait 0.3" /dev/null >"$TMP/tty" 2>&1
render <"$TMP/tty" >"$TMP/screen"
check "sweep tty: the status line was drawn (pty)" grep -q 'ETA' "$TMP/tty"
check_eq "sweep tty: no result line shares a terminal line with the status line" "" \
	"$(grep 'ETA.*is alive\|is alive.*ETA' "$TMP/screen")"
check_eq "sweep tty: every alive host is on a line of its own" "$(cat "$TMP/t24")" \
	"$(grep -E '^198\.18\.[0-9.]+ is alive$' "$TMP/screen" | cut -d' ' -f1 | sort -V)"
check "sweep tty: the status line is drawn again after results (last line before the summary)" \
	test "$(grep -B1 '^summary: targets' "$TMP/screen" | head -1 | grep -c '^\[ *[0-9.]*s\] sent 100.0%')" -eq 1

# --- machine-readable: round numbers, summary record, maps --json, -O grep -------------------
TS='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$'
ts_ok() { grep -Eqx -- "${TS:1:-1}" <<<"$1"; }
lab truth 198.18.0.0/30 >"$TMP/t30"
n30=$(wc -l <"$TMP/t30")
lab exec timeout -s INT 2.7 "$XSWEEP" sweep 198.18.0.0/30 --rate max --every 1s --wait 0.2 -q \
	-O json >"$TMP/every.json"
check "every JSON: each line carries its round (1 and 2 at least)" \
	test "$(jq -r '.round' "$TMP/every.json" | sort -u | head -2 | paste -sd,)" = "1,2" \
	-a "$(jq -r 'select(.round == null)' "$TMP/every.json" | wc -l)" -eq 0
check_eq "every JSON: round 1 lists lab truth" "$(cat "$TMP/t30")" \
	"$(jq -r 'select(.round == 1) | .addr' "$TMP/every.json" | sort -V)"
lab exec timeout -s INT 2.7 "$XSWEEP" sweep 198.18.0.0/30 --rate max --every 1s --wait 0.2 -q \
	-O csv >"$TMP/every.csv"
check_eq "every CSV: a round column" "addr,state,rtt_us,ttl,timestamp,round" "$(head -1 "$TMP/every.csv")"
check_eq "every CSV: round 2's rows are lab truth" "$(cat "$TMP/t30")" \
	"$(awk -F, '$6 == 2 { print $1 }' "$TMP/every.csv" | sort -V)"
sweep 198.18.0.0/30 -O json -q --wait 0.3 >"$TMP/once.json"
check_eq "one-shot JSON: no round field" "0" "$(jq -r 'select(has("round"))' "$TMP/once.json" | wc -l)"

sweep 198.18.0.0/28 --wait 0.3 --summary-json "$TMP/sum.json" -O list >/dev/null 2>"$TMP/sum.err"
check "summary JSON: one line that parses" test "$(wc -l <"$TMP/sum.json")" -eq 1 -a -n "$(jq -c . "$TMP/sum.json")"
check_eq "summary JSON: the same figures as the summary lines" \
	"$(sed -n 's/^summary: targets \([0-9]*\), rounds \([0-9]*\), sent \([0-9]*\), replies \([0-9]*\), alive \([0-9]*\), inactive \([0-9]*\)$/\1 \2 \3 \4 \5 \6/p' "$TMP/sum.err") $(sed -n 's/.*, seed \([0-9]*\).*/\1/p' "$TMP/sum.err")" \
	"$(jq -r '"\(.targets) \(.rounds) \(.sent) \(.replies) \(.alive) \(.inactive) \(.seed)"' "$TMP/sum.json")"
check_eq "summary JSON: alive is lab truth's count, probe icmp, not interrupted" \
	"$(lab truth 198.18.0.0/28 | wc -l) icmp false" "$(jq -r '"\(.alive) \(.probe) \(.interrupted)"' "$TMP/sum.json")"
check "summary JSON: start and end in the one timestamp style" \
	ts_ok "$(jq -r .start "$TMP/sum.json")"
sweep 198.18.0.0/28 --wait 0.3 -q --summary-json "$TMP/sumq.json" >/dev/null 2>&1
check_eq "summary JSON: written with -q too" "16" "$(jq -r .targets "$TMP/sumq.json")"
check_rc "summary JSON: --dry-run with --summary-json is refused" 2 \
	lab exec "$XSWEEP" sweep --dry-run --summary-json "$TMP/x.json" 198.18.0.1

lab exec bash -c "$XSWEEP sweep 198.18.0.0/28 --rate max -q --wait 0.3 --keep-maps >/dev/null &&
	$XSWEEP maps --json --hosts 100; rm -rf /sys/fs/bpf/xsweep" >"$TMP/maps.json"
check_eq "maps --json: stats.rx_valid = lab truth's hosts" "$(lab truth 198.18.0.0/28 | wc -l)" \
	"$(jq -r .stats.rx_valid "$TMP/maps.json")"
check_eq "maps --json: the hosts map's addresses are lab truth" "$(lab truth 198.18.0.0/28)" \
	"$(jq -r '.hosts[].addr' "$TMP/maps.json" | sort -V)"
check_eq "maps --json: the RTT histogram counts every reply" "$(jq -r .stats.rx_valid "$TMP/maps.json")" \
	"$(jq '[.rtt_hist[].replies] | add' "$TMP/maps.json")"
check "maps --json: last_seen in the one timestamp style" ts_ok "$(jq -r '.hosts[0].last_seen' "$TMP/maps.json")"

# One timestamp style in sweep, ping and monitor JSON.
check "timestamps: sweep JSON" ts_ok "$(jq -r .timestamp "$TMP/once.json" | head -1)"
lab exec "$XSWEEP" ping -O json -c 1 -W 1 "$(head -1 "$TMP/t30")" >"$TMP/ping.json"
check "timestamps: ping JSON, reply and summary lines" \
	test "$(jq -r .timestamp "$TMP/ping.json" | grep -Ec "$TS")" -eq 2
eval "$(lab env)"
lab exec bash -c "$XSWEEP monitor -i $LAB_IFACE --capture pcap --duration 1.5 -O json >$TMP/mon.json 2>/dev/null &
	sleep 0.5; $XSWEEP ping -c 2 -i 0.2 -q $(head -1 "$TMP/t30") >/dev/null; wait"
check "timestamps: monitor JSON document and a host's first_seen" \
	bash -c "tail -1 $TMP/mon.json | jq -r '.timestamp, .hosts[0].first_seen' | grep -Ecx '${TS:1:-1}' | grep -qx 2"

sweep 198.18.0.0/28 -O grep --inactive --wait 0.3 -q >"$TMP/grep"
check "grep: nmap's header line" \
	grep -Eq '^# xsweep [0-9.]+ scan initiated [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} [0-9]{4} as: xsweep sweep .*198\.18\.0\.0/28' \
	<(head -1 "$TMP/grep")
check "grep: nmap's footer line, with the counts" \
	grep -Eq "^# xsweep done at .* -- 16 IP addresses \($(lab truth 198.18.0.0/28 | wc -l) hosts up\) scanned in [0-9.]+ seconds$" \
	<(tail -1 "$TMP/grep")
check_eq "grep: between them, one Host line per address" 16 "$(grep -c '^Host: ' "$TMP/grep")"
