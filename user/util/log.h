/* log.h - one error convention for xsweep.
 *
 * Functions return 0 or -errno and report at the call site with pr_warn().
 * Messages are single lines prefixed with "xsweep: ". pr_info() shows with -v,
 * pr_debug() with -vv (and libbpf's own chatter is routed to pr_debug).
 */
#ifndef XSWEEP_LOG_H
#define XSWEEP_LOG_H

#include <stdarg.h>

enum log_level { LOG_WARN = 0, LOG_INFO = 1, LOG_DEBUG = 2 };

extern int xs_verbosity;

void xs_log(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xs_log_setup_libbpf(void);

#define pr_warn(...) xs_log(LOG_WARN, __VA_ARGS__)
#define pr_info(...) xs_log(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) xs_log(LOG_DEBUG, __VA_ARGS__)

/* Exit codes shared by every subcommand. */
#define XS_EXIT_OK 0
#define XS_EXIT_NEGATIVE 1	/* e.g. interface down, some host did not answer */
#define XS_EXIT_ERROR 2		/* bad input, missing privilege, system error */

#endif
