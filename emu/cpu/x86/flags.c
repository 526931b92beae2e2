/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flags.c - lazy status flags of the soft x86 CPU.  Arithmetic records its
 * operation, operands and result (x86_lf); the six status flags are only
 * computed when something reads them: Jcc/SETcc/CMOVcc, PUSHF, LAHF, ADC.
 * Shifts by a constant or CL record theirs too (internal.h).
 * Reference: Intel SDM vol. 1 3.4.3.1 and appendix A (EFLAGS cross
 * reference), vol. 2 "Jcc" for the condition encodings.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* struct x86_cpu, lazy flag state */

/* x86_parity[b] is PF for a result whose low byte is b (even parity). */
#define P2(n) n, n ^ 1, n ^ 1, n
#define P4(n) P2(n), P2(n ^ 1), P2(n ^ 1), P2(n)
#define P6(n) P4(n), P4(n ^ 1), P4(n ^ 1), P4(n)
const uint8_t x86_parity[256] = {
    P6(1), P6(0), P6(0), P6(1),
};

static uint64_t szp(uint64_t res, unsigned sz)
{
    uint64_t f = 0;
    res &= x86_mask(sz);
    if (res == 0) {
        f |= X86_ZF;
    }
    if (res & x86_sign(sz)) {
        f |= X86_SF;
    }
    if (x86_parity[res & 0xff]) {
        f |= X86_PF;
    }
    return f;
}

/* The six status flags of the recorded operation. */
static uint64_t lazy_status(struct x86_cpu *cpu)
{
    unsigned sz = cpu->lf_size;
    uint64_t m = x86_mask(sz), sign = x86_sign(sz);
    uint64_t a = cpu->lf_a & m, b = cpu->lf_b & m, r = cpu->lf_res & m;
    uint64_t f = szp(r, sz);

    switch (cpu->lf_op) {
    case X86_LF_ADD:
    case X86_LF_ADC:
        if (cpu->lf_op == X86_LF_ADC && cpu->lf_cf ? r <= a : r < a) {
            f |= X86_CF;
        }
        if ((a ^ r) & (b ^ r) & sign) {
            f |= X86_OF;
        }
        f |= (a ^ b ^ r) & X86_AF;
        break;
    case X86_LF_SUB:
    case X86_LF_SBB:
        if (cpu->lf_op == X86_LF_SBB && cpu->lf_cf ? a <= b : a < b) {
            f |= X86_CF;
        }
        if ((a ^ b) & (a ^ r) & sign) {
            f |= X86_OF;
        }
        f |= (a ^ b ^ r) & X86_AF;
        break;
    case X86_LF_LOGIC:
        break;
    case X86_LF_INC:
        /* b is 1 */
        if (r == sign) {
            f |= X86_OF;
        }
        f |= (a ^ r) & X86_AF ? X86_AF : 0;
        f |= cpu->lf_cf ? X86_CF : 0;
        break;
    case X86_LF_DEC:
        if (r == sign - 1) {
            f |= X86_OF;
        }
        f |= (a ^ r) & X86_AF ? X86_AF : 0;
        f |= cpu->lf_cf ? X86_CF : 0;
        break;
    case X86_LF_SHL: {
        bool cf = (a >> ((8u << sz) - b)) & 1;
        f |= (cf ? X86_CF : 0) | (!!(r & sign) != cf ? X86_OF : 0);
        break;
    }
    case X86_LF_SHR:
        f |= ((a >> (b - 1)) & 1 ? X86_CF : 0) | (a & sign ? X86_OF : 0);
        break;
    case X86_LF_SAR:
        f |= (a >> (b - 1)) & 1 ? X86_CF : 0;
        break;
    case X86_LF_CFOF:
        f |= (cpu->lf_cf & 1 ? X86_CF : 0) | (cpu->lf_cf & 2 ? X86_OF : 0);
        break;
    }
    return f;
}

uint64_t x86_flags(struct x86_cpu *cpu)
{
    if (cpu->lf_op != X86_LF_NONE) {
        cpu->rflags = (cpu->rflags & ~(uint64_t)X86_ARITH) | lazy_status(cpu);
        cpu->lf_op = X86_LF_NONE;
    }
    return cpu->rflags;
}

bool x86_get_cf(struct x86_cpu *cpu)
{
    uint64_t m, a, b, r;

    switch (cpu->lf_op) {
    case X86_LF_NONE:
        return cpu->rflags & X86_CF;
    case X86_LF_ADD:
        m = x86_mask(cpu->lf_size);
        return (cpu->lf_res & m) < (cpu->lf_a & m);
    case X86_LF_SUB:
        m = x86_mask(cpu->lf_size);
        return (cpu->lf_a & m) < (cpu->lf_b & m);
    case X86_LF_LOGIC:
        return false;
    case X86_LF_INC:
    case X86_LF_DEC:
        return cpu->lf_cf;
    case X86_LF_SHL:
        m = x86_mask(cpu->lf_size);
        return ((cpu->lf_a & m) >> ((8u << cpu->lf_size) - cpu->lf_b)) & 1;
    case X86_LF_SHR:
    case X86_LF_SAR:
        return (cpu->lf_a >> (cpu->lf_b - 1)) & 1;
    case X86_LF_CFOF:
        return cpu->lf_cf & 1;
    default:
        m = x86_mask(cpu->lf_size);
        a = cpu->lf_a & m;
        b = cpu->lf_b & m;
        r = cpu->lf_res & m;
        if (cpu->lf_op == X86_LF_ADC) {
            return cpu->lf_cf ? r <= a : r < a;
        }
        return cpu->lf_cf ? a <= b : a < b;
    }
}

void x86_set_status(struct x86_cpu *cpu, uint64_t bits)
{
    cpu->rflags = (cpu->rflags & ~(uint64_t)X86_ARITH) | (bits & X86_ARITH);
    cpu->lf_op = X86_LF_NONE;
}

/*
 * Condition codes 0-15 as in Jcc: O, NO, B, AE, E, NE, BE, A, S, NS, P, NP,
 * L, GE, LE, G.  After SUB/CMP the common ones come straight from the
 * operands without building RFLAGS.
 */
bool x86_cond(struct x86_cpu *cpu, unsigned cc)
{
    bool r;

    if (cpu->lf_op == X86_LF_SUB) {
        uint64_t m = x86_mask(cpu->lf_size);
        uint64_t a = cpu->lf_a & m, b = cpu->lf_b & m;
        int64_t sa = x86_sext(a, cpu->lf_size), sb = x86_sext(b, cpu->lf_size);
        switch (cc >> 1) {
        case 1: r = a < b; goto out;
        case 2: r = a == b; goto out;
        case 3: r = a <= b; goto out;
        case 6: r = sa < sb; goto out;
        case 7: r = sa <= sb; goto out;
        }
    }
    if (cpu->lf_op != X86_LF_NONE) {
        /* ZF and SF come straight from the recorded result */
        if ((cc >> 1) == 2) {
            r = (cpu->lf_res & x86_mask(cpu->lf_size)) == 0;
            goto out;
        }
        if ((cc >> 1) == 4) {
            r = (cpu->lf_res & x86_sign(cpu->lf_size)) != 0;
            goto out;
        }
    }

    uint64_t f = x86_flags(cpu);
    switch (cc >> 1) {
    case 0: r = f & X86_OF; break;
    case 1: r = f & X86_CF; break;
    case 2: r = f & X86_ZF; break;
    case 3: r = f & (X86_CF | X86_ZF); break;
    case 4: r = f & X86_SF; break;
    case 5: r = f & X86_PF; break;
    case 6: r = !(f & X86_SF) != !(f & X86_OF); break;
    default:
        r = (f & X86_ZF) || (!(f & X86_SF) != !(f & X86_OF));
        break;
    }
out:
    return (cc & 1) ? !r : r;
}

uint64_t x86_cpu_get_rflags(struct x86_cpu *cpu)
{
    return x86_flags(cpu) | 2;
}

void x86_cpu_set_rflags(struct x86_cpu *cpu, uint64_t rflags)
{
    cpu->rflags = rflags | 2;
    cpu->lf_op = X86_LF_NONE;
}
