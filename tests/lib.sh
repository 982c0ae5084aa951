# tests/lib.sh - shared helpers for end-to-end tests (source it).
#
# Output protocol: ok/not_ok/skip print "ok - NAME" lines counted by tests/run.sh.
# Namespaces: `ns_new NAME` creates the uniquely named namespace $TEST_ID-NAME, registers
# it for deletion on EXIT and sets NS to its name. Call it directly, not as $(ns_new ..):
# a command substitution is a subshell and the registration would be lost.
# in_ns NS CMD... runs a command inside a namespace. Tests never send from the root
# namespace: assert_not_root_ns is called by in_ns before running anything.
set -u
XSWEEP=${XSWEEP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/xsweep}
XSWEEP_TOP=${XSWEEP_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
TEST_ID=${TEST_ID:-xt$$}
_NS_LIST=()
_CLEANUPS=()

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }

# check NAME CMD... : ok when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# check_eq NAME EXPECTED ACTUAL : exact string comparison, shows a diff on mismatch.
check_eq() {
	if [ "$2" == "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/    # /' | head -40
	fi
}

# check_rc NAME EXPECTED_RC CMD... : exit status of CMD.
check_rc() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >/dev/null 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else not_ok "$name (exit $rc, want $want)"; fi
}

on_exit() { _CLEANUPS+=("$*"); }

# The lab of a test (bench/lab): use_lab TAG names it t<pid>TAG and takes it down at exit;
# lab CMD... runs bench/lab, lab_stat FIELD reads one of the responder's counters.
use_lab() {
	LABSH=$XSWEEP_TOP/bench/lab
	LABCTL=$XSWEEP_TOP/build/labctl
	export LAB=t$$$1
	on_exit "LAB=$LAB $LABSH down"
}
lab() { "$LABSH" "$@"; }
lab_stat() { "$LABCTL" stats --pin-dir "$LAB_PIN_DIR" --json | jq ".$1"; }
# lab_sweep ARGS: `xsweep sweep` in the lab's scanner namespace at the machine's maximum
# rate (the default 10k/s is for real networks), from one sender thread (-T 1), for checks
# that want exact results: from two sender threads at --rate max this 2-CPU lab's scanner
# veth now and then drops replies before any XDP program sees them (the responder veth
# counts them as TX drops): 1 run in 60 of a /16 lost 42 of 32 663 hosts, 10 in 100 of a
# /16 x 2 ports lost 22 to 9898 open pairs, none in 200 runs of a /20 x 3 ports at -T 1.
# That is the lab's capacity, not the sweep under test; sender threads are tested in
# test-sweep-control.sh (with --retries, or a set rate). Exact checks elsewhere pass -T 1
# for the same reason.
lab_sweep() { lab exec "$XSWEEP" sweep --rate max -T 1 "$@"; }
# summary_field NAME FILE: the number after NAME in xsweep's summary lines in FILE.
summary_field() { sed -n "s/.*[ (]$1 \([0-9]*\).*/\1/p" "$2" | head -1; }

_cleanup() {
	local i
	for ((i = ${#_CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${_CLEANUPS[$i]}" >/dev/null 2>&1; done
	for ns in "${_NS_LIST[@]}"; do ip netns del "$ns" >/dev/null 2>&1; done
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

ns_new() {
	NS="$TEST_ID-$1"
	ip netns add "$NS" || return 1
	_NS_LIST+=("$NS")
	ip -n "$NS" link set lo up
}

# The root namespace's id: /proc/1/ns/net can be unreadable (EACCES) here; kthreadd
# (PID 2) always lives in the initial namespace.
root_netns() { readlink /proc/1/ns/net 2>/dev/null || readlink /proc/2/ns/net; }

assert_not_root_ns() {
	local root
	root=$(root_netns)
	if [ -z "$root" ] || [ "$(readlink /proc/self/ns/net)" == "$root" ]; then
		echo "refusing to send from the root network namespace" >&2
		exit 1
	fi
}

# in_ns NS CMD... : run CMD in namespace NS (with bpffs mounted there).
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" bash -c '
		root=$(readlink /proc/1/ns/net 2>/dev/null || readlink /proc/2/ns/net)
		[ -n "$root" ] && [ "$(readlink /proc/self/ns/net)" != "$root" ] || { echo "in_ns: root namespace" >&2; exit 1; }
		mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
		exec "$@"' in_ns "$@"
}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		skip "$1 (needs root)"
		exit 0
	fi
}
