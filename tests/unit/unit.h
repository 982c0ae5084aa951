/* unit.h - a tiny TAP-like harness for C tests (unit and BPF test-run tiers).
 *
 * Each CHECK prints "ok - <name>" or "not ok - <name> (file:line: expr)";
 * tests/run.sh counts those lines. main() ends with UNIT_DONE().
 */
#ifndef XSWEEP_UNIT_H
#define XSWEEP_UNIT_H

#include <stdio.h>

static int unit_failed;

#define CHECK(cond, ...)                                                              \
	do {                                                                          \
		if (cond) {                                                           \
			printf("ok - ");                                              \
			printf(__VA_ARGS__);                                          \
			printf("\n");                                                 \
		} else {                                                              \
			unit_failed++;                                                \
			printf("not ok - ");                                          \
			printf(__VA_ARGS__);                                          \
			printf("  (%s:%d: %s)\n", __FILE__, __LINE__, #cond);         \
		}                                                                     \
		fflush(stdout);                                                       \
	} while (0)

#define SKIP(...)                                                                     \
	do {                                                                          \
		printf("skip - ");                                                    \
		printf(__VA_ARGS__);                                                  \
		printf("\n");                                                         \
	} while (0)

#define UNIT_DONE() return unit_failed ? 1 : 0

#endif
