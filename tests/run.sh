#!/usr/bin/env bash
# tests/run.sh - run every test tier and count results.
#
# Tiers, in order: C unit tests (build/tests/unit/*), BPF programs through
# BPF_PROG_TEST_RUN (build/tests/bpf/*), end-to-end scripts in throwaway network
# namespaces (tests/e2e/test-*.sh). Every test prints "ok - NAME", "not ok - NAME" or
# "skip - NAME"; a test program that exits non-zero without a "not ok" line counts as
# one failure. The last line is "N passed, N failed". Run one tier or file with
# `tests/run.sh unit|bpf|e2e|PATH...`; V=1 shows every line.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export XSWEEP=${XSWEEP:-$PWD/$BUILD/xsweep}
export XSWEEP_TOP=$PWD

sel=("$@")
[ ${#sel[@]} -eq 0 ] && sel=(unit bpf e2e)
files=()
for s in "${sel[@]}"; do
	case $s in
	unit) files+=($BUILD/tests/unit/*) ;;
	bpf) files+=($BUILD/tests/bpf/*) ;;
	e2e) files+=(tests/e2e/test-*.sh) ;;
	*) files+=("$s") ;;
	esac
done

pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for f in "${files[@]}"; do
	[ -e "$f" ] || continue
	start=$(date +%s%N)
	if [[ $f == *.sh ]]; then
		timeout 300 bash "$f" >"$log" 2>&1
	else
		timeout 300 "$f" >"$log" 2>&1
	fi
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
