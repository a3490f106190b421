/*
 * dict.c - which dictionary the aligner gets, and loading it fast.
 *
 * Without -d/--dictionary (or $ALIGNQA_DICTIONARY) the aligner gets the
 * team's lexicon, every *.txt file of the data directory's lexicon/ in name
 * order, merged into one dictionary; "-d ''" or --no-dictionary gives none;
 * "-d FILE" gives FILE instead.
 *
 * Parsing a text dictionary costs about 1 us a line (the team lexicon: a few
 * ms; CC-CEDICT: 0.14 s), so a text dictionary is compiled once into the
 * user's cache directory and read from there afterwards (about 0.1 ms and
 * 10 ms).  The cache file is named after the files' paths, sizes, mtimes and
 * inodes and this alignqa build (version, executable size and mtime); any
 * change makes a new name.  A cached
 * file that fails to load (another build's format, damage) is parsed and
 * written again.  A cache that cannot be written is no error: the text is
 * parsed every time.  Files are written under a unique name and renamed, so
 * concurrent processes never see half of one.  Writing one removes all but
 * the DICT_CACHE_KEEP newest (a rebuild or an edited lexicon leaves its old
 * file behind); one removed while in use is compiled again next time.
 */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DICT_MAX_FILES 64
#define DICT_CACHE_KEEP 8   /* compiled lexicons kept in the cache */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lexicon files of DIR/lexicon, sorted; 0 files if there is none. */
static int lexicon_files(const char *data_dir, char ***out, size_t *n)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	char **v = NULL;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	snprintf(dir, sizeof(dir), "%s/lexicon", data_dir);
	if (!(d = opendir(dir)))
		return 0;
	if (!(v = calloc(DICT_MAX_FILES, sizeof(*v)))) {
		closedir(d);
		return -1;
	}
	while ((de = readdir(d)) != NULL && k < DICT_MAX_FILES) {
		size_t len = strlen(de->d_name);
		char path[PATH_MAX];

		if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".txt"))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		if (!(v[k] = strdup(path))) {
			closedir(d);
			goto fail;
		}
		k++;
	}
	closedir(d);
	qsort(v, k, sizeof(*v), cmp_str);
	*out = v;
	*n = k;
	return 0;
fail:
	for (size_t i = 0; i < k; i++)
		free(v[i]);
	free(v);
	return -1;
}

static void free_files(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The cache directory, created if need be; false if there is none. */
static bool cache_dir(char *buf, size_t size)
{
	const char *env = getenv("ALIGNQA_CACHE_DIR"), *xdg, *home;
	char parent[PATH_MAX];

	int n;

	if (env && *env) {
		n = snprintf(buf, size, "%s", env);
	} else if ((xdg = getenv("XDG_CACHE_HOME")) && *xdg == '/') {
		n = snprintf(buf, size, "%s/alignqa", xdg);
	} else if ((home = getenv("HOME")) && *home == '/') {
		if ((size_t)snprintf(parent, sizeof(parent), "%s/.cache", home) >= sizeof(parent) ||
		    (mkdir(parent, 0700) < 0 && errno != EEXIST))
			return false;
		n = snprintf(buf, size, "%.*s/alignqa", (int)(sizeof(parent) - 16), parent);
	} else {
		return false;
	}
	if (n < 0 || (size_t)n >= size)
		return false;
	return (mkdir(buf, 0700) == 0 || errno == EEXIST) && access(buf, W_OK | X_OK) == 0;
}

/* The cache file for these files: false if a file cannot be stat'ed (the
 * loader then reports it) or there is no cache directory. */
static bool cache_path(char *buf, size_t size, const char *const *paths, size_t n)
{
	uint64_t h = 0;
	char dir[PATH_MAX];
	const char *v = AQ_VERSION;

	struct stat exe;

	/* This very build: a rebuilt loader may lay a lexicon out differently
	 * without a new format version. */
	h = aq_hash64(v, strlen(v) + 1, h);
	if (stat("/proc/self/exe", &exe) == 0) {
		uint64_t f[3] = { (uint64_t)exe.st_size, (uint64_t)exe.st_mtim.tv_sec,
			(uint64_t)exe.st_mtim.tv_nsec };

		h = aq_hash64(f, sizeof(f), h);
	}
	for (size_t i = 0; i < n; i++) {
		char real[PATH_MAX];
		struct stat st;
		uint64_t f[5];

		if (!realpath(paths[i], real) || stat(real, &st) < 0 || !S_ISREG(st.st_mode))
			return false;
		f[0] = (uint64_t)st.st_dev;
		f[1] = (uint64_t)st.st_ino;
		f[2] = (uint64_t)st.st_size;
		f[3] = (uint64_t)st.st_mtim.tv_sec;
		f[4] = (uint64_t)st.st_mtim.tv_nsec;
		h = aq_hash64(real, strlen(real) + 1, h);
		h = aq_hash64(f, sizeof(f), h);
	}
	if (!cache_dir(dir, sizeof(dir)))
		return false;
	return (size_t)snprintf(buf, size, "%s/lexicon-%016llx.aqlex", dir,
		(unsigned long long)h) < size;
}

/* Is the file compiled already (then it is read as it is, not cached)? */
static bool is_compiled_file(const char *path)
{
	char magic[6];
	FILE *f = fopen(path, "rb");
	bool yes;

	if (!f)
		return false;
	yes = fread(magic, 1, sizeof(magic), f) == sizeof(magic) && !memcmp(magic, "AQLEX", 6);
	fclose(f);
	return yes;
}

typedef struct cache_file {
	char name[64];
	struct timespec mtime;
} cache_file;

static int newer_first(const void *a, const void *b)
{
	const struct timespec *x = &((const cache_file *)a)->mtime;
	const struct timespec *y = &((const cache_file *)b)->mtime;

	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? 1 : -1;
	return x->tv_nsec < y->tv_nsec ? 1 : x->tv_nsec > y->tv_nsec ? -1 : 0;
}

/* Removes all but the DICT_CACHE_KEEP newest compiled lexicons of dir. */
static void cache_prune(const char *dir)
{
	cache_file *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char path[PATH_MAX];
		struct stat st;

		if (strncmp(de->d_name, "lexicon-", 8) || len < 14 || len >= sizeof(v->name) ||
		    strcmp(de->d_name + len - 6, ".aqlex"))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path) ||
		    stat(path, &st) < 0)
			continue;
		if (n == cap) {
			cache_file *nv = realloc(v, (cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
			cap = cap ? cap * 2 : 16;
		}
		memcpy(v[n].name, de->d_name, len + 1);
		v[n++].mtime = st.st_mtim;
	}
	closedir(d);
	if (n > DICT_CACHE_KEEP) {
		qsort(v, n, sizeof(*v), newer_first);
		for (size_t i = DICT_CACHE_KEEP; i < n; i++) {
			char path[PATH_MAX];

			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, v[i].name) < sizeof(path))
				unlink(path);
		}
	}
	free(v);
}

/* Loads paths as one dictionary, through the cache when it can. */
static int load_cached(aq_lexicon **out, aq_ctx *ctx, const char *const *paths, size_t n)
{
	char cached[PATH_MAX], tmp[PATH_MAX + 32];
	aq_ctx *quiet = NULL;
	bool use_cache;

	use_cache = !(n == 1 && is_compiled_file(paths[0])) &&
		cache_path(cached, sizeof(cached), paths, n);
	if (use_cache && access(cached, R_OK) == 0 && aq_ctx_new(&quiet) == 0) {
		int rc = aq_lexicon_load(out, quiet, cached, AQ_LEX_COMPILED);

		aq_ctx_free(quiet);
		quiet = NULL;
		if (rc == 0)
			return 0;
	}
	if (aq_lexicon_load_files(out, ctx, paths, n, AQ_LEX_AUTO))
		return -1;
	/* Written under a name of its own, then renamed: two processes filling
	 * the cache at once each rename a whole file. */
	if (use_cache && aq_ctx_new(&quiet) == 0) {
		snprintf(tmp, sizeof(tmp), "%s.%ld", cached, (long)getpid());
		if (aq_lexicon_save(*out, quiet, tmp) == 0) {
			char *slash;

			if (rename(tmp, cached) < 0)
				unlink(tmp);
			if ((slash = strrchr(cached, '/')) != NULL) {
				*slash = '\0';
				cache_prune(cached);
			}
		}
		aq_ctx_free(quiet);
	}
	return 0;
}

int cli_dictionary_load(aq_ctx *ctx, const char *spec, const char *data_dir,
	aq_lexicon **out)
{
	char **files = NULL;
	size_t n = 0;
	int rc = 0;

	*out = NULL;
	if (spec && !*spec)
		return 0;
	if (spec) {
		files = (char **)&spec;
		n = 1;
	} else if (lexicon_files(data_dir, &files, &n)) {
		cli_error("out of memory");
		return EXIT_USAGE;
	}
	if (n && load_cached(out, ctx, (const char *const *)files, n)) {
		cli_error("%s", aq_ctx_errmsg(ctx));
		rc = EXIT_USAGE;
	}
	if (!spec)
		free_files(files, n);
	return rc;
}
