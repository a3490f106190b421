/*
 * test_util.c - the context, buffers, UTF-8 helpers and hash: the pieces
 * every module stands on, including malformed UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "alignqa.h"

static void test_ctx_error(void **state)
{
	aq_ctx *ctx = NULL;
	(void)state;
	assert_int_equal(aq_ctx_new(&ctx), 0);
	assert_string_equal(aq_ctx_errmsg(ctx), "");
	assert_int_equal(aq_ctx_error(ctx, AQ_EINPUT, "%s:%d: bad", "f.txt", 3), AQ_EINPUT);
	assert_string_equal(aq_ctx_errmsg(ctx), "f.txt:3: bad");
	aq_ctx_clear(ctx);
	assert_string_equal(aq_ctx_errmsg(ctx), "");
	assert_string_equal(aq_strerror(AQ_EINPUT), "input error");
	aq_ctx_free(ctx);
	aq_ctx_free(NULL);
}

static void test_buf_json(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{ "plain", 5, "\"plain\"" },
		{ "q\"b\\", 4, "\"q\\\"b\\\\\"" },
		{ "a\nb\tc\r", 6, "\"a\\nb\\tc\\r\"" },
		{ "\x01\x1f", 2, "\"\\u0001\\u001f\"" },
		{ "骨关节炎", 12, "\"骨关节炎\"" },
		{ "a\xff" "b", 3, "\"a\xEF\xBF\xBD" "b\"" },      /* invalid byte */
		{ "\xe9\xaa", 2, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"" }, /* truncated sequence */
		{ "nul\0x", 5, "\"nul\\u0000x\"" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aq_buf b;
		aq_buf_init(&b);
		assert_int_equal(aq_buf_json_str(&b, cases[i].in, cases[i].len), 0);
		assert_string_equal(b.ptr, cases[i].out);
		aq_buf_dispose(&b);
	}
}

static void test_buf_grow(void **state)
{
	aq_buf b;
	(void)state;
	aq_buf_init(&b);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(aq_buf_printf(&b, "%d,", i % 10), 0);
	assert_int_equal(b.len, 20000);
	aq_buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	aq_buf_dispose(&b);
}

static void test_utf8_decode(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		int32_t cp;  /* first code point, -1 invalid */
		size_t adv;  /* bytes consumed */
	} cases[] = {
		{ "A", 1, 'A', 1 },
		{ "\xc3\xa9", 2, 0xE9, 2 },
		{ "\xe4\xb8\xad", 3, 0x4E2D, 3 },
		{ "\xf0\x9f\x98\x80", 4, 0x1F600, 4 },
		{ "\xc0\xaf", 2, -1, 1 },          /* overlong */
		{ "\xe0\x80\xaf", 3, -1, 1 },      /* overlong */
		{ "\xed\xa0\x80", 3, -1, 1 },      /* surrogate */
		{ "\xf4\x90\x80\x80", 4, -1, 1 },  /* above U+10FFFF */
		{ "\xe4\xb8", 2, -1, 1 },          /* truncated */
		{ "\x80", 1, -1, 1 },              /* stray continuation */
		{ "\xff", 1, -1, 1 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t off = 0;
		assert_int_equal(aq_utf8_next(cases[i].s, cases[i].len, &off), cases[i].cp);
		assert_int_equal(off, cases[i].adv);
	}
}

static void test_utf8_check_prev(void **state)
{
	const char ok[] = "OA 骨关节炎 \xef\xbc\x91";
	const char bad[] = "ab\xe4\xb8" "cd";
	size_t end = strlen(ok);
	(void)state;
	assert_int_equal(aq_utf8_check(ok, strlen(ok)), strlen(ok));
	assert_int_equal(aq_utf8_check(bad, strlen(bad)), 2);
	assert_int_equal(aq_utf8_prev(ok, &end), 0xFF11);
	assert_int_equal(aq_utf8_count_cp(ok, strlen(ok)), 9);
	end = 0;
	assert_int_equal(aq_utf8_prev(ok, &end), -1);
}

static void test_classes(void **state)
{
	(void)state;
	assert_true(aq_cp_is_han(0x9AA8));   /* 骨 */
	assert_true(aq_cp_is_han(0x4E00));
	assert_false(aq_cp_is_han(0x3002));  /* 。 */
	assert_false(aq_cp_is_han('A'));
	assert_true(aq_cp_is_space(0x3000));
	assert_true(aq_cp_is_space(0xA0));
	assert_false(aq_cp_is_space('x'));
	assert_true(aq_cp_is_latin_letter(0xE9));
	assert_false(aq_cp_is_latin_letter('5'));
	assert_true(aq_hash64("OA", 2, 0) != aq_hash64("OA", 2, 1));
	assert_true(aq_hash64("OA", 2, 0) == aq_hash64("OA", 2, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctx_error),
		cmocka_unit_test(test_buf_json),
		cmocka_unit_test(test_buf_grow),
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_utf8_check_prev),
		cmocka_unit_test(test_classes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
