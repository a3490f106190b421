/*
 * archive_int.h - internal interface of archive.c, the home of libarchive:
 * compressed files and archives read as a stream of members for input.c.
 * Not installed; nothing here is public.
 */
#ifndef AQ_ARCHIVE_INT_H
#define AQ_ARCHIVE_INT_H

#include "alignqa.h"

#include <sys/types.h>

/* Bytes of a file's start that aq_archive_kind() may look at: enough for
 * the "ustar" magic of a tar header (offset 257). */
#define AQ_ARCHIVE_SNIFF_LEN 265

typedef enum aq_archive_kind {
	AQ_ARCHIVE_NONE = 0,  /* not an archive: read the bytes as they are */
	AQ_ARCHIVE_COMPRESSED, /* gzip, bzip2 or xz: one file, or a tar inside */
	AQ_ARCHIVE_TAR,       /* an uncompressed tar */
	AQ_ARCHIVE_ZIP,       /* a zip archive */
} aq_archive_kind;

/* What the first n bytes of a file say it is, by their magic bytes only
 * (never by its name).  A tar is recognised only when n reaches
 * AQ_ARCHIVE_SNIFF_LEN. */
aq_archive_kind aq_archive_kind_of(const unsigned char *head, size_t n);

typedef struct aq_archive aq_archive;

/* Opens an archive of the given kind over fd (borrowed: the caller closes
 * it after aq_archive_free).  head[0..n_head) are bytes already read from
 * fd; they are copied and read first.  name is the archive's name for
 * messages (copied).  Returns 0, AQ_EINPUT (message "name: ...") or
 * AQ_ENOMEM, with the message in ctx. */
int aq_archive_open(aq_archive **out, aq_ctx *ctx, aq_archive_kind kind, int fd,
	const void *head, size_t n_head, const char *name);

/* Moves to the next member that is a regular file (directories, links and
 * devices are passed over; which files to read is the caller's choice), or
 * to the single file of a compressed stream.  *member gets its path inside
 * the archive (owned by ar, valid until the next call), or NULL for the
 * single file of a compressed stream.  Member names are only names: they
 * are never used as paths.  Returns 0, AQ_ITEROVER at the end, or
 * AQ_EINPUT for a damaged archive ("name: message"; the archive cannot go
 * on: free it). */
int aq_archive_next(aq_archive *ar, const char **member);

/* Reads up to n bytes of the current member.  Returns the number read, 0
 * at its end, or -1 for a damaged or truncated archive, with the message
 * ("name:member: message") in ctx; the archive cannot go on. */
ssize_t aq_archive_read(aq_archive *ar, void *buf, size_t n);

void aq_archive_free(aq_archive *ar);

#endif
