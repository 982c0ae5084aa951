#!/usr/bin/env bash
# tests/run.sh - run every test tier and count results.
#
# Tiers, in order: C unit tests (build/tests/unit/*), BPF programs through
# BPF_PROG_TEST_RUN (build/tests/bpf/*), end-to-end scripts in throwaway network
# namespaces (tests/e2e/test-*.sh), then the sanitizer tiers: san (the unit and BPF
# tests built with ASan+UBSan in build-san/, and short lab runs of every command with
# that binary: tests/san/test-*.sh) and fuzz (each libFuzzer target of tests/fuzz/ for
# FUZZ_TEST_SECONDS, default 4, on its corpus). In the san tier, any sanitizer report
# (ASan, UBSan, LeakSanitizer: written to a per-file directory through log_path) is a
# failure, whatever the exit status. Every test prints "ok - NAME", "not ok - NAME" or
# "skip - NAME"; a test program that exits non-zero without a "not ok" line counts as
# one failure. The last line is "N passed, N failed". Run one tier or file with
# `tests/run.sh unit|bpf|e2e|san|fuzz|PATH...`; V=1 shows every line.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SAN_BUILD=${SAN_BUILD:-build-san}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_TEST_SECONDS=${FUZZ_TEST_SECONDS:-4}
export XSWEEP=${XSWEEP:-$PWD/$BUILD/xsweep}
export XSWEEP_TOP=$PWD

sel=("$@")
[ ${#sel[@]} -eq 0 ] && sel=(unit bpf e2e san fuzz)
# Entries are PATH, san:PATH (sanitized environment) or fuzz:PATH (a fuzz target).
files=()
for s in "${sel[@]}"; do
	case $s in
	unit) files+=($BUILD/tests/unit/*) ;;
	bpf) files+=($BUILD/tests/bpf/*) ;;
	e2e) files+=(tests/e2e/test-*.sh) ;;
	san) for f in $SAN_BUILD/tests/unit/* $SAN_BUILD/tests/bpf/* tests/san/test-*.sh; do
		files+=("san:$f"); done ;;
	fuzz) for f in $FUZZ_BUILD/tests/fuzz/fuzz_*; do files+=("fuzz:$f"); done ;;
	tests/san/*) files+=("san:$s") ;;
	*) files+=("$s") ;;
	esac
done

pass=0 fail=0 skip=0
log=$(mktemp)
sandir=$(mktemp -d)
trap 'rm -rf "$log" "$sandir"' EXIT

# run_one PATH: run a test program or script, output to $log; its exit status.
run_one() {
	if [[ $1 == *.sh ]]; then
		timeout 300 bash "$1" >"$log" 2>&1
	else
		timeout 300 "$1" >"$log" 2>&1
	fi
}

# run_san PATH: run_one with the sanitized xsweep and reports collected in $sandir; each
# report is one failure.
run_san() {
	local rc r
	rm -rf "${sandir:?}"/*
	chmod 1777 "$sandir"
	ASAN_OPTIONS="log_path=$sandir/asan:detect_leaks=1:${ASAN_OPTIONS:-}" \
		UBSAN_OPTIONS="log_path=$sandir/ubsan:print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
		XSWEEP=$PWD/$SAN_BUILD/xsweep run_one "$1"
	rc=$?
	for r in "$sandir"/*; do
		[ -e "$r" ] || continue
		echo "not ok - sanitizer report $(basename "$r") from $1" >>"$log"
		sed 's/^/    # /' "$r" | head -40 >>"$log"
	done
	return $rc
}

for ent in "${files[@]}"; do
	mode=
	case $ent in san:* | fuzz:*) mode=${ent%%:*} ;; esac
	f=${ent#"$mode:"}
	[ -e "$f" ] || continue
	start=$(date +%s%N)
	case $mode in
	san) run_san "$f" ;;
	fuzz) timeout 300 bash tests/fuzz/run.sh "$FUZZ_TEST_SECONDS" "$f" >"$log" 2>&1 ;;
	*) run_one "$f" ;;
	esac
	rc=$?
	p=$(grep -c '^ok - ' "$log")
	n=$(grep -c '^not ok - ' "$log")
	k=$(grep -c '^skip - ' "$log")
	if [ "$rc" -ne 0 ] && [ "$n" -eq 0 ]; then
		echo "not ok - $f exited with status $rc" >>"$log"
		n=1
	fi
	pass=$((pass + p)) fail=$((fail + n)) skip=$((skip + k))
	ms=$((($(date +%s%N) - start) / 1000000))
	printf '%-40s %4d passed %3d failed %3d skipped %4d.%01ds\n' "$f" "$p" "$n" "$k" $((ms / 1000)) $((ms % 1000 / 100))
	if [ "${V:-0}" = 1 ]; then
		sed 's/^/    /' "$log"
	elif [ "$n" -gt 0 ]; then
		grep -E '^(not ok|skip) - ' "$log" | sed 's/^/    /'
		echo "    --- last lines of output ---"
		grep -vE '^(ok|not ok|skip) - ' "$log" | tail -15 | sed 's/^/    /'
	fi
done
[ "$skip" -gt 0 ] && echo "($skip skipped)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
