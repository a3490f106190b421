/*
 * test_normalize.c - numbers in every form (digits, full width, Chinese
 * numerals, English words, percentages, ranges, p-values, scientific
 * notation), the words that only look like numbers, their spans, the
 * normal-form keys, and malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alignqa.h"

#define PCT AQ_NUM_PERCENT
#define LO AQ_NUM_RANGE_LO
#define HI AQ_NUM_RANGE_HI
#define WRD AQ_NUM_WORD
#define PV AQ_NUM_PVALUE
#define WK AQ_NUM_WEAK
#define ORD AQ_NUM_ORDINAL
#define SCI AQ_NUM_SCI

#define MAX_WANT 10

/* One expected number: the text of its span (searched after the previous
 * expected span), its value and its flags. */
typedef struct want {
	const char *span;
	double value;
	uint32_t flags;
} want;

typedef struct num_case {
	aq_lang lang;
	const char *in;
	want w[MAX_WANT]; /* ends at span == NULL */
} num_case;

#define EN AQ_LANG_EN
#define ZH AQ_LANG_ZH

static bool near(double a, double b)
{
	double d = a - b, m = a < 0 ? -a : a;

	if (d < 0)
		d = -d;
	return d <= m * 1e-12 || d == 0;
}

static const char *flag_names(uint32_t f, char *buf, size_t size)
{
	static const char *const names[] = { "PCT", "LO", "HI", "WORD", "PV", "WEAK", "ORD", "SCI" };
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < 8; i++)
		if (f & (1u << i))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "|" : "", names[i]);
	return buf;
}

/* Runs one case; reports every mismatch with the input it came from. */
static void check_case(const num_case *c)
{
	aq_numbers nums;
	size_t nw = 0, from = 0;
	char fa[64], fb[64];

	while (nw < MAX_WANT && c->w[nw].span)
		nw++;
	aq_numbers_init(&nums);
	assert_int_equal(aq_numbers_find(&nums, c->lang, c->in, 0, (uint32_t)strlen(c->in)), 0);
	if (nums.n != nw) {
		for (size_t i = 0; i < nums.n; i++)
			print_error("  got [%.*s] %g %s\n", (int)(nums.v[i].end - nums.v[i].off),
				c->in + nums.v[i].off, nums.v[i].value,
				flag_names(nums.v[i].flags, fa, sizeof(fa)));
		fail_msg("\"%s\": %zu numbers, want %zu", c->in, nums.n, nw);
	}
	for (size_t i = 0; i < nw; i++) {
		const char *at = strstr(c->in + from, c->w[i].span);
		const aq_number *n = &nums.v[i];
		uint32_t off, end;

		if (!at)
			fail_msg("bad test: \"%s\" not in \"%s\"", c->w[i].span, c->in);
		off = (uint32_t)(at - c->in);
		end = off + (uint32_t)strlen(c->w[i].span);
		from = end;
		if (n->off != off || n->end != end || !near(n->value, c->w[i].value) ||
		    n->flags != c->w[i].flags)
			fail_msg("\"%s\" #%zu: got [%.*s] %u-%u %.17g %s, want [%s] %u-%u %.17g %s",
				c->in, i, (int)(n->end - n->off), c->in + n->off, n->off, n->end,
				n->value, flag_names(n->flags, fa, sizeof(fa)), c->w[i].span, off, end,
				c->w[i].value, flag_names(c->w[i].flags, fb, sizeof(fb)));
	}
	aq_numbers_dispose(&nums);
}

static void run_cases(const num_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_case(&cases[i]);
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

static void test_digits(void **state)
{
	static const num_case cases[] = {
		{ EN, "We enrolled 48 adults.", { { "48", 48, 0 } } },
		{ EN, "Mean age 63.7 years and 0.05 or .05 units.",
		  { { "63.7", 63.7, 0 }, { "0.05", 0.05, 0 }, { ".05", 0.05, 0 } } },
		{ EN, "A cohort of 1,234 and 12,345,678 and 1,234.5 people.",
		  { { "1,234", 1234, 0 }, { "12,345,678", 12345678, 0 }, { "1,234.5", 1234.5, 0 } } },
		{ EN, "Positions 1,2,3 were mutated.",
		  { { "1", 1, 0 }, { "2", 2, 0 }, { "3", 3, 0 } } },
		{ EN, "The 2,3-diol was found.", { { "2", 2, 0 }, { "3", 3, 0 } } },
		{ EN, "Values 1,2345 and 1234,567 and 0,123.",
		  { { "1", 1, 0 }, { "2345", 2345, 0 }, { "1234", 1234, 0 }, { "567", 567, 0 },
		    { "0", 0, 0 }, { "123", 123, 0 } } },
		{ EN, "Change was -5 and \xe2\x88\x92" "3.5 and (-0.2).",
		  { { "-5", -5, 0 }, { "\xe2\x88\x92" "3.5", -3.5, 0 }, { "-0.2", -0.2, 0 } } },
		{ ZH, "共１２３例，均值０．０５，合计１２，３４５人。",
		  { { "１２３", 123, 0 }, { "０．０５", 0.05, 0 }, { "１２，３４５", 12345, 0 } } },
		{ ZH, "分别为１，２，３组", { { "１", 1, 0 }, { "２", 2, 0 }, { "３", 3, 0 } } },
		{ EN, "Scores were 5.2\xc2\xb1" "1.3 and \xe2\x89\xa5" "65 years.",
		  { { "5.2", 5.2, 0 }, { "1.3", 1.3, 0 }, { "65", 65, 0 } } },
		{ EN, "End of sentence 58.8.", { { "58.8", 58.8, 0 } } },
	};
	(void)state;
	RUN(cases);
}

static void test_percent(void **state)
{
	static const num_case cases[] = {
		{ EN, "About 5% and 7 % and 9\xef\xbc\x85 responded.",
		  { { "5%", 5, PCT }, { "7 %", 7, PCT }, { "9\xef\xbc\x85", 9, PCT } } },
		{ EN, "Only five percent and 12.5 per cent, seventy-five percent.",
		  { { "five percent", 5, PCT | WRD }, { "12.5 per cent", 12.5, PCT },
		    { "seventy-five percent", 75, PCT | WRD } } },
		{ ZH, "约百分之五的患者，百分之三十五点五，百分之百，百分之5。",
		  { { "百分之五", 5, PCT | WRD }, { "百分之三十五点五", 35.5, PCT | WRD },
		    { "百分之百", 100, PCT | WRD }, { "百分之5", 5, PCT } } },
		{ ZH, "有效率为83.3%，５％。", { { "83.3%", 83.3, PCT }, { "５％", 5, PCT } } },
	};
	(void)state;
	RUN(cases);
}

static void test_ranges(void **state)
{
	static const num_case cases[] = {
		{ EN, "Aged 10-20, 30\xe2\x80\x93" "40, 5~6 or 7 to 9 years.",
		  { { "10", 10, LO }, { "20", 20, HI }, { "30", 30, LO }, { "40", 40, HI },
		    { "5", 5, LO }, { "6", 6, HI }, { "7", 7, LO }, { "9", 9, HI } } },
		{ EN, "It ranged between 10 and 20 mg, and 3 and 4 did not.",
		  { { "10", 10, LO }, { "20", 20, HI }, { "3", 3, 0 }, { "4", 4, 0 } } },
		{ EN, "Rates of 5%-10% and 10-20% and 2 - 3 were seen.",
		  { { "5%", 5, PCT | LO }, { "10%", 10, PCT | HI }, { "10", 10, PCT | LO },
		    { "20%", 20, PCT | HI }, { "2", 2, LO }, { "3", 3, HI } } },
		{ EN, "from -5 to -10 degrees", { { "-5", -5, LO }, { "-10", -10, HI } } },
		{ EN, "between five and ten visits",
		  { { "five", 5, LO | WRD }, { "ten", 10, HI | WRD } } },
		{ ZH, "年龄10至20岁，10到20，10～20，10~20，3至5年。",
		  { { "10", 10, LO }, { "20", 20, HI }, { "10", 10, LO }, { "20", 20, HI },
		    { "10", 10, LO }, { "20", 20, HI }, { "10", 10, LO }, { "20", 20, HI },
		    { "3", 3, LO }, { "5", 5, HI } } },
		{ ZH, "随访三至五年，5%～10%。",
		  { { "三", 3, LO | WRD }, { "五", 5, HI | WRD }, { "5%", 5, PCT | LO },
		    { "10%", 10, PCT | HI } } },
		{ EN, "Published 2025-7-28 and 2019/2020.",
		  { { "2025", 2025, 0 }, { "7", 7, 0 }, { "28", 28, 0 }, { "2019", 2019, 0 },
		    { "2020", 2020, 0 } } },
	};
	(void)state;
	RUN(cases);
}

static void test_pvalues(void **state)
{
	static const num_case cases[] = {
		{ EN, "(p<0.05), P < 0.001, p=.03, P\xef\xbc\x9c" "0.05, p\xe2\x89\xa4" "0.01.",
		  { { "0.05", 0.05, PV }, { "0.001", 0.001, PV }, { ".03", 0.03, PV },
		    { "0.05", 0.05, PV }, { "0.01", 0.01, PV } } },
		{ EN, "P-value = 0.2, p value<0.04, p <= 0.5, OR=0.025",
		  { { "0.2", 0.2, PV }, { "0.04", 0.04, PV }, { "0.5", 0.5, PV },
		    { "0.025", 0.025, 0 } } },
		{ ZH, "差异有统计学意义（P值<0.05，P＝0.002）",
		  { { "0.05", 0.05, PV }, { "0.002", 0.002, PV } } },
		{ EN, "p = 2e-4 and P<1\xc3\x97" "10^-5",
		  { { "2e-4", 2e-4, PV | SCI }, { "1\xc3\x97" "10^-5", 1e-5, PV | SCI } } },
	};
	(void)state;
	RUN(cases);
}

static void test_ci(void **state)
{
	static const num_case cases[] = {
		{ EN, "OR 2.1 (95% CI 1.2-3.4)",
		  { { "2.1", 2.1, 0 }, { "95%", 95, PCT }, { "1.2", 1.2, LO }, { "3.4", 3.4, HI } } },
		{ EN, "HR 0.8; 95% CI: 1.2 to 3.4",
		  { { "0.8", 0.8, 0 }, { "95%", 95, PCT }, { "1.2", 1.2, LO }, { "3.4", 3.4, HI } } },
		{ ZH, "（95%CI：1.2～3.4）",
		  { { "95%", 95, PCT }, { "1.2", 1.2, LO }, { "3.4", 3.4, HI } } },
	};
	(void)state;
	RUN(cases);
}

static void test_scientific(void **state)
{
	static const num_case cases[] = {
		{ EN, "1.2\xc3\x97" "10^5 cells", { { "1.2\xc3\x97" "10^5", 1.2e5, SCI } } },
		{ EN, "1.2 \xc3\x97 10\xe2\x81\xb5 cells",
		  { { "1.2 \xc3\x97 10\xe2\x81\xb5", 1.2e5, SCI } } },
		{ EN, "1.2x10(5) and 5\xc3\x97" "10-3 mol", { { "1.2x10(5)", 1.2e5, SCI },
		  { "5\xc3\x97" "10-3", 5e-3, SCI } } },
		{ EN, "3e-4, 1.5E+6 and 10^-3", { { "3e-4", 3e-4, SCI }, { "1.5E+6", 1.5e6, SCI },
		  { "10^-3", 1e-3, SCI } } },
		{ EN, "WBC 4\xc3\x97" "10\xe2\x81\xb9/L, \xc3\x97" "10\xe2\x81\xb9/L",
		  { { "4\xc3\x97" "10\xe2\x81\xb9", 4e9, SCI }, { "10\xe2\x81\xb9", 1e9, SCI } } },
		{ EN, "10^(-2) and 10\xe2\x81\xbb\xc2\xb3",
		  { { "10^(-2)", 1e-2, SCI }, { "10\xe2\x81\xbb\xc2\xb3", 1e-3, SCI } } },
		{ EN, "A 2 x 10 cm lesion", { { "2", 2, 0 }, { "10", 10, 0 } } },
		{ EN, "1.5 million and 3 billion", { { "1.5 million", 1.5e6, 0 },
		  { "3 billion", 3e9, 0 } } },
	};
	(void)state;
	RUN(cases);
}

static void test_chinese(void **state)
{
	static const num_case cases[] = {
		{ ZH, "三十例，一百二十例，两组，十五天，十天。",
		  { { "三十", 30, WRD }, { "一百二十", 120, WRD }, { "两", 2, WRD },
		    { "十五", 15, WRD }, { "十", 10, WRD } } },
		{ ZH, "二〇二五年，一九九八年", { { "二〇二五", 2025, WRD }, { "一九九八", 1998, WRD } } },
		{ ZH, "三点五倍，三十五点二五，三点五万", { { "三点五", 3.5, WRD },
		  { "三十五点二五", 35.25, WRD }, { "三点五万", 35000, WRD } } },
		{ ZH, "1.5万人，3万元，12亿，2.5 万", { { "1.5万", 15000, 0 }, { "3万", 30000, 0 },
		  { "12亿", 1.2e9, 0 }, { "2.5 万", 25000, 0 } } },
		{ ZH, "一百零五，两万五，三千五，一千万，三亿五千万，十万，一万亿",
		  { { "一百零五", 105, WRD }, { "两万五", 25000, WRD }, { "三千五", 3500, WRD },
		    { "一千万", 1e7, WRD }, { "三亿五千万", 3.5e8, WRD }, { "十万", 1e5, WRD },
		    { "一万亿", 1e12, WRD } } },
		{ ZH, "第三，第一，第二，第2次，第十二", { { "第三", 3, WRD | ORD },
		  { "第一", 1, WRD | ORD | WK }, { "第二", 2, WRD | ORD | WK }, { "第2", 2, ORD },
		  { "第十二", 12, WRD | ORD } } },
		{ ZH, "三四天后，五六十人，一二例", { { "三", 3, WRD | LO }, { "四", 4, WRD | HI },
		  { "五", 50, WRD | LO }, { "六十", 60, WRD | HI }, { "一", 1, WRD | LO },
		  { "二", 2, WRD | HI } } },
		{ ZH, "三分之一，四分之三", { { "三", 3, WRD }, { "一", 1, WRD | WK },
		  { "四", 4, WRD }, { "三", 3, WRD } } },
		{ ZH, "超过一半", { { "一半", 0.5, WRD | WK } } },
		{ ZH, "两年，兩組，萬人，二萬", { { "两", 2, WRD }, { "兩", 2, WRD }, { "萬", 1e4, WRD },
		  { "二萬", 2e4, WRD } } },
	};
	(void)state;
	RUN(cases);
}

static void test_chinese_weak(void **state)
{
	static const num_case cases[] = {
		{ ZH, "一例患者，一年，一个步骤，一种方法，一项研究，一次，一名",
		  { { "一", 1, WRD }, { "一", 1, WRD }, { "一", 1, WRD | WK },
		    { "一", 1, WRD | WK }, { "一", 1, WRD | WK }, { "一", 1, WRD | WK },
		    { "一", 1, WRD } } },
		{ ZH, "增加一倍，1个", { { "一", 1, WRD }, { "1", 1, 0 } } },
	};
	(void)state;
	RUN(cases);
}

/* Words where a numeral is no quantity: nothing is reported. */
static void test_lexicalised(void **state)
{
	static const char *const words[] = {
		"一些", "之一", "一致", "统一", "进一步", "一般", "一定", "一直", "唯一", "同一",
		"单一", "万一", "一旦", "一起", "一方面", "不一致", "十分重要", "三维", "十二指肠",
		"三叉神经", "四肢", "五官", "二甲双胍", "二氧化碳", "一氧化氮", "三酰甘油",
		"甘油三酯", "百分比", "千万不要", "万分感谢", "某三甲医院", "千年", "万古霉素",
		"二甲基苯", "数十万", "十几个", "几百", "上万", "一过性", "5个百分点", "一一对应",
		"第一时间", "統一", "進一步", "零售", "5千克", "四川", "马六甲", "苯二氮卓",
		"二十二碳六烯酸", "五羟色胺", "三唑", "二醇",
	};
	char buf[128];
	(void)state;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		aq_numbers nums;
		size_t n_want = strncmp(words[i], "5", 1) == 0 ? 1 : 0;

		snprintf(buf, sizeof(buf), "研究%s方案", words[i]);
		aq_numbers_init(&nums);
		assert_int_equal(aq_numbers_find(&nums, AQ_LANG_ZH, buf, 0, (uint32_t)strlen(buf)), 0);
		if (nums.n != n_want)
			fail_msg("\"%s\": %zu numbers, first [%.*s]", buf, nums.n,
				(int)(nums.v[0].end - nums.v[0].off), buf + nums.v[0].off);
		aq_numbers_dispose(&nums);
	}
}

static void test_chinese_not_lexical(void **state)
{
	static const num_case cases[] = {
		{ ZH, "十分钟后，二级，三级医院，万分之一",
		  { { "十", 10, WRD }, { "二", 2, WRD }, { "三", 3, WRD }, { "万", 1e4, WRD },
		    { "一", 1, WRD | WK } } },
		{ ZH, "中文里的Chinese one两个", { { "两", 2, WRD } } },
	};
	(void)state;
	RUN(cases);
}

static void test_english_words(void **state)
{
	static const num_case cases[] = {
		{ EN, "thirty-five, one hundred and twenty patients, two thousand five hundred",
		  { { "thirty-five", 35, WRD }, { "one hundred and twenty", 120, WRD },
		    { "two thousand five hundred", 2500, WRD } } },
		{ EN, "Twenty five and ninety nine, Nineteen ninety",
		  { { "Twenty five", 25, WRD }, { "ninety nine", 99, WRD }, { "Nineteen", 19, WRD },
		    { "ninety", 90, WRD } } },
		{ EN, "one of them, One, ONE, one-third",
		  { { "one", 1, WRD | WK }, { "One", 1, WRD | WK }, { "ONE", 1, WRD | WK },
		    { "one", 1, WRD | WK }, { "third", 3, WRD | ORD } } },
		{ EN, "first, second, third, tenth, twenty-first, hundredth",
		  { { "first", 1, WRD | ORD | WK }, { "second", 2, WRD | ORD | WK },
		    { "third", 3, WRD | ORD }, { "tenth", 10, WRD | ORD },
		    { "twenty-first", 21, WRD | ORD }, { "hundredth", 100, WRD | ORD } } },
		{ EN, "twice, half of them, a dozen, zero events",
		  { { "twice", 2, WRD }, { "half", 0.5, WRD | WK }, { "dozen", 12, WRD },
		    { "zero", 0, WRD } } },
		{ EN, "a hundred and a thousand and a million",
		  { { "hundred", 100, WRD }, { "thousand", 1000, WRD }, { "million", 1e6, WRD } } },
		{ EN, "three times, three-fold, five six", { { "three", 3, WRD }, { "three", 3, WRD },
		  { "five", 5, WRD }, { "six", 6, WRD } } },
		{ EN, "1st, 2nd, 3rd and 21st", { { "1st", 1, ORD }, { "2nd", 2, ORD },
		  { "3rd", 3, ORD }, { "21st", 21, ORD } } },
		/* not numbers: words containing number words, plurals, "and" alone */
		{ EN, "Someone phoned; the tone often lightened. Hundreds, thousands and "
		      "dozens; none; tens; Seconds; oneself; fifths", { { NULL, 0, 0 } } },
		{ EN, "one hundred and the rest", { { "one hundred", 100, WRD } } },
		{ EN, "two-way ANOVA, two-tailed test, two-sided, two-step, three-dimensional",
		  { { "two", 2, WRD | WK }, { "two", 2, WRD | WK }, { "two", 2, WRD | WK },
		    { "two", 2, WRD }, { "three", 3, WRD | WK } } },
	};
	(void)state;
	RUN(cases);
}

/* Every number word, alone and capitalised. */
static void test_english_vocabulary(void **state)
{
	static const char *const cardinals[] = {
		"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
		"seventeen", "eighteen", "nineteen",
	};
	static const char *const tens[] = {
		"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
	};
	static const char *const ordinals[] = {
		"", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
		"ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
		"sixteenth", "seventeenth", "eighteenth", "nineteenth",
	};
	static const char *const tenths[] = {
		"twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth",
		"eightieth", "ninetieth",
	};
	static const struct {
		const char *w;
		double v;
		bool ordinal;
	} scales[] = {
		{ "hundred", 100, false }, { "thousand", 1e3, false }, { "million", 1e6, false },
		{ "billion", 1e9, false }, { "trillion", 1e12, false }, { "hundredth", 100, true },
		{ "thousandth", 1e3, true }, { "millionth", 1e6, true },
	};
	char buf[64];
	num_case c;
	(void)state;
	memset(&c, 0, sizeof(c));
	c.lang = EN;
	c.in = buf;
	for (int i = 0; i < 20; i++) {
		snprintf(buf, sizeof(buf), "(%s)", cardinals[i]);
		c.w[0] = (want){ cardinals[i], i, WRD | (i == 1 ? WK : 0) };
		check_case(&c);
		if (i == 0)
			continue;
		snprintf(buf, sizeof(buf), "%c%s.", ordinals[i][0] - 32, ordinals[i] + 1);
		c.w[0] = (want){ buf, i, WRD | ORD | (i <= 2 ? WK : 0) };
		c.w[0].span = buf;
		buf[strlen(buf) - 1] = '\0';
		check_case(&c);
	}
	for (int i = 0; i < 8; i++) {
		snprintf(buf, sizeof(buf), "%s-seven", tens[i]);
		c.w[0] = (want){ buf, 20 + 10 * i + 7, WRD };
		check_case(&c);
		snprintf(buf, sizeof(buf), "%s-first", tens[i]);
		c.w[0] = (want){ buf, 20 + 10 * i + 1, WRD | ORD };
		check_case(&c);
		snprintf(buf, sizeof(buf), "%s", tenths[i]);
		c.w[0] = (want){ buf, 20 + 10 * i, WRD | ORD };
		check_case(&c);
	}
	for (size_t i = 0; i < sizeof(scales) / sizeof(scales[0]); i++) {
		snprintf(buf, sizeof(buf), "two %s", scales[i].w);
		c.w[0] = (want){ buf, 2 * scales[i].v, WRD | (scales[i].ordinal ? ORD : 0) };
		check_case(&c);
	}
}

static void test_identifiers(void **state)
{
	static const num_case cases[] = {
		{ EN, "IL-6, COVID-19, CD4+, H2O, T2DM, 5-FU, p53, miR-21, Cox-2, 5-HT, 2019-nCoV, "
		      "3D, 4T1, HbA1c, \xce\xb1" "2, Fig.", { { NULL, 0, 0 } } },
		{ EN, "6 patients, 12-week trial, 2-fold, 12-Week, 5mg, 24h, 3.0T, 1990s",
		  { { "6", 6, 0 }, { "12", 12, 0 }, { "2", 2, 0 }, { "12", 12, 0 }, { "5", 5, 0 },
		    { "24", 24, 0 }, { "3.0", 3, 0 }, { "1990", 1990, 0 } } },
		{ EN, "Res. 2025 Jul 28:1-7. Type 2 and Fig.5",
		  { { "2025", 2025, 0 }, { "28", 28, 0 }, { "1", 1, LO }, { "7", 7, HI },
		    { "2", 2, 0 }, { "5", 5, 0 } } },
		{ ZH, "膝关节OA患者IL-6升高，5-羟色胺，2型糖尿病",
		  { { "5", 5, 0 }, { "2", 2, 0 } } },
	};
	(void)state;
	RUN(cases);
}

/* Only text[off..end) is read; offsets are into the whole text. */
static void test_span_window(void **state)
{
	const char *text = "12 and 34 and 56";
	aq_numbers nums;
	(void)state;
	aq_numbers_init(&nums);
	assert_int_equal(aq_numbers_find(&nums, AQ_LANG_EN, text, 3, 12), 0);
	assert_int_equal(nums.n, 1);
	assert_int_equal(nums.v[0].off, 7);
	assert_int_equal(nums.v[0].end, 9);
	/* a window cutting a number in two reads its part only */
	assert_int_equal(aq_numbers_find(&nums, AQ_LANG_EN, text, 8, 16), 0);
	assert_int_equal(nums.n, 3);
	assert_true(nums.v[1].value == 4 && nums.v[1].off == 8);
	assert_true(nums.v[2].value == 56 && nums.v[2].end == 16);
	/* numbers are appended */
	assert_int_equal(aq_numbers_find(&nums, AQ_LANG_EN, text, 0, 2), 0);
	assert_int_equal(nums.n, 4);
	assert_int_equal(aq_numbers_find(&nums, AQ_LANG_EN, text, 5, 5), 0);
	assert_int_equal(aq_numbers_find(&nums, AQ_LANG_EN, text, 9, 5), 0);
	assert_int_equal(nums.n, 4);
	aq_numbers_dispose(&nums);
	aq_numbers_dispose(&nums);
}

static size_t key_of(char *buf, aq_lang lang, const char *text)
{
	aq_numbers nums;
	size_t n;

	aq_numbers_init(&nums);
	assert_int_equal(aq_numbers_find(&nums, lang, text, 0, (uint32_t)strlen(text)), 0);
	if (nums.n != 1)
		fail_msg("\"%s\": %zu numbers, want 1", text, nums.n);
	n = aq_number_key(buf, 32, &nums.v[0]);
	aq_numbers_dispose(&nums);
	return n;
}

/* The same value in any form gets the same key. */
static void test_keys_across_forms(void **state)
{
	static const struct {
		aq_lang lang;
		const char *text;
		const char *key;
	} cases[] = {
		{ EN, "5%", "5%" }, { ZH, "百分之五", "5%" }, { ZH, "５％", "5%" },
		{ EN, "five percent", "5%" }, { EN, "5 per cent", "5%" }, { EN, "5.0%", "5%" },
		{ EN, "30", "30" }, { ZH, "三十", "30" }, { EN, "thirty", "30" }, { ZH, "３０", "30" },
		{ EN, "p = 0.05", "0.05" }, { EN, "p=.05", "0.05" }, { ZH, "P＜０．０５", "0.05" },
		{ EN, "0.050", "0.05" },
		{ EN, "3.5", "3.5" }, { ZH, "三点五", "3.5" },
		{ EN, "120,000", "120000" }, { EN, "1.2\xc3\x97" "10^5", "120000" },
		{ ZH, "12万", "120000" },
		{ EN, "1.2e5", "120000" }, { ZH, "十二万", "120000" },
		{ EN, "2025", "2025" }, { ZH, "二〇二五", "2025" },
		{ EN, "3e-4", "0.0003" }, { EN, "0.0003", "0.0003" },
		{ EN, "1e-5", "1e-05" }, { EN, "0.00001", "1e-05" },
		{ EN, "1.5E+20", "1.5e+20" }, { EN, "1e15", "1e+15" },
		{ EN, "123456789012345", "123456789012345" },
		{ EN, "35.5%", "35.5%" }, { ZH, "百分之三十五点五", "35.5%" },
		{ EN, "-0", "0" }, { EN, "-2.50", "-2.5" }, { EN, "one", "1" }, { ZH, "第一", "1" },
		{ EN, "0.1", "0.1" }, { EN, "0.3", "0.3" }, { ZH, "零点三", "0.3" },
		{ EN, "0.333333333333333333", "0.333333333333333" },
		{ EN, "2.675", "2.675" }, { EN, "99.95", "99.95" },
		{ EN, "1.7976931348623157e308", "1.79769313486232e+308" },
		{ EN, "1e400", "inf" }, { EN, "5e-324", "4.94065645841247e-324" },
	};
	char buf[32];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		key_of(buf, cases[i].lang, cases[i].text);
		if (strcmp(buf, cases[i].key) != 0)
			fail_msg("\"%s\": key \"%s\", want \"%s\"", cases[i].text, buf, cases[i].key);
	}
}

static void test_key_buffer(void **state)
{
	aq_number n = { 12345.5, 0, 1, AQ_NUM_PERCENT };
	char buf[32];
	(void)state;
	assert_int_equal(aq_number_key(buf, sizeof(buf), &n), 8);
	assert_string_equal(buf, "12345.5%");
	assert_int_equal(aq_number_key(buf, 4, &n), 3);
	assert_string_equal(buf, "123");
	assert_int_equal(aq_number_key(buf, 0, &n), 0);
	n.value = -1.0 / 3.0;
	n.flags = 0;
	assert_true(aq_number_key(buf, sizeof(buf), &n) < 32);
	assert_string_equal(buf, "-0.333333333333333");
	n.value = -1.5e-300;
	aq_number_key(buf, sizeof(buf), &n);
	assert_string_equal(buf, "-1.5e-300");
}

/* Invalid bytes, truncated sequences, empty input, huge digit strings and
 * exponents: no crash, no undefined behaviour, spans inside the input. */
static void test_malformed(void **state)
{
	static const struct {
		aq_lang lang;
		const char *in;
		size_t len;
		size_t n;     /* numbers expected */
	} cases[] = {
		{ EN, "", 0, 0 },
		{ EN, "x \xff" "5\x80% \xe4\xb8 12\xe4\xb8", 15, 2 },
		{ ZH, "\xe4\xb8\x80\xe4", 4, 1 },        /* 一 then a truncated sequence */
		{ ZH, "\xe4\xb8", 2, 0 },                /* half of 一 */
		{ EN, "5\x00" "6", 3, 2 },               /* NUL inside the span */
		{ EN, "-", 1, 0 }, { EN, ".", 1, 0 }, { EN, "-.5", 3, 1 }, { EN, "1e", 2, 0 },
		{ EN, "10^", 3, 1 }, { EN, "10^(", 4, 1 }, { EN, "1x10", 4, 2 }, { EN, "p<", 2, 0 },
		{ EN, "1e99999999999", 13, 1 }, { EN, "1e-99999999999", 14, 1 },
		{ EN, "1,", 2, 1 }, { EN, "1,23", 4, 2 }, { EN, "1.", 2, 1 },
		{ ZH, "百分之", 9, 0 }, { ZH, "第", 3, 0 }, { ZH, "三分之", 9, 1 },
		{ EN, "\xef\xbb\xbf" "7\r\n8", 7, 2 },   /* BOM and CRLF */
	};
	aq_numbers nums;
	char key[32];
	(void)state;
	aq_numbers_init(&nums);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nums.n = 0;
		assert_int_equal(aq_numbers_find(&nums, cases[i].lang, cases[i].in, 0,
			(uint32_t)cases[i].len), 0);
		if (nums.n != cases[i].n)
			fail_msg("case %zu: %zu numbers, want %zu", i, nums.n, cases[i].n);
		for (size_t k = 0; k < nums.n; k++) {
			assert_true(nums.v[k].off < nums.v[k].end);
			assert_true(nums.v[k].end <= cases[i].len);
			assert_true(aq_number_key(key, sizeof(key), &nums.v[k]) < sizeof(key));
		}
	}
	aq_numbers_dispose(&nums);
}

static void test_huge(void **state)
{
	size_t len = 400 + 2 + 300 + 64;
	char *s = malloc(200000 * 3 + 16);
	aq_numbers nums;
	char key[32];
	(void)state;
	assert_non_null(s);
	memset(s, '9', 400);
	memcpy(s + 400, ". ", 2);
	memcpy(s + 402, "0.", 2);
	memset(s + 404, '0', 296);
	memcpy(s + 700, "1 and 1", 7);
	memset(s + 707, '0', 57);
	s[764] = '5';
	s[765] = '%';
	aq_numbers_init(&nums);
	assert_int_equal(aq_numbers_find(&nums, AQ_LANG_EN, s, 0, (uint32_t)len), 0);
	assert_int_equal(nums.n, 3);
	assert_int_equal(nums.v[0].end, 400);
	aq_number_key(key, sizeof(key), &nums.v[0]);
	assert_string_equal(key, "inf");
	aq_number_key(key, sizeof(key), &nums.v[1]);
	assert_string_equal(key, "1e-297");
	aq_number_key(key, sizeof(key), &nums.v[2]);
	assert_string_equal(key, "1e+58%");
	/* 200000 numerals in one run: one (infinite) number */
	for (size_t i = 0; i < 200000; i++)
		memcpy(s + 3 * i, i % 2 ? "\xe4\xba\xbf" : "\xe4\xb8\x80", 3); /* 一亿一亿... */
	nums.n = 0;
	assert_int_equal(aq_numbers_find(&nums, AQ_LANG_ZH, s, 0, 600000), 0);
	assert_int_equal(nums.n, 1);
	assert_int_equal(nums.v[0].end, 600000);
	/* many numbers: the array grows */
	for (size_t i = 0; i < 100000; i++)
		memcpy(s + 2 * i, "7 ", 2);
	nums.n = 0;
	assert_int_equal(aq_numbers_find(&nums, AQ_LANG_EN, s, 0, 200000), 0);
	assert_int_equal(nums.n, 100000);
	aq_numbers_dispose(&nums);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_pvalues),
		cmocka_unit_test(test_ci),
		cmocka_unit_test(test_scientific),
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_chinese_weak),
		cmocka_unit_test(test_lexicalised),
		cmocka_unit_test(test_chinese_not_lexical),
		cmocka_unit_test(test_english_words),
		cmocka_unit_test(test_english_vocabulary),
		cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_span_window),
		cmocka_unit_test(test_keys_across_forms),
		cmocka_unit_test(test_key_buffer),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_huge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
