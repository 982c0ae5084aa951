/* opts.h - one option table per command: parsing, --help and saved state from one entry.
 *
 * A command describes its options once, as an array of struct xs_opt ending in
 * XS_OPTS_END, each entry naming a field of the command's options struct:
 *
 *	static const struct xs_opt mon_opts[] = {
 *		XS_STR("interface", 'i', struct mon_opts, ifname, "IFACE", "interface ..."),
 *		XS_DUR("interval", 0, struct mon_opts, interval_s, "D", "refresh period",
 *		       .min = 1),
 *		XS_OPTS_END
 *	};
 *
 * xs_opts_parse() builds getopt_long's tables from it (getopt's own conventions:
 * --name=value, --name value, -xVALUE, -x VALUE, clustered flags, unambiguous prefixes,
 * options and arguments in any order, "--" ends options); xs_opts_usage() prints the
 * help; xs_opts_save()/xs_opts_load() write and read back the entries flagged XS_OPT_SAVE
 * as "--name value" lines through the very same value parsers and limits.
 *
 * Every command also accepts -h/--help (help on stdout, exit 0) and -v/--verbose
 * (repeatable, -vv; raises xs_verbosity). Errors are one line on stderr:
 *	xsweep: CMD: --rate: 'abc' is not a rate (e.g. 500, 20k, 1.5M, max)
 *	xsweep: CMD: unknown option '--foo' (see 'xsweep help CMD')
 * and exit status 2.
 */
#ifndef XSWEEP_OPTS_H
#define XSWEEP_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* xs_opts_parse(): the command goes on (positional arguments start at optind). Any
 * other return value is the exit code to return at once (0 after --help, 2 after an
 * error line).
 */
#define XS_CONTINUE (-1)

enum xs_opt_type {
	XS_OPT_END = 0,		/* terminates a table */
	XS_OPT_SECTION,		/* a heading in --help (help is the heading), not an option */
	XS_OPT_FLAG,		/* bool = true; takes no value */
	XS_OPT_STRING,		/* const char * = the value (argv's, or a saved copy) */
	XS_OPT_UINT,		/* unsigned, decimal in [min, max] */
	XS_OPT_U64,		/* uint64_t, decimal in [min, max] */
	XS_OPT_DURATION,	/* double seconds; min/max in milliseconds (max 0: no limit
				 * beyond the parser's) */
	XS_OPT_RATE,		/* double packets per second, 0 for "max" */
	XS_OPT_ENUM,		/* int (or enum) = the value of the matching choice */
	XS_OPT_FUNC,		/* fn(obj, value) does the work; value NULL when arg is NULL */
};

/* Flags */
#define XS_OPT_SAVE	(1u << 0)	/* part of the saved state (xs_opts_save/load) */
#define XS_OPT_HIDDEN	(1u << 1)	/* accepted, not shown in --help (aliases) */

struct xs_opt_choice {
	const char *name;
	int value;
};

struct xs_opt {
	const char *name;		/* long name, without "--" */
	int short_name;			/* 'x', or 0 */
	enum xs_opt_type type;
	size_t off;			/* offset of the field in the command's options */
	const char *arg;		/* value placeholder in --help ("N", "D"); NULL for
					 * FLAG and argument-less FUNC; ENUM: generated if NULL */
	const char *help;		/* free text; '\n' breaks a line, long lines wrap */
	uint64_t min, max;		/* UINT/U64 limits; DURATION limits in ms */
	const struct xs_opt_choice *choices;	/* ENUM: ends with { NULL } */
	/* FUNC: 0, or -EINVAL/-ERANGE with err set to what follows "--name: " */
	int (*fn)(void *obj, const char *arg, char *err, size_t errlen);
	/* FUNC with XS_OPT_SAVE: write the current value(s) with xs_opts_save_value() */
	int (*save)(FILE *f, const struct xs_opt *o, const void *obj);
	unsigned flags;
};

struct xs_cmd_opts {
	const char *cmd;		/* "monitor", "iface list": message prefix */
	const char *help_cmd;		/* for "see 'xsweep help X'"; NULL: cmd */
	const char *usage;		/* synopsis, printed after "Usage: " */
	const char *about;		/* text between the synopsis and the options */
	const char *footer;		/* text after the options */
	const char *verbose_help;	/* what -v does here; NULL: the generic text */
	const struct xs_opt *opts;
	int min_args, max_args;		/* positional arguments; max_args < 0: no limit */
	const char *args_name;		/* named in "missing ARG" */
};

/* Entries. The field's type is checked at compile time (_Generic); extra designated
 * initialisers (.min = 1, .flags = XS_OPT_SAVE, ...) may follow the help text.
 */
#define XS_OFF_(T, f, type) _Generic(((T *)0)->f, type: offsetof(T, f))
#define XS_SECTION(title) { .type = XS_OPT_SECTION, .help = (title) }
#define XS_FLAG(n, s, T, f, h, ...) \
	{ .name = (n), .short_name = (s), .type = XS_OPT_FLAG, \
	  .off = XS_OFF_(T, f, bool), .help = (h), __VA_ARGS__ }
#define XS_STR(n, s, T, f, a, h, ...) \
	{ .name = (n), .short_name = (s), .type = XS_OPT_STRING, \
	  .off = XS_OFF_(T, f, const char *), .arg = (a), .help = (h), __VA_ARGS__ }
#define XS_UINT(n, s, T, f, a, lo, hi, h, ...) \
	{ .name = (n), .short_name = (s), .type = XS_OPT_UINT, \
	  .off = XS_OFF_(T, f, unsigned int), .arg = (a), .help = (h), \
	  .min = (lo), .max = (hi), __VA_ARGS__ }
#define XS_U64(n, s, T, f, a, lo, hi, h, ...) \
	{ .name = (n), .short_name = (s), .type = XS_OPT_U64, \
	  .off = XS_OFF_(T, f, uint64_t), .arg = (a), .help = (h), \
	  .min = (lo), .max = (hi), __VA_ARGS__ }
#define XS_DUR(n, s, T, f, a, h, ...) \
	{ .name = (n), .short_name = (s), .type = XS_OPT_DURATION, \
	  .off = XS_OFF_(T, f, double), .arg = (a), .help = (h), __VA_ARGS__ }
#define XS_RATE(n, s, T, f, a, h, ...) \
	{ .name = (n), .short_name = (s), .type = XS_OPT_RATE, \
	  .off = XS_OFF_(T, f, double), .arg = (a), .help = (h), __VA_ARGS__ }
#define XS_ENUM(n, s, T, f, a, ch, h, ...) \
	{ .name = (n), .short_name = (s), .type = XS_OPT_ENUM, \
	  .off = _Generic(((T *)0)->f, int: offsetof(T, f), unsigned int: offsetof(T, f)), \
	  .arg = (a), .choices = (ch), .help = (h), __VA_ARGS__ }
#define XS_FUNC(n, s, fun, a, h, ...) \
	{ .name = (n), .short_name = (s), .type = XS_OPT_FUNC, .fn = (fun), .arg = (a), \
	  .help = (h), __VA_ARGS__ }
#define XS_OPTS_END { .type = XS_OPT_END }

/* Parse argv (argv[0] is the command name) into obj; see XS_CONTINUE. */
int xs_opts_parse(const struct xs_cmd_opts *c, void *obj, int argc, char **argv);

/* The generated help: usage, about, the options (with -h and -v), footer. */
void xs_opts_usage(FILE *out, const struct xs_cmd_opts *c);

/* Set one option by long name as if "--name value" had been given (value NULL for a
 * flag). 0, or -ENOENT (no such option), -EINVAL/-ERANGE with one line in err.
 */
int xs_opts_set(const struct xs_cmd_opts *c, void *obj, const char *name,
		const char *value, char *err, size_t errlen);

/* Write every XS_OPT_SAVE entry as a "--name value" line ("--name" for a set flag;
 * nothing for an unset flag or a NULL string). 0 or -errno (-EINVAL: a value that
 * cannot be one line).
 */
int xs_opts_save(FILE *f, const struct xs_cmd_opts *c, const void *obj);
/* For FUNC save callbacks: one "--name value" line. */
int xs_opts_save_value(FILE *f, const struct xs_opt *o, const char *value);

/* One saved line ("--name value", trailing newline allowed) through the same parser as
 * the command line. Only XS_OPT_SAVE entries are accepted: -ENOENT for any other line
 * (the caller may own it), -EINVAL/-ERANGE with one line in err.
 */
int xs_opts_load_line(const struct xs_cmd_opts *c, void *obj, const char *line,
		      char *err, size_t errlen);
/* Every line of f (blank lines and '#' comments skipped) must be a saved option; the
 * first bad one is reported as "xsweep: PATH:LINE: ..." and gives -EINVAL/-ERANGE.
 */
int xs_opts_load(FILE *f, const char *path, const struct xs_cmd_opts *c, void *obj);

#endif
