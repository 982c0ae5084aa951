/* log.c - verbosity-filtered logging to stderr, libbpf output routed through it. */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "util/log.h"

int xs_verbosity;

static void vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	size_t len;

	if ((int)lvl > xs_verbosity)
		return;
	/* Measured first: a test of fmt after vfprintf() makes GCC's sanitizer builds
	 * see a NULL-format path and fail -Wformat-overflow. */
	len = strlen(fmt);
	fputs("xsweep: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (len == 0 || fmt[len - 1] != '\n')
		fputc('\n', stderr);
}

void xs_log(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf warnings are noise unless the user asked for detail. */
	if (xs_verbosity < LOG_DEBUG && level != LIBBPF_WARN)
		return 0;
	if (xs_verbosity < LOG_DEBUG)
		return 0;
	fputs("libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

void xs_log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
