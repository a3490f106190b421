/*
 * han_int.h - the Traditional/Simplified tables tools/gen_han_script.c makes
 * from ICU at build time (han_script.c), for check.c and lexicon.c.  Not
 * installed.  They cover the CJK Unified Ideographs block.
 */
#ifndef AQ_HAN_INT_H
#define AQ_HAN_INT_H

#define HAN_LO 0x4E00
#define HAN_HI 0x9FFF
#define HAN_BITS (HAN_HI - HAN_LO + 1)

/* Traditional-only characters (the transform changes them; the few that
 * Simplified text also uses, 著 乾 瞭 ..., are left out). */
extern const unsigned char aq_han_traditional[HAN_BITS / 8];
/* The one-character results of the transform. */
extern const unsigned char aq_han_simplified[HAN_BITS / 8];
/* Each Traditional-only character's Simplified one, else 0 (index: code
 * point - HAN_LO). */
extern const unsigned short aq_han_t2s[HAN_BITS];

#endif
