/* html.h - HTML text in memory: a growing buffer, escaping of text and attribute
 * values, and the skeleton of a self-contained page (inline style and script, no
 * external resource). Nothing here knows about policies; nothing here writes files. */
#ifndef BCPC_REPORT_HTML_H
#define BCPC_REPORT_HTML_H
#include <stddef.h>

/* A NUL-terminated text that grows; on an allocation failure it stops growing and
 * sets failed (every later call is a no-op), so callers check once at the end. */
struct hbuf {
	char *s;
	size_t len, cap;
	int failed;
};

void hb_init(struct hbuf *h);
void hb_free(struct hbuf *h);
/* Appends markup as given (the caller's own, never data). */
void hb_raw(struct hbuf *h, const char *s);
void hb_printf(struct hbuf *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as text, good both between tags and inside a quoted attribute value:
 * & < > " ' become entities; control characters but tab and newline, and DEL, are
 * dropped (HTML has no way to show them and some are errors). NULL appends nothing. */
void hb_text(struct hbuf *h, const char *s);
/* hb_printf's result, then escaped as hb_text does. */
void hb_textf(struct hbuf *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The page from <!DOCTYPE html> to <body>, with the style sheet (screen and print)
 * and the title (escaped). */
void html_page_begin(struct hbuf *h, const char *title);
/* The script (search and sort of tables marked data-sortable, error capture, the
 * data-ok mark on <body> when it ran to its end) and the closing tags. */
void html_page_end(struct hbuf *h);
#endif
