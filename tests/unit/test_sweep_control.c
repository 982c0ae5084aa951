/* test_sweep_control.c - `xsweep sweep` control helpers: --rate parsing and the resume
 * state file (write, read back, reject damaged files). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/sweep.h"
#include "scan/sweep_state.h"
#include "scan/targets.h"
#include "unit.h"

static void test_rate(void)
{
	double r;

	CHECK(!xs_parse_rate("2000", &r) && r == 2000, "rate 2000");
	CHECK(!xs_parse_rate("20k", &r) && r == 20000, "rate 20k");
	CHECK(!xs_parse_rate("1.5M", &r) && r == 1500000, "rate 1.5M");
	CHECK(!xs_parse_rate("max", &r) && r == 0, "rate max = unlimited");
	CHECK(!xs_parse_rate("10", &r) && r == 10, "rate 10");
	CHECK(xs_parse_rate("0", &r) && xs_parse_rate("-5", &r) && xs_parse_rate("5x", &r) &&
	      xs_parse_rate("", &r) && xs_parse_rate("k", &r) && xs_parse_rate("nan", &r),
	      "rates 0, -5, 5x, empty, k, nan are rejected");
}

static void test_state(void)
{
	char path[] = "/tmp/xs-state-XXXXXX", err[256];
	struct xs_targets t = { 0 }, t2 = { 0 };
	struct xs_sweep_state s = {
		.seed = 18446744073709551615ull, .shards = 3, .shard = 2, .position = 12345,
		.end = 65536, .rate = 2000, .retries = 4, .ttl = 33, .wait_s = 0.25,
		.format = "json", .inactive = true, .iface = "xs-scan", .source = "192.0.2.1",
	}, r;
	int fd = mkstemp(path);
	FILE *f;

	close(fd);
	xs_targets_add(&t, "198.18.0.0/16", false, err, sizeof(err));
	xs_targets_add(&t, "198.19.1.0-198.19.1.9", false, err, sizeof(err));
	xs_targets_finalize(&t, NULL, NULL);
	CHECK(!xs_state_write(path, &s, &t), "state file written");
	CHECK(!xs_state_read(path, &r, &t2, err, sizeof(err)), "state file read back");
	xs_targets_finalize(&t2, NULL, NULL);
	CHECK(r.seed == s.seed && r.shards == 3 && r.shard == 2 && r.position == 12345 &&
	      r.end == 65536 && r.rate == 2000 && r.retries == 4 && r.ttl == 33 &&
	      r.wait_s == 0.25 && !strcmp(r.format, "json") && r.inactive &&
	      !strcmp(r.iface, "xs-scan") && !strcmp(r.source, "192.0.2.1"),
	      "every field survives the round trip");
	CHECK(t2.total == t.total && t2.n == t.n && !memcmp(t2.r, t.r, t.n * sizeof(t.r[0])),
	      "the target ranges survive the round trip (%llu targets)",
	      (unsigned long long)t2.total);
	xs_targets_free(&t2);

	f = fopen(path, "w");
	fprintf(f, "something else\n");
	fclose(f);
	memset(&t2, 0, sizeof(t2));
	CHECK(xs_state_read(path, &r, &t2, err, sizeof(err)) && strstr(err, "not an xsweep"),
	      "a file that is not a state file is refused: %s", err);
	xs_targets_free(&t2);

	f = fopen(path, "w");
	fprintf(f, "xsweep-sweep-state 1\nseed 1\nshards 2\nshard 5\nposition 1\nend 4\nrange 198.18.0.0-198.18.0.3\n");
	fclose(f);
	memset(&t2, 0, sizeof(t2));
	CHECK(xs_state_read(path, &r, &t2, err, sizeof(err)) && strstr(err, "inconsistent"),
	      "shard >= shards is refused: %s", err);
	xs_targets_free(&t2);
	CHECK(xs_state_read("/nonexistent/x", &r, &t2, err, sizeof(err)) != 0,
	      "a missing state file is an error: %s", err);
	unlink(path);
	xs_targets_free(&t);
}

int main(void)
{
	test_rate();
	test_state();
	UNIT_DONE();
}
