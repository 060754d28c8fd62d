/* zpa_read.c - the input side of `bcpc import zpa`: files and folders to parsed JSON
 * documents, each with its SHA-256 for the output's header. What a document holds is
 * zpa_shape.c's business; nothing here looks inside one. */
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "keys.h"
#include "zpa.h"

#define ZPA_MAX_FILE (256u << 20)   /* a 10,000-segment export is about 20 MiB */

static const char *const kind_names[] = {
#define ZPA_KIND_NAME_(e, text, used) text,
	ZPA_KINDS(ZPA_KIND_NAME_)
#undef ZPA_KIND_NAME_
};

const char *zpa_kind_name(enum zpa_kind k)
{
	return (unsigned)k < ZK_COUNT ? kind_names[k] : "unknown";
}

void zpa_tenant_init(struct zpa_tenant *t)
{
	memset(t, 0, sizeof *t);
	for (int k = 0; k < ZK_COUNT; k++)
		t->set[k].index = json_object();
	t->embedded.index = json_object();
	t->notes = json_array();
}

void zpa_tenant_free(struct zpa_tenant *t)
{
	for (size_t i = 0; i < t->nfiles; i++) {
		free(t->files[i].path);
		json_decref(t->files[i].doc);
	}
	free(t->files);
	for (int k = 0; k < ZK_COUNT; k++) {
		free(t->set[k].v);
		json_decref(t->set[k].index);
	}
	free(t->embedded.v);
	json_decref(t->embedded.index);
	json_decref(t->notes);
	memset(t, 0, sizeof *t);
}

int zpa_read_buffer(struct zpa_tenant *t, const char *name, const void *data, size_t len,
		    struct zpa_err *e)
{
	json_error_t je;
	struct zpa_file *f;

	if (t->nfiles == t->capfiles) {
		size_t cap = t->capfiles ? 2 * t->capfiles : 16;
		struct zpa_file *nf = realloc(t->files, cap * sizeof *nf);
		if (!nf) {
			snprintf(e->msg, sizeof e->msg, "out of memory");
			return -1;
		}
		t->files = nf;
		t->capfiles = cap;
	}
	f = &t->files[t->nfiles];
	memset(f, 0, sizeof *f);
	f->path = strdup(name);
	if (!f->path) {
		snprintf(e->msg, sizeof e->msg, "out of memory");
		return -1;
	}
	sha256_hex(data, len, f->sha256);
	/* Integers stay exact (json_int_t is 64 bits); one too large for that is an
	 * error here rather than a double (W6). Duplicate keys keep the last value. */
	f->doc = json_loadb(data, len, 0, &je);
	t->nfiles++;
	if (!f->doc) {
		snprintf(e->msg, sizeof e->msg,
			 "%.400s: not a ZPA export: invalid JSON at line %d, column %d: %.200s",
			 name, je.line, je.column, je.text);
		return -1;
	}
	return zpa_add_document(t, (unsigned)(t->nfiles - 1), e);
}

static int read_file(struct zpa_tenant *t, const char *path, struct zpa_err *e)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	char *buf;
	size_t n;
	int rc;

	if (!fp) {
		snprintf(e->msg, sizeof e->msg, "cannot read %.400s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(e->msg, sizeof e->msg, "cannot read %.400s: not a regular file", path);
		fclose(fp);
		return -1;
	}
	if ((uint64_t)st.st_size > ZPA_MAX_FILE) {
		snprintf(e->msg, sizeof e->msg, "cannot read %.400s: larger than %u MiB", path,
			 ZPA_MAX_FILE >> 20);
		fclose(fp);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(fp);
		snprintf(e->msg, sizeof e->msg, "out of memory");
		return -1;
	}
	n = fread(buf, 1, (size_t)st.st_size, fp);
	if (ferror(fp) || n != (size_t)st.st_size) {
		snprintf(e->msg, sizeof e->msg, "cannot read %.400s: read error", path);
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	rc = zpa_read_buffer(t, path, buf, n, e);
	free(buf);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_json_suffix(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && !strcasecmp(name + n - 5, ".json");
}

/* A folder: its regular *.json files, in byte order of their names, not recursing.
 * Other files (Migrate2GSA also writes a log) are passed over. */
static int read_dir(struct zpa_tenant *t, const char *dir, struct zpa_err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d) {
		snprintf(e->msg, sizeof e->msg, "cannot read %.400s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !has_json_suffix(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn) {
				rc = -1;
				break;
			}
			names = nn;
		}
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		names[n] = malloc(len);
		if (!names[n]) {
			rc = -1;
			break;
		}
		snprintf(names[n], len, "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	if (rc) {
		snprintf(e->msg, sizeof e->msg, "out of memory");
	} else if (n == 0) {
		snprintf(e->msg, sizeof e->msg, "%.400s: no *.json file in this folder", dir);
		rc = -1;
	} else {
		qsort(names, n, sizeof *names, cmp_str);
		for (size_t i = 0; i < n && !rc; i++)
			rc = read_file(t, names[i], e);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int zpa_read_paths(struct zpa_tenant *t, char *const *paths, int n, struct zpa_err *e)
{
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0) {
			snprintf(e->msg, sizeof e->msg, "cannot read %.400s: %s", paths[i],
				 strerror(errno));
			return -1;
		}
		if ((S_ISDIR(st.st_mode) ? read_dir(t, paths[i], e) : read_file(t, paths[i], e)))
			return -1;
	}
	return 0;
}
