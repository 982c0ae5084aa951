/* privs.h - least privilege for the commands that need it only to set up.
 *
 * sweep, monitor and capture need capabilities to open packet sockets, load and attach
 * BPF programs and pin maps; afterwards at most CAP_BPF (the bpf() syscall, to read
 * maps and their ring buffers, while unprivileged BPF is disabled) is used. They call
 * xs_privs_after_setup() once set up: every other capability goes from the effective,
 * permitted, inheritable, ambient and (with CAP_SETPCAP) bounding sets, and
 * no_new_privs is set, so nothing they exec could regain any. ping drops everything.
 *
 * Run setuid or setgid, they would open the files named on their command line (-iL,
 * -o, -w, --state-file, ...) with the file owner's rights: xs_privs_refuse_setuid()
 * refuses, pointing to file capabilities instead.
 */
#ifndef XSWEEP_PRIVS_H
#define XSWEEP_PRIVS_H

#include <stdbool.h>
#include <stdint.h>

#define XS_CAP(c) (1ull << (c))

/* Keep only the capabilities in keep (a mask of XS_CAP(CAP_...)) that are permitted now,
 * drop every other one from every set, set no_new_privs. *had (may be NULL): some
 * capability was held before. 0 or -errno. */
int xs_privs_keep(uint64_t keep, bool *had);
/* For sweep, monitor, capture once set up: keep CAP_BPF when bpf is true, else nothing.
 * 0 or -errno (reported). */
int xs_privs_after_setup(const char *cmd, bool bpf);
/* -EPERM (reported, with the setcap alternative) when running setuid or setgid. */
int xs_privs_refuse_setuid(const char *cmd);

#endif
