/* commands.h - the subcommand table: one do_<cmd>() and one usage_<cmd>() per command.
 *
 * Adding a command: implement both in user/cmd/<cmd>.c and add one line to cmds[] in
 * main.c. do_<cmd>() receives argv with argv[0] == "<cmd>" and returns an exit code
 * (XS_EXIT_* in util/log.h). Options come from one table per command (util/opts.h):
 *
 *	rc = xs_opts_parse(&foo_cmd, &o, argc, argv);
 *	if (rc != XS_CONTINUE)
 *		return rc;	(0 after --help, 2 after one error line)
 *
 * and usage_<cmd>() is xs_opts_usage(out, &foo_cmd).
 */
#ifndef XSWEEP_COMMANDS_H
#define XSWEEP_COMMANDS_H

#include <stdio.h>

struct xs_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *out);
	const char *summary;
};

int do_iface(int argc, char **argv);
void usage_iface(FILE *out);
int do_sweep(int argc, char **argv);
void usage_sweep(FILE *out);
int do_maps(int argc, char **argv);
void usage_maps(FILE *out);
int do_ping(int argc, char **argv);
void usage_ping(FILE *out);
int do_monitor(int argc, char **argv);
void usage_monitor(FILE *out);
int do_capture(int argc, char **argv);
void usage_capture(FILE *out);
int do_history(int argc, char **argv);
void usage_history(FILE *out);

#endif
