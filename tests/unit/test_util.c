/* test_util.c - the shared helpers: numeric value parsing (one set of rules), option
 * tables (getopt conventions, one-line errors, generated help, saved state round trip)
 * and the clocks. No kernel, no network.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/opts.h"
#include "util/parse.h"

/* ---- parse.c ---------------------------------------------------------------------- */

static void test_parse_u64(void)
{
	static const char *const bad[] = { "", "+5", "-1", " 5", "5 ", "0x10", "1e3", "abc",
					   "1.0", "5k", "nan", "inf", "- 1", "\t5" };
	uint64_t v = 7;

	CHECK(!xs_parse_u64("0", 0, 10, &v) && v == 0, "u64: 0");
	CHECK(!xs_parse_u64("42", 0, 100, &v) && v == 42, "u64: 42");
	CHECK(!xs_parse_u64("007", 0, 100, &v) && v == 7, "u64: leading zeros are decimal");
	CHECK(!xs_parse_u64("18446744073709551615", 0, UINT64_MAX, &v) && v == UINT64_MAX,
	      "u64: 2^64-1");
	CHECK(xs_parse_u64("18446744073709551616", 0, UINT64_MAX, &v) == -ERANGE,
	      "u64: 2^64 is out of range");
	CHECK(xs_parse_u64("99999999999", 0, 1u << 24, &v) == -ERANGE, "u64: above max");
	CHECK(xs_parse_u64("0", 1, 10, &v) == -ERANGE, "u64: below min");
	CHECK(!xs_parse_u64("10", 1, 10, &v) && v == 10, "u64: max itself accepted");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		CHECK(xs_parse_u64(bad[i], 0, UINT64_MAX, &v) == -EINVAL && v == 7,
		      "u64: '%s' refused, output untouched", bad[i]);
	}
	CHECK(xs_parse_u64(NULL, 0, 1, &v) == -EINVAL, "u64: NULL refused");
}

static void test_parse_uint(void)
{
	unsigned u = 3;

	CHECK(!xs_parse_uint("4294967295", 0, UINT32_MAX, &u) && u == UINT32_MAX, "uint: 2^32-1");
	CHECK(xs_parse_uint("4294967296", 0, UINT32_MAX, &u) == -ERANGE, "uint: 2^32 refused");
	CHECK(xs_parse_uint("256", 1, 255, &u) == -ERANGE, "uint: above max");
	CHECK(xs_parse_uint("-5", 0, 255, &u) == -EINVAL, "uint: sign refused");
}

static void test_parse_duration(void)
{
	static const char *const bad[] = { "", "nan", "NaN", "inf", "infinity", "+5", "-1", "-0",
					   " 5", "5 ", "0x10", "0x1p3", "2d", "5sec", "ms", ".",
					   "1e", "5 s", "1,5", "abc" };
	double d = 9;

	CHECK(!xs_parse_duration("500ms", &d) && d == 0.5, "duration: 500ms");
	CHECK(!xs_parse_duration("2s", &d) && d == 2, "duration: 2s");
	CHECK(!xs_parse_duration("1m", &d) && d == 60, "duration: 1m");
	CHECK(!xs_parse_duration("1h", &d) && d == 3600, "duration: 1h");
	CHECK(!xs_parse_duration("1.5", &d) && d == 1.5, "duration: plain seconds 1.5");
	CHECK(!xs_parse_duration(".5", &d) && d == 0.5, "duration: .5");
	CHECK(!xs_parse_duration("0", &d) && d == 0, "duration: 0");
	CHECK(!xs_parse_duration("1e3", &d) && d == 1000, "duration: exponent 1e3");
	CHECK(!xs_parse_duration("10000000", &d) && d == 1e7, "duration: 1e7 s is the limit");
	CHECK(xs_parse_duration("10000001", &d) == -ERANGE, "duration: above 1e7 s");
	CHECK(xs_parse_duration("2778h", &d) == -ERANGE, "duration: 2778h above the limit");
	CHECK(xs_parse_duration("1e400", &d) == -ERANGE, "duration: 1e400 out of range");
	CHECK(xs_parse_duration("1e-400", &d) == -ERANGE, "duration: 1e-400 out of range");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = 9;
		CHECK(xs_parse_duration(bad[i], &d) == -EINVAL && d == 9,
		      "duration: '%s' refused, output untouched", bad[i]);
	}
	CHECK(xs_parse_duration(NULL, &d) == -EINVAL, "duration: NULL refused");
}

static void test_parse_mac(void)
{
	uint8_t m[6] = { 9, 9, 9, 9, 9, 9 };

	CHECK(!xs_parse_mac("aa:EC:d2:e4:6f:61", m) && m[0] == 0xaa && m[1] == 0xec && m[5] == 0x61,
	      "mac: aa:EC:d2:e4:6f:61");
	CHECK(!xs_parse_mac("2:0:0:0:0:1", m) && m[0] == 2 && m[4] == 0 && m[5] == 1,
	      "mac: one-digit bytes");
	m[0] = 7;
	CHECK(xs_parse_mac("aa:bb:cc:dd:ee", m) == -EINVAL && m[0] == 7, "mac: five bytes refused, "
	      "nothing written");
	CHECK(xs_parse_mac("aa:bb:cc:dd:ee:ff:00", m) == -EINVAL, "mac: seven bytes refused");
	CHECK(xs_parse_mac("aa:bb:cc:dd:ee:fff", m) == -EINVAL, "mac: three digits refused");
	CHECK(xs_parse_mac("aa-bb-cc-dd-ee-ff", m) == -EINVAL, "mac: '-' refused");
	CHECK(xs_parse_mac("aa:bb:cc:dd:ee:", m) == -EINVAL, "mac: empty last byte refused");
	CHECK(xs_parse_mac(":bb:cc:dd:ee:ff", m) == -EINVAL, "mac: empty first byte refused");
	CHECK(xs_parse_mac("", m) == -EINVAL, "mac: empty refused");
	CHECK(xs_parse_mac("aa:bb:cc:dd:ee:gg", m) == -EINVAL, "mac: non-hex refused");
}

static void test_parse_rate(void)
{
	static const char *const bad[] = { "", "nan", "inf", "+5", "-1", " 5", "5 ", "0x10",
					   "10x", "MAX", "Max", "5G", "1kk", "k" };
	double r = 9;

	CHECK(!xs_parse_rate("2000", &r) && r == 2000, "rate: 2000");
	CHECK(!xs_parse_rate("20k", &r) && r == 20000, "rate: 20k");
	CHECK(!xs_parse_rate("20K", &r) && r == 20000, "rate: 20K");
	CHECK(!xs_parse_rate("1.5M", &r) && r == 1.5e6, "rate: 1.5M");
	CHECK(!xs_parse_rate("1.5m", &r) && r == 1.5e6, "rate: 1.5m");
	CHECK(!xs_parse_rate("max", &r) && r == 0, "rate: max is 0");
	CHECK(!xs_parse_rate("1", &r) && r == 1, "rate: 1 is the minimum");
	CHECK(!xs_parse_rate("1000M", &r) && r == 1e9, "rate: 1e9 is the maximum");
	CHECK(xs_parse_rate("0", &r) == -ERANGE, "rate: 0 out of range");
	CHECK(xs_parse_rate("0.000001", &r) == -ERANGE, "rate: 0.000001 out of range");
	CHECK(xs_parse_rate("2e9", &r) == -ERANGE, "rate: 2e9 out of range");
	CHECK(xs_parse_rate("1e400", &r) == -ERANGE, "rate: 1e400 out of range");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = 9;
		CHECK(xs_parse_rate(bad[i], &r) == -EINVAL && r == 9,
		      "rate: '%s' refused, output untouched", bad[i]);
	}
}

/* ---- opts.c ----------------------------------------------------------------------- */

struct t_opts {
	const char *iface;
	bool once, keep;
	unsigned count;
	uint64_t big;
	double interval, rate;
	int mode;
	const char *excl[4];
	int nexcl;
};

enum { M_AUTO = 5, M_XDP = 7, M_PCAP = 9 };
static const struct xs_opt_choice modes[] = {
	{ "auto", M_AUTO }, { "xdp", M_XDP }, { "pcap", M_PCAP }, { NULL },
};

static int add_excl(void *obj, const char *arg, char *err, size_t errlen)
{
	struct t_opts *o = obj;

	if (!*arg) {
		snprintf(err, errlen, "an empty exclusion");
		return -EINVAL;
	}
	if (o->nexcl == 4)
		return -ERANGE;
	o->excl[o->nexcl++] = arg;
	return 0;
}

static int save_excl(FILE *f, const struct xs_opt *opt, const void *obj)
{
	const struct t_opts *o = obj;
	int err = 0;

	for (int i = 0; i < o->nexcl && !err; i++)
		err = xs_opts_save_value(f, opt, o->excl[i]);
	return err;
}

#define T struct t_opts
static const struct xs_opt t_table[] = {
	XS_SECTION("Where"),
	XS_STR("interface", 'i', T, iface, "IFACE", "interface to use", .flags = XS_OPT_SAVE),
	XS_STR("iface", 0, T, iface, "IFACE", "alias", .flags = XS_OPT_HIDDEN),
	XS_FUNC("exclude", 'x', add_excl, "ADDR", "leave ADDR out (repeatable)",
		.save = save_excl, .flags = XS_OPT_SAVE),
	XS_SECTION("How"),
	XS_FLAG("once", '1', T, once, "one round", .flags = XS_OPT_SAVE),
	XS_FLAG("keep", 0, T, keep, "keep things (not saved)"),
	XS_UINT("count", 'c', T, count, "N", 1, 1000, "how many", .flags = XS_OPT_SAVE),
	XS_U64("max-big", 0, T, big, "N", 0, 1u << 24, "a big number", .flags = XS_OPT_SAVE),
	XS_U64("max-other", 0, T, big, "N", 0, 0, "another"),
	XS_DUR("interval", 0, T, interval, "D", "refresh period; a long help text that has "
	       "to be wrapped because it does not fit in eighty columns at all", .min = 1,
	       .flags = XS_OPT_SAVE),
	XS_RATE("rate", 'r', T, rate, "PPS", "packets per second", .flags = XS_OPT_SAVE),
	XS_ENUM("mode", 0, T, mode, NULL, modes, "where", .flags = XS_OPT_SAVE),
	XS_OPTS_END
};
#undef T

static const struct xs_cmd_opts t_cmd = {
	.cmd = "t", .usage = "xsweep t [OPTIONS] [ARG]", .about = "A test command.",
	.footer = "The end.", .opts = t_table, .max_args = 1,
};

#define ARGV(...) ((char *[]){ "t", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "t", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, ...) xs_opts_parse(&t_cmd, (o), ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static char captured[8192];

/* Run a parse with fd (1 or 2) sent to a file; the output lands in captured[]. */
static int parse_captured(int fd, struct t_opts *o, int argc, char **argv)
{
	FILE *tmp = tmpfile();
	int saved, rc;
	size_t n;

	fflush(fd == 1 ? stdout : stderr);
	saved = dup(fd);
	dup2(fileno(tmp), fd);
	rc = xs_opts_parse(&t_cmd, o, argc, argv);
	fflush(fd == 1 ? stdout : stderr);
	dup2(saved, fd);
	close(saved);
	rewind(tmp);
	n = fread(captured, 1, sizeof(captured) - 1, tmp);
	captured[n] = '\0';
	fclose(tmp);
	return rc;
}

#define PARSE_ERR(o, ...) parse_captured(2, (o), ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

/* An error: exit code 2 and exactly the line expected on stderr. */
#define BAD(line, ...)                                                                 \
	do {                                                                           \
		struct t_opts o_ = { 0 };                                              \
		int rc_ = PARSE_ERR(&o_, __VA_ARGS__);                                 \
		CHECK(rc_ == 2 && !strcmp(captured, line "\n"),                        \
		      "opts: %s -> exit 2, one line (rc %d, got: %.*s)", #__VA_ARGS__, rc_, \
		      (int)strcspn(captured, "\n"), captured);                        \
	} while (0)

static void test_opts_forms(void)
{
	struct t_opts o = { 0 };

	CHECK(PARSE(&o, "--interface=eth0") == XS_CONTINUE && !strcmp(o.iface, "eth0"),
	      "opts: --name=value");
	CHECK(PARSE(&o, "--interface", "eth1") == XS_CONTINUE && !strcmp(o.iface, "eth1"),
	      "opts: --name value");
	CHECK(PARSE(&o, "-i", "eth2") == XS_CONTINUE && !strcmp(o.iface, "eth2"),
	      "opts: -x value");
	CHECK(PARSE(&o, "-ieth3") == XS_CONTINUE && !strcmp(o.iface, "eth3"),
	      "opts: attached short value -xVALUE");
	CHECK(PARSE(&o, "--interf", "eth4") == XS_CONTINUE && !strcmp(o.iface, "eth4"),
	      "opts: unambiguous prefix of a long name");
	CHECK(PARSE(&o, "--iface", "eth5") == XS_CONTINUE && !strcmp(o.iface, "eth5"),
	      "opts: hidden alias parsed");
	CHECK(PARSE(&o, "-1c5") == XS_CONTINUE && o.once && o.count == 5,
	      "opts: clustered flag and attached value -1c5");
	CHECK(PARSE(&o, "--rate", "20k", "-r", "max") == XS_CONTINUE && o.rate == 0,
	      "opts: the last occurrence wins");
	CHECK(PARSE(&o, "--mode", "pcap") == XS_CONTINUE && o.mode == M_PCAP, "opts: enum value");
	CHECK(PARSE(&o, "--interval", "500ms") == XS_CONTINUE && o.interval == 0.5,
	      "opts: duration");
	CHECK(PARSE(&o, "--max-other", "18446744073709551615") == XS_CONTINUE &&
	      o.big == UINT64_MAX, "opts: u64 with max 0 takes the whole range");
	o.nexcl = 0;
	CHECK(PARSE(&o, "-x", "a", "--exclude=b", "-xc") == XS_CONTINUE && o.nexcl == 3 &&
	      !strcmp(o.excl[2], "c"), "opts: repeatable function option");
	o.nexcl = 0;
	CHECK(PARSE(&o, "--exclude", "-v") == XS_CONTINUE && o.nexcl == 1 &&
	      !strcmp(o.excl[0], "-v"), "opts: --exclude -v: '-v' is the value");
}

static void test_opts_args_and_verbose(void)
{
	struct t_opts o = { 0 };
	char **av = ARGV("pos", "-i", "e");
	int v0 = xs_verbosity;

	CHECK(xs_opts_parse(&t_cmd, &o, 4, av) == XS_CONTINUE && optind == 3 &&
	      !strcmp(av[optind], "pos") && !strcmp(o.iface, "e"),
	      "opts: options after an argument (permuted; argument at optind)");
	CHECK(PARSE(&o, "-vv") == XS_CONTINUE && xs_verbosity == v0 + 2, "opts: -vv counts 2");
	CHECK(PARSE(&o, "a", "--verbose", "-v") == XS_CONTINUE && xs_verbosity == v0 + 4,
	      "opts: --verbose and -v anywhere");
	av = ARGV("--", "-i");
	CHECK(xs_opts_parse(&t_cmd, &o, 3, av) == XS_CONTINUE && !strcmp(av[optind], "-i"),
	      "opts: '--' ends the options");
	xs_verbosity = v0;
	BAD("xsweep: t: unexpected argument 'b' (see 'xsweep help t')", "a", "b");
}

static void test_opts_errors(void)
{
	BAD("xsweep: t: --interval: 'nan' is not a duration (e.g. 500ms, 2s, 1m, 1.5)",
	    "--interval", "nan");
	BAD("xsweep: t: --interval: '0' is out of range (1ms to 10000000s)", "--interval", "0");
	BAD("xsweep: t: --interval: '+5' is not a duration (e.g. 500ms, 2s, 1m, 1.5)",
	    "--interval=+5");
	BAD("xsweep: t: --rate: 'abc' is not a rate (e.g. 500, 20k, 1.5M, max)", "--rate", "abc");
	BAD("xsweep: t: --rate: '-1' is not a rate (e.g. 500, 20k, 1.5M, max)", "-r-1");
	BAD("xsweep: t: --rate: '0.000001' is out of range (1 to 1000000000 per second, or max)",
	    "-r", "0.000001");
	BAD("xsweep: t: --count: 'abc' is not a whole number", "--count", "abc");
	BAD("xsweep: t: --count: '-5' is not a whole number", "-c", "-5");
	BAD("xsweep: t: --count: '0' is out of range (1 to 1000)", "-c0");
	BAD("xsweep: t: --max-big: '99999999999' is out of range (0 to 16777216)",
	    "--max-big", "99999999999");
	BAD("xsweep: t: --mode: 'foo' is not one of auto, xdp, pcap", "--mode", "foo");
	BAD("xsweep: t: --exclude: an empty exclusion", "--exclude", "");
	BAD("xsweep: t: unknown option '--bogus' (see 'xsweep help t')", "--bogus");
	BAD("xsweep: t: unknown option '--bogus' (see 'xsweep help t')", "--bogus=1");
	BAD("xsweep: t: unknown option '-z' (see 'xsweep help t')", "-z");
	BAD("xsweep: t: unknown option '-z' (see 'xsweep help t')", "-1z");
	BAD("xsweep: t: option '--max' is ambiguous (--max-big, --max-other; see 'xsweep help t')",
	    "--max", "3");
	BAD("xsweep: t: option '--rate' needs a value", "--rate");
	BAD("xsweep: t: option '-i' needs a value", "-i");
	BAD("xsweep: t: option '--interface' needs a value", "--interf");
	BAD("xsweep: t: option '--once' takes no value", "--once=1");
	BAD("xsweep: t: option '--keep' takes no value", "--keep=yes");
	BAD("xsweep: t: option '--help' takes no value", "--help=1");
}

static void test_opts_help(void)
{
	struct t_opts o = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	xs_opts_usage(f, &t_cmd);
	fclose(f);
	CHECK(parse_captured(1, &o, 2, ARGV("--help")) == 0 && !strcmp(captured, buf),
	      "opts: --help prints the usage on stdout and returns 0");
	CHECK(parse_captured(1, &o, 3, ARGV("x", "-h")) == 0, "opts: -h after an argument");
	CHECK(!strncmp(buf, "Usage: xsweep t [OPTIONS] [ARG]\n\nA test command.\n\nWhere:\n", 57),
	      "help: usage, about, first section");
	CHECK(strstr(buf, "\n  -i, --interface IFACE  interface to use\n") &&
	      strstr(buf, "\n      --mode auto|xdp|pcap\n                         where\n") &&
	      strstr(buf, "\n  -1, --once             one round\n") &&
	      strstr(buf, "\n\nHow:\n"), "help: aligned entries, generated enum values, sections");
	CHECK(!strstr(buf, "--iface"), "help: hidden alias not shown");
	CHECK(strstr(buf, "\n  -v, --verbose          more detail") &&
	      strstr(buf, "\n  -h, --help             this help\n\nThe end.\n"),
	      "help: -v and -h from the library, then the footer");
	CHECK(strstr(buf, "--interval D       refresh period; a long help text that has to be "
		     "wrapped\n                         because"),
	      "help: long help wrapped at 80 columns");
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strcspn(l, "\n") > 80)
			CHECK(0, "help: line longer than 80 columns: %.40s", l);
	free(buf);
}

static void test_opts_save_load(void)
{
	struct t_opts a = { .iface = "veth 0", .once = true, .keep = true, .count = 7,
			    .big = 123456, .interval = 0.1, .rate = 0, .mode = M_XDP };
	struct t_opts b = { 0 };
	char *buf = NULL, err[512];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	add_excl(&a, "198.18.0.1", err, sizeof(err));
	add_excl(&a, "198.18.0.0/30", err, sizeof(err));
	CHECK(!xs_opts_save(f, &t_cmd, &a), "save: ok");
	fclose(f);
	CHECK(!strcmp(buf, "--interface veth 0\n--exclude 198.18.0.1\n--exclude 198.18.0.0/30\n"
		      "--once\n--count 7\n--max-big 123456\n--interval 0.1\n--rate max\n"
		      "--mode xdp\n"), "save: '--name value' lines, saved options only");
	f = fmemopen(buf, len, "r");
	rc = xs_opts_load(f, "state", &t_cmd, &b);
	fclose(f);
	CHECK(!rc && !strcmp(b.iface, "veth 0") && b.once && !b.keep && b.count == 7 &&
	      b.big == 123456 && b.interval == 0.1 && b.rate == 0 && b.mode == M_XDP &&
	      b.nexcl == 2 && !strcmp(b.excl[1], "198.18.0.0/30"), "load: round trip");
	free(buf);

	a.rate = 1234.5678;
	a.interval = 1.0 / 3;
	buf = NULL;
	f = open_memstream(&buf, &len);
	xs_opts_save(f, &t_cmd, &a);
	fclose(f);
	memset(&b, 0, sizeof(b));
	f = fmemopen(buf, len, "r");
	rc = xs_opts_load(f, "state", &t_cmd, &b);
	fclose(f);
	CHECK(!rc && b.rate == a.rate && b.interval == a.interval,
	      "load: doubles read back exactly");
	free(buf);

	CHECK(xs_opts_load_line(&t_cmd, &b, "--rate nan\n", err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "--rate: 'nan' is not a rate (e.g. 500, 20k, 1.5M, max)"),
	      "load: same value parser as the command line (%s)", err);
	CHECK(xs_opts_load_line(&t_cmd, &b, "--count 0", err, sizeof(err)) == -ERANGE,
	      "load: same limits as the command line");
	CHECK(xs_opts_load_line(&t_cmd, &b, "--count", err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "option '--count' needs a value"), "load: a cut line is refused");
	CHECK(xs_opts_load_line(&t_cmd, &b, "--keep", err, sizeof(err)) == -ENOENT,
	      "load: an option not flagged saved is not accepted");
	CHECK(xs_opts_load_line(&t_cmd, &b, "position 5", err, sizeof(err)) == -ENOENT,
	      "load: a line that is no option is left to the caller");
	CHECK(xs_opts_load_line(&t_cmd, &b, "--once yes", err, sizeof(err)) == -EINVAL,
	      "load: a flag with a value is refused");

	f = tmpfile();
	fputs("# comment\n\n--count 3\n--interval -1\n", f);
	rewind(f);
	fflush(stderr);
	{
		FILE *e = tmpfile();
		int saved = dup(2);
		size_t n;

		dup2(fileno(e), 2);
		rc = xs_opts_load(f, "/tmp/s", &t_cmd, &b);
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		rewind(e);
		n = fread(captured, 1, sizeof(captured) - 1, e);
		captured[n] = '\0';
		fclose(e);
	}
	fclose(f);
	CHECK(rc == -EINVAL && !strcmp(captured, "xsweep: /tmp/s:4: --interval: '-1' is not a "
				       "duration (e.g. 500ms, 2s, 1m, 1.5)\n"),
	      "load: one line naming file and line (got %.*s)", (int)strcspn(captured, "\n"),
	      captured);
}

static void test_clock(void)
{
	uint64_t m1 = xs_mono_ns(), w = xs_wall_ns();
	int64_t off = xs_mono_to_wall_offset();
	char b[32];

	CHECK(xs_mono_ns() >= m1 && xs_now_s() >= m1 / 1e9, "clock: monotonic");
	CHECK(llabs((long long)(m1 + off - w)) < 100000000, "clock: offset maps mono to wall");
	setenv("TZ", "UTC", 1);
	CHECK(!strcmp(xs_fmt_clock(3723004005006ull, 3, b, sizeof(b)), "01:02:03.004") &&
	      !strcmp(xs_fmt_clock(3723004005006ull, 6, b, sizeof(b)), "01:02:03.004005"),
	      "clock: HH:MM:SS.mmm and .uuuuuu");
}

int main(void)
{
	test_parse_u64();
	test_parse_uint();
	test_parse_duration();
	test_parse_rate();
	test_parse_mac();
	test_opts_forms();
	test_opts_args_and_verbose();
	test_opts_errors();
	test_opts_help();
	test_opts_save_load();
	test_clock();
	UNIT_DONE();
}
