/* fuzz_targets.c - libFuzzer target: the target parser (user/scan/targets.c).
 *
 * Input: lines of target tokens (IPv4 and IPv6 CIDRs, ranges, addresses); a line that
 * starts with '!' is an exclusion. Nothing is resolved (resolve = false: a host name is
 * refused, never looked up). After xs_targets_finalize the index must map back and
 * forth: addr(index(a)) = a for the first, last and a middle index (in sets a sweep
 * takes: at most 2^32 addresses; counts of larger ones saturate), and the ranges are
 * sorted and disjoint.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/targets.h"
#include "util/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xs_verbosity = -1;	/* refusals are the common case: no line each */
	return 0;
}

static void check_index(const struct xs_targets *t, uint64_t idx)
{
	struct xs_ip ip = xs_targets_addr(t, idx);
	uint64_t back;

	if (!xs_targets_index(t, &ip, &back) || back != idx)
		abort();
}

static void check_set(const struct xs_targets *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->r[i].lo > t->r[i].hi || (i && t->r[i - 1].hi >= t->r[i].lo))
			abort();
	if (!t->total || t->total > (1ull << 32))
		return;
	check_index(t, 0);
	check_index(t, t->total - 1);
	check_index(t, t->total / 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xs_targets t = { 0 }, ex = { 0 };
	char *buf = malloc(size + 1), *line, *save = NULL, err[256];
	uint64_t reserved;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '!')
			xs_targets_add(&ex, line + 1, false, err, sizeof(err));
		else
			xs_targets_add(&t, line, false, err, sizeof(err));
	}
	if (!xs_targets_finalize(&ex, NULL, &reserved) &&
	    !xs_targets_finalize(&t, &ex, &reserved))
		check_set(&t);
	xs_targets_free(&t);
	xs_targets_free(&ex);
	free(buf);
	return 0;
}
