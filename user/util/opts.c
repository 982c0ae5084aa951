/* opts.c - option tables: getopt_long parsing, generated help, saved state (opts.h). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/opts.h"
#include "util/parse.h"

#define VAL_BASE 256		/* getopt val of a long-only entry: VAL_BASE + index */
#define HELP_WIDTH 80
#define LEFT_MAX 24		/* longer option columns put their help on the next line */

static const char *const verbose_default =
	"more detail on stderr (repeat, or -vv, for libbpf's own messages)";

static int n_entries(const struct xs_cmd_opts *c)
{
	int n = 0;

	while (c->opts[n].type != XS_OPT_END)
		n++;
	return n;
}

static bool is_option(const struct xs_opt *o)
{
	return o->type != XS_OPT_SECTION && o->type != XS_OPT_END;
}

static bool takes_value(const struct xs_opt *o)
{
	return o->type != XS_OPT_FLAG && !(o->type == XS_OPT_FUNC && !o->arg);
}

static const char *help_cmd(const struct xs_cmd_opts *c)
{
	return c->help_cmd ? c->help_cmd : c->cmd;
}

static void cmd_warn(const struct xs_cmd_opts *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One line: "xsweep: CMD: ...". */
static void cmd_warn(const struct xs_cmd_opts *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_warn("%s: %s", c->cmd, msg);
}

/* ---- values ---------------------------------------------------------------------- */

static void fmt_ms(uint64_t ms, char *buf, size_t len)
{
	if (ms % 1000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else
		snprintf(buf, len, "%" PRIu64 "s", ms / 1000);
}

static int set_duration(const struct xs_opt *o, double *f, const char *arg, char *err,
			size_t errlen)
{
	uint64_t max_ms = o->max ? o->max : (uint64_t)(XS_DURATION_MAX_S * 1000);
	char lo[32], hi[32];
	double v;
	int rc;

	rc = xs_parse_duration(arg, &v);
	if (rc == -EINVAL) {
		snprintf(err, errlen, "--%s: '%s' is not a duration (e.g. 500ms, 2s, 1m, 1.5)",
			 o->name, arg);
		return rc;
	}
	if (!rc && (v * 1000 < (double)o->min || v * 1000 > (double)max_ms))
		rc = -ERANGE;
	if (rc) {
		fmt_ms(o->min, lo, sizeof(lo));
		fmt_ms(max_ms, hi, sizeof(hi));
		snprintf(err, errlen, "--%s: '%s' is out of range (%s to %s)", o->name, arg, lo, hi);
		return rc;
	}
	*f = v;
	return 0;
}

static int set_number(const struct xs_opt *o, void *field, const char *arg, char *err,
		      size_t errlen)
{
	uint64_t max = o->max, v;
	int rc;

	if (o->type == XS_OPT_UINT && (!max || max > UINT32_MAX))
		max = UINT32_MAX;
	else if (!max)
		max = UINT64_MAX;
	rc = xs_parse_u64(arg, o->min, max, &v);
	if (rc == -EINVAL)
		snprintf(err, errlen, "--%s: '%s' is not a whole number", o->name, arg);
	else if (rc)
		snprintf(err, errlen, "--%s: '%s' is out of range (%" PRIu64 " to %" PRIu64 ")",
			 o->name, arg, o->min, max);
	else if (o->type == XS_OPT_UINT)
		*(unsigned *)field = (unsigned)v;
	else
		*(uint64_t *)field = v;
	return rc;
}

static int set_enum(const struct xs_opt *o, int *field, const char *arg, char *err,
		    size_t errlen)
{
	size_t n;

	for (const struct xs_opt_choice *ch = o->choices; ch->name; ch++) {
		if (!strcmp(ch->name, arg)) {
			*field = ch->value;
			return 0;
		}
	}
	n = (size_t)snprintf(err, errlen, "--%s: '%s' is not one of", o->name, arg);
	for (const struct xs_opt_choice *ch = o->choices; ch->name && n < errlen; ch++)
		n += (size_t)snprintf(err + n, errlen - n, "%s %s", ch == o->choices ? "" : ",",
				      ch->name);
	return -EINVAL;
}

static int set_func(const struct xs_opt *o, void *obj, const char *arg, char *err,
		    size_t errlen)
{
	char why[384] = "";
	int rc = o->fn(obj, arg, why, sizeof(why));

	if (rc && *why)
		snprintf(err, errlen, "--%s: %s", o->name, why);
	else if (rc)
		snprintf(err, errlen, "--%s: '%s' is not valid", o->name, arg ? arg : "");
	return rc < 0 ? rc : rc ? -EINVAL : 0;
}

/* Store arg (NULL for options without a value) into obj per o; one line in err. */
static int set_value(const struct xs_opt *o, void *obj, const char *arg, char *err,
		     size_t errlen)
{
	void *field = (char *)obj + o->off;
	int rc;

	switch (o->type) {
	case XS_OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case XS_OPT_STRING:
		*(const char **)field = arg;
		return 0;
	case XS_OPT_UINT:
	case XS_OPT_U64:
		return set_number(o, field, arg, err, errlen);
	case XS_OPT_DURATION:
		return set_duration(o, field, arg, err, errlen);
	case XS_OPT_RATE:
		rc = xs_parse_rate(arg, field);
		if (rc == -EINVAL)
			snprintf(err, errlen, "--%s: '%s' is not a rate (e.g. 500, 20k, 1.5M, max)",
				 o->name, arg);
		else if (rc)
			snprintf(err, errlen, "--%s: '%s' is out of range (1 to 1000000000 per "
				 "second, or max)", o->name, arg);
		return rc;
	case XS_OPT_ENUM:
		return set_enum(o, field, arg, err, errlen);
	case XS_OPT_FUNC:
		return set_func(o, obj, arg, err, errlen);
	default:
		snprintf(err, errlen, "--%s: not an option", o->name);
		return -EINVAL;
	}
}

static const struct xs_opt *find_name(const struct xs_cmd_opts *c, const char *name,
				      size_t len)
{
	for (const struct xs_opt *o = c->opts; o->type != XS_OPT_END; o++)
		if (is_option(o) && strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

int xs_opts_set(const struct xs_cmd_opts *c, void *obj, const char *name,
		const char *value, char *err, size_t errlen)
{
	const struct xs_opt *o = find_name(c, name, strlen(name));

	if (!o) {
		snprintf(err, errlen, "unknown option '--%s'", name);
		return -ENOENT;
	}
	if (takes_value(o) && !value) {
		snprintf(err, errlen, "option '--%s' needs a value", name);
		return -EINVAL;
	}
	if (!takes_value(o) && value) {
		snprintf(err, errlen, "option '--%s' takes no value", name);
		return -EINVAL;
	}
	return set_value(o, obj, value, err, errlen);
}

/* ---- command line ---------------------------------------------------------------- */

static int val_of(const struct xs_cmd_opts *c, const struct xs_opt *o)
{
	return o->short_name ? o->short_name : VAL_BASE + (int)(o - c->opts);
}

static const struct xs_opt *find_val(const struct xs_cmd_opts *c, int val)
{
	for (const struct xs_opt *o = c->opts; o->type != XS_OPT_END; o++)
		if (is_option(o) && val_of(c, o) == val)
			return o;
	return NULL;
}

/* getopt_long's tables from ours; -h/--help and -v/--verbose come first. */
static void build(const struct xs_cmd_opts *c, struct option *lo, char *so)
{
	int n = 0;

	so += sprintf(so, ":hv");
	lo[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n++] = (struct option){ "verbose", no_argument, NULL, 'v' };
	for (const struct xs_opt *o = c->opts; o->type != XS_OPT_END; o++) {
		if (!is_option(o))
			continue;
		lo[n++] = (struct option){ o->name, takes_value(o) ? required_argument :
					   no_argument, NULL, val_of(c, o) };
		if (o->short_name)
			so += sprintf(so, "%c%s", o->short_name, takes_value(o) ? ":" : "");
	}
	lo[n] = (struct option){ 0 };
}

static void report_ambiguous(const struct xs_cmd_opts *c, const char *a, size_t len)
{
	char list[256] = "";
	size_t n = 0;
	int hits = 0;

	for (const struct xs_opt *o = c->opts; o->type != XS_OPT_END; o++) {
		if (!is_option(o) || strncmp(o->name, a + 2, len - 2))
			continue;
		hits++;
		if (n < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s--%s",
					      n ? ", " : "", o->name);
	}
	if (hits > 1)
		cmd_warn(c, "option '%.*s' is ambiguous (%s; see 'xsweep help %s')", (int)len, a,
			 list, help_cmd(c));
	else
		cmd_warn(c, "unknown option '%.*s' (see 'xsweep help %s')", (int)len, a,
			 help_cmd(c));
}

/* getopt_long returned '?' (opterr is 0: getopt printed nothing). */
static void report_bad_option(const struct xs_cmd_opts *c, char **argv)
{
	const char *a = argv[optind - 1];
	const struct xs_opt *o;

	if (optopt == 'h' || optopt == 'v') {
		cmd_warn(c, "option '--%s' takes no value", optopt == 'h' ? "help" : "verbose");
	} else if (optopt && (o = find_val(c, optopt))) {
		/* A known option without a value was given "--name=value". */
		cmd_warn(c, "option '--%s' takes no value", o->name);
	} else if (optopt) {
		cmd_warn(c, "unknown option '-%c' (see 'xsweep help %s')", optopt, help_cmd(c));
	} else if (!strncmp(a, "--", 2)) {
		report_ambiguous(c, a, strcspn(a, "="));
	} else {
		cmd_warn(c, "unknown option '%s' (see 'xsweep help %s')", a, help_cmd(c));
	}
}

static void report_missing_value(const struct xs_cmd_opts *c, char **argv)
{
	const struct xs_opt *o = find_val(c, optopt);

	if (o && (!o->short_name || !strncmp(argv[optind - 1], "--", 2)))
		cmd_warn(c, "option '--%s' needs a value", o->name);
	else
		cmd_warn(c, "option '-%c' needs a value", optopt);
}

static int check_args(const struct xs_cmd_opts *c, int argc, char **argv)
{
	int n = argc - optind;

	if (n < c->min_args) {
		cmd_warn(c, "missing %s (see 'xsweep help %s')",
			 c->args_name ? c->args_name : "argument", help_cmd(c));
		return XS_EXIT_ERROR;
	}
	if (c->max_args >= 0 && n > c->max_args) {
		cmd_warn(c, "unexpected argument '%s' (see 'xsweep help %s')",
			 argv[optind + c->max_args], help_cmd(c));
		return XS_EXIT_ERROR;
	}
	return XS_CONTINUE;
}

int xs_opts_parse(const struct xs_cmd_opts *c, void *obj, int argc, char **argv)
{
	int n = n_entries(c), ch;
	struct option lo[n + 3];
	char so[3 * n + 8], err[512];
	const struct xs_opt *o;

	build(c, lo, so);
	optind = 0;	/* glibc: full re-initialisation, so a second parse starts clean */
	opterr = 0;	/* our own one-line messages */
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (ch) {
		case 'h':
			xs_opts_usage(stdout, c);
			return XS_EXIT_OK;
		case 'v':
			xs_verbosity++;
			continue;
		case ':':
			report_missing_value(c, argv);
			return XS_EXIT_ERROR;
		case '?':
			report_bad_option(c, argv);
			return XS_EXIT_ERROR;
		}
		o = find_val(c, ch);
		if (!o || set_value(o, obj, optarg, err, sizeof(err))) {
			cmd_warn(c, "%s", o ? err : "internal error: option table");
			return XS_EXIT_ERROR;
		}
	}
	return check_args(c, argc, argv);
}

/* ---- help ------------------------------------------------------------------------ */

static void left_col(const struct xs_opt *o, char *buf, size_t len)
{
	char arg[128] = "";
	size_t n = 0;

	if (o->arg) {
		snprintf(arg, sizeof(arg), " %s", o->arg);
	} else if (o->type == XS_OPT_ENUM) {
		for (const struct xs_opt_choice *ch = o->choices; ch->name && n < sizeof(arg); ch++)
			n += (size_t)snprintf(arg + n, sizeof(arg) - n, "%c%s",
					      n ? '|' : ' ', ch->name);
	}
	if (o->short_name)
		snprintf(buf, len, "  -%c, --%s%s", o->short_name, o->name, arg);
	else
		snprintf(buf, len, "      --%s%s", o->name, arg);
}

/* Print text from column col, each '\n'-separated line word-wrapped at HELP_WIDTH;
 * the first line continues the current one.
 */
static void print_wrapped(FILE *out, const char *text, int col)
{
	int avail = HELP_WIDTH - col > 20 ? HELP_WIDTH - col : 20, used = 0;
	bool first_word = true;

	for (const char *p = text; *p;) {
		size_t w = strcspn(p, " \n");

		if (!first_word && used + 1 + (int)w > avail) {
			fprintf(out, "\n%*s", col, "");
			used = 0;
			first_word = true;
		}
		if (!first_word) {
			fputc(' ', out);
			used++;
		}
		fprintf(out, "%.*s", (int)w, p);
		used += (int)w;
		first_word = false;
		p += w;
		if (*p == '\n') {
			fprintf(out, "\n%*s", col, "");
			used = 0;
			first_word = true;
			p++;
		} else if (*p == ' ') {
			p++;
		}
	}
	fputc('\n', out);
}

static void print_entry(FILE *out, const char *left, const char *help, int col)
{
	int len = (int)strlen(left);

	if (len + 2 > col)
		fprintf(out, "%s\n%*s", left, col, "");
	else
		fprintf(out, "%-*s", col, left);
	print_wrapped(out, help ? help : "", col);
}

static int help_column(const struct xs_cmd_opts *c)
{
	int col = (int)strlen("  -v, --verbose");
	char left[192];

	for (const struct xs_opt *o = c->opts; o->type != XS_OPT_END; o++) {
		if (!is_option(o) || (o->flags & XS_OPT_HIDDEN))
			continue;
		left_col(o, left, sizeof(left));
		if ((int)strlen(left) > col && (int)strlen(left) <= LEFT_MAX)
			col = (int)strlen(left);
	}
	return col + 2;
}

void xs_opts_usage(FILE *out, const struct xs_cmd_opts *c)
{
	int col = help_column(c);
	char left[192];

	fprintf(out, "Usage: %s\n", c->usage);
	if (c->about)
		fprintf(out, "\n%s\n", c->about);
	fputc('\n', out);
	for (const struct xs_opt *o = c->opts; o->type != XS_OPT_END; o++) {
		if (o->type == XS_OPT_SECTION) {
			fprintf(out, "%s%s:\n", o == c->opts ? "" : "\n", o->help);
			continue;
		}
		if (o->flags & XS_OPT_HIDDEN)
			continue;
		left_col(o, left, sizeof(left));
		print_entry(out, left, o->help, col);
	}
	print_entry(out, "  -v, --verbose", c->verbose_help ? c->verbose_help : verbose_default,
		    col);
	print_entry(out, "  -h, --help", "this help", col);
	if (c->footer)
		fprintf(out, "\n%s\n", c->footer);
}

/* ---- saved state ----------------------------------------------------------------- */

/* Loaded strings live until exit; kept reachable here (no leak report). */
struct saved_str {
	struct saved_str *next;
	char s[];
};
static struct saved_str *saved_strs;

static const char *keep_str(const char *s)
{
	size_t len = strlen(s) + 1;
	struct saved_str *k = malloc(sizeof(*k) + len);

	if (!k)
		return NULL;
	memcpy(k->s, s, len);
	k->next = saved_strs;
	saved_strs = k;
	return k->s;
}

int xs_opts_save_value(FILE *f, const struct xs_opt *o, const char *value)
{
	if (value && strpbrk(value, "\r\n"))
		return -EINVAL;
	if (value)
		fprintf(f, "--%s %s\n", o->name, value);
	else
		fprintf(f, "--%s\n", o->name);
	return ferror(f) ? -EIO : 0;
}

/* Shortest decimal form that reads back as the same double. */
static void fmt_real(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, len, "%.17g", v);
}

static int save_one(FILE *f, const struct xs_opt *o, const void *obj)
{
	const void *field = (const char *)obj + o->off;
	char buf[64];

	switch (o->type) {
	case XS_OPT_FLAG:
		return *(const bool *)field ? xs_opts_save_value(f, o, NULL) : 0;
	case XS_OPT_STRING:
		field = *(const char *const *)field;
		return field ? xs_opts_save_value(f, o, field) : 0;
	case XS_OPT_UINT:
		snprintf(buf, sizeof(buf), "%u", *(const unsigned *)field);
		break;
	case XS_OPT_U64:
		snprintf(buf, sizeof(buf), "%" PRIu64, *(const uint64_t *)field);
		break;
	case XS_OPT_RATE:
		if (*(const double *)field == 0) {
			snprintf(buf, sizeof(buf), "max");
			break;
		}
		/* fall through */
	case XS_OPT_DURATION:
		fmt_real(*(const double *)field, buf, sizeof(buf));
		break;
	case XS_OPT_ENUM:
		for (const struct xs_opt_choice *ch = o->choices; ch->name; ch++)
			if (ch->value == *(const int *)field)
				return xs_opts_save_value(f, o, ch->name);
		return -EINVAL;
	case XS_OPT_FUNC:
		return o->save ? o->save(f, o, obj) : 0;
	default:
		return 0;
	}
	return xs_opts_save_value(f, o, buf);
}

int xs_opts_save(FILE *f, const struct xs_cmd_opts *c, const void *obj)
{
	int err;

	for (const struct xs_opt *o = c->opts; o->type != XS_OPT_END; o++) {
		if (!is_option(o) || !(o->flags & XS_OPT_SAVE))
			continue;
		err = save_one(f, o, obj);
		if (err)
			return err;
	}
	return 0;
}

int xs_opts_load_line(const struct xs_cmd_opts *c, void *obj, const char *line,
		      char *err, size_t errlen)
{
	size_t len = strcspn(line, "\r\n"), nlen;
	const struct xs_opt *o;
	char buf[4096];
	const char *value;

	if (strncmp(line, "--", 2) || len >= sizeof(buf)) {
		snprintf(err, errlen, "not a saved option: '%.*s'", (int)(len > 60 ? 60 : len),
			 line);
		return -ENOENT;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	nlen = strcspn(buf + 2, " ");
	o = find_name(c, buf + 2, nlen);
	if (!o || !(o->flags & XS_OPT_SAVE)) {
		snprintf(err, errlen, "not a saved option: '--%.*s'", (int)nlen, buf + 2);
		return -ENOENT;
	}
	value = buf[2 + nlen] ? buf + 3 + nlen : NULL;
	if (value && (o->type == XS_OPT_STRING || o->type == XS_OPT_FUNC) &&
	    !(value = keep_str(value))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	buf[2 + nlen] = '\0';
	return xs_opts_set(c, obj, buf + 2, value, err, errlen);
}

int xs_opts_load(FILE *f, const char *path, const struct xs_cmd_opts *c, void *obj)
{
	char line[4096], err[512];
	int n = 0, rc;

	while (fgets(line, sizeof(line), f)) {
		n++;
		if (line[strspn(line, " \t\r\n")] == '\0' || line[0] == '#')
			continue;
		rc = xs_opts_load_line(c, obj, line, err, sizeof(err));
		if (rc) {
			pr_warn("%s:%d: %s", path, n, err);
			return rc == -ENOENT ? -EINVAL : rc;
		}
	}
	if (ferror(f)) {
		pr_warn("%s: read error", path);
		return -EIO;
	}
	return 0;
}
