/*
 * encoding.c - tells the character encoding of a file's bytes (byte order
 * marks, UTF-8 validity, then ICU's charset detector) and converts bytes of
 * a named encoding to UTF-8 strictly: an invalid byte is an error with its
 * offset, never a U+FFFD.  Deciding when a file needs this is input.c's job.
 */
#include "alignqa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/ustring.h>

/* Detector matches below this confidence (ICU's 0..100 scale) are not
 * trusted: the caller must name the encoding.  ICU gives a text of a few
 * hundred Chinese characters 80-100 in its right encoding and rarely more
 * than 10-20 in a wrong one. */
#define ENCODING_CONFIDENCE_MIN 30
/* Bytes of the start of a file the UTF-8 heuristics look at (ICU's
 * detector itself samples about 8000). */
#define ENCODING_SAMPLE_LEN ((size_t)64 << 10)

/* The encodings detection may answer, as ICU's detector names them.
 * Single-byte guesses (ISO-8859-1, windows-1252, ...) are left out on
 * purpose: any byte string is valid in them, so a misdetected GB18030 file
 * would turn into mojibake without an error.  Name them explicitly. */
static const char *const encoding_candidates[] = {
	"UTF-8", "UTF-16LE", "UTF-16BE", "GB18030", "Big5", NULL
};

static int encoding_put_name(char *name_out, size_t name_size, aq_ctx *ctx, const char *name)
{
	if (!name_out || name_size <= strlen(name))
		return aq_ctx_error(ctx, AQ_EINVAL, "aq_encoding_detect: name buffer too small");
	strcpy(name_out, name);
	return 0;
}

/* Are at least 1/8 of the bytes NUL (UTF-16 or UTF-32 text, not a stray
 * NUL in UTF-8)? */
static bool encoding_many_nuls(const char *data, size_t len)
{
	size_t n_nul = 0;

	if (!memchr(data, '\0', len))
		return false;
	for (size_t i = 0; i < len; i++)
		n_nul += data[i] == '\0';
	return n_nul >= len / 8;
}

/* Counts the valid multi-byte UTF-8 characters and the invalid bytes (or
 * truncated sequences) of the start of data. */
static void encoding_utf8_counts(const char *data, size_t len, size_t *n_multi, size_t *n_bad)
{
	size_t off = 0;

	*n_multi = *n_bad = 0;
	if (len > ENCODING_SAMPLE_LEN)
		len = ENCODING_SAMPLE_LEN;
	while (off < len) {
		int32_t cp = aq_utf8_next(data, len, &off);

		if (cp < 0)
			(*n_bad)++;
		else if (cp >= 0x80)
			(*n_multi)++;
	}
}

/* Does the start of data hold at least 10 valid multi-byte UTF-8
 * characters per invalid byte (and at least 4 of them)? */
static bool encoding_mostly_utf8(const char *data, size_t len)
{
	size_t n_multi, n_bad;

	encoding_utf8_counts(data, len, &n_multi, &n_bad);
	return n_multi >= 4 && n_multi > 10 * n_bad;
}

/* Does the encoding read all of data without an invalid, unmapped or
 * truncated byte sequence?  When ICU cannot tell, the answer is yes (the
 * caller then stays with its stricter rules). */
static bool encoding_reads_whole(const char *encoding, const char *data, size_t len)
{
	UErrorCode err = U_ZERO_ERROR;
	UConverter *cnv = ucnv_open(encoding, &err);
	const char *src = data, *src_end = data + len;
	UChar u16[1024], *target;

	if (U_FAILURE(err))
		return true;
	ucnv_setToUCallBack(cnv, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &err);
	do {
		if (err == U_BUFFER_OVERFLOW_ERROR)
			err = U_ZERO_ERROR;
		target = u16;
		ucnv_toUnicode(cnv, &target, u16 + sizeof(u16) / sizeof(u16[0]), &src, src_end,
			NULL, true, &err);
	} while (err == U_BUFFER_OVERFLOW_ERROR);
	ucnv_close(cnv);
	return err != U_INVALID_CHAR_FOUND && err != U_ILLEGAL_CHAR_FOUND &&
		err != U_TRUNCATED_CHAR_FOUND;
}

/* A short file (one sample long) has too few characters for the ratio of
 * encoding_mostly_utf8 or for ICU's detector: one bad byte among a dozen
 * Chinese characters would get it refused whole.  It is damaged UTF-8 when
 * its valid multi-byte UTF-8 characters (at least 2) outnumber its invalid
 * bytes and neither GB18030 nor Big5 reads it without an error (read as
 * UTF-8, either of them has far more invalid bytes than characters). */
static bool encoding_short_utf8(const char *data, size_t len)
{
	size_t n_multi, n_bad;

	if (len > ENCODING_SAMPLE_LEN)
		return false;
	encoding_utf8_counts(data, len, &n_multi, &n_bad);
	return n_multi >= 2 && n_multi > n_bad && !encoding_reads_whole("GB18030", data, len) &&
		!encoding_reads_whole("Big5", data, len);
}

static bool encoding_is_candidate(const char *name)
{
	for (int i = 0; encoding_candidates[i]; i++)
		if (strcmp(name, encoding_candidates[i]) == 0)
			return true;
	return false;
}

int aq_encoding_detect(char *name_out, size_t name_size, int *confidence, aq_ctx *ctx,
	const char *data, size_t len)
{
	const unsigned char *b = (const unsigned char *)data;
	UCharsetDetector *det = NULL;
	const UCharsetMatch **matches = NULL;
	UErrorCode err = U_ZERO_ERROR;
	const char *best = NULL, *guess = "none";
	int32_t n_matches = 0, best_conf = 0, guess_conf = 0;
	int rc = 0;

	if (confidence)
		*confidence = 0;
	if (len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
		best = "UTF-8";
		best_conf = 100;
		goto found;
	}
	if (len >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
		best = "UTF-16LE";
		best_conf = 100;
		goto found;
	}
	if (len >= 2 && b[0] == 0xFE && b[1] == 0xFF) {
		best = "UTF-16BE";
		best_conf = 100;
		goto found;
	}
	/* Valid UTF-8 is UTF-8, unless many NUL bytes say it is UTF-16
	 * without a byte order mark (ASCII text in UTF-16 is valid UTF-8). */
	if (aq_utf8_check(data, len) == len && !encoding_many_nuls(data, len)) {
		best = "UTF-8";
		best_conf = 100;
		goto found;
	}
	/* Mostly valid UTF-8 is damaged UTF-8, not GB18030 (whose lead and
	 * trail bytes read UTF-8 characters as two-byte ones without an
	 * error): the damage is then reported where it is. */
	if (encoding_mostly_utf8(data, len)) {
		best = "UTF-8";
		best_conf = 50;
		goto found;
	}
	if (!encoding_many_nuls(data, len) && encoding_short_utf8(data, len)) {
		best = "UTF-8";
		best_conf = ENCODING_CONFIDENCE_MIN;
		goto found;
	}
	if (len > INT32_MAX)
		len = INT32_MAX; /* the detector samples the start anyway */
	det = ucsdet_open(&err);
	if (U_FAILURE(err)) {
		rc = aq_ctx_error(ctx, AQ_EICU, "ICU ucsdet_open: %s", u_errorName(err));
		goto out;
	}
	err = U_ZERO_ERROR;
	ucsdet_setText(det, data, (int32_t)len, &err);
	if (U_FAILURE(err)) {
		rc = aq_ctx_error(ctx, AQ_EICU, "ICU ucsdet_setText: %s", u_errorName(err));
		goto out;
	}
	err = U_ZERO_ERROR;
	matches = ucsdet_detectAll(det, &n_matches, &err);
	if (U_FAILURE(err)) {
		rc = aq_ctx_error(ctx, AQ_EICU, "ICU ucsdet_detectAll: %s", u_errorName(err));
		goto out;
	}
	/* Matches come best first; take the best one this domain allows. */
	for (int32_t i = 0; i < n_matches; i++) {
		const char *name;
		int32_t conf;

		err = U_ZERO_ERROR;
		name = ucsdet_getName(matches[i], &err);
		if (U_FAILURE(err) || !name)
			continue;
		conf = ucsdet_getConfidence(matches[i], &err);
		if (U_FAILURE(err))
			continue;
		if (i == 0 || (!encoding_is_candidate(guess) && encoding_is_candidate(name))) {
			guess = name;
			guess_conf = conf;
		}
		if (encoding_is_candidate(name)) {
			best = name;
			best_conf = conf;
			break;
		}
	}
	if (!best || best_conf < ENCODING_CONFIDENCE_MIN) {
		if (confidence)
			*confidence = (int)guess_conf;
		rc = aq_ctx_error(ctx, AQ_EINPUT,
			"could not tell the encoding (best guess %s, confidence %d); use --encoding",
			guess, (int)guess_conf);
		goto out;
	}
found:
	if ((rc = encoding_put_name(name_out, name_size, ctx, best)))
		goto out;
	if (confidence)
		*confidence = (int)best_conf;
out:
	ucsdet_close(det);
	return rc;
}

int aq_encoding_to_utf8(char **out, size_t *out_len, aq_ctx *ctx, const char *encoding,
	const char *data, size_t len)
{
	UConverter *cnv = NULL;
	UErrorCode err = U_ZERO_ERROR;
	UChar *u16 = NULL, *target = NULL;
	size_t cap_u16 = 0, n_u16 = 0;
	const char *src = data, *src_end = data + len;
	char *utf8 = NULL;
	int32_t n_utf8 = 0, skip = 0;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	if (!encoding || !*encoding)
		return aq_ctx_error(ctx, AQ_EINVAL, "aq_encoding_to_utf8: no encoding named");
	cnv = ucnv_open(encoding, &err);
	if (U_FAILURE(err)) {
		rc = err == U_FILE_ACCESS_ERROR
			? aq_ctx_error(ctx, AQ_EINVAL, "unknown encoding '%s'", encoding)
			: aq_ctx_error(ctx, AQ_EICU, "ICU ucnv_open(%s): %s", encoding,
				u_errorName(err));
		goto out;
	}
	/* Strict: stop at the first byte sequence that does not convert. */
	err = U_ZERO_ERROR;
	ucnv_setToUCallBack(cnv, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &err);
	if (U_FAILURE(err)) {
		rc = aq_ctx_error(ctx, AQ_EICU, "ICU ucnv_setToUCallBack: %s", u_errorName(err));
		goto out;
	}
	/* Most encodings give at most one UTF-16 unit a byte; grow if not. */
	cap_u16 = len + 16;
	for (;;) {
		UChar *v = realloc(u16, cap_u16 * sizeof(*u16));

		if (!v) {
			rc = AQ_ENOMEM;
			goto out;
		}
		u16 = v;
		target = u16 + n_u16;
		err = U_ZERO_ERROR;
		ucnv_toUnicode(cnv, &target, u16 + cap_u16, &src, src_end, NULL, true, &err);
		n_u16 = (size_t)(target - u16);
		if (err == U_BUFFER_OVERFLOW_ERROR) {
			cap_u16 *= 2;
			continue;
		}
		break;
	}
	if (err == U_INVALID_CHAR_FOUND || err == U_ILLEGAL_CHAR_FOUND ||
	    err == U_TRUNCATED_CHAR_FOUND) {
		char bad[32];
		int8_t n_bad = (int8_t)sizeof(bad);
		UErrorCode err2 = U_ZERO_ERROR;
		size_t at = (size_t)(src - data);

		ucnv_getInvalidChars(cnv, bad, &n_bad, &err2);
		if (U_SUCCESS(err2) && (size_t)n_bad <= at)
			at -= (size_t)n_bad;
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s %s byte sequence at byte offset %zu",
			err == U_TRUNCATED_CHAR_FOUND ? "truncated" : "invalid", encoding, at);
		goto out;
	}
	if (U_FAILURE(err)) {
		rc = aq_ctx_error(ctx, AQ_EICU, "ICU ucnv_toUnicode(%s): %s", encoding,
			u_errorName(err));
		goto out;
	}
	if (n_u16 > INT32_MAX / 3) {
		rc = aq_ctx_error(ctx, AQ_ELIMIT, "%s text too large to convert", encoding);
		goto out;
	}
	/* A byte order mark the converter passed on is not text. */
	if (n_u16 > 0 && u16[0] == 0xFEFF)
		skip = 1;
	err = U_ZERO_ERROR;
	u_strToUTF8(NULL, 0, &n_utf8, u16 + skip, (int32_t)(n_u16 - (size_t)skip), &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) {
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s text holds an unpaired surrogate (%s)",
			encoding, u_errorName(err));
		goto out;
	}
	utf8 = malloc((size_t)n_utf8 + 1);
	if (!utf8) {
		rc = AQ_ENOMEM;
		goto out;
	}
	err = U_ZERO_ERROR;
	u_strToUTF8(utf8, n_utf8 + 1, &n_utf8, u16 + skip, (int32_t)(n_u16 - (size_t)skip), &err);
	if (U_FAILURE(err)) {
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s text holds an unpaired surrogate (%s)",
			encoding, u_errorName(err));
		goto out;
	}
	utf8[n_utf8] = '\0';
	*out = utf8;
	*out_len = (size_t)n_utf8;
	utf8 = NULL;
out:
	free(utf8);
	free(u16);
	if (cnv)
		ucnv_close(cnv);
	return rc;
}
