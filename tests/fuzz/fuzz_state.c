/* fuzz_state.c - libFuzzer target: the sweep's resume reader (user/scan/sweep_state.c).
 *
 * xs_state_read reads a path, so each input is written to one file first. Input byte 0
 * picks the form: even, the rest is the file as is (the magic and checksum checks);
 * odd, the rest becomes a body behind the magic line with a valid checksum line added
 * (the option lines through a small option table, position, end and range lines). A
 * file that is accepted must hold position <= end and targets that finalize.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan/sweep_state.h"
#include "util/log.h"
#include "util/opts.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_opts {
	double rate, wait_s;
	uint64_t count;
	unsigned retries;
	int fmt;
	bool inactive;
	const char *outfile;
};

static const struct xs_opt_choice fmts[] = { { "text", 0 }, { "json", 1 }, { NULL, 0 } };

#define O struct fz_opts
static const struct xs_opt fz_table[] = {
	XS_RATE("rate", 0, O, rate, "PPS", "rate", .flags = XS_OPT_SAVE),
	XS_DUR("wait", 0, O, wait_s, "D", "wait", .flags = XS_OPT_SAVE),
	XS_U64("count", 0, O, count, "N", 1, 1000000, "count", .flags = XS_OPT_SAVE),
	XS_UINT("retries", 0, O, retries, "N", 0, 255, "retries", .flags = XS_OPT_SAVE),
	XS_ENUM("output-format", 'O', O, fmt, NULL, fmts, "format", .flags = XS_OPT_SAVE),
	XS_FLAG("inactive", 0, O, inactive, "inactive", .flags = XS_OPT_SAVE),
	XS_STR("output-file", 'o', O, outfile, "FILE", "file", .flags = XS_OPT_SAVE),
	XS_FLAG("dry-run", 0, O, inactive, "not saved: refused in a state file"),
	XS_OPTS_END
};
#undef O

static const struct xs_cmd_opts fz_cmd = { .cmd = "fuzz", .usage = "fuzz", .opts = fz_table };
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xs_verbosity = -1;	/* one refusal line per input otherwise */
	snprintf(path, sizeof(path), "/dev/shm/xsweep-fuzz-state.%d", (int)getpid());
	return 0;
}

/* FNV-1a 64, the checksum the format defines (sweep_state.h), so that bodies get past
 * the integrity check and reach the line parsers. */
static uint64_t fnv1a64(const uint8_t *p, size_t n, uint64_t h)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

static int write_input(const uint8_t *data, size_t size)
{
	static const char magic[] = "xsweep-sweep-state 2\n";
	FILE *f = fopen(path, "w");
	uint64_t h;

	if (!f)
		return -1;
	if (size && (data[0] & 1)) {
		h = fnv1a64((const uint8_t *)magic, sizeof(magic) - 1, 0xcbf29ce484222325ull);
		h = fnv1a64(data + 1, size - 1, h);
		fprintf(f, "%s%.*schecksum %016llx\n", magic, (int)(size - 1), (const char *)data + 1,
			(unsigned long long)h);
	} else if (size) {
		fwrite(data + 1, 1, size - 1, f);
	}
	return fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_opts o = { .rate = 10000, .wait_s = 2, .count = 1 };
	struct xs_targets t = { 0 };
	uint64_t pos = 0, end = 0;

	/* Body bytes after a NUL would be hashed but never read back as text. */
	if (size > 1 && (data[0] & 1) && memchr(data + 1, '\0', size - 1))
		return 0;
	if (write_input(data, size))
		abort();
	if (!xs_state_read(path, &fz_cmd, &o, &pos, &end, &t)) {
		if (pos > end || xs_targets_finalize(&t, NULL, NULL))
			abort();
	}
	xs_targets_free(&t);
	unlink(path);
	return 0;
}
