/* state.c - the device's state folder (bcp.h, docs/RUNTIME.md): the trust and state
 * files, read strictly; the clock floor; bcp_open_state (the installed blob, or its
 * last-known-good) and bcp_state_note_time; and the file primitives install.c writes
 * the folder with (temporary file, fsync, rename, fsync of the folder).
 *
 * Every file is opened relative to the open folder (os.h) and never through a
 * symbolic link: the installer makes only regular files, so a link is someone
 * else's doing. Opening never writes the folder. No system call here: os.h. */
#include "internal.h"
#include <stdio.h>
#include <string.h>

/* Larger files are not ours: 16 thumbprint lines, four short state lines. */
#define TRUST_FILE_MAX (BCPI_MAX_TRUST * 45)
#define STATE_FILE_MAX 512

enum bcp_status bcpi_check_owner(const struct bcpi_finfo *fi, const char *what,
	struct bcp_error *err)
{
	if (fi->why[0])
		return bcpi_fail(err, BCP_E_STATE, "%s %s", what, fi->why);
	return BCP_OK;
}

int64_t bcpi_effective_now(int64_t now, int64_t latest)
{
	if (latest < INT64_MIN + BCP_CLOCK_TOLERANCE)
		return now;
	return latest - BCP_CLOCK_TOLERANCE > now ? latest - BCP_CLOCK_TOLERANCE : now;
}

enum bcp_status bcpi_state_os(struct bcp_error *err, const char *what, const char *name,
	const struct bcpi_oserr *e)
{
	return bcpi_fail(err, BCP_E_STATE, "%s %s: %s", what, name, e->text);
}

void bcpi_step(const struct bcpi_hook *h, const char *fmt, const char *name)
{
	char step[64];

	if (!h || !h->fn)
		return;
	snprintf(step, sizeof step, fmt, name);
	h->fn(h->ctx, step);
}

bcpi_dir *bcpi_dir_open(const char *dir, int *missing, struct bcp_error *err)
{
	struct bcpi_finfo fi;
	struct bcpi_oserr e;
	bcpi_dir *d = bcpi_os_dir_open(dir, &e);

	if (missing)
		*missing = !d && e.kind == BCPI_OS_MISSING;
	if (d && bcpi_os_dir_stat(d, 1, &fi, &e) != 0) {
		bcpi_state_os(err, "cannot stat the state folder", dir, &e);
		bcpi_os_dir_close(d);
		return NULL;
	}
	if (d && bcpi_check_owner(&fi, dir, err) != BCP_OK) {
		bcpi_os_dir_close(d);
		return NULL;
	}
	if (d)
		return d;
	if (e.kind == BCPI_OS_NOT_DIR)
		bcpi_fail(err, BCP_E_STATE, "%s is not a folder", dir);
	else
		bcpi_state_os(err, "cannot open the state folder", dir, &e);
	return NULL;
}

enum bcp_status bcpi_check_files(const bcpi_dir *d, struct bcp_error *err)
{
	static const char *const names[] = { BCPI_CURRENT, BCPI_PREVIOUS, BCPI_TRUST, BCPI_STATE };
	struct bcpi_finfo fi;
	struct bcpi_oserr e;
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (bcpi_os_stat_at(d, names[i], 1, &fi, &e) != 0) {
			if (e.kind == BCPI_OS_MISSING)
				continue;
			return bcpi_state_os(err, "cannot stat", names[i], &e);
		}
		/* Links and other kinds are refused by name when they are opened. */
		if (fi.type == BCPI_FT_REGULAR && bcpi_check_owner(&fi, names[i], err) != BCP_OK)
			return BCP_E_STATE;
	}
	return BCP_OK;
}

enum bcp_status bcpi_dir_sync(const bcpi_dir *d, struct bcp_error *err)
{
	struct bcpi_oserr e;

	if (bcpi_os_dir_sync(d, &e) != 0)
		return bcpi_state_os(err, "cannot fsync", "the state folder", &e);
	return BCP_OK;
}

/* ---- reading ---- */

/* Reads the whole small file name ("the state file": what) into buf (max bytes and a
 * NUL). A missing file sets *missing and is BCP_OK; a link, a non-regular file or a
 * larger one is BCP_E_STATE. */
static enum bcp_status read_small(const bcpi_dir *d, const char *name, const char *what,
	char *buf, size_t max, size_t *len, int *missing, struct bcp_error *err)
{
	struct bcpi_finfo fi;
	struct bcpi_oserr e;
	bcpi_file f;
	size_t got = 0;
	long long n;
	int rc = bcpi_os_open_read(d, name, &f, &e);

	*len = 0;
	*missing = rc != 0 && e.kind == BCPI_OS_MISSING;
	if (*missing)
		return BCP_OK;
	if (rc != 0 && e.kind == BCPI_OS_LINK)
		return bcpi_fail(err, BCP_E_STATE, "%s is a symbolic link; the state folder holds "
			"only regular files", what);
	if (rc != 0)
		return bcpi_state_os(err, "cannot open", what, &e);
	if (bcpi_os_fstat(&f, 1, &fi, &e) != 0) {
		bcpi_state_os(err, "cannot stat", what, &e);
		bcpi_os_close(&f, &e);
		return BCP_E_STATE;
	}
	if (fi.type != BCPI_FT_REGULAR) {
		bcpi_os_close(&f, &e);
		return bcpi_fail(err, BCP_E_STATE, "%s is not a regular file", what);
	}
	if (bcpi_check_owner(&fi, what, err) != BCP_OK) {
		bcpi_os_close(&f, &e);
		return BCP_E_STATE;
	}
	/* Read one byte more than allowed, so that a file that grew is caught too. */
	for (;;) {
		n = bcpi_os_read(&f, buf + got, max + 1 - got, &e);
		if (n < 0) {
			bcpi_state_os(err, "cannot read", what, &e);
			bcpi_os_close(&f, &e);
			return BCP_E_STATE;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max) {
			bcpi_os_close(&f, &e);
			return bcpi_fail(err, BCP_E_STATE, "%s is larger than %zu bytes", what, max);
		}
	}
	bcpi_os_close(&f, &e);
	buf[got] = '\0';
	*len = got;
	return BCP_OK;
}

enum bcp_status bcpi_trust_read(const bcpi_dir *d, struct bcpi_trust *t, struct bcp_error *err)
{
	char text[TRUST_FILE_MAX + 1];
	size_t len, at, line;
	enum bcp_status st;
	int missing;

	memset(t, 0, sizeof *t);
	if ((st = read_small(d, BCPI_TRUST, "the trust file", text, TRUST_FILE_MAX, &len, &missing, err))
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

enum bcp_status bcpi_state_read(const bcpi_dir *d, struct bcpi_state *st, struct bcp_error *err)
{
	char text[STATE_FILE_MAX + 1];
	const char *p, *key;
	size_t len, klen, line = 0;
	uint64_t v, *serials[3];
	enum bcp_status s;
	int missing, neg, seen[4] = { 0 }, k;

	memset(st, 0, sizeof *st);
	if ((s = read_small(d, BCPI_STATE, "the state file", text, STATE_FILE_MAX, &len, &missing, err))
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

/* Writes and fsyncs the file tmp open on f, and closes it; on failure removes it. */
static enum bcp_status tmp_fill(const bcpi_dir *d, bcpi_file *f, const char *tmp,
	const void *data, size_t len, const struct bcpi_hook *h, struct bcp_error *err)
{
	struct bcpi_oserr e, ignored;
	const char *what = "cannot write";

	if (bcpi_os_write_all(f, data, len, &e) != 0)
		goto fail;
	bcpi_step(h, "write %s", tmp);
	what = "cannot fsync";
	if (bcpi_os_file_sync(f, &e) != 0)
		goto fail;
	bcpi_step(h, "fsync %s", tmp);
	what = "cannot close";
	if (bcpi_os_close(f, &e) != 0) {
		bcpi_state_os(err, what, tmp, &e);
		bcpi_os_unlink(d, tmp);
		return BCP_E_STATE;
	}
	return BCP_OK;

fail:
	bcpi_state_os(err, what, tmp, &e);
	bcpi_os_close(f, &ignored);
	bcpi_os_unlink(d, tmp);
	return BCP_E_STATE;
}

enum bcp_status bcpi_tmp_write(const bcpi_dir *d, const char *tmp, const void *data,
	size_t len, const struct bcpi_hook *h, struct bcp_error *err)
{
	struct bcpi_oserr e;
	bcpi_file f;

	if (bcpi_os_create_private(d, tmp, &f, &e) != 0)
		return bcpi_state_os(err, "cannot create", tmp, &e);
	return tmp_fill(d, &f, tmp, data, len, h, err);
}

enum bcp_status bcpi_tmp_commit(const bcpi_dir *d, const char *tmp, const char *name,
	const struct bcpi_hook *h, struct bcp_error *err)
{
	struct bcpi_oserr e;

	if (bcpi_os_rename(d, tmp, name, &e) != 0) {
		bcpi_state_os(err, "cannot rename over", name, &e);
		bcpi_os_unlink(d, tmp);
		return BCP_E_STATE;
	}
	bcpi_step(h, "rename %s", name);
	if (bcpi_dir_sync(d, err) != BCP_OK)
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
	bcpi_dir *d;

	memset(rep, 0, sizeof *rep);
	if (out)
		*out = NULL;
	if (!dir || !out)
		return bcpi_fail(err, BCP_E_ARG, "bcp_open_state needs dir and out");
	/* A folder that cannot be read is reported as current.bcp's failure too: the
	 * installed blob could not be tried. */
	s = BCP_E_STATE;
	if (!(d = bcpi_dir_open(dir, NULL, &cur)) ||
	    (s = bcpi_check_files(d, &cur)) != BCP_OK ||
	    (s = bcpi_trust_read(d, &t, &cur)) != BCP_OK ||
	    (s = bcpi_state_read(d, &st, &cur)) != BCP_OK) {
		bcpi_os_dir_close(d);
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
	rep->current_status = bcpi_open_at(d, BCPI_CURRENT, &o, out, &cur);
	snprintf(rep->current_message, sizeof rep->current_message, "%s",
		rep->current_status == BCP_OK ? bcp_status_str(BCP_OK) : cur.message);
	if (rep->current_status != BCP_OK && !blob_fault(rep->current_status)) {
		bcpi_os_dir_close(d);   /* not the blob's fault: no fallback to an older one */
		if (err)
			*err = cur;
		return rep->current_status;
	}
	if (rep->current_status != BCP_OK) {
		/* The last-known-good: never older than the blob we moved there. */
		o.min_serial = st.previous_serial;
		s = bcpi_open_at(d, BCPI_PREVIOUS, &o, out, &prev);
		if (s != BCP_OK) {
			bcpi_os_dir_close(d);
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
	bcpi_os_dir_close(d);
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
	struct bcpi_oserr e;
	enum bcp_status s;
	bcpi_file f;
	unsigned i;
	bcpi_dir *d;
	int rc = -1;

	if (!dir)
		return bcpi_fail(err, BCP_E_ARG, "bcp_state_note_time needs dir");
	if (!(d = bcpi_dir_open(dir, NULL, err)))
		return BCP_E_STATE;
	/* Writers of one folder take turns (install.c takes the same lock). */
	if (bcpi_os_dir_lock(d, &e) != 0) {
		s = bcpi_state_os(err, "cannot lock", dir, &e);
		bcpi_os_dir_close(d);
		return s;
	}
	if ((s = bcpi_state_read(d, &st, err)) != BCP_OK) {
		bcpi_os_dir_close(d);   /* a broken state file is reported, never papered over */
		return s;
	}
	if (st.present && now <= st.latest_time) {
		bcpi_os_dir_close(d);
		bcpi_ok(err);
		return BCP_OK;
	}
	st.present = 1;
	st.latest_time = now;
	/* A name of our own: several threads or processes may note the time at once,
	 * and the installer removes what a crash left behind. */
	for (i = 0; i < 1000 && rc != 0; i++) {
		snprintf(tmp, sizeof tmp, "state.%lu.%u.tmp", bcpi_os_pid(), i);
		rc = bcpi_os_create_private(d, tmp, &f, &e);
		if (rc != 0 && e.kind != BCPI_OS_EXISTS)
			break;
	}
	if (rc != 0) {
		bcpi_state_os(err, "cannot create", tmp, &e);
		bcpi_os_dir_close(d);
		return BCP_E_STATE;
	}
	s = tmp_fill(d, &f, tmp, text, bcpi_state_format(&st, text), NULL, err);
	if (s == BCP_OK)
		s = bcpi_tmp_commit(d, tmp, BCPI_STATE, NULL, err);
	bcpi_os_dir_close(d);
	if (s == BCP_OK)
		bcpi_ok(err);
	return s;
}
