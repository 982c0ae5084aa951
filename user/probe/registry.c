/* registry.c - the probe modules xsweep knows (see probe.h). */
#include <string.h>

#include "probe/probe.h"

extern const struct xs_probe_module xs_probe_icmp, xs_probe_tcp;

/* The first is the default (--probe). */
const struct xs_probe_module *const xs_probe_modules[] = {
	&xs_probe_icmp,
	&xs_probe_tcp,
	NULL,
};

const struct xs_probe_module *xs_probe_find(const char *name)
{
	for (unsigned i = 0; xs_probe_modules[i]; i++)
		if (!strcmp(xs_probe_modules[i]->name, name))
			return xs_probe_modules[i];
	return NULL;
}
