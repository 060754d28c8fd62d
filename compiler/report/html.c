/* html.c - HTML text in memory (html.h): the buffer, escaping, and the page's
 * skeleton. The style sheet and the script are constants of this file: the page
 * loads nothing from anywhere, so it opens the same offline, from a mail or from
 * an archive years later. The script only improves the page (search, sort): every
 * row is in the HTML, so the page is whole without it and prints whole. */
#include "html.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hb_init(struct hbuf *h)
{
	memset(h, 0, sizeof *h);
}

void hb_free(struct hbuf *h)
{
	free(h->s);
	memset(h, 0, sizeof *h);
}

static int hb_reserve(struct hbuf *h, size_t more)
{
	if (h->failed)
		return -1;
	if (more < h->cap - h->len)
		return 0;
	size_t cap = h->cap ? h->cap : 4096;
	while (cap - h->len <= more) {
		if (cap > ((size_t)-1) / 2) {
			h->failed = 1;
			return -1;
		}
		cap *= 2;
	}
	char *s = realloc(h->s, cap);
	if (!s) {
		h->failed = 1;
		return -1;
	}
	h->s = s;
	h->cap = cap;
	return 0;
}

static void hb_add(struct hbuf *h, const char *s, size_t n)
{
	if (hb_reserve(h, n) != 0)
		return;
	memcpy(h->s + h->len, s, n);
	h->len += n;
	h->s[h->len] = '\0';
}

void hb_raw(struct hbuf *h, const char *s)
{
	hb_add(h, s, strlen(s));
}

/* The formatted text in malloc'd memory, or NULL (and h failed). */
static char *vformat(struct hbuf *h, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	char *s = n < 0 ? NULL : malloc((size_t)n + 1);
	if (!s) {
		h->failed = 1;
		return NULL;
	}
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

void hb_printf(struct hbuf *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = h->failed ? NULL : vformat(h, fmt, ap);
	va_end(ap);
	if (s)
		hb_raw(h, s);
	free(s);
}

void hb_text(struct hbuf *h, const char *s)
{
	if (!s)
		return;
	for (const char *run = s;; s++) {
		unsigned char c = (unsigned char)*s;
		const char *ent = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" :
				  c == '"' ? "&quot;" : c == '\'' ? "&#39;" : NULL;
		int drop = c && c < 0x20 && c != '\t' && c != '\n';
		if (c && !ent && !drop && c != 0x7f)
			continue;
		hb_add(h, run, (size_t)(s - run));
		if (!c)
			return;
		if (ent)
			hb_raw(h, ent);
		run = s + 1;
	}
}

void hb_textf(struct hbuf *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = h->failed ? NULL : vformat(h, fmt, ap);
	va_end(ap);
	hb_text(h, s);
	free(s);
}

static const char style[] =
	":root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg2:#f6f8fa;--allow:#1a7f37;"
	"--deny:#cf222e;--warn:#9a6700}\n"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);"
	"margin:0 auto;max-width:1200px;padding:1.5em 2em}\n"
	"h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .5em;"
	"border-bottom:1px solid var(--line);padding-bottom:.2em}h3{font-size:1.05em;margin:1em 0 .3em}\n"
	"table{border-collapse:collapse;width:100%;margin:.4em 0}\n"
	"th,td{border:1px solid var(--line);padding:.3em .5em;text-align:left;vertical-align:top}\n"
	"th{background:var(--bg2)}table.kv th{width:14em}\n"
	"code,.mono{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;font-size:.92em;"
	"overflow-wrap:break-word}\n"
	".muted{color:var(--muted)}.allow{color:var(--allow);font-weight:600}"
	".deny{color:var(--deny);font-weight:600}.warning{color:var(--warn);font-weight:600}\n"
	".note{color:var(--muted);font-weight:600}.pass{color:var(--allow);font-weight:600}"
	".fail{color:var(--deny);font-weight:600}\n"
	".banner{border:1px solid var(--line);border-left:5px solid var(--warn);background:#fff8c5;"
	"padding:.5em .8em;margin:.6em 0}.banner.bad{border-left-color:var(--deny);background:#ffebe9}\n"
	".banner.good{border-left-color:var(--allow);background:#dafbe1}\n"
	".tools{margin:.3em 0;display:flex;gap:1em;align-items:center}\n"
	".tools input{font:inherit;padding:.2em .4em;min-width:20em}\n"
	"th[data-sort-dir]{cursor:pointer}th[data-sort-dir]::after{content:' \\2195';color:var(--muted)}\n"
	"th[data-sort-dir=asc]::after{content:' \\2191'}th[data-sort-dir=desc]::after{content:' \\2193'}\n"
	"ul.clauses{margin:0;padding-left:1.1em}\n"
	"#js-errors{color:var(--deny);white-space:pre-wrap}\n"
	"nav ul{margin:0;padding-left:1.2em;columns:2}\n"
	"@media screen{tr.filtered-out{display:none}}\n"
	"@media print{body{max-width:none;padding:0;font-size:10pt}.tools,nav,#js-errors{display:none}"
	"tr,li,.banner{break-inside:avoid}thead{display:table-header-group}h2,h3{break-after:avoid}"
	"a{color:inherit;text-decoration:none}th[data-sort-dir]::after{content:''}}\n";

/* Runs first, in <head>: every script error from here on is written into the page
 * (#js-errors) and counted on <body data-errors>, so a test sees it in the DOM. */
static const char error_capture[] =
	"window.bcpcErrors=[];window.onerror=function(m,s,l){window.bcpcErrors.push(m+' (line '+l+')');"
	"var b=document.body;if(b)b.setAttribute('data-errors',String(window.bcpcErrors.length));"
	"var p=document.getElementById('js-errors');if(p){p.hidden=false;"
	"p.textContent=window.bcpcErrors.join('\\n');}return false;};\n";

/* Search and sort for each table[data-sortable]. In the address, #ID=TEXT filters
 * table ID on load and #ID-sort=N sorts it by its column N (from 0), so a link can
 * carry a search, and a test can drive both. The last line marks success. */
static const char script[] =
	"(function(){\n"
	"function cellKey(td){var v=td.getAttribute('data-key');return v!==null?v:td.textContent;}\n"
	"function cmp(a,b){var x=parseFloat(a),y=parseFloat(b);"
	"if(String(x)===a.trim()&&String(y)===b.trim())return x-y;"
	"return a.localeCompare(b,undefined,{numeric:true,sensitivity:'base'});}\n"
	"function setup(t){var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows),"
	"box=document.getElementById(t.id+'-search'),count=document.getElementById(t.id+'-count');\n"
	"function filter(q){q=q.trim().toLowerCase();var n=0;rows.forEach(function(r){"
	"var hit=!q||r.textContent.toLowerCase().indexOf(q)>=0;r.classList.toggle('filtered-out',!hit);"
	"if(hit)n++;});if(count)count.textContent=n+' of '+rows.length+' shown';}\n"
	"if(box){box.hidden=false;box.addEventListener('input',function(){filter(box.value);});}\n"
	"Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){"
	"th.setAttribute('data-sort-dir','none');th.tabIndex=0;function go(){"
	"var dir=th.getAttribute('data-sort-dir')==='asc'?'desc':'asc';"
	"Array.prototype.forEach.call(t.tHead.rows[0].cells,function(o){"
	"o.setAttribute('data-sort-dir','none');});"
	"th.setAttribute('data-sort-dir',dir);rows.slice().sort(function(a,b){"
	"var c=cmp(cellKey(a.cells[i]),cellKey(b.cells[i]));return dir==='asc'?c:-c;})"
	".forEach(function(r){body.appendChild(r);});}\n"
	"th.addEventListener('click',go);th.addEventListener('keydown',function(e){"
	"if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});\n"
	"th.bcpcSort=go;});\nt.bcpcFilter=filter;filter('');}\n"
	"Array.prototype.forEach.call(document.querySelectorAll('table[data-sortable]'),setup);\n"
	"location.hash.replace(/^#/,'').split('&').forEach(function(kv){var i=kv.indexOf('=');"
	"if(i<0)return;var k=kv.slice(0,i),q=decodeURIComponent(kv.slice(i+1)),"
	"s=/-sort$/.test(k),t=document.getElementById(s?k.slice(0,-5):k);if(!t||!t.bcpcFilter)return;"
	"if(s){var th=t.tHead.rows[0].cells[parseInt(q,10)];if(th)th.bcpcSort();return;}"
	"t.bcpcFilter(q);var b=document.getElementById(t.id+'-search');if(b)b.value=q;});\n"
	"document.body.setAttribute('data-ok','1');\n"
	"})();\n";

void html_page_begin(struct hbuf *h, const char *title)
{
	hb_raw(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		  "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n<title>");
	hb_text(h, title);
	hb_raw(h, "</title>\n<style>\n");
	hb_raw(h, style);
	hb_raw(h, "</style>\n<script>\n");
	hb_raw(h, error_capture);
	hb_raw(h, "</script>\n</head>\n<body>\n<pre id=\"js-errors\" hidden></pre>\n");
}

void html_page_end(struct hbuf *h)
{
	hb_raw(h, "<script>\n");
	hb_raw(h, script);
	hb_raw(h, "</script>\n</body>\n</html>\n");
}
