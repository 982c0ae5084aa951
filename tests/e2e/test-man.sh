#!/usr/bin/env bash
# test-man.sh - the manual pages (man/*.scd, built by make into BUILD/man): one per
# command listed by 'xsweep --help' plus xsweep(1), each rendered by `man -l` without a
# warning, each built from its one source, and each command's options exactly those of
# its --help (every option of the help is in the page, and the page lists no other).
# Sends nothing.
source "$(dirname "$0")/../lib.sh"

MANDIR=$(dirname "$XSWEEP")/man
TMP=$(mktemp -d)
on_exit "rm -rf $TMP"

# render PAGE: the page as text, wide enough that no item wraps.
render() { MANWIDTH=400 man --warnings -l "$1" 2>"$TMP/warn" | col -bx; }
# Options of a help text: "-s --long" or "--long", one per line, sorted.
help_opts() {
	sed -nE 's/^(  (-[A-Za-z0-9]), |      )(--[a-z0-9][a-z0-9-]*).*/\2 \3/p' | sed 's/^ //' | sort
}
# Options of a rendered page: the items of its OPTIONS section (and subsections).
man_opts() {
	awk '/^OPTIONS$/ { on = 1; next } /^[A-Z]/ { on = 0 } on' |
		sed -nE 's/^       ((-[A-Za-z0-9]), )?(--[a-z0-9][a-z0-9-]*).*/\2 \3/p' | sed 's/^ //' | sort
}

cmds=$("$XSWEEP" --help | sed -nE '/^Commands:/,/^$/s/^  ([a-z]+) .*/\1/p')
check "man: 'xsweep --help' lists commands" test -n "$cmds"

for page in xsweep $(printf 'xsweep-%s\n' $cmds); do
	f=$MANDIR/$page.1
	if [ ! -f "$f" ]; then
		not_ok "man: $page.1 was built by make (man/$page.1.scd)"
		continue
	fi
	check "man: $page.1 is scdoc's output of man/$page.1.scd" \
		cmp -s "$f" <(scdoc <"$XSWEEP_TOP/man/$page.1.scd")
	render "$f" >"$TMP/$page.txt"
	check "man: man -l renders $page.1 (NAME, SYNOPSIS, no warning)" \
		test -s "$TMP/$page.txt" -a ! -s "$TMP/warn" -a \
		"$(grep -cE '^(NAME|SYNOPSIS)$' "$TMP/$page.txt")" -eq 2
done

for c in $cmds; do
	[ -s "$TMP/xsweep-$c.txt" ] || continue
	"$XSWEEP" help "$c" | help_opts >"$TMP/help-$c"
	man_opts <"$TMP/xsweep-$c.txt" >"$TMP/man-$c"
	check_eq "man: xsweep-$c(1) lists exactly the options of 'xsweep help $c' ($(wc -l <"$TMP/help-$c"))" \
		"$(cat "$TMP/help-$c")" "$(cat "$TMP/man-$c")"
done

# xsweep(1): the global options of 'xsweep --help', and every command.
"$XSWEEP" --help | sed -n '/^Global options/,/^$/p' | grep -oE -- '--[a-z]+' | sort >"$TMP/help-global"
awk '/^GLOBAL OPTIONS$/ { on = 1; next } /^[A-Z]/ { on = 0 } on' "$TMP/xsweep.txt" |
	grep -E '^       -' | grep -oE -- '--[a-z]+' | sort >"$TMP/man-global"
check_eq "man: xsweep(1) lists exactly the global options of 'xsweep --help'" \
	"$(cat "$TMP/help-global")" "$(cat "$TMP/man-global")"
check_eq "man: xsweep(1) names every command in COMMANDS" "$cmds" \
	"$(awk '/^COMMANDS$/ { on = 1; next } /^[A-Z]/ { on = 0 } on' "$TMP/xsweep.txt" |
		sed -nE 's/^       ([a-z]+)$/\1/p')"
