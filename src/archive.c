/*
 * archive.c - gzip, bzip2 and xz files, tar and zip archives as a stream of
 * members, through libarchive (this is its only home).  Tells an archive by
 * its magic bytes, streams one member at a time from a file descriptor and
 * never writes anything: member names are only names.  Which members hold
 * records, and how records are read, is input.c's business.
 */
#include "archive_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARCHIVE_BLOCK ((size_t)64 << 10) /* bytes asked of read(2) at once */

struct aq_archive {
	aq_ctx *ctx;
	struct archive *a;
	int fd;                 /* borrowed */
	unsigned char *head;    /* bytes read before the archive was opened */
	size_t n_head;
	bool head_given;        /* head has been handed to libarchive */
	unsigned char *block;   /* ARCHIVE_BLOCK bytes for the read callback */
	char *name;             /* the archive, for messages */
	const char *member;     /* the current member, or NULL */
	bool is_raw;            /* a compressed single file, not an archive */
	bool failed;            /* libarchive said FATAL: nothing more to read */
};

aq_archive_kind aq_archive_kind_of(const unsigned char *b, size_t n)
{
	if (n >= 3 && b[0] == 0x1F && b[1] == 0x8B && b[2] == 0x08)
		return AQ_ARCHIVE_COMPRESSED; /* gzip, deflate */
	if (n >= 6 && memcmp(b, "\xFD" "7zXZ\0", 6) == 0)
		return AQ_ARCHIVE_COMPRESSED; /* xz */
	if (n >= 10 && memcmp(b, "BZh", 3) == 0 && b[3] >= '1' && b[3] <= '9' &&
	    memcmp(b + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0)
		return AQ_ARCHIVE_COMPRESSED; /* bzip2, a block header after the level */
	if (n >= 4 && b[0] == 'P' && b[1] == 'K' &&
	    ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6)))
		return AQ_ARCHIVE_ZIP; /* a local file header, or an empty archive */
	if (n >= 263 && memcmp(b + 257, "ustar", 5) == 0 && (b[262] == '\0' || b[262] == ' '))
		return AQ_ARCHIVE_TAR; /* POSIX "ustar\0" or GNU "ustar  \0" */
	return AQ_ARCHIVE_NONE;
}

/* libarchive's read callback: the bytes read before opening, then fd. */
static la_ssize_t archive_feed(struct archive *a, void *payload, const void **buf)
{
	aq_archive *ar = payload;
	ssize_t got;

	if (!ar->head_given) {
		ar->head_given = true;
		if (ar->n_head) {
			*buf = ar->head;
			return (la_ssize_t)ar->n_head;
		}
	}
	do {
		got = read(ar->fd, ar->block, ARCHIVE_BLOCK);
	} while (got < 0 && errno == EINTR);
	if (got < 0) {
		archive_set_error(a, errno, "%s", strerror(errno));
		return -1;
	}
	*buf = ar->block;
	return got;
}

/* The message of a libarchive failure, once, naming the archive and the
 * member.  Returns code. */
static int archive_fail(aq_archive *ar, int code, const char *what)
{
	const char *msg = archive_error_string(ar->a);

	ar->failed = true;
	if (ar->member)
		return aq_ctx_error(ar->ctx, code, "%s:%s: %s", ar->name, ar->member,
			msg ? msg : what);
	return aq_ctx_error(ar->ctx, code, "%s: %s", ar->name, msg ? msg : what);
}

int aq_archive_open(aq_archive **out, aq_ctx *ctx, aq_archive_kind kind, int fd,
	const void *head, size_t n_head, const char *name)
{
	aq_archive *ar = NULL;
	int rc = 0;

	*out = NULL;
	ar = calloc(1, sizeof(*ar));
	if (!ar)
		return aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
	ar->ctx = ctx;
	ar->fd = fd;
	ar->name = strdup(name);
	ar->head = malloc(n_head ? n_head : 1);
	ar->block = malloc(ARCHIVE_BLOCK);
	ar->a = archive_read_new();
	if (!ar->name || !ar->head || !ar->block || !ar->a) {
		rc = aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(ar->head, head, n_head);
	ar->n_head = n_head;
	/* Only the formats the magic bytes announced: a text file is never
	 * taken for one of libarchive's many other formats. */
	switch (kind) {
	case AQ_ARCHIVE_COMPRESSED:
		archive_read_support_filter_gzip(ar->a);
		archive_read_support_filter_bzip2(ar->a);
		archive_read_support_filter_xz(ar->a);
		archive_read_support_format_tar(ar->a);
		archive_read_support_format_raw(ar->a);
		break;
	case AQ_ARCHIVE_TAR:
		archive_read_support_format_tar(ar->a);
		break;
	case AQ_ARCHIVE_ZIP:
		archive_read_support_format_zip(ar->a);
		break;
	default:
		rc = aq_ctx_error(ctx, AQ_EINVAL, "aq_archive_open: not an archive");
		goto out;
	}
	if (archive_read_open(ar->a, ar, NULL, archive_feed, NULL) != ARCHIVE_OK) {
		rc = archive_fail(ar, AQ_EINPUT, "cannot be opened");
		goto out;
	}
	*out = ar;
	ar = NULL;
out:
	aq_archive_free(ar);
	return rc;
}

int aq_archive_next(aq_archive *ar, const char **member)
{
	struct archive_entry *e = NULL;
	int r;

	*member = NULL;
	ar->member = NULL;
	if (ar->failed)
		return aq_ctx_error(ar->ctx, AQ_EINPUT, "%s: damaged archive", ar->name);
	for (;;) {
		r = archive_read_next_header(ar->a, &e);
		if (r == ARCHIVE_EOF)
			return AQ_ITEROVER;
		if (r == ARCHIVE_RETRY)
			continue;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return archive_fail(ar, AQ_EINPUT, "damaged archive");
		if (archive_format(ar->a) == ARCHIVE_FORMAT_RAW) {
			ar->is_raw = true;
			return 0;
		}
		if (archive_entry_filetype(e) != AE_IFREG || !archive_entry_pathname(e))
			continue;
		ar->member = archive_entry_pathname(e);
		*member = ar->member;
		return 0;
	}
}

ssize_t aq_archive_read(aq_archive *ar, void *buf, size_t n)
{
	la_ssize_t got;

	if (ar->failed)
		return -1;
	do {
		got = archive_read_data(ar->a, buf, n);
	} while (got == ARCHIVE_RETRY);
	if (got < 0) {
		archive_fail(ar, AQ_EINPUT, "damaged archive");
		return -1;
	}
	return (ssize_t)got;
}

void aq_archive_free(aq_archive *ar)
{
	if (!ar)
		return;
	if (ar->a)
		archive_read_free(ar->a);
	free(ar->head);
	free(ar->block);
	free(ar->name);
	free(ar);
}
