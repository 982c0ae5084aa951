#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS [FUZZER...] - run libFuzzer targets, each for SECONDS.
#
# FUZZER defaults to every build-fuzz/tests/fuzz/fuzz_* (make SANITIZE=fuzz fuzzers, or
# make fuzz). Each starts from its committed seeds, tests/fuzz/corpus/NAME/ (NAME without
# "fuzz_"), read-only; new inputs go to $FUZZ_WORK/NAME (default: a temporary directory,
# removed at exit; make fuzz keeps build-fuzz/corpus). A crash, leak, sanitizer report or
# timeout prints "not ok" and keeps the input in build-fuzz/crashes/ (reproduce: run the
# fuzzer on that file); otherwise one line "ok - fuzz NAME: N runs in S s, corpus C"
# with libFuzzer's own counts.
set -u
cd "$(dirname "$0")/../.."
secs=${1:?usage: tests/fuzz/run.sh SECONDS [FUZZER...]}
shift
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=("$FUZZ_BUILD"/tests/fuzz/fuzz_*)
if [ -z "${FUZZ_WORK:-}" ]; then
	FUZZ_WORK=$(mktemp -d)
	trap 'rm -rf "$FUZZ_WORK"' EXIT
fi
mkdir -p "$FUZZ_WORK/crashes"

fails=0
for bin in "${bins[@]}"; do
	[ -x "$bin" ] || { echo "not ok - fuzz $bin: not built (make SANITIZE=fuzz fuzzers)"; fails=$((fails + 1)); continue; }
	name=$(basename "$bin")
	seeds=tests/fuzz/corpus/${name#fuzz_}
	work=$FUZZ_WORK/${name#fuzz_}
	log=$FUZZ_WORK/$name.log
	mkdir -p "$work"
	# -rss_limit_mb: the state reader may take a 64 MiB file; -timeout: a hang is a bug.
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$FUZZ_WORK/crashes/$name-" "$work" "$seeds" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	corpus=$(find "$work" -type f | wc -l)
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		echo "ok - fuzz ${name#fuzz_}: $runs runs in $secs s, corpus $((corpus + $(find "$seeds" -type f | wc -l)))"
	else
		mkdir -p "$FUZZ_BUILD/crashes"
		cp "$FUZZ_WORK/crashes/$name-"* "$FUZZ_BUILD/crashes/" 2>/dev/null
		echo "not ok - fuzz ${name#fuzz_}: exit $rc; input kept in $FUZZ_BUILD/crashes/"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written|deadly|leak' "$log" | head -20 | sed 's/^/    # /'
		fails=$((fails + 1))
	fi
done
[ "$fails" -eq 0 ]
