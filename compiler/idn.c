/* idn.c - IDNA2008 checks and conversion of host names with libidn2 (idn.h). */
#include "idn.h"
#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int idn_check_alabels(const char *host, char *why, size_t cap)
{
	char label[64];
	for (const char *p = host; *p; ) {
		size_t n = strcspn(p, ".");
		if (n >= 4 && n < sizeof label && !strncasecmp(p, "xn--", 4)) {
			char *u = NULL, *back = NULL;
			memcpy(label, p, n);
			label[n] = '\0';
			int ok = idn2_to_unicode_8z8z(label, &u, 0) == IDN2_OK &&
				 idn2_to_ascii_8z(u, &back, IDN2_NONTRANSITIONAL) == IDN2_OK &&
				 !strcasecmp(back, label);
			if (!ok)
				snprintf(why, cap, "\"%s\" is not a valid A-label (IDNA2008)%s%s%s", label,
					 u ? ": it decodes to \"" : "", u ? u : "", u ? "\"" : "");
			free(u);
			idn2_free(back);
			if (!ok)
				return -1;
		}
		p += n + (p[n] == '.');
	}
	return 0;
}

int idn_to_alabels(const char *text, size_t len, char *out, size_t cap)
{
	char *in = malloc(len + 1), *a = NULL;
	int rc = -1;
	if (!in)
		return -1;
	memcpy(in, text, len);
	in[len] = '\0';
	if (!memchr(in, '\0', len) &&
	    idn2_to_ascii_8z(in, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) == IDN2_OK &&
	    strlen(a) < cap) {
		for (size_t i = 0; a[i]; i++)
			out[i] = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] - 'A' + 'a') : a[i];
		out[strlen(a)] = '\0';
		rc = 0;
	}
	idn2_free(a);
	free(in);
	return rc;
}
