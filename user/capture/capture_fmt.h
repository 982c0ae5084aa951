/* capture_fmt.h - a tcpdump-like one-line summary of a captured frame (tcpdump -n style). */
#ifndef XSWEEP_CAPTURE_FMT_H
#define XSWEEP_CAPTURE_FMT_H

#include <stddef.h>
#include <stdint.h>

/* "HH:MM:SS.uuuuuu IP 192.0.2.2.22 > 192.0.2.1.9: Flags [S], seq 1, win 64240, length 0"
 * for an Ethernet frame of len bytes of which caplen are in data. Returns buf.
 */
char *xs_cap_summary(char *buf, size_t buflen, uint64_t wall_ns, const uint8_t *data,
		     uint32_t caplen, uint32_t len);

#endif
