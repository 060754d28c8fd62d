/* bcp.h - libbcp, the Business Continuity policy runtime.
 *
 * This header is the whole API: whatever is not declared here is not API.
 *
 * A client opens a signed policy blob (made by bcpc compile), checked against the
 * trust anchor the installer supplied, binds a user once, then asks decisions:
 *
 *     bcp_blob *b;  bcp_user *u;  struct bcp_decision d;
 *     struct bcp_open_opts o = { .thumbprints = tp, .nthumbprints = 1, .now = time(NULL) };
 *     if (bcp_open_file("/path/policy.bcp", &o, &b, &err) != BCP_OK) deny everything;
 *     if (bcp_bind(b, &user, &u, &err) != BCP_OK) deny everything;
 *     bcp_decide_host(u, "sap.acme.example", 16, 443, BCP_TCP, &d);
 *
 * Errors are values: every call that can fail returns an enum bcp_status and, when
 * err is not NULL, fills it with the code and a message. Any error means deny.
 * No global state: handles are independent; a blob and the users bound to it are
 * read-only after creation and safe to use from many threads at once. */
#ifndef BCP_H
#define BCP_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BCP_VERSION_MAJOR 0
#define BCP_VERSION_MINOR 1
#define BCP_VERSION_PATCH 0
#define BCP_VERSION_STRING "0.1.0"
/* The blob format version this runtime reads; it refuses every other (docs/FORMAT.md).
 * The one definition: runtime/bcp_format.h takes its BCPF_VERSION from here. */
#define BCP_FORMAT_VERSION 3

/* BCP_API marks what libbcp exports. On Windows a client of libbcp.dll (through its
 * import library) needs nothing, and gets __declspec(dllimport); a client linking
 * the static libbcp.a defines BCP_STATIC; the DLL itself is built with
 * BCP_BUILD_DLL. Elsewhere it is empty: the ELF shared library exports bcp_*
 * through its version script (runtime/libbcp.map). MinGW and MSVC read it alike. */
#if defined(_WIN32) && defined(BCP_BUILD_DLL)
#define BCP_API __declspec(dllexport)
#elif defined(_WIN32) && !defined(BCP_STATIC)
#define BCP_API __declspec(dllimport)
#else
#define BCP_API
#endif

#if defined(__GNUC__)
#define BCP_MUST_CHECK __attribute__((warn_unused_result))
#else
#define BCP_MUST_CHECK
#endif

/* Status codes and their messages, from one table. */
#define BCP_STATUSES(X) \
	X(BCP_OK, "ok") \
	X(BCP_E_ARG, "invalid argument") \
	X(BCP_E_NOMEM, "out of memory") \
	X(BCP_E_IO, "cannot read the blob") \
	X(BCP_E_TOO_LARGE, "blob larger than the runtime accepts") \
	X(BCP_E_TRUNCATED, "blob truncated or length mismatch") \
	X(BCP_E_MAGIC, "not a policy blob (bad magic)") \
	X(BCP_E_VERSION, "blob format newer than this runtime") \
	X(BCP_E_HEADER, "malformed header") \
	X(BCP_E_UNTRUSTED_KEY, "blob signed by a key that is not trusted") \
	X(BCP_E_SIGNATURE, "bad signature") \
	X(BCP_E_STRUCTURE, "malformed blob structure") \
	X(BCP_E_SERIAL, "serial below the minimum accepted (rollback)") \
	X(BCP_E_NOT_YET_VALID, "blob not valid yet") \
	X(BCP_E_EXPIRED, "blob expired") \
	X(BCP_E_TRUST_ANCHOR, "invalid trust anchor (thumbprint or public key)") \
	X(BCP_E_USER, "invalid user attributes") \
	X(BCP_E_STATE, "state folder missing, unreadable or inconsistent") \
	X(BCP_E_REPLAY, "same serial as the installed blob but different bytes") \
	X(BCP_E_NO_GOOD_BLOB, "neither the installed blob nor the last-known-good one opens") \
	X(BCP_E_INCOMPLETE, "installed, but the install did not finish")

enum bcp_status {
#define BCP_STATUS_ENUM_(name, text) name,
	BCP_STATUSES(BCP_STATUS_ENUM_)
#undef BCP_STATUS_ENUM_
	BCP_STATUS_COUNT
};

/* Filled on failure: the code and a message that says what and where. A message
 * longer than the buffer (only with paths of hundreds of bytes) ends in "...". */
struct bcp_error {
	enum bcp_status code;
	char message[512];
};

/* The message of a status code; never NULL. Thread-safe. */
BCP_API const char *bcp_status_str(enum bcp_status code);
/* The runtime's version string, e.g. "0.1.0". */
BCP_API const char *bcp_version(void);

typedef struct bcp_blob bcp_blob;
typedef struct bcp_user bcp_user;

struct bcp_open_opts {
	/* Trust anchor: thumbprints (base64 of SHA-256 over the DER SubjectPublicKeyInfo
	 * of the signing key, 44 characters), or a PEM public key; at least one. */
	const char *const *thumbprints;
	size_t nthumbprints;
	const char *pubkey_pem;          /* NUL-terminated PEM text, or NULL */
	/* Both may be given: the blob's key is trusted when it matches any of them. A
	 * malformed thumbprint or PEM key is BCP_E_TRUST_ANCHOR, before the blob is read. */
	int64_t now;                     /* UNIX seconds: the caller's clock */
	uint64_t min_serial;             /* refuse blobs with a lower serial */
	uint32_t flags;                  /* BCP_OPEN_*; any other bit is BCP_E_ARG */
};

/* With this flag a blob whose only fault is being past not_after still opens, in the
 * expired state: every decision is BCP_DENY with reason BCP_REASON_EXPIRED, and
 * bcp_info says expired. Used for the installed blob during an outage, so that a
 * client keeps its settings but grants nothing. Every other check (signature,
 * structure, serial, not_before) still refuses the blob. Binding, profiles and
 * settings work as usual on an expired blob; only decisions change. */
#define BCP_OPEN_EXPIRED_DENIES 0x1u
/* The same for a blob whose only fault is that now is before not_before: it opens
 * in the not-yet-valid state, where every decision is BCP_DENY with reason
 * BCP_REASON_NOT_YET_VALID, and bcp_info says not_yet_valid. bcp_open_state uses
 * it so that a clock stepped back never makes an older blob take over from a newer
 * one that is not in force yet. */
#define BCP_OPEN_NOT_YET_VALID_DENIES 0x2u

/* Opens a blob from a file and verifies it completely: header, signature against
 * the trust anchor, serial, validity window, then one structural pass over every
 * offset and count. On success *out is a usable handle; on any failure *out is
 * NULL, nothing stays open, and err says why.
 *
 * What the handle owns: a private copy of the blob's bytes, read from the file
 * before the first check (the file is not mapped and not kept open), its decoded
 * settings, and a table of the prefix lengths present under each /16, /24 (IPv4)
 * and /32, /48, /64 (IPv6) that has longer prefixes (at most 64 bytes per address
 * pattern; docs/BENCHMARKS.md has the figures of its tenants). Every decision reads only that verified copy: whatever another process
 * does to the file after open (rewrite, flip, truncate, replace) changes no
 * decision and cannot crash the caller. A shortage of memory is BCP_E_NOMEM. How
 * much memory an open may take for a blob of a given size: docs/SECURITY.md.
 * Paths are UTF-8 on every platform (on Windows libbcp converts them to UTF-16, and
 * no other process may write the file while it is read: docs/RUNTIME.md "Windows"). */
BCP_MUST_CHECK BCP_API enum bcp_status bcp_open_file(const char *path, const struct bcp_open_opts *opts,
					     bcp_blob **out, struct bcp_error *err);
/* The same for a blob in memory. The bytes are copied before they are checked: the
 * caller may change or free buf as soon as this returns. */
BCP_MUST_CHECK BCP_API enum bcp_status bcp_open_buffer(const void *buf, size_t len,
					       const struct bcp_open_opts *opts,
					       bcp_blob **out, struct bcp_error *err);
/* Closes the blob. NULL is a no-op. Users bound to it must be freed first. */
BCP_API void bcp_close(bcp_blob *b);

/* What the header says (valid while the blob is open). */
struct bcp_info {
	uint32_t format_version;
	uint64_t serial;
	int64_t not_before, not_after, created;
	uint8_t pubkey[32];
	char thumbprint[45];
	const char *tenant;              /* NULL when the policy named none */
	uint32_t nsegments, nrules, nprofiles, nhost_patterns, naddr_patterns;
	int expired;                     /* opened with BCP_OPEN_EXPIRED_DENIES past not_after */
	int not_yet_valid;               /* opened with BCP_OPEN_NOT_YET_VALID_DENIES before
					    not_before */
};
BCP_API void bcp_info(const bcp_blob *b, struct bcp_info *out);

/* A user's attributes, as the client knows them. Every field is optional (NULL/0).
 * client_type NULL means "zapp". Strings are NUL-terminated; compared exactly,
 * except country (any case). */
struct bcp_attr {
	const char *name;
	const char *const *values;
	size_t nvalues;
};
/* One attribute by its keyword, the word of its condition in docs/LANGUAGE.md 4.7:
 * "machine_group", "scim_group", "saml", ... name is the attribute's name for the
 * kinds that take one (saml, scim) and NULL for every other. An unknown kind (one
 * of a newer runtime), a missing or extra name, a NULL array with a count or a NULL
 * value is BCP_E_USER at bind; so is more than one value, counting the fields
 * below too, of a kind a user has one of (idp, platform, client_type, country,
 * machine_group). */
struct bcp_user_attr {
	const char *kind;
	const char *name;
	const char *const *values;
	size_t nvalues;
};
struct bcp_user_info {
	const struct bcp_attr *saml;
	size_t nsaml;
	const struct bcp_attr *scim;
	size_t nscim;
	const char *const *scim_groups;
	size_t nscim_groups;
	const char *idp;
	const char *platform;            /* windows mac linux ios android */
	const char *client_type;
	const char *const *posture;      /* names of postures that verified */
	size_t nposture;
	const char *const *trusted_networks;
	size_t ntrusted_networks;
	const char *country;             /* ISO 3166 alpha-2 */
	/* Any attribute by keyword, the nine above included (their values add to the
	 * fields'); the only way to pass one the language gained later (machine_group).
	 *
	 * ABI: this struct, bcp_attr and bcp_user_attr keep their layout from here on.
	 * A new attribute is a new keyword, a value of bcp_user_attr.kind, never a new
	 * field; so a client built against this header binds with any later libbcp of
	 * the same major version, and one built later can pass a newer keyword to an
	 * older libbcp, which refuses it (BCP_E_USER: deny) rather than ignore it.
	 * attrs was added with machine_group (libbcp.so.0 is pre-1.0): rebuild clients
	 * built before it. Zero the struct before filling it ({0} or memset). */
	const struct bcp_user_attr *attrs;
	size_t nattrs;
};

/* Evaluates the user's conditions once against every rule and profile. The user
 * keeps no pointer into info. The blob must outlive the user. info NULL is
 * BCP_E_ARG; a NULL attribute name or value, or a NULL array with a non-zero
 * count, is BCP_E_USER. */
BCP_MUST_CHECK BCP_API enum bcp_status bcp_bind(const bcp_blob *b, const struct bcp_user_info *info,
					bcp_user **out, struct bcp_error *err);
/* Where bcp_bind_with takes the bound user's memory: like malloc and free, with
 * ctx passed back. alloc may return NULL (the bind then fails with BCP_E_NOMEM and
 * releases what it took). Both functions must be set. The user keeps a copy of
 * this struct, so the functions and ctx must stay usable until bcp_user_free. */
struct bcp_allocator {
	void *(*alloc)(void *ctx, size_t n);
	void (*release)(void *ctx, void *p);
	void *ctx;
};

/* bcp_bind, with the bound user's memory from a; a NULL a means malloc and free
 * (bcp_bind is bcp_bind_with(b, info, NULL, out, err)). Every allocation of the
 * bind goes through a: the user, and scratch released before it returns; and
 * bcp_user_free gives the user back to a. An a without both functions is
 * BCP_E_ARG. A failed allocation is BCP_E_NOMEM, with *out NULL and nothing left
 * allocated. Thread-safe when a's functions are. Binding is the only allocation
 * between open and close (decisions never allocate); bcp_open_* take their memory
 * from malloc, msgpack-c and OpenSSL, not from an allocator. */
BCP_MUST_CHECK BCP_API enum bcp_status bcp_bind_with(const bcp_blob *b, const struct bcp_user_info *info,
					     const struct bcp_allocator *a, bcp_user **out,
					     struct bcp_error *err);
/* Frees a bound user, through the allocator it was bound with. NULL is a no-op. */
BCP_API void bcp_user_free(bcp_user *u);
/* The name of the user's app profile, or NULL when no profile applies. */
BCP_API const char *bcp_user_profile(const bcp_user *u);
/* Index of that profile (for bcp_profile_setting), or -1. */
BCP_API int bcp_user_profile_index(const bcp_user *u);

enum bcp_proto { BCP_TCP = 0, BCP_UDP = 1 };
enum bcp_verdict {
	BCP_NONE,      /* not a private app: no pattern matched */
	BCP_DROP,      /* a private app, but no segment serves this port */
	BCP_BYPASS,    /* the segment is bypassed: go direct */
	BCP_ALLOW,
	BCP_DENY,
};
/* "none", "drop", "bypass", "allow", "deny". */
BCP_API const char *bcp_verdict_str(enum bcp_verdict v);

/* Why a decision came out as it did. */
enum bcp_reason {
	BCP_REASON_POLICY,     /* the policy decided (the normal case) */
	BCP_REASON_EXPIRED,    /* the blob is past not_after: deny */
	BCP_REASON_BAD_HOST,   /* the host is neither a valid name nor an address, or
				  another argument is invalid: BCP_E_ARG, deny */
	BCP_REASON_NOT_YET_VALID,   /* the blob is before not_before: deny */
};
/* "policy", "expired", "bad_host", "not_yet_valid"; "unknown" for any other value.
 * Thread-safe. */
BCP_API const char *bcp_reason_str(enum bcp_reason r);

struct bcp_decision {
	enum bcp_verdict verdict;
	enum bcp_reason reason;
	const char *segment;   /* NUL-terminated, inside the blob; NULL when none */
	const char *rule;      /* NULL when no rule decided */
	int32_t segment_index, rule_index;   /* -1 when none */
};

/* Decides (host, port, proto) for a bound user. host is a name or an IP literal
 * (IPv4, IPv6, or [IPv6]); case and one trailing dot of a name are ignored. As in
 * docs/LANGUAGE.md 4.5.1, a name whose last label is all digits ("127.1") is not a
 * host name, and an IP literal takes no trailing dot. Never allocates,
 * takes no lock, O(1) in the size of the policy. Returns BCP_OK, or BCP_E_ARG for a
 * host that is neither a valid name nor an address, a NULL u or host, or a bad
 * proto (then out says deny, reason bad_host; out NULL is BCP_E_ARG and nothing
 * else). The arguments are checked first: on a blob opened expired, every valid
 * request is BCP_OK, deny, reason expired, without segment or rule. */
BCP_MUST_CHECK BCP_API enum bcp_status bcp_decide_host(const bcp_user *u, const char *host, size_t len,
					       uint16_t port, enum bcp_proto proto,
					       struct bcp_decision *out);
/* The same for an address in network order: an IPv4 address (4 bytes), an IPv6
 * address (16 bytes). A NULL u or addr or a bad proto is BCP_E_ARG, deny, bad_host. */
BCP_MUST_CHECK BCP_API enum bcp_status bcp_decide_addr4(const bcp_user *u, const uint8_t addr[4],
						uint16_t port, enum bcp_proto proto,
						struct bcp_decision *out);
BCP_MUST_CHECK BCP_API enum bcp_status bcp_decide_addr6(const bcp_user *u, const uint8_t addr[16],
						uint16_t port, enum bcp_proto proto,
						struct bcp_decision *out);
/* Either, by family: 4 reads 4 bytes at addr, 6 reads 16; another family is
 * BCP_E_ARG, deny, bad_host. */
BCP_MUST_CHECK BCP_API enum bcp_status bcp_decide_addr(const bcp_user *u, int family,
					       const uint8_t *addr, uint16_t port,
					       enum bcp_proto proto, struct bcp_decision *out);

/* The business_continuity settings, decoded from the blob (msgpack). Strings are
 * owned by the blob handle. present is 0 when the policy has no such block. */
struct bcp_controller {
	const char *host;
	uint16_t port;
};
struct bcp_settings {
	int present;
	const char *domain, *sni, *sni_new_user, *sp_url;   /* NULL when not set */
	const struct bcp_controller *controllers;
	size_t ncontrollers;
	const char *sp_ca_pem;           /* the SP CA certificate, PEM; NULL when absent */
	size_t sp_ca_len;
	uint32_t enter_after_s, exit_after_s, auth_max_age_s;
	int exit_automatic;              /* 0: time_based, 1: automatic */
};
BCP_API void bcp_settings_get(const bcp_blob *b, struct bcp_settings *out);

/* App profiles and their settings. */
enum bcp_setting_type { BCP_SET_STRING, BCP_SET_INT, BCP_SET_BOOL, BCP_SET_DURATION,
			BCP_SET_LIST };
/* The app-profile settings a client reads, one row each: X(name, type, meaning).
 * A policy may set other names (bcpc check accepts any word, so that a policy can
 * carry a setting for a newer client); `bcpc lint` warns about a name not listed
 * here ("did you mean ...") and about a listed name set with another type. A client
 * should look settings up by these names and ignore names it does not know. */
#define BCP_PROFILE_SETTINGS(X) \
	X("reauth_timeout", BCP_SET_DURATION, \
	  "how long a sign-in lasts before the client asks the user to sign in again") \
	X("allowed_dns_suffixes", BCP_SET_LIST, \
	  "the DNS suffixes whose names the client sends to private apps") \
	X("enforce_firewall", BCP_SET_BOOL, \
	  "whether the client keeps the device firewall on while the profile applies") \
	X("log_level", BCP_SET_STRING, \
	  "how much the client logs (for example \"warn\" or \"info\")") \
	X("max_tunnels", BCP_SET_INT, \
	  "the most tunnels the client keeps open at once")
struct bcp_setting {
	const char *key;
	enum bcp_setting_type type;
	const char *s;                   /* BCP_SET_STRING */
	uint64_t n;                      /* INT, BOOL, DURATION (seconds) */
	const char *const *list;         /* BCP_SET_LIST */
	size_t nlist;
};
BCP_API size_t bcp_profile_count(const bcp_blob *b);
/* Name of profile i, or NULL when out of range. */
BCP_API const char *bcp_profile_name(const bcp_blob *b, size_t i);
/* Number of settings of profile i (0 when out of range). */
BCP_API size_t bcp_profile_setting_count(const bcp_blob *b, size_t i);
/* Setting j of profile i; returns 0, or -1 when out of range. */
BCP_API int bcp_profile_setting(const bcp_blob *b, size_t i, size_t j, struct bcp_setting *out);

/* ---- The device's state folder (docs/RUNTIME.md) ----
 *
 * A state folder holds the installed blob (current.bcp), the last-known-good one
 * (previous.bcp), the trusted thumbprints (trust) and the state file (state: the
 * highest serial ever accepted, the serials of both blobs, the latest time seen).
 * Files are created owner-only (0600, the folder 0700, whatever the umask). Installs
 * are atomic: a crash at any point leaves a folder from which bcp_open_state opens
 * the old blob or the new one. The files are only ever regular files: a symbolic
 * link in their place is not followed (the folder itself may be a link). The
 * folder's file system must support hard links. Problems of the folder itself
 * (missing, not a folder, unreadable, a broken trust or state file, a failed
 * write, fsync or rename) are BCP_E_STATE, with the file and errno in the message.
 *
 * Ownership: the folder and every file in it must belong to the effective user of
 * the process that installs or opens it, with no group or other permission bits;
 * anything else is BCP_E_STATE naming the path, its owner and its mode, at install
 * and at open (another account could have made or changed it). Install and open
 * with the same account (the client's service account). The folder's parent must
 * not be writable by other accounts (docs/SECURITY.md says why). */

/* How far (seconds) the clock may move back behind the latest time seen before
 * that latest time is used instead (so a clock set back cannot reopen an expired
 * window). */
#define BCP_CLOCK_TOLERANCE 300

struct bcp_install_opts {
	const char *const *thumbprints;  /* the trust set to record (1..16); replaces the old one */
	size_t nthumbprints;
	int64_t now;                     /* the caller's clock */
	/* For tests only (NULL otherwise): called after each write, fsync, link, rename
	 * and unlink step with its name ("write current.tmp", "rename current.bcp",
	 * "fsync folder (trust)", ...; docs/RUNTIME.md lists them); a test hook may
	 * abort() to simulate a crash there. */
	void (*step_hook)(void *ctx, const char *step);
	void *hook_ctx;
};

/* Verifies blob (len bytes) against the thumbprints, refuses a serial below the
 * highest ever accepted (BCP_E_SERIAL), the same serial with other bytes
 * (BCP_E_REPLAY), an expired or not-yet-valid blob; then installs it atomically and
 * keeps the previous blob as last-known-good. Creates dir (mode 0700; on Windows a
 * protected DACL for SYSTEM, Administrators and this account) if needed, and only
 * for a blob that verifies. *unchanged (if not NULL) is set to 1 when the
 * same blob was already installed (a no-op that still records the trust set and
 * time). Installers and bcp_state_note_time on one folder take turns on an
 * exclusive lock of the folder (flock; Windows: LockFileEx on its file "lock"), and every check that decides an install (the
 * state file, the trust set, the installed blob, the serial floor, the replay
 * check) is made while holding it, so the highest serial accepted never decreases
 * whatever the interleaving of installers.
 *
 * Expiry is checked at max(o->now, latest time seen - BCP_CLOCK_TOLERANCE). The
 * serial floor is the highest serial recorded, or the installed blob's when that is
 * higher (a state file left behind by a crash). The installed blob moves to
 * previous.bcp only if it verifies (with the recorded or the new trust set);
 * otherwise the old previous.bcp stays. A current.bcp that is missing or damaged
 * cannot be repaired with the same serial (that is BCP_E_REPLAY): push a higher one.
 * dir, blob or o NULL is BCP_E_ARG; no thumbprint, more than 16, or a malformed one
 * is BCP_E_TRUST_ANCHOR; a broken state file is BCP_E_STATE (it holds the rollback
 * floor, so it is never silently reset); so is a folder or file that is not ours
 * or not owner-only. A refused blob leaves the folder as it was (and does not
 * create it). A failure while writing leaves it as it was if it happens before
 * current.bcp is replaced; after that it is BCP_E_INCOMPLETE: the new blob is
 * current.bcp, the folder is as a crash at that step would leave it, and
 * installing the same blob again completes the install. */
BCP_MUST_CHECK BCP_API enum bcp_status bcp_state_install(const char *dir, const void *blob, size_t len,
						 const struct bcp_install_opts *o, int *unchanged,
						 struct bcp_error *err);

/* What bcp_open_state found. */
struct bcp_state_report {
	int fallback;                    /* 1: current.bcp failed, previous.bcp is open */
	enum bcp_status current_status;  /* why current.bcp failed (BCP_OK when it opened) */
	char current_message[512];
	int expired;                     /* the open blob is expired: decisions deny */
	int not_yet_valid;               /* the open blob is not valid yet: decisions deny */
	char previous_message[512];      /* why previous.bcp failed too (BCP_E_NO_GOOD_BLOB),
					    else empty */
	uint64_t serial;                 /* serial of the open blob */
	int64_t effective_now;           /* max(now, latest time seen - BCP_CLOCK_TOLERANCE) */
};

/* Opens "the installed blob in dir" with the trust set and serial floor recorded
 * there: current.bcp, or if it is missing or fails verification, previous.bcp (the
 * last-known-good), and says which in report. Expiry is checked against
 * effective_now; an expired blob opens in the expired state and a not yet valid
 * one in the not-yet-valid state (BCP_OPEN_EXPIRED_DENIES,
 * BCP_OPEN_NOT_YET_VALID_DENIES: every decision denies) rather than falling back
 * to an older one. Only a fault of current.bcp itself (missing, unreadable, not a
 * blob, damaged, untrusted, forged, below the floor) makes previous.bcp open.
 * Reads only; never writes the folder.
 *
 * current.bcp is opened with min_serial = highest_serial; previous.bcp with
 * min_serial = previous_serial. A missing state file means floors 0 and no latest
 * time; a missing or empty trust file is BCP_E_STATE. Returns BCP_OK (*out open),
 * BCP_E_STATE (the folder, trust or state file; report->current_status says the
 * same), BCP_E_NO_GOOD_BLOB (neither blob opens; the message has both reasons,
 * the report has the current one in full), BCP_E_NOMEM (out of memory or file
 * descriptors: no fallback is tried on it), or BCP_E_ARG (dir or out NULL). A
 * folder or file not ours or not owner-only is BCP_E_STATE, with no fallback.
 * report may be NULL. Thread-safe. */
BCP_MUST_CHECK BCP_API enum bcp_status bcp_open_state(const char *dir, int64_t now, bcp_blob **out,
					      struct bcp_state_report *report,
					      struct bcp_error *err);

/* Records now as the latest time seen, if it is later than the recorded one
 * (atomically: temporary file, fsync, rename). Clients call it now and then while
 * running. A folder without a state file gets one (serials 0); a broken state file
 * is BCP_E_STATE and left as it is; a missing folder is BCP_E_STATE. It takes the
 * folder's exclusive flock, as bcp_state_install does, so it may be called while an
 * install runs on the same folder, from another thread or process: they take turns,
 * and neither loses the other's write. */
BCP_MUST_CHECK BCP_API enum bcp_status bcp_state_note_time(const char *dir, int64_t now,
						   struct bcp_error *err);

/* 1 if t is a well-formed thumbprint: the canonical base64 of 32 bytes (43
 * characters, the last with its two spare bits zero, then one '='); else 0, also
 * for NULL. Anything else can never match a key, so callers should refuse it as a
 * configuration error. Thread-safe. */
BCP_API int bcp_thumbprint_valid(const char *t);

/* Thumbprint of a raw Ed25519 public key: base64 of SHA-256 over its DER
 * SubjectPublicKeyInfo; out gets 44 characters and a NUL. Returns 0 or -1. */
BCP_API int bcp_thumbprint(const uint8_t pubkey[32], char out[45]);

#ifdef __cplusplus
}
#endif
#endif
