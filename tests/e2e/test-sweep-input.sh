#!/usr/bin/env bash
# test-sweep-input.sh - `xsweep sweep` command-line input, without sending anything:
# every bad value or combination is refused with exit status 2 and exactly one line on
# stderr; getopt's own forms (--opt=value, unambiguous prefixes, attached short values,
# nmap's -iL FILE and -iLFILE, -iL - for standard input) work. Everything runs with
# --dry-run and -S inside a throwaway namespace (no route is needed, nothing is sent).
source "$(dirname "$0")/../lib.sh"
need_root test-sweep-input

ns_new in || { not_ok "sweep-input: namespace"; exit 1; }
TMP=$(mktemp -d)
on_exit "rm -rf $TMP"
dry() { in_ns "$NS" "$XSWEEP" sweep --dry-run -S 192.0.2.1 -S 2001:db8::1 "$@"; }

# refused NAME ARGS...: exit 2, one line on stderr, nothing on stdout.
refused() {
	local name=$1 rc
	shift
	dry "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && [ ! -s "$TMP/out" ]; then
		ok "sweep-input: refused: $name"
	else
		not_ok "sweep-input: refused: $name (exit $rc, $(wc -l <"$TMP/err") lines)"
		sed 's/^/    # /' "$TMP/err" | head -5
	fi
}

refused "--exclude ''" 198.18.0.0/30 --exclude ''
refused "--exclude with an empty element" 198.18.0.0/30 --exclude 198.18.0.1,,198.18.0.2
refused "--exclude -v (a value, not a flag)" 198.18.0.0/30 --exclude -v
refused "a multicast address is never a host" 224.0.0.1
refused "-iL on a directory" -iL "$TMP"
refused "0x7f.1 (inet_aton form)" 0x7f.1
refused "127.1 (short form)" 127.1
refused "/-0" 198.18.0.0/-0
refused "/+30" 198.18.0.0/+30
refused "/030" 198.18.0.0/030
refused "leading-zero octet" 198.18.0.010
refused "an IPv6 prefix over /128" 2001:2::/129
refused "a malformed IPv6 address" 2001:2:::1
refused "an IPv6 zone id" 'fe80::1%lo'
refused "a reversed IPv6 range" 2001:2::9-2001:2::1
refused "-S that is no address" 198.18.0.1 -S 192.0.2
refused "--send-path raw with IPv6 targets" 2001:2::1 --send-path raw
refused "--rate nan" 198.18.0.1 --rate nan
refused "--rate -1" 198.18.0.1 --rate -1
refused "--wait nan" 198.18.0.1 --wait nan
refused "--timeout 0" 198.18.0.1 --timeout 0
refused "--every +5" 198.18.0.1 --every +5
refused "--retries 256" 198.18.0.1 --retries 256
refused "--probes 0" 198.18.0.1 --probes 0
refused "--probes 100 --retries 3 (too many cookies)" 198.18.0.1 --probes 100 --retries 3
refused "--shard 2 --shards 2" 198.18.0.1 --seed 1 --shards 2 --shard 2
refused "--shards without --seed" 198.18.0.1 --shards 2
refused "unknown option" 198.18.0.1 --bogus
refused "ambiguous prefix --ex" 198.18.0.1 --ex 198.18.0.1
refused "-O with an unknown format" 198.18.0.1 -O xml
refused "--probe unknown" 198.18.0.1 --probe udp
refused "no targets" --seed 1
refused "--resume of a missing file" --resume "$TMP/none"

printf '198.18.0.5\n198.18.0.6 # comment\n' >"$TMP/list"
check_eq "sweep-input: -iL FILE" "198.18.0.5 198.18.0.6" \
	"$(dry -q -iL "$TMP/list" --seed 1 | cut -d' ' -f1 | sort | xargs)"
check_eq "sweep-input: -iLFILE (attached, getopt's form)" "198.18.0.5 198.18.0.6" \
	"$(dry -q -iL"$TMP/list" --seed 1 | cut -d' ' -f1 | sort | xargs)"
check_eq "sweep-input: -iL - reads standard input" "198.18.0.5 198.18.0.6" \
	"$(dry -q -iL - --seed 1 <"$TMP/list" | cut -d' ' -f1 | sort | xargs)"
check_eq "sweep-input: --input-file=FILE" "198.18.0.5 198.18.0.6" \
	"$(dry -q --input-file="$TMP/list" --seed 1 | cut -d' ' -f1 | sort | xargs)"
check_eq "sweep-input: --inp (a prefix) FILE and --exclude=T" "198.18.0.5" \
	"$(dry -q --inp "$TMP/list" --exclude=198.18.0.6 | cut -d' ' -f1 | sort -V | xargs)"
check_eq "sweep-input: IPv6 and IPv4 targets in one dry run, RFC 5952 addresses" \
	"198.18.0.1 2001:2::1 2001:2::a 2001:2::b" \
	"$(dry -q 2001:2::a-2001:2:0:0:0:0:0:b 198.18.0.1 2001:2:0::1 --seed 3 | cut -d' ' -f1 | sort | xargs)"
check_eq "sweep-input: the same --seed gives the same order" \
	"$(dry -q 198.18.0.0/24 --seed 5 | cut -d' ' -f1)" "$(dry -q 198.18.0.0/24 --seed 5 | cut -d' ' -f1)"
"$XSWEEP" sweep --help | grep -oE '^(  -[a-zA-Z], |      )--[a-z-]+' | grep -oE -- '--[a-z-]+$' >"$TMP/help"
check "sweep-input: --help has one entry per option ($(wc -l <"$TMP/help") entries)" \
	test "$(sort "$TMP/help" | uniq -d | wc -l)" -eq 0 -a "$(wc -l <"$TMP/help")" -ge 30
