#!/usr/bin/env bash
# test-iface.sh - `xsweep iface list|addr|status` against a namespace with known links.
#
# The namespace holds three veth pairs with chosen MACs, MTUs and addresses (192.0.2.0/24,
# 2001:db8::/32, IPv6 without DAD, no automatic link-local addresses):
#   v0/v0p  up, carrier; v0 has a secondary address and an alias label v0:1
#   v1      admin down;  v1p up but NO-CARRIER (its peer v1 is down)
#   v2/v2p  up, carrier, no addresses
# Every command's stdout, stderr and exit status are compared with full expected text.
# The ioctl and rtnetlink paths are compared inside it (test_iface agree), the
# interfaces' packet counters show that no command sent anything, and the host's own
# interface list must be unchanged at the end. Nothing is sent from the root namespace.
. "$(dirname "$0")/../lib.sh"
need_root iface

UNIT=$XSWEEP_TOP/build/tests/unit/test_iface
ERRF=$(mktemp)
on_exit rm -f "$ERRF"
host_links_before=$(ip -o link show | awk -F': ' '{print $2}')

ns_new iface || { not_ok "iface: create namespace"; exit 1; }
# No EUI-64 link-local addresses: the only IPv6 addresses are the ones added below.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.addr_gen_mode=1
# The kernel sends MLD reports when links come up, repeated within this interval (ms):
# keep it short so the links are quiet before the no-packet check below.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.mldv1_unsolicited_report_interval=10 \
	net.ipv6.conf.default.mldv2_unsolicited_report_interval=10
ip -n "$NS" link add v0 type veth peer name v0p		# v0p is index 2, v0 index 3
ip -n "$NS" link add v1 type veth peer name v1p		# v1p 4, v1 5
ip -n "$NS" link add v2 type veth peer name v2p		# v2p 6, v2 7
ip -n "$NS" link set v0 address 02:00:00:00:00:01 mtu 1400
ip -n "$NS" link set v0p address 02:00:00:00:00:02 mtu 1400
ip -n "$NS" link set v1 address 02:00:00:00:01:01 mtu 9000
ip -n "$NS" link set v1p address 02:00:00:00:01:02 mtu 1500
ip -n "$NS" link set v2 address 02:00:00:00:02:01 mtu 1280
ip -n "$NS" link set v2p address 02:00:00:00:02:02 mtu 1500
ip -n "$NS" addr add 192.0.2.1/24 dev v0
ip -n "$NS" addr add 192.0.2.5/24 dev v0				# secondary
ip -n "$NS" addr add 192.0.2.129/25 dev v0 label v0:1
ip -n "$NS" addr add 2001:db8:0:1::1/64 dev v0 nodad
ip -n "$NS" addr add fe80::1/64 dev v0 nodad
ip -n "$NS" addr add 192.0.2.2/24 dev v0p
ip -n "$NS" addr add 2001:db8:0:1::2/64 dev v0p nodad
ip -n "$NS" addr add 192.0.2.17/28 dev v1
ip -n "$NS" addr add 2001:db8:0:2::1/64 dev v1 nodad
ip -n "$NS" addr add 192.0.2.18/28 dev v1p
ip -n "$NS" addr add 2001:db8:0:2::2/64 dev v1p nodad
for l in v0 v0p v1p v2 v2p; do ip -n "$NS" link set "$l" up; done

# operstate is set asynchronously (linkwatch): wait for the expected states.
wait_state() {
	local i
	for ((i = 0; i < 50; i++)); do
		ip -n "$NS" -o link show dev "$1" | grep -q "state $2 " && return 0
		sleep 0.1
	done
	return 1
}
for l in v0 v0p v2 v2p; do check "iface: $l reaches operstate UP" wait_state "$l" UP; done
check "iface: v1p is NO-CARRIER (LOWERLAYERDOWN)" wait_state v1p LOWERLAYERDOWN

# Wait until the kernel's own packets (MLD reports) are over: counters unchanged for
# 1.2 s, so that the no-packet check below measures xsweep alone.
counters() { in_ns "$NS" sh -c 'cat /sys/class/net/*/statistics/[rt]x_packets' | tr '\n' ' '; }
prev=$(counters) quiet=0
for ((i = 0; i < 40 && quiet < 3; i++)); do
	sleep 0.4
	cur=$(counters)
	if [ "$cur" == "$prev" ]; then quiet=$((quiet + 1)); else quiet=0; fi
	prev=$cur
done
check_eq "iface: links quiet before the no-packet check" 3 "$quiet"
counters_before=$(counters)

# t NAME WANT_RC WANT_STDOUT WANT_STDERR ARGS... : run xsweep in the namespace.
t() {
	local name=$1 want_rc=$2 want_out=$3 want_err=$4 out rc
	shift 4
	out=$(in_ns "$NS" "$XSWEEP" "$@" 2>"$ERRF")
	rc=$?
	check_eq "iface: $name" "$(printf 'exit %s\n%s\n-- stderr:\n%s' "$want_rc" "$want_out" "$want_err")" \
		"$(printf 'exit %s\n%s\n-- stderr:\n%s' "$rc" "$out" "$(<"$ERRF")")"
}

# ---- list ----
t "list: table" 0 "\
IDX  NAME  ADMIN  OPER            CARRIER    MTU  MAC                ADDRESSES
  1  lo    up     unknown         yes      65536  00:00:00:00:00:00  127.0.0.1/8
                                                                     ::1/128
  2  v0p   up     up              yes       1400  02:00:00:00:00:02  192.0.2.2/24
                                                                     2001:db8:0:1::2/64
  3  v0    up     up              yes       1400  02:00:00:00:00:01  192.0.2.1/24
                                                                     192.0.2.129/25 label v0:1
                                                                     192.0.2.5/24 secondary
                                                                     2001:db8:0:1::1/64
                                                                     fe80::1/64
  4  v1p   up     lowerlayerdown  no        1500  02:00:00:00:01:02  192.0.2.18/28
                                                                     2001:db8:0:2::2/64
  5  v1    down   down            no        9000  02:00:00:00:01:01  192.0.2.17/28
                                                                     2001:db8:0:2::1/64
  6  v2p   up     up              yes       1500  02:00:00:00:02:02  -
  7  v2    up     up              yes       1280  02:00:00:00:02:01  -" "" iface list

t "list --json" 0 '{
  "interfaces": [
    {
      "index": 1,
      "name": "lo",
      "admin_up": true,
      "operstate": "unknown",
      "carrier": true,
      "up": true,
      "mtu": 65536,
      "mac": "00:00:00:00:00:00",
      "flags": [
        "UP",
        "LOOPBACK",
        "RUNNING",
        "LOWER_UP"
      ],
      "addresses": [
        {
          "family": "inet",
          "address": "127.0.0.1",
          "prefixlen": 8,
          "scope": "host",
          "flags": [
            "permanent"
          ]
        },
        {
          "family": "inet6",
          "address": "::1",
          "prefixlen": 128,
          "scope": "host",
          "flags": [
            "permanent"
          ]
        }
      ]
    },
    {
      "index": 2,
      "name": "v0p",
      "admin_up": true,
      "operstate": "up",
      "carrier": true,
      "up": true,
      "mtu": 1400,
      "mac": "02:00:00:00:00:02",
      "flags": [
        "UP",
        "BROADCAST",
        "RUNNING",
        "MULTICAST",
        "LOWER_UP"
      ],
      "addresses": [
        {
          "family": "inet",
          "address": "192.0.2.2",
          "prefixlen": 24,
          "scope": "global",
          "flags": [
            "permanent"
          ]
        },
        {
          "family": "inet6",
          "address": "2001:db8:0:1::2",
          "prefixlen": 64,
          "scope": "global",
          "flags": [
            "nodad",
            "permanent"
          ]
        }
      ]
    },
    {
      "index": 3,
      "name": "v0",
      "admin_up": true,
      "operstate": "up",
      "carrier": true,
      "up": true,
      "mtu": 1400,
      "mac": "02:00:00:00:00:01",
      "flags": [
        "UP",
        "BROADCAST",
        "RUNNING",
        "MULTICAST",
        "LOWER_UP"
      ],
      "addresses": [
        {
          "family": "inet",
          "address": "192.0.2.1",
          "prefixlen": 24,
          "scope": "global",
          "flags": [
            "permanent"
          ]
        },
        {
          "family": "inet",
          "address": "192.0.2.129",
          "prefixlen": 25,
          "scope": "global",
          "flags": [
            "permanent"
          ],
          "label": "v0:1"
        },
        {
          "family": "inet",
          "address": "192.0.2.5",
          "prefixlen": 24,
          "scope": "global",
          "flags": [
            "secondary",
            "permanent"
          ]
        },
        {
          "family": "inet6",
          "address": "2001:db8:0:1::1",
          "prefixlen": 64,
          "scope": "global",
          "flags": [
            "nodad",
            "permanent"
          ]
        },
        {
          "family": "inet6",
          "address": "fe80::1",
          "prefixlen": 64,
          "scope": "link",
          "flags": [
            "nodad",
            "permanent"
          ]
        }
      ]
    },
    {
      "index": 4,
      "name": "v1p",
      "admin_up": true,
      "operstate": "lowerlayerdown",
      "carrier": false,
      "up": false,
      "mtu": 1500,
      "mac": "02:00:00:00:01:02",
      "flags": [
        "UP",
        "BROADCAST",
        "MULTICAST"
      ],
      "addresses": [
        {
          "family": "inet",
          "address": "192.0.2.18",
          "prefixlen": 28,
          "scope": "global",
          "flags": [
            "permanent"
          ]
        },
        {
          "family": "inet6",
          "address": "2001:db8:0:2::2",
          "prefixlen": 64,
          "scope": "global",
          "flags": [
            "nodad",
            "permanent"
          ]
        }
      ]
    },
    {
      "index": 5,
      "name": "v1",
      "admin_up": false,
      "operstate": "down",
      "carrier": false,
      "up": false,
      "mtu": 9000,
      "mac": "02:00:00:00:01:01",
      "flags": [
        "BROADCAST",
        "MULTICAST"
      ],
      "addresses": [
        {
          "family": "inet",
          "address": "192.0.2.17",
          "prefixlen": 28,
          "scope": "global",
          "flags": [
            "permanent"
          ]
        },
        {
          "family": "inet6",
          "address": "2001:db8:0:2::1",
          "prefixlen": 64,
          "scope": "global",
          "flags": [
            "nodad",
            "permanent"
          ]
        }
      ]
    },
    {
      "index": 6,
      "name": "v2p",
      "admin_up": true,
      "operstate": "up",
      "carrier": true,
      "up": true,
      "mtu": 1500,
      "mac": "02:00:00:00:02:02",
      "flags": [
        "UP",
        "BROADCAST",
        "RUNNING",
        "MULTICAST",
        "LOWER_UP"
      ],
      "addresses": [
      ]
    },
    {
      "index": 7,
      "name": "v2",
      "admin_up": true,
      "operstate": "up",
      "carrier": true,
      "up": true,
      "mtu": 1280,
      "mac": "02:00:00:00:02:01",
      "flags": [
        "UP",
        "BROADCAST",
        "RUNNING",
        "MULTICAST",
        "LOWER_UP"
      ],
      "addresses": [
      ]
    }
  ]
}' "" iface list --json

# SIOCGIFCONF sees only IPv4 address labels: no v2/v2p, and v0:1 as its own name.
t "list --ioctl" 0 "\
IDX  NAME  ADMIN  RUNNING    MTU  MAC                IPV4
  1  lo    up     yes      65536  00:00:00:00:00:00  127.0.0.1/8
  2  v0p   up     yes       1400  02:00:00:00:00:02  192.0.2.2/24
  3  v0    up     yes       1400  02:00:00:00:00:01  192.0.2.1/24
                                                     192.0.2.5
  3  v0:1  up     yes       1400  02:00:00:00:00:01  192.0.2.129/25
  4  v1p   up     no        1500  02:00:00:00:01:02  192.0.2.18/28
  5  v1    down   no        9000  02:00:00:00:01:01  192.0.2.17/28" "" iface list --ioctl

t "list --ioctl --json (down link)" 0 '{
  "source": "ioctl",
  "interfaces": [
    {
      "index": 1,
      "name": "lo",
      "admin_up": true,
      "running": true,
      "mtu": 65536,
      "mac": "00:00:00:00:00:00",
      "flags": [
        "UP",
        "LOOPBACK",
        "RUNNING"
      ],
      "address": "127.0.0.1",
      "prefixlen": 8,
      "conf_addresses": [
        "127.0.0.1"
      ]
    },
    {
      "index": 2,
      "name": "v0p",
      "admin_up": true,
      "running": true,
      "mtu": 1400,
      "mac": "02:00:00:00:00:02",
      "flags": [
        "UP",
        "BROADCAST",
        "RUNNING",
        "MULTICAST"
      ],
      "address": "192.0.2.2",
      "prefixlen": 24,
      "conf_addresses": [
        "192.0.2.2"
      ]
    },
    {
      "index": 3,
      "name": "v0",
      "admin_up": true,
      "running": true,
      "mtu": 1400,
      "mac": "02:00:00:00:00:01",
      "flags": [
        "UP",
        "BROADCAST",
        "RUNNING",
        "MULTICAST"
      ],
      "address": "192.0.2.1",
      "prefixlen": 24,
      "conf_addresses": [
        "192.0.2.1",
        "192.0.2.5"
      ]
    },
    {
      "index": 3,
      "name": "v0:1",
      "admin_up": true,
      "running": true,
      "mtu": 1400,
      "mac": "02:00:00:00:00:01",
      "flags": [
        "UP",
        "BROADCAST",
        "RUNNING",
        "MULTICAST"
      ],
      "address": "192.0.2.129",
      "prefixlen": 25,
      "conf_addresses": [
        "192.0.2.129"
      ]
    },
    {
      "index": 4,
      "name": "v1p",
      "admin_up": true,
      "running": false,
      "mtu": 1500,
      "mac": "02:00:00:00:01:02",
      "flags": [
        "UP",
        "BROADCAST",
        "MULTICAST"
      ],
      "address": "192.0.2.18",
      "prefixlen": 28,
      "conf_addresses": [
        "192.0.2.18"
      ]
    },
    {
      "index": 5,
      "name": "v1",
      "admin_up": false,
      "running": false,
      "mtu": 9000,
      "mac": "02:00:00:00:01:01",
      "flags": [
        "BROADCAST",
        "MULTICAST"
      ],
      "address": "192.0.2.17",
      "prefixlen": 28,
      "conf_addresses": [
        "192.0.2.17"
      ]
    }
  ]
}' "" iface list --ioctl --json

# ---- the two paths agree (names, index, flags, MTU, MAC, primary and all IPv4) ----
agree=$(in_ns "$NS" "$UNIT" agree 2>&1)
agree_rc=$?
echo "$agree" | sed 's/^\(ok\|not ok\) - agree: /\1 - iface: netlink vs ioctl in namespace: /'
check_eq "iface: netlink vs ioctl comparison ran over all 7 links" 7 \
	"$(echo "$agree" | grep -c '^ok - agree: .*: ioctl knows the name')"
check_eq "iface: netlink vs ioctl comparison exit status" 0 "$agree_rc"

# ---- addr ----
t "addr v0" 0 "\
Interface [v0] --> IP: 192.0.2.1
Interface [v0] --> IP: 192.0.2.129
Interface [v0] --> IP: 192.0.2.5" "" iface addr v0
t "addr -6 v0" 0 "\
Interface [v0] --> IP: 192.0.2.1
Interface [v0] --> IP: 192.0.2.129
Interface [v0] --> IP: 192.0.2.5
Interface [v0] --> IPv6: 2001:db8:0:1::1
Interface [v0] --> IPv6: fe80::1" "" iface addr -6 v0
t "addr on an admin-down link still lists it" 0 "\
Interface [v1] --> IP: 192.0.2.17" "" iface addr v1
t "addr: link without address" 1 "\
Interface [v2] has no IPv4 address" "" iface addr v2
t "addr -6: link without address" 1 "\
Interface [v2] has no IPv4 or IPv6 address" "" iface addr v2 -6
t "addr --json" 0 '{
  "name": "v0p",
  "index": 2,
  "addresses": [
    {
      "family": "inet",
      "address": "192.0.2.2",
      "prefixlen": 24,
      "scope": "global",
      "flags": [
        "permanent"
      ]
    }
  ]
}' "" iface addr v0p --json
t "addr -6 --json" 0 '{
  "name": "v1p",
  "index": 4,
  "addresses": [
    {
      "family": "inet",
      "address": "192.0.2.18",
      "prefixlen": 28,
      "scope": "global",
      "flags": [
        "permanent"
      ]
    },
    {
      "family": "inet6",
      "address": "2001:db8:0:2::2",
      "prefixlen": 64,
      "scope": "global",
      "flags": [
        "nodad",
        "permanent"
      ]
    }
  ]
}' "" iface addr -6 --json v1p
t "addr --json: link without address" 1 '{
  "name": "v2",
  "index": 7,
  "addresses": [
  ]
}' "" iface addr v2 --json

# ---- status ----
t "status: up" 0 "Interface [v0] is: up" "" iface status v0
t "status: admin down" 1 "Interface [v1] is: down" "" iface status v1
t "status: no carrier" 1 "Interface [v1p] is: down" "" iface status v1p
t "status -v: up" 0 "Interface [v2] is: up (admin up, carrier, operstate up)" "" \
	-v iface status v2
t "status -v: lo (operstate unknown) is up" 0 \
	"Interface [lo] is: up (admin up, carrier, operstate unknown)" "" iface status lo -v
t "status -v: admin down reason" 1 \
	"Interface [v1] is: down (admin down, no carrier, operstate down)" "" iface status v1 -v
t "status -v: no carrier reason" 1 \
	"Interface [v1p] is: down (no carrier, operstate lowerlayerdown)" "" iface -v status v1p
t "status --json: no carrier" 1 '{
  "name": "v1p",
  "index": 4,
  "status": "down",
  "admin_up": true,
  "carrier": false,
  "operstate": "lowerlayerdown",
  "reasons": [
    "no carrier",
    "operstate lowerlayerdown"
  ]
}' "" iface status v1p --json
t "status --json: up" 0 '{
  "name": "v0",
  "index": 3,
  "status": "up",
  "admin_up": true,
  "carrier": true,
  "operstate": "up",
  "reasons": [
  ]
}' "" iface status --json v0

# ---- bad input ----
t "unknown interface (addr)" 2 "" "xsweep: no such interface 'nosuch0'" iface addr nosuch0
t "unknown interface (status)" 2 "" "xsweep: no such interface 'eth9'" iface status eth9
t "name longer than IFNAMSIZ-1 is rejected, not truncated" 2 "" \
	"xsweep: interface name 'v0aaaaaaaaaaaaaa' is too long: 16 characters, the limit is 15 (IFNAMSIZ-1)" \
	iface status v0aaaaaaaaaaaaaa
t "alias label is not an interface name" 2 "" \
	"xsweep: invalid interface name 'v0:1': ':' is not allowed" iface addr v0:1
t "missing interface name" 2 "" \
	"xsweep: iface addr: missing interface name (see 'xsweep help iface')" iface addr
t "missing subcommand" 2 "" \
	"xsweep: iface: missing subcommand (list, addr or status) (see 'xsweep help iface')" iface
t "unknown subcommand" 2 "" "xsweep: iface: unknown subcommand 'show' (see 'xsweep help iface')" \
	iface show
t "unknown option" 2 "" "xsweep: iface list: unknown option '--yaml' (see 'xsweep help iface')" \
	iface list --yaml
t "unknown short option" 2 "" "xsweep: iface status: unknown option '-x' (see 'xsweep help iface')" \
	iface status -x v0
t "extra argument" 2 "" "xsweep: iface status: unexpected argument 'v1' (see 'xsweep help iface')" \
	iface status v0 v1
t "-6 outside addr" 2 "" \
	"xsweep: iface status: option '-6' applies only to 'iface addr' (see 'xsweep help iface')" \
	iface status -6 v0
help=$(in_ns "$NS" "$XSWEEP" help iface 2>&1)
check_rc "iface: 'xsweep help iface' exits 0" 0 in_ns "$NS" "$XSWEEP" help iface
check_eq "iface: 'xsweep help iface' shows every subcommand's usage" \
	"Usage: xsweep iface list [--json] [--ioctl]
       xsweep iface addr IFNAME [-6] [--json]
       xsweep iface status IFNAME [--json]" "$(echo "$help" | head -3)"
check_eq "iface: 'iface --help' equals 'help iface'" "$help" "$(in_ns "$NS" "$XSWEEP" iface --help 2>&1)"

# ---- read-only: no packet left or entered any interface while xsweep ran ----
check_eq "iface: no packets sent (rx/tx counters of every link unchanged)" \
	"$counters_before" "$(counters)"

# ---- on the host: read-only listing, checked against iproute2's own list ----
host_names=$("$XSWEEP" iface list | awk 'NR > 1 && $1 ~ /^[0-9]+$/ {print $2}')
check_eq "iface: host list has the same interfaces as 'ip link'" \
	"$(ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}')" "$host_names"
check_rc "iface: host 'status lo' is up" 0 "$XSWEEP" iface status lo

_cleanup
trap - EXIT
check_eq "iface: host interfaces untouched, namespace gone" "$host_links_before" \
	"$(ip -o link show | awk -F': ' '{print $2}')"
check "iface: namespace deleted" bash -c "! ip netns list | grep -q '^$NS'"
