/* state.c - the device's state folder (bcp.h, docs/RUNTIME.md): the trust and state
 * files, read strictly; the clock floor; bcp_open_state (the installed blob, or its
 * last-known-good) and bcp_state_note_time; and the file primitives install.c writes
 * the folder with (temporary file, fsync, rename, fsync of the folder).
 *
 * Every file is opened relative to the folder's descriptor and never through a
 * symbolic link: the installer makes only regular files, so a link is someone
 * else's doing. Opening never writes the folder. */
#include "internal.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger files are not ours: 16 thumbprint lines, four short state lines. */
#define TRUST_FILE_MAX (BCPI_MAX_TRUST * 45)
#define STATE_FILE_MAX 512

enum bcp_status bcpi_check_owner(const struct stat *sb, const char *what,
	struct bcp_error *err)
{
	uid_t me = geteuid();

	if (sb->st_uid != me)
		return bcpi_fail(err, BCP_E_STATE, "%s belongs to uid %lu (mode %04o), not to this "
			"process's user (uid %lu): the state folder and its files must be made and "
			"owned by the account that installs and opens them", what,
			(unsigned long)sb->st_uid, (unsigned)(sb->st_mode & 07777), (unsigned long)me);
	if (sb->st_mode & 077)
		return bcpi_fail(err, BCP_E_STATE, "%s has mode %04o: other accounts may read or "
			"change it; the state folder must be owner-only (chmod 700, files 600)",
			what, (unsigned)(sb->st_mode & 07777));
	return BCP_OK;
}

int64_t bcpi_effective_now(int64_t now, int64_t latest)
{
	if (latest < INT64_MIN + BCP_CLOCK_TOLERANCE)
		return now;
	return latest - BCP_CLOCK_TOLERANCE > now ? latest - BCP_CLOCK_TOLERANCE : now;
}

enum bcp_status bcpi_state_errno(struct bcp_error *err, const char *what, const char *name)
{
	char why[128];
	int e = errno;

	if (strerror_r(e, why, sizeof why) != 0)
		snprintf(why, sizeof why, "errno %d", e);
	return bcpi_fail(err, BCP_E_STATE, "%s %s: %s", what, name, why);
}

void bcpi_step(const struct bcpi_hook *h, const char *fmt, const char *name)
{
	char step[64];

	if (!h || !h->fn)
		return;
	snprintf(step, sizeof step, fmt, name);
	h->fn(h->ctx, step);
}

int bcpi_dir_open(const char *dir, int *missing, struct bcp_error *err)
{
	struct stat sb;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (missing)
		*missing = fd < 0 && errno == ENOENT;
	if (fd >= 0 && fstat(fd, &sb) != 0) {
		bcpi_state_errno(err, "cannot stat the state folder", dir);
		close(fd);
		return -1;
	}
	if (fd >= 0 && bcpi_check_owner(&sb, dir, err) != BCP_OK) {
		close(fd);
		return -1;
	}
	if (fd >= 0)
		return fd;
	if (errno == ENOTDIR)
		bcpi_fail(err, BCP_E_STATE, "%s is not a folder", dir);
	else
		bcpi_state_errno(err, "cannot open the state folder", dir);
	return -1;
}

enum bcp_status bcpi_check_files(int dirfd, struct bcp_error *err)
{
	static const char *const names[] = { BCPI_CURRENT, BCPI_PREVIOUS, BCPI_TRUST, BCPI_STATE };
	struct stat sb;
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (fstatat(dirfd, names[i], &sb, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno == ENOENT)
				continue;
			return bcpi_state_errno(err, "cannot stat", names[i]);
		}
		/* Links and other kinds are refused by name when they are opened. */
		if (S_ISREG(sb.st_mode) && bcpi_check_owner(&sb, names[i], err) != BCP_OK)
			return BCP_E_STATE;
	}
	return BCP_OK;
}

enum bcp_status bcpi_dir_sync(int dirfd, struct bcp_error *err)
{
	if (fsync(dirfd) != 0)
		return bcpi_state_errno(err, "cannot fsync", "the state folder");
	return BCP_OK;
}

/* ---- reading ---- */

/* Reads the whole small file name ("the state file": what) into buf (max bytes and a
 * NUL). A missing file sets *missing and is BCP_OK; a link, a non-regular file or a
 * larger one is BCP_E_STATE. */
static enum bcp_status read_small(int dirfd, const char *name, const char *what, char *buf,
	size_t max, size_t *len, int *missing, struct bcp_error *err)
{
	struct stat sb;
	size_t got = 0;
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);

	*len = 0;
	*missing = fd < 0 && errno == ENOENT;
	if (*missing)
		return BCP_OK;
	if (fd < 0 && (errno == ELOOP || errno == EMLINK))
		return bcpi_fail(err, BCP_E_STATE, "%s is a symbolic link; the state folder holds "
			"only regular files", what);
	if (fd < 0)
		return bcpi_state_errno(err, "cannot open", what);
	if (fstat(fd, &sb) != 0) {
		bcpi_state_errno(err, "cannot stat", what);
		close(fd);
		return BCP_E_STATE;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return bcpi_fail(err, BCP_E_STATE, "%s is not a regular file", what);
	}
	if (bcpi_check_owner(&sb, what, err) != BCP_OK) {
		close(fd);
		return BCP_E_STATE;
	}
	/* Read one byte more than allowed, so that a file that grew is caught too. */
	for (;;) {
		n = read(fd, buf + got, max + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			bcpi_state_errno(err, "cannot read", what);
			close(fd);
			return BCP_E_STATE;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max) {
			close(fd);
			return bcpi_fail(err, BCP_E_STATE, "%s is larger than %zu bytes", what, max);
		}
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return BCP_OK;
}

enum bcp_status bcpi_trust_read(int dirfd, struct bcpi_trust *t, struct bcp_error *err)
{
	char text[TRUST_FILE_MAX + 1];
	size_t len, at, line;
	enum bcp_status st;
	int missing;

	memset(t, 0, sizeof *t);
	if ((st = read_small(dirfd, BCPI_TRUST, "the trust file", text, TRUST_FILE_MAX, &len, &missing, err))
	    != BCP_OK)
		return st;
	if (missing)
		return bcpi_fail(err, BCP_E_STATE, "no %s file: nothing was installed here",
			BCPI_TRUST);
	if (len == 0)
		return bcpi_fail(err, BCP_E_STATE, "the %s file is empty", BCPI_TRUST);
	for (at = 0, line = 1; at < len; at += 45, line++) {
		if (len - at < 45 || text[at + 44] != '\n')
			return bcpi_fail(err, BCP_E_STATE,
				"the %s file, line %zu: not 44 characters and a newline", BCPI_TRUST,
				line);
		memcpy(t->tp[t->n], text + at, 44);
		t->tp[t->n][44] = '\0';
		if (!bcp_thumbprint_valid(t->tp[t->n]))
			return bcpi_fail(err, BCP_E_STATE, "the %s file, line %zu: not a thumbprint",
				BCPI_TRUST, line);
		t->ptr[t->n] = t->tp[t->n];
		t->n++;
	}
	return BCP_OK;
}

/* A decimal number: digits, no sign (unless negative_ok, then an optional '-'), no
 * leading zero, no overflow. *p moves past it. Returns 0 or -1. */
static int parse_number(const char **p, int negative_ok, uint64_t *mag, int *negative)
{
	const char *s = *p;
	uint64_t v = 0;

	*negative = 0;
	if (negative_ok && *s == '-') {
		*negative = 1;
		s++;
	}
	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*negative && v == 0)
		return -1;   /* "-0" */
	*mag = v;
	*p = s;
	return 0;
}

static const char *const state_keys[4] = {
	"highest_serial", "current_serial", "previous_serial", "latest_time"
};

enum bcp_status bcpi_state_read(int dirfd, struct bcpi_state *st, struct bcp_error *err)
{
	char text[STATE_FILE_MAX + 1];
	const char *p, *key;
	size_t len, klen, line = 0;
	uint64_t v, *serials[3];
	enum bcp_status s;
	int missing, neg, seen[4] = { 0 }, k;

	memset(st, 0, sizeof *st);
	if ((s = read_small(dirfd, BCPI_STATE, "the state file", text, STATE_FILE_MAX, &len, &missing, err))
	    != BCP_OK)
		return s;
	if (missing)
		return BCP_OK;
	if (strlen(text) != len)
		return bcpi_fail(err, BCP_E_STATE, "the %s file holds a NUL byte", BCPI_STATE);
	serials[0] = &st->highest_serial;
	serials[1] = &st->current_serial;
	serials[2] = &st->previous_serial;
	for (p = text; *p; ) {
		line++;
		for (key = p; (*p >= 'a' && *p <= 'z') || *p == '_'; p++)
			;
		klen = (size_t)(p - key);
		for (k = 0; k < 4; k++)
			if (strlen(state_keys[k]) == klen && memcmp(state_keys[k], key, klen) == 0)
				break;
		if (k == 4 || *p != ' ')
			return bcpi_fail(err, BCP_E_STATE, "the %s file, line %zu: not one of the keys "
				"highest_serial, current_serial, previous_serial, latest_time "
				"followed by a space", BCPI_STATE, line);
		if (seen[k]++)
			return bcpi_fail(err, BCP_E_STATE, "the %s file, line %zu: %s given twice",
				BCPI_STATE, line, state_keys[k]);
		p++;
		if (parse_number(&p, k == 3, &v, &neg) != 0 || *p != '\n' ||
		    (k == 3 && v > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX)))
			return bcpi_fail(err, BCP_E_STATE, "the %s file, line %zu: the value of %s is not %s "
				"and a newline", BCPI_STATE, line, state_keys[k],
				k == 3 ? "a 64-bit signed decimal" : "a 64-bit unsigned decimal");
		p++;
		if (k < 3)
			*serials[k] = v;
		else if (!neg)
			st->latest_time = (int64_t)v;
		else
			st->latest_time = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	}
	for (k = 0; k < 4; k++)
		if (!seen[k])
			return bcpi_fail(err, BCP_E_STATE, "the %s file has no %s line",
				BCPI_STATE, state_keys[k]);
	/* The installer keeps these; anything else was written by someone else. */
	if (st->current_serial > st->highest_serial || st->previous_serial > st->current_serial)
		return bcpi_fail(err, BCP_E_STATE, "the %s file is inconsistent: want "
			"previous_serial <= current_serial <= highest_serial", BCPI_STATE);
	st->present = 1;
	return BCP_OK;
}

size_t bcpi_state_format(const struct bcpi_state *st, char *buf)
{
	int n = snprintf(buf, BCPI_STATE_TEXT_MAX,
		"highest_serial %llu\ncurrent_serial %llu\nprevious_serial %llu\nlatest_time %lld\n",
		(unsigned long long)st->highest_serial, (unsigned long long)st->current_serial,
		(unsigned long long)st->previous_serial, (long long)st->latest_time);

	return n < 0 ? 0 : (size_t)n;
}

/* ---- writing ---- */

/* Creates the new file tmp, owner-only whatever the umask. -1 with errno. */
static int tmp_create(int dirfd, const char *tmp)
{
	int e, fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		0600);

	if (fd < 0)
		return -1;
	if (fchmod(fd, 0600) != 0) {
		e = errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	return fd;
}

/* Writes and fsyncs the file tmp open on fd, and closes it; on failure removes it. */
static enum bcp_status tmp_fill(int dirfd, int fd, const char *tmp, const void *data,
	size_t len, const struct bcpi_hook *h, struct bcp_error *err)
{
	const uint8_t *p = data;
	const char *what = "cannot write";
	size_t done = 0, chunk;
	ssize_t n;

	while (done < len) {
		chunk = len - done > (size_t)1 << 30 ? (size_t)1 << 30 : len - done;
		n = write(fd, p + done, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			goto fail;
		}
		done += (size_t)n;
	}
	bcpi_step(h, "write %s", tmp);
	what = "cannot fsync";
	if (fsync(fd) != 0)
		goto fail;
	bcpi_step(h, "fsync %s", tmp);
	what = "cannot close";
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return BCP_OK;

fail:
	bcpi_state_errno(err, what, tmp);
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return BCP_E_STATE;
}

enum bcp_status bcpi_tmp_write(int dirfd, const char *tmp, const void *data, size_t len,
	const struct bcpi_hook *h, struct bcp_error *err)
{
	int fd = tmp_create(dirfd, tmp);

	if (fd < 0)
		return bcpi_state_errno(err, "cannot create", tmp);
	return tmp_fill(dirfd, fd, tmp, data, len, h, err);
}

enum bcp_status bcpi_tmp_commit(int dirfd, const char *tmp, const char *name,
	const struct bcpi_hook *h, struct bcp_error *err)
{
	if (renameat(dirfd, tmp, dirfd, name) != 0) {
		bcpi_state_errno(err, "cannot rename over", name);
		unlinkat(dirfd, tmp, 0);
		return BCP_E_STATE;
	}
	bcpi_step(h, "rename %s", name);
	if (bcpi_dir_sync(dirfd, err) != BCP_OK)
		return BCP_E_STATE;
	bcpi_step(h, "fsync folder (%s)", name);
	return BCP_OK;
}

/* ---- the API ---- */


/* Whether a failure to open current.bcp is the blob's own (missing, unreadable,
 * damaged, forged, rolled back): only then is the last-known-good opened instead.
 * A shortage of memory or descriptors (BCP_E_NOMEM) or a file that is not ours
 * (BCP_E_STATE) says nothing about the blob, and an older policy must never take
 * over because of it. Expired and not yet valid blobs open in their denying
 * states, so those never get here. */
static int blob_fault(enum bcp_status s)
{
	switch (s) {
	case BCP_E_IO: case BCP_E_TOO_LARGE: case BCP_E_TRUNCATED: case BCP_E_MAGIC:
	case BCP_E_VERSION: case BCP_E_HEADER: case BCP_E_UNTRUSTED_KEY:
	case BCP_E_SIGNATURE: case BCP_E_STRUCTURE: case BCP_E_SERIAL:
		return 1;
	default:
		return 0;
	}
}

/* BCP_E_NO_GOOD_BLOB with both reasons. When both do not fit in one message, each
 * is given by its status alone, never cut: the report has both whole
 * (current_message, previous_message). */
static enum bcp_status no_good_blob(struct bcp_error *err, const struct bcp_error *cur,
	const struct bcp_error *prev)
{
	if (err && strlen(bcp_status_str(BCP_E_NO_GOOD_BLOB)) + strlen(cur->message) +
	    strlen(prev->message) + 40 >= sizeof err->message)
		return bcpi_fail(err, BCP_E_NO_GOOD_BLOB, "%s: %s; %s: %s (each reason in full in "
			"bcp_state_report)", BCPI_CURRENT, bcp_status_str(cur->code), BCPI_PREVIOUS,
			bcp_status_str(prev->code));
	return bcpi_fail(err, BCP_E_NO_GOOD_BLOB, "%s: %s; %s: %s", BCPI_CURRENT, cur->message,
		BCPI_PREVIOUS, prev->message);
}

enum bcp_status bcp_open_state(const char *dir, int64_t now, bcp_blob **out,
	struct bcp_state_report *report, struct bcp_error *err)
{
	struct bcp_state_report local, *rep = report ? report : &local;
	struct bcp_error cur, prev;
	struct bcp_open_opts o;
	struct bcpi_state st;
	struct bcpi_trust t;
	struct bcp_info info;
	enum bcp_status s;
	int dirfd;

	memset(rep, 0, sizeof *rep);
	if (out)
		*out = NULL;
	if (!dir || !out)
		return bcpi_fail(err, BCP_E_ARG, "bcp_open_state needs dir and out");
	/* A folder that cannot be read is reported as current.bcp's failure too: the
	 * installed blob could not be tried. */
	s = BCP_E_STATE;
	if ((dirfd = bcpi_dir_open(dir, NULL, &cur)) < 0 ||
	    (s = bcpi_check_files(dirfd, &cur)) != BCP_OK ||
	    (s = bcpi_trust_read(dirfd, &t, &cur)) != BCP_OK ||
	    (s = bcpi_state_read(dirfd, &st, &cur)) != BCP_OK) {
		if (dirfd >= 0)
			close(dirfd);
		rep->current_status = s;
		snprintf(rep->current_message, sizeof rep->current_message, "%s", cur.message);
		if (err)
			*err = cur;
		return s;
	}
	rep->effective_now = bcpi_effective_now(now, st.latest_time);

	memset(&o, 0, sizeof o);
	o.thumbprints = t.ptr;
	o.nthumbprints = t.n;
	o.now = rep->effective_now;
	o.min_serial = st.highest_serial;
	o.flags = BCP_OPEN_EXPIRED_DENIES | BCP_OPEN_NOT_YET_VALID_DENIES;
	rep->current_status = bcpi_open_at(dirfd, BCPI_CURRENT, &o, out, &cur);
	snprintf(rep->current_message, sizeof rep->current_message, "%s",
		rep->current_status == BCP_OK ? bcp_status_str(BCP_OK) : cur.message);
	if (rep->current_status != BCP_OK && !blob_fault(rep->current_status)) {
		close(dirfd);   /* not the blob's fault: no fallback to an older one */
		if (err)
			*err = cur;
		return rep->current_status;
	}
	if (rep->current_status != BCP_OK) {
		/* The last-known-good: never older than the blob we moved there. */
		o.min_serial = st.previous_serial;
		s = bcpi_open_at(dirfd, BCPI_PREVIOUS, &o, out, &prev);
		if (s != BCP_OK) {
			close(dirfd);
			if (!blob_fault(s)) {
				if (err)
					*err = prev;
				return s;
			}
			snprintf(rep->previous_message, sizeof rep->previous_message, "%s",
				prev.message);
			return no_good_blob(err, &cur, &prev);
		}
		rep->fallback = 1;
	}
	close(dirfd);
	bcp_info(*out, &info);
	rep->serial = info.serial;
	rep->expired = info.expired;
	rep->not_yet_valid = info.not_yet_valid;
	bcpi_ok(err);
	return BCP_OK;
}

enum bcp_status bcp_state_note_time(const char *dir, int64_t now, struct bcp_error *err)
{
	char text[BCPI_STATE_TEXT_MAX], tmp[64];
	struct bcpi_state st;
	enum bcp_status s;
	unsigned i;
	int dirfd, fd = -1;

	if (!dir)
		return bcpi_fail(err, BCP_E_ARG, "bcp_state_note_time needs dir");
	if ((dirfd = bcpi_dir_open(dir, NULL, err)) < 0)
		return BCP_E_STATE;
	/* Writers of one folder take turns (install.c takes the same lock). */
	if (flock(dirfd, LOCK_EX) != 0) {
		s = bcpi_state_errno(err, "cannot lock", dir);
		close(dirfd);
		return s;
	}
	if ((s = bcpi_state_read(dirfd, &st, err)) != BCP_OK) {
		close(dirfd);   /* a broken state file is reported, never papered over */
		return s;
	}
	if (st.present && now <= st.latest_time) {
		close(dirfd);
		bcpi_ok(err);
		return BCP_OK;
	}
	st.present = 1;
	st.latest_time = now;
	/* A name of our own: several threads or processes may note the time at once,
	 * and the installer removes what a crash left behind. */
	for (i = 0; i < 1000 && fd < 0; i++) {
		snprintf(tmp, sizeof tmp, "state.%ld.%u.tmp", (long)getpid(), i);
		fd = tmp_create(dirfd, tmp);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		bcpi_state_errno(err, "cannot create", tmp);
		close(dirfd);
		return BCP_E_STATE;
	}
	s = tmp_fill(dirfd, fd, tmp, text, bcpi_state_format(&st, text), NULL, err);
	if (s == BCP_OK)
		s = bcpi_tmp_commit(dirfd, tmp, BCPI_STATE, NULL, err);
	close(dirfd);
	if (s == BCP_OK)
		bcpi_ok(err);
	return s;
}
