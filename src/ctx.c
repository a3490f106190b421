/*
 * ctx.c - the error context: the message of the last failure, kept in the
 * handle (SQLite-style) rather than in a global.  Also aq_strerror().
 */
#include "alignqa.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct aq_ctx {
	char msg[1024]; /* last error message, NUL-terminated, may be truncated */
	int code;       /* last error code (0 if none) */
};

int aq_ctx_new(aq_ctx **out)
{
	*out = calloc(1, sizeof(aq_ctx));
	return *out ? 0 : AQ_ENOMEM;
}

void aq_ctx_free(aq_ctx *ctx)
{
	free(ctx);
}

const char *aq_ctx_errmsg(const aq_ctx *ctx)
{
	return ctx ? ctx->msg : "";
}

void aq_ctx_clear(aq_ctx *ctx)
{
	if (ctx) {
		ctx->msg[0] = '\0';
		ctx->code = 0;
	}
}

int aq_ctx_error(aq_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	if (!ctx)
		return code;
	va_start(ap, fmt);
	vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
	va_end(ap);
	ctx->code = code;
	return code;
}

const char *aq_strerror(int code)
{
	switch (code) {
	case AQ_OK: return "ok";
	case AQ_ENOMEM: return "out of memory";
	case AQ_EINVAL: return "invalid argument";
	case AQ_EIO: return "I/O error";
	case AQ_EINPUT: return "input error";
	case AQ_EICU: return "ICU error";
	case AQ_ERULE: return "rule error";
	case AQ_EDB: return "database error";
	case AQ_ELIMIT: return "limit exceeded";
	case AQ_ITEROVER: return "end of iteration";
	default: return "unknown error";
	}
}
