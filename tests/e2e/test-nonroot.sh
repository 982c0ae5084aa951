#!/usr/bin/env bash
# test-nonroot.sh - `xsweep sweep` without privileges: as user nobody with no capabilities
# at all, in the lab's scanner namespace, through ICMP datagram ("ping") sockets where
# that namespace's net.ipv4.ping_group_range allows them (send/dgram.h); one line saying
# what to change where it does not.
source "$(dirname "$0")/../lib.sh"
need_root test-nonroot

use_lab nr
TMP=$(mktemp -d)
on_exit "rm -rf $TMP"

# nobody: no capabilities (none inherited, none from the file), no groups but nogroup.
nobody() { lab exec setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
range() { lab exec sysctl -qw net.ipv4.ping_group_range="$1"; }
one_line() { test "$(wc -l <"$1")" -eq 1; }

lab up --alive 0.5 --seed 13 >/dev/null || { not_ok "nonroot: lab up"; exit 1; }
range "0 2147483647"

# --- exact on a /20, IPv4 and IPv6, as nobody -------------------------------------------
nobody "$XSWEEP" sweep 198.18.0.0/20 --rate max -O list >"$TMP/alive" 2>"$TMP/err"
check_eq "nonroot: as nobody, /20 through ICMP datagram sockets is exactly lab truth" \
	"$(lab truth 198.18.0.0/20)" "$(sort -V "$TMP/alive")"
check "nonroot: one notice says why and which path" \
	grep -qx "xsweep: no CAP_NET_RAW: sweeping through ICMP datagram sockets instead .*" "$TMP/err"
check "nonroot: the summary names the datagram path, sent = targets" \
	grep -q "targets 4096, rounds 1, sent 4096, .*" "$TMP/err"
check "nonroot: the summary says send dgram and the capture's socket ids" \
	grep -qE "capture ICMP datagram sockets \(echo id ICMP [0-9]+; .*send dgram" "$TMP/err"
check "nonroot: the probes/s figure is the measured one (a number > 0)" \
	grep -qE "sending [0-9.]+ s, [1-9][0-9]* probes/s while sending" "$TMP/err"
nobody "$XSWEEP" sweep 2001:2::/116 --rate max -O list >"$TMP/alive6" 2>/dev/null
check_eq "nonroot: as nobody, IPv6 /116 through ICMPv6 datagram sockets is exactly lab truth" \
	"$(lab truth 2001:2::/116 | sort)" "$(sort "$TMP/alive6")"
nobody "$XSWEEP" sweep 198.18.0.0/28 2001:2::/124 -O json --wait 0.5 -q >"$TMP/json" 2>/dev/null
check_eq "nonroot: mixed IPv4+IPv6 list: JSON addresses are lab truth" \
	"$( (lab truth 198.18.0.0/28; lab truth 2001:2::/124) | sort)" "$(jq -r .addr "$TMP/json" | sort)"
check "nonroot: JSON lines carry the RTT (> 0) and the reply's TTL (64)" \
	test "$(jq -r 'select(.rtt_us > 0 and .ttl == 64) | .addr' "$TMP/json" | wc -l)" -eq "$(wc -l <"$TMP/json")"
check "nonroot: no XDP program was attached" \
	bash -c "! ip -n $(lab env | sed -n 's/^LAB_SCANNER_NS=//p') link show | grep -q xdp"

# --- forced by name (as root too), and combinations that cannot be ------------------------
lab exec "$XSWEEP" sweep --send dgram 198.18.0.0/24 --rate max --wait 0.3 -O list >"$TMP/forced" 2>"$TMP/err"
check_eq "nonroot: --send dgram as root: exactly lab truth, no notice" \
	"$(lab truth 198.18.0.0/24) notices=0" "$(sort -V "$TMP/forced") notices=$(grep -c 'no CAP_NET_RAW' "$TMP/err")"
for bad in "--capture dgram -p 22" "--send dgram --capture xdp" "--capture dgram --send mmsg" \
	"--send dgram --send-path raw" "--capture dgram --keep-maps"; do
	# shellcheck disable=SC2086
	lab exec "$XSWEEP" sweep $bad 198.18.0.1 >"$TMP/bad" 2>&1
	check "nonroot: '$bad' is refused: one line, exit 2" test $? -eq 2 -a "$(wc -l <"$TMP/bad")" -eq 1
done

# --- the checks the channel allows, on an impaired lab -------------------------------------
lab down >/dev/null
lab up --alive 0.5 --seed 6 --wrong-src 0.1 --bad-id 0.1 --dup 0.1 >/dev/null ||
	{ not_ok "nonroot: lab up impaired"; exit 1; }
range "0 2147483647"
lab truth 198.18.0.0/20 >"$TMP/truth"
nobody "$XSWEEP" sweep 198.18.0.0/20 --rate max -O list --wait 0.5 >"$TMP/alive" 2>"$TMP/err"
lab stats --json >"$TMP/stats"
check "nonroot: impaired lab: no wrong-source or bad-id reply is reported as a host" \
	test -z "$(comm -13 <(sort "$TMP/truth") <(sort "$TMP/alive"))"
check "nonroot: wrong-source replies are counted (> 0)" test "$(summary_field "wrong source" "$TMP/err")" -gt 0
check "nonroot: duplicates are counted (> 0)" test "$(summary_field duplicates "$TMP/err")" -gt 0
# A bad-id reply's id is not the socket's: the kernel never hands it to us.
check_eq "nonroot: bad-id replies never reach the socket (bad cookie 0)" 0 "$(summary_field "bad cookie" "$TMP/err")"
nobody "$XSWEEP" sweep 198.18.0.0/20 --rate max -O list --wait 0.5 --retries 8 >"$TMP/alive" 2>/dev/null
check_eq "nonroot: with --retries 8 the impaired lab gives exactly lab truth" "$(cat "$TMP/truth")" \
	"$(sort -V "$TMP/alive")"

# --- not allowed: one line saying what to change ---------------------------------------------
range "1 0"
nobody "$XSWEEP" sweep 198.18.0.0/28 >"$TMP/out" 2>"$TMP/err"
rc=$?
check_eq "nonroot: ping_group_range closed: exit 2, nothing on stdout" "2 0" "$rc $(wc -c <"$TMP/out")"
check "nonroot: ping_group_range closed: one line" one_line "$TMP/err"
check "nonroot: the line names setcap and the sysctl with its value now" \
	grep -qE '^xsweep: not allowed to send probes: .*make setcap.*setcap cap_net_raw,cap_net_admin,cap_bpf,cap_perfmon\+ep .*group 65534 in net.ipv4.ping_group_range \(now "1 0"; e.g. sysctl -w' "$TMP/err"
range "0 2147483647"
nobody "$XSWEEP" sweep -p 22 198.18.0.0/28 >"$TMP/out" 2>"$TMP/err"
rc=$?
check_eq "nonroot: TCP SYN as nobody: exit 2, one line naming CAP_NET_RAW" "2 1 1" \
	"$rc $(wc -l <"$TMP/err") $(grep -c 'not allowed to send tcp-syn probes: packet sockets need CAP_NET_RAW' "$TMP/err")"
