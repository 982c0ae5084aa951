#!/usr/bin/env bash
# test-history.sh - `xsweep sweep --every --history FILE` and `xsweep history` in the lab
# (AnyIP responder, so hosts can be taken down and brought back): a host taken down and
# brought back during the run shows exactly those two changes, in the rounds the sweep
# itself reported them; `xsweep history` reads the file while the sweep writes it; a
# SIGKILLed sweep leaves a file that opens with every completed round; a TCP sweep
# records a port's change; bad files, options and arguments give one line and exit 2,
# the file left as it was.
source "$(dirname "$0")/../lib.sh"
need_root test-history

use_lab hi
TMP=$(mktemp -d)
on_exit "rm -rf $TMP"

hist() { "$XSWEEP" history "$@"; }
rounds_in() {
	local n
	n=$(hist "$1" -O json 2>/dev/null | jq '.rounds | length' 2>/dev/null)
	echo "${n:-0}"
}
# wait_rounds FILE N: until FILE holds N rounds (10 s at most).
wait_rounds() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(rounds_in "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
victim_route() { ip -n "$LAB_RESPONDER_NS" route "$1" local "$victim/32" dev lo table local; }

lab up --responder anyip --range 198.18.0.0/28 --alive 0.5 --seed 11 >/dev/null ||
	{ not_ok "history: lab up"; exit 1; }
eval "$(lab env)"
lab truth 198.18.0.0/28 >"$TMP/truth"
victim=$(sed -n 2p "$TMP/truth")
nalive=$(wc -l <"$TMP/truth")

# --- a host goes down and comes back during a periodic sweep ---------------------------------
# Started directly (not through bench/lab) so $! is xsweep itself.
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep 198.18.0.0/28 --rate max --every 1s --wait 0.3 \
	--history "$TMP/h.db" >"$TMP/every" 2>"$TMP/every.err" &
spid=$!
on_exit "kill -9 $spid"
wait_rounds "$TMP/h.db" 2
reads=0
for ((i = 0; i < 10; i++)); do	# while the sweep writes
	hist "$TMP/h.db" >/dev/null 2>>"$TMP/reads.err" && reads=$((reads + 1))
	sleep 0.05
done
victim_route del
wait_rounds "$TMP/h.db" 4
victim_route add
wait_rounds "$TMP/h.db" 6
kill -INT $spid
wait $spid
rc=$?
check_eq "history: the sweep ends with status 0 on SIGINT" 0 "$rc"
check_eq "history: 10 reads of the file while the sweep wrote it, all exit 0" "10 " \
	"$reads $(cat "$TMP/reads.err")"
done_rounds=$(sed -n 's/^summary: targets [0-9]*, rounds \([0-9]*\),.*/\1/p' "$TMP/every.err")
check_eq "history: the file holds every round the sweep completed ($done_rounds)" \
	"$done_rounds" "$(rounds_in "$TMP/h.db")"
down=$(awk '/^Round / { r = $2 } / went down$/ { print r }' "$TMP/every")
up=$(awk '/^Round / { r = $2 } / came up$/ { print r }' "$TMP/every")
check "history: the sweep reported one down and one up ($down, $up)" \
	test -n "$down" -a -n "$up" -a "$(echo "$down $up" | wc -w)" -eq 2
hist "$TMP/h.db" --changes >"$TMP/changes"
check_eq "history: --changes shows exactly those two, in the rounds the sweep reported" \
	"$victim went down (round $down)
$victim came up (round $up)" "$(sed -E 's/ at [0-9TZ:.-]+ / /' "$TMP/changes")"
check "history: change times are the one timestamp style (ISO 8601 UTC, microseconds)" \
	test "$(grep -cE ' at 20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z \(round' "$TMP/changes")" -eq 2
hist "$TMP/h.db" >"$TMP/table"
check_eq "history: the table lists every host seen up, the victim with 2 changes" \
	"$(sort -V "$TMP/truth")" "$(awk 'NR > 1 && !/^Round/ { print $1 }' "$TMP/table")"
check "history: the victim: alive now, uptime below 100%, 2 changes" \
	awk -v v="$victim" '$1 == v { exit !($2 == "alive" && $5 + 0 < 100 && $6 == 2) }' "$TMP/table"
check "history: the others: 100.0% and no change" \
	test "$(awk -v v="$victim" 'NR > 1 && !/^Round/ && $1 != v && $5 == "100.0%" && $6 == 0' \
		"$TMP/table" | wc -l)" -eq $((nalive - 1))
check "history: per round, the lab's 'Total N hosts are inactive'" \
	test "$(grep -cE "^Round [0-9]+ \(.*\): [0-9]+ alive\. Total [0-9]+ hosts are inactive$" \
		"$TMP/table")" -eq "$done_rounds"
check_eq "history: the round after the victim went down has one host fewer" \
	"$((nalive - 1)) $((16 - nalive + 1))" \
	"$(hist "$TMP/h.db" -O json | jq -r --argjson r "$down" '.rounds[] | select(.round == $r) | "\(.alive) \(.inactive)"')"
check_eq "history: --host picks one address" "$victim" \
	"$(hist "$TMP/h.db" --host "$victim" -O json | jq -r '.hosts[].addr')"
since=$(hist "$TMP/h.db" -O json | jq -r --argjson r "$up" '.rounds[] | select(.round == $r) | .start')
check_eq "history: --since the round it came up: one change in the window, 100% up" "1 1" \
	"$(hist "$TMP/h.db" --since "$since" --host "$victim" -O json | jq -r '"\(.hosts[0].changes) \(.hosts[0].uptime)"')"
check_eq "history: the schema's changes view says the same (sqlite3)" \
	"$victim|alive|inactive
$victim|inactive|alive" \
	"$(sqlite3 "$TMP/h.db" 'SELECT addr, old_state, new_state FROM changes ORDER BY time_ns')"
check_eq "history: no WAL or lock file left after a clean exit" "" \
	"$(ls "$TMP" | grep -E 'h\.db-(wal|shm)')"

# --- SIGKILL mid-run ------------------------------------------------------------------------
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep 198.18.0.0/28 --rate max --every 0.4s --wait 0.2 \
	--history "$TMP/k.db" >"$TMP/k.out" 2>&1 &
kpid=$!
on_exit "kill -9 $kpid"
wait_rounds "$TMP/k.db" 3
sleep 0.5
kill -9 $kpid
wait $kpid 2>/dev/null
started=$(grep -c '^Round ' "$TMP/k.out")
n=$(rounds_in "$TMP/k.db")
check "history: after SIGKILL the file opens and holds the completed rounds ($n of $started started)" \
	test "$n" -ge $((started - 1)) -a "$n" -ge 3
check_eq "history: after SIGKILL the rounds are 1..$n, the database intact" "ok $(seq -s' ' 1 "$n")" \
	"$(sqlite3 "$TMP/k.db" 'PRAGMA integrity_check') $(sqlite3 "$TMP/k.db" 'SELECT round FROM rounds ORDER BY round' | paste -sd' ')"
lab exec "$XSWEEP" sweep 198.18.0.0/28 --rate max --wait 0.2 -q --history "$TMP/k.db" >/dev/null
check_eq "history: a new sweep appends to it as run 2" "0 2" \
	"$? $(hist "$TMP/k.db" -O json | jq .runs)"

# --- TCP: a port that stops answering is a change -------------------------------------------
ip netns exec "$LAB_SCANNER_NS" "$XSWEEP" sweep -p 22 198.18.0.0/28 --rate max --every 1s \
	--wait 0.3 --history "$TMP/t.db" >"$TMP/t.out" 2>&1 &
tpid=$!
on_exit "kill -9 $tpid"
wait_rounds "$TMP/t.db" 2
victim_route del
wait_rounds "$TMP/t.db" 4
kill -INT $tpid
wait $tpid
victim_route add
check_eq "history: tcp: $victim port 22 closed (the AnyIP RST), then filtered" \
	"$victim port 22/tcp filtered (was closed)" \
	"$(hist "$TMP/t.db" --changes | sed -E 's/ at .*//')"

# --- bad input: one line, exit 2, the file as it was -----------------------------------------
one_line_2() {	# NAME FILE CMD...: exit 2, one line on stderr, FILE unchanged (or absent)
	local name=$1 file=$2 before after rc
	shift 2
	before=$(sha256sum "$file" 2>/dev/null)
	"$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	rc=$?
	after=$(sha256sum "$file" 2>/dev/null)
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/bad.err")" -eq 1 ] && [ "$before" == "$after" ] &&
		[ ! -s "$TMP/bad.out" ]; then
		ok "$name"
	else
		not_ok "$name (exit $rc, $(wc -l <"$TMP/bad.err") lines: $(head -c 300 "$TMP/bad.err"))"
	fi
}
head -c 4096 /dev/urandom >"$TMP/garbage.db"
sqlite3 "$TMP/foreign.db" 'CREATE TABLE notes (x); INSERT INTO notes VALUES (1);'
sqlite3 "$TMP/newer.db" 'PRAGMA application_id = 1481856848; PRAGMA user_version = 9; CREATE TABLE x (a);'
mkdir -m 755 "$TMP/pub"
cp "$TMP/h.db" "$TMP/pub/h.db"
chmod 644 "$TMP/pub/h.db"
chmod 755 "$TMP"
sweep() { lab exec "$XSWEEP" sweep 198.18.0.0/28 --rate max --wait 0.2 -q "$@"; }
one_line_2 "history: sweep --history on a file that is not SQLite" "$TMP/garbage.db" \
	sweep --history "$TMP/garbage.db"
one_line_2 "history: sweep --history on another application's database" "$TMP/foreign.db" \
	sweep --history "$TMP/foreign.db"
one_line_2 "history: sweep --history on a newer format" "$TMP/newer.db" sweep --history "$TMP/newer.db"
one_line_2 "history: sweep --history in a missing directory" "$TMP/none/x.db" \
	sweep --history "$TMP/none/x.db"
check "history: ... which is not created" test ! -e "$TMP/none"
one_line_2 "history: sweep --history on a directory" "$TMP/pub" sweep --history "$TMP/pub"
one_line_2 "history: sweep --history on a file the user cannot write (uid 65534)" "$TMP/pub/h.db" \
	lab exec setpriv --reuid=65534 --regid=65534 --clear-groups "$XSWEEP" sweep 198.18.0.0/28 \
	--history "$TMP/pub/h.db"
check_eq "history: ... while reading it works for that user" 0 \
	"$(setpriv --reuid=65534 --regid=65534 --clear-groups "$XSWEEP" history "$TMP/pub/h.db" >/dev/null 2>&1; echo $?)"
one_line_2 "history: sweep --history --dry-run" "$TMP/d.db" sweep --history "$TMP/d.db" --dry-run
for f in garbage foreign newer; do
	one_line_2 "history: reading the $f file" "$TMP/$f.db" hist "$TMP/$f.db"
done
one_line_2 "history: reading a missing file" "$TMP/none.db" hist "$TMP/none.db"
one_line_2 "history: --since garbage" "$TMP/h.db" hist "$TMP/h.db" --since yesterday
one_line_2 "history: --host garbage" "$TMP/h.db" hist "$TMP/h.db" --host 198.18.0.300
one_line_2 "history: two files" "$TMP/h.db" hist "$TMP/h.db" "$TMP/k.db"
one_line_2 "history: no file" "$TMP/h.db" hist
