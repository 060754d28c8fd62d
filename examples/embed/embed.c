/* embed.c - the smallest client of libbcp: open a blob pinned by a thumbprint,
 * bind one user, print a few decisions. Build it as a client project would:
 *
 *     cc embed.c $(pkg-config --cflags --libs libbcp) -o embed
 *     ./embed policy.bcp THUMBPRINT host:port ...
 *
 * Any error means deny: a client that cannot open the blob grants nothing. */
#include <bcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: embed BLOB THUMBPRINT HOST:PORT[/udp]...\n");
		return 2;
	}
	const char *trusted[] = { argv[2] };
	struct bcp_open_opts opts = { .thumbprints = trusted, .nthumbprints = 1,
				      .now = (int64_t)time(NULL) };
	struct bcp_error err;
	bcp_blob *blob;
	if (bcp_open_file(argv[1], &opts, &blob, &err) != BCP_OK) {
		fprintf(stderr, "embed: refusing %s: %s\n", argv[1], err.message);
		return 1;
	}

	/* The user, as the client knows them after authentication. */
	const char *dept[] = { "Finance" };
	const char *groups[] = { "Finance", "All-Staff" };
	const char *posture[] = { "disk-encrypted" };
	struct bcp_attr saml[] = { { "department", dept, 1 } };
	struct bcp_user_info info = { .saml = saml, .nsaml = 1, .scim_groups = groups,
				      .nscim_groups = 2, .idp = "okta", .platform = "windows",
				      .posture = posture, .nposture = 1, .country = "US" };
	bcp_user *user;
	if (bcp_bind(blob, &info, &user, &err) != BCP_OK) {
		fprintf(stderr, "embed: %s\n", err.message);
		bcp_close(blob);
		return 1;
	}
	const char *profile = bcp_user_profile(user);
	printf("profile: %s\n", profile ? profile : "(none)");

	for (int i = 3; i < argc; i++) {
		char host[300];
		snprintf(host, sizeof host, "%s", argv[i]);
		enum bcp_proto proto = BCP_TCP;
		char *slash = strrchr(host, '/');
		if (slash) {
			proto = strcmp(slash + 1, "udp") == 0 ? BCP_UDP : BCP_TCP;
			*slash = '\0';
		}
		char *colon = strrchr(host, ':');
		if (!colon) {
			fprintf(stderr, "embed: %s: want HOST:PORT\n", argv[i]);
			continue;
		}
		*colon = '\0';
		struct bcp_decision d;
		if (bcp_decide_host(user, host, strlen(host), (uint16_t)atoi(colon + 1), proto,
				    &d) != BCP_OK) {
			printf("%-32s deny (invalid host)\n", argv[i]);
			continue;
		}
		printf("%-32s %-6s segment=%s rule=%s\n", argv[i], bcp_verdict_str(d.verdict),
		       d.segment ? d.segment : "-", d.rule ? d.rule : "-");
	}
	bcp_user_free(user);
	bcp_close(blob);
	return 0;
}
