/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ssefast.c - specialised handlers for the hottest SSE/SSE2 forms, chosen
 * when an instruction is decoded (x86_sse_specialise, from fast.c): XMM
 * moves, the packed integer and logical operations, and the floating-
 * point arithmetic, compares and conversions.  Each runs the guest's
 * instruction on the host's XMM unit straight from cpu->xmm, without the
 * operand table, re-encoding and stub of sse.c.
 *
 * Floating point is bit-exact by running with the guest's MXCSR in the
 * host's: the handlers take instructions while every SIMD exception is
 * masked in the guest's MXCSR (any rounding control, DAZ, FTZ), so none
 * can trap.  The guest's MXCSR is loaded into the host's at the first
 * such instruction of a run and its exception flags are read back only
 * when something needs cpu->mxcsr (x86_mx_sync): a loop of SSE
 * arithmetic pays no MXCSR access at all.  Unmasked exceptions,
 * CR0.EM/TS or a missing CR4.OSFXSR go to the generic
 * x86_op_sse, which raises the exceptions.  References: Intel SDM vol. 1
 * 10.2.3 (MXCSR), 11.5 (SIMD floating-point exceptions); vol. 2 under
 * each mnemonic.
 */
#include "emu/osdep.h"

#include <emmintrin.h>              /* __m128i for the XMM operands */

#include "emu/cpu/x86/internal.h"   /* state, memory, x86_op_sse */

/* ---- operands ------------------------------------------------------------ */

static inline bool sse_on(const struct x86_cpu *cpu)
{
    return !(cpu->cr0 & (X86_CR0_EM | X86_CR0_TS)) &&
           (cpu->cr4 & X86_CR4_OSFXSR);
}

static inline __attribute__((always_inline)) __m128i xget(const struct x86_cpu *cpu, unsigned r)
{
    return _mm_loadu_si128((const __m128i *)(const void *)cpu->xmm[r]);
}

static inline __attribute__((always_inline)) void xset(struct x86_cpu *cpu, unsigned r, __m128i v)
{
    _mm_storeu_si128((__m128i *)(void *)cpu->xmm[r], v);
}

/* Linear address of the memory operand (n bytes); a 16-byte operand of an
   aligned form must be 16-byte aligned in its segment (#GP(0)), as sse.c
   checks it. */
static inline __attribute__((always_inline)) uint64_t mlin(struct x86_cpu *cpu, const struct x86_insn *in,
                            unsigned n, bool al, bool write)
{
    uint64_t off = x86_ea(cpu, in);
    if (al && (off & 15)) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    return x86_seg_lin(cpu, in->seg, off, n, write);
}

/* n (4, 8 or 16) bytes from memory, zero-extended to 128 bits; a 16-byte
   operand within one page of RAM in the TLB is one host load */
static inline __attribute__((always_inline)) __m128i mload(struct x86_cpu *cpu, const struct x86_insn *in,
                            unsigned n, bool al)
{
    uint64_t lin = mlin(cpu, in, n, al, false);
    uint64_t lo, hi = 0;

    const struct x86_tlb_entry *e =
        &cpu->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];
    if (e->tag_read == (lin & ~0xfffull) && (lin & 0xfff) <= 0x1000 - n) {
        const void *p = (const void *)(uintptr_t)(lin + e->addend);
        if (n == 16) {
            return _mm_loadu_si128((const __m128i *)p);
        }
        if (n == 8) {
            return _mm_loadl_epi64((const __m128i *)p);
        }
        uint32_t v;
        memcpy(&v, p, 4);
        return _mm_cvtsi32_si128((int)v);
    }
    if (n == 16) {
        lo = x86_read_lin(cpu, lin, 3);
        hi = x86_read_lin(cpu, lin + 8, 3);
    } else {
        lo = x86_read_lin(cpu, lin, n == 8 ? 3 : 2);
    }
    return _mm_set_epi64x((long long)hi, (long long)lo);
}

static inline __attribute__((always_inline)) void mstore(struct x86_cpu *cpu, const struct x86_insn *in,
                          unsigned n, bool al, __m128i v)
{
    uint64_t lin = mlin(cpu, in, n, al, true);
    uint64_t lo = (uint64_t)_mm_cvtsi128_si64(v);

    if (n == 16) {
        const struct x86_tlb_entry *e =
            &cpu->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];
        if (e->tag_write == (lin & ~0xfffull) && (lin & 0xfff) <= 0xff0) {
            _mm_storeu_si128((__m128i *)(uintptr_t)(lin + e->addend), v);
            return;
        }
        x86_write_lin(cpu, lin, 3, lo);
        x86_write_lin(cpu, lin + 8, 3,
                      (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v)));
    } else {
        x86_write_lin(cpu, lin, n == 8 ? 3 : 2, lo);
    }
}

/* The r/m source: an XMM register, or n bytes of memory */
static inline __attribute__((always_inline)) __m128i src(struct x86_cpu *cpu, const struct x86_insn *in,
                          unsigned n, bool al)
{
    return in->mod == 3 ? xget(cpu, in->rm) : mload(cpu, in, n, al);
}

/* ---- MXCSR ----------------------------------------------------------------- */

/* Every SIMD exception is masked in the guest's MXCSR: the host can run
   its floating-point instructions as they are, with the guest's rounding
   control, DAZ and FTZ, and no instruction can trap. */
static inline bool mx_ok(const struct x86_cpu *cpu)
{
    return (cpu->mxcsr & 0x1f80) == 0x1f80;
}

/*
 * The guest's MXCSR is lent to the host's for a whole run of the CPU
 * (until x86_mx_sync: the end of x86_cpu_run, or anything that reads or
 * writes cpu->mxcsr): loaded once, the exception flags then accumulate
 * in the host's register as they do in the guest's, and are read back
 * once.  The emulator does no floating point of its own on the vCPU
 * thread in between that could set a flag (signal handlers start with
 * a clean MXCSR on Linux).
 */
static __thread struct x86_cpu *mx_owner;
static __thread uint32_t mx_host;       /* the host's own, while lent */

void x86_mx_sync(struct x86_cpu *cpu)
{
    if (mx_owner != cpu) {
        return;
    }
    __asm__ volatile("stmxcsr %0" : "=m"(cpu->mxcsr));
    __asm__ volatile("ldmxcsr %0" : : "m"(mx_host));
    mx_owner = NULL;
}

static __attribute__((noinline)) void mx_lend(struct x86_cpu *cpu)
{
    if (mx_owner) {
        x86_mx_sync(mx_owner);
    }
    __asm__ volatile("stmxcsr %0" : "=m"(mx_host));
    __asm__ volatile("ldmxcsr %0" : : "m"(cpu->mxcsr));
    mx_owner = cpu;
}

static inline void mx_enter(struct x86_cpu *cpu)
{
    if (__builtin_expect(mx_owner != cpu, 0)) {
        mx_lend(cpu);
    }
}

static inline void mx_leave(struct x86_cpu *cpu)
{
    (void)cpu;
}

/* ---- binary operations "op xmm, xmm/mN" ------------------------------------ */

/* Integer and logical: no MXCSR. */
#define IBIN(name, mn, N, AL)                                               \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)        \
    {                                                                       \
        if (!sse_on(cpu)) {                                                 \
            x86_op_sse(cpu, in);                                            \
            return;                                                         \
        }                                                                   \
        __m128i b = src(cpu, in, N, AL), a = xget(cpu, in->reg);            \
        __asm__(mn " %1, %0" : "+x"(a) : "x"(b));                           \
        xset(cpu, in->reg, a);                                              \
    }

/* Floating point: the guest's MXCSR in the host's around the instruction. */
#define FBIN(name, mn, N, AL)                                               \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)        \
    {                                                                       \
        if (!sse_on(cpu) || !mx_ok(cpu)) {                                  \
            x86_op_sse(cpu, in);                                            \
            return;                                                         \
        }                                                                   \
        __m128i b = src(cpu, in, N, AL), a = xget(cpu, in->reg);            \
        mx_enter(cpu);                                                      \
        __asm__ volatile(mn " %1, %0" : "+x"(a) : "x"(b));                  \
        mx_leave(cpu);                                                      \
        xset(cpu, in->reg, a);                                              \
    }

/* 66 0F xx: SSE2 packed integer (and PAND/PANDN/POR/PXOR) */
#define INT66(X)                                                            \
    X(0x60, punpcklbw) X(0x61, punpcklwd) X(0x62, punpckldq)                \
    X(0x63, packsswb) X(0x64, pcmpgtb) X(0x65, pcmpgtw) X(0x66, pcmpgtd)    \
    X(0x67, packuswb) X(0x68, punpckhbw) X(0x69, punpckhwd)                 \
    X(0x6a, punpckhdq) X(0x6b, packssdw) X(0x6c, punpcklqdq)                \
    X(0x6d, punpckhqdq) X(0x74, pcmpeqb) X(0x75, pcmpeqw)                   \
    X(0x76, pcmpeqd) X(0xd1, psrlw) X(0xd2, psrld) X(0xd3, psrlq)           \
    X(0xd4, paddq) X(0xd5, pmullw) X(0xd8, psubusb) X(0xd9, psubusw)        \
    X(0xda, pminub) X(0xdb, pand) X(0xdc, paddusb) X(0xdd, paddusw)         \
    X(0xde, pmaxub) X(0xdf, pandn) X(0xe0, pavgb) X(0xe1, psraw)            \
    X(0xe2, psrad) X(0xe3, pavgw) X(0xe4, pmulhuw) X(0xe5, pmulhw)          \
    X(0xe8, psubsb) X(0xe9, psubsw) X(0xea, pminsw) X(0xeb, por)            \
    X(0xec, paddsb) X(0xed, paddsw) X(0xee, pmaxsw) X(0xef, pxor)           \
    X(0xf1, psllw) X(0xf2, pslld) X(0xf3, psllq) X(0xf4, pmuludq)           \
    X(0xf5, pmaddwd) X(0xf6, psadbw) X(0xf8, psubb) X(0xf9, psubw)          \
    X(0xfa, psubd) X(0xfb, psubq) X(0xfc, paddb) X(0xfd, paddw)             \
    X(0xfe, paddd)

/* 0F xx / 66 0F xx: logical and unpack on ps/pd */
#define LOGIC(X)                                                            \
    X(0x14, unpcklps, unpcklpd) X(0x15, unpckhps, unpckhpd)                 \
    X(0x54, andps, andpd) X(0x55, andnps, andnpd) X(0x56, orps, orpd)       \
    X(0x57, xorps, xorpd)

/* 0F xx with the four prefixes: ps, pd, ss, sd */
#define FLT(X)                                                              \
    X(0x51, sqrt) X(0x58, add) X(0x59, mul) X(0x5c, sub) X(0x5d, min)       \
    X(0x5e, div) X(0x5f, max)

#define DEF_INT(op, mn) IBIN(i_##mn, #mn, 16, true)
INT66(DEF_INT)

#define DEF_LOGIC(op, ps, pd) IBIN(l_##ps, #ps, 16, true) \
                              IBIN(l_##pd, #pd, 16, true)
LOGIC(DEF_LOGIC)

#define DEF_FLT(op, mn) FBIN(f_##mn##ps, #mn "ps", 16, true)                \
                        FBIN(f_##mn##pd, #mn "pd", 16, true)                \
                        FBIN(f_##mn##ss, #mn "ss", 4, false)                \
                        FBIN(f_##mn##sd, #mn "sd", 8, false)
FLT(DEF_FLT)

/* conversions between float formats and from packed dwords */
FBIN(f_cvtps2pd, "cvtps2pd", 8, false)          /* 0F 5A */
FBIN(f_cvtpd2ps, "cvtpd2ps", 16, true)          /* 66 0F 5A */
FBIN(f_cvtss2sd, "cvtss2sd", 4, false)          /* F3 0F 5A */
FBIN(f_cvtsd2ss, "cvtsd2ss", 8, false)          /* F2 0F 5A */
FBIN(f_cvtdq2ps, "cvtdq2ps", 16, true)          /* 0F 5B */
FBIN(f_cvtps2dq, "cvtps2dq", 16, true)          /* 66 0F 5B */
FBIN(f_cvttps2dq, "cvttps2dq", 16, true)        /* F3 0F 5B */
FBIN(f_cvtdq2pd, "cvtdq2pd", 8, false)          /* F3 0F E6 */
FBIN(f_cvttpd2dq, "cvttpd2dq", 16, true)        /* 66 0F E6 */
FBIN(f_cvtpd2dq, "cvtpd2dq", 16, true)          /* F2 0F E6 */

/* ---- compares into EFLAGS: (U)COMISS/SD ---------------------------------- */

#define FCMP(name, mn, N)                                                   \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)        \
    {                                                                       \
        if (!sse_on(cpu) || !mx_ok(cpu)) {                                  \
            x86_op_sse(cpu, in);                                            \
            return;                                                         \
        }                                                                   \
        __m128i b = src(cpu, in, N, false), a = xget(cpu, in->reg);         \
        uint8_t z, p, c;                                                    \
        mx_enter(cpu);                                                      \
        __asm__ volatile(mn " %4, %3; setz %0; setp %1; setc %2"            \
                         : "=q"(z), "=q"(p), "=q"(c)                        \
                         : "x"(a), "x"(b) : "cc");                          \
        mx_leave(cpu);                                                      \
        /* OF, SF and AF are cleared */                                     \
        x86_set_status(cpu, (z ? X86_ZF : 0) | (p ? X86_PF : 0) |           \
                            (c ? X86_CF : 0));                              \
    }

FCMP(f_ucomiss, "ucomiss", 4)       /* 0F 2E */
FCMP(f_ucomisd, "ucomisd", 8)       /* 66 0F 2E */
FCMP(f_comiss, "comiss", 4)         /* 0F 2F */
FCMP(f_comisd, "comisd", 8)         /* 66 0F 2F */

/* ---- integer <-> scalar float ---------------------------------------------- */

/* F3/F2 0F 2A: CVTSI2SS/SD xmm, r/m32/64 */
#define CVTSI(name, mn)                                                     \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)        \
    {                                                                       \
        if (!sse_on(cpu) || !mx_ok(cpu)) {                                  \
            x86_op_sse(cpu, in);                                            \
            return;                                                         \
        }                                                                   \
        __m128i a = xget(cpu, in->reg);                                     \
        if (in->rex & 8) {                                                  \
            uint64_t v = in->mod == 3 ? cpu->regs[in->rm]                   \
                                      : x86_read_lin(cpu,                   \
                                          mlin(cpu, in, 8, false, false), 3); \
            mx_enter(cpu);                                                  \
            __asm__ volatile(mn "q %1, %0" : "+x"(a) : "r"(v));             \
        } else {                                                            \
            uint32_t v = in->mod == 3 ? (uint32_t)cpu->regs[in->rm]         \
                                      : (uint32_t)x86_read_lin(cpu,         \
                                          mlin(cpu, in, 4, false, false), 2); \
            mx_enter(cpu);                                                  \
            __asm__ volatile(mn "l %1, %0" : "+x"(a) : "r"(v));             \
        }                                                                   \
        mx_leave(cpu);                                                      \
        xset(cpu, in->reg, a);                                              \
    }

CVTSI(f_cvtsi2ss, "cvtsi2ss")
CVTSI(f_cvtsi2sd, "cvtsi2sd")

/* F3/F2 0F 2C/2D: CVT(T)SS/SD2SI r32/64, xmm/m32/64 */
#define CVT2SI(name, mn, N)                                                 \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)        \
    {                                                                       \
        if (!sse_on(cpu) || !mx_ok(cpu)) {                                  \
            x86_op_sse(cpu, in);                                            \
            return;                                                         \
        }                                                                   \
        __m128i b = src(cpu, in, N, false);                                 \
        if (in->rex & 8) {                                                  \
            uint64_t r;                                                     \
            mx_enter(cpu);                                                  \
            __asm__ volatile(mn " %1, %0" : "=r"(r) : "x"(b));              \
            mx_leave(cpu);                                                  \
            cpu->regs[in->reg] = r;                                         \
        } else {                                                            \
            uint32_t r;                                                     \
            mx_enter(cpu);                                                  \
            __asm__ volatile(mn " %1, %0" : "=r"(r) : "x"(b));              \
            mx_leave(cpu);                                                  \
            cpu->regs[in->reg] = r;                                         \
        }                                                                   \
    }

CVT2SI(f_cvttss2si, "cvttss2si", 4)
CVT2SI(f_cvttsd2si, "cvttsd2si", 8)
CVT2SI(f_cvtss2si, "cvtss2si", 4)
CVT2SI(f_cvtsd2si, "cvtsd2si", 8)

/* ---- moves ------------------------------------------------------------------ */

/* MOVAPS/MOVAPD/MOVDQA (AL) and MOVUPS/MOVUPD/MOVDQU xmm, xmm/m128 */
static void mov_load_al(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    xset(cpu, in->reg, src(cpu, in, 16, true));
}

static void mov_load_un(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    xset(cpu, in->reg, src(cpu, in, 16, false));
}

/* the same to xmm/m128 */
static void mov_store_al(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    if (in->mod == 3) {
        xset(cpu, in->rm, xget(cpu, in->reg));
    } else {
        mstore(cpu, in, 16, true, xget(cpu, in->reg));
    }
}

static void mov_store_un(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    if (in->mod == 3) {
        xset(cpu, in->rm, xget(cpu, in->reg));
    } else {
        mstore(cpu, in, 16, false, xget(cpu, in->reg));
    }
}

/* F3/F2 0F 10: MOVSS/MOVSD xmm, xmm/m: a register source replaces the low
   element only, a memory one zeroes the rest */
static void movss_load(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    if (in->mod == 3) {
        cpu->xmm[in->reg][0] = (cpu->xmm[in->reg][0] & ~0xffffffffull) |
                               (cpu->xmm[in->rm][0] & 0xffffffffull);
    } else {
        xset(cpu, in->reg, mload(cpu, in, 4, false));
    }
}

static void movsd_load(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    if (in->mod == 3) {
        cpu->xmm[in->reg][0] = cpu->xmm[in->rm][0];
    } else {
        xset(cpu, in->reg, mload(cpu, in, 8, false));
    }
}

/* F3/F2 0F 11: MOVSS/MOVSD xmm/m, xmm */
static void movss_store(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    if (in->mod == 3) {
        cpu->xmm[in->rm][0] = (cpu->xmm[in->rm][0] & ~0xffffffffull) |
                              (cpu->xmm[in->reg][0] & 0xffffffffull);
    } else {
        x86_write_lin(cpu, mlin(cpu, in, 4, false, true), 2,
                      (uint32_t)cpu->xmm[in->reg][0]);
    }
}

static void movsd_store(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    if (in->mod == 3) {
        cpu->xmm[in->rm][0] = cpu->xmm[in->reg][0];
    } else {
        x86_write_lin(cpu, mlin(cpu, in, 8, false, true), 3,
                      cpu->xmm[in->reg][0]);
    }
}

/* F3 0F 7E: MOVQ xmm, xmm/m64 (zeroes the high half) */
static void movq_load(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    uint64_t v = in->mod == 3 ? cpu->xmm[in->rm][0]
                              : x86_read_lin(cpu, mlin(cpu, in, 8, false,
                                                       false), 3);
    cpu->xmm[in->reg][0] = v;
    cpu->xmm[in->reg][1] = 0;
}

/* 66 0F D6: MOVQ xmm/m64, xmm (a register destination's high half is
   zeroed) */
static void movq_store(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    if (in->mod == 3) {
        cpu->xmm[in->rm][0] = cpu->xmm[in->reg][0];
        cpu->xmm[in->rm][1] = 0;
    } else {
        x86_write_lin(cpu, mlin(cpu, in, 8, false, true), 3,
                      cpu->xmm[in->reg][0]);
    }
}

/* 66 0F 6E: MOVD/MOVQ xmm, r/m32/64 (zero-extended) */
static void movd_to_xmm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    unsigned sz = (in->rex & 8) ? 3 : 2;
    uint64_t v = in->mod == 3 ? cpu->regs[in->rm] & x86_mask(sz)
                              : x86_read_lin(cpu, mlin(cpu, in, 1u << sz,
                                                       false, false), sz);
    cpu->xmm[in->reg][0] = v;
    cpu->xmm[in->reg][1] = 0;
}

/* 66 0F 7E: MOVD/MOVQ r/m32/64, xmm (a 32-bit register is zero-extended) */
static void movd_from_xmm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    unsigned sz = (in->rex & 8) ? 3 : 2;
    uint64_t v = cpu->xmm[in->reg][0] & x86_mask(sz);
    if (in->mod == 3) {
        cpu->regs[in->rm] = v;
    } else {
        x86_write_lin(cpu, mlin(cpu, in, 1u << sz, false, true), sz, v);
    }
}

/* ---- shuffles and shifts by an immediate ------------------------------------ */

/* The PSHUFB control that moves dword (imm >> 2i) & 3 to dword i: the
   PSHUFD/SHUFPS selection as one host instruction (SSSE3, which every
   host that runs the guest's SSSE3 instructions has; x86_sse_specialise
   checks). */
static inline __m128i dword_sel(unsigned imm)
{
    return _mm_set_epi32((int)(((imm >> 6) & 3) * 0x04040404u + 0x03020100u),
                         (int)(((imm >> 4) & 3) * 0x04040404u + 0x03020100u),
                         (int)(((imm >> 2) & 3) * 0x04040404u + 0x03020100u),
                         (int)((imm & 3) * 0x04040404u + 0x03020100u));
}

__attribute__((target("ssse3")))
static inline __m128i pshufb(__m128i v, __m128i m)
{
    __asm__("pshufb %1, %0" : "+x"(v) : "x"(m));
    return v;
}

/* 66 0F 70: PSHUFD xmm, xmm/m128, imm8 */
__attribute__((target("ssse3")))
static void pshufd(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    __m128i b = src(cpu, in, 16, true);
    xset(cpu, in->reg, pshufb(b, dword_sel((unsigned)in->imm)));
}

/* 0F C6: SHUFPS xmm, xmm/m128, imm8 (low two from the destination, high
   two from the source) */
__attribute__((target("ssse3")))
static void shufps(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    __m128i b = src(cpu, in, 16, true);
    __m128i m = dword_sel((unsigned)in->imm);
    __m128i lo = pshufb(xget(cpu, in->reg), m);
    __m128i hi = pshufb(b, _mm_unpackhi_epi64(m, m));
    xset(cpu, in->reg, _mm_unpacklo_epi64(lo, hi));
}

/* 66 0F 72: PSRLD /2, PSRAD /4, PSLLD /6 xmm, imm8; 66 0F 73: PSRLQ /2,
   PSLLQ /6 (the byte shifts /3 /7 stay generic).  The host's shifts by
   an XMM count take the whole 8-bit count as the immediate forms do:
   beyond the element width 0, or the sign for PSRAD. */
static void shift_d(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    __m128i v = xget(cpu, in->rm), n = _mm_cvtsi32_si128((uint8_t)in->imm);
    unsigned r = in->reg & 7;
    v = r == 2 ? _mm_srl_epi32(v, n) : r == 4 ? _mm_sra_epi32(v, n)
               : _mm_sll_epi32(v, n);
    xset(cpu, in->rm, v);
}

static void shift_q(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    __m128i v = xget(cpu, in->rm), n = _mm_cvtsi32_si128((uint8_t)in->imm);
    v = (in->reg & 7) == 2 ? _mm_srl_epi64(v, n) : _mm_sll_epi64(v, n);
    xset(cpu, in->rm, v);
}

/* 66 0F D7: PMOVMSKB r32/64, xmm; 0F 50 / 66 0F 50: MOVMSKPS/PD */
static void pmovmskb(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    cpu->regs[in->reg] =
        (uint32_t)_mm_movemask_epi8(xget(cpu, in->rm)) & 0xffff;
}

static void movmskps(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    unsigned m = 0;
    for (unsigned i = 0; i < 4; i++) {
        m |= (unsigned)(cpu->xmm[in->rm][i / 2] >> (32 * (i & 1) + 31) & 1)
             << i;
    }
    cpu->regs[in->reg] = m;
}

static void movmskpd(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!sse_on(cpu)) {
        x86_op_sse(cpu, in);
        return;
    }
    cpu->regs[in->reg] = (cpu->xmm[in->rm][0] >> 63) |
                         (cpu->xmm[in->rm][1] >> 63) << 1;
}

/* ---- selection ------------------------------------------------------------------ */

#define INT_ENTRY(op, mn) [op] = i_##mn,
static x86_handler_fn *const int66[256] = { INT66(INT_ENTRY) };

#define LOGIC_ENTRY(op, ps, pd) [op] = { l_##ps, l_##pd },
static x86_handler_fn *const logic[256][2] = { LOGIC(LOGIC_ENTRY) };

#define FLT_ENTRY(op, mn) \
    [op] = { f_##mn##ps, f_##mn##pd, f_##mn##ss, f_##mn##sd },
static x86_handler_fn *const flt[256][4] = {
    FLT(FLT_ENTRY)
    [0x5a] = { f_cvtps2pd, f_cvtpd2ps, f_cvtss2sd, f_cvtsd2ss },
    [0x5b] = { f_cvtdq2ps, f_cvtps2dq, f_cvttps2dq, NULL },
    [0xe6] = { NULL, f_cvttpd2dq, f_cvtdq2pd, f_cvtpd2dq },
    [0x2e] = { f_ucomiss, f_ucomisd, NULL, NULL },
    [0x2f] = { f_comiss, f_comisd, NULL, NULL },
    [0x2a] = { NULL, NULL, f_cvtsi2ss, f_cvtsi2sd },
    [0x2c] = { NULL, NULL, f_cvttss2si, f_cvttsd2si },
    [0x2d] = { NULL, NULL, f_cvtss2si, f_cvtsd2si },
    [0x10] = { mov_load_un, mov_load_un, movss_load, movsd_load },
    [0x11] = { mov_store_un, mov_store_un, movss_store, movsd_store },
    [0x28] = { mov_load_al, mov_load_al, NULL, NULL },
    [0x29] = { mov_store_al, mov_store_al, NULL, NULL },
    [0x6f] = { NULL, mov_load_al, mov_load_un, NULL },
    [0x7f] = { NULL, mov_store_al, mov_store_un, NULL },
    [0x6e] = { NULL, movd_to_xmm, NULL, NULL },
    [0x7e] = { NULL, movd_from_xmm, movq_load, NULL },
    [0xd6] = { NULL, movq_store, NULL, NULL },
};

bool x86_ssefast_off;

x86_handler_fn *x86_sse_specialise(const struct x86_insn *in)
{
    unsigned o = in->op & 0xff;
    unsigned pfx = in->rep == 0xf3 ? 2 : in->rep == 0xf2 ? 3
                 : in->opsz_prefix ? 1 : 0;

    if (x86_ssefast_off || in->lock || in->op < 0x100 || in->op > 0x1ff) {
        return NULL;
    }
    if (pfx == 0 && x86_mmx_specialise(in)) {
        return x86_mmx_specialise(in);
    }
    if (pfx == 1 && int66[o]) {
        return int66[o];
    }
    if (pfx < 2 && logic[o][pfx]) {
        return logic[o][pfx];
    }
    if (o == 0xd7 && pfx == 1 && in->mod == 3) {
        return pmovmskb;
    }
    if (o == 0x50 && pfx < 2 && in->mod == 3) {
        return pfx ? movmskpd : movmskps;
    }
    if ((o == 0x70 && pfx == 1) || (o == 0xc6 && pfx == 0)) {
        return __builtin_cpu_supports("ssse3") ? (o == 0x70 ? pshufd : shufps)
                                               : NULL;
    }
    if ((o == 0x72 || o == 0x73) && pfx == 1 && in->mod == 3) {
        unsigned r = in->reg & 7;
        if (o == 0x72 && (r == 2 || r == 4 || r == 6)) {
            return shift_d;
        }
        if (o == 0x73 && (r == 2 || r == 6)) {
            return shift_q;
        }
        return NULL;
    }
    return flt[o][pfx];
}
