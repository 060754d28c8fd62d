/* lint.h - findings about a checked policy, each proved over the whole key space
 * (segments x users, users.h) or shown with a witness; never a heuristic. An
 * analysis over its budget says "not decided" instead of guessing. The semantic
 * diff will stand on the same analyses. Nothing here prints: findings are records. */
#ifndef BCPC_ANALYSIS_LINT_H
#define BCPC_ANALYSIS_LINT_H
#include <stdint.h>
#include "model.h"
#include "../../runtime/bcp.h"

/* X(id, name, severity): severity 0 warning, 1 note (information). */
#define LINT_KINDS(X) \
	X(LINT_NO_RULES, "no_rules", 0) \
	X(LINT_CONTRADICTION, "contradiction", 0) \
	X(LINT_DISABLED_ONLY, "disabled_segments_only", 0) \
	X(LINT_BYPASS_ONLY, "bypass_segments_only", 0) \
	X(LINT_NO_SEGMENT, "no_segment", 0) \
	X(LINT_NEVER_DECIDES, "never_decides", 0) \
	X(LINT_SHADOWED_OPPOSITE, "shadowed_by_opposite", 0) \
	X(LINT_SCIM_ONLY, "needs_scim", 0) \
	X(LINT_PROFILE_NEVER, "profile_never_chosen", 0) \
	X(LINT_BYPASS_ON_NET, "bypassed_on_net", 0) \
	X(LINT_EMPTY_GROUP, "empty_group", 0) \
	X(LINT_SETTING_UNKNOWN, "unknown_setting", 0) \
	X(LINT_SETTING_TYPE, "setting_type", 0) \
	X(LINT_SEGMENT_UNSELECTED, "segment_never_selected", 0) \
	X(LINT_PATTERN_NEVER_WINS, "pattern_never_wins", 0) \
	X(LINT_ALL_DENIED, "segment_all_denied", 1) \
	X(LINT_NAMED_TWICE, "named_twice", 1) \
	X(LINT_ALLOW_EVERYONE, "allows_everyone", 1) \
	X(LINT_UNDECIDED, "not_decided", 1)

enum lint_kind {
#define LINT_ENUM_(id, name, sev) id,
	LINT_KINDS(LINT_ENUM_)
#undef LINT_ENUM_
	LINT_KIND_COUNT
};
const char *lint_kind_name(enum lint_kind k);
int lint_kind_severity(enum lint_kind k);   /* 0 warning, 1 note */

struct lint_finding {
	enum lint_kind kind;
	struct loc loc;
	const char *message;         /* one line */
	const char *hint;            /* or NULL */
	int32_t rule, segment, profile;   /* what it is about, -1 when not */
	int32_t pattern;             /* pattern_never_wins: the index into model.patterns */
	uint32_t *others;            /* the earlier rules (or profiles) that decide first */
	uint32_t nothers;
};

/* A rule lint did not report: a request and user that it decides (checked with
 * the reference evaluator, which test_diff holds equal to the runtime), or none found
 * (found 0). */
struct lint_witness {
	int found;
	char host[NET_HOST_MAX + 3];
	uint16_t port;
	enum bcp_proto proto;
	struct bcp_user_info user;   /* in the result's arena */
};

struct lint_result {
	struct lint_finding *f;
	uint32_t n, cap;
	struct lint_witness *witness;   /* per rule */
	uint8_t *dead;                  /* per rule: reported as never deciding */
	struct arena *a;
};

struct lint_opts {
	uint64_t budget;             /* solver steps per question (0: the default) */
};

/* How `bcpc lint` words a finding (lint_format.c), shared by every command that
 * shows findings: "warning" or "note"; "MESSAGE [kind]" in malloc'd memory (NULL
 * when out of memory; the caller frees it); the JSON record of `bcpc lint --json`
 * (kind, severity, file, line, col, message, hint, rule, segment, profile,
 * earlier_rules; the caller owns it). */
const char *lint_severity_word(enum lint_kind k);
char *lint_finding_text(const struct lint_finding *f);
struct json_t;
struct json_t *lint_finding_json(const struct model *m, const struct lint_finding *f);

/* Runs every analysis over m; findings and witnesses in a. 0, or -1 when out of
 * memory. */
int lint_policy(const struct model *m, const struct lint_opts *o, struct arena *a,
		struct lint_result *out);
#endif
