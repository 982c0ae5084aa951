/* netns.h - where am I? The guard every sender in bench/ runs before its first packet. */
#ifndef XSWEEP_NETNS_H
#define XSWEEP_NETNS_H

/* 1 when this process is in the root network namespace, or when that cannot be told:
 * a sender refuses rather than risk sending from the host's own namespace. */
int xs_in_root_netns(void);

#endif
