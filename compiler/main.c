/* main.c - the bcpc command line: parses arguments and calls the stages.
 * Exit status: 0 success, 1 the input was refused (policy errors, verification),
 * 2 usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define BCPC_VERSION "0.1.0"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

static const struct command commands[] = {
	{ "check", cmd_check, "bcpc check FILE.bcl... [--json]",
	  "Reads the policy files as one policy, checks them and prints every error found\n"
	  "as file:line:col with the source line. On success prints a one-line summary.\n"
	  "--json prints each diagnostic as one JSON line on standard output instead\n"
	  "({\"file\",\"line\",\"column\",\"end_column\",\"severity\",\"message\",\"hint\"}),\n"
	  "for CI annotations, and no summary.\n"
	  "Exit status: 0 valid, 1 the policy has errors, 2 usage error.\n" },
	{ "dump", cmd_dump, "bcpc dump FILE.bcl... [--json]",
	  "Checks the policy and prints the checked model as JSON: normalized names,\n"
	  "sorted patterns with their segments, resolved references. For tests and\n"
	  "debugging; the keys are stable.\n" },
	{ "keygen", cmd_keygen, "bcpc keygen -o KEY.pem",
	  "Makes a new Ed25519 signing key: KEY.pem (private, mode 0600) and KEY.pub.pem,\n"
	  "and prints the thumbprint devices must trust. Keys made with\n"
	  "'openssl genpkey -algorithm ed25519' work the same. Never overwrites a file.\n" },
	{ "compile", cmd_compile,
	  "bcpc compile FILE.bcl... --key KEY.pem -o OUT.bcp [--serial N]\n"
	  "       [--valid-for DUR | --not-after TIME] [--not-before TIME] [--allow-expired]\n"
	  "       [--test TESTS.bcl...]",
	  "Checks the policy and writes one signed blob. --serial defaults to the compile\n"
	  "time in seconds (SOURCE_DATE_EPOCH when set); the blob is valid from\n"
	  "--not-before (default: the compile time) for --valid-for (default 30d) or until\n"
	  "--not-after. TIME is UNIX seconds, 2026-12-31 or 2026-12-31T23:59:59Z.\n"
	  "A window that has already ended is refused (devices would deny everything)\n"
	  "unless --allow-expired; one shorter than a day, or starting more than 300 s\n"
	  "after the compile time, gets a warning.\n"
	  "An encrypted key's passphrase comes from $BCPC_KEY_PASSPHRASE or the file named\n"
	  "by $BCPC_KEY_PASSPHRASE_FILE. OUT.bcp is written whole or not at all.\n"
	  "--test TESTS.bcl... runs those tests first (as 'bcpc test' does; they never go\n"
	  "into the blob) and writes nothing when one fails.\n" },
	{ "thumbprint", cmd_thumbprint, "bcpc thumbprint FILE",
	  "Prints the thumbprint (base64 SHA-256 of the DER public key, the value for\n"
	  "--bcpMAPublicKeyHash) of a PEM private key, a PEM public key or a blob.\n" },
	{ "verify", cmd_verify,
	  "bcpc verify OUT.bcp (--thumbprint B64... | --pubkey PUB.pem) [--now TIME]\n"
	  "       [--min-serial N]",
	  "Verifies a blob exactly as a device does (libbcp): format, trusted key,\n"
	  "signature, serial, validity window at --now (default: now), structure.\n"
	  "Exit status: 0 and a summary, or 1 and the reason.\n" },
	{ "inspect", cmd_inspect, "bcpc inspect OUT.bcp [--json | --raw-section NAME]",
	  "Shows a blob's header, sections, counts, settings and profiles, without trusting\n"
	  "it. --raw-section writes one section's bytes to standard output ('settings' and\n"
	  "'profile_settings' are msgpack).\n" },
	{ "query", cmd_query,
	  "bcpc query OUT.bcp (--thumbprint B64 | --pubkey PUB.pem) [--now TIME]\n"
	  "       (--batch FILE|- | --user USER.json HOST:PORT[/udp])\n"
	  "       bcpc query --reference FILE.bcl... (--batch FILE|- | --user USER.json HOST:PORT[/udp])",
	  "Answers access requests from a verified blob, as a client would, or with\n"
	  "--reference from the policy sources by the plain reference evaluator.\n"
	  "--batch reads JSON lines {\"host\":..,\"port\":..,\"proto\":\"tcp\",\"user\":{..}} and\n"
	  "writes one JSON line per request: {\"decision\",\"segment\",\"rule\",\"profile\",\n"
	  "\"reason\"}; reason is rule, default_deny, no_segment, port_not_served, bypass,\n"
	  "expired or not_yet_valid (outside its window the blob answers as a device does:\n"
	  "deny). A bad line gets {\"error\":..} naming its line number, and the rest go\n"
	  "on; exit 1 if any line failed. --user reads one user object from a file.\n" },
	{ "test", cmd_test, "bcpc test FILE.bcl... TESTS.bcl... [--junit FILE] [--coverage]",
	  "Runs the policy's tests. A file whose statements are all test blocks is a test\n"
	  "file; the rest are the policy. Each test\n"
	  "    test \"name\" { request \"host:port[/udp]\"; user { saml \"dept\" = \"Fin\"; ... }\n"
	  "                  expect allow segment \"S\" rule \"R\" profile \"P\"; }\n"
	  "runs through libbcp on a blob built in memory (never written) and through the\n"
	  "reference evaluator; it passes when both give exactly what it expects (segment,\n"
	  "rule and profile are checked when named; none where there must be none).\n"
	  "Prints file:line: expected ...; got ... per failure, then N passed, N failed.\n"
	  "--junit FILE writes JUnit XML for CI; --coverage lists the segments and rules\n"
	  "that no test reached.\n"
	  "Exit status: 0 all passed; 1 a test failed or the files have errors; 2 usage.\n" },
	{ "lint", cmd_lint, "bcpc lint FILE.bcl... [--json] [--fail-on warning|note|never] [--budget N]",
	  "Reports what the policy decides that its author probably did not mean, each\n"
	  "proved over every segment and every user (never a guess): a rule that never\n"
	  "decides (earlier rules decide first; named), an allow rule shadowed by denies\n"
	  "or the reverse, conditions no user satisfies together, a rule naming only\n"
	  "disabled or 'bypass always' segments, an allow rule that needs SCIM data (new\n"
	  "users in an outage have none), an app profile never chosen, a policy without\n"
	  "rules, a rule only for users on a trusted network whose segments bypass them\n"
	  "(on_net), a rule naming a segment_group without segments, an app-profile\n"
	  "setting no client reads (\"did you mean\") or of another type than clients\n"
	  "read; notes: a segment every user is denied, a segment named in a clause that\n"
	  "names its group too. When the solver's budget is exceeded the finding says\n"
	  "\"not decided\". docs/LANGUAGE.md 9 lists them all.\n"
	  "Exit status: 0 clean; 1 findings at or above --fail-on (default warning);\n"
	  "2 usage error.\n" },
	{ "diff", cmd_diff,
	  "bcpc diff OLD.bcp NEW.bcp (--thumbprint B64 | --pubkey PUB.pem)... [--json] [--budget N]\n"
	  "       bcpc diff --old-source OLD.bcl... --new-source NEW.bcl... [--json] [--budget N]",
	  "Says exactly what changes between two blobs or two policies (a blob and a policy\n"
	  "mix too: a blob side is a positional file, a policy side --old-source or\n"
	  "--new-source with its files). First the objects added, removed, renamed (same\n"
	  "content, other name), moved (rule order) or changed, field by field; then every\n"
	  "class of requests whose decision changes: pattern, protocol, ports and user\n"
	  "condition, the old and the new decision (verdict, segment, rule), grouped by\n"
	  "segment and rule, each with a witness request and user that bcpc has decided\n"
	  "through both blobs with libbcp. A condition over the solver's budget is\n"
	  "listed as not decided, never left out. Blobs are verified against the trust\n"
	  "anchor (their validity window is shown, not enforced).\n"
	  "Exit status: 0 no decision changes; 1 decisions change (or some not decided);\n"
	  "2 usage error, unreadable or unverified input, a policy with errors.\n" },
	{ "explain", cmd_explain,
	  "bcpc explain (OUT.bcp (--thumbprint B64 | --pubkey PUB.pem) [--now TIME] |\n"
	  "       --reference FILE.bcl...) --user USER.json HOST:PORT[/udp] [--json]",
	  "Says why a request is decided as it is. With --reference, from the policy\n"
	  "sources, every step: the normalized request; each host or address pattern that\n"
	  "matched, most specific first, with its segments, match style and the segment\n"
	  "serving the port; the segments selected (the multimatch chain) and a bypass;\n"
	  "each rule in order up to the one that decided, and for each that did not, the\n"
	  "first clause that failed with the user's values; the default deny; the app\n"
	  "profiles tried and the one chosen. Its decision, segment, rule and profile are\n"
	  "those of 'bcpc query' (tested on the differential corpus). With a blob, it is\n"
	  "verified, libbcp decides as a client does, and the same steps are shown from\n"
	  "the blob read back (no source lines or disabled segments; a rule's app clauses\n"
	  "as the segments it applies to), only when they end where libbcp does. --json\n"
	  "prints the same as one JSON object (with a blob, also libbcp's reason and the\n"
	  "serial).\n"
	  "Exit status: 0 explained; 1 the policy, blob, user or target was refused;\n"
	  "2 usage error, or the blob's steps disagree with libbcp (an internal error).\n" },
	{ "install", cmd_install,
	  "bcpc install BLOB --thumbprint B64 [--thumbprint B64...] --state-dir DIR\n"
	  "       [--now TIME]",
	  "Installs a blob into a device's state folder with libbcp, as a client does:\n"
	  "verifies it against the thumbprints (current and next key during a rotation),\n"
	  "refuses a serial lower than the highest ever installed there, the same serial\n"
	  "with other bytes, an expired or not-yet-valid blob; then replaces current.bcp\n"
	  "atomically and keeps the blob it replaces as last-known-good (previous.bcp).\n"
	  "The thumbprints given become the folder's trust set. Installing the blob that is\n"
	  "already installed says \"unchanged\": only the trust set and the time are recorded.\n"
	  "Exit status: 0 installed or unchanged; 1 refused (the reason from libbcp is\n"
	  "printed, and the blob still installed); 3 installed but degraded (a step after\n"
	  "the commit failed: install again; or the last-known-good no longer opens with\n"
	  "the trust set given); 2 usage error.\n"
	  "Test hook: with BCPC_INSTALL_ABORT_AFTER=N in the environment, each step of the\n"
	  "install (write, fsync, link, rename) is named on standard error and the process\n"
	  "abort()s after the Nth, to test that a crash at any step leaves the old blob or\n"
	  "the new one.\n" },
	{ "status", cmd_status, "bcpc status --state-dir DIR [--now TIME] [--json]",
	  "Opens the installed blob in DIR as a client does (bcp_open_state, read-only) and\n"
	  "says which file is open (current.bcp, or previous.bcp as last-known-good and why),\n"
	  "its serial and validity, whether it has expired, and the effective time (the\n"
	  "clock, or the latest time seen there less the tolerance if the clock went back).\n"
	  "Exit status: 0 the installed blob is open and in force; 3 a blob is open but\n"
	  "degraded: the last-known-good, because the installed blob does not open, or an\n"
	  "expired blob, which denies every request; 1 no blob opens (every request is\n"
	  "denied); 2 usage error.\n" },
	{ "installer-args", cmd_installer_args,
	  "bcpc installer-args PATH_ON_DEVICE --thumbprint B64 --format msi|exe|json",
	  "Prints the Client Connector installer options that hand a device its blob and\n"
	  "thumbprint, quoted for Windows: msi gives the msiexec properties\n"
	  "BCPCONFIGFILEPATH=\"...\" BCPMAPUBKEYHASH=\"...\" (for an msiexec line or an MST),\n"
	  "exe the flags --bcpConfigFilePath \"...\" --bcpMAPublicKeyHash \"...\", json both\n"
	  "and the raw values for MDM tooling. Each option requires the other: both the path\n"
	  "and the thumbprint must be given. The path is where the blob will be on the\n"
	  "device (absolute); nothing is read here.\n"
	  "Exit status: 0 printed; 2 usage error (a bad path, thumbprint or format).\n" },
	{ "import", cmd_import,
	  "bcpc import zpa DIR|FILE... [BC.bcl] -o POLICY.bcl [--report REPORT.json]\n"
	  "       [--controller HOST[:PORT]... --sni NAME [--sni-new-user NAME] [--domain NAME]\n"
	  "        [--sp-url URL] [--sp-ca-file PEM]]",
	  "Translates a ZPA tenant, exported as management-API responses (one response\n"
	  "body per file, any names; a folder means its *.json files), into one policy:\n"
	  "segments, segment groups and the access policy, with a comment naming each ZPA\n"
	  "id, and a header listing the inputs and their SHA-256. Files are recognized by\n"
	  "their shape; paged lists are merged. What the language cannot say exactly is\n"
	  "left out of allow rules and taken as holding in deny rules (never more\n"
	  "permissive than ZPA), and listed in the report. The policy is checked before\n"
	  "it is written. docs/IMPORT.md has the mapping.\n"
	  "business_continuity is written when controllers and sni are given, on the\n"
	  "command line or in BC.bcl (a file holding only a business_continuity block, its\n"
	  "lines kept as written): the domain and timers come from a BC settings export\n"
	  "unless one of these gives them (the report lists each replacement).\n"
	  "Exit status: 0 imported, nothing left out; 1 imported, items in the report;\n"
	  "2 usage error, unreadable or refused input (nothing written).\n" },
	{ "report", cmd_report,
	  "bcpc report [BLOB (--thumbprint B64... | --pubkey PUB.pem)] [FILE.bcl...]\n"
	  "       [--previous OLD.bcp] [--tests TESTS.bcl...] [--now TIME] -o REPORT.html",
	  "Writes one self-contained HTML page for a change board (no external script,\n"
	  "font or style; it opens offline and prints whole): tenant; with a blob, its\n"
	  "serial, validity window, signer thumbprint and SHA-256 (to match the file MDM\n"
	  "pushes); business continuity; the segments as a table to search and sort; the\n"
	  "rules in order with the segments they apply to and their conditions in policy\n"
	  "text; the app profiles; lint's findings; with --tests, each test's result as\n"
	  "'bcpc test' runs it (libbcp and the reference evaluator); with --previous, what\n"
	  "'bcpc diff' says of the change from that blob (verified with the same trust).\n"
	  "A blob is verified under the trust given (as 'bcpc verify' does; a window that\n"
	  "has not started or has ended is shown, not refused). Alone, it is read back:\n"
	  "exactly what devices enforce. With its sources, it is compared with them\n"
	  "compiled in memory at its serial and window, and the report says whether it is\n"
	  "exactly those sources. Without a blob, the report says there is no serial,\n"
	  "signer or SHA-256 yet. REPORT.html is written whole or not at all.\n"
	  "Exit status: 0 written; 1 written, but a test failed or the blob is not the\n"
	  "sources compiled, or nothing written (the policy, tests or blob were refused);\n"
	  "2 usage error.\n" },
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void usage(FILE *out)
{
	fprintf(out, "bcpc %s - Business Continuity Policy Compiler for ZPA\n\nusage:\n",
		BCPC_VERSION);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fprintf(out, "\n'bcpc COMMAND --help' says more about each. docs/LANGUAGE.md describes the\n"
		     "policy language.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bcpc %s\n", BCPC_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (wants_help(argc - 1, argv + 1)) {
			printf("usage: %s\n\n%s", commands[i].usage, commands[i].help);
			if (commands[i].run == cmd_query)   /* the keys, from the attribute table */
				query_help_keys(stdout);
			return 0;
		}
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "bcpc: unknown command '%.200s'\n", argv[1]);
	usage(stderr);
	return 2;
}
