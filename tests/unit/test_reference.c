/* test_reference.c - unit tests for the reference evaluator (compiler/reference.c)
 * and the query request reader (compiler/request.c).
 *
 * The acme example's sample table (examples/acme/README.md) is checked row by row,
 * then small inline policies pin each step of the semantics: exact beats wildcard,
 * "*.x" never matches "x", the "*" catch-all, inclusive chains, drop on a port miss,
 * bypass, longest prefix for IPv4 and IPv6, default deny, negated clauses, profiles;
 * then the request, user and target parsers and the answer line.
 * Run from the repository root. Prints failures as file:line and ends with one
 * "N passed, M failed" line; exits non-zero on any failure. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "arena.h"
#include "diag.h"
#include "frontend.h"
#include "model.h"
#include "reference.h"
#include "request.h"
#include "harness.h"


static const char *verdict_name(enum bcp_verdict v)
{
	static const char *const names[] = { "none", "drop", "bypass", "allow", "deny" };
	return (unsigned)v < sizeof names / sizeof *names ? names[v] : "?";
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static const char *show(const char *s)
{
	return s ? s : "(none)";
}

/* ---- loading policies ---- */

struct policy {
	struct arena arena;
	struct diags diags;
	struct model *m;
};

static int policy_load(struct policy *p, const char *path)
{
	char *paths[1] = { (char *)path };
	arena_init(&p->arena, NULL);
	diags_init(&p->diags, &p->arena);
	p->m = load_policy(paths, 1, &p->arena, &p->diags);
	if (!p->m)
		diags_print(&p->diags, stdout);
	return p->m ? 0 : -1;
}

/* Writes text to a temporary .bcl file and loads it. */
static int policy_inline(struct policy *p, const char *text)
{
	char path[] = "/tmp/test_reference_XXXXXX.bcl";
	int fd = mkstemps(path, 4), rc;
	size_t n = strlen(text);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n) {
		perror("temporary policy");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	rc = policy_load(p, path);
	unlink(path);
	return rc;
}

static void policy_free(struct policy *p)
{
	arena_free(&p->arena);
}

/* ---- one decision ---- */

/* One request reused for every case, as a batch reuses it from line to line. */
static struct request shared;

/* Asks the reference (host, port, proto) for the user given as JSON (parsed by
 * request_parse, so every case also goes through the request reader) and compares
 * the verdict and the names of segment, rule and profile. */
static void decide_case(int line, const struct model *m, const char *user_json,
			const char *host, unsigned port, const char *proto,
			const char *want_verdict, const char *want_seg, const char *want_rule,
			const char *want_profile)
{
	struct request *r = &shared;
	char buf[2048], err[256];
	struct ref_result res;
	int32_t prof;
	snprintf(buf, sizeof buf, "{\"host\":\"%s\",\"port\":%u,\"proto\":\"%s\",\"user\":%s}",
		 host, port, proto, user_json);
	if (!check_at(request_parse(buf, strlen(buf), r, err, sizeof err) == 0, __FILE__, line,
		      "request_parse")) {
		printf("    %s\n    %s\n", buf, err);
		return;
	}
	int rc = ref_decide(m, &r->user, r->host, r->port, r->proto, &res);
	prof = ref_profile(m, &r->user);
	const char *seg = res.segment >= 0 ? m->segments[res.segment].name : NULL;
	const char *rule = res.rule >= 0 ? m->rules[res.rule].name : NULL;
	const char *profile = prof >= 0 ? m->profiles[prof].name : NULL;
	int ok = rc == 0 && !strcmp(verdict_name(res.verdict), want_verdict) &&
		 same(seg, want_seg) && same(rule, want_rule) && same(profile, want_profile);
	if (!check_at(ok, __FILE__, line, "decision"))
		printf("    %s:%u/%s: got %s %s %s %s (rc %d), want %s %s %s %s\n", host, port,
		       proto, verdict_name(res.verdict), show(seg), show(rule), show(profile), rc,
		       want_verdict, show(want_seg), show(want_rule), show(want_profile));
}

/* ---- examples/acme: the README's sample table ---- */

#define ALICE "{\"saml\":{\"department\":[\"Finance\"],\"employeeType\":[\"employee\"]}," \
	"\"scim\":{\"employeeType\":[\"employee\"]},\"scim_groups\":[\"Finance\",\"All-Staff\"]," \
	"\"idp\":\"okta\",\"platform\":\"windows\",\"posture\":[\"disk-encrypted\"]," \
	"\"trusted_networks\":[],\"country\":\"DE\"}"
#define BOB "{\"saml\":{\"department\":[\"Engineering\"],\"employeeType\":[\"employee\"]}," \
	"\"scim\":{\"employeeType\":[\"employee\"]}," \
	"\"scim_groups\":[\"SAP-Developers\",\"All-Staff\"],\"idp\":\"okta\"," \
	"\"platform\":\"linux\",\"posture\":[\"disk-encrypted\"],\"country\":\"US\"}"
#define CAROL "{\"saml\":{\"employeeType\":[\"contractor\"]},\"scim_groups\":[\"Finance\"]," \
	"\"idp\":\"okta-partners\",\"platform\":\"mac\",\"posture\":[\"disk-encrypted\"]," \
	"\"country\":\"US\"}"
#define DAVE "{\"saml\":{\"department\":[\"Sales\"],\"employeeType\":[\"employee\"]}," \
	"\"scim\":{\"employeeType\":[\"employee\"]},\"scim_groups\":[\"All-Staff\"]," \
	"\"idp\":\"okta\",\"platform\":\"mac\",\"posture\":[],\"trusted_networks\":[\"HQ-LAN\"]," \
	"\"country\":\"US\"}"
#define ERIN "{\"saml\":{\"department\":[\"IT\"],\"employeeType\":[\"employee\"]}," \
	"\"scim\":{\"employeeType\":[\"employee\"]},\"scim_groups\":[\"SRE\",\"All-Staff\"]," \
	"\"idp\":\"okta\",\"platform\":\"linux\",\"posture\":[\"disk-encrypted\"]," \
	"\"trusted_networks\":[],\"country\":\"FR\"}"
#define FRANK "{\"saml\":{\"department\":[\"Finance\"],\"employeeType\":[\"employee\"]}," \
	"\"scim\":{\"employeeType\":[\"employee\"]},\"scim_groups\":[\"Finance\",\"All-Staff\"]," \
	"\"idp\":\"okta\",\"platform\":\"windows\",\"posture\":[\"disk-encrypted\"]," \
	"\"trusted_networks\":[],\"country\":\"IR\"}"

#define WM "Windows-Managed"
#define DF "Default"

static void test_acme(void)
{
	struct policy p;
	const struct model *m;
	if (!CHECK(policy_load(&p, "examples/acme/policy.bcl") == 0))
		return;
	m = p.m;
	/* Rows 1-19 of the table, in order. The README gives no segment for the bypass
	 * rows 10 and 12; the reference names the bypassing segment (VoIP, Video-Conf). */
	decide_case(__LINE__, m, ALICE, "sap.acme.example", 443, "tcp", "allow", "SAP-Web", "Finance apps", WM);
	decide_case(__LINE__, m, ALICE, "erp01.sap.acme.example", 3201, "tcp", "allow", "SAP-GUI", "Finance apps", WM);
	decide_case(__LINE__, m, ALICE, "payroll.acme.example", 443, "tcp", "deny", "Payroll", "Payroll others", WM);
	decide_case(__LINE__, m, BOB, "build.dev.sap.acme.example", 8080, "tcp", "allow", "SAP-Dev", "SAP developers", DF);
	decide_case(__LINE__, m, BOB, "build.dev.sap.acme.example", 3200, "tcp", "drop", NULL, NULL, DF);
	decide_case(__LINE__, m, CAROL, "sap.acme.example", 443, "tcp", "deny", "SAP-Web", "No contractors in Finance", DF);
	decide_case(__LINE__, m, CAROL, "wiki.acme.example", 443, "tcp", "allow", "Corp-Web", "Contractor web", DF);
	decide_case(__LINE__, m, DAVE, "wiki.acme.example", 443, "tcp", "allow", "Intranet", "Corporate for staff", DF);
	decide_case(__LINE__, m, DAVE, "web01.staging.acme.example", 443, "tcp", "allow", "Corp-Web", "Corporate for staff", DF);
	decide_case(__LINE__, m, DAVE, "voip.acme.example", 5060, "udp", "bypass", "VoIP", NULL, DF);
	decide_case(__LINE__, m, ALICE, "voip.acme.example", 5060, "udp", "allow", "VoIP", "Corporate for staff", WM);
	decide_case(__LINE__, m, DAVE, "room1.meet.acme.example", 3478, "udp", "bypass", "Video-Conf", NULL, DF);
	decide_case(__LINE__, m, ERIN, "10.42.7.20", 22, "tcp", "allow", "Lab-SSH", "Engineering", DF);
	decide_case(__LINE__, m, ERIN, "10.42.7.20", 3389, "tcp", "drop", NULL, NULL, DF);
	decide_case(__LINE__, m, ERIN, "10.41.0.5", 3389, "tcp", "allow", "Dev-Servers", "Engineering", DF);
	decide_case(__LINE__, m, ERIN, "jump.acme.example", 22, "tcp", "deny", "Jump-Hosts", "Default deny", DF);
	decide_case(__LINE__, m, DAVE, "[2001:db8::53]", 53, "udp", "allow", "DNS", "DNS and printing", DF);
	decide_case(__LINE__, m, FRANK, "sap.acme.example", 443, "tcp", "deny", "SAP-Web", "Embargoed countries", WM);
	decide_case(__LINE__, m, DAVE, "github.com", 443, "tcp", "none", NULL, NULL, DF);

	/* A few more around the table. */
	decide_case(__LINE__, m, DAVE, "2001:db8::53", 53, "udp", "allow", "DNS", "DNS and printing", DF);
	decide_case(__LINE__, m, DAVE, "WIKI.Acme.Example.", 443, "tcp", "allow", "Intranet", "Corporate for staff", DF);
	decide_case(__LINE__, m, ALICE, "room1.meet.acme.example", 443, "tcp", "bypass", "Video-Conf", NULL, WM);
	decide_case(__LINE__, m, DAVE, "voip.acme.example", 5060, "tcp", "drop", NULL, NULL, DF);
	decide_case(__LINE__, m, "{}", "sap.acme.example", 443, "tcp", "deny", "SAP-Web", "Default deny", DF);
	decide_case(__LINE__, m, "{\"client_type\":\"exporter\",\"country\":\"us\"}", "sap.acme.example", 443, "tcp",
		    "deny", "SAP-Web", "No isolation to Finance", DF);
	decide_case(__LINE__, m, "{\"country\":\"kp\"}", "github.com", 443, "tcp", "none", NULL, NULL, DF);
	decide_case(__LINE__, m, ERIN, "10.42.6.1", 22, "tcp", "allow", "Dev-Servers", "Engineering", DF);
	decide_case(__LINE__, m, ERIN, "10.44.0.1", 22, "tcp", "none", NULL, NULL, DF);

	/* The answer line for row 1, and ref_profile with no user. */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		CHECK(f && result_to_json_line(f, "allow", "SAP-Web", "Finance apps", WM) == 0);
		CHECK(f && result_to_json_line(f, "drop", NULL, NULL, DF) == 0);
		if (f)
			fclose(f);
		CHECK(buf && !strcmp(buf,
			"{\"decision\":\"allow\",\"segment\":\"SAP-Web\",\"rule\":\"Finance apps\","
			"\"profile\":\"Windows-Managed\"}\n"
			"{\"decision\":\"drop\",\"segment\":null,\"rule\":null,\"profile\":\"Default\"}\n"));
		free(buf);
	}
	CHECK(ref_profile(m, NULL) >= 0 && !strcmp(m->profiles[ref_profile(m, NULL)].name, DF));
	policy_free(&p);
}

/* ---- inline policies ---- */

static const char wildcard_policy[] =
	"segment_group \"G\";\n"
	"segment \"Exact\" { group \"G\"; domains \"a.x.example\"; tcp 443; }\n"
	"segment \"Wild\" { group \"G\"; domains \"*.x.example\"; tcp 80, 443; }\n"
	"segment \"Apex\" { group \"G\"; domains \"x.example\"; tcp 443; }\n"
	"segment \"All\" { group \"G\"; domains \"*\"; tcp 1-65535; udp 1-65535; }\n"
	"access_policy { rule \"any\" allow { } }\n";

static const char nostar_policy[] =
	"segment_group \"G\";\n"
	"segment \"Wild\" { group \"G\"; domains \"*.x.example\"; tcp 443; }\n"
	"access_policy { rule \"any\" allow { } }\n";

static void test_wildcards(void)
{
	struct policy p;
	struct ref_result res;
	if (!CHECK(policy_inline(&p, wildcard_policy) == 0))
		return;
	const struct model *m = p.m;
	/* exact beats wildcard; an exclusive exact name decides alone, even on a port miss */
	decide_case(__LINE__, m, "{}", "a.x.example", 443, "tcp", "allow", "Exact", "any", NULL);
	decide_case(__LINE__, m, "{}", "a.x.example", 80, "tcp", "drop", NULL, NULL, NULL);
	decide_case(__LINE__, m, "{}", "A.X.EXAMPLE.", 443, "tcp", "allow", "Exact", "any", NULL);
	decide_case(__LINE__, m, "{}", "b.x.example", 80, "tcp", "allow", "Wild", "any", NULL);
	decide_case(__LINE__, m, "{}", "c.b.a.x.example", 443, "tcp", "allow", "Wild", "any", NULL);
	decide_case(__LINE__, m, "{}", "b.x.example", 22, "tcp", "drop", NULL, NULL, NULL);
	/* "*.x.example" never matches x.example itself */
	decide_case(__LINE__, m, "{}", "x.example", 443, "tcp", "allow", "Apex", "any", NULL);
	decide_case(__LINE__, m, "{}", "x.example", 80, "tcp", "drop", NULL, NULL, NULL);
	/* "*" catches every other name, one label or many, but never an address */
	decide_case(__LINE__, m, "{}", "y.example", 22, "udp", "allow", "All", "any", NULL);
	decide_case(__LINE__, m, "{}", "localhost", 5, "tcp", "allow", "All", "any", NULL);
	decide_case(__LINE__, m, "{}", "xx.example", 443, "tcp", "allow", "All", "any", NULL);
	decide_case(__LINE__, m, "{}", "10.0.0.1", 443, "tcp", "none", NULL, NULL, NULL);
	decide_case(__LINE__, m, "{}", "[::1]", 443, "tcp", "none", NULL, NULL, NULL);
	/* hosts that are neither names nor addresses: deny, no segment, no rule */
	static const char *const bad[] = { "", ".", "*.x.example", "*", "a..x.example",
					   "a b.example", "-\xc3\xa9.example", "[10.0.0.1]",
					   "127.1", "a.x.example..", "1.2.3.4." };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		res.verdict = BCP_ALLOW;
		res.segment = res.rule = 7;
		int rc = ref_decide(m, NULL, bad[i], 443, BCP_TCP, &res);
		if (!CHECK(rc == -1 && res.verdict == BCP_DENY && res.segment == -1 && res.rule == -1))
			printf("    host \"%s\"\n", bad[i]);
	}
	/* a name of 253 bytes is fine; 254 bytes is not */
	char longname[300];
	memset(longname, 'a', 253);
	for (int i = 63; i < 253; i += 64)
		longname[i] = '.';
	longname[253] = '\0';
	CHECK(ref_decide(m, NULL, longname, 443, BCP_TCP, &res) == 0 && res.verdict == BCP_ALLOW);
	longname[253] = 'a';
	longname[254] = '\0';
	CHECK(ref_decide(m, NULL, longname, 443, BCP_TCP, &res) == -1);
	policy_free(&p);

	if (!CHECK(policy_inline(&p, nostar_policy) == 0))
		return;
	decide_case(__LINE__, p.m, "{}", "x.example", 443, "tcp", "none", NULL, NULL, NULL);
	decide_case(__LINE__, p.m, "{}", "example", 443, "tcp", "none", NULL, NULL, NULL);
	decide_case(__LINE__, p.m, "{}", "a.x.example", 443, "tcp", "allow", "Wild", "any", NULL);
	decide_case(__LINE__, p.m, "{}", "a.x.example", 443, "udp", "drop", NULL, NULL, NULL);
	decide_case(__LINE__, p.m, "{}", "a.xx.example", 443, "tcp", "none", NULL, NULL, NULL);
	policy_free(&p);
}

static const char inclusive_policy[] =
	"segment_group \"G\"; segment_group \"H\";\n"
	"segment \"I1\" { group \"G\"; domains \"app.c.example\"; tcp 443; match inclusive; }\n"
	"segment \"I2\" { group \"G\"; domains \"*.c.example\"; tcp 443, 8443; match inclusive; }\n"
	"segment \"E3\" { group \"H\"; domains \"*.example\"; tcp 443; }\n"
	"segment \"E4\" { group \"H\"; domains \"*\"; tcp 443; }\n"
	"access_policy {\n"
	"  rule \"only E3\" allow { segment \"E3\"; platform linux; }\n"
	"  rule \"group G\" deny { segment_group \"G\"; platform mac; }\n"
	"  rule \"I2\" allow { segment \"I2\"; }\n"
	"}\n";

static void test_inclusive(void)
{
	struct policy p;
	if (!CHECK(policy_inline(&p, inclusive_policy) == 0))
		return;
	const struct model *m = p.m;
	/* S = {I1, I2, E3}: E3 is exclusive and ends the walk before "*" */
	decide_case(__LINE__, m, "{\"platform\":\"linux\"}", "app.c.example", 443, "tcp", "allow", "E3", "only E3", NULL);
	decide_case(__LINE__, m, "{\"platform\":\"mac\"}", "app.c.example", 443, "tcp", "deny", "I1", "group G", NULL);
	decide_case(__LINE__, m, "{\"platform\":\"windows\"}", "app.c.example", 443, "tcp", "allow", "I2", "I2", NULL);
	/* I1 does not serve 8443: S = {I2} */
	decide_case(__LINE__, m, "{\"platform\":\"windows\"}", "app.c.example", 8443, "tcp", "allow", "I2", "I2", NULL);
	decide_case(__LINE__, m, "{\"platform\":\"mac\"}", "app.c.example", 8443, "tcp", "deny", "I2", "group G", NULL);
	/* no segment of the chain serves 22: drop, and "*" is never reached */
	decide_case(__LINE__, m, "{}", "app.c.example", 22, "tcp", "drop", NULL, NULL, NULL);
	/* S = {E3}, no rule applies to it for a windows user: deny without a rule */
	decide_case(__LINE__, m, "{\"platform\":\"windows\"}", "other.example", 443, "tcp", "deny", "E3", NULL, NULL);
	decide_case(__LINE__, m, "{\"platform\":\"windows\"}", "foo.org", 443, "tcp", "deny", "E4", NULL, NULL);
	decide_case(__LINE__, m, "{\"platform\":\"windows\"}", "b.c.example", 443, "tcp", "allow", "I2", "I2", NULL);
	policy_free(&p);
}

static const char bypass_policy[] =
	"segment_group \"G\";\n"
	"segment \"BA\" { group \"G\"; domains \"ba.example\"; tcp 443; bypass always; }\n"
	"segment \"BN\" { group \"G\"; domains \"bn.example\"; tcp 443; bypass on_net; }\n"
	"segment \"In\" { group \"G\"; domains \"x.chain.example\"; tcp 443; match inclusive; }\n"
	"segment \"BN2\" { group \"G\"; domains \"*.chain.example\"; tcp 443; match inclusive;"
	" bypass on_net; }\n"
	"access_policy { rule \"any\" allow { } }\n";

static void test_bypass(void)
{
	struct policy p;
	const char *tn = "{\"trusted_networks\":[\"HQ\"]}";
	if (!CHECK(policy_inline(&p, bypass_policy) == 0))
		return;
	const struct model *m = p.m;
	decide_case(__LINE__, m, "{}", "ba.example", 443, "tcp", "bypass", "BA", NULL, NULL);
	decide_case(__LINE__, m, tn, "ba.example", 443, "tcp", "bypass", "BA", NULL, NULL);
	decide_case(__LINE__, m, tn, "ba.example", 80, "tcp", "drop", NULL, NULL, NULL);
	decide_case(__LINE__, m, "{}", "bn.example", 443, "tcp", "allow", "BN", "any", NULL);
	decide_case(__LINE__, m, "{\"trusted_networks\":[]}", "bn.example", 443, "tcp", "allow", "BN", "any", NULL);
	decide_case(__LINE__, m, tn, "bn.example", 443, "tcp", "bypass", "BN", NULL, NULL);
	/* S = {In, BN2}: bypass by the second segment of S */
	decide_case(__LINE__, m, tn, "x.chain.example", 443, "tcp", "bypass", "BN2", NULL, NULL);
	decide_case(__LINE__, m, "{}", "x.chain.example", 443, "tcp", "allow", "In", "any", NULL);
	policy_free(&p);
}

static const char address_policy[] =
	"segment_group \"G\";\n"
	"segment \"Wide4\" { group \"G\"; addresses 10.0.0.0/8; tcp 1-65535; }\n"
	"segment \"Mid4\" { group \"G\"; addresses 10.1.0.0/16; tcp 443; match inclusive; }\n"
	"segment \"Host4\" { group \"G\"; addresses 10.1.2.3; tcp 22; match inclusive; }\n"
	"segment \"Wide6\" { group \"G\"; addresses 2001:db8::/32; tcp 443; }\n"
	"segment \"Narrow6\" { group \"G\"; addresses 2001:db8:1::/48; tcp 443; }\n"
	"segment \"Host6\" { group \"G\"; addresses 2001:db8:1::5; udp 53; }\n"
	"segment \"Name\" { group \"G\"; domains \"*\"; tcp 443; }\n"
	"access_policy { rule \"any\" allow { } }\n";

static void test_addresses(void)
{
	struct policy p;
	if (!CHECK(policy_inline(&p, address_policy) == 0))
		return;
	const struct model *m = p.m;
	/* IPv4: /32 inclusive, /16 inclusive, /8 exclusive */
	decide_case(__LINE__, m, "{}", "10.1.2.3", 22, "tcp", "allow", "Host4", "any", NULL);
	decide_case(__LINE__, m, "{}", "10.1.2.3", 443, "tcp", "allow", "Mid4", "any", NULL);
	decide_case(__LINE__, m, "{}", "10.1.2.3", 8080, "tcp", "allow", "Wide4", "any", NULL);
	decide_case(__LINE__, m, "{}", "10.1.2.3", 53, "udp", "drop", NULL, NULL, NULL);
	decide_case(__LINE__, m, "{}", "10.1.9.9", 443, "tcp", "allow", "Mid4", "any", NULL);
	decide_case(__LINE__, m, "{}", "10.9.9.9", 443, "tcp", "allow", "Wide4", "any", NULL);
	decide_case(__LINE__, m, "{}", "11.0.0.1", 443, "tcp", "none", NULL, NULL, NULL);
	/* IPv6: /128 beats /48 beats /32; exclusive /48 drops what it does not serve */
	decide_case(__LINE__, m, "{}", "2001:db8:1::5", 53, "udp", "allow", "Host6", "any", NULL);
	decide_case(__LINE__, m, "{}", "2001:db8:1::5", 443, "tcp", "drop", NULL, NULL, NULL);
	decide_case(__LINE__, m, "{}", "2001:db8:1::6", 443, "tcp", "allow", "Narrow6", "any", NULL);
	decide_case(__LINE__, m, "{}", "[2001:DB8:1::6]", 443, "tcp", "allow", "Narrow6", "any", NULL);
	decide_case(__LINE__, m, "{}", "2001:db8:1::6", 80, "tcp", "drop", NULL, NULL, NULL);
	decide_case(__LINE__, m, "{}", "2001:db8:2::5", 443, "tcp", "allow", "Wide6", "any", NULL);
	decide_case(__LINE__, m, "{}", "2001:db9::1", 443, "tcp", "none", NULL, NULL, NULL);
	/* an IPv4-mapped IPv6 address is IPv6: IPv4 prefixes never contain it */
	decide_case(__LINE__, m, "{}", "::ffff:10.1.2.3", 443, "tcp", "none", NULL, NULL, NULL);
	policy_free(&p);
}

static const char rules_policy[] =
	"segment_group \"G\"; segment_group \"H\";\n"
	"segment \"S1\" { group \"G\"; domains \"s1.example\"; tcp 443; }\n"
	"segment \"S2\" { group \"H\"; domains \"s2.example\"; tcp 443; }\n"
	"app_profile \"Win-abroad\" { when platform windows; when not country \"US\"; }\n"
	"app_profile \"Mac-or-x\" { when platform mac or idp \"x\"; }\n"
	"access_policy {\n"
	"  rule \"outside\" deny { not country \"US\", \"DE\"; }\n"
	"  rule \"saml\" allow { segment \"S1\"; saml \"dept\" = \"Fin\", \"Acc\"; }\n"
	"  rule \"scim\" allow { segment \"S1\"; scim \"role\" = \"admin\"; }\n"
	"  rule \"group\" allow { segment_group \"H\"; scim_group \"g1\"; idp \"okta\"; }\n"
	"  rule \"vdi\" allow { segment \"S2\"; client_type vdi; }\n"
	"  rule \"zapp\" allow { segment \"S2\"; client_type zapp; posture \"p1\"; }\n"
	"  rule \"both\" allow { segment \"S1\"; segment_group \"G\"; trusted_network \"T\"; }\n"
	"  rule \"nowhere\" allow { segment \"S1\"; segment_group \"H\"; }\n"
	"}\n";

static void test_rules(void)
{
	struct policy p;
	if (!CHECK(policy_inline(&p, rules_policy) == 0))
		return;
	const struct model *m = p.m;
	/* negated clause: no country, or one outside the list, is denied */
	decide_case(__LINE__, m, "{}", "s1.example", 443, "tcp", "deny", "S1", "outside", NULL);
	decide_case(__LINE__, m, "{\"country\":\"FR\"}", "s2.example", 443, "tcp", "deny", "S2", "outside", NULL);
	/* country is compared in any case */
	decide_case(__LINE__, m, "{\"country\":\"us\",\"saml\":{\"dept\":[\"Acc\"]}}", "s1.example", 443, "tcp",
		    "allow", "S1", "saml", NULL);
	/* saml and scim attributes are separate; a value must match exactly */
	decide_case(__LINE__, m, "{\"country\":\"US\",\"scim\":{\"dept\":[\"Fin\"]},\"saml\":{\"dept\":[\"fin\"]}}",
		    "s1.example", 443, "tcp", "deny", "S1", NULL, NULL);
	decide_case(__LINE__, m, "{\"country\":\"DE\",\"scim\":{\"role\":[\"user\",\"admin\"]}}", "s1.example", 443,
		    "tcp", "allow", "S1", "scim", NULL);
	/* every clause must hold */
	decide_case(__LINE__, m, "{\"country\":\"US\",\"scim_groups\":[\"g1\"],\"idp\":\"okta\"}", "s2.example", 443,
		    "tcp", "allow", "S2", "group", NULL);
	decide_case(__LINE__, m, "{\"country\":\"US\",\"scim_groups\":[\"g1\"],\"idp\":\"Okta\"}", "s2.example", 443,
		    "tcp", "deny", "S2", NULL, NULL);
	/* client type: given, or zapp when absent */
	decide_case(__LINE__, m, "{\"country\":\"US\",\"client_type\":\"vdi\",\"posture\":[\"p1\"]}", "s2.example",
		    443, "tcp", "allow", "S2", "vdi", NULL);
	decide_case(__LINE__, m, "{\"country\":\"US\",\"posture\":[\"p1\"]}", "s2.example", 443, "tcp",
		    "allow", "S2", "zapp", NULL);
	decide_case(__LINE__, m, "{\"country\":\"US\",\"client_type\":\"zapp\",\"posture\":[\"p1\"]}", "s2.example",
		    443, "tcp", "allow", "S2", "zapp", NULL);
	decide_case(__LINE__, m, "{\"country\":\"US\",\"client_type\":\"zapp_partner\",\"posture\":[\"p1\"]}",
		    "s2.example", 443, "tcp", "deny", "S2", NULL, NULL);
	/* two app clauses: S1 is named by both "segment S1" and its group G */
	decide_case(__LINE__, m, "{\"country\":\"US\",\"trusted_networks\":[\"T\"]}", "s1.example", 443, "tcp",
		    "allow", "S1", "both", NULL);
	/* "nowhere" needs S1 and group H at once: it applies to no segment */
	decide_case(__LINE__, m, "{\"country\":\"US\"}", "s1.example", 443, "tcp", "deny", "S1", NULL, NULL);
	/* profiles: the first whose clauses all hold, negation included */
	decide_case(__LINE__, m, "{\"country\":\"US\",\"platform\":\"windows\"}", "s1.example", 443, "tcp",
		    "deny", "S1", NULL, NULL);
	decide_case(__LINE__, m, "{\"country\":\"DE\",\"platform\":\"windows\",\"idp\":\"x\"}", "s1.example", 443,
		    "tcp", "deny", "S1", NULL, "Win-abroad");
	decide_case(__LINE__, m, "{\"platform\":\"windows\",\"idp\":\"x\"}", "none.example", 443, "tcp",
		    "none", NULL, NULL, "Win-abroad");
	decide_case(__LINE__, m, "{\"country\":\"US\",\"platform\":\"windows\",\"idp\":\"x\"}", "s1.example", 443,
		    "tcp", "deny", "S1", NULL, "Mac-or-x");
	decide_case(__LINE__, m, "{\"platform\":\"mac\"}", "s1.example", 443, "tcp", "deny", "S1", "outside",
		    "Mac-or-x");
	CHECK(ref_profile(m, NULL) == -1);
	policy_free(&p);
}

static const char disabled_policy[] =
	"segment_group \"G\";\n"
	"segment \"Off\" { group \"G\"; domains \"a.example\"; addresses 10.0.0.0/8; tcp 443;"
	" enabled false; }\n"
	"segment \"On\" { group \"G\"; domains \"*.example\"; tcp 443; }\n"
	"access_policy { rule \"off\" allow { segment \"Off\"; } }\n";

static void test_disabled(void)
{
	struct policy p;
	if (!CHECK(policy_inline(&p, disabled_policy) == 0))
		return;
	decide_case(__LINE__, p.m, "{}", "a.example", 443, "tcp", "deny", "On", NULL, NULL);
	decide_case(__LINE__, p.m, "{}", "10.0.0.1", 443, "tcp", "none", NULL, NULL, NULL);
	policy_free(&p);
}

/* ---- the request reader ---- */

static void parse_err(int line, const char *json, const char *want)
{
	struct request *r = &shared;
	char err[256] = "";
	int rc = request_parse(json, strlen(json), r, err, sizeof err);
	size_t n = strlen(want);
	/* want ending in '*' is a prefix */
	int ok = rc == -1 && (want[n - 1] == '*' ? !strncmp(err, want, n - 1) : !strcmp(err, want));
	if (!check_at(ok, __FILE__, line, "request_parse error"))
		printf("    %s\n    got  \"%s\" (rc %d)\n    want \"%s\"\n", json, err, rc, want);
	CHECK(r->user.nsaml == 0 && r->user.platform == NULL);
}

#define PARSE_ERR(json, want) parse_err(__LINE__, json, want)

static void test_request(void)
{
	struct request r = { 0 };
	char err[256];
	const char *line;

	line = "{\"host\":\"sap.acme.example\",\"port\":443,\"proto\":\"tcp\",\"user\":{\"saml\":"
	       "{\"department\":[\"Finance\",\"Acc\"],\"x\":[]},\"scim\":{\"a\":[\"b\"]},"
	       "\"scim_groups\":[\"g\"],\"idp\":\"okta\",\"platform\":\"windows\","
	       "\"client_type\":\"zapp\",\"posture\":[\"disk\"],\"trusted_networks\":[\"t1\",\"t2\"],"
	       "\"country\":\"US\"}}\n";
	CHECK(request_parse(line, strlen(line), &r, err, sizeof err) == 0);
	CHECK(!strcmp(r.host, "sap.acme.example") && r.hostlen == 16);
	CHECK(r.port == 443 && r.proto == BCP_TCP);
	CHECK(r.user.nsaml == 2 && !strcmp(r.user.saml[0].name, "department") &&
	      r.user.saml[0].nvalues == 2 && !strcmp(r.user.saml[0].values[1], "Acc") &&
	      !strcmp(r.user.saml[1].name, "x") && r.user.saml[1].nvalues == 0);
	CHECK(r.user.nscim == 1 && !strcmp(r.user.scim[0].values[0], "b"));
	CHECK(r.user.nscim_groups == 1 && !strcmp(r.user.scim_groups[0], "g"));
	CHECK(!strcmp(r.user.idp, "okta") && !strcmp(r.user.platform, "windows") &&
	      !strcmp(r.user.client_type, "zapp") && !strcmp(r.user.country, "US"));
	CHECK(r.user.nposture == 1 && !strcmp(r.user.posture[0], "disk"));
	CHECK(r.user.ntrusted_networks == 2 && !strcmp(r.user.trusted_networks[1], "t2"));

	/* reused: the previous user is gone; proto defaults to tcp; nulls are "not given" */
	line = "{\"port\":53,\"host\":\"[2001:db8::1]\"}";
	CHECK(request_parse(line, strlen(line), &r, err, sizeof err) == 0);
	CHECK(r.port == 53 && r.proto == BCP_TCP && !strcmp(r.host, "[2001:db8::1]"));
	CHECK(r.user.nsaml == 0 && r.user.idp == NULL && r.user.ntrusted_networks == 0);
	line = "{\"host\":\"a\",\"port\":65535,\"proto\":\"udp\",\"user\":{\"idp\":null,"
	       "\"platform\":null,\"country\":null}}";
	CHECK(request_parse(line, strlen(line), &r, err, sizeof err) == 0);
	CHECK(r.port == 65535 && r.proto == BCP_UDP && r.user.idp == NULL);
	line = "{\"host\":\"a\",\"port\":1,\"user\":null}";
	CHECK(request_parse(line, strlen(line), &r, err, sizeof err) == 0);
	/* the length given is what counts, not a NUL */
	line = "{\"host\":\"a\",\"port\":1}garbage";
	CHECK(request_parse(line, 21, &r, err, sizeof err) == 0);
	/* a host of 254 bytes (253 and the root dot) is accepted here */
	{
		char big[400];
		int n = snprintf(big, sizeof big, "{\"host\":\"%0253d.\",\"port\":1}", 0);
		CHECK(request_parse(big, (size_t)n, &r, err, sizeof err) == 0 && r.hostlen == 254);
		n = snprintf(big, sizeof big, "{\"host\":\"%0255d\",\"port\":1}", 0);
		CHECK(request_parse(big, (size_t)n, &r, err, sizeof err) == -1);
	}
	request_free(&r);
	request_free(&r);   /* twice is fine */
	request_free(NULL);

	PARSE_ERR("{\"hots\":\"a\",\"port\":1}", "unknown key 'hots' in request; did you mean 'host'?");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"color\":1}", "unknown key 'color' in request");
	PARSE_ERR("{\"host\":\"a\",\"port\":0}", "port must be an integer 1..65535");
	PARSE_ERR("{\"host\":\"a\",\"port\":65536}", "port must be an integer 1..65535");
	PARSE_ERR("{\"host\":\"a\",\"port\":-1}", "port must be an integer 1..65535");
	PARSE_ERR("{\"host\":\"a\",\"port\":\"443\"}", "port must be an integer 1..65535");
	PARSE_ERR("{\"host\":\"a\",\"port\":443.0}", "port must be an integer 1..65535");
	PARSE_ERR("{\"host\":\"a\",\"port\":true}", "port must be an integer 1..65535");
	PARSE_ERR("{\"host\":\"a\"}", "missing key 'port' in request");
	PARSE_ERR("{\"port\":1}", "missing key 'host' in request");
	PARSE_ERR("{\"host\":7,\"port\":1}", "host must be a string");
	PARSE_ERR("{\"host\":\"\",\"port\":1}",
		  "host must be 1..254 bytes (a name of up to 253, plus an optional trailing dot)");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"proto\":\"icmp\"}", "proto must be \"tcp\" or \"udp\", not \"icmp\"");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"proto\":6}", "proto must be \"tcp\" or \"udp\"");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":[]}", "user must be an object");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":{\"saml\":{\"department\":\"Finance\"}}}",
		  "user.saml.department must be an array of strings");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":{\"scim\":{\"role\":[\"a\",1]}}}",
		  "user.scim.role must be an array of strings");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":{\"saml\":[\"department\"]}}",
		  "user.saml must be an object of attribute names to arrays of strings");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":{\"scim_groups\":\"g\"}}",
		  "user.scim_groups must be an array of strings");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":{\"posture\":[null]}}",
		  "user.posture must be an array of strings");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":{\"trusted_networks\":{}}}",
		  "user.trusted_networks must be an array of strings");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":{\"idp\":[\"okta\"]}}", "user.idp must be a string");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":{\"platform\":\"windoes\"}}",
		  "user.platform 'windoes' is not a platform (windows, mac, linux, ios, android); "
		  "did you mean 'windows'?");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":{\"client_type\":\"phone\"}}",
		  "user.client_type 'phone' is not a client type (zapp, zapp_partner, vdi, "
		  "browser_isolation, machine_tunnel, edge_connector, branch_connector, "
		  "ip_anchoring, exporter)");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":{\"country\":\"USA\"}}",
		  "user.country must be a two-letter ISO 3166 code such as \"US\"");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":{\"country\":\"U1\"}}",
		  "user.country must be a two-letter ISO 3166 code such as \"US\"");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":{\"platfrom\":\"mac\"}}",
		  "unknown key 'platfrom' in user; did you mean 'platform'?");
	PARSE_ERR("{\"host\":\"a\",\"port\":1,\"user\":{\"country\":\"US\",\"saml\":{\"d\":[\"x\"]},\"bogus\":1}}",
		  "unknown key 'bogus' in user");
	PARSE_ERR("", "invalid JSON*");
	PARSE_ERR("{", "invalid JSON*");
	PARSE_ERR("[1]", "a request must be a JSON object");
	PARSE_ERR("\"host\"", "invalid JSON*");
	PARSE_ERR("{\"host\":\"a\",\"port\":1} x", "invalid JSON*");
	PARSE_ERR("{\"host\":\"a\",\"host\":\"b\",\"port\":1}", "invalid JSON*");
	PARSE_ERR("{\"host\":\"a\\u0000b\",\"port\":1}", "invalid JSON*");
	PARSE_ERR("{\"host\":\"\xff\",\"port\":1}", "invalid JSON*");
}

/* Messages that are only prefix-checked above. */
static void test_request_messages(void)
{
	struct request r = { 0 };
	char err[256];
	const char *line = "{\"host\":\"a\",\"host\":\"b\",\"port\":1}";
	CHECK(request_parse(line, strlen(line), &r, err, sizeof err) == -1 &&
	      strstr(err, "duplicate") != NULL);
	/* a tiny error buffer is filled and terminated, never overrun */
	char small[8];
	memset(small, 'x', sizeof small);
	CHECK(request_parse("{}", 2, &r, small, 5) == -1 && small[4] == '\0' && small[5] == 'x');
	request_free(&r);
}

static void target_case(int line, const char *s, int rc, const char *host, unsigned port,
			enum bcp_proto proto, const char *err_prefix)
{
	struct request r = { 0 };
	char err[256] = "";
	int got = request_parse_target(s, &r, err, sizeof err);
	int ok = got == rc && (rc != 0 || (!strcmp(r.host, host) && r.hostlen == strlen(host) &&
					   r.port == port && r.proto == proto)) &&
		 (rc == 0 || !strncmp(err, err_prefix, strlen(err_prefix)));
	if (!check_at(ok, __FILE__, line, "request_parse_target"))
		printf("    \"%s\": rc %d host \"%s\" port %u proto %d err \"%s\"\n", s, got, r.host,
		       r.port, (int)r.proto, err);
	request_free(&r);
}

static void test_target(void)
{
	target_case(__LINE__, "sap.acme.example:443", 0, "sap.acme.example", 443, BCP_TCP, NULL);
	target_case(__LINE__, "voip.acme.example:5060/udp", 0, "voip.acme.example", 5060, BCP_UDP, NULL);
	target_case(__LINE__, "a:1/tcp", 0, "a", 1, BCP_TCP, NULL);
	target_case(__LINE__, "10.42.7.20:22", 0, "10.42.7.20", 22, BCP_TCP, NULL);
	target_case(__LINE__, "[2001:db8::53]:53/udp", 0, "[2001:db8::53]", 53, BCP_UDP, NULL);
	target_case(__LINE__, "[::1]:65535/tcp", 0, "[::1]", 65535, BCP_TCP, NULL);
	target_case(__LINE__, "2001:db8::53:53", -1, NULL, 0, BCP_TCP,
		    "an IPv6 address in a target needs brackets");
	target_case(__LINE__, "sap.acme.example", -1, NULL, 0, BCP_TCP, "target must be HOST:PORT");
	target_case(__LINE__, "[::1]53", -1, NULL, 0, BCP_TCP, "target must be HOST:PORT");
	target_case(__LINE__, "[::1:53", -1, NULL, 0, BCP_TCP, "missing ']'");
	target_case(__LINE__, "a:0", -1, NULL, 0, BCP_TCP, "port must be an integer 1..65535");
	target_case(__LINE__, "a:65536", -1, NULL, 0, BCP_TCP, "port must be an integer 1..65535");
	target_case(__LINE__, "a:0000443", -1, NULL, 0, BCP_TCP, "port must be an integer 1..65535");
	target_case(__LINE__, "a:", -1, NULL, 0, BCP_TCP, "port must be an integer 1..65535");
	target_case(__LINE__, "a:+1", -1, NULL, 0, BCP_TCP, "port must be an integer 1..65535");
	target_case(__LINE__, ":443", -1, NULL, 0, BCP_TCP, "host must be 1..254 bytes");
	target_case(__LINE__, "a:443/icmp", -1, NULL, 0, BCP_TCP, "unknown protocol 'icmp'");
	target_case(__LINE__, "a:443/", -1, NULL, 0, BCP_TCP, "unknown protocol ''");
}

static void test_user_file(void)
{
	char path[] = "/tmp/test_reference_XXXXXX.json";
	const char *text = "{\"saml\": {\"department\": [\"Finance\"]}, \"platform\": \"mac\",\n"
			   " \"trusted_networks\": [\"HQ\"]}\n";
	struct user_file uf = { 0 };
	char err[256];
	int fd = mkstemps(path, 5);
	if (!CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text)))
		return;
	close(fd);
	CHECK(user_file_load(path, &uf, err, sizeof err) == 0);
	CHECK(uf.user.nsaml == 1 && !strcmp(uf.user.saml[0].values[0], "Finance") &&
	      !strcmp(uf.user.platform, "mac") && uf.user.ntrusted_networks == 1);
	user_file_free(&uf);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd >= 0) {
		CHECK(write(fd, "{\"platform\": 3}", 15) == 15);
		close(fd);
	}
	CHECK(user_file_load(path, &uf, err, sizeof err) == -1 && strstr(err, path) &&
	      strstr(err, "user.platform must be a string"));
	user_file_free(&uf);
	unlink(path);
	CHECK(user_file_load("/nonexistent/user.json", &uf, err, sizeof err) == -1 &&
	      strstr(err, "/nonexistent/user.json"));
	user_file_free(&uf);
}

static void test_answer_lines(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!CHECK(f != NULL))
		return;
	CHECK(result_to_json_line(f, "none", NULL, NULL, NULL) == 0);
	CHECK(result_to_json_line(f, "deny", "a\"b\\c", "tab\there", "\xc3\xa9") == 0);
	CHECK(error_to_json_line(f, "port must be an integer 1..65535") == 0);
	/* Not UTF-8: still one valid JSON line, with '?' for the non-ASCII bytes. */
	CHECK(result_to_json_line(f, "allow", "\xff", NULL, NULL) == 0);
	fclose(f);
	CHECK(buf && !strcmp(buf,
		"{\"decision\":\"none\",\"segment\":null,\"rule\":null,\"profile\":null}\n"
		"{\"decision\":\"deny\",\"segment\":\"a\\\"b\\\\c\",\"rule\":\"tab\\there\","
		"\"profile\":\"\xc3\xa9\"}\n"
		"{\"error\":\"port must be an integer 1..65535\"}\n"
		"{\"decision\":\"allow\",\"segment\":\"?\",\"rule\":null,\"profile\":null}\n"));
	if (buf && failed)
		printf("%s", buf);
	free(buf);
}

int main(void)
{
	test_acme();
	test_wildcards();
	test_inclusive();
	test_bypass();
	test_addresses();
	test_rules();
	test_disabled();
	test_request();
	test_request_messages();
	test_target();
	test_user_file();
	test_answer_lines();
	request_free(&shared);
	return harness_summary();
}
