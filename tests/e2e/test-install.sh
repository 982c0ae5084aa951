#!/usr/bin/env bash
# test-install.sh - make install / setcap / uninstall into a DESTDIR, then the installed
# binary as user nobody in the lab's scanner namespace: with the file capabilities
# 'make setcap' grants it sweeps the lab exactly through XDP, and monitor and capture
# attach their XDP programs; each of those capabilities is needed. The installed bash
# completion completes commands, options, their values and interface names.
source "$(dirname "$0")/../lib.sh"
need_root test-install

use_lab in
TMP=$(mktemp -d)
D=$(mktemp -d)
chmod 755 "$D" "$TMP"
on_exit "rm -rf $TMP $D"
BUILD_DIR=$(cd "$(dirname "$XSWEEP")" && pwd)
CAPS="cap_net_raw,cap_net_admin,cap_bpf,cap_perfmon"

mk() { make -C "$XSWEEP_TOP" --no-print-directory BUILD="$BUILD_DIR" DESTDIR="$D" PREFIX=/usr "$@"; }
nobody() { lab exec setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }

# --- install ---------------------------------------------------------------------------
mk install >"$TMP/log" 2>&1
check "install: make install DESTDIR=... PREFIX=/usr succeeds" test $? -eq 0
expect=$( (echo usr/bin/xsweep
	echo usr/share/bash-completion/completions/xsweep
	for f in "$XSWEEP_TOP"/man/*.scd; do f=${f##*/}; echo "usr/share/man/man1/${f%.scd}"; done) | sort)
check_eq "install: binary, every manual page, bash completion; nothing else" "$expect" \
	"$(cd "$D" && find . -type f | sed 's|^\./||' | sort)"
check "install: the binary is the build's" cmp -s "$XSWEEP" "$D/usr/bin/xsweep"
check_eq "install: modes 755 (binary), 644 (pages, completion)" "755 644 644" \
	"$(stat -c %a "$D/usr/bin/xsweep" "$D/usr/share/man/man1/xsweep.1" \
		"$D/usr/share/bash-completion/completions/xsweep" | paste -sd' ')"
check "install: man finds and renders the installed xsweep-sweep page" \
	bash -c "MANPATH=$D/usr/share/man man xsweep-sweep 2>/dev/null | grep -q -- '--summary-json'"

# --- setcap: what the capabilities allow -------------------------------------------------
mk setcap >"$TMP/log" 2>&1
check_eq "setcap: make setcap grants the four capabilities" "$D/usr/bin/xsweep $CAPS=ep" \
	"$(getcap "$D/usr/bin/xsweep" | sed 's/cap_net_admin,cap_net_raw,cap_perfmon,cap_bpf/'"$CAPS"'/')"
lab up --alive 0.5 --seed 17 >/dev/null || { not_ok "install: lab up"; exit 1; }
eval "$(lab env)"
# -T 1: an exact check (lab_sweep in tests/lib.sh says why).
nobody "$D/usr/bin/xsweep" sweep 198.18.0.0/20 --rate max -T 1 -O list >"$TMP/alive" 2>"$TMP/err"
check_eq "setcap: as nobody the installed binary sweeps a /20 exactly (lab truth)" \
	"$(lab truth 198.18.0.0/20)" "$(sort -V "$TMP/alive")"
check "setcap: ... through XDP and packet sockets, no fallback notice" \
	test "$(grep -c 'capture XDP .* send path packet' "$TMP/err")" -eq 1 -a \
	"$(grep -c 'instead' "$TMP/err")" -eq 0
target=$(lab truth 198.18.0.0/28 | head -1)
lab exec bash -c "setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	$D/usr/bin/xsweep capture -i $LAB_IFACE -c 1 --duration 3 >$TMP/cap 2>&1 & sleep 0.5
	$XSWEEP ping -c 3 -i 0.2 -q $target >/dev/null; wait" 2>/dev/null
check "setcap: as nobody, capture attaches XDP and stops after -c 1" \
	grep -q '^1 packets captured, 0 dropped, 0 filtered out (xdp on ' "$TMP/cap"
nobody "$D/usr/bin/xsweep" monitor -i "$LAB_IFACE" --duration 0.5 >"$TMP/mon" 2>&1
check "setcap: as nobody, monitor attaches XDP" grep -q "monitoring $LAB_IFACE via xdp" "$TMP/mon"
# Without any one of them, the sweep leaves the XDP + packet socket path.
cp "$D/usr/bin/xsweep" "$TMP/xs-less" && chmod 755 "$TMP/xs-less"
for cap in ${CAPS//,/ }; do
	setcap "$(echo "$CAPS" | tr , '\n' | grep -vx "$cap" | paste -sd,)+ep" "$TMP/xs-less"
	nobody "$TMP/xs-less" -v sweep 198.18.0.0/28 --rate max --wait 0.2 -O list >/dev/null 2>"$TMP/less"
	check "setcap: $cap is needed (without it: no XDP with packet sockets)" \
		test "$(grep -c 'capture XDP .* send path packet' "$TMP/less")" -eq 0
done

# --- bash completion (installed file, installed binary on PATH) ---------------------------
COMP=$D/usr/share/bash-completion/completions/xsweep
# complete WORDS... : what <TAB> offers after WORDS (the last word is the one completed).
complete_in() {
	local ns=$1
	shift
	ip netns exec "$ns" env PATH="$D/usr/bin:$PATH" bash -c 'source "$0"; COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _xsweep; printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "' \
		"$COMP" xsweep "$@"
}
complete_w() { complete_in "$LAB_SCANNER_NS" "$@"; }
check_eq "completion: commands" "capture help history iface maps monitor ping sweep" "$(complete_w "")"
check_eq "completion: a command from its prefix" "monitor" "$(complete_w mon)"
check_eq "completion: options from the command's help" "--capture" "$(complete_w sweep --cap)"
check_eq "completion: every option of the help is offered" \
	"$("$XSWEEP" help sweep | sed -nE 's/^(  (-[A-Za-z0-9]), |      )(--[a-z0-9-]+).*/\2 \3/p' | tr ' ' '\n' |
		grep . | sort | paste -sd' ')" "$(complete_w sweep -)"
check_eq "completion: output formats" "csv grep json list text" "$(complete_w sweep -O "")"
check_eq "completion: ping's formats" "json text" "$(complete_w ping --output "")"
check_eq "completion: capture paths" "auto dgram pcap xdp" "$(complete_w sweep --capture "")"
check_eq "completion: monitor's paths (FMT/PATH named in words)" "auto pcap xdp" \
	"$(complete_w monitor --capture "")"
check_eq "completion: interface names of the namespace for -i" "lo $LAB_IFACE" "$(complete_w monitor -i "")"
check_eq "completion: interface names for iface status" "$LAB_IFACE" "$(complete_w iface status xs)"
check_eq "completion: ping -i is an interval: nothing offered" "" "$(complete_w ping -i "")"
touch "$TMP/targets.txt"
check_eq "completion: files for -iL" "$TMP/targets.txt" "$(complete_w sweep -iL "$TMP/targ")"

# --- uninstall -------------------------------------------------------------------------
mk uninstall >"$TMP/log" 2>&1
check_eq "uninstall: removes every installed file" "" "$(find "$D" -type f)"
