/* rb_wakeup.h - batched ring-buffer wakeups for the XDP programs (BPF side only).
 *
 * By default a BPF ring buffer wakes its reader (an irq_work) for every record written
 * while the reader is caught up -- that is, for nearly every packet when userspace keeps
 * up, which costs microseconds per packet on a VM. Records are written without a wakeup
 * until XS_RB_WAKE_BYTES are waiting; readers poll with a short timeout (100 ms), so a
 * lone record is never stranded.
 */
#ifndef XSWEEP_RB_WAKEUP_H
#define XSWEEP_RB_WAKEUP_H

#define XS_RB_WAKE_BYTES (64 * 1024)

static __always_inline __u64 xs_rb_wakeup_flags(void *ringbuf)
{
	return bpf_ringbuf_query(ringbuf, BPF_RB_AVAIL_DATA) >= XS_RB_WAKE_BYTES ?
		       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

#endif
