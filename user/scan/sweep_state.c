/* sweep_state.c - write and read the sweep's resume file (see sweep_state.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan/sweep_state.h"

#define STATE_MAGIC "xsweep-sweep-state 1"

/* Copy a value into a fixed field; -1 when it does not fit. */
static int field(char *dst, size_t len, const char *val)
{
	if (strlen(val) >= len)
		return -1;
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

static void dotted(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

int xs_state_write(const char *path, const struct xs_sweep_state *s, const struct xs_targets *t)
{
	char tmp[4096], lo[16], hi[16];
	FILE *f;
	int err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "%s\n# resume with: xsweep sweep --resume %s\n", STATE_MAGIC, path);
	fprintf(f, "seed %" PRIu64 "\nshards %u\nshard %u\nposition %" PRIu64 "\nend %" PRIu64 "\n",
		s->seed, s->shards, s->shard, s->position, s->end);
	fprintf(f, "rate %.3f\nretries %u\nprobes %u\nttl %u\nwait %.3f\nformat %s\ninactive %d\n",
		s->rate, s->retries, s->probes, s->ttl, s->wait_s, s->format, s->inactive);
	if (s->iface[0])
		fprintf(f, "iface %s\n", s->iface);
	if (s->source[0])
		fprintf(f, "source %s\n", s->source);
	for (size_t i = 0; i < t->n; i++) {
		dotted(t->r[i].lo, lo, sizeof(lo));
		dotted(t->r[i].hi, hi, sizeof(hi));
		fprintf(f, "range %s-%s\n", lo, hi);
	}
	if (fflush(f) || ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int xs_state_read(const char *path, struct xs_sweep_state *s, struct xs_targets *t, char *err,
		  size_t errlen)
{
	char line[512], key[32], val[256], e[256];
	bool magic = false, have_pos = false;
	FILE *f = fopen(path, "r");
	int lineno = 0;

	memset(s, 0, sizeof(*s));
	s->shards = 1;
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (lineno == 1) {
			magic = !strcmp(line, STATE_MAGIC);
			if (!magic)
				break;
			continue;
		}
		if (!line[0] || line[0] == '#')
			continue;
		if (sscanf(line, "%31s %255s", key, val) != 2)
			goto bad;
		if (!strcmp(key, "seed"))
			s->seed = strtoull(val, NULL, 10);
		else if (!strcmp(key, "shards"))
			s->shards = (uint32_t)strtoul(val, NULL, 10);
		else if (!strcmp(key, "shard"))
			s->shard = (uint32_t)strtoul(val, NULL, 10);
		else if (!strcmp(key, "position"))
			s->position = strtoull(val, NULL, 10), have_pos = true;
		else if (!strcmp(key, "end"))
			s->end = strtoull(val, NULL, 10);
		else if (!strcmp(key, "rate"))
			s->rate = strtod(val, NULL);
		else if (!strcmp(key, "retries"))
			s->retries = (unsigned)strtoul(val, NULL, 10);
		else if (!strcmp(key, "probes"))
			s->probes = (unsigned)strtoul(val, NULL, 10);
		else if (!strcmp(key, "ttl"))
			s->ttl = (unsigned)strtoul(val, NULL, 10);
		else if (!strcmp(key, "wait"))
			s->wait_s = strtod(val, NULL);
		else if (!strcmp(key, "format")) {
			if (field(s->format, sizeof(s->format), val))
				goto bad;
		} else if (!strcmp(key, "inactive"))
			s->inactive = atoi(val) != 0;
		else if (!strcmp(key, "iface")) {
			if (field(s->iface, sizeof(s->iface), val))
				goto bad;
		} else if (!strcmp(key, "source")) {
			if (field(s->source, sizeof(s->source), val))
				goto bad;
		} else if (!strcmp(key, "range")) {
			if (xs_targets_add(t, val, false, e, sizeof(e))) {
				fclose(f);
				snprintf(err, errlen, "%s line %d: %s", path, lineno, e);
				return -EINVAL;
			}
		} else
			goto bad;
	}
	fclose(f);
	if (!magic) {
		snprintf(err, errlen, "%s is not an xsweep sweep state file", path);
		return -EINVAL;
	}
	if (!have_pos || !t->n || !s->shards || s->shard >= s->shards || s->position > s->end) {
		snprintf(err, errlen, "%s is incomplete or inconsistent", path);
		return -EINVAL;
	}
	return 0;
bad:
	fclose(f);
	snprintf(err, errlen, "%s line %d: cannot parse '%s'", path, lineno, line);
	return -EINVAL;
}
