#!/usr/bin/env bash
# test-metrics.sh - Prometheus metrics of `xsweep sweep --every --metrics-listen` and
# `xsweep monitor --metrics-listen`, in the lab (XDP responder, so the numbers have a
# truth): scraped with curl and checked with `promtool check metrics`; the values against
# lab truth and the kernel's counters; a real Prometheus server (Debian's), started here
# inside the scanner namespace with a scrape config pointing at xsweep, shows up == 1 and
# the alive count through its HTTP API after two scrapes; --metrics-hosts; a port in use
# and --metrics-listen without --every give one line and exit 2, nothing written.
source "$(dirname "$0")/../lib.sh"
need_root test-metrics

use_lab me
TMP=$(mktemp -d)
on_exit "rm -rf $TMP"

in_scan() { ip netns exec "$LAB_SCANNER_NS" "$@"; }
scrape() { in_scan curl -sf --max-time 2 "http://$1/metrics"; }
# value FILE SERIES: the sample's value ("" when absent).
value() { awk -v s="$2" '$1 == s { print $2 }' "$1"; }
# wait_for SECONDS CMD...: until CMD succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}
rounds_at_least() { [ "$(scrape "$1" | awk '$1 == "xsweep_sweep_rounds_total" { print $2 }')" -ge "$2" ] 2>/dev/null; }

command -v promtool >/dev/null && command -v prometheus >/dev/null ||
	{ not_ok "metrics: promtool and prometheus installed (make deps)"; exit 1; }
lab up --alive 0.5 --seed 5 >/dev/null || { not_ok "metrics: lab up"; exit 1; }
eval "$(lab env)"
nalive=$(lab truth 198.18.0.0/24 | wc -l)

# --- a periodic sweep's metrics ----------------------------------------------------------------
# Background processes are started directly (not through a function) so $! is the
# process itself: a signal to a function's subshell would not reach it.
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep 198.18.0.0/24 --rate max --every 1s --wait 0.3 -q \
	--metrics-listen 127.0.0.1:9100 >/dev/null 2>"$TMP/sweep.err" &
spid=$!
on_exit "kill -9 $spid"
wait_for 15 rounds_at_least 127.0.0.1:9100 2 || not_ok "metrics: two rounds within 15 s"
scrape 127.0.0.1:9100 >"$TMP/m"
check "metrics: promtool check metrics accepts the sweep's exposition" \
	bash -c "promtool check metrics <'$TMP/m' >'$TMP/promtool.out' 2>&1"
check_eq "metrics: targets and hosts against lab truth" "256 $nalive $((256 - nalive))" \
	"$(value "$TMP/m" xsweep_sweep_targets) $(value "$TMP/m" xsweep_sweep_hosts_alive) $(value "$TMP/m" xsweep_sweep_hosts_inactive)"
check_eq "metrics: one host_up series per address, their sum the alive count" "256 $nalive" \
	"$(grep -c '^xsweep_sweep_host_up{addr="198\.18\.0\.[0-9]*"}' "$TMP/m") $(awk '/^xsweep_sweep_host_up\{/ { s += $2 } END { print s }' "$TMP/m")"
check_eq "metrics: an RTT per alive host, in seconds below 1" "$nalive" \
	"$(awk '/^xsweep_sweep_host_rtt_seconds\{/ && $2 > 0 && $2 < 1' "$TMP/m" | wc -l)"
rounds=$(value "$TMP/m" xsweep_sweep_rounds_total)
check "metrics: probes sent = rounds x 256 ($rounds rounds)" \
	test "$(value "$TMP/m" xsweep_sweep_probes_sent_total)" -eq $((rounds * 256))
valid=$(value "$TMP/m" 'xsweep_sweep_replies_total{verdict="valid"}')
check "metrics: valid replies (live from the stats map): at least rounds x alive ($valid)" \
	test "$valid" -ge $((rounds * nalive))
check_eq "metrics: no invalid replies without impairments" "0 0 0" \
	"$(value "$TMP/m" 'xsweep_sweep_replies_total{verdict="bad_cookie"}') $(value "$TMP/m" 'xsweep_sweep_replies_total{verdict="wrong_source"}') $(value "$TMP/m" 'xsweep_sweep_replies_total{verdict="duplicate"}')"
check_eq "metrics: RTT histogram: +Inf bucket = _count = rounds x alive" \
	"$((rounds * nalive)) $((rounds * nalive))" \
	"$(value "$TMP/m" 'xsweep_sweep_rtt_seconds_bucket{le="+Inf"}') $(value "$TMP/m" xsweep_sweep_rtt_seconds_count)"
check "metrics: RTT histogram: 32 cumulative buckets, a positive sum below count x 1 s" \
	awk '/^xsweep_sweep_rtt_seconds_bucket/ { n++; if ($2 < last) bad = 1; last = $2 }
		/^xsweep_sweep_rtt_seconds_sum/ { sum = $2 }
		/^xsweep_sweep_rtt_seconds_count/ { cnt = $2 }
		END { exit !(n == 32 && !bad && sum > 0 && sum < cnt) }' "$TMP/m"
check "metrics: round duration and last round time are sane" \
	awk -v now="$(date +%s)" '$1 == "xsweep_sweep_round_duration_seconds" { d = $2 }
		$1 == "xsweep_sweep_last_round_end_timestamp_seconds" { t = $2 }
		END { exit !(d >= 0.3 && d < 5 && t > now - 10 && t <= now + 1) }' "$TMP/m"
check_eq "metrics: Content-Type is the text format 0.0.4" "text/plain; version=0.0.4; charset=utf-8" \
	"$(in_scan curl -s -o /dev/null -w '%{content_type}' http://127.0.0.1:9100/metrics)"
check_eq "metrics: other paths 404, POST 405" "404 405" \
	"$(in_scan curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9100/) $(in_scan curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:9100/metrics)"

# --- a real Prometheus server in the scanner namespace ---------------------------------------
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: xsweep
    static_configs:
      - targets: ['127.0.0.1:9100']
EOF
check "metrics: promtool check config accepts the scrape config" \
	bash -c "promtool check config '$TMP/prometheus.yml' >/dev/null 2>&1"
ip netns exec "$LAB_SCANNER_NS" prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address=127.0.0.1:9090 --log.level=warn >"$TMP/prom.log" 2>&1 &
ppid=$!
on_exit "kill $ppid; sleep 0.5; kill -9 $ppid"
query() { in_scan curl -sf --max-time 2 http://127.0.0.1:9090/api/v1/query --data-urlencode "query=$1" |
	jq -r '.data.result[0].value[1] // empty'; }
two_scrapes() { [ "$(query 'count_over_time(up{job="xsweep"}[1m])')" -ge 2 ] 2>/dev/null; }
if wait_for 30 two_scrapes; then
	ok "metrics: Prometheus scraped xsweep at least twice"
else
	not_ok "metrics: Prometheus scraped xsweep at least twice"
	tail -5 "$TMP/prom.log" | sed 's/^/    # /'
fi
check_eq "metrics: Prometheus: up == 1" 1 "$(query 'up{job="xsweep"}')"
check_eq "metrics: Prometheus: xsweep_sweep_hosts_alive is lab truth" "$nalive" \
	"$(query 'xsweep_sweep_hosts_alive{job="xsweep"}')"
check_eq "metrics: Prometheus: a per-host series ($(lab truth 198.18.0.0/24 | head -1) up)" 1 \
	"$(query "xsweep_sweep_host_up{addr=\"$(lab truth 198.18.0.0/24 | head -1)\"}")"
kill $ppid
wait $ppid 2>/dev/null
check "metrics: nothing of Prometheus listens in the root namespace" \
	bash -c "! ss -ltnp | grep -q '\"prometheus\"'"

# --- bad input: one line, exit 2, nothing written ------------------------------------------------
one_line_2() {	# NAME CMD...
	local name=$1 rc
	shift
	"$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/bad.err")" -eq 1 ] && [ ! -s "$TMP/bad.out" ]; then
		ok "$name"
	else
		not_ok "$name (exit $rc: $(head -c 300 "$TMP/bad.err"))"
	fi
}
one_line_2 "metrics: a port in use (the running sweep's): exit 2, one line" \
	in_scan "$XSWEEP" sweep 198.18.0.0/24 --every 1s --metrics-listen 9100 --history "$TMP/x.db"
check_eq "metrics: ... naming the cause" "xsweep: --metrics-listen 9100: Address already in use" \
	"$(cat "$TMP/bad.err")"
check "metrics: ... and the history file is not created" test ! -e "$TMP/x.db"
one_line_2 "metrics: --metrics-listen without --every" \
	in_scan "$XSWEEP" sweep 198.18.0.0/24 --metrics-listen 9101
for bad in 9100x 192.0.2.1 host:9100 '[::1]' 0 70000; do
	one_line_2 "metrics: --metrics-listen '$bad' refused" \
		in_scan "$XSWEEP" sweep 198.18.0.0/24 --every 1s --metrics-listen "$bad"
done
one_line_2 "metrics: monitor on a port in use" \
	in_scan "$XSWEEP" monitor -i "$LAB_IFACE" --once --metrics-listen 127.0.0.1:9100
kill -INT $spid
wait $spid
check_eq "metrics: the sweep ends with status 0 on SIGINT, nothing on stderr" "0 " "$? $(cat "$TMP/sweep.err")"

# --- --metrics-hosts: a larger sweep serves aggregates only, said once ------------------------
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep 198.18.0.0/24 --rate max --every 0.5s --wait 0.2 -q --metrics-hosts 100 \
	--metrics-listen '[::1]:9102' >/dev/null 2>"$TMP/big.err" &
bpid=$!
on_exit "kill -9 $bpid"
wait_for 15 rounds_at_least '[::1]:9102' 3 || not_ok "metrics: three rounds within 15 s (IPv6 listener)"
scrape '[::1]:9102' >"$TMP/big"
kill -INT $bpid
wait $bpid
check_eq "metrics: --metrics-hosts 100 on 256 addresses: no per-host series, the aggregates" \
	"0 $nalive" "$(grep -c '^xsweep_sweep_host_' "$TMP/big") $(value "$TMP/big" xsweep_sweep_hosts_alive)"
check_eq "metrics: ... said once on stderr over several rounds" \
	"xsweep: metrics: 256 addresses is more than --metrics-hosts 100: no per-host series, aggregates only" \
	"$(cat "$TMP/big.err")"

# --- monitor: per-source and per-protocol counters -----------------------------------------------
# On the scanner's interface, started first (so the sweep after it captures with libpcap):
# it counts the echo replies of the alive hosts.
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" monitor -i "$LAB_IFACE" --duration 6 \
	--metrics-listen 9103 --metrics-hosts 5 >/dev/null 2>"$TMP/mon.err" &
mpid=$!
on_exit "kill -9 $mpid"
sleep 1
lab exec "$XSWEEP" sweep 198.18.0.0/24 --rate max --wait 0.3 -q >/dev/null 2>&1
sleep 1.5
scrape 127.0.0.1:9103 >"$TMP/mon"
wait $mpid
check "metrics: promtool check metrics accepts the monitor's exposition" \
	bash -c "promtool check metrics <'$TMP/mon' >/dev/null 2>&1"
check "metrics: monitor: an echo reply from every alive host, counted as icmp and ipv4" \
	test "$(value "$TMP/mon" 'xsweep_monitor_transport_packets_total{protocol="icmp"}')" -ge "$nalive" -a \
	"$(value "$TMP/mon" 'xsweep_monitor_network_packets_total{protocol="ipv4"}')" -ge "$nalive" -a \
	"$(value "$TMP/mon" xsweep_monitor_hosts)" -ge "$nalive"
check_eq "metrics: monitor: --metrics-hosts 5 keeps the top 5 sources, each with its bytes" "5 5" \
	"$(grep -c '^xsweep_monitor_host_packets_total{addr="' "$TMP/mon") $(grep -c '^xsweep_monitor_host_bytes_total{addr="' "$TMP/mon")"
check "metrics: monitor: evictions are counted (none here)" \
	grep -q '^xsweep_monitor_evictions_total{map="hosts"} 0$' "$TMP/mon"
