#!/usr/bin/env bash
# test-cli.sh - the conventions every command shares (util/opts.c): an option value that
# is not valid, an unknown option or a stray argument is ONE line on stderr, nothing on
# stdout, exit 2, refused before any work starts; --help prints on stdout and exits 0;
# -v is taken before or after the command; getopt's forms (--name=value, -xVALUE).
# Everything runs inside a throwaway namespace on lo: a value that used to be accepted
# (a nan duration, say) starts nothing outside it.
. "$(dirname "$0")/../lib.sh"
need_root cli

ns_new cli || { not_ok "cli: create namespace"; exit 1; }
OUT=$(mktemp) ERR=$(mktemp)
on_exit rm -f "$OUT" "$ERR"

# run ARGS... : xsweep in the namespace, stdout/stderr in $OUT/$ERR, status in $RC,
# milliseconds in $MS (a refusal must not wait for anything).
run() {
	local t0=$(date +%s%N)
	timeout 10 ip netns exec "$NS" "$XSWEEP" "$@" >"$OUT" 2>"$ERR"
	RC=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
}

# bad NAME EXPECTED_LINE ARGS... : exit 2 at once, exactly EXPECTED_LINE on stderr (a
# pattern when it ends in '*'), stdout empty.
bad() {
	local name=$1 want=$2
	shift 2
	run "$@"
	# shellcheck disable=SC2053
	if [ "$RC" -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && [[ $(cat "$ERR") == $want ]] &&
		[ ! -s "$OUT" ] && [ "$MS" -lt 2000 ]; then
		ok "cli: $name"
	else
		not_ok "cli: $name (exit $RC, ${MS} ms, stderr: $(head -c 300 "$ERR"), stdout: $(head -c 100 "$OUT"))"
	fi
}

# ---- maps ----
bad "maps --hosts abc" "xsweep: maps: --hosts: 'abc' is not a whole number" maps --hosts abc
bad "maps --hosts -5" "xsweep: maps: --hosts: '-5' is not a whole number" maps --hosts -5
bad "maps --hosts 99999999999" \
	"xsweep: maps: --hosts: '99999999999' is out of range (0 to 16777216)" maps --hosts 99999999999
bad "maps: a stray argument" "xsweep: maps: unexpected argument 'extra' (see 'xsweep help maps')" \
	maps extra
bad "maps: unknown option" "xsweep: maps: unknown option '--bogus' (see 'xsweep help maps')" \
	maps --bogus
bad "maps: option without its value" "xsweep: maps: option '--dir' needs a value" maps --dir
run maps --dir /nonexistent
check_eq "cli: maps with nothing pinned: one line, exit 2" \
	"2 1" "$RC $(wc -l <"$ERR")"
# Pinned maps are checked before they are read (a 4096-byte stats value aborted, a
# 64-byte hosts key crashed).
pinned_maps() {
	in_ns "$NS" bash -c "d=/sys/fs/bpf/t\$\$; mkdir -p \$d && cd \$d &&
		bpftool map create \$d/stats type percpu_array key 4 value $1 entries 1 name stats &&
		bpftool map create \$d/rtt_hist type percpu_array key 4 value 8 entries 32 name rtt_hist &&
		bpftool map create \$d/hosts type lru_hash key $2 value 24 entries 16 name hosts &&
		$XSWEEP maps --dir \$d; echo rc=\$?; rm -rf \$d" 2>&1 | sed 's|/sys/fs/bpf/t[0-9]*|D|'
}
check_eq "cli: maps refuses a pinned stats map with 4096-byte values" \
	"$(printf "xsweep: D/stats is not the sweep's 'stats' map (type, key or value size differ)\nrc=2")" \
	"$(pinned_maps 4096 4)"
check_eq "cli: maps refuses a pinned hosts map with 64-byte keys" \
	"$(printf "xsweep: D/hosts is not the sweep's 'hosts' map (type, key or value size differ)\nrc=2")" \
	"$(pinned_maps 72 64 | grep -v '^  \|:$')"

# ---- monitor and capture: durations go through the one parser (nan busy-looped or
# ended at once with exit 0) ----
D="is not a duration (e.g. 500ms, 2s, 1m, 1.5)"
bad "monitor --interval nan" "xsweep: monitor: --interval: 'nan' $D" monitor -i lo --interval nan
bad "monitor --duration nan" "xsweep: monitor: --duration: 'nan' $D" monitor -i lo --duration nan
bad "monitor --interval inf" "xsweep: monitor: --interval: 'inf' $D" monitor -i lo --interval inf
bad "monitor --interval=-1s" "xsweep: monitor: --interval: '-1s' $D" monitor -i lo --interval=-1s
bad "monitor --interval 0" "xsweep: monitor: --interval: '0' is out of range (1ms to 10000000s)" \
	monitor -i lo --interval 0
bad "capture --duration nan" "xsweep: capture: --duration: 'nan' $D" capture -i lo --duration nan
bad "capture --duration +5" "xsweep: capture: --duration: '+5' $D" capture -i lo --duration +5
bad "monitor --max-port 70000" "xsweep: monitor: --max-port: '70000' is out of range (0 to 65535)" \
	monitor -i lo --max-port 70000
bad "monitor --capture bogus" \
	"xsweep: monitor: --capture: 'bogus' is not one of auto, xdp, pcap" monitor -i lo --capture bogus
bad "monitor -O xml" "xsweep: monitor: --output: 'xml' is not one of text, json" monitor -i lo -O xml
bad "monitor: a stray argument" \
	"xsweep: monitor: unexpected argument 'eth0' (see 'xsweep help monitor')" monitor eth0
bad "monitor --once --duration" "xsweep: monitor: --once and --duration exclude each other" \
	monitor -i lo --once --duration 1
bad "capture -s abc" "xsweep: capture: --snaplen: 'abc' is not a whole number" capture -i lo -s abc
bad "capture -c 0" "xsweep: capture: --count: '0' is out of range (1 to 18446744073709551615)" \
	capture -i lo -c 0
bad "capture -B 1" "xsweep: capture: --buffer-size: '1' is out of range (4 to 2097152)" \
	capture -i lo -B 1
bad "capture --xdp-mode fast" \
	"xsweep: capture: --xdp-mode: 'fast' is not one of auto, native, generic, drv, skb" \
	capture -i lo --xdp-mode fast
bad "ping -c 0" "xsweep: ping: --count: '0' is out of range (1 to 1000000)" ping -c 0 127.0.0.1
bad "ping -i nan" "xsweep: ping: -*" ping -i nan 127.0.0.1
bad "iface: unknown option" "xsweep: iface list: unknown option '--yaml' (see 'xsweep help iface')" \
	iface list --yaml

# ---- getopt's forms and -v anywhere, on commands that run to completion here ----
run monitor -i lo --capture=xdp --interval=100ms --duration 0.3s -v
check_eq "cli: monitor --name=value forms and -v after the command" "0" "$RC"
check "cli: monitor -v after the command raises verbosity" grep -q "XDP program attached to lo" "$ERR"
run -v capture -ilo --capture pcap --duration 200ms -w /dev/null
check_eq "cli: capture -ilo (attached value) and -v before the command" "0" "$RC"
run capture -i lo --duration 200ms -w /dev/null --capture pcap -- 'udp'
check_eq "cli: '--' ends the options (a filter may follow)" "0" "$RC"
run ping -c 1 -W 500ms -i 0.2 127.0.0.1 -q
check_eq "cli: ping options after the host, -W with a unit" "0" "$RC"

# ---- global options and help ----
bad "unknown global option" "xsweep: unknown option '-q' (see 'xsweep --help')" -q maps
bad "unknown command" "xsweep: unknown command 'frob' (see 'xsweep --help')" frob
for cmd in iface sweep maps ping monitor capture; do
	run help "$cmd"
	help=$(cat "$OUT")
	check_eq "cli: 'help $cmd' prints usage on stdout, exit 0" "0 Usage: xsweep $cmd" \
		"$RC $(head -1 "$OUT" | cut -d' ' -f1-3)"
	run "$cmd" --help
	check_eq "cli: '$cmd --help' is 'help $cmd'" "$help" "$(cat "$OUT")"
	[ "$cmd" = iface ] && continue
	run "$cmd" -h
	check_eq "cli: '$cmd -h' is 'help $cmd'" "$help" "$(cat "$OUT")"
done
