/* iface.h - the renderers behind `xsweep iface`: human tables, the lab's one-line
 * formats and JSON documents (json-c), from struct xs_link / struct xs_ioc_if.
 * Pure functions of their input, so unit tests feed them hand-built structs.
 */
#ifndef XSWEEP_IFACE_H
#define XSWEEP_IFACE_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "net/ifioctl.h"
#include "net/netlink.h"

/* `iface list`: one row per link, continuation rows for further addresses. */
void xs_iface_print_table(FILE *out, const struct xs_link *links, size_t n);
json_object *xs_iface_links_json(const struct xs_link *links, size_t n);
json_object *xs_iface_link_json(const struct xs_link *l);
json_object *xs_iface_addr_json(const struct xs_addr *a, const char *ifname);

/* `iface list --ioctl`. */
void xs_iface_print_ioc_table(FILE *out, const struct xs_ioc_if *v, size_t n);
json_object *xs_iface_ioc_json(const struct xs_ioc_if *v, size_t n);

/* `iface addr`: "Interface [eth0] --> IP: 10.0.2.15" per IPv4 address, and
 * "Interface [eth0] --> IPv6: 2001:db8::1" per IPv6 address when v6. Returns the number
 * of addresses printed; prints "Interface [eth0] has no IPv4 address" when none. */
size_t xs_iface_print_addrs(FILE *out, const struct xs_link *l, bool v6);
json_object *xs_iface_addrs_json(const struct xs_link *l, bool v6);

/* `iface status`: "Interface [eth0] is: up|down", with the facts or the reasons for
 * down in parentheses when verbose. */
void xs_iface_print_status(FILE *out, const struct xs_link *l, bool verbose);
json_object *xs_iface_status_json(const struct xs_link *l);

/* "admin down, no carrier, operstate down"; "" for 0. */
char *xs_fmt_down_reasons(unsigned int reasons, uint8_t operstate, char *buf, size_t len);

/* Pretty-print a document followed by a newline, then release it. */
void xs_json_print(FILE *out, json_object *doc);

#endif
