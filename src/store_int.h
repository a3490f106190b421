/*
 * store_int.h - what the store's tests need beyond alignqa.h: opening a
 * database at an older schema version, to test the migrations from it.
 * Not installed; the public part of the store is in alignqa.h.
 */
#ifndef AQ_STORE_INT_H
#define AQ_STORE_INT_H

#include "alignqa.h"

/* The newest schema version this code knows (PRAGMA user_version). */
#define AQ_STORE_SCHEMA_VERSION 3

/* aq_store_open(), but migrates only up to schema version target
 * (1..AQ_STORE_SCHEMA_VERSION).  Below the current version the store can
 * only be closed: its statements are not prepared.  Returns as
 * aq_store_open(), or AQ_EINVAL for a target out of range. */
int aq_store_open_version(aq_store **out, aq_ctx *ctx, const char *path, int target);

#endif
