/* idn.h - internationalized host names (IDNA2008, through libidn2): the compiler
 * checks every "xn--" label it is given and turns a Unicode name into the A-label
 * form devices compare. The runtime never sees Unicode: it compares A-labels. */
#ifndef BCPC_IDN_H
#define BCPC_IDN_H
#include <stddef.h>

/* 0 when every label of host (a normalized ASCII name, "*." allowed in front) that
 * starts with "xn--" is an A-label IDNA2008 accepts: it decodes, and the name it
 * decodes to encodes back to exactly that label. Else -1, with why saying which
 * label and what it decodes to. */
int idn_check_alabels(const char *host, char *why, size_t cap);

/* The A-label form of a host name written in Unicode (UTF-8, len bytes), lower
 * case, into out; 0, or -1 when it is not a name IDNA2008 accepts. */
int idn_to_alabels(const char *text, size_t len, char *out, size_t cap);
#endif
