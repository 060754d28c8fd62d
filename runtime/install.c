/* install.c - bcp_state_install: verify a blob in memory, then put it into the state
 * folder so that a crash at any step leaves a folder from which bcp_open_state opens
 * the old blob or the new one, never neither.
 *
 * The order of the steps is the design (docs/RUNTIME.md, "Install steps"):
 *   1. the new blob to current.tmp, fsync;
 *   2. the installed blob, hard-linked, renamed over previous.bcp, fsync of the folder;
 *   3. current.tmp renamed over current.bcp, fsync of the folder (the commit);
 *   4. the trust file, then 5. the state file, each by temporary file and rename.
 * Until 3 the old blob is current; after it the new one is, and while the trust file
 * still names only the old key, previous.bcp (the old blob) is what opens. The trust
 * set and the serial floor are written after the blob because a new trust set may no
 * longer trust the old blob, and a raised floor would refuse it.
 *
 * Installers and bcp_state_note_time take turns on the folder's exclusive lock
 * (bcpi_os_dir_lock); every read that decides an install is made while holding it.
 * Every file and folder operation goes through os.h, so these steps are the same on
 * every platform. */
#include "internal.h"
#include <stdio.h>
#include <string.h>

#define CURRENT_TMP "current.tmp"
#define PREVIOUS_TMP "previous.tmp"
#define PREVIOUS_OLD_TMP "previous.old.tmp"   /* the old previous.bcp, until the commit */
#define TRUST_TMP "trust.tmp"
#define STATE_TMP "state.tmp"

/* Removes name if it is one of our temporary files: "current.*.tmp",
 * "previous.*.tmp", "trust.*.tmp", "state.*.tmp". */
static void remove_if_stale(void *ctx, const char *name)
{
	static const char *const prefixes[] = { "current.", "previous.", "trust.", "state." };
	const bcpi_dir *d = ctx;
	size_t n = strlen(name), i;

	if (n < 4 || strcmp(name + n - 4, ".tmp") != 0)
		return;
	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0) {
			bcpi_os_unlink(d, name);
			return;
		}
}

/* Removes what an interrupted install or bcp_state_note_time left behind. */
static void remove_stale(const bcpi_dir *d)
{
	bcpi_os_dir_each(d, remove_if_stale, (void *)d);
}

enum current_bytes { CURRENT_MISSING, CURRENT_OTHER, CURRENT_SAME };

/* Whether current.bcp holds exactly blob[0..len). Unreadable counts as other. */
static enum current_bytes compare_current(const bcpi_dir *d, const uint8_t *blob, size_t len)
{
	uint8_t buf[16384];
	struct bcpi_finfo fi;
	struct bcpi_oserr e;
	bcpi_file f;
	size_t at = 0;
	long long n;
	int same = 0;

	if (bcpi_os_open_read(d, BCPI_CURRENT, &f, &e) != 0)
		return e.kind == BCPI_OS_MISSING ? CURRENT_MISSING : CURRENT_OTHER;
	if (bcpi_os_fstat(&f, 0, &fi, &e) != 0 || fi.type != BCPI_FT_REGULAR || fi.size != len) {
		bcpi_os_close(&f, &e);
		return CURRENT_OTHER;
	}
	for (;;) {
		n = bcpi_os_read(&f, buf, sizeof buf, &e);
		if (n <= 0 || (size_t)n > len - at || memcmp(buf, blob + at, (size_t)n) != 0) {
			same = n == 0 && at == len;
			break;
		}
		at += (size_t)n;
	}
	bcpi_os_close(&f, &e);
	return same ? CURRENT_SAME : CURRENT_OTHER;
}

/* Opens the state folder dir, creating it (this account's only) when it is
 * missing; *created says whether this call made it. An existing folder must be
 * owned by this process's user and owner-only (bcpi_dir_open checks). After a
 * creation the parent is synced so that the entry lasts. Returns it or NULL with
 * err. */
static bcpi_dir *open_or_create_dir(const char *dir, int *created, struct bcp_error *err)
{
	struct bcpi_oserr e;
	bcpi_dir *d;
	int missing;

	*created = 0;
	d = bcpi_dir_open(dir, &missing, err);
	if (d || !missing)
		return d;
	if (bcpi_os_dir_create(dir, &e) == 0)
		*created = 1;
	else if (e.kind != BCPI_OS_EXISTS) {   /* another installer made it just now */
		bcpi_state_os(err, "cannot create the state folder", dir, &e);
		return NULL;
	}
	if (!(d = bcpi_dir_open(dir, NULL, err)))
		return NULL;
	if (*created)
		bcpi_os_dir_sync_parent(d);   /* best effort: a crash may lose the new folder */
	return d;
}

/* Takes the folder's lock (waiting for any other writer), then makes sure that the
 * folder locked is still the one named dir: a folder renamed away while we waited
 * is not written. Hook step "lock folder", before waiting. */
static enum bcp_status lock_dir(bcpi_dir *d, const char *dir, const struct bcpi_hook *h,
	struct bcp_error *err)
{
	struct bcpi_oserr e;
	int same;

	bcpi_step(h, "lock %s", "folder");
	if (bcpi_os_dir_lock(d, &e) != 0)
		return bcpi_state_os(err, "cannot lock", dir, &e);
	if ((same = bcpi_os_dir_is_at(d, dir, &e)) < 0)
		return bcpi_state_os(err, "cannot stat", dir, &e);
	if (!same)
		return bcpi_fail(err, BCP_E_STATE, "the state folder %s was replaced by another "
			"while this install waited for its lock", dir);
	return BCP_OK;
}

/* The trust file's text: each thumbprint once, in the order given. Its length. */
static size_t trust_text(const struct bcp_install_opts *o, char *out)
{
	size_t i, j, len = 0;

	for (i = 0; i < o->nthumbprints; i++) {
		for (j = 0; j < i && strcmp(o->thumbprints[j], o->thumbprints[i]) != 0; j++)
			;
		if (j < i)
			continue;
		memcpy(out + len, o->thumbprints[i], 44);
		out[len + 44] = '\n';
		len += 45;
	}
	return len;
}

/* The trust file. */
static enum bcp_status write_trust(const bcpi_dir *d, const struct bcp_install_opts *o,
	const struct bcpi_hook *h, struct bcp_error *err)
{
	char trust[BCPI_MAX_TRUST * 45];
	enum bcp_status s;

	if ((s = bcpi_tmp_write(d, TRUST_TMP, trust, trust_text(o, trust), h, err)) != BCP_OK)
		return s;
	return bcpi_tmp_commit(d, TRUST_TMP, BCPI_TRUST, h, err);
}

/* The state file, always the last step. */
static enum bcp_status write_state(const bcpi_dir *d, const struct bcpi_state *ns,
	const struct bcpi_hook *h, struct bcp_error *err)
{
	char state[BCPI_STATE_TEXT_MAX];
	enum bcp_status s;

	if ((s = bcpi_tmp_write(d, STATE_TMP, state, bcpi_state_format(ns, state), h, err)) !=
	    BCP_OK)
		return s;
	return bcpi_tmp_commit(d, STATE_TMP, BCPI_STATE, h, err);
}

/* A hard link of the file from to the new name to, then the hook. */
static enum bcp_status link_step(const bcpi_dir *d, const char *from, const char *to,
	const struct bcpi_hook *h, struct bcp_error *err)
{
	struct bcpi_oserr e;

	if (bcpi_os_link(d, from, to, &e) != 0)
		return bcpi_state_os(err, "cannot hard-link to", to, &e);
	bcpi_step(h, "link %s", to);
	return BCP_OK;
}

/* Steps 1..3 when an installed blob moves to previous.bcp. Before the commit a
 * failure puts previous.bcp back as it was. */
static enum bcp_status replace_blobs(const bcpi_dir *d, const void *blob, size_t len,
	int rotate, const struct bcpi_hook *h, struct bcp_error *err)
{
	struct bcpi_finfo fi;
	struct bcpi_oserr e;
	enum bcp_status s;
	int had_previous = 0, replaced = 0;

	if ((s = bcpi_tmp_write(d, CURRENT_TMP, blob, len, h, err)) != BCP_OK)
		return s;
	if (rotate) {
		had_previous = bcpi_os_stat_at(d, BCPI_PREVIOUS, 0, &fi, &e) == 0;
		if (had_previous &&
		    (s = link_step(d, BCPI_PREVIOUS, PREVIOUS_OLD_TMP, h, err)) != BCP_OK)
			goto undo;
		if ((s = link_step(d, BCPI_CURRENT, PREVIOUS_TMP, h, err)) != BCP_OK)
			goto undo;
		if (bcpi_os_rename(d, PREVIOUS_TMP, BCPI_PREVIOUS, &e) != 0) {
			s = bcpi_state_os(err, "cannot rename over", BCPI_PREVIOUS, &e);
			goto undo;
		}
		/* After a crash at this step previous.bcp may already be a link to
		 * current.bcp, and a rename between two links to one file does nothing. */
		bcpi_os_unlink(d, PREVIOUS_TMP);
		replaced = 1;
		bcpi_step(h, "rename %s", BCPI_PREVIOUS);
		if ((s = bcpi_dir_sync(d, err)) != BCP_OK)
			goto undo;
		bcpi_step(h, "fsync folder (%s)", BCPI_PREVIOUS);
	}
	if (bcpi_os_rename(d, CURRENT_TMP, BCPI_CURRENT, &e) != 0) {
		s = bcpi_state_os(err, "cannot rename over", BCPI_CURRENT, &e);
		goto undo;
	}
	/* The commit: from here on the new blob is installed, and a failure leaves the
	 * folder as a crash at that step would (docs/RUNTIME.md). */
	bcpi_step(h, "rename %s", BCPI_CURRENT);
	s = bcpi_dir_sync(d, err);
	if (s == BCP_OK)
		bcpi_step(h, "fsync folder (%s)", BCPI_CURRENT);
	if (had_previous) {
		bcpi_os_unlink(d, PREVIOUS_OLD_TMP);
		bcpi_step(h, "unlink %s", PREVIOUS_OLD_TMP);
	}
	return s;

undo:
	bcpi_os_unlink(d, CURRENT_TMP);
	bcpi_os_unlink(d, PREVIOUS_TMP);
	if (replaced && had_previous)
		bcpi_os_rename(d, PREVIOUS_OLD_TMP, BCPI_PREVIOUS, &e);
	else if (replaced)
		bcpi_os_unlink(d, BCPI_PREVIOUS);
	bcpi_os_unlink(d, PREVIOUS_OLD_TMP);
	bcpi_os_dir_sync(d, &e);
	return s;
}

/* The blob in the file name, if it verifies with the old or the new trust set at now
 * (expired or not yet valid or not): returns 1 and its serial, 0 when it does not,
 * -1 with *fault and err when the device ran short of memory or the file is not
 * ours (BCP_E_NOMEM, BCP_E_STATE): those say nothing about the blob. */
static int verified_serial(const bcpi_dir *d, const char *name, const struct bcpi_trust *old,
	const struct bcp_install_opts *o, int64_t now, uint64_t *serial,
	enum bcp_status *fault, struct bcp_error *err)
{
	const char *both[2 * BCPI_MAX_TRUST];
	struct bcp_open_opts vo;
	struct bcp_error why;
	struct bcp_info info;
	bcp_blob *b;
	size_t i, n = 0;

	for (i = 0; i < old->n; i++)
		both[n++] = old->ptr[i];
	for (i = 0; i < o->nthumbprints; i++)
		both[n++] = o->thumbprints[i];
	memset(&vo, 0, sizeof vo);
	vo.thumbprints = both;
	vo.nthumbprints = n;
	vo.now = now;
	vo.flags = BCP_OPEN_EXPIRED_DENIES | BCP_OPEN_NOT_YET_VALID_DENIES;
	if (bcpi_open_at(d, name, &vo, &b, &why) != BCP_OK) {
		if (why.code != BCP_E_NOMEM && why.code != BCP_E_STATE)
			return 0;
		*fault = why.code;
		if (err)
			*err = why;
		return -1;
	}
	bcp_info(b, &info);
	*serial = info.serial;
	bcp_close(b);
	return 1;
}

/* The blob alone, against the new trust set at now and the serial floor: BCP_OK and
 * its serial, or why not. */
static enum bcp_status check_blob(const void *blob, size_t len,
	const struct bcp_install_opts *o, int64_t now, uint64_t floor, uint64_t *serial,
	struct bcp_error *err)
{
	struct bcp_open_opts vo;
	struct bcp_info info;
	enum bcp_status s;
	bcp_blob *b;

	memset(&vo, 0, sizeof vo);
	vo.thumbprints = o->thumbprints;
	vo.nthumbprints = o->nthumbprints;
	vo.now = now;
	vo.min_serial = floor;
	if ((s = bcp_open_buffer(blob, len, &vo, &b, err)) != BCP_OK)
		return s;
	bcp_info(b, &info);
	*serial = info.serial;
	bcp_close(b);
	return BCP_OK;
}

/* The thumbprints must be 1..16 well-formed ones. */
static enum bcp_status check_trust_args(const struct bcp_install_opts *o, struct bcp_error *err)
{
	size_t i;

	if (!o->thumbprints || o->nthumbprints == 0 || o->nthumbprints > BCPI_MAX_TRUST)
		return bcpi_fail(err, BCP_E_TRUST_ANCHOR,
			"%zu thumbprints given; the trust set holds 1 to %d", o->nthumbprints,
			BCPI_MAX_TRUST);
	for (i = 0; i < o->nthumbprints; i++)
		if (!o->thumbprints[i] || !bcp_thumbprint_valid(o->thumbprints[i]))
			return bcpi_fail(err, BCP_E_TRUST_ANCHOR,
				"thumbprint %zu is not 44 characters of canonical base64 "
				"(SHA-256 of the key's DER SubjectPublicKeyInfo)", i);
	return BCP_OK;
}

/* What the folder holds, read under the lock, and what the install will do. */
struct plan {
	struct bcpi_state st;          /* the state file */
	struct bcpi_trust old;         /* the recorded trust set (n 0: none or broken) */
	int64_t now;                   /* the effective now */
	uint64_t serial;               /* the new blob's */
	uint64_t installed;            /* current.bcp's, when it verified */
	int verified;                  /* current.bcp verified */
	enum current_bytes cur;        /* current.bcp against the new blob */
};

/* Every check that decides the install, on what the folder (locked) holds now:
 * the state file (a broken one stops the install: it holds the rollback floor,
 * which no installer argument can restore; a broken trust file is replaced), the
 * effective now, the serial floor (the highest serial recorded, or the installed
 * blob's when the state file lags it after an interrupted install), the new blob
 * against it, and the replay check. */
static enum bcp_status decide(bcpi_dir *d, const void *blob, size_t len,
	const struct bcp_install_opts *o, struct plan *p, struct bcp_error *err)
{
	struct bcp_error ignored;
	enum bcp_status s;
	uint64_t floor;

	memset(p, 0, sizeof *p);
	if ((s = bcpi_check_files(d, err)) != BCP_OK || (s = bcpi_state_read(d, &p->st, err)) != BCP_OK)
		return s;
	if (bcpi_trust_read(d, &p->old, &ignored) != BCP_OK)
		p->old.n = 0;
	p->now = bcpi_effective_now(o->now, p->st.latest_time);
	floor = p->st.highest_serial;
	p->verified = verified_serial(d, BCPI_CURRENT, &p->old, o, p->now, &p->installed, &s, err);
	if (p->verified < 0)
		return s;
	if (p->verified && p->installed > floor)
		floor = p->installed;
	if ((s = check_blob(blob, len, o, p->now, floor, &p->serial, err)) != BCP_OK)
		return s;
	p->cur = compare_current(d, blob, len);
	if (p->cur != CURRENT_SAME && p->serial == floor && (floor > 0 || p->cur != CURRENT_MISSING))
		return bcpi_fail(err, BCP_E_REPLAY, "serial %llu is already installed and %s %s; "
			"a different blob needs a higher serial", (unsigned long long)p->serial,
			BCPI_CURRENT, p->cur == CURRENT_MISSING ? "is missing" : "holds other bytes");
	return BCP_OK;
}

/* The accepted install, in the order of docs/RUNTIME.md ("The steps"). A failure
 * past the commit is BCP_E_INCOMPLETE: the new blob is current.bcp. */
static enum bcp_status apply(bcpi_dir *d, const char *dir, const void *blob, size_t len,
	const struct bcp_install_opts *o, const struct bcpi_hook *h, const struct plan *p,
	struct bcp_error *err)
{
	struct bcpi_state ns = p->st;
	struct bcpi_oserr e;
	enum bcp_status s;
	uint64_t prev = 0;
	int trust_first;

	if (bcpi_os_dir_make_private(d, &e) != 0)
		return bcpi_state_os(err, "cannot make owner-only", dir, &e);
	remove_stale(d);
	ns.present = 1;
	ns.highest_serial = p->serial > p->st.highest_serial ? p->serial : p->st.highest_serial;
	ns.current_serial = p->serial;
	ns.latest_time = o->now > p->st.latest_time ? o->now : p->st.latest_time;
	/* With no trust set recorded yet nothing installed can verify, so the trust
	 * file goes first: a crash after the blob's commit then still leaves a blob
	 * that opens. Otherwise it goes after the blob, so that until the commit the
	 * old blob keeps the trust set it was installed with. */
	trust_first = p->old.n == 0;
	if (trust_first && (s = write_trust(d, o, h, err)) != BCP_OK)
		return s;
	if (p->cur != CURRENT_SAME) {
		/* The installed blob becomes the last-known-good if it verified and is
		 * not older than the one recorded as current. */
		int rotate = p->verified && p->installed >= p->st.current_serial;
		if (rotate)
			ns.previous_serial = p->installed;
		if ((s = replace_blobs(d, blob, len, rotate, h, err)) != BCP_OK)
			goto committed;
	} else if (verified_serial(d, BCPI_PREVIOUS, &p->old, o, p->now, &prev, &s, NULL) > 0 &&
		   prev > p->st.previous_serial && prev < p->serial) {
		/* The same blob again, after an install interrupted past its commit:
		 * previous.bcp is newer than the state file says. */
		ns.previous_serial = prev;
	}
	if ((!trust_first && (s = write_trust(d, o, h, err)) != BCP_OK) ||
	    (s = write_state(d, &ns, h, err)) != BCP_OK)
		goto committed;
	return BCP_OK;

committed:
	/* Past the commit the new blob is current.bcp: say so, whatever failed. */
	if (p->cur == CURRENT_SAME || compare_current(d, blob, len) == CURRENT_SAME) {
		char why[sizeof err->message];
		snprintf(why, sizeof why, "%s", err ? err->message : "");
		s = bcpi_fail(err, BCP_E_INCOMPLETE, "serial %llu is in %s, but a later step "
			"failed (install the same blob again to finish): %s",
			(unsigned long long)p->serial, BCPI_CURRENT, why);
	}
	return s;
}

enum bcp_status bcp_state_install(const char *dir, const void *blob, size_t len,
	const struct bcp_install_opts *o, int *unchanged, struct bcp_error *err)
{
	struct bcpi_hook h;
	struct plan p;
	enum bcp_status s;
	uint64_t serial;
	bcpi_dir *d;
	int missing, created;

	if (unchanged)
		*unchanged = 0;
	if (!dir || !blob || !o)
		return bcpi_fail(err, BCP_E_ARG, "bcp_state_install needs dir, blob and options");
	if ((s = check_trust_args(o, err)) != BCP_OK)
		return s;
	h.fn = o->step_hook;
	h.ctx = o->hook_ctx;

	/* A missing folder is made only for a blob that verifies on its own: a refused
	 * blob changes nothing. Everything that decides the install is checked again,
	 * under the lock, on what the folder holds then. */
	d = bcpi_dir_open(dir, &missing, err);
	if (!d && !missing)
		return BCP_E_STATE;
	if (!d && (s = check_blob(blob, len, o, o->now, 0, &serial, err)) != BCP_OK)
		return s;
	if (!d && !(d = open_or_create_dir(dir, &created, err)))
		return BCP_E_STATE;

	/* One writer at a time per folder: installers and bcp_state_note_time take
	 * turns on this lock (released when the folder is closed). Every read of the
	 * folder that decides the install is made while holding it. */
	if ((s = lock_dir(d, dir, &h, err)) == BCP_OK &&
	    (s = decide(d, blob, len, o, &p, err)) == BCP_OK &&
	    (s = apply(d, dir, blob, len, o, &h, &p, err)) == BCP_OK) {
		if (unchanged)
			*unchanged = p.cur == CURRENT_SAME;
		bcpi_ok(err);
	}
	bcpi_os_dir_close(d);
	return s;
}
