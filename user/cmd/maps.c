/* maps.c - `xsweep maps`: the sweep's pinned maps read back from bpffs, the same data
 * `bpftool map dump pinned /sys/fs/bpf/xsweep/<map>` prints, summed over CPUs.
 *
 * Pinned maps are whatever a path holds: each one's type, key and value sizes are
 * checked before it is read into our buffers. Pins whose owner record (util/owner.h)
 * names a process that is gone were left by a killed sweep or monitor: said in one
 * line ("stale: ..."), printed anyway, exit 1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "cmd/commands.h"
#include "scan/addr.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/opts.h"
#include "util/owner.h"
#include "util/percpu.h"
#include "xsweep.h"

struct maps_opts {
	const char *dir;
	unsigned hosts;
	bool ports, json;
};

/* --json: the document being built (NULL: text on stdout). */
struct out {
	struct json_object *doc;
	int64_t wall_minus_mono;	/* bpf_ktime_get_ns -> wall clock */
};

#define O struct maps_opts
static const struct xs_opt maps_table[] = {
	XS_STR("dir", 'd', O, dir, "DIR", "pin directory (default " XS_PIN_DIR ")"),
	XS_UINT("hosts", 'n', O, hosts, "N", 0, 1u << 24, "hosts to list (default 20)"),
	XS_FLAG("ports", 'p', O, ports,
		"also list the open ports a TCP SYN sweep found (the ports map)"),
	XS_FLAG("json", 0, O, json,
		"one JSON object instead: stats, rtt_hist, hosts (and ports), addresses as text, "
		"times in the timestamp style of every JSON output"),
	XS_OPTS_END
};
#undef O

static const struct xs_cmd_opts maps_cmd = {
	.cmd = "maps",
	.usage = "xsweep maps [--dir DIR] [--hosts N] [--ports] [--json]",
	.about = "Print the sweep's counters, RTT histogram and answering hosts from the maps pinned\n"
		 "under " XS_PIN_DIR "/ (present while a sweep runs, or after one run with\n"
		 "--keep-maps).",
	.footer = "Exit status: 1 when pins are stale, left by a sweep or monitor that was killed\n"
		  "('stale: DIR pinned by pid N which is gone'; the sweep's counters are printed\n"
		  "anyway); else 2 on error, 0.",
	.opts = maps_table,
	.max_args = 0,
};

void usage_maps(FILE *out)
{
	xs_opts_usage(out, &maps_cmd);
}

static const char *const stat_names[] = {
	"rx_packets", "rx_not_ours", "rx_malformed", "rx_valid", "rx_bad_cookie",
	"rx_wrong_src", "rx_duplicate", "ev_lost", "rx_late",
};
_Static_assert(sizeof(stat_names) / sizeof(stat_names[0]) == sizeof(struct xs_stats) / 8,
	       "one name per counter");

/* The pinned map dir/name if it has the expected shape, or -errno (reported). */
static int open_pin(const char *dir, const char *name, __u32 type, __u32 ksz, __u32 vsz)
{
	char path[512];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		pr_warn("cannot open %s: %s (is a sweep running, or was --keep-maps used?)", path,
			strerror(-err));
		return err;
	}
	err = xs_map_check(fd, type, ksz, vsz);
	/* A sweep's hosts and ports maps are plain hashes up to XS_HOSTS_EXACT_MAX targets. */
	if (err == -EINVAL && type == BPF_MAP_TYPE_LRU_HASH)
		err = xs_map_check(fd, BPF_MAP_TYPE_HASH, ksz, vsz);
	if (err) {
		if (err == -EINVAL)
			pr_warn("%s is not the sweep's '%s' map (type, key or value size differ)",
				path, name);
		else
			pr_warn("cannot inspect %s: %s", path, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

static struct json_object *u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static int print_stats(const char *dir, struct out *out)
{
	__u64 sum[sizeof(struct xs_stats) / 8];
	int fd, err;

	fd = open_pin(dir, "stats", BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32), sizeof(sum));
	if (fd < 0)
		return fd;
	err = xs_percpu_sum(fd, 0, sum, sizeof(sum));
	close(fd);
	if (err) {
		pr_warn("reading stats: %s", strerror(-err));
		return err;
	}
	if (out->doc) {
		struct json_object *o = json_object_new_object();

		for (size_t k = 0; k < sizeof(sum) / 8; k++)
			json_object_object_add(o, stat_names[k], u64(sum[k]));
		json_object_object_add(out->doc, "stats", o);
		return 0;
	}
	printf("stats:\n");
	for (size_t k = 0; k < sizeof(sum) / 8; k++)
		printf("  %-14s %llu\n", stat_names[k], (unsigned long long)sum[k]);
	return 0;
}

/* One non-empty histogram slot: [lo, hi) microseconds, n replies. */
static void rtt_slot(struct out *out, struct json_object *arr, __u64 lo, __u64 hi, __u64 n)
{
	struct json_object *o;

	if (!out->doc) {
		printf("  [%llu, %llu) %llu\n", (unsigned long long)lo, (unsigned long long)hi,
		       (unsigned long long)n);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "from_us", u64(lo));
	json_object_object_add(o, "to_us", u64(hi));
	json_object_object_add(o, "replies", u64(n));
	json_object_array_add(arr, o);
}

static int print_rtt(const char *dir, struct out *out)
{
	int fd = open_pin(dir, "rtt_hist", BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
			  sizeof(__u64));
	struct json_object *arr = out->doc ? json_object_new_array() : NULL;

	if (fd < 0)
		return fd;
	if (!out->doc)
		printf("rtt_hist (microseconds):\n");
	for (__u32 slot = 0; slot < XS_RTT_SLOTS; slot++) {
		__u64 n;

		if (xs_percpu_sum(fd, slot, &n, sizeof(n)))
			break;
		if (n)
			rtt_slot(out, arr, slot ? 1ull << slot : 0ull, 1ull << (slot + 1), n);
	}
	if (arr)
		json_object_object_add(out->doc, "rtt_hist", arr);
	close(fd);
	return 0;
}

/* A hosts map entry as JSON: address (and port), round, replies, RTT, last reply. */
static struct json_object *host_json(const struct out *out, const struct xs_target *k,
				     const struct xs_host *h)
{
	struct json_object *o = json_object_new_object();
	char a[XS_IP_STRLEN], ts[40], num[32];

	json_object_object_add(o, "addr", json_object_new_string(xs_ip_str(&k->ip, a, sizeof(a))));
	if (k->port)
		json_object_object_add(o, "port", json_object_new_int(k->port));
	json_object_object_add(o, "round", u64(h->round));
	json_object_object_add(o, "replies", u64(h->replies));
	snprintf(num, sizeof(num), "%.3f", h->rtt_ns / 1000.0);
	json_object_object_add(o, "rtt_us", json_object_new_double_s(h->rtt_ns / 1000.0, num));
	xs_fmt_timestamp((uint64_t)((int64_t)h->last_ns + out->wall_minus_mono), ts, sizeof(ts));
	json_object_object_add(o, "last_seen", json_object_new_string(ts));
	return o;
}

static int print_hosts(const char *dir, unsigned max, struct out *out)
{
	struct json_object *arr = out->doc ? json_object_new_array() : NULL;
	struct xs_target key, next;
	__u32 shown = 0, total = 0;
	char a[XS_IP_STRLEN];
	struct xs_host h;
	int fd;

	fd = open_pin(dir, "hosts", BPF_MAP_TYPE_LRU_HASH, sizeof(key), sizeof(h));
	if (fd < 0)
		return fd;
	if (!arr)
		printf("hosts (address round replies rtt_us):\n");
	for (int err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &key, &next)) {
		key = next;
		total++;
		if (shown >= max || bpf_map_lookup_elem(fd, &key, &h))
			continue;
		shown++;
		if (arr) {
			json_object_array_add(arr, host_json(out, &key, &h));
			continue;
		}
		xs_ip_str(&key.ip, a, sizeof(a));
		if (key.port)
			snprintf(a + strlen(a), sizeof(a) - strlen(a), ":%u", key.port);
		printf("  %-15s %u %u %.1f\n", a, h.round, h.replies, h.rtt_ns / 1000.0);
	}
	if (arr) {
		json_object_object_add(out->doc, "hosts", arr);
		json_object_object_add(out->doc, "hosts_in_map", u64(total));
	} else {
		printf("  (%u hosts in the map, %u shown)\n", total, shown);
	}
	close(fd);
	return 0;
}

static struct json_object *port_json(const char *addr, unsigned port, uint64_t replies)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "addr", json_object_new_string(addr));
	json_object_object_add(o, "port", json_object_new_int((int)port));
	json_object_object_add(o, "replies", u64(replies));
	return o;
}

/* The ports map: open ports (SYN-ACKs) per address, "ADDR PORT replies". */
static int print_ports(const char *dir, struct out *out)
{
	struct json_object *arr = out->doc ? json_object_new_array() : NULL;
	struct xs_target key, next;
	char a[XS_IP_STRLEN];
	struct xs_port p;
	__u32 total = 0;
	int fd;

	fd = open_pin(dir, "ports", BPF_MAP_TYPE_LRU_HASH, sizeof(key), sizeof(p));
	if (fd < 0)
		return fd;
	if (!arr)
		printf("ports (address port replies):\n");
	for (int err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &key, &next)) {
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &p))
			continue;
		total++;
		xs_ip_str(&key.ip, a, sizeof(a));
		if (arr)
			json_object_array_add(arr, port_json(a, key.port, p.replies));
		else
			printf("  %-15s %5u %llu\n", a, key.port, (unsigned long long)p.replies);
	}
	if (arr)
		json_object_object_add(out->doc, "ports", arr);
	else
		printf("  (%u open ports)\n", total);
	close(fd);
	return 0;
}

/* 1 when dir's owner record names a process that is gone (said once), else 0 (a
 * running owner, pins kept on purpose, or no record: pins of an older xsweep). */
static int stale_pins(const char *dir)
{
	struct xs_owner ow;
	int err = xs_owner_read(dir, &ow);

	if (err) {
		if (err != -ENOENT)
			pr_warn("%s/owner: %s", dir, err == -EINVAL ? "not an owner record" :
				strerror(-err));
		return 0;
	}
	if (!xs_owner_stale(&ow))
		return 0;
	pr_warn("stale: %s pinned by pid %u which is gone (killed before it removed them; "
		"the next run replaces them)", dir, ow.pid);
	return 1;
}

int do_maps(int argc, char **argv)
{
	struct maps_opts o = { .dir = XS_PIN_DIR, .hosts = 20 };
	struct out out = { .wall_minus_mono = xs_mono_to_wall_offset() };
	int rc, stale;

	rc = xs_opts_parse(&maps_cmd, &o, argc, argv);
	if (rc != XS_CONTINUE)
		return rc;
	stale = stale_pins(o.dir);
	if (!strcmp(o.dir, XS_PIN_DIR))
		stale |= stale_pins(XS_MON_PIN_DIR);
	if (o.json) {
		out.doc = json_object_new_object();
		json_object_object_add(out.doc, "stale", json_object_new_boolean(stale));
	}
	rc = XS_EXIT_ERROR;
	if (print_stats(o.dir, &out) || print_rtt(o.dir, &out) ||
	    print_hosts(o.dir, o.hosts, &out) || (o.ports && print_ports(o.dir, &out)))
		goto out;
	if (out.doc)
		printf("%s\n", json_object_to_json_string_ext(out.doc, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED));
	rc = XS_EXIT_OK;
out:
	json_object_put(out.doc);
	return stale ? XS_EXIT_NEGATIVE : rc;
}
