/* privs.c - dropping capabilities after set-up (see privs.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "util/log.h"
#include "util/privs.h"

int xs_privs_keep(uint64_t keep, bool *had)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	uint64_t perm;

	if (syscall(SYS_capget, &hdr, d))
		return -errno;
	perm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	if (had)
		*had = perm || d[0].inheritable || d[1].inheritable;
	keep &= perm;
	if (d[0].effective & (1u << CAP_SETPCAP)) {
		/* Bounding set: nothing we could exec would get the rest back. */
		for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
			if (!(keep & XS_CAP(cap)))
				prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)keep;
	d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, d))
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return 0;
}

int xs_privs_after_setup(const char *cmd, bool bpf)
{
	bool had = false;
	int err = xs_privs_keep(bpf ? XS_CAP(CAP_BPF) : 0, &had);

	if (err)
		pr_warn("%s: cannot drop capabilities: %s", cmd, strerror(-err));
	else if (had)
		pr_info("%s: capabilities dropped%s", cmd, bpf ? " but CAP_BPF (to read maps)" : "");
	return err;
}

int xs_privs_refuse_setuid(const char *cmd)
{
	if (getuid() == geteuid() && getgid() == getegid())
		return 0;
	pr_warn("%s: refusing to run setuid or setgid: files named on the command line would be "
		"opened with the file owner's rights; give the binary capabilities instead "
		"(make setcap, or setcap cap_net_raw,cap_net_admin,cap_bpf,cap_perfmon+ep FILE)",
		cmd);
	return -EPERM;
}
