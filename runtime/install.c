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
 * Nothing here locks: one installer at a time per folder (bcp.h). */
#include "internal.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define CURRENT_TMP "current.tmp"
#define PREVIOUS_TMP "previous.tmp"
#define PREVIOUS_OLD_TMP "previous.old.tmp"   /* the old previous.bcp, until the commit */
#define TRUST_TMP "trust.tmp"
#define STATE_TMP "state.tmp"

/* Removes what an interrupted install or bcp_state_note_time left behind: our
 * temporary files, "current.*.tmp", "previous.*.tmp", "trust.*.tmp", "state.*.tmp". */
static void remove_stale(int dirfd)
{
	static const char *const prefixes[] = { "current.", "previous.", "trust.", "state." };
	struct dirent *e;
	size_t n, i;
	DIR *d;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n < 4 || strcmp(e->d_name + n - 4, ".tmp") != 0)
			continue;
		for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
			if (strncmp(e->d_name, prefixes[i], strlen(prefixes[i])) == 0) {
				unlinkat(dirfd, e->d_name, 0);
				break;
			}
	}
	closedir(d);
}

enum current_bytes { CURRENT_MISSING, CURRENT_OTHER, CURRENT_SAME };

/* Whether current.bcp holds exactly blob[0..len). Unreadable counts as other. */
static enum current_bytes compare_current(int dirfd, const uint8_t *blob, size_t len)
{
	uint8_t buf[16384];
	struct stat sb;
	size_t at = 0;
	ssize_t n;
	int same = 0, fd = openat(dirfd, BCPI_CURRENT,
		O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);

	if (fd < 0)
		return errno == ENOENT ? CURRENT_MISSING : CURRENT_OTHER;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uintmax_t)sb.st_size != len) {
		close(fd);
		return CURRENT_OTHER;
	}
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (size_t)n > len - at || memcmp(buf, blob + at, (size_t)n) != 0) {
			same = n == 0 && at == len;
			break;
		}
		at += (size_t)n;
	}
	close(fd);
	return same ? CURRENT_SAME : CURRENT_OTHER;
}

/* Creates dir (0700) and opens it; then fsyncs its parent so the entry lasts. */
static int create_dir(const char *dir, struct bcp_error *err)
{
	int fd, parent;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		bcpi_state_errno(err, "cannot create the state folder", dir);
		return -1;
	}
	if ((fd = bcpi_dir_open(dir, NULL, err)) < 0)
		return -1;
	parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent >= 0) {
		fsync(parent);   /* best effort: without it a crash may lose the new folder */
		close(parent);
	}
	return fd;
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
static enum bcp_status write_trust(int dirfd, const struct bcp_install_opts *o,
	const struct bcpi_hook *h, struct bcp_error *err)
{
	char trust[BCPI_MAX_TRUST * 45];
	enum bcp_status s;

	if ((s = bcpi_tmp_write(dirfd, TRUST_TMP, trust, trust_text(o, trust), h, err)) != BCP_OK)
		return s;
	return bcpi_tmp_commit(dirfd, TRUST_TMP, BCPI_TRUST, h, err);
}

/* The state file, always the last step. */
static enum bcp_status write_state(int dirfd, const struct bcpi_state *ns,
	const struct bcpi_hook *h, struct bcp_error *err)
{
	char state[BCPI_STATE_TEXT_MAX];
	enum bcp_status s;

	if ((s = bcpi_tmp_write(dirfd, STATE_TMP, state, bcpi_state_format(ns, state), h, err)) !=
	    BCP_OK)
		return s;
	return bcpi_tmp_commit(dirfd, STATE_TMP, BCPI_STATE, h, err);
}

/* A hard link of the file from to the new name to, then the hook. */
static enum bcp_status link_step(int dirfd, const char *from, const char *to,
	const struct bcpi_hook *h, struct bcp_error *err)
{
	if (linkat(dirfd, from, dirfd, to, 0) != 0)
		return bcpi_state_errno(err, "cannot hard-link to", to);
	bcpi_step(h, "link %s", to);
	return BCP_OK;
}

/* Steps 1..3 when an installed blob moves to previous.bcp. Before the commit a
 * failure puts previous.bcp back as it was. */
static enum bcp_status replace_blobs(int dirfd, const void *blob, size_t len, int rotate,
	const struct bcpi_hook *h, struct bcp_error *err)
{
	enum bcp_status s;
	struct stat sb;
	int had_previous = 0, replaced = 0;

	if ((s = bcpi_tmp_write(dirfd, CURRENT_TMP, blob, len, h, err)) != BCP_OK)
		return s;
	if (rotate) {
		had_previous = fstatat(dirfd, BCPI_PREVIOUS, &sb, AT_SYMLINK_NOFOLLOW) == 0;
		if (had_previous &&
		    (s = link_step(dirfd, BCPI_PREVIOUS, PREVIOUS_OLD_TMP, h, err)) != BCP_OK)
			goto undo;
		if ((s = link_step(dirfd, BCPI_CURRENT, PREVIOUS_TMP, h, err)) != BCP_OK)
			goto undo;
		if (renameat(dirfd, PREVIOUS_TMP, dirfd, BCPI_PREVIOUS) != 0) {
			s = bcpi_state_errno(err, "cannot rename over", BCPI_PREVIOUS);
			goto undo;
		}
		/* After a crash at this step previous.bcp may already be a link to
		 * current.bcp, and a rename between two links to one file does nothing. */
		unlinkat(dirfd, PREVIOUS_TMP, 0);
		replaced = 1;
		bcpi_step(h, "rename %s", BCPI_PREVIOUS);
		if ((s = bcpi_dir_sync(dirfd, err)) != BCP_OK)
			goto undo;
		bcpi_step(h, "fsync folder (%s)", BCPI_PREVIOUS);
	}
	if (renameat(dirfd, CURRENT_TMP, dirfd, BCPI_CURRENT) != 0) {
		s = bcpi_state_errno(err, "cannot rename over", BCPI_CURRENT);
		goto undo;
	}
	/* The commit: from here on the new blob is installed, and a failure leaves the
	 * folder as a crash at that step would (docs/RUNTIME.md). */
	bcpi_step(h, "rename %s", BCPI_CURRENT);
	s = bcpi_dir_sync(dirfd, err);
	if (s == BCP_OK)
		bcpi_step(h, "fsync folder (%s)", BCPI_CURRENT);
	if (had_previous) {
		unlinkat(dirfd, PREVIOUS_OLD_TMP, 0);
		bcpi_step(h, "unlink %s", PREVIOUS_OLD_TMP);
	}
	return s;

undo:
	unlinkat(dirfd, CURRENT_TMP, 0);
	unlinkat(dirfd, PREVIOUS_TMP, 0);
	if (replaced && had_previous)
		renameat(dirfd, PREVIOUS_OLD_TMP, dirfd, BCPI_PREVIOUS);
	else if (replaced)
		unlinkat(dirfd, BCPI_PREVIOUS, 0);
	unlinkat(dirfd, PREVIOUS_OLD_TMP, 0);
	fsync(dirfd);
	return s;
}

/* The blob in the file name, if it verifies with the old or the new trust set at now
 * (expired or not): returns 1 and its serial, 0 when it does not, -1 when out of
 * memory. */
static int verified_serial(int dirfd, const char *name, const struct bcpi_trust *old,
	const struct bcp_install_opts *o, int64_t now, uint64_t *serial,
	struct bcp_error *err)
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
	vo.flags = BCP_OPEN_EXPIRED_DENIES;
	if (bcpi_open_at(dirfd, name, &vo, &b, &why) != BCP_OK) {
		if (why.code != BCP_E_NOMEM)
			return 0;
		if (err)
			*err = why;
		return -1;
	}
	bcp_info(b, &info);
	*serial = info.serial;
	bcp_close(b);
	return 1;
}

enum bcp_status bcp_state_install(const char *dir, const void *blob, size_t len,
	const struct bcp_install_opts *o, int *unchanged, struct bcp_error *err)
{
	struct bcpi_state st, ns;
	struct bcpi_trust old;
	struct bcp_open_opts vo;
	struct bcp_error ignored;
	struct bcp_info info;
	struct bcpi_hook h;
	enum current_bytes cur;
	enum bcp_status s;
	uint64_t floor, serial, installed = 0, prev = 0;
	int64_t now;
	size_t i;
	int dirfd, missing, verified = 0;
	bcp_blob *b;

	if (unchanged)
		*unchanged = 0;
	if (!dir || !blob || !o)
		return bcpi_fail(err, BCP_E_ARG, "bcp_state_install needs dir, blob and options");
	if (!o->thumbprints || o->nthumbprints == 0 || o->nthumbprints > BCPI_MAX_TRUST)
		return bcpi_fail(err, BCP_E_TRUST_ANCHOR,
			"%zu thumbprints given; the trust set holds 1 to %d", o->nthumbprints,
			BCPI_MAX_TRUST);
	for (i = 0; i < o->nthumbprints; i++)
		if (!o->thumbprints[i] || !bcp_thumbprint_valid(o->thumbprints[i]))
			return bcpi_fail(err, BCP_E_TRUST_ANCHOR,
				"thumbprint %zu is not 44 characters of canonical base64 "
				"(SHA-256 of the key's DER SubjectPublicKeyInfo)", i);
	h.fn = o->step_hook;
	h.ctx = o->hook_ctx;

	memset(&st, 0, sizeof st);
	memset(&old, 0, sizeof old);
	dirfd = bcpi_dir_open(dir, &missing, err);
	if (dirfd < 0 && !missing)
		return BCP_E_STATE;
	/* One writer at a time per folder: installers and bcp_state_note_time take
	 * turns on this lock (released when dirfd closes). */
	if (dirfd >= 0 && flock(dirfd, LOCK_EX) != 0) {
		s = bcpi_state_errno(err, "cannot lock", dir);
		goto out;
	}
	/* A broken state file stops the install: it holds the rollback floor, which no
	 * installer argument can restore. A broken trust file is replaced below. */
	if (dirfd >= 0 && (s = bcpi_state_read(dirfd, &st, err)) != BCP_OK)
		goto out;
	if (dirfd >= 0 && bcpi_trust_read(dirfd, &old, &ignored) != BCP_OK)
		old.n = 0;
	now = bcpi_effective_now(o->now, st.latest_time);

	/* The floor: the highest serial recorded, or the installed blob's when the state
	 * file lags it (an install interrupted before its last step). */
	floor = st.highest_serial;
	if (dirfd >= 0 &&
	    (verified = verified_serial(dirfd, BCPI_CURRENT, &old, o, now, &installed, err)) < 0) {
		s = BCP_E_NOMEM;
		goto out;
	}
	if (verified && installed > floor)
		floor = installed;

	memset(&vo, 0, sizeof vo);
	vo.thumbprints = o->thumbprints;
	vo.nthumbprints = o->nthumbprints;
	vo.now = now;
	vo.min_serial = floor;
	if ((s = bcp_open_buffer(blob, len, &vo, &b, err)) != BCP_OK)
		goto out;
	bcp_info(b, &info);
	serial = info.serial;
	bcp_close(b);

	cur = dirfd < 0 ? CURRENT_MISSING : compare_current(dirfd, blob, len);
	if (cur != CURRENT_SAME && serial == floor && (floor > 0 || cur != CURRENT_MISSING)) {
		s = bcpi_fail(err, BCP_E_REPLAY, "serial %llu is already installed and %s %s; "
			"a different blob needs a higher serial", (unsigned long long)serial,
			BCPI_CURRENT, cur == CURRENT_MISSING ? "is missing" : "holds other bytes");
		goto out;
	}

	/* Accepted: from here on the folder changes. */
	if (dirfd < 0 && (dirfd = create_dir(dir, err)) < 0)
		return BCP_E_STATE;
	if (flock(dirfd, LOCK_EX) != 0) {
		s = bcpi_state_errno(err, "cannot lock", dir);
		goto out;
	}
	if (fchmod(dirfd, 0700) != 0) {
		s = bcpi_state_errno(err, "cannot make owner-only", dir);
		goto out;
	}
	remove_stale(dirfd);

	ns = st;
	ns.present = 1;
	ns.highest_serial = serial > st.highest_serial ? serial : st.highest_serial;
	ns.current_serial = serial;
	ns.latest_time = o->now > st.latest_time ? o->now : st.latest_time;
	/* With no trust set recorded yet nothing installed can verify, so the trust
	 * file goes first: a crash after the blob's commit then still leaves a blob
	 * that opens. Otherwise it goes after the blob, so that until the commit the
	 * old blob keeps the trust set it was installed with. */
	int trust_first = old.n == 0;
	if (trust_first && (s = write_trust(dirfd, o, &h, err)) != BCP_OK)
		goto out;
	if (cur != CURRENT_SAME) {
		/* The installed blob becomes the last-known-good if it verified and is
		 * not older than the one recorded as current. */
		int rotate = verified && installed >= st.current_serial;
		if (rotate)
			ns.previous_serial = installed;
		if ((s = replace_blobs(dirfd, blob, len, rotate, &h, err)) != BCP_OK)
			goto out;
	} else if (verified_serial(dirfd, BCPI_PREVIOUS, &old, o, now, &prev, err) > 0 &&
		   prev > st.previous_serial && prev < serial) {
		/* The same blob again, after an install interrupted past its commit:
		 * previous.bcp is newer than the state file says. */
		ns.previous_serial = prev;
	}
	if ((!trust_first && (s = write_trust(dirfd, o, &h, err)) != BCP_OK) ||
	    (s = write_state(dirfd, &ns, &h, err)) != BCP_OK)
		goto out;
	if (unchanged)
		*unchanged = cur == CURRENT_SAME;
	bcpi_ok(err);
out:
	if (dirfd >= 0)
		close(dirfd);
	return s;
}
