/* explain.c - records each step of a decision (docs/LANGUAGE.md 6.2) as data for
 * `bcpc explain`. It does not walk the model itself: the reference evaluator's walk
 * calls it at each step (struct ref_trace), so explain decides what the reference
 * decides by construction; test_diff checks both against the runtime on every
 * request of its corpus. Here is only the recording. */
#include "explain.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reference.h"

/* What the trace's callbacks need besides the explanation they fill. */
struct recorder {
	const struct model *m;
	const struct bcp_user_info *u;
	struct explanation *x;
};

static void on_request(void *ctx, const char *name, const struct prefix *addr)
{
	struct explanation *x = ((struct recorder *)ctx)->x;
	if (addr) {
		x->is_addr = 1;
		prefix_format(addr, x->host);
		*strchr(x->host, '/') = '\0';
	} else {
		snprintf(x->host, sizeof x->host, "%s", name);
	}
}

static void on_pattern(void *ctx, uint32_t pattern, int enabled, int32_t added, int stops)
{
	struct explanation *x = ((struct recorder *)ctx)->x;
	if (x->npats == XP_MAX_PATTERNS)
		return;
	x->pats[x->npats++] = (struct xp_pattern){ pattern, enabled, added, stops };
	if (added >= 0)
		x->selected[x->nselected++] = (uint32_t)added;
}

/* A rule that did not decide: the first user clause that failed, else the first
 * app clause that names neither the first selected segment nor its group. */
static void on_rule(void *ctx, uint32_t r, int32_t segment)
{
	struct recorder *rec = ctx;
	const struct m_rule *rule = &rec->m->rules[r];
	struct xp_rule *xr = &rec->x->rules[rec->x->nrules++];
	*xr = (struct xp_rule){ r, XR_DECIDED, 0, segment };
	if (segment >= 0)
		return;
	int32_t c = ref_failing_clause(rule->clauses, rule->nclauses, rec->u);
	xr->why = c >= 0 ? XR_USER_CLAUSE : XR_NOT_FOR_SEGMENTS;
	if (c < 0)
		c = ref_unnaming_clause(rec->m, rule, rec->x->selected[0]);
	xr->clause = c >= 0 ? (uint32_t)c : 0;
}

static void on_profile(void *ctx, uint32_t p, int chosen)
{
	struct recorder *rec = ctx;
	const struct m_profile *pr = &rec->m->profiles[p];
	struct xp_profile *xp = &rec->x->profiles[rec->x->nprofiles++];
	int32_t c = chosen ? -1 : ref_failing_clause(pr->when, pr->nwhen, rec->u);
	*xp = (struct xp_profile){ p, chosen, c >= 0 ? (uint32_t)c : 0 };
}

int explain(const struct model *m, const struct bcp_user_info *u, const char *host,
	    uint16_t port, enum bcp_proto proto, struct explanation *x)
{
	struct recorder rec = { m, u, x };
	struct ref_trace t = { &rec, on_request, on_pattern, on_rule, on_profile };
	struct ref_result res;

	memset(x, 0, sizeof *x);
	x->port = port;
	x->proto = proto;
	x->rules = malloc((m->nrules ? m->nrules : 1) * sizeof *x->rules);
	x->profiles = malloc((m->nprofiles ? m->nprofiles : 1) * sizeof *x->profiles);
	if (!x->rules || !x->profiles) {
		explain_free(x);
		return -1;
	}
	x->profile = ref_profile_traced(m, u, &t);
	if (ref_decide_traced(m, u, host, port, proto, &t, &res) != 0) {
		size_t n = strlen(host);
		x->bad_host = 1;
		snprintf(x->host, sizeof x->host, "%.*s", (int)(n < 255 ? n : 255), host);
	}
	x->verdict = res.verdict;
	x->segment = res.segment;
	x->rule = res.rule;
	x->bypass = res.verdict == BCP_BYPASS ? res.segment : -1;
	return 0;
}

void explain_free(struct explanation *x)
{
	free(x->rules);
	free(x->profiles);
	x->rules = NULL;
	x->profiles = NULL;
	x->nrules = x->nprofiles = 0;
}
