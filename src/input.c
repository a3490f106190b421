/*
 * input.c - streams records out of files, directories and standard input:
 * walks directories in name order, decides per file between JSON Lines and
 * the plain-text shape, reads line by line (never a whole file), splits
 * text files at "---" lines, and turns every failure into one AQ_EINPUT
 * the caller can step over.  A file that is not UTF-8 is read whole and
 * converted first (encoding.c); a compressed file or an archive (told by
 * its magic bytes) is read member by member through archive.c.  Parsing
 * one record is record.c's job.
 */
#include "alignqa.h"
#include "archive_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INPUT_DEFAULT_MAX ((size_t)64 << 20) /* bytes: a record or JSON line */
#define INPUT_READ_SIZE ((size_t)64 << 10)   /* bytes asked of read(2) at once */
/* A file to convert is read whole: it may be this many times the record
 * limit (raw bytes). */
#define INPUT_CONVERT_FACTOR 4

/* Extensions a file found inside a directory must have (files named on the
 * command line are read whatever their name). */
static const char *const input_exts[] = { ".txt", ".jsonl", ".json", ".ndjson", NULL };
/* Inside a directory, archives are read too: these names, and a record
 * name followed by a compression suffix ("x.jsonl.gz").  What a file is
 * is then decided by its content. */
static const char *const input_archive_exts[] = { ".tar", ".tgz", ".tbz2", ".txz", ".zip",
	".tar.gz", ".tar.bz2", ".tar.xz", NULL };
static const char *const input_compress_exts[] = { ".gz", ".bz2", ".xz", NULL };

/* Buffered reader over a file descriptor.  read(2) rather than stdio so
 * that a pipe is processed as data arrives. */
typedef struct input_reader {
	int fd;        /* -1 when closed */
	aq_archive *ar; /* when set, bytes come from its current member, not fd */
	char *buf;     /* unread bytes are buf[pos..len) */
	size_t pos, len, cap;
	bool eof;      /* read(2) returned 0 (or the member ended) */
	bool ar_failed; /* the archive is damaged: its message is in the ctx */
} input_reader;

/* A path waiting to be read. */
typedef struct input_path {
	char *path;
	bool from_dir; /* found by walking a directory: filters apply */
} input_path;

struct aq_input {
	aq_ctx *ctx;
	aq_input_format format;  /* as asked for; AUTO decides per file */
	size_t max_bytes;        /* limit of one record or JSON line */
	input_path *todo;        /* stack: the next path is on top */
	size_t n_todo, cap_todo;
	size_t errors;           /* AQ_EINPUT returned so far */

	/* The source being read. */
	bool is_open;
	bool is_stdin;
	char *path;              /* path as given or found ("-" for stdin) */
	const char *name;        /* for messages and ids: path, or "stdin", or
	                          * member_name */
	aq_archive *ar;          /* the source is an archive (or compressed) */
	bool member_open;        /* a member of ar is being read */
	char *member_name;       /* "ARCHIVE:member/path" (or the archive's name
	                          * for a compressed single file) */
	char *member_id;         /* the id its name gives a text record */
	aq_input_format cur;     /* TEXT or JSONL */
	input_reader rd;
	uint32_t lineno;         /* lines consumed */
	uint64_t consumed;       /* bytes consumed */
	uint32_t n_records;      /* records started (good or bad) */
	aq_buf line;             /* the current line */
	aq_buf chunk;            /* the text record being collected */
	char *encoding;          /* opts->encoding; NULL: auto */
	char cur_encoding[64];   /* encoding of the open source; "" for UTF-8 */
	uint64_t utf8_ok_end;    /* bytes [0, this) of the source are known to be
	                          * valid UTF-8 (checked when it was opened) */
};

/* ------------------------------------------------------------------ */
/* Reader */

/* Reads more bytes.  Returns 0 (eof is set at the end) or an errno. */
static int reader_fill(input_reader *r)
{
	ssize_t got;

	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->cap - r->len < INPUT_READ_SIZE) {
		size_t cap = r->cap ? r->cap * 2 : INPUT_READ_SIZE * 2;
		char *p = NULL;

		while (cap - r->len < INPUT_READ_SIZE)
			cap *= 2;
		p = realloc(r->buf, cap);

		if (!p)
			return ENOMEM;
		r->buf = p;
		r->cap = cap;
	}
	if (r->ar) {
		got = aq_archive_read(r->ar, r->buf + r->len, r->cap - r->len);
		if (got < 0) {
			r->ar_failed = true;
			return EIO;
		}
	} else {
		do {
			got = read(r->fd, r->buf + r->len, r->cap - r->len);
		} while (got < 0 && errno == EINTR);
	}
	if (got < 0)
		return errno;
	if (got == 0)
		r->eof = true;
	r->len += (size_t)got;
	return 0;
}

static bool input_is_blank_byte(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Finds the first non-blank byte at or after buf[pos + skip] without
 * consuming anything.  *at is its offset from pos, or SIZE_MAX at end of
 * file (or after limit bytes).  Returns 0 or an errno. */
static int reader_peek(input_reader *r, size_t skip, size_t limit, size_t *at)
{
	size_t i = skip;
	int err;

	for (;;) {
		while (r->pos + i < r->len && input_is_blank_byte(r->buf[r->pos + i]))
			i++;
		if (r->pos + i < r->len) {
			*at = i;
			return 0;
		}
		if (r->eof || i > limit) {
			*at = SIZE_MAX;
			return 0;
		}
		if ((err = reader_fill(r)))
			return err;
	}
}

/* Reads one line (with its "\n") into dst.  A line whose content exceeds
 * limit bytes is consumed but not stored (*too_long).  *raw gets the bytes
 * consumed.  Returns 1 for a line, 0 at end of file, or a negated errno. */
static int reader_line(input_reader *r, aq_buf *dst, size_t limit, size_t *raw, bool *too_long)
{
	size_t content = 0;
	int err;

	aq_buf_clear(dst);
	*raw = 0;
	*too_long = false;
	for (;;) {
		const char *nl = NULL;
		size_t take;

		if (r->pos == r->len) {
			if (r->eof)
				break;
			if ((err = reader_fill(r)))
				return -err;
			continue;
		}
		nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		take = nl ? (size_t)(nl - (r->buf + r->pos)) + 1 : r->len - r->pos;
		content += nl ? take - 1 : take;
		if (content > limit)
			*too_long = true;
		if (!*too_long && aq_buf_put(dst, r->buf + r->pos, take))
			return -ENOMEM;
		r->pos += take;
		*raw += take;
		if (nl)
			break;
	}
	return *raw > 0 ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Paths */

static int input_push(aq_input *in, const char *path, size_t len, bool from_dir)
{
	char *p = NULL;

	if (in->n_todo == in->cap_todo) {
		size_t cap = in->cap_todo ? in->cap_todo * 2 : 16;
		input_path *v = realloc(in->todo, cap * sizeof(*v));

		if (!v)
			return AQ_ENOMEM;
		in->todo = v;
		in->cap_todo = cap;
	}
	p = malloc(len + 1);
	if (!p)
		return AQ_ENOMEM;
	memcpy(p, path, len);
	p[len] = '\0';
	in->todo[in->n_todo].path = p;
	in->todo[in->n_todo].from_dir = from_dir;
	in->n_todo++;
	return 0;
}

/* Does path[0..n) end with one of exts (and hold more than that)?
 * Returns the length of the suffix, or 0. */
static size_t input_ends_with(const char *path, size_t n, const char *const *exts)
{
	for (int i = 0; exts[i]; i++) {
		size_t e = strlen(exts[i]);

		if (n > e && memcmp(path + n - e, exts[i], e) == 0)
			return e;
	}
	return 0;
}

/* Is this the name of a record file (or, with archives, of an archive or
 * a compressed record file)? */
static bool input_has_ext(const char *path, bool archives)
{
	size_t n = strlen(path), e;

	if (input_ends_with(path, n, input_exts))
		return true;
	if (!archives)
		return false;
	if (input_ends_with(path, n, input_archive_exts))
		return true;
	e = input_ends_with(path, n, input_compress_exts);
	return e && input_ends_with(path, n - e, input_exts);
}

/* Would a directory walk read this archive member?  Not when a component
 * of its path is hidden (".name", ".."), nor without a record extension. */
static bool input_member_wanted(const char *member)
{
	const char *c = member;

	while (c) {
		if (c[0] == '.' && c[1] != '/' && c[1] != '\0')
			return false;
		c = strchr(c, '/');
		if (c)
			c++;
	}
	return input_has_ext(member, false);
}

static int input_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Pushes the entries of a directory so that they pop in strcmp order.
 * Hidden entries (".name") are skipped. */
static int input_expand_dir(aq_input *in, const char *path)
{
	DIR *dir = NULL;
	struct dirent *de = NULL;
	char **names = NULL, *child = NULL;
	size_t n = 0, cap = 0, plen = strlen(path);
	int rc = 0;

	dir = opendir(path);
	if (!dir) {
		rc = aq_ctx_error(in->ctx, AQ_EINPUT, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			if (errno)
				rc = aq_ctx_error(in->ctx, AQ_EINPUT, "%s: %s", path, strerror(errno));
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **v = NULL;

			cap = cap ? cap * 2 : 32;
			v = realloc(names, cap * sizeof(*v));
			if (!v) {
				rc = AQ_ENOMEM;
				goto out;
			}
			names = v;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			rc = AQ_ENOMEM;
			goto out;
		}
		n++;
	}
	if (rc)
		goto out;
	if (n)
		qsort(names, n, sizeof(*names), input_cmp_names);
	while (plen > 1 && path[plen - 1] == '/')
		plen--;
	for (size_t i = n; i-- > 0;) {
		size_t clen = plen + 1 + strlen(names[i]);

		child = malloc(clen + 1);
		if (!child) {
			rc = AQ_ENOMEM;
			goto out;
		}
		memcpy(child, path, plen);
		child[plen] = '/';
		strcpy(child + plen + 1, names[i]);
		if (plen == 1 && path[0] == '/')
			memmove(child + 1, child + 2, clen - 1); /* "/" + "x", not "//x" */
		if ((rc = input_push(in, child, strlen(child), true)))
			goto out;
		free(child);
		child = NULL;
	}
out:
	free(child);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (dir)
		closedir(dir);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Sources */

static void input_close(aq_input *in)
{
	aq_archive_free(in->ar);
	in->ar = NULL;
	in->rd.ar = NULL;
	in->rd.ar_failed = false;
	in->member_open = false;
	free(in->member_name);
	in->member_name = NULL;
	free(in->member_id);
	in->member_id = NULL;
	if (in->rd.fd >= 0 && !in->is_stdin)
		close(in->rd.fd);
	in->rd.fd = -1;
	in->rd.pos = in->rd.len = 0;
	in->rd.eof = false;
	free(in->path);
	in->path = NULL;
	in->name = NULL;
	in->is_open = false;
	in->is_stdin = false;
	in->cur_encoding[0] = '\0';
	in->utf8_ok_end = 0;
}

/* The error of a failed reader_fill: an errno, or a damaged archive
 * (its message, naming archive and member, is already in the ctx). */
static int input_fill_error(aq_input *in, int err)
{
	if (in->rd.ar_failed)
		return AQ_EINPUT;
	return aq_ctx_error(in->ctx, err == ENOMEM ? AQ_ENOMEM : AQ_EINPUT, "%s: %s", in->name,
		strerror(err));
}

/* Does name mean UTF-8 ("UTF-8", "utf8", "Utf_8")? */
static bool input_is_utf8_name(const char *name)
{
	const char *want = "utf8";

	for (; *name; name++) {
		if (*name == '-' || *name == '_')
			continue;
		if (!*want || (*name | 0x20) != *want)
			return false;
		want++;
	}
	return !*want;
}

/* Reads the rest of the source and replaces the reader's bytes by their
 * UTF-8 conversion from encoding (NULL: detect), so that the line reader
 * goes on over memory. */
static int input_convert(aq_input *in, const char *encoding)
{
	input_reader *r = &in->rd;
	size_t limit = in->max_bytes * INPUT_CONVERT_FACTOR, n_utf8 = 0;
	char name[64], *utf8 = NULL;
	int err, rc = 0, conf;

	if (limit / INPUT_CONVERT_FACTOR != in->max_bytes)
		limit = SIZE_MAX;
	while (!r->eof) {
		if (r->len - r->pos > limit)
			break;
		if ((err = reader_fill(r)))
			return input_fill_error(in, err);
	}
	if (r->len - r->pos > limit)
		return aq_ctx_error(in->ctx, AQ_EINPUT,
			"%s: not UTF-8 and larger than %zu bytes (files to convert are read "
			"whole; convert it to UTF-8 first)", in->name, limit);
	if (!encoding) {
		rc = aq_encoding_detect(name, sizeof(name), &conf, in->ctx, r->buf + r->pos,
			r->len - r->pos);
		if (rc)
			goto fail;
		encoding = name;
	}
	if (input_is_utf8_name(encoding))
		return 0; /* e.g. valid UTF-8 with NUL bytes: the checks report them */
	rc = aq_encoding_to_utf8(&utf8, &n_utf8, in->ctx, encoding, r->buf + r->pos,
		r->len - r->pos);
	if (rc)
		goto fail;
	free(r->buf);
	r->buf = utf8;
	r->cap = n_utf8 + 1;
	r->pos = 0;
	r->len = n_utf8;
	snprintf(in->cur_encoding, sizeof(in->cur_encoding), "%s", encoding);
	in->utf8_ok_end = n_utf8;
	return 0;
fail:
	if (rc == AQ_EINPUT || rc == AQ_EINVAL) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", aq_ctx_errmsg(in->ctx));
		rc = aq_ctx_error(in->ctx, AQ_EINPUT, "%s: %s", in->name, msg);
	}
	return rc;
}

/* Are at least 1/8 of s[0..n) NUL bytes: UTF-16 without a byte order
 * mark rather than a stray NUL (an error of its record)?  The rule of
 * aq_encoding_detect. */
static bool input_many_nuls(const unsigned char *s, size_t n)
{
	size_t n_nul = 0;

	if (!memchr(s, '\0', n))
		return false;
	for (size_t i = 0; i < n; i++)
		n_nul += s[i] == '\0';
	return n_nul >= n / 8;
}

/* Decides the encoding of the source just opened: streams UTF-8 as it
 * comes, converts anything else (input_convert).  One pass of
 * aq_utf8_check over the first buffer; the record checks skip what it
 * covered. */
static int input_sniff(aq_input *in)
{
	input_reader *r = &in->rd;
	const unsigned char *b;
	size_t n, bad;
	bool whole;
	int err;

	if (in->encoding)
		return input_is_utf8_name(in->encoding) ? 0 : input_convert(in, in->encoding);
	/* A pipe gives what it has (at least a byte order mark's worth); a
	 * file its first INPUT_READ_SIZE bytes. */
	while (!r->eof && (r->len - r->pos < 4 || (!in->is_stdin && r->len - r->pos <
	       INPUT_READ_SIZE)))
		if ((err = reader_fill(r)))
			return input_fill_error(in, err);
	b = (const unsigned char *)r->buf + r->pos;
	n = r->len - r->pos;
	whole = r->eof;
	if (n > INPUT_READ_SIZE) {
		n = INPUT_READ_SIZE; /* what is known of every file, however read */
		whole = false;
	}
	if (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
		return input_convert(in, NULL);
	bad = aq_utf8_check((const char *)b, n);
	/* A sequence cut by the end of the buffer is not (yet) an error. */
	if (bad < n && !whole && n - bad < 4 && b[bad] >= 0xC2 && b[bad] <= 0xF4) {
		bool cut = true;

		for (size_t i = bad + 1; i < n; i++)
			cut = cut && (b[i] & 0xC0) == 0x80;
		if (cut) {
			in->utf8_ok_end = bad;
			return input_many_nuls(b, bad) ? input_convert(in, NULL) : 0;
		}
	}
	if (bad < n || input_many_nuls(b, n))
		return input_convert(in, NULL);
	in->utf8_ok_end = n;
	return 0;
}

/* Decides the format of the source just opened (AQ_INPUT_AUTO). */
static int input_detect(aq_input *in)
{
	input_reader *r = &in->rd;
	size_t at, skip = 0, at2;
	int err;

	/* Three bytes to see a BOM, unless the file is shorter. */
	while (r->len - r->pos < 3 && !r->eof)
		if ((err = reader_fill(r)))
			goto fail;
	if (r->len - r->pos >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0)
		skip = 3;
	if ((err = reader_peek(r, skip, in->max_bytes, &at)))
		goto fail;
	in->cur = AQ_INPUT_TEXT;
	if (at == SIZE_MAX)
		return 0;
	if (r->buf[r->pos + at] == '{') {
		in->cur = AQ_INPUT_JSONL;
	} else if (r->buf[r->pos + at] == '[') {
		/* "[{" is a JSON array, which the text reader would misread;
		 * "[Article in Chinese]" is text. */
		if ((err = reader_peek(r, at + 1, in->max_bytes, &at2)))
			goto fail;
		if (at2 != SIZE_MAX && r->buf[r->pos + at2] == '{')
			return aq_ctx_error(in->ctx, AQ_EINPUT,
				"%s: a JSON array, not JSON Lines (write one object a line)",
				in->name);
	}
	return 0;
fail:
	return input_fill_error(in, err);
}

/* Starts reading the source (file or archive member) just opened: its
 * encoding, then its format. */
static int input_start(aq_input *in)
{
	int rc;

	in->lineno = 0;
	in->consumed = 0;
	in->n_records = 0;
	in->cur = in->format;
	in->cur_encoding[0] = '\0';
	in->utf8_ok_end = 0;
	if ((rc = input_sniff(in)))
		return rc;
	return in->format == AQ_INPUT_AUTO ? input_detect(in) : 0;
}

/* Looks at the first bytes of the source just opened for the magic bytes
 * of a compressed file or an archive, and opens it through archive.c if
 * they are there: the reader then reads its members. */
static int input_open_archive(aq_input *in)
{
	input_reader *r = &in->rd;
	/* A pipe is not kept waiting for a tar header's worth of bytes. */
	size_t want = in->is_stdin ? 10 : AQ_ARCHIVE_SNIFF_LEN;
	aq_archive_kind kind;
	int err, rc;

	while (!r->eof && r->len - r->pos < want)
		if ((err = reader_fill(r)))
			return input_fill_error(in, err);
	kind = aq_archive_kind_of((const unsigned char *)r->buf + r->pos, r->len - r->pos);
	if (kind == AQ_ARCHIVE_NONE)
		return 0;
	if ((rc = aq_archive_open(&in->ar, in->ctx, kind, r->fd, r->buf + r->pos,
		    r->len - r->pos, in->name)))
		return rc;
	r->pos = r->len = 0;
	r->eof = false;
	r->ar = in->ar;
	return 0;
}

/* The id a text record's file name gives inside an archive: the base name
 * of the member (or of the compressed file, without its compression
 * suffix), without its last extension, as for a plain file. */
static char *input_member_id(const char *member, const char *archive)
{
	const char *name = member ? member : archive;
	const char *base = strrchr(name, '/'), *dot;
	size_t n;

	base = base ? base + 1 : name;
	n = strlen(base);
	if (!member)
		n -= input_ends_with(base, n, input_compress_exts);
	dot = memrchr(base, '.', n);
	if (dot && dot != base)
		n = (size_t)(dot - base);
	return strndup(base, n);
}

/* Opens the next member of the open archive that a directory walk would
 * read.  Returns 0 (a member is open, or the archive has ended and is
 * closed: try again), AQ_EINPUT (a damaged archive, which is closed, or a
 * member that cannot be read: the next call goes on with the next one) or
 * AQ_ENOMEM. */
static int input_open_member(aq_input *in)
{
	const char *member = NULL, *archive = in->is_stdin ? "stdin" : in->path;
	size_t n;
	int rc;

	for (;;) {
		rc = aq_archive_next(in->ar, &member);
		if (rc) {
			input_close(in);
			return rc == AQ_ITEROVER ? 0 : rc;
		}
		if (!member || input_member_wanted(member))
			break;
	}
	free(in->member_name);
	free(in->member_id);
	n = strlen(archive) + (member ? strlen(member) + 2 : 1);
	in->member_name = malloc(n);
	in->member_id = input_member_id(member, archive);
	if (!in->member_name || !in->member_id) {
		input_close(in);
		return AQ_ENOMEM;
	}
	if (member)
		snprintf(in->member_name, n, "%s:%s", archive, member);
	else
		snprintf(in->member_name, n, "%s", archive);
	in->name = in->member_name;
	in->rd.pos = in->rd.len = 0;
	in->rd.eof = false;
	in->member_open = true;
	if ((rc = input_start(in))) {
		in->member_open = false;
		if (in->rd.ar_failed || rc == AQ_ENOMEM)
			input_close(in);
	}
	return rc;
}

/* Takes the next path off the stack and opens it, expands it (directory)
 * or skips it.  Returns 0 (a source is open or nothing was opened: try
 * again), AQ_ITEROVER, AQ_EINPUT or AQ_ENOMEM. */
static int input_open_next(aq_input *in)
{
	input_path p;
	struct stat st;
	int rc = 0, fd;

	if (in->n_todo == 0)
		return AQ_ITEROVER;
	p = in->todo[--in->n_todo];
	if (!p.from_dir && strcmp(p.path, "-") == 0) {
		in->is_stdin = true;
		in->rd.fd = STDIN_FILENO;
		in->name = "stdin";
		goto opened;
	}
	/* Inside a directory, symbolic links to directories are not followed
	 * (no cycles); links to files are. */
	if (p.from_dir) {
		if (lstat(p.path, &st) == 0 && S_ISLNK(st.st_mode) && stat(p.path, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			goto skip;
	}
	if (stat(p.path, &st) != 0) {
		rc = aq_ctx_error(in->ctx, AQ_EINPUT, "%s: %s", p.path, strerror(errno));
		goto skip;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = input_expand_dir(in, p.path);
		goto skip;
	}
	if (p.from_dir && (!S_ISREG(st.st_mode) || !input_has_ext(p.path, true)))
		goto skip;
	fd = open(p.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = aq_ctx_error(in->ctx, AQ_EINPUT, "%s: %s", p.path, strerror(errno));
		goto skip;
	}
	in->rd.fd = fd;
	in->name = p.path;
opened:
	in->path = p.path;
	in->is_open = true;
	in->rd.pos = in->rd.len = 0;
	in->rd.eof = false;
	if ((rc = input_open_archive(in)) == 0 && !in->ar)
		rc = input_start(in);
	if (rc)
		input_close(in);
	return rc;
skip:
	free(p.path);
	return rc;
}

/* Reports the first invalid UTF-8 sequence (or, in text, NUL byte) of
 * s[0..n), which starts at file offset base on line lineno. */
static int input_check_bytes(aq_input *in, const char *s, size_t n, uint64_t base,
	uint32_t lineno, bool nul_is_bad)
{
	size_t bad = n, bol = 0, known = 0;
	const char *nul = NULL;
	const char *what = "invalid UTF-8";

	/* Bytes checked when the source was opened are not checked again. */
	if (in->utf8_ok_end > base)
		known = in->utf8_ok_end - base < n ? (size_t)(in->utf8_ok_end - base) : n;
	if (known < n)
		bad = known + aq_utf8_check(s + known, n - known);
	nul = nul_is_bad ? memchr(s, '\0', bad) : NULL;

	if (nul) {
		bad = (size_t)(nul - s);
		what = "NUL byte";
	}
	if (bad == n)
		return 0;
	for (size_t i = 0; i < bad; i++) {
		if (s[i] == '\n') {
			lineno++;
			bol = i + 1;
		}
	}
	return aq_ctx_error(in->ctx, AQ_EINPUT, "%s:%u:%zu: %s (byte offset %llu)", in->name,
		lineno, bad - bol + 1, what, (unsigned long long)(base + bad));
}

/* A failed read ends the source: the next call goes on with the next
 * path. */
static int input_read_error(aq_input *in, int err)
{
	int rc = AQ_ENOMEM;

	if (in->rd.ar_failed)
		rc = AQ_EINPUT; /* libarchive's message, naming archive and member */
	else if (err != ENOMEM)
		rc = aq_ctx_error(in->ctx, AQ_EINPUT, "%s: %s", in->name, strerror(err));
	input_close(in);
	return rc;
}

/* Is this line a record separator: "---" or a form feed, alone? */
static bool input_is_separator(const char *s, size_t n)
{
	size_t i = 0, j = n;

	while (i < j && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (j > i && input_is_blank_byte(s[j - 1]) && s[j - 1] != '\f')
		j--;
	return (j - i == 3 && memcmp(s + i, "---", 3) == 0) || (j - i == 1 && s[i] == '\f');
}

static bool input_is_blank(const char *s, size_t n)
{
	size_t i = 0;

	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (; i < n; i++)
		if (!input_is_blank_byte(s[i]))
			return false;
	return true;
}

/* Sets the source of rec and, for the 2nd, 3rd... record of a text file,
 * the "#n" suffix of its id. */
static int input_finish(aq_input *in, aq_record *rec, bool numbered)
{
	char *s = strdup(in->member_name ? in->member_name : in->is_stdin ? "-" : in->path);

	if (!s)
		return AQ_ENOMEM;
	free(rec->source);
	rec->source = s;
	rec->index = in->n_records - 1;
	if (in->cur_encoding[0] && !aq_record_meta(rec, "encoding") &&
	    aq_record_add_meta(rec, "encoding", in->cur_encoding, strlen(in->cur_encoding)))
		return AQ_ENOMEM;
	if (numbered && in->n_records >= 2) {
		size_t n = strlen(rec->id) + 16;
		char *id = malloc(n);

		if (!id)
			return AQ_ENOMEM;
		snprintf(id, n, "%s#%u", rec->id, in->n_records);
		free(rec->id);
		rec->id = id;
	}
	return 0;
}

static int input_next_json(aq_input *in, aq_record **out)
{
	aq_record *rec = NULL;
	size_t raw;
	bool too_long;
	uint64_t start;
	int rc;

	for (;;) {
		start = in->consumed;
		rc = reader_line(&in->rd, &in->line, in->max_bytes, &raw, &too_long);
		if (rc == 0)
			return AQ_ITEROVER;
		if (rc < 0)
			return input_read_error(in, -rc);
		in->lineno++;
		in->consumed += raw;
		if (too_long) {
			in->n_records++;
			return aq_ctx_error(in->ctx, AQ_EINPUT,
				"%s:%u: line longer than %zu bytes (the record limit)", in->name,
				in->lineno, in->max_bytes);
		}
		if (!input_is_blank(in->line.ptr, in->line.len))
			break;
	}
	in->n_records++;
	if ((rc = input_check_bytes(in, in->line.ptr, in->line.len, start, in->lineno, false)))
		return rc;
	rc = aq_record_parse_json(&rec, in->ctx, in->name, in->lineno, in->line.ptr, in->line.len);
	if (rc)
		return rc;
	if ((rc = input_finish(in, rec, false))) {
		aq_record_free(rec);
		return rc;
	}
	*out = rec;
	return 0;
}

static int input_next_text(aq_input *in, aq_record **out)
{
	aq_record *rec = NULL;
	aq_buf *chunk = &in->chunk;
	size_t raw;
	bool too_long, started = false, oversize = false;
	uint64_t start = 0, line_start;
	uint32_t first_line = 0;
	int rc;

	aq_buf_clear(chunk);
	for (;;) {
		line_start = in->consumed;
		rc = reader_line(&in->rd, &in->line, in->max_bytes, &raw, &too_long);
		if (rc < 0)
			return input_read_error(in, -rc);
		if (rc == 0) {
			if (!started)
				return AQ_ITEROVER;
			break;
		}
		in->lineno++;
		in->consumed += raw;
		if (!too_long && input_is_separator(in->line.ptr, in->line.len)) {
			if (started)
				break;
			continue;
		}
		if (!started) {
			if (!too_long && input_is_blank(in->line.ptr, in->line.len))
				continue;
			started = true;
			first_line = in->lineno;
			start = line_start;
			in->n_records++;
		}
		if (too_long || chunk->len + in->line.len > in->max_bytes)
			oversize = true;
		if (!oversize && aq_buf_put(chunk, in->line.ptr, in->line.len))
			return AQ_ENOMEM;
	}
	if (oversize)
		return aq_ctx_error(in->ctx, AQ_EINPUT, "%s:%u: record larger than %zu bytes",
			in->name, first_line, in->max_bytes);
	if ((rc = input_check_bytes(in, chunk->ptr, chunk->len, start, first_line, true)))
		return rc;
	rc = aq_record_parse_text(&rec, in->ctx, in->name, first_line, chunk->ptr, chunk->len);
	if (rc)
		return rc;
	if (in->member_id) {
		char *id = strdup(in->member_id);

		if (!id) {
			aq_record_free(rec);
			return AQ_ENOMEM;
		}
		free(rec->id);
		rec->id = id;
	}
	if ((rc = input_finish(in, rec, true))) {
		aq_record_free(rec);
		return rc;
	}
	*out = rec;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Public interface */

int aq_input_new(aq_input **out, aq_ctx *ctx, const char *const *paths, size_t n_paths,
	const aq_input_opts *opts)
{
	aq_input *in = NULL;
	int rc = 0;

	*out = NULL;
	if (n_paths > 0 && !paths)
		return aq_ctx_error(ctx, AQ_EINVAL, "aq_input_new: no paths");
	if (opts && (opts->format < AQ_INPUT_AUTO || opts->format > AQ_INPUT_JSONL))
		return aq_ctx_error(ctx, AQ_EINVAL, "aq_input_new: unknown format %d",
			(int)opts->format);
	in = calloc(1, sizeof(*in));
	if (!in)
		return AQ_ENOMEM;
	in->ctx = ctx;
	in->rd.fd = -1;
	in->format = opts ? opts->format : AQ_INPUT_AUTO;
	in->max_bytes = opts && opts->max_record_bytes ? opts->max_record_bytes : INPUT_DEFAULT_MAX;
	if (opts && opts->encoding && strcmp(opts->encoding, "auto") != 0) {
		char *probe = NULL;
		size_t n_probe = 0;

		/* An unknown name is a usage error now, not one error a file. */
		if ((rc = aq_encoding_to_utf8(&probe, &n_probe, ctx, opts->encoding, "", 0)))
			goto out;
		free(probe);
		in->encoding = strdup(opts->encoding);
		if (!in->encoding) {
			rc = AQ_ENOMEM;
			goto out;
		}
	}
	aq_buf_init(&in->line);
	aq_buf_init(&in->chunk);
	for (size_t i = n_paths; i-- > 0;) {
		if (!paths[i]) {
			rc = aq_ctx_error(ctx, AQ_EINVAL, "aq_input_new: path %zu is NULL", i);
			goto out;
		}
		if ((rc = input_push(in, paths[i], strlen(paths[i]), false)))
			goto out;
	}
	*out = in;
	in = NULL;
out:
	aq_input_free(in);
	return rc;
}

int aq_input_next(aq_input *in, aq_record **out)
{
	int rc;

	*out = NULL;
	for (;;) {
		if (!in->is_open) {
			rc = input_open_next(in);
			if (rc)
				break;
			if (!in->is_open)
				continue;
		}
		if (in->ar && !in->member_open) {
			if ((rc = input_open_member(in)))
				break;
			continue;
		}
		if (in->cur == AQ_INPUT_JSONL)
			rc = input_next_json(in, out);
		else
			rc = input_next_text(in, out);
		if (rc == AQ_ITEROVER) {
			if (in->ar)
				in->member_open = false; /* on with the next member */
			else
				input_close(in);
			continue;
		}
		break;
	}
	if (rc == AQ_EINPUT)
		in->errors++;
	return rc;
}

size_t aq_input_errors(const aq_input *in)
{
	return in ? in->errors : 0;
}

void aq_input_free(aq_input *in)
{
	if (!in)
		return;
	input_close(in);
	for (size_t i = 0; i < in->n_todo; i++)
		free(in->todo[i].path);
	free(in->todo);
	free(in->rd.buf);
	aq_buf_dispose(&in->line);
	aq_buf_dispose(&in->chunk);
	free(in->encoding);
	free(in);
}
