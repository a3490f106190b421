/*
 * replay.c - a main() for the fuzz targets outside libFuzzer: calls
 * LLVMFuzzerTestOneInput once on every regular file of each directory (or
 * file) named on the command line, sorted by name.  The test suite links it
 * with each target to replay fuzz/regressions/ and the seed corpora, so
 * crashes found once stay fixed in ordinary (gcc, ASan) builds.
 */
#include "fuzz_common.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

static int replay_file(const char *path, size_t *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long size;
	int rc = -1;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	/* An exact-size buffer, so that ASan catches reads past the input. */
	data = malloc(size ? (size_t)size : 1);
	if (!data || (size && fread(data, 1, (size_t)size, f) != (size_t)size))
		goto out;
	LLVMFuzzerTestOneInput(data, (size_t)size);
	(*count)++;
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "replay: %s: could not read\n", path);
	free(data);
	fclose(f);
	return rc;
}

static int replay_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int replay_path(const char *path, size_t *count)
{
	struct dirent **names = NULL;
	struct stat st;
	char file[4096];
	int n, rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, count);
	n = scandir(path, &names, NULL, replay_cmp);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && replay_file(file, count))
				rc = -1;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count))
			rc = 1;
	printf("replayed %zu inputs\n", count);
	return rc;
}
