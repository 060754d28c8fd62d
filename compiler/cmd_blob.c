/* cmd_blob.c - the commands that make and read blobs: keygen, compile, thumbprint,
 * verify, inspect. Verification always goes through libbcp, exactly as a client's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "blob.h"
#include "bcp_format.h"
#include "cli.h"
#include "file.h"
#include "frontend.h"
#include "keys.h"

int cmd_keygen(int argc, char **argv)
{
	const char *out = NULL;
	char err[512];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else
			return usage_error("keygen", "unexpected argument '%.200s'", argv[i]);
	}
	if (!out)
		return usage_error("keygen", "say where to write the key: -o KEY.pem");
	if (key_generate(out, err, sizeof err) != 0) {
		fprintf(stderr, "bcpc keygen: %s\n", err);
		return 1;
	}
	EVP_PKEY *k = key_load_private(out, err, sizeof err);
	uint8_t pub[32];
	char tp[45];
	if (!k || key_raw_public(k, pub) || key_thumbprint(pub, tp)) {
		EVP_PKEY_free(k);
		fprintf(stderr, "bcpc keygen: %s\n", k ? "cannot read back the new key" : err);
		return 1;
	}
	EVP_PKEY_free(k);
	printf("wrote %s (private, keep it secret) and its public key\nthumbprint %s\n", out, tp);
	return 0;
}

/* 0 when libbcp opens the blob just built (with its own key, inside its window):
 * the compiler never writes a blob that devices would refuse, e.g. one whose
 * profile settings exceed the runtime's memory bound (FORMAT.md #19). */
static int opens_as_written(const uint8_t *blob, size_t len, char *err, size_t errlen)
{
	char tp[45] = "";
	const char *tps[1] = { tp };
	struct bcp_open_opts o = { tps, 1, NULL, (int64_t)bcpf_u64(blob + BCPF_H_NOT_BEFORE), 0,
				   0 };
	struct bcp_error e;
	bcp_blob *b = NULL;

	if (bcp_thumbprint(blob + BCPF_H_PUBKEY, tp) != 0 ||
	    bcp_open_buffer(blob, len, &o, &b, &e) != BCP_OK) {
		snprintf(err, errlen, "the blob built does not open in libbcp, so nothing was "
			 "written: %s", tp[0] ? e.message : "cannot hash its key");
		return -1;
	}
	bcp_close(b);
	return 0;
}

struct compile_args {
	const char *keypath, *out, *serial_arg, *valid_for, *not_after_arg, *not_before_arg;
	int allow_expired;   /* --allow-expired: write a blob whose window has ended */
	char **files;   /* the policy files, in order, then the test files */
	int nfiles, ntests;
};

/* Reads compile's command line into a (a->files has room for argc). 0, or 2 after a
 * usage error. */
static int compile_args(int argc, char **argv, struct compile_args *a)
{
	int in_tests = 0;
	for (int i = 1; i < argc; i++) {
		const char **slot = NULL;
		if (!strcmp(argv[i], "--test")) {
			in_tests = 1;   /* the plain arguments after it are test files */
			continue;
		}
		if (!strcmp(argv[i], "--key"))
			slot = &a->keypath;
		else if (!strcmp(argv[i], "-o"))
			slot = &a->out;
		else if (!strcmp(argv[i], "--serial"))
			slot = &a->serial_arg;
		else if (!strcmp(argv[i], "--valid-for"))
			slot = &a->valid_for;
		else if (!strcmp(argv[i], "--not-after"))
			slot = &a->not_after_arg;
		else if (!strcmp(argv[i], "--not-before"))
			slot = &a->not_before_arg;
		else if (!strcmp(argv[i], "--allow-expired")) {
			a->allow_expired = 1;
			in_tests = 0;
			continue;
		}
		else if (argv[i][0] == '-' && argv[i][1])
			return usage_error("compile", "unknown option '%.200s'", argv[i]);
		else {
			if (in_tests)
				a->ntests++;
			else if (a->ntests)   /* keep the policy files first */
				memmove(a->files + a->nfiles - a->ntests + 1,
					a->files + a->nfiles - a->ntests, (size_t)a->ntests * sizeof *a->files);
			a->files[in_tests ? a->nfiles : a->nfiles - a->ntests] = argv[i];
			a->nfiles++;
			continue;
		}
		in_tests = 0;
		if (i + 1 >= argc)
			return usage_error("compile", "%s needs a value", argv[i]);
		*slot = argv[++i];
	}
	if (in_tests && !a->ntests)
		return usage_error("compile", "--test needs test files");
	if (a->nfiles == a->ntests || !a->keypath || !a->out)
		return usage_error("compile", "need policy files, --key KEY.pem and -o OUT.bcp");
	if (a->valid_for && a->not_after_arg)
		return usage_error("compile", "give --valid-for or --not-after, not both");
	return 0;
}

/* The blob's serial, creation time and validity window from the arguments and
 * SOURCE_DATE_EPOCH. 0, or 2 after a usage error. */
static int compile_window(const struct compile_args *a, struct blob_opts *o)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	int64_t t, validity = 30 * 86400;
	o->created = (int64_t)time(NULL);
	if (sde && *sde) {
		if (parse_time(sde, &o->created))
			return usage_error("compile", "SOURCE_DATE_EPOCH is not a UNIX time: %.40s", sde);
	}
	o->serial = (uint64_t)o->created;
	if (a->serial_arg && parse_u64(a->serial_arg, &o->serial))
		return usage_error("compile", "--serial takes a whole number");
	o->not_before = o->created;
	if (a->not_before_arg && parse_time(a->not_before_arg, &o->not_before))
		return usage_error("compile", "--not-before: not a time (UNIX seconds or 2026-01-31T00:00:00Z)");
	if (a->valid_for && parse_duration(a->valid_for, &validity)) {
		/* A zero, as "0d", reads as a duration but is none. */
		int zero = a->valid_for[0] == '0' && strspn(a->valid_for, "0") == strlen(a->valid_for) - 1;
		return usage_error("compile", zero ? "--valid-for must be positive (e.g. 30d, 12h)" :
				   "--valid-for: not a duration (e.g. 30d, 12h)");
	}
	o->not_after = o->not_before + validity;
	if (a->not_after_arg) {
		if (parse_time(a->not_after_arg, &t))
			return usage_error("compile", "--not-after: not a time (UNIX seconds or 2026-01-31T00:00:00Z)");
		o->not_after = t;
	}
	if (o->not_after <= o->not_before)
		return usage_error("compile", "the validity window is empty (not_after <= not_before)");
	return 0;
}

/* What the window means at the compile time (SOURCE_DATE_EPOCH when set): an
 * already expired blob is refused unless --allow-expired (every device would deny
 * everything with it); a window of less than a day, or one that starts further in
 * the future than the clock tolerance, is written with a warning. 0, or 1. */
static int compile_window_sense(const struct compile_args *a, const struct blob_opts *o,
				struct diags *d)
{
	char t1[32], t2[32];
	if (o->not_after < o->created && !a->allow_expired) {
		fprintf(stderr, "bcpc compile: the blob would be expired already: not_after %s is "
			"before the compile time %s; every device would deny every request with it. "
			"Give a later --not-after or a --valid-for, or --allow-expired (for tests)\n",
			format_time(o->not_after, t1), format_time(o->created, t2));
		return 1;
	}
	if (o->not_after - o->not_before < 86400)
		diag_warning(d, loc_file(NULL), "the validity window is shorter than a day (%s .. %s): "
			     "devices that miss a push are locked out when it ends",
			     format_time(o->not_before, t1), format_time(o->not_after, t2));
	if (o->not_before > o->created + BCP_CLOCK_TOLERANCE)
		diag_warning(d, loc_file(NULL), "the blob is not valid before %s, more than %d s after "
			     "the compile time: devices refuse to install it until then",
			     format_time(o->not_before, t1), BCP_CLOCK_TOLERANCE);
	return 0;
}

/* Signs the checked model m with the key at keypath and writes the blob to out;
 * prints what it wrote, or why not. 0 or 1. */
static int compile_write(const struct model *m, const char *keypath, const char *out,
			 const struct blob_opts *o)
{
	char err[1024];
	EVP_PKEY *key = key_load_private(keypath, err, sizeof err);
	uint8_t *blob = NULL;
	size_t len = 0;
	int rc = 1;
	if (!key)
		fprintf(stderr, "bcpc compile: %s\n", err);
	else if (blob_build(m, key, o, &blob, &len, err, sizeof err) != 0)
		fprintf(stderr, "bcpc compile: %s\n", err);
	else if (opens_as_written(blob, len, err, sizeof err) != 0)
		fprintf(stderr, "bcpc compile: %s\n", err);
	else if (write_file_atomic(out, blob, len, err, sizeof err) != 0)
		fprintf(stderr, "bcpc compile: %s\n", err);
	else {
		char nb[32], na[32];
		printf("wrote %s: %zu bytes, serial %llu, valid %s .. %s\n", out, len,
		       (unsigned long long)o->serial, format_time(o->not_before, nb),
		       format_time(o->not_after, na));
		rc = 0;
	}
	free(blob);
	EVP_PKEY_free(key);
	return rc;
}

int cmd_compile(int argc, char **argv)
{
	struct compile_args args = { .files = calloc((size_t)argc, sizeof *args.files) };
	struct blob_opts o = { 0 };
	int rc;
	if (!args.files)
		return 1;
	rc = compile_args(argc, argv, &args);
	if (rc == 0)
		rc = compile_window(&args, &o);
	if (rc != 0) {
		free(args.files);
		return rc;
	}

	struct arena a;
	struct diags d;
	arena_init(&a, NULL);
	diags_init(&d, &a);
	struct stmt *tests = NULL;
	struct model *m = args.ntests ? load_policy_tests(args.files, args.nfiles, &a, &d, &tests) :
			  load_policy(args.files, args.nfiles, &a, &d);
	if (m && !m->bc)
		diag_warning(&d, loc_file(NULL),
			     "no business_continuity block: clients get no controllers or SNI names");
	int senseless = m && compile_window_sense(&args, &o, &d);
	if (m && args.ntests && !tests) {
		diag_error(&d, loc_file(NULL), "--test: no test blocks in the files given");
		m = NULL;
	}
	/* With --test, the blob is written only when every test passes. */
	int failures = m && tests ? run_policy_tests(m, tests, &a, &d, NULL, stdout) : 0;
	diags_print(&d, stderr);
	if (failures != 0)
		fprintf(stderr, "bcpc compile: %s; %s not written\n", failures < 0 ?
			"the tests could not run" : "a test failed", args.out);
	rc = m && !senseless && failures == 0 ? compile_write(m, args.keypath, args.out, &o) : 1;
	arena_free(&a);
	free(args.files);
	return rc;
}

int cmd_thumbprint(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-')
		return usage_error("thumbprint", "give one file: a PEM key or a blob");
	char err[512], tp[45];
	uint8_t pub[32];
	size_t len = 0;
	uint8_t *data = (uint8_t *)read_file_malloc(argv[1], BCPF_MAX_BLOB, &len);
	if (!data) {
		fprintf(stderr, "bcpc thumbprint: cannot read %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int blob = len >= BCPF_HEADER_SIZE && !memcmp(data, BCPF_MAGIC, 8);
	if (blob)
		memcpy(pub, data + BCPF_H_PUBKEY, 32);
	free(data);
	if (!blob) {
		EVP_PKEY *k = key_load_public(argv[1], err, sizeof err);
		if (!k || key_raw_public(k, pub)) {
			/* err names the file already. */
			if (k)
				fprintf(stderr, "bcpc thumbprint: %s: not an Ed25519 key\n", argv[1]);
			else
				fprintf(stderr, "bcpc thumbprint: %s\n", err);
			EVP_PKEY_free(k);
			return 1;
		}
		EVP_PKEY_free(k);
	}
	if (key_thumbprint(pub, tp))
		return 1;
	printf("%s\n", tp);
	return 0;
}

static void print_summary(const bcp_blob *b, FILE *out)
{
	struct bcp_info in;
	char nb[32], na[32];
	bcp_info(b, &in);
	fprintf(out, "serial %llu, valid %s .. %s, signed by %s\n",
		(unsigned long long)in.serial, format_time(in.not_before, nb),
		format_time(in.not_after, na), in.thumbprint);
	fprintf(out, "tenant %s: %u segments, %u host patterns, %u address patterns, %u rules, "
		"%u app profiles\n", in.tenant ? in.tenant : "(none)", in.nsegments,
		in.nhost_patterns, in.naddr_patterns, in.nrules, in.nprofiles);
}

int cmd_verify(int argc, char **argv)
{
	struct trust_args t = { 0 };
	const char *path = NULL, *now_arg = NULL;
	uint64_t min_serial = 0;
	int rc = 2, bad, r;
	for (int i = 1; i < argc; i++) {
		if ((r = trust_arg("verify", argc, argv, &i, &t)) < 0)
			goto done;
		if (r)
			continue;
		if (!strcmp(argv[i], "--now") && i + 1 < argc) {
			now_arg = argv[++i];
		} else if (!strcmp(argv[i], "--min-serial") && i + 1 < argc) {
			if (parse_u64(argv[++i], &min_serial)) {
				usage_error("verify", "--min-serial takes a whole number");
				goto done;
			}
		} else if (argv[i][0] != '-' && !path) {
			path = argv[i];
		} else {
			usage_error("verify", "unexpected argument '%.200s'", argv[i]);
			goto done;
		}
	}
	if (!path || (!t.nthumbprints && !t.pubkey_pem)) {
		usage_error("verify", "need a blob and --thumbprint B64 or --pubkey PUB.pem");
		goto done;
	}
	struct bcp_open_opts o = { t.thumbprints, t.nthumbprints, t.pubkey_pem, 0, min_serial, 0 };
	o.now = now_or(now_arg, &bad);
	if (bad) {
		usage_error("verify", "--now: not a time");
		goto done;
	}
	bcp_blob *b = NULL;
	struct bcp_error err;
	if (bcp_open_file(path, &o, &b, &err) != BCP_OK) {
		printf("%s: REFUSED: %s\n", path, err.message);
		rc = 1;
		goto done;
	}
	printf("%s: OK\n", path);
	print_summary(b, stdout);
	bcp_close(b);
	rc = 0;
done:
	trust_free(&t);
	return rc;
}

static const char *const section_names[BCPF_NSECTIONS + 1] = {
	NULL,
#define SEC_NAME_(name, id, text) text,
	BCPF_SECTIONS(SEC_NAME_)
#undef SEC_NAME_
};

/* --raw-section NAME: the section's bytes as the directory places them. */
static int inspect_raw_section(const uint8_t *data, size_t len, const char *raw)
{
	for (int s = 0; s < BCPF_NSECTIONS; s++) {
		const uint8_t *e = data + BCPF_HEADER_SIZE + (size_t)s * BCPF_DIRENT_SIZE;
		uint32_t id = bcpf_dirent_id(e);
		uint64_t off = bcpf_dirent_offset(e), n = bcpf_dirent_length(e);
		if (id < 1 || id > BCPF_NSECTIONS || strcmp(section_names[id], raw))
			continue;
		if (n > len || off > len - n) {
			fprintf(stderr, "bcpc inspect: section %s lies outside the file\n", raw);
			return 1;
		}
		fwrite(data + off, 1, n, stdout);
		return 0;
	}
	return usage_error("inspect", "no section named '%.100s'", raw);
}

/* jansson refuses text that is not UTF-8, which a blob signed by some key may hold
 * (bcpc never writes such text): every value added to inspect's JSON is checked,
 * and inspect --json prints nothing but an error when one was refused. */
static int inspect_json_bad;
#define JSET(o, k, v) (inspect_json_bad |= json_object_set_new((o), (k), (v)) != 0)
#define JADD(a, v) (inspect_json_bad |= json_array_append_new((a), (v)) != 0)

/* The header, signature and directory as read, trusting none of it. */
static json_t *inspect_header_json(const uint8_t *data, size_t len, const char *tp)
{
	json_t *root = json_object(), *secs = json_array();
	char sig[2 * BCPF_SIG_SIZE + 1];
	for (int i = 0; i < BCPF_SIG_SIZE; i++)
		snprintf(sig + 2 * i, 3, "%02x", data[len - BCPF_SIG_SIZE + (size_t)i]);
	JSET(root, "format_version", json_integer(bcpf_u16(data + BCPF_H_VERSION)));
	JSET(root, "total_length", json_integer((json_int_t)len));
	JSET(root, "serial", json_integer((json_int_t)bcpf_u64(data + BCPF_H_SERIAL)));
	JSET(root, "not_before",
			    json_integer((int64_t)bcpf_u64(data + BCPF_H_NOT_BEFORE)));
	JSET(root, "not_after",
			    json_integer((int64_t)bcpf_u64(data + BCPF_H_NOT_AFTER)));
	JSET(root, "created", json_integer((int64_t)bcpf_u64(data + BCPF_H_CREATED)));
	JSET(root, "thumbprint", json_string(tp));
	JSET(root, "signed_offset", json_integer(0));
	JSET(root, "signed_length", json_integer((json_int_t)(len - BCPF_SIG_SIZE)));
	JSET(root, "signature_hex", json_string(sig));
	for (int s = 0; s < BCPF_NSECTIONS; s++) {
		const uint8_t *e = data + BCPF_HEADER_SIZE + (size_t)s * BCPF_DIRENT_SIZE;
		uint32_t id = bcpf_dirent_id(e);
		JADD(secs, json_pack("{s:s,s:I,s:I}", "name",
			id >= 1 && id <= BCPF_NSECTIONS ? section_names[id] : "?",
			"offset", (json_int_t)bcpf_dirent_offset(e),
			"length", (json_int_t)bcpf_dirent_length(e)));
	}
	JSET(root, "sections", secs);
	return root;
}

/* business_continuity's settings, or null when the blob has none. */
static json_t *inspect_bc_json(const bcp_blob *b)
{
	struct bcp_settings st;
	bcp_settings_get(b, &st);
	if (!st.present)
		return json_null();
	json_t *ctl = json_array();
	for (size_t i = 0; i < st.ncontrollers; i++)
		JADD(ctl, json_pack("{s:s,s:i}", "host",
			st.controllers[i].host, "port", st.controllers[i].port));
	return json_pack(
		"{s:s?,s:o,s:s?,s:s?,s:s?,s:I,s:i,s:s,s:i,s:i}",
		"domain", st.domain, "controllers", ctl, "sni", st.sni,
		"sni_new_user", st.sni_new_user, "sp_url", st.sp_url,
		"sp_ca_bytes", (json_int_t)st.sp_ca_len, "enter_after_s", st.enter_after_s,
		"exit_mode", st.exit_automatic ? "automatic" : "time_based",
		"exit_after_s", st.exit_after_s, "auth_max_age_s", st.auth_max_age_s);
}

static json_t *setting_json(const struct bcp_setting *s)
{
	if (s->type == BCP_SET_STRING)
		return json_string(s->s);
	if (s->type == BCP_SET_BOOL)
		return json_boolean(s->n);
	if (s->type == BCP_SET_LIST) {
		json_t *v = json_array();
		for (size_t k = 0; k < s->nlist; k++)
			JADD(v, json_string(s->list[k]));
		return v;
	}
	return json_integer((json_int_t)s->n);
}

/* The app profiles with their settings, in blob order. */
static json_t *inspect_profiles_json(const bcp_blob *b)
{
	json_t *profs = json_array();
	for (size_t i = 0; i < bcp_profile_count(b); i++) {
		json_t *set = json_object();
		for (size_t j = 0; j < bcp_profile_setting_count(b, i); j++) {
			struct bcp_setting s;
			if (bcp_profile_setting(b, i, j, &s))
				continue;
			JSET(set, s.key, setting_json(&s));
		}
		JADD(profs, json_pack("{s:s,s:o}", "name",
			bcp_profile_name(b, i), "settings", set));
	}
	return profs;
}

/* What a self-consistent blob holds, decoded by the runtime, added to root. */
static void inspect_contents_json(json_t *root, const bcp_blob *b)
{
	struct bcp_info in;
	bcp_info(b, &in);
	JSET(root, "tenant", in.tenant ? json_string(in.tenant) : json_null());
	JSET(root, "counts", json_pack("{s:i,s:i,s:i,s:i,s:i}",
		"segments", in.nsegments, "host_patterns", in.nhost_patterns,
		"address_patterns", in.naddr_patterns, "rules", in.nrules,
		"app_profiles", in.nprofiles));
	JSET(root, "business_continuity", inspect_bc_json(b));
	JSET(root, "app_profiles", inspect_profiles_json(b));
}

/* The text form of what root holds; b is NULL when the blob is not self-consistent
 * (problem then says why). */
static void inspect_print_text(const char *path, const uint8_t *data, size_t len,
			       json_t *root, const bcp_blob *b, const char *problem)
{
	char nb[32], na[32], cr[32];
	json_t *secs = json_object_get(root, "sections");
	printf("blob        %s (%zu bytes), format version %u\n", path, len,
	       bcpf_u16(data + BCPF_H_VERSION));
	printf("serial      %llu\n", (unsigned long long)bcpf_u64(data + BCPF_H_SERIAL));
	printf("valid       %s .. %s\ncreated     %s\n",
	       format_time((int64_t)bcpf_u64(data + BCPF_H_NOT_BEFORE), nb),
	       format_time((int64_t)bcpf_u64(data + BCPF_H_NOT_AFTER), na),
	       format_time((int64_t)bcpf_u64(data + BCPF_H_CREATED), cr));
	printf("signed by   %s (thumbprint)\n",
	       json_string_value(json_object_get(root, "thumbprint")));
	printf("signature   bytes [0, %zu) signed; %s\n", len - BCPF_SIG_SIZE,
	       b ? "verifies with the embedded key (this alone is not trust)" : problem);
	printf("sections:\n");
	for (size_t i = 0; i < json_array_size(secs); i++) {
		json_t *s = json_array_get(secs, i);
		printf("  %-17s offset %8lld  length %8lld\n",
		       json_string_value(json_object_get(s, "name")),
		       (long long)json_integer_value(json_object_get(s, "offset")),
		       (long long)json_integer_value(json_object_get(s, "length")));
	}
	if (!b)
		return;
	print_summary(b, stdout);
	char *bc = json_dumps(json_object_get(root, "business_continuity"),
			      JSON_COMPACT | JSON_PRESERVE_ORDER);
	char *pr = json_dumps(json_object_get(root, "app_profiles"),
			      JSON_COMPACT | JSON_PRESERVE_ORDER);
	printf("settings    %s\nprofiles    %s\n", bc ? bc : "?", pr ? pr : "?");
	free(bc);
	free(pr);
}

/* Prints the blob's header and directory as read, without trusting it; then, if the
 * blob is self-consistent (its own key verifies it), the decoded contents. */
int cmd_inspect(int argc, char **argv)
{
	const char *path = NULL, *raw = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--raw-section") && i + 1 < argc)
			raw = argv[++i];
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else
			return usage_error("inspect", "unexpected argument '%.200s'", argv[i]);
	}
	if (!path)
		return usage_error("inspect", "give a blob");
	size_t len = 0;
	uint8_t *data = (uint8_t *)read_file_malloc(path, BCPF_MAX_BLOB, &len);
	if (!data) {
		fprintf(stderr, "bcpc inspect: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	size_t dir_end = BCPF_HEADER_SIZE + (size_t)BCPF_NSECTIONS * BCPF_DIRENT_SIZE;
	if (len < dir_end + BCPF_SIG_SIZE || memcmp(data, BCPF_MAGIC, 8)) {
		fprintf(stderr, "bcpc inspect: %s is not a policy blob\n", path);
		free(data);
		return 1;
	}
	if (raw) {
		int rc = inspect_raw_section(data, len, raw);
		free(data);
		return rc;
	}

	/* Opened under its own key: this says the blob is whole, not that it is trusted. */
	char tp[45] = "";
	bcp_thumbprint(data + BCPF_H_PUBKEY, tp);
	const char *tps[1] = { tp };
	struct bcp_open_opts o = { tps, 1, NULL, (int64_t)bcpf_u64(data + BCPF_H_NOT_BEFORE), 0, 0 };
	bcp_blob *b = NULL;
	struct bcp_error err;
	int ok = bcp_open_buffer(data, len, &o, &b, &err) == BCP_OK;

	inspect_json_bad = 0;
	json_t *root = inspect_header_json(data, len, tp);
	JSET(root, "self_consistent", json_boolean(ok));
	if (!ok)
		JSET(root, "problem", json_string(err.message));
	else
		inspect_contents_json(root, b);
	if (json && (inspect_json_bad || !root)) {
		fprintf(stderr, "bcpc inspect: cannot write JSON: the blob holds text that is not "
			"UTF-8 (a name or a setting; bcpc never writes such a blob): use the text "
			"output\n");
		ok = 0;
	} else if (json) {
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		inspect_print_text(path, data, len, root, ok ? b : NULL, err.message);
	}
	json_decref(root);
	bcp_close(b);
	free(data);
	return ok ? 0 : 1;
}
