/* sweep_state.c - write and read the sweep's resume file (see sweep_state.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "scan/sweep_state.h"
#include "util/log.h"
#include "util/parse.h"

#define STATE_MAGIC "xsweep-sweep-state 2"
#define STATE_V1 "xsweep-sweep-state 1"
#define STATE_MAX (64u << 20)	/* a larger file is not ours */

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Everything but the checksum line, into a memory stream. */
static int write_body(FILE *f, const char *path, const struct xs_cmd_opts *c, const void *opts,
		      uint64_t position, uint64_t end, const struct xs_targets *t)
{
	char lo[XS_IP_STRLEN], hi[XS_IP_STRLEN];
	struct xs_ip a, b;
	int err;

	fprintf(f, "%s\n# resume with: xsweep sweep --resume %s\n", STATE_MAGIC, path);
	if ((err = xs_opts_save(f, c, opts)))
		return err;
	fprintf(f, "position %" PRIu64 "\nend %" PRIu64 "\n", position, end);
	for (size_t i = 0; i < t->n; i++) {
		a = xs_ip_from_u128(t->r[i].lo);
		b = xs_ip_from_u128(t->r[i].hi);
		fprintf(f, "range %s-%s\n", xs_ip_str(&a, lo, sizeof(lo)), xs_ip_str(&b, hi, sizeof(hi)));
	}
	return ferror(f) ? -EIO : 0;
}

int xs_state_write(const char *path, const struct xs_cmd_opts *c, const void *opts,
		   uint64_t position, uint64_t end, const struct xs_targets *t)
{
	char tmp[4096], *body = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&body, &len), *f;
	int err;

	if (!m)
		return -errno;
	err = write_body(m, path, c, opts, position, end, t);
	if (fclose(m) && !err)
		err = -EIO;
	if (err)
		goto out;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		err = -ENAMETOOLONG;
		goto out;
	}
	if (!(f = fopen(tmp, "w"))) {
		err = -errno;
		goto out;
	}
	fprintf(f, "%schecksum %016" PRIx64 "\n", body, fnv1a(body, len));
	if (fflush(f) || ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
out:
	free(body);
	return err;
}

/* The whole file, its checksum line verified; *body_len = bytes before that line. */
static char *read_checked(const char *path, size_t *body_len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, *last, want[32];
	size_t len, cap = STATE_MAX + 1;
	struct stat st;

	if (!f) {
		pr_warn("cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	/* A regular file's size, not 64 MiB for every read (pipes: the most). */
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && st.st_size < (off_t)cap)
		cap = (size_t)st.st_size + 1;
	buf = calloc(1, cap + 1);
	len = buf ? fread(buf, 1, cap, f) : 0;
	fclose(f);
	if (!buf || len > STATE_MAX || len < sizeof(STATE_V1) ||
	    (strncmp(buf, STATE_MAGIC "\n", sizeof(STATE_MAGIC)) &&
	     strncmp(buf, STATE_V1 "\n", sizeof(STATE_V1)))) {
		pr_warn("%s is not an xsweep sweep state file", path);
		goto bad;
	}
	if (!strncmp(buf, STATE_V1, sizeof(STATE_V1) - 1)) {
		pr_warn("%s was written by an older xsweep (state format 1); it cannot be resumed "
			"by this version: run the sweep again", path);
		goto bad;
	}
	buf[len] = '\0';
	last = len && buf[len - 1] == '\n' ? buf + len - 1 : buf + len;
	while (last > buf && last[-1] != '\n')
		last--;
	snprintf(want, sizeof(want), "checksum %016" PRIx64 "\n", fnv1a(buf, (size_t)(last - buf)));
	if (strcmp(last, want)) {
		pr_warn("%s is damaged (cut short or edited: its checksum does not match)", path);
		goto bad;
	}
	*body_len = (size_t)(last - buf);
	return buf;
bad:
	free(buf);
	return NULL;
}

/* "position N", "end N", "range A-B": the lines that are not options. */
static int read_item(const char *line, uint64_t *pos, uint64_t *end, struct xs_targets *t,
		     int *have, char *err, size_t errlen)
{
	const char *v = strchr(line, ' ');

	if (!v) {
		snprintf(err, errlen, "cannot parse '%.60s'", line);
		return -EINVAL;
	}
	v++;
	if (!strncmp(line, "position ", 9) || !strncmp(line, "end ", 4)) {
		bool is_pos = line[0] == 'p';

		*have |= is_pos ? 1 : 2;
		if (xs_parse_u64(v, 0, UINT64_MAX, is_pos ? pos : end)) {
			snprintf(err, errlen, "'%.60s' is not a position", v);
			return -EINVAL;
		}
		return 0;
	}
	if (!strncmp(line, "range ", 6)) {
		*have |= 4;
		return xs_targets_add(t, v, false, err, errlen);
	}
	snprintf(err, errlen, "cannot parse '%.60s'", line);
	return -EINVAL;
}

int xs_state_read(const char *path, const struct xs_cmd_opts *c, void *opts,
		  uint64_t *position, uint64_t *end, struct xs_targets *t)
{
	size_t body_len = 0;
	char *buf = read_checked(path, &body_len), *line, *save = NULL, err[512];
	int lineno = 0, have = 0, rc = 0;

	if (!buf)
		return -EINVAL;
	buf[body_len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (lineno == 1 || line[0] == '#')
			continue;
		if (!strncmp(line, "--", 2))
			rc = xs_opts_load_line(c, opts, line, err, sizeof(err));
		else
			rc = read_item(line, position, end, t, &have, err, sizeof(err));
	}
	if (rc)
		pr_warn("%s line %d: %s", path, lineno, err);
	else if (have != 7 || *position > *end) {
		pr_warn("%s is incomplete or inconsistent", path);
		rc = -EINVAL;
	}
	free(buf);
	return rc ? (rc < 0 ? rc : -EINVAL) : 0;
}
