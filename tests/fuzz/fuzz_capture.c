/* fuzz_capture.c - libFuzzer target: the capture formatter (user/capture/capture_fmt.c),
 * one tcpdump-like line per Ethernet frame.
 *
 * Input byte 0 picks the output buffer size (1-256 bytes: lines get cut), byte 1 how
 * much longer the frame was on the wire than captured (a snap length); the rest is the
 * captured frame, in its own allocation so ASan sees any read past it. The line must be
 * the buffer itself, NUL-terminated inside it, without a newline.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_fmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t buflen, caplen;
	uint8_t *frame;
	char *buf, *line;

	if (size < 2)
		return 0;
	buflen = (size_t)data[0] + 1;
	caplen = size - 2;
	buf = malloc(buflen);
	frame = malloc(caplen ? caplen : 1);
	if (!buf || !frame)
		goto out;
	memcpy(frame, data + 2, caplen);
	line = xs_cap_summary(buf, buflen, 1700000000123456789ull, frame, (uint32_t)caplen,
			      (uint32_t)(caplen + data[1]));
	if (line != buf || !memchr(buf, '\0', buflen) || strchr(buf, '\n'))
		abort();
out:
	free(frame);
	free(buf);
	return 0;
}
