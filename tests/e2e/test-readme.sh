#!/usr/bin/env bash
# test-readme.sh - the README's `xsweep ping` examples are real: they are run again in
# the namespaces tests/e2e/test-ping.sh builds (its setup, read from that file, so the
# topology has one source), and each command's output must be the README's, once the
# measured numbers (RTTs, timestamps) are masked and lines sorted (hosts answer in any
# order). The README also has to say where the examples come from.
source "$(dirname "$0")/../lib.sh"
need_root test-readme

README=$XSWEEP_TOP/README.md
TMP=$(mktemp -d)
on_exit "rm -rf $TMP"

# The ping section's first example block, from the sentence that says where it runs.
sed -n '/^The examples below come from the namespaces `tests\/e2e\/test-ping.sh` builds/,/^```$/{
	/^```$/q; p }' "$README" >"$TMP/intro"
check "readme: the ping examples say they come from test-ping.sh's namespaces, not bench/lab" \
	grep -q 'not from$' "$TMP/intro"
awk '/^The examples below come from the namespaces `tests\/e2e\/test-ping.sh`/ { on = 1 }
	on && /^```$/ { n++; if (n == 2) exit; next } on && n == 1' "$README" >"$TMP/block"
check "readme: the ping example block has commands" grep -q '^\$ xsweep ping ' "$TMP/block"

setup=$(sed -n '/^ns_new ping-s/,/^then have_nft=1; fi/p' "$XSWEEP_TOP/tests/e2e/test-ping.sh")
eval "$setup"
for _ in $(seq 50); do
	in_ns "$S" "$XSWEEP" ping -c 1 -W 0.2 -q 198.18.0.1 >/dev/null 2>&1 && break
	sleep 0.1
done

# mask: numbers that are measured, not reproduced.
mask() {
	sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIME/g; s/[0-9]+\.[0-9]{3,4}/N/g;
		s/(min\/avg\/max\/mdev = )[N\/]+/\1N/' | sort
}
n=0
while IFS= read -r line; do
	case $line in
	'$ xsweep ping '*)
		n=$((n + 1))
		cmd=${line#\$ xsweep ping }
		# The README's output for it: the lines up to the next "$ " line.
		awk -v c="$line" '$0 == c { on = 1; next } on && /^\$ / { exit } on' "$TMP/block" |
			mask >"$TMP/want.$n"
		# shellcheck disable=SC2086
		in_ns "$S" "$XSWEEP" ping $cmd 2>&1 | mask >"$TMP/got.$n"
		check_eq "readme: 'xsweep ping $cmd' prints what the README shows" \
			"$(cat "$TMP/want.$n")" "$(cat "$TMP/got.$n")"
		;;
	esac
done <"$TMP/block"
check "readme: four ping examples were run" test "$n" -eq 4
