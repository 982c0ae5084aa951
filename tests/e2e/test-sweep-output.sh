#!/usr/bin/env bash
# test-sweep-output.sh - what a user and a program read from `xsweep sweep`, in the lab: the
# status line and result lines sharing one terminal (a pty from script(1), rendered the
# way a terminal would), and the machine-readable outputs.
source "$(dirname "$0")/../lib.sh"
need_root test-sweep-output

LABSH=$XSWEEP_TOP/bench/lab
export LAB=t$$so
on_exit "LAB=$LAB $LABSH down"
TMP=$(mktemp -d)
chmod 755 "$TMP"
on_exit "rm -rf $TMP"

lab() { "$LABSH" "$@"; }
sweep() { lab exec "$XSWEEP" sweep --rate max "$@"; }

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
