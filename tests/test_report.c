/*
 * test_report.c - the segment and align writers: exact output of the JSONL
 * and Vecalign contracts, escaping of ids, and one-line text sentences.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "alignqa.h"

typedef struct fixture {
	aq_record *rec;
	aq_spans en, zh;
	aq_beads beads;
	aq_alignment a;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	aq_bead b1 = { 0, 0, 2, 1, 0.875f }, b2 = { 2, 1, 1, 0, 0.25f };

	if (!f || aq_record_new(&f->rec))
		return -1;
	f->rec->id = strdup("r\"1\n");
	f->rec->en = strdup("A. B.\tC.");
	f->rec->en_len = strlen(f->rec->en);
	f->rec->zh = strdup("甲乙。");
	f->rec->zh_len = strlen(f->rec->zh);
	aq_spans_init(&f->en);
	aq_spans_init(&f->zh);
	aq_spans_push(&f->en, 0, 2);
	aq_spans_push(&f->en, 3, 5);
	aq_spans_push(&f->en, 3, 8); /* holds the tab */
	aq_spans_push(&f->zh, 0, 9);
	aq_beads_init(&f->beads);
	f->beads.v = malloc(2 * sizeof(aq_bead));
	f->beads.v[0] = b1;
	f->beads.v[1] = b2;
	f->beads.n = f->beads.cap = 2;
	f->a.rec = f->rec;
	f->a.en_sents = &f->en;
	f->a.zh_sents = &f->zh;
	f->a.beads = &f->beads;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	aq_record_free(f->rec);
	aq_spans_dispose(&f->en);
	aq_spans_dispose(&f->zh);
	aq_beads_dispose(&f->beads);
	free(f);
	return 0;
}

static void test_align_jsonl(void **state)
{
	fixture *f = *state;
	aq_buf b;
	aq_buf_init(&b);
	assert_int_equal(aq_report_align_jsonl(&b, &f->a), 0);
	assert_string_equal(b.ptr,
		"{\"id\":\"r\\\"1\\n\",\"en_sentences\":[[0,2],[3,5],[3,8]],\"zh_sentences\":[[0,9]],"
		"\"beads\":[{\"en\":[0,1],\"zh\":[0],\"score\":0.8750},"
		"{\"en\":[2],\"zh\":[],\"score\":0.2500}]}\n");
	aq_buf_dispose(&b);
}

static void test_segment_jsonl(void **state)
{
	fixture *f = *state;
	aq_buf b;
	aq_buf_init(&b);
	assert_int_equal(aq_report_segment_jsonl(&b, &f->a), 0);
	assert_string_equal(b.ptr, "{\"id\":\"r\\\"1\\n\",\"en_sentences\":[[0,2],[3,5],[3,8]],"
		"\"zh_sentences\":[[0,9]]}\n");
	aq_buf_dispose(&b);
}

static void test_vecalign(void **state)
{
	fixture *f = *state;
	aq_buf b;
	aq_buf_init(&b);
	assert_int_equal(aq_report_align_vecalign(&b, &f->a), 0);
	assert_string_equal(b.ptr, "[0, 1]:[0]:0.8750\n[2]:[]:0.2500\n");
	aq_buf_dispose(&b);
}

static void test_text(void **state)
{
	fixture *f = *state;
	aq_buf b;
	aq_buf_init(&b);
	assert_int_equal(aq_report_align_text(&b, &f->a), 0);
	/* the tab inside sentence 2 is shown as a space: one sentence, one line */
	assert_non_null(strstr(b.ptr, "  en   2 | B. C.\n"));
	assert_non_null(strstr(b.ptr, "bead 1  1-0  score 0.25  (not translated)\n"));
	assert_non_null(strstr(b.ptr, "  zh   0 | 甲乙。\n"));
	aq_buf_clear(&b);
	assert_int_equal(aq_report_segment_text(&b, &f->a), 0);
	assert_non_null(strstr(b.ptr, "en   1 [3,5) B.\n"));
	aq_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_align_jsonl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_jsonl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vecalign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
