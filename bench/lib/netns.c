/* netns.c - root network namespace check (see netns.h). */
#include <string.h>
#include <unistd.h>

#include "netns.h"

int xs_in_root_netns(void)
{
	char self[64] = "", init[64] = "";

	if (readlink("/proc/self/ns/net", self, sizeof(self) - 1) <= 0)
		return 1;
	/* /proc/1/ns/net is unreadable on some machines (EACCES); kthreadd (PID 2) always
	 * lives in the initial namespace. */
	if (readlink("/proc/1/ns/net", init, sizeof(init) - 1) <= 0 &&
	    readlink("/proc/2/ns/net", init, sizeof(init) - 1) <= 0)
		return 1;
	return !strcmp(self, init);
}
