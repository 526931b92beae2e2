/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mmxfast.c - specialised handlers for the common MMX forms (0F xx with
 * no prefix), chosen when an instruction is decoded (from
 * x86_sse_specialise): the packed integer arithmetic, compares, logic,
 * shifts by a register, unpacks, packs and MOVQ.  Each runs on the host's
 * XMM unit over the 64-bit operands (the low half of a 128-bit operation
 * gives the MMX result; packs and high unpacks first place the operands
 * where the 128-bit instruction takes them), reading and writing the
 * MMX registers in cpu->fpr, so the host's own x87/MMX state is never
 * touched and no EMMS is needed.
 *
 * They take the instruction only when the MMX state is already in place:
 * CR0.EM/TS clear, no x87 exception pending (ES), the x87 registers in
 * cpu->fpr (they are synced from the host's unit first) and TOP = 0, as
 * after any MMX instruction.  The rest (#UD, #NM, #MF, the register
 * rotation of a non-zero TOP) is the generic x86_op_sse.  Like every MMX
 * instruction they tag every register valid, and a written register's
 * exponent field becomes all ones.  References: Intel SDM vol. 1 ch. 9
 * (9.5 MMX/x87 state, 9.6.3), vol. 2 under each mnemonic.
 */
#include "emu/osdep.h"

#include <emmintrin.h>              /* the 128-bit operations */

#include "emu/cpu/x86/internal.h"   /* state, memory, x86_op_sse */

static inline bool mmx_ready(struct x86_cpu *cpu)
{
    if ((cpu->cr0 & (X86_CR0_EM | X86_CR0_TS)) || (cpu->fsw & 0x80)) {
        return false;
    }
    if (cpu->fpu_live) {
        x86_fpu_sync(cpu);
    }
    return !(cpu->fsw & 0x3800);
}

static inline __m128i mm_get(const struct x86_cpu *cpu, unsigned r)
{
    return _mm_loadl_epi64((const __m128i *)(const void *)cpu->fpr[r & 7]);
}

static inline void mm_set(struct x86_cpu *cpu, unsigned r, __m128i v)
{
    uint8_t *p = cpu->fpr[r & 7];
    _mm_storel_epi64((__m128i *)(void *)p, v);
    p[8] = p[9] = 0xff;
}

/* the r/m source: an MMX register or 8 bytes of memory */
static inline __m128i mm_src(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (in->mod == 3) {
        return mm_get(cpu, in->rm);
    }
    uint64_t lin = x86_seg_lin(cpu, in->seg, x86_ea(cpu, in), 8, false);
    return _mm_cvtsi64_si128((long long)x86_read_lin(cpu, lin, 3));
}

/* op mm, mm/m64 with the result in the low half of a 128-bit op */
#define MBIN(name, expr)                                                    \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)        \
    {                                                                       \
        if (!mmx_ready(cpu)) {                                              \
            x86_op_sse(cpu, in);                                            \
            return;                                                         \
        }                                                                   \
        __m128i b = mm_src(cpu, in), a = mm_get(cpu, in->reg);              \
        mm_set(cpu, in->reg, (expr));                                       \
        cpu->ftw = 0;                                                       \
    }

#define ELEM(X)                                                             \
    X(0x60, punpcklbw, _mm_unpacklo_epi8(a, b))                             \
    X(0x61, punpcklwd, _mm_unpacklo_epi16(a, b))                            \
    X(0x62, punpckldq, _mm_unpacklo_epi32(a, b))                            \
    X(0x63, packsswb, PACK(_mm_packs_epi16))                                \
    X(0x64, pcmpgtb, _mm_cmpgt_epi8(a, b))                                  \
    X(0x65, pcmpgtw, _mm_cmpgt_epi16(a, b))                                 \
    X(0x66, pcmpgtd, _mm_cmpgt_epi32(a, b))                                 \
    X(0x67, packuswb, PACK(_mm_packus_epi16))                               \
    X(0x68, punpckhbw, _mm_unpacklo_epi8(HI(a), HI(b)))                     \
    X(0x69, punpckhwd, _mm_unpacklo_epi16(HI(a), HI(b)))                    \
    X(0x6a, punpckhdq, _mm_unpacklo_epi32(HI(a), HI(b)))                    \
    X(0x6b, packssdw, PACK(_mm_packs_epi32))                                \
    X(0x74, pcmpeqb, _mm_cmpeq_epi8(a, b))                                  \
    X(0x75, pcmpeqw, _mm_cmpeq_epi16(a, b))                                 \
    X(0x76, pcmpeqd, _mm_cmpeq_epi32(a, b))                                 \
    X(0xd1, psrlw, _mm_srl_epi16(a, b))                                     \
    X(0xd2, psrld, _mm_srl_epi32(a, b))                                     \
    X(0xd3, psrlq, _mm_srl_epi64(a, b))                                     \
    X(0xd4, paddq, _mm_add_epi64(a, b))                                     \
    X(0xd5, pmullw, _mm_mullo_epi16(a, b))                                  \
    X(0xd8, psubusb, _mm_subs_epu8(a, b))                                   \
    X(0xd9, psubusw, _mm_subs_epu16(a, b))                                  \
    X(0xda, pminub, _mm_min_epu8(a, b))                                     \
    X(0xdb, pand, _mm_and_si128(a, b))                                      \
    X(0xdc, paddusb, _mm_adds_epu8(a, b))                                   \
    X(0xdd, paddusw, _mm_adds_epu16(a, b))                                  \
    X(0xde, pmaxub, _mm_max_epu8(a, b))                                     \
    X(0xdf, pandn, _mm_andnot_si128(a, b))                                  \
    X(0xe0, pavgb, _mm_avg_epu8(a, b))                                      \
    X(0xe1, psraw, _mm_sra_epi16(a, b))                                     \
    X(0xe2, psrad, _mm_sra_epi32(a, b))                                     \
    X(0xe3, pavgw, _mm_avg_epu16(a, b))                                     \
    X(0xe4, pmulhuw, _mm_mulhi_epu16(a, b))                                 \
    X(0xe5, pmulhw, _mm_mulhi_epi16(a, b))                                  \
    X(0xe8, psubsb, _mm_subs_epi8(a, b))                                    \
    X(0xe9, psubsw, _mm_subs_epi16(a, b))                                   \
    X(0xea, pminsw, _mm_min_epi16(a, b))                                    \
    X(0xeb, por, _mm_or_si128(a, b))                                        \
    X(0xec, paddsb, _mm_adds_epi8(a, b))                                    \
    X(0xed, paddsw, _mm_adds_epi16(a, b))                                   \
    X(0xee, pmaxsw, _mm_max_epi16(a, b))                                    \
    X(0xef, pxor, _mm_xor_si128(a, b))                                      \
    X(0xf1, psllw, _mm_sll_epi16(a, b))                                     \
    X(0xf2, pslld, _mm_sll_epi32(a, b))                                     \
    X(0xf3, psllq, _mm_sll_epi64(a, b))                                     \
    X(0xf4, pmuludq, _mm_mul_epu32(a, b))                                   \
    X(0xf5, pmaddwd, _mm_madd_epi16(a, b))                                  \
    X(0xf6, psadbw, _mm_sad_epu8(a, b))                                     \
    X(0xf8, psubb, _mm_sub_epi8(a, b))                                      \
    X(0xf9, psubw, _mm_sub_epi16(a, b))                                     \
    X(0xfa, psubd, _mm_sub_epi32(a, b))                                     \
    X(0xfb, psubq, _mm_sub_epi64(a, b))                                     \
    X(0xfc, paddb, _mm_add_epi8(a, b))                                      \
    X(0xfd, paddw, _mm_add_epi16(a, b))                                     \
    X(0xfe, paddd, _mm_add_epi32(a, b))

/* a pack of the 64-bit a and b: both in one register, packed with itself
   (the low half is a's elements then b's) */
#define PACK(f) f(_mm_unpacklo_epi64(a, b), _mm_unpacklo_epi64(a, b))
/* the high dword pair moved down for the high unpacks */
#define HI(v) _mm_srli_epi64(v, 32)

#define DEF(op, mn, expr) MBIN(m_##mn, expr)
ELEM(DEF)

/* 0F 6F: MOVQ mm, mm/m64 */
static void m_movq_load(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!mmx_ready(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    mm_set(cpu, in->reg, mm_src(cpu, in));
    cpu->ftw = 0;
}

/* 0F 7F: MOVQ mm/m64, mm */
static void m_movq_store(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!mmx_ready(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    __m128i v = mm_get(cpu, in->reg);
    if (in->mod == 3) {
        mm_set(cpu, in->rm, v);
    } else {
        uint64_t lin = x86_seg_lin(cpu, in->seg, x86_ea(cpu, in), 8, true);
        x86_write_lin(cpu, lin, 3, (uint64_t)_mm_cvtsi128_si64(v));
    }
    cpu->ftw = 0;
}

#define ENTRY(op, mn, expr) [op] = m_##mn,
static x86_handler_fn *const mmx[256] = {
    ELEM(ENTRY)
    [0x6f] = m_movq_load,
    [0x7f] = m_movq_store,
};

/* 0F xx without a prefix; NULL for the forms left to x86_op_sse */
x86_handler_fn *x86_mmx_specialise(const struct x86_insn *in)
{
    if (in->op < 0x100 || in->op > 0x1ff) {
        return NULL;
    }
    return mmx[in->op & 0xff];
}
