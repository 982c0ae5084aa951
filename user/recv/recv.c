/* recv.c - pick the receive backend (see recv.h). */
#include <errno.h>
#include <string.h>

#include "recv/recv.h"

int xs_rx_open(struct xs_rx *rx, const struct xs_rx_cfg *cfg)
{
	int r = 1;

	memset(rx, 0, sizeof(*rx));
	rx->cfg = *cfg;
	if (cfg->capture == XS_CAPTURE_DGRAM) {
		/* Chosen up front (send/dgram.h): there is nothing to fall back to. */
		rx->ops = &xs_rx_dgram;
		return rx->ops->open(rx);
	}
	if (cfg->capture != XS_CAPTURE_PCAP) {
		rx->ops = &xs_rx_xdp;
		r = rx->ops->open(rx);
		if (r <= 0)
			return r;
		rx->ops->close(rx);
	}
	/* XDP is not to be used here (--capture pcap), or it said why it cannot be. */
	rx->ops = &xs_rx_pcap;
	r = rx->ops->open(rx);
	return r > 0 ? -EIO : r;
}

void xs_rx_close(struct xs_rx *rx)
{
	if (rx->ops)
		rx->ops->close(rx);
	rx->ops = NULL;
}
