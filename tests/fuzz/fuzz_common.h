/* fuzz_common.h - what the compiler-side fuzz targets share: a throw-away signing key,
 * a checked model compiled to a blob and opened by libbcp, and the differential
 * check of libbcp's decisions against the reference evaluator.
 *
 * Every check that fails calls fuzz_fail(), which prints why and aborts, so that
 * libFuzzer keeps the input as a crash. Test code only: never linked into bcpc. */
#ifndef BCP_FUZZ_COMMON_H
#define BCP_FUZZ_COMMON_H
#include <stddef.h>
#include <stdint.h>
#include "bcp.h"
#include "model.h"

/* Prints "fuzz: " and the message to stderr, then aborts. */
_Noreturn void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same when ok is 0, unless id is named in $FUZZ_IGNORE (a list of ids): a known
 * open finding can be passed over so that a long run goes on to find others. */
void fuzz_check(int ok, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The thumbprint of the fuzzers' Ed25519 key, made on first use (never on disk). */
const char *fuzz_thumbprint(void);

/* Compiles m with the fuzzers' key and opens the blob as a client would. A model that
 * checked must compile unless a format limit is hit (then NULL, no failure); a blob
 * the compiler made must open. The handle holds its own copy of the bytes. */
bcp_blob *fuzz_compile(const struct model *m);

/* A user with, for each attribute the model's rules and profiles test, every value
 * they name (the first one for single-valued attributes), so that rules can hold.
 * Lives in static storage until the next call; capped, so it may be partial. */
const struct bcp_user_info *fuzz_user_from_model(const struct model *m);

/* Decides (host, port, proto) for user u (NULL: no attributes) with libbcp and with
 * the reference evaluator and fails on any difference: validity of the host,
 * verdict, segment and rule names, app profile. Returns 0 after comparing, -1 when
 * the pair was skipped (bind refused the user, or host holds a NUL byte, which the
 * reference evaluator cannot see). */
int fuzz_compare(const struct model *m, const bcp_blob *b, const struct bcp_user_info *u,
		 const char *host, size_t hostlen, uint16_t port, enum bcp_proto proto);

/* Compares the two evaluators on hosts made from the model's own patterns (a name
 * under each wildcard, each exact name, each prefix's first address), on the ports
 * of the segments behind them, for no user and for fuzz_user_from_model(). */
void fuzz_compare_patterns(const struct model *m, const bcp_blob *b);
#endif
