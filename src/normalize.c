/*
 * normalize.c - finds the numbers of a sentence in every form abstracts use
 * (digits, full width, Chinese numerals, English words, percentages, ranges,
 * p-values, scientific notation) and writes their normal form as a key, in
 * one pass without regex.  Digits inside identifiers (IL-6) are anchor.c's.
 */
#include "alignqa.h"
#include "util_int.h"

#include <assert.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>

/* Internal flag: a Chinese "三四" approximation; the next digit is the
 * upper end.  Never leaves this file. */
#define NUM_APPROX (1u << 16)
#define NUM_PUBLIC 0xFFFFu

/* Exponents beyond this are clamped while parsing: the value is then
 * already 0 or infinite, and the int cannot overflow. */
#define EXP_CLAMP 100000

enum { P_NONE = 0, P_NUM = 1, P_SKIP = 2 };

/* Code points that steer the parser. */
enum {
	CH_TIMES = 0x00D7,   /* × */
	CH_MIDDOT = 0x00B7,  /* · */
	CH_MINUS = 0x2212,   /* − */
	CH_DOTOP = 0x22C5,   /* ⋅ */
	CH_FW_PERCENT = 0xFF05,
	CH_FW_COMMA = 0xFF0C,
	CH_FW_DOT = 0xFF0E,
	CH_DI = 0x7B2C,      /* 第 */
	CH_BAI = 0x767E,     /* 百 */
	CH_FEN = 0x5206,     /* 分 */
	CH_ZHI = 0x4E4B,     /* 之 */
	CH_DIAN = 0x70B9,    /* 点 */
	CH_DIAN_T = 0x9EDE,  /* 點 */
	CH_BAN = 0x534A,     /* 半 */
	CH_ZHI4 = 0x81F3,    /* 至 */
	CH_DAO = 0x5230,     /* 到 */
	CH_ZHI2 = 0x503C,    /* 值 */
	CH_WAN = 0x4E07,     /* 万 */
	CH_WAN_T = 0x842C,   /* 萬 */
	CH_YI = 0x4EBF,      /* 亿 */
	CH_YI_T = 0x5104,    /* 億 */
};

/* One sentence being scanned. */
typedef struct scan {
	const char *s;       /* the whole text; offsets index it */
	uint32_t lo;         /* sentence start: look-behind stops here */
	uint32_t end;        /* sentence end: nothing at or past it is read */
	aq_lang lang;
	uint32_t between_at; /* where a number right after "between" starts */
} scan;

/* One number being parsed (a public aq_number plus internal flags). */
typedef struct numtok {
	double value;
	uint32_t off, end;
	uint32_t flags;
} numtok;

/* Digits of a decimal literal: value = mant * 10^exp. */
typedef struct lit {
	uint64_t mant;
	int exp;
	int ndig;        /* digits read */
	uint32_t end;
	bool has_point;
	bool has_sep;
} lit;

static const double pow10_tab[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* ---- numbers ------------------------------------------------------- */

void aq_numbers_init(aq_numbers *nums)
{
	memset(nums, 0, sizeof(*nums));
}

void aq_numbers_dispose(aq_numbers *nums)
{
	free(nums->v);
	memset(nums, 0, sizeof(*nums));
}

static int nums_push(aq_numbers *out, const numtok *n)
{
	if (aq_array_grow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v)))
		return AQ_ENOMEM;
	out->v[out->n].value = n->value;
	out->v[out->n].off = n->off;
	out->v[out->n].end = n->end;
	out->v[out->n].flags = n->flags & NUM_PUBLIC;
	out->n++;
	return 0;
}

/* v * 10^k with one rounding when |k| <= 22, stopping early once the
 * result is 0 or infinite (k may be huge). */
static double scale10(double v, int k)
{
	while (k > 22) {
		v *= 1e22;
		k -= 22;
		if (v > DBL_MAX)
			return v;
	}
	while (k < -22) {
		v /= 1e22;
		k += 22;
		if (v == 0)
			return v;
	}
	return k >= 0 ? v * pow10_tab[k] : v / pow10_tab[-k];
}

static double compose(uint64_t mant, int exp)
{
	return mant ? scale10((double)mant, exp) : 0.0;
}

/* ---- characters ---------------------------------------------------- */

/* The code point at i (-1 at the end or for an invalid byte); *next is
 * where the following one starts. */
static int32_t cp_at(const scan *sc, uint32_t i, uint32_t *next)
{
	size_t at = i;
	unsigned char c;
	int32_t cp;

	if (i >= sc->end) {
		*next = i;
		return -1;
	}
	c = (unsigned char)sc->s[i];
	if (c < 0x80) {
		*next = i + 1;
		return c;
	}
	cp = aq_utf8_next_inline(sc->s, sc->end, &at);
	*next = (uint32_t)at;
	return cp;
}

/* The code point that ends at i, or -1 at the sentence start or after an
 * invalid byte. */
static int32_t cp_before(const scan *sc, uint32_t i)
{
	const unsigned char *s = (const unsigned char *)sc->s;
	uint32_t start;
	size_t at;
	int32_t cp;

	if (i <= sc->lo)
		return -1;
	if (s[i - 1] < 0x80)
		return s[i - 1];
	start = i - 1;
	for (int k = 0; k < 3 && start > sc->lo && (s[start] & 0xC0) == 0x80; k++)
		start--;
	at = start;
	cp = aq_utf8_next_inline(sc->s, i, &at);
	return (cp >= 0 && at == i) ? cp : -1;
}

static int digit_of(int32_t cp)
{
	if (cp >= '0' && cp <= '9')
		return cp - '0';
	if (cp >= 0xFF10 && cp <= 0xFF19)
		return cp - 0xFF10;
	return -1;
}

static int super_digit(int32_t cp)
{
	switch (cp) {
	case 0x2070: return 0;
	case 0x00B9: return 1;
	case 0x00B2: return 2;
	case 0x00B3: return 3;
	default:
		return (cp >= 0x2074 && cp <= 0x2079) ? cp - 0x2070 : -1;
	}
}

static bool is_ascii_alpha(int32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

/* Letters that glue digits into identifiers: Latin, Greek, micro sign and
 * full-width Latin. */
static inline bool is_letter(int32_t cp)
{
	if (cp < 0x80)
		return is_ascii_alpha(cp);
	return aq_cp_is_latin_letter(cp) || (cp >= 0x370 && cp <= 0x3FF) || cp == 0xB5 ||
	       (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A);
}

static bool is_hspace(int32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) ||
	       cp == 0x202F || cp == 0x3000;
}

static uint32_t skip_hspace(const scan *sc, uint32_t p)
{
	uint32_t nx;

	while (is_hspace(cp_at(sc, p, &nx)))
		p = nx;
	return p;
}

static bool is_dash(int32_t cp)
{
	return cp == '-' || (cp >= 0x2010 && cp <= 0x2015) || cp == CH_MINUS || cp == 0xFF0D;
}

static uint32_t ascii_word_end(const scan *sc, uint32_t p)
{
	while (p < sc->end && is_ascii_alpha((unsigned char)sc->s[p]))
		p++;
	return p;
}

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* Is s[p..e) the lower-case word w, ignoring ASCII case? */
#define word_is(sc, p, e, w) word_is_n(sc, p, e, w, sizeof(w) - 1)

static bool word_is_n(const scan *sc, uint32_t p, uint32_t e, const char *w, size_t n)
{
	if (e - p != n)
		return false;
	for (size_t k = 0; k < n; k++)
		if (ascii_lower(sc->s[p + k]) != w[k])
			return false;
	return true;
}

/* Skips an identifier: letters, digits, and '-' or '+' joining them. */
static uint32_t skip_ident(const scan *sc, uint32_t p)
{
	uint32_t nx, n2;
	int32_t cp;

	for (;;) {
		cp = cp_at(sc, p, &nx);
		if (is_letter(cp) || digit_of(cp) >= 0) {
			p = nx;
			continue;
		}
		if (cp == '+') {
			p = nx;
			continue;
		}
		if (is_dash(cp) || cp == '.') {
			int32_t c2 = cp_at(sc, nx, &n2);
			if (is_letter(c2) || digit_of(c2) >= 0) {
				p = n2;
				continue;
			}
		}
		return p;
	}
}

/* ---- Chinese numerals ---------------------------------------------- */

static int han_digit(int32_t cp)
{
	switch (cp) {
	case 0x3007: case 0x96F6: return 0;           /* 〇 零 */
	case 0x4E00: return 1;                         /* 一 */
	case 0x4E8C: case 0x4E24: case 0x5169: return 2; /* 二 两 兩 */
	case 0x4E09: return 3;                         /* 三 */
	case 0x56DB: return 4;                         /* 四 */
	case 0x4E94: return 5;                         /* 五 */
	case 0x516D: return 6;                         /* 六 */
	case 0x4E03: return 7;                         /* 七 */
	case 0x516B: return 8;                         /* 八 */
	case 0x4E5D: return 9;                         /* 九 */
	default: return -1;
	}
}

/* The power of ten of a unit character, 0 if not one. */
static int han_unit(int32_t cp)
{
	switch (cp) {
	case 0x5341: return 1;                 /* 十 */
	case CH_BAI: return 2;                 /* 百 */
	case 0x5343: return 3;                 /* 千 */
	case CH_WAN: case CH_WAN_T: return 4;  /* 万 萬 */
	case CH_YI: case CH_YI_T: return 8;    /* 亿 億 */
	default: return 0;
	}
}

static inline bool han_numeric(int32_t cp)
{
	return han_digit(cp) >= 0 || han_unit(cp) > 0;
}

/*
 * Words in which a numeral character is no quantity (一些 "some", 十分
 * "very", 二甲双胍 metformin, 之一 "one of").  lead is the number of Han
 * characters before the numeral (all three bytes in UTF-8); unless lists
 * characters whose presence right after the word cancels the match (十分钟
 * is ten minutes).  A numeral run that begins inside such a word is not
 * reported at all.
 */
typedef struct lexword {
	uint8_t lead;
	uint8_t len;        /* bytes */
	const char *word;
	const char *unless; /* UTF-8 characters, or NULL */
} lexword;

#define LW(lead, w) { lead, sizeof(w) - 1, w, NULL }
#define LWX(lead, w, x) { lead, sizeof(w) - 1, w, x }

static const lexword lexwords[] = {
	/* 一 */
	LW(0, "一些"), LW(0, "一致"), LW(0, "一般"), LW(0, "一定"), LW(0, "一直"),
	LW(0, "一旦"), LW(0, "一起"), LW(0, "一方面"), LW(0, "一样"), LW(0, "一樣"),
	LW(0, "一切"), LW(0, "一道"), LW(0, "一向"), LW(0, "一再"), LW(0, "一律"),
	LW(0, "一同"), LW(0, "一并"), LW(0, "一併"), LW(0, "一体"), LW(0, "一體"),
	LW(0, "一贯"), LW(0, "一系列"), LW(0, "一下"), LW(0, "一番"), LW(0, "一流"),
	LW(0, "一概"), LW(0, "一举"), LW(0, "一味"), LW(0, "一线"), LW(0, "一線"),
	LW(0, "一过性"), LW(0, "一過性"), LW(0, "一氧化"), LW(0, "一元"), LW(0, "一阶"),
	LW(0, "一带"), LW(0, "一心"), LW(0, "一时"), LW(0, "一時"), LW(0, "一边"),
	LW(0, "一邊"), LW(0, "一点"), LW(0, "一點"), LW(0, "一面"), LW(0, "一度"),
	LW(0, "一共"), LW(0, "一齐"), LW(0, "一连"), LW(0, "一旁"), LW(0, "一生"),
	LW(0, "一开始"), LW(0, "一次性"), LW(0, "一侧"), LW(0, "一側"), LW(0, "一一"),
	LW(0, "一经"), LW(0, "一經"), LW(0, "一目了然"), LW(0, "一无所"),
	LW(1, "之一"), LW(1, "统一"), LW(1, "統一"), LW(1, "进一步"), LW(1, "進一步"),
	LW(1, "唯一"), LW(1, "同一"), LW(1, "单一"), LW(1, "單一"), LW(1, "不一"),
	LW(1, "专一"), LW(1, "專一"), LW(1, "归一"), LW(1, "歸一"), LW(1, "合一"),
	LW(1, "划一"), LW(1, "劃一"), LW(1, "逐一"), LW(1, "其一"), LW(1, "如一"),
	LW(1, "独一"), LW(1, "獨一"), LW(0, "万一"), LW(0, "萬一"),
	LW(0, "第一时间"), LW(0, "第一時間"),
	/* 二 两 */
	LW(0, "二甲双胍"), LW(0, "二甲雙胍"), LW(0, "二氧化"), LW(0, "二甲基"),
	LW(0, "二乙基"), LW(0, "二尖瓣"), LW(0, "二聚体"), LW(0, "二聚體"),
	LW(0, "二磷酸"), LW(0, "二硫"), LW(0, "二元"), LW(0, "二分类"), LW(0, "二分類"),
	LW(0, "二头肌"), LW(0, "二頭肌"), LW(0, "二酯"), LW(0, "两两"), LW(0, "兩兩"),
	LW(0, "两侧"), LW(0, "兩側"),
	/* 三 */
	LW(0, "三维"), LW(0, "三維"), LW(0, "三叉神经"), LW(0, "三叉神經"),
	LW(0, "三酰甘油"), LW(0, "三醯甘油"), LW(0, "三磷酸"), LW(0, "三尖瓣"),
	LW(0, "三角"), LW(0, "三甲"), LW(0, "三羧酸"), LW(0, "三聚氰胺"), LW(0, "三焦"),
	LW(0, "三头肌"), LW(0, "三頭肌"), LW(0, "三酸甘油"), LW(2, "甘油三酯"),
	/* 四 五 六 七 八 */
	LW(0, "四肢"), LW(0, "四环素"), LW(0, "四環素"), LW(0, "四氢"), LW(0, "四氫"),
	LW(0, "四氯"), LW(0, "四头肌"), LW(0, "四頭肌"), LW(0, "五官"), LW(0, "五味子"),
	LW(0, "五羟色胺"), LW(0, "五羥色胺"), LW(0, "五脏"), LW(0, "五臟"),
	LW(0, "六味地黄"), LW(0, "六味地黃"), LW(0, "六腑"), LW(0, "八角"),
	/* 十 百 千 万 亿 零 */
	LWX(0, "十分", "钟鐘之"), LW(0, "十足"), LW(0, "十字"), LW(0, "十二指肠"),
	LW(0, "十二指腸"), LW(0, "十二烷"), LW(0, "十全"), LW(0, "十几"), LW(0, "十幾"),
	LW(0, "百分比"), LW(0, "百分点"), LW(0, "百分點"), LW(0, "百合"), LW(0, "百姓"),
	LW(0, "百科"), LW(0, "百度"), LW(0, "百日咳"), LW(0, "百草枯"),
	LW(0, "千克"), LW(0, "千米"), LW(0, "千卡"), LW(0, "千瓦"), LW(0, "千焦"),
	LW(0, "千年"), LW(0, "千万不"), LW(0, "千萬不"), LW(0, "千万别"), LW(0, "千萬別"),
	LW(0, "千万勿"), LW(0, "千萬勿"), LW(0, "千篇一律"), LW(0, "千方百计"),
	LWX(0, "万分", "之"), LWX(0, "萬分", "之"), LW(0, "万古"), LW(0, "萬古"),
	LW(0, "万能"), LW(0, "萬能"), LW(0, "万物"), LW(0, "萬物"), LW(0, "万方"), LW(0, "亿万"),
	LW(0, "億萬"), LW(0, "零售"), LW(0, "零星"), LW(0, "零散"), LW(0, "零食"),
	LW(0, "零件"),
	/* place names */
	LW(0, "四川"), LW(0, "三亚"), LW(0, "九江"), LW(0, "十堰"), LW(0, "六安"),
	LW(0, "三门峡"), LW(0, "三門峽"), LW(0, "万州"), LW(0, "七台河"), LW(1, "马六甲"),
	LW(1, "馬六甲"),
	/* vague quantities: 数十 "dozens of", 上万 "tens of thousands" */
	LW(1, "数十"), LW(1, "数百"), LW(1, "数千"), LW(1, "数万"), LW(1, "數十"),
	LW(1, "數百"), LW(1, "數千"), LW(1, "數萬"), LW(1, "几十"), LW(1, "几百"),
	LW(1, "几千"), LW(1, "几万"), LW(1, "幾十"), LW(1, "幾百"), LW(1, "幾千"),
	LW(1, "幾萬"), LW(1, "上百"), LW(1, "上千"), LW(1, "上万"), LW(1, "上萬"),
	LW(1, "成百"), LW(1, "成千"),
};

/* If a lexicalised word covers the numeral at i, returns its end. */
static uint32_t lex_match(const scan *sc, uint32_t i)
{
	if (sc->end - i < 3)
		return 0;
	for (size_t k = 0; k < sizeof(lexwords) / sizeof(lexwords[0]); k++) {
		const lexword *w = &lexwords[k];
		uint32_t lead = 3u * w->lead, start, e, nx;

		if (w->word[lead + 2] != sc->s[i + 2] || w->word[lead + 1] != sc->s[i + 1] ||
		    i - sc->lo < lead || (uint32_t)(sc->end - i) < (uint32_t)(w->len - lead))
			continue;
		start = i - lead;
		if (memcmp(sc->s + start, w->word, w->len) != 0)
			continue;
		e = start + w->len;
		if (w->unless && e < sc->end) {
			int32_t cp = cp_at(sc, e, &nx);
			const char *u = w->unless;
			bool cancel = false;

			while (*u && !cancel) {
				size_t at = 0, n = strlen(u);
				cancel = aq_utf8_next(u, n, &at) == cp;
				u += at;
			}
			if (cancel)
				continue;
		}
		return e;
	}
	return 0;
}

/* Characters that follow a numeral only in chemical names (二氧化碳,
 * 苯二氮卓, 二十二碳六烯酸, 五羟色胺): such a numeral is no quantity. */
static const char chem_after[] =
	"氧氮硫氯氟溴碘甲乙丙丁醇酮醛酯烯炔胺唑嗪苯磷羟羥羧氢氫酰醯肽烷碳";

static bool chem_at(const scan *sc, uint32_t p)
{
	if (sc->end - p < 3)
		return false;
	for (size_t k = 0; k + 3 <= sizeof(chem_after) - 1; k += 3)
		if (memcmp(sc->s + p, chem_after + k, 3) == 0)
			return true;
	return false;
}

/* Measure words and units after which 一 is a real quantity (一例 "one
 * case", 一年 "one year").  Classifiers such as 个, 种, 项, 次 are left out
 * on purpose: 一个, 一种 translate "a, an", so 一 stays weak before them. */
static const char *const strong_measures[] = {
	"例", "名", "位", "只", "隻", "份", "年", "月", "天", "日", "周", "週",
	"小时", "小時", "分钟", "分鐘", "秒", "倍", "型", "期", "级", "級", "度",
	"岁", "歲", "剂", "劑", "针", "針", "粒", "片", "毫", "微", "克", "升",
	"米", "厘", "千", "公",
};

static bool strong_measure_at(const scan *sc, uint32_t p)
{
	/* all are one or two Han characters of three bytes */
	for (size_t k = 0; k < sizeof(strong_measures) / sizeof(strong_measures[0]); k++) {
		const char *m = strong_measures[k];
		size_t n = m[3] ? 6 : 3;
		if (sc->end - p >= n && memcmp(sc->s + p, m, n) == 0)
			return true;
	}
	return false;
}

/*
 * Parses one run of Chinese numerals at p: 三十五, 一百零五, 两万五 (25000),
 * 二〇二五 (digit by digit), 三点五.  Sets *approx for two neighbouring
 * digits (三四 "three or four"): then only the first digit is taken.
 */
static bool han_run(const scan *sc, uint32_t p, double *value, uint32_t *endp, bool *approx)
{
	double total = 0, section = 0, ival;
	int pend = -1;          /* digit waiting for its unit */
	int last_small = 9;     /* power of the last 十/百/千 in this section */
	int last_unit = 0;      /* power of the last unit, 0 after 零 */
	int npos = 0;           /* digits before any unit (二〇二五) */
	int first = -1, second = -1;
	uint64_t pos = 0;
	int pos_exp = 0;
	bool units = false;
	uint64_t frac = 0;
	int nfrac = 0;
	uint32_t nx, n2, first_end = p;
	int32_t cp;

	*approx = false;
	for (;;) {
		int d, u;

		cp = cp_at(sc, p, &nx);
		d = han_digit(cp);
		if (d >= 0) {
			if (!units) {
				if (npos == 0) {
					first = d;
					first_end = nx;
				} else if (npos == 1) {
					second = d;
				}
				if (npos < 18)
					pos = pos * 10 + (uint64_t)d;
				else if (pos_exp < EXP_CLAMP)
					pos_exp++;
				npos++;
			} else if (pend >= 0) {
				break;  /* 二三十: approximations are not parsed */
			} else if (d == 0) {
				last_unit = 0;
			} else {
				pend = d;
			}
			p = nx;
			continue;
		}
		u = han_unit(cp);
		if (u > 0) {
			if (!units) {
				if (npos >= 2)
					break;
				pend = npos ? (int)pos : -1;
				units = true;
			}
			if (u < 4) {
				if (u >= last_small)
					break;
				section += (pend >= 0 ? pend : 1) * pow10_tab[u];
				last_small = u;
			} else {
				double part = section + (pend >= 0 ? pend : 0);
				if (part == 0 && total == 0)
					part = 1;
				if (u == 8)
					total = (total + part) * 1e8;
				else
					total += part * 1e4;
				section = 0;
				last_small = 9;
			}
			pend = -1;
			last_unit = u;
			p = nx;
			continue;
		}
		if ((cp == CH_DIAN || cp == CH_DIAN_T) && (units || npos > 0)) {
			int32_t c2 = cp_at(sc, nx, &n2);
			if (han_digit(c2) >= 0 && han_unit(c2) == 0) {
				p = nx;
				while ((d = han_digit(cp_at(sc, p, &nx))) >= 0) {
					if (nfrac < 18) {
						frac = frac * 10 + (uint64_t)d;
						nfrac++;
					}
					p = nx;
				}
			}
		}
		break;
	}
	if (!units && npos == 0)
		return false;
	if (!units && npos == 2 && nfrac == 0 && first > 0 && second > 0) {
		/* Two digits are no year: 三四 "three or four" is an
		 * approximation, 三七 two numbers.  Take the first only. */
		*approx = second == first + 1;
		*value = first;
		*endp = first_end;
		return true;
	}
	if (!units) {
		ival = compose(pos, pos_exp);
	} else {
		ival = total + section;
		if (pend >= 0)
			ival += last_unit >= 2 ? pend * pow10_tab[last_unit - 1] : pend;
	}
	if (nfrac > 0) {
		int u;

		if (ival < 1e15 && ival * pow10_tab[nfrac] < 9e18)
			ival = compose((uint64_t)ival * (uint64_t)pow10_tab[nfrac] + frac, -nfrac);
		else
			ival += compose(frac, -nfrac);
		u = han_unit(cp_at(sc, p, &nx));
		if (u >= 4) {
			ival *= pow10_tab[u];  /* 三点五万 */
			p = nx;
		}
	}
	*value = ival;
	*endp = p;
	return true;
}

/* ---- digits -------------------------------------------------------- */

static void lit_digit(lit *l, int d, bool frac)
{
	l->ndig++;
	if (l->mant < 100000000000000000ULL) {
		l->mant = l->mant * 10 + (uint64_t)d;
		if (frac && l->exp > -EXP_CLAMP)
			l->exp--;
	} else if (!frac && l->exp < EXP_CLAMP) {
		l->exp++;  /* a digit beyond the 18 kept ones */
	}
}

/*
 * Reads a decimal literal at i: 12, 0.05, .05, 1,234.5, ０．０５, １２，３４５.
 * A comma groups thousands only when exactly three digits follow it (so
 * "1,2,3" is a list) and the first group has one to three digits.
 */
static bool parse_lit(const scan *sc, uint32_t i, lit *l)
{
	uint32_t p = i, nx, q, q2;
	int32_t cp = cp_at(sc, p, &nx), c2;
	int d, lead = 0, first = -1;
	bool wide = cp >= 0xFF10;

	memset(l, 0, sizeof(*l));
	while ((d = digit_of(cp)) >= 0) {
		if (first < 0)
			first = d;
		lit_digit(l, d, false);
		lead++;
		p = nx;
		cp = cp_at(sc, p, &nx);
	}
	if (lead > 0 && lead <= 3 && first > 0) {
		while ((cp == ',' && !wide) || (cp == CH_FW_COMMA && wide)) {
			int dd[3], k;

			q = nx;
			for (k = 0; k < 3; k++) {
				c2 = cp_at(sc, q, &q2);
				if ((dd[k] = digit_of(c2)) < 0)
					break;
				q = q2;
			}
			if (k < 3 || digit_of(cp_at(sc, q, &q2)) >= 0)
				break;
			for (k = 0; k < 3; k++)
				lit_digit(l, dd[k], false);
			l->has_sep = true;
			p = q;
			cp = cp_at(sc, p, &nx);
		}
	}
	if (cp == '.' || cp == CH_FW_DOT) {
		c2 = cp_at(sc, nx, &q2);
		if (digit_of(c2) >= 0) {
			l->has_point = true;
			p = nx;
			while ((d = digit_of(cp_at(sc, p, &nx))) >= 0) {
				lit_digit(l, d, true);
				p = nx;
			}
		}
	}
	l->end = p;
	return l->ndig > 0;
}

/* ASCII digits after p (at least one); clamps the value. */
static bool read_uint(const scan *sc, uint32_t p, int *v, uint32_t *endp)
{
	int n = 0, d;
	uint32_t nx;

	*v = 0;
	while ((d = digit_of(cp_at(sc, p, &nx))) >= 0) {
		if (*v < EXP_CLAMP)
			*v = *v * 10 + d;
		p = nx;
		n++;
	}
	*endp = p;
	return n > 0;
}

/*
 * The exponent after a "10": ^5, ^-3, ^(−3), superscripts ⁵ ⁻³, and, only
 * after a multiplication sign, (5) and -5 (a lost superscript: 5×10-3).
 */
static bool parse_exp10(const scan *sc, uint32_t p, bool after_times, int *e, uint32_t *endp)
{
	uint32_t nx, q;
	int32_t cp = cp_at(sc, p, &nx);
	bool neg = false, paren = false;
	int d, v = 0, n = 0;

	if (cp == '^') {
		p = nx;
		cp = cp_at(sc, p, &nx);
		if (cp == '(') {
			paren = true;
			p = nx;
			cp = cp_at(sc, p, &nx);
		}
		if (cp == '-' || cp == CH_MINUS || cp == '+') {
			neg = cp != '+';
			p = nx;
		}
		if (!read_uint(sc, p, &v, &q))
			return false;
		p = q;
		if (paren) {
			if (cp_at(sc, p, &nx) != ')')
				return false;
			p = nx;
		}
	} else if (cp == 0x207B || cp == 0x207A || super_digit(cp) >= 0) {
		if (cp == 0x207B || cp == 0x207A) {
			neg = cp == 0x207B;
			p = nx;
		}
		while ((d = super_digit(cp_at(sc, p, &nx))) >= 0) {
			if (v < EXP_CLAMP)
				v = v * 10 + d;
			p = nx;
			n++;
		}
		if (n == 0)
			return false;
	} else if (after_times && cp == '(') {
		p = nx;
		cp = cp_at(sc, p, &nx);
		if (cp == '-' || cp == CH_MINUS || cp == '+') {
			neg = cp != '+';
			p = nx;
		}
		if (!read_uint(sc, p, &v, &q) || cp_at(sc, q, &nx) != ')')
			return false;
		p = nx;
	} else if (after_times && (cp == '-' || cp == CH_MINUS)) {
		if (!read_uint(sc, nx, &v, &q) || q - nx > 3)
			return false;
		neg = true;
		p = q;
	} else {
		return false;
	}
	*e = neg ? -v : v;
	*endp = p;
	return true;
}

/* Is "10" (ASCII or full-width) at p?  Sets *after past it. */
static bool ten_at(const scan *sc, uint32_t p, uint32_t *after)
{
	uint32_t nx, n2;

	if (digit_of(cp_at(sc, p, &nx)) != 1 || digit_of(cp_at(sc, nx, &n2)) != 0)
		return false;
	if (digit_of(cp_at(sc, n2, after)) >= 0)
		return false;
	*after = n2;
	return true;
}

/* "× 10^5" after a mantissa ending at p. */
static bool times_ten(const scan *sc, uint32_t p, int *e, uint32_t *endp)
{
	uint32_t nx, q;
	int32_t cp;

	p = skip_hspace(sc, p);
	cp = cp_at(sc, p, &nx);
	if (cp != CH_TIMES && cp != 'x' && cp != 'X' && cp != '*' && cp != CH_MIDDOT &&
	    cp != CH_DOTOP)
		return false;
	p = skip_hspace(sc, nx);
	if (!ten_at(sc, p, &q))
		return false;
	return parse_exp10(sc, q, true, e, endp);
}

/* "e-4", "E+6" glued to a mantissa ending at p. */
static bool e_notation(const scan *sc, uint32_t p, int *e, uint32_t *endp)
{
	uint32_t nx, q;
	int32_t cp = cp_at(sc, p, &nx);
	bool neg = false;
	int v;

	if (cp != 'e' && cp != 'E')
		return false;
	p = nx;
	cp = cp_at(sc, p, &nx);
	if (cp == '-' || cp == '+' || cp == CH_MINUS) {
		neg = cp != '+';
		p = nx;
	}
	if (!read_uint(sc, p, &v, &q) || is_letter(cp_at(sc, q, &nx)))
		return false;
	*e = neg ? -v : v;
	*endp = q;
	return true;
}

/* Units that may stand glued to digits (5mg, 24h, 3.0T) and ordinal
 * suffixes (1st, 21st); other glued letters make an identifier (3D, 4T1). */
static const char *const glued_units[] = {
	"st", "nd", "rd", "th",
	"mg", "g", "kg", "ug", "\xce\xbcg", "\xc2\xb5g", "ng", "pg", "mL", "ml", "L", "l",
	"dL", "dl", "uL", "\xce\xbcL", "\xc2\xb5L", "mm", "cm", "m", "km", "nm", "um",
	"\xce\xbcm", "\xc2\xb5m", "h", "hr", "hrs", "min", "mins", "s", "sec", "ms", "d",
	"wk", "wks", "w", "y", "yr", "yrs", "mo", "mol", "mmol", "umol", "\xce\xbcmol",
	"\xc2\xb5mol", "nmol", "pmol", "M", "mM", "uM", "\xce\xbcM", "\xc2\xb5M", "nM", "pM",
	"IU", "U", "mU", "kU", "Gy", "cGy", "mGy", "Hz", "kHz", "MHz", "kDa", "Da", "bp",
	"kb", "kbp", "Mb", "kcal", "cal", "kJ", "J", "V", "mV", "W", "mmHg", "bpm", "mEq",
	"ppm", "ppb", "x", "X", "T", "MBq", "Bq", "mSv", "kPa", "Pa", "mA", "fold",
};

/* End of the run of ASCII letters and micro signs at p. */
static uint32_t unit_end(const scan *sc, uint32_t p)
{
	uint32_t nx;
	int32_t cp;

	for (;;) {
		cp = cp_at(sc, p, &nx);
		if (!is_ascii_alpha(cp) && cp != 0xB5 && cp != 0x3BC)
			return p;
		p = nx;
	}
}

/* 0: not a unit, 1: a unit, 2: an ordinal suffix. */
static int glued_kind(const scan *sc, uint32_t p, uint32_t e)
{
	for (size_t k = 0; k < sizeof(glued_units) / sizeof(glued_units[0]); k++) {
		size_t n = strlen(glued_units[k]);
		if (n == e - p && memcmp(sc->s + p, glued_units[k], n) == 0)
			return k < 4 ? 2 : 1;
	}
	return 0;
}

/* After "12-": is the word at p part of an identifier (5-FU, 5-HT,
 * 2019-nCoV) rather than a plain word (12-week, 2-fold, 12-Week)? */
static bool ident_word(const scan *sc, uint32_t p, uint32_t e)
{
	bool upper_rest = false;

	if (e == p)
		return false;
	for (uint32_t k = p + 1; k < e; k++)
		if (sc->s[k] >= 'A' && sc->s[k] <= 'Z')
			upper_rest = true;
	if (sc->s[p] >= 'A' && sc->s[p] <= 'Z')
		return upper_rest || e - p < 3;
	return upper_rest;
}

/* A percent sign or word after a number ending at p: returns the end of
 * the sign, or 0. */
static uint32_t percent_after(const scan *sc, uint32_t p)
{
	uint32_t q = p, nx, we, q2;
	int32_t cp = cp_at(sc, q, &nx);

	if (is_hspace(cp)) {
		q = nx;
		cp = cp_at(sc, q, &nx);
	}
	if (cp == '%' || cp == CH_FW_PERCENT)
		return nx;
	if (sc->lang != AQ_LANG_EN || q == p || !is_ascii_alpha(cp))
		return 0;
	we = ascii_word_end(sc, q);
	if (word_is(sc, q, we, "percent"))
		return we;
	if (word_is(sc, q, we, "per") && is_hspace(cp_at(sc, we, &q2))) {
		nx = ascii_word_end(sc, q2);
		if (word_is(sc, q2, nx, "cent"))
			return nx;
	}
	return 0;
}

/* Powers of ten after digits: 1.5万, 12亿, 1.5 million. */
static int multiplier_after(const scan *sc, uint32_t p, uint32_t *endp)
{
	uint32_t q = skip_hspace(sc, p), nx, we;
	int32_t cp = cp_at(sc, q, &nx);

	if (cp == CH_WAN || cp == CH_WAN_T || cp == CH_YI || cp == CH_YI_T) {
		int32_t c2 = cp_at(sc, nx, &we);
		int e = han_unit(cp);
		if (e == 4 && (c2 == CH_YI || c2 == CH_YI_T)) {
			e = 12;
			nx = we;
		}
		*endp = nx;
		return e;
	}
	if (sc->lang != AQ_LANG_EN || q == p || !is_ascii_alpha(cp))
		return 0;
	we = ascii_word_end(sc, q);
	*endp = we;
	if (word_is(sc, q, we, "hundred"))
		return 2;
	if (word_is(sc, q, we, "thousand"))
		return 3;
	if (word_is(sc, q, we, "million"))
		return 6;
	if (word_is(sc, q, we, "billion"))
		return 9;
	if (word_is(sc, q, we, "trillion"))
		return 12;
	return 0;
}

/* A number written with digits at p (the sign is the caller's). */
static int parse_digits(const scan *sc, uint32_t p, numtok *out)
{
	lit l;
	uint32_t q, nx, e_end;
	int32_t cp;
	int e, m;
	bool sci = false;

	parse_lit(sc, p, &l);
	q = l.end;
	if (l.mant == 10 && l.exp == 0 && l.ndig == 2 && !l.has_point && !l.has_sep &&
	    parse_exp10(sc, q, false, &e, &e_end)) {
		l.mant = 1;
		l.exp = e;
		sci = true;
		q = e_end;
	} else if (times_ten(sc, q, &e, &e_end) || e_notation(sc, q, &e, &e_end)) {
		l.exp += e;
		if (l.exp > EXP_CLAMP)
			l.exp = EXP_CLAMP;
		else if (l.exp < -EXP_CLAMP)
			l.exp = -EXP_CLAMP;
		sci = true;
		q = e_end;
	}
	out->flags = sci ? AQ_NUM_SCI : 0;
	if (!sci) {
		cp = cp_at(sc, q, &nx);
		if (is_letter(cp)) {
			uint32_t ue = unit_end(sc, q);
			int kind = ue > q ? glued_kind(sc, q, ue) : 0;
			/* a unit followed by a digit: 4T1 is a cell line, but
			 * 5cm2 an area */
			if (kind == 1 && digit_of(cp_at(sc, ue, &nx)) >= 0 &&
			    sc->s[q] != 'x' && sc->s[q] != 'X' &&
			    !(sc->s[ue - 1] == 'm' && (sc->s[ue] == '2' || sc->s[ue] == '3')))
				kind = 0;
			if (kind == 0) {
				out->end = skip_ident(sc, q);
				return P_SKIP;
			}
			if (kind == 2) {
				out->flags |= AQ_NUM_ORDINAL;
				q = ue;
			}
		} else if (is_dash(cp) && cp != CH_MINUS) {
			uint32_t we = ascii_word_end(sc, nx);
			if (ident_word(sc, nx, we)) {
				out->end = skip_ident(sc, q);
				return P_SKIP;
			}
		}
		if (!(out->flags & AQ_NUM_ORDINAL) && (m = multiplier_after(sc, q, &e_end)) > 0) {
			l.exp += m;
			q = e_end;
		}
	}
	out->value = compose(l.mant, l.exp);
	out->end = q;
	if ((q = percent_after(sc, out->end)) != 0) {
		out->flags |= AQ_NUM_PERCENT;
		out->end = q;
	}
	return P_NUM;
}

/* ---- Chinese numbers ----------------------------------------------- */

static int parse_han(const scan *sc, uint32_t i, numtok *out, bool check_lex)
{
	uint32_t p = i, nx, n2, n3, e;
	int32_t cp = cp_at(sc, p, &nx);
	uint32_t flags = AQ_NUM_WORD;
	double v;
	bool approx;

	out->off = i;
	if (check_lex && (e = lex_match(sc, i)) != 0) {
		/* also swallow numerals glued to the word's end (数十万) */
		while (han_numeric(cp_at(sc, e, &nx)))
			e = nx;
		out->end = e;
		return P_SKIP;
	}
	if (cp == CH_DI) {
		flags |= AQ_NUM_ORDINAL;
		p = nx;
	} else if (cp == CH_BAI && cp_at(sc, nx, &n2) == CH_FEN && cp_at(sc, n2, &n3) == CH_ZHI) {
		flags |= AQ_NUM_PERCENT;
		p = n3;
	}
	cp = cp_at(sc, p, &nx);
	if (p > i && digit_of(cp) >= 0) {
		lit l;
		parse_lit(sc, p, &l);
		out->value = compose(l.mant, l.exp);
		out->end = l.end;
		out->flags = flags & ~AQ_NUM_WORD;
		return P_NUM;
	}
	if (!han_numeric(cp) || !han_run(sc, p, &v, &e, &approx)) {
		out->end = p;
		return p > i ? P_SKIP : P_NONE;
	}
	if (chem_at(sc, e)) {
		out->end = e;
		return P_SKIP;
	}
	if (approx)
		flags |= NUM_APPROX;
	if (v == 1 && !(flags & (AQ_NUM_ORDINAL | AQ_NUM_PERCENT))) {
		if (cp_at(sc, e, &nx) == CH_BAN && e == p + 3) {
			v = 0.5;  /* 一半 "half" */
			e = nx;
			flags |= AQ_NUM_WEAK;
		} else if (!strong_measure_at(sc, e)) {
			flags |= AQ_NUM_WEAK;
		}
	}
	if ((flags & AQ_NUM_ORDINAL) && v <= 2)
		flags |= AQ_NUM_WEAK;  /* 第一, 第二: like "first", "second" */
	out->value = v;
	out->end = e;
	out->flags = flags;
	return P_NUM;
}

/* ---- English number words ------------------------------------------ */

enum {
	EW_NONE, EW_UNIT, EW_TEEN, EW_TENS, EW_HUNDRED, EW_SCALE, /* cardinals */
	EW_TWICE, EW_HALF, EW_DOZEN,                             /* alone only */
};

typedef struct enword {
	const char *w;
	uint8_t len;
	uint8_t kind;
	bool ordinal;
	double value;
} enword;

#define EWD(w, kind, ord, v) { w, sizeof(w) - 1, kind, ord, v }

/* Grouped by first letter (see enword_first). */
static const enword enwords[] = {
	EWD("billion", EW_SCALE, false, 1e9), EWD("dozen", EW_DOZEN, false, 12),
	EWD("eight", EW_UNIT, false, 8), EWD("eleven", EW_TEEN, false, 11),
	EWD("eighteen", EW_TEEN, false, 18), EWD("eighty", EW_TENS, false, 80),
	EWD("eighth", EW_UNIT, true, 8), EWD("eleventh", EW_TEEN, true, 11),
	EWD("eighteenth", EW_TEEN, true, 18), EWD("eightieth", EW_TENS, true, 80),
	EWD("four", EW_UNIT, false, 4), EWD("five", EW_UNIT, false, 5),
	EWD("fourteen", EW_TEEN, false, 14), EWD("fifteen", EW_TEEN, false, 15),
	EWD("forty", EW_TENS, false, 40), EWD("fifty", EW_TENS, false, 50),
	EWD("first", EW_UNIT, true, 1), EWD("fourth", EW_UNIT, true, 4),
	EWD("fifth", EW_UNIT, true, 5), EWD("fourteenth", EW_TEEN, true, 14),
	EWD("fifteenth", EW_TEEN, true, 15), EWD("fortieth", EW_TENS, true, 40),
	EWD("fiftieth", EW_TENS, true, 50), EWD("hundred", EW_HUNDRED, false, 100),
	EWD("hundredth", EW_HUNDRED, true, 100), EWD("half", EW_HALF, false, 0.5),
	EWD("million", EW_SCALE, false, 1e6), EWD("millionth", EW_SCALE, true, 1e6),
	EWD("nine", EW_UNIT, false, 9), EWD("nineteen", EW_TEEN, false, 19),
	EWD("ninety", EW_TENS, false, 90), EWD("ninth", EW_UNIT, true, 9),
	EWD("nineteenth", EW_TEEN, true, 19), EWD("ninetieth", EW_TENS, true, 90),
	EWD("one", EW_UNIT, false, 1), EWD("six", EW_UNIT, false, 6),
	EWD("seven", EW_UNIT, false, 7), EWD("sixteen", EW_TEEN, false, 16),
	EWD("seventeen", EW_TEEN, false, 17), EWD("sixty", EW_TENS, false, 60),
	EWD("seventy", EW_TENS, false, 70), EWD("second", EW_UNIT, true, 2),
	EWD("sixth", EW_UNIT, true, 6), EWD("seventh", EW_UNIT, true, 7),
	EWD("sixteenth", EW_TEEN, true, 16), EWD("seventeenth", EW_TEEN, true, 17),
	EWD("sixtieth", EW_TENS, true, 60), EWD("seventieth", EW_TENS, true, 70),
	EWD("two", EW_UNIT, false, 2), EWD("three", EW_UNIT, false, 3),
	EWD("ten", EW_TEEN, false, 10), EWD("twelve", EW_TEEN, false, 12),
	EWD("thirteen", EW_TEEN, false, 13), EWD("twenty", EW_TENS, false, 20),
	EWD("thirty", EW_TENS, false, 30), EWD("thousand", EW_SCALE, false, 1e3),
	EWD("trillion", EW_SCALE, false, 1e12), EWD("third", EW_UNIT, true, 3),
	EWD("tenth", EW_TEEN, true, 10), EWD("twelfth", EW_TEEN, true, 12),
	EWD("thirteenth", EW_TEEN, true, 13), EWD("twentieth", EW_TENS, true, 20),
	EWD("thirtieth", EW_TENS, true, 30), EWD("thousandth", EW_SCALE, true, 1e3),
	EWD("twice", EW_TWICE, false, 2), EWD("zero", EW_UNIT, false, 0),
};

/* Where the words of each first letter start in enwords[] (27 entries: the
 * last is the end), and which word lengths occur per first letter: most
 * ordinary words fail on these two. */
static const uint8_t enword_first[27] = {
	/* a   b   c   d   e   f   g   h   i   j   k   l   m */
	0,  0,  1,  1,  2,  10, 23, 23, 26, 26, 26, 26, 26,
	/* n   o   p   q   r   s   t   u   v   w   x   y   z  end */
	28, 34, 35, 35, 35, 35, 48, 65, 65, 65, 65, 65, 65, 66,
};

static const uint16_t enword_lens[26] = {
	/* bit n set: some word of length n starts with the letter */
	0x0000, 0x0080, 0x0000, 0x0020, 0x0760, 0x07f0, 0x0000, 0x0290, 0x0000, /* a-i */
	0x0000, 0x0000, 0x0000, 0x0280, 0x0770, 0x0008, 0x0000, 0x0000, 0x0000, /* j-r */
	0x0fe8, 0x07e8, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0010,         /* s-z */
};

/* The number word s[p..e), or NULL. */
static const enword *en_lookup(const scan *sc, uint32_t p, uint32_t e)
{
	char w[12];
	size_t n = e - p;
	int c;

	if (n < 3 || n > 11)
		return NULL;
	c = ascii_lower(sc->s[p]) - 'a';
	if (c < 0 || c >= 26 || !(enword_lens[c] >> n & 1))
		return NULL;
	for (size_t k = 0; k < n; k++)
		w[k] = ascii_lower(sc->s[p + k]);
	for (size_t k = enword_first[c]; k < enword_first[c + 1]; k++)
		if (enwords[k].len == n && memcmp(enwords[k].w, w, n) == 0)
			return &enwords[k];
	return NULL;
}

typedef struct enstate {
	double total, section;
	double last_scale; /* the last thousand/million/...: the next must be smaller */
	int last;          /* kind of the last word */
	bool ordinal;
} enstate;

/* Adds one word to a number being read ("one hundred and twenty-five");
 * false if it cannot continue it.  hyphen: joined by '-' (twenty-five). */
static bool en_apply(enstate *st, const enword *w, bool hyphen)
{
	int last = st->last;

	switch (w->kind) {
	case EW_UNIT:
		if (hyphen ? last != EW_TENS || w->value == 0 :
		    !(last == EW_NONE || last == EW_HUNDRED || last == EW_SCALE ||
		      (last == EW_TENS && w->value > 0)))
			return false;
		if (w->value == 0 && last != EW_NONE)
			return false;
		st->section += w->value;
		break;
	case EW_TEEN:
	case EW_TENS:
		if (hyphen || !(last == EW_NONE || last == EW_HUNDRED || last == EW_SCALE))
			return false;
		st->section += w->value;
		break;
	case EW_HUNDRED:
		if (hyphen || last == EW_HUNDRED || last == EW_SCALE || st->section >= 100)
			return false;
		st->section = (st->section == 0 ? 1 : st->section) * 100;
		break;
	case EW_SCALE:
		if (hyphen || last == EW_SCALE || (st->last_scale && w->value >= st->last_scale))
			return false;
		st->total += (st->section == 0 ? 1 : st->section) * w->value;
		st->section = 0;
		st->last_scale = w->value;
		break;
	default:
		return false;
	}
	st->last = w->kind;
	st->ordinal = w->ordinal;
	return true;
}

/* English number words at the word starting at i (lang EN). */
static int parse_en(const scan *sc, uint32_t i, numtok *out)
{
	uint32_t p = ascii_word_end(sc, i), q, we, nx;
	const enword *w = en_lookup(sc, i, p);
	enstate st;
	uint32_t flags = AQ_NUM_WORD;

	if (!w)
		return P_NONE;
	out->off = i;
	if (w->kind >= EW_TWICE) {
		out->value = w->value;
		out->end = p;
		out->flags = flags | (w->kind == EW_HALF ? AQ_NUM_WEAK : 0);
		return P_NUM;
	}
	memset(&st, 0, sizeof(st));
	en_apply(&st, w, false);
	while (!st.ordinal) {
		enstate st2 = st;
		bool hyphen = false;
		int32_t cp = cp_at(sc, p, &nx);

		q = p;
		if (cp == '-' && st.last == EW_TENS) {
			q = nx;
			hyphen = true;
		} else if (is_hspace(cp)) {
			q = skip_hspace(sc, p);
			we = ascii_word_end(sc, q);
			if ((st.last == EW_HUNDRED || st.last == EW_SCALE) &&
			    word_is(sc, q, we, "and")) {
				uint32_t q2 = skip_hspace(sc, we);
				if (q2 > we)
					q = q2;
			}
		} else {
			break;
		}
		we = ascii_word_end(sc, q);
		if (we == q || digit_of(cp_at(sc, we, &nx)) >= 0)
			break;
		w = en_lookup(sc, q, we);
		if (!w || !en_apply(&st2, w, hyphen))
			break;
		st = st2;
		p = we;
	}
	out->value = st.total + st.section;
	out->end = p;
	if (st.ordinal)
		flags |= AQ_NUM_ORDINAL | (out->value <= 2 ? AQ_NUM_WEAK : 0);
	else if (out->value == 1)
		flags |= AQ_NUM_WEAK;
	if (p < sc->end && sc->s[p] == '-') {
		/* two-way ANOVA, two-sided, three-dimensional: rendered 双因素,
		 * 双侧, 三维 */
		we = ascii_word_end(sc, p + 1);
		if (word_is(sc, p + 1, we, "way") || word_is(sc, p + 1, we, "tailed") ||
		    word_is(sc, p + 1, we, "sided") || word_is(sc, p + 1, we, "dimensional"))
			flags |= AQ_NUM_WEAK;
	}
	out->flags = flags;
	if (!st.ordinal && (q = percent_after(sc, p)) != 0) {
		out->flags |= AQ_NUM_PERCENT;
		out->end = q;
	}
	return P_NUM;
}

/* ---- numbers in context -------------------------------------------- */

/* Any single number at i.  allow_sign: a leading '-' or '−' is a sign. */
static int parse_num(const scan *sc, uint32_t i, bool allow_sign, numtok *out)
{
	uint32_t p = i, nx, n2;
	int32_t cp = cp_at(sc, p, &nx);
	bool neg = false;
	int r;

	memset(out, 0, sizeof(*out));
	out->off = out->end = i;
	if (allow_sign && (cp == '-' || cp == CH_MINUS)) {
		int32_t c2 = cp_at(sc, nx, &n2);
		if (digit_of(c2) < 0 && !((c2 == '.' || c2 == CH_FW_DOT) &&
		    digit_of(cp_at(sc, n2, &n2)) >= 0))
			return P_NONE;
		neg = true;
		p = nx;
		cp = c2;
		cp_at(sc, p, &nx);
	}
	if (digit_of(cp) >= 0 ||
	    ((cp == '.' || cp == CH_FW_DOT) && digit_of(cp_at(sc, nx, &n2)) >= 0)) {
		r = parse_digits(sc, p, out);
	} else if (neg) {
		return P_NONE;
	} else if (sc->lang == AQ_LANG_ZH && (han_numeric(cp) || cp == CH_DI)) {
		r = parse_han(sc, p, out, true);
	} else if (sc->lang == AQ_LANG_EN && is_ascii_alpha(cp) && !is_letter(cp_before(sc, p))) {
		r = parse_en(sc, p, out);
	} else {
		return P_NONE;
	}
	out->off = i;
	if (r == P_NUM && neg)
		out->value = out->value == 0 ? 0.0 : -out->value;
	return r;
}

/*
 * A range connector after a number ending at p: dashes, tildes, 至, 到,
 * "to", and "and" after "between".  Returns where the second number starts,
 * or 0; *sign_ok says whether it may carry a sign (not after a dash).
 */
static uint32_t range_conn(const scan *sc, uint32_t p, bool allow_and, bool *sign_ok)
{
	uint32_t q = skip_hspace(sc, p), nx, we;
	int32_t cp = cp_at(sc, q, &nx);

	*sign_ok = true;
	if (is_dash(cp)) {
		*sign_ok = false;
	} else if (cp == '~' || cp == 0xFF5E || cp == 0x301C || cp == 0x223C || cp == CH_ZHI4 ||
		   cp == CH_DAO) {
		/* tildes and 至 到 */
	} else if (q > p && is_ascii_alpha(cp)) {
		we = ascii_word_end(sc, q);
		if (!word_is(sc, q, we, "to") && !(allow_and && word_is(sc, q, we, "and")))
			return 0;
		if (!is_hspace(cp_at(sc, we, &nx)))
			return 0;
	} else {
		return 0;
	}
	return skip_hspace(sc, nx);
}

/* After a range's second number: another dash or slash and digit make a
 * date or a list (2025-7-28), not a range. */
static bool chained(const scan *sc, uint32_t p)
{
	uint32_t nx, n2;
	int32_t cp = cp_at(sc, p, &nx);

	return (is_dash(cp) || cp == '/') && digit_of(cp_at(sc, nx, &n2)) >= 0;
}

/* A number at i with what may follow it: a range, an approximation
 * (三四), a fraction (三分之一).  *resume is where scanning goes on
 * (0: nothing here). */
static int scan_number(scan *sc, aq_numbers *out, uint32_t i, uint32_t *resume)
{
	numtok lo, hi;
	uint32_t q, nx, n2;
	bool sign_ok;
	int r, rc;

	*resume = 0;
	r = parse_num(sc, i, true, &lo);
	if (r == P_NONE)
		return 0;
	*resume = lo.end;
	if (r == P_SKIP)
		return 0;
	if (lo.flags & NUM_APPROX) {
		lo.flags &= ~NUM_APPROX;
		if (parse_han(sc, lo.end, &hi, false) == P_NUM) {
			/* 五六十 is 50-60: the second number's unit scales both */
			double scale = hi.value / (lo.value + 1);
			if (scale == 10 || scale == 100 || scale == 1000 || scale == 1e4 ||
			    scale == 1e5 || scale == 1e6 || scale == 1e7 || scale == 1e8)
				lo.value *= scale;
			lo.flags &= ~AQ_NUM_WEAK; /* 一二: "one or two" */
			lo.flags |= AQ_NUM_RANGE_LO;
			hi.flags = (hi.flags & ~NUM_APPROX) | AQ_NUM_RANGE_HI;
			if ((rc = nums_push(out, &lo)) || (rc = nums_push(out, &hi)))
				return rc;
			*resume = hi.end;
			return 0;
		}
		return nums_push(out, &lo);
	}
	if ((lo.flags & AQ_NUM_WORD) && sc->lang == AQ_LANG_ZH && cp_at(sc, lo.end, &nx) == CH_FEN &&
	    cp_at(sc, nx, &n2) == CH_ZHI && han_numeric(cp_at(sc, n2, &q))) {
		/* 三分之一 "one third": the two numbers, as "1/3" gives them */
		if (parse_han(sc, n2, &hi, false) == P_NUM) {
			hi.flags &= ~NUM_APPROX;
			if ((rc = nums_push(out, &lo)) || (rc = nums_push(out, &hi)))
				return rc;
			*resume = hi.end;
			return 0;
		}
	}
	q = range_conn(sc, lo.end, sc->between_at == i, &sign_ok);
	if (q && parse_num(sc, q, sign_ok, &hi) == P_NUM) {
		hi.flags &= ~NUM_APPROX;
		/* one-third is a fraction; 2025-7-28 a date */
		if (!(!sign_ok && (hi.flags & AQ_NUM_ORDINAL)) && !chained(sc, hi.end)) {
			lo.flags |= AQ_NUM_RANGE_LO;
			hi.flags |= AQ_NUM_RANGE_HI;
			if (hi.flags & AQ_NUM_PERCENT)
				lo.flags |= AQ_NUM_PERCENT; /* 10-20% */
		}
		if ((rc = nums_push(out, &lo)) || (rc = nums_push(out, &hi)))
			return rc;
		*resume = hi.end;
		return 0;
	}
	return nums_push(out, &lo);
}

/* "p < 0.05", "P=.03", "P值<0.05", "p-value = 0.2" after the letter p
 * ending at p.  *resume is 0 if this is no p-value. */
static int scan_pvalue(scan *sc, aq_numbers *out, uint32_t p, uint32_t *resume)
{
	uint32_t q = p, nx, we;
	int32_t cp = cp_at(sc, q, &nx);
	numtok n;

	*resume = 0;
	if (cp == CH_ZHI2) {
		q = nx;
	} else if (cp == '-' || is_hspace(cp)) {
		we = ascii_word_end(sc, nx);
		if (word_is(sc, nx, we, "value") || word_is(sc, nx, we, "values"))
			q = we;
	}
	q = skip_hspace(sc, q);
	cp = cp_at(sc, q, &nx);
	switch (cp) {
	case '<': case '>': case '=': case 0x2264: case 0x2265: case 0xFF1C: case 0xFF1E:
	case 0xFF1D: case 0x2A7D: case 0x2A7E: case 0x2266: case 0x2267:
		break;
	default:
		return 0;
	}
	q = skip_hspace(sc, nx);
	if ((cp == '<' || cp == '>') && cp_at(sc, q, &nx) == '=')
		q = skip_hspace(sc, nx);
	if (parse_num(sc, q, false, &n) != P_NUM || (n.flags & AQ_NUM_WORD))
		return 0;
	n.flags |= AQ_NUM_PVALUE;
	*resume = n.end;
	return nums_push(out, &n);
}

/* A run of letters at i: an identifier (IL-6, COVID-19: its digits are no
 * numbers), a p-value, "between", or English number words. */
static int scan_word(scan *sc, aq_numbers *out, uint32_t i, uint32_t *resume)
{
	uint32_t p = i, nx, n2;
	int32_t cp;
	bool ascii = true;
	int rc;

	while (p < sc->end && is_ascii_alpha((unsigned char)sc->s[p]))
		p++;
	for (;;) {
		cp = cp_at(sc, p, &nx);
		if (!is_letter(cp))
			break;
		ascii = ascii && cp < 0x80;
		p = nx;
	}
	if (p == i + 1 && (sc->s[i] == 'x' || sc->s[i] == 'X') && digit_of(cp) >= 0 &&
	    digit_of(cp_before(sc, i)) >= 0) {
		*resume = p;  /* 2x10: a dimension, not an identifier */
		return 0;
	}
	if (digit_of(cp) >= 0 || ((is_dash(cp) || cp == '+') && digit_of(cp_at(sc, nx, &n2)) >= 0)) {
		*resume = skip_ident(sc, i);
		return 0;
	}
	*resume = p;
	if (!ascii)
		return 0;
	if (p == i + 1 && (sc->s[i] == 'p' || sc->s[i] == 'P')) {
		uint32_t r;
		if ((rc = scan_pvalue(sc, out, p, &r)) != 0)
			return rc;
		if (r)
			*resume = r;
		return 0;
	}
	if (sc->lang != AQ_LANG_EN)
		return 0;
	if (word_is(sc, i, p, "between")) {
		sc->between_at = skip_hspace(sc, p);
		return 0;
	}
	if (en_lookup(sc, i, p)) {
		uint32_t r;
		if ((rc = scan_number(sc, out, i, &r)) != 0)
			return rc;
		if (r > i)
			*resume = r;
	}
	return 0;
}

/* Can a '-' or '.' at i start a number, given what precedes it? */
static bool lead_ok(const scan *sc, uint32_t i)
{
	int32_t prev = cp_before(sc, i);

	/* "1999年-2010年", "3月-5月": a dash after a number's Chinese unit
	 * joins a range; it is no sign */
	if (prev >= 0x3400 && prev <= 0xFFFF && aq_cp_is_han(prev) && i >= sc->lo + 4 &&
	    digit_of(cp_before(sc, i - 3)) >= 0)
		return false;
	return !(is_letter(prev) || digit_of(prev) >= 0 || prev == ')' || prev == ']' ||
		 prev == '%' || prev == '.' || prev == CH_FW_DOT || prev == '-');
}

int aq_numbers_find(aq_numbers *out, aq_lang lang, const char *text, uint32_t off, uint32_t end)
{
	scan sc;
	uint32_t i = off, nx, n2, resume;
	int rc;

	assert(out);
	if (off >= end)
		return 0;
	assert(text);
	sc.s = text;
	sc.lo = off;
	sc.end = end;
	sc.lang = lang;
	sc.between_at = UINT32_MAX;
	while (i < end) {
		unsigned char c = (unsigned char)text[i];
		int32_t cp, c2;
		bool start = false;

		if (c < 0x80) {
			if (c >= '0' && c <= '9') {
				start = true;
			} else if (is_ascii_alpha(c)) {
				if ((rc = scan_word(&sc, out, i, &resume)) != 0)
					return rc;
				i = resume > i ? resume : i + 1;
				continue;
			} else if (c == '.' || c == '-') {
				c2 = cp_at(&sc, i + 1, &nx);
				start = (digit_of(c2) >= 0 || (c == '-' && c2 == '.' &&
					 digit_of(cp_at(&sc, nx, &n2)) >= 0)) && lead_ok(&sc, i);
			}
			if (!start) {
				i++;
				continue;
			}
			nx = i + 1;
		} else {
			cp = cp_at(&sc, i, &nx);
			if (cp >= 0x3000 && cp < 0xFF00) {
				/* CJK and its punctuation: no digit, sign, dot or
				 * letter; only a Chinese numeral starts a number */
				if (lang != AQ_LANG_ZH || !(han_numeric(cp) || cp == CH_DI)) {
					i = nx;
					continue;
				}
				start = true;
			} else if (digit_of(cp) >= 0) {
				start = true;
			} else if (cp == CH_MINUS || cp == CH_FW_DOT) {
				start = digit_of(cp_at(&sc, nx, &n2)) >= 0 && lead_ok(&sc, i);
			} else if (is_letter(cp)) {
				if ((rc = scan_word(&sc, out, i, &resume)) != 0)
					return rc;
				i = resume > i ? resume : nx;
				continue;
			} else if (lang == AQ_LANG_ZH && (han_numeric(cp) || cp == CH_DI)) {
				start = true;
			}
			if (!start) {
				i = nx;
				continue;
			}
		}
		if ((rc = scan_number(&sc, out, i, &resume)) != 0)
			return rc;
		i = resume > i ? resume : nx;
	}
	return 0;
}

/* ---- keys ---------------------------------------------------------- */

static size_t put_uint(char *out, uint64_t v)
{
	char tmp[24];
	size_t n = 0, k;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (k = 0; k < n; k++)
		out[k] = tmp[n - 1 - k];
	return n;
}

/* v (finite, > 0) to 15 significant digits in the shape of printf's %g
 * (fixed notation for exponents -4..14, else d.ddde+XX), with '.' whatever
 * the process locale. */
static size_t put_g15(char *out, double v)
{
	uint64_t bits, r;
	int e10, be, nd, k;
	char dig[16];
	size_t n = 0;

	if (v < 1e15 && v == (double)(uint64_t)v)
		return put_uint(out, (uint64_t)v);
	memcpy(&bits, &v, sizeof(bits));
	be = (int)((bits >> 52) & 0x7FF) - 1023;
	e10 = (int)(be * 0.30103);
	while (e10 > -330 && v < scale10(1.0, e10))
		e10--;
	while (e10 < 310 && v >= scale10(1.0, e10 + 1))
		e10++;
	r = (uint64_t)(scale10(v, 14 - e10) + 0.5);
	if (r >= 1000000000000000ULL) {
		r = (r + 5) / 10;
		e10++;
	}
	while (r && r < 100000000000000ULL) {
		r *= 10;
		e10--;
	}
	for (k = 14; k >= 0; k--) {
		dig[k] = (char)('0' + r % 10);
		r /= 10;
	}
	for (nd = 15; nd > 1 && dig[nd - 1] == '0'; nd--)
		;
	if (e10 < -4 || e10 >= 15) {
		out[n++] = dig[0];
		if (nd > 1) {
			out[n++] = '.';
			for (k = 1; k < nd; k++)
				out[n++] = dig[k];
		}
		out[n++] = 'e';
		out[n++] = e10 < 0 ? '-' : '+';
		if (e10 < 0)
			e10 = -e10;
		if (e10 < 10)
			out[n++] = '0';
		n += put_uint(out + n, (uint64_t)e10);
	} else if (e10 >= 0) {
		for (k = 0; k <= e10; k++)
			out[n++] = k < nd ? dig[k] : '0';
		if (nd > e10 + 1) {
			out[n++] = '.';
			for (k = e10 + 1; k < nd; k++)
				out[n++] = dig[k];
		}
	} else {
		out[n++] = '0';
		out[n++] = '.';
		for (k = -1; k > e10; k--)
			out[n++] = '0';
		for (k = 0; k < nd; k++)
			out[n++] = dig[k];
	}
	return n;
}

size_t aq_number_key(char *buf, size_t size, const aq_number *num)
{
	char tmp[48];
	size_t n = 0;
	double v = num->value;

	if (v != v) {
		memcpy(tmp, "nan", 3);
		n = 3;
	} else {
		if (v < 0) {
			tmp[n++] = '-';
			v = -v;
		}
		if (v == 0) {
			n = 0;
			tmp[n++] = '0';
		} else if (v > DBL_MAX) {
			memcpy(tmp + n, "inf", 3);
			n += 3;
		} else {
			n += put_g15(tmp + n, v);
		}
	}
	if (num->flags & AQ_NUM_PERCENT)
		tmp[n++] = '%';
	if (size == 0)
		return 0;
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return n;
}
