/* test_sweep_control.c - `xsweep sweep` control helpers: --rate parsing and the resume
 * state file (write, read back, reject damaged files). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <errno.h>
#include "util/parse.h"
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

/* A small option table standing in for the sweep's. */
struct st_opts {
	uint64_t seed;
	double rate, wait;
	unsigned fmt;
	bool inactive;
	const char *iface;
};
static const struct xs_opt_choice fmts[] = { { "text", 0 }, { "json", 1 }, { NULL, 0 } };
static const struct xs_opt st_tbl[] = {
	XS_U64("seed", 0, struct st_opts, seed, "N", 0, UINT64_MAX, "seed", .flags = XS_OPT_SAVE),
	XS_RATE("rate", 0, struct st_opts, rate, "PPS", "rate", .flags = XS_OPT_SAVE),
	XS_DUR("wait", 0, struct st_opts, wait, "D", "wait", .flags = XS_OPT_SAVE),
	XS_ENUM("output-format", 'O', struct st_opts, fmt, NULL, fmts, "fmt", .flags = XS_OPT_SAVE),
	XS_FLAG("inactive", 0, struct st_opts, inactive, "inactive", .flags = XS_OPT_SAVE),
	XS_STR("interface", 'i', struct st_opts, iface, "IF", "iface", .flags = XS_OPT_SAVE),
	XS_OPTS_END
};
static const struct xs_cmd_opts st_cmd = { .cmd = "test", .usage = "test", .opts = st_tbl };

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);

	fclose(f);
	buf[n] = '\0';
	return buf;
}

static int read_back(const char *path, struct st_opts *r, uint64_t *pos, uint64_t *end)
{
	struct xs_targets t = { 0 };
	int rc = xs_state_read(path, &st_cmd, r, pos, end, &t);

	xs_targets_free(&t);
	return rc;
}

static void test_state(void)
{
	char path[] = "/tmp/xs-state-XXXXXX", err[256], *text, *p;
	struct xs_targets t = { 0 }, t2 = { 0 };
	struct st_opts s = { .seed = 18446744073709551615ull, .rate = 2000, .wait = 0.25,
			     .fmt = 1, .inactive = true, .iface = "xs-scan" }, r = { 0 };
	uint64_t pos = 0, end = 0;
	int fd = mkstemp(path);

	close(fd);
	xs_targets_add(&t, "198.18.0.0/16", false, err, sizeof(err));
	xs_targets_add(&t, "198.19.1.0-198.19.1.9", false, err, sizeof(err));
	xs_targets_finalize(&t, NULL, NULL);
	CHECK(!xs_state_write(path, &st_cmd, &s, 12345, 65536, &t), "state file written");
	CHECK(!xs_state_read(path, &st_cmd, &r, &pos, &end, &t2), "state file read back");
	xs_targets_finalize(&t2, NULL, NULL);
	CHECK(r.seed == s.seed && pos == 12345 && end == 65536 && r.rate == 2000 &&
	      r.wait == 0.25 && r.fmt == 1 && r.inactive && r.iface && !strcmp(r.iface, "xs-scan"),
	      "every saved option, the position and the end survive the round trip");
	CHECK(t2.total == t.total && t2.n == t.n && !memcmp(t2.r, t.r, t.n * sizeof(t.r[0])),
	      "the target ranges survive the round trip (%llu targets)",
	      (unsigned long long)t2.total);
	xs_targets_free(&t2);

	text = strdup(slurp(path));
	p = strstr(text, "range 198.19.1.0-198.19.1.9\n");
	*p = '\0';
	put(path, text);
	CHECK(read_back(path, &r, &pos, &end) == -EINVAL, "a file cut short is refused");
	text = realloc(text, strlen(text) + 64);
	strcat(text, "range 198.19.1.0-198.19.1.9\n");
	put(path, text);
	CHECK(read_back(path, &r, &pos, &end) == -EINVAL,
	      "a file that lost its checksum line is refused");
	free(text);
	xs_state_write(path, &st_cmd, &s, 12345, 65536, &t);
	text = strdup(slurp(path));
	p = strstr(text, "--rate 2000");
	p[7] = '3';
	put(path, text);
	CHECK(read_back(path, &r, &pos, &end) == -EINVAL, "an edited value is refused");
	free(text);

	put(path, "something else\n");
	CHECK(read_back(path, &r, &pos, &end) == -EINVAL, "a file that is not a state file is refused");
	put(path, "xsweep-sweep-state 1\nseed 1\nshards 1\nshard 0\nposition 1\nend 4\n"
		  "range 198.18.0.0-198.18.0.3\n");
	CHECK(read_back(path, &r, &pos, &end) == -EINVAL, "a format-1 file is refused");
	s.rate = 0;
	xs_state_write(path, &st_cmd, &s, 5, 4, &t);
	CHECK(read_back(path, &r, &pos, &end) == -EINVAL, "position past the end is refused");
	CHECK(read_back("/nonexistent/x", &r, &pos, &end) != 0, "a missing state file is an error");
	unlink(path);
	xs_targets_free(&t);
}

int main(void)
{
	test_rate();
	test_state();
	UNIT_DONE();
}
