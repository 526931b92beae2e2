/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fpu.c - the x87 FPU: the D8-DF escape opcodes.  Arithmetic, loads,
 * stores, compares, constants, stack control and the transcendentals run
 * on the host's x87 with the guest's whole FPU state loaded (FRSTOR at
 * the first of a run of x87 instructions, FNSAVE when anything else needs
 * the state: x86_fpu_sync; hostexec.c), so results, C0-C3, TOP, tags, rounding/precision
 * control and masked and unmasked exception behaviour are the hardware's.
 * The control instructions that touch memory layouts or CPU state (FLDCW,
 * FNSTCW, FNSTSW, FLDENV/FNSTENV, FRSTOR/FNSAVE in the 16/32-bit real and
 * protected formats, FNINIT, FNCLEX), WAIT, the CR0.EM/TS/MP/NE checks,
 * #NM and #MF are modelled here.  References: Intel SDM vol. 1 ch. 8
 * (8.1.10 environment formats, 8.6 exception synchronisation), vol. 3A
 * 2.5 (CR0), vol. 2 under each mnemonic; appendix A.4 (escape opcode map).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* state, memory, host execution */

#define FSW_EXC 0x3fu       /* IE DE ZE OE UE PE */
#define FSW_SF 0x40u
#define FSW_ES 0x80u
#define FSW_B 0x8000u
#define FSW_TOP(s) (((s) >> 11) & 7)

static void update_es(struct x86_cpu *cpu);

/*
 * While the unit is live, the host's FSW holds TOP, C0-C3 and the
 * exception flags raised since the state was loaded (loaded with none):
 * the guest's FSW is the host's plus the flags cpu->fsw had before.
 * With every exception masked in FCW the instructions leave it there
 * (cpu->fsw is stale until this fold); with some unmasked they fold it
 * after each instruction (host_x87), and folding again changes nothing.
 */
static void fold_fsw(struct x86_cpu *cpu, uint16_t sw)
{
    cpu->fsw = (uint16_t)((sw & ~(FSW_ES | FSW_B)) |
                          (cpu->fsw & (FSW_EXC | FSW_SF)));
    update_es(cpu);
}

void x86_fpu_sync(struct x86_cpu *cpu)
{
    uint8_t img[108];
    uint16_t sw;

    x86_mx_sync(cpu);
    if (!cpu->fpu_live) {
        return;
    }
    x86_host_x87_save(img);
    memcpy(&sw, img + 4, 2);
    fold_fsw(cpu, sw);
    memcpy(&cpu->ftw, img + 8, 2);
    memcpy(cpu->fpr, img + 28, 80);
    cpu->fpu_live = false;
}

/* cpu->fsw up to date without giving the unit back (FNSTSW) */
static void fsw_pull(struct x86_cpu *cpu)
{
    uint16_t sw;

    if (cpu->fpu_live) {
        __asm__ volatile("fnstsw %0" : "=m"(sw));
        fold_fsw(cpu, sw);
    }
}

void x86_fpu_reset(struct x86_cpu *cpu)
{
    x86_fpu_sync(cpu);
    cpu->fcw = 0x0040;
    cpu->fsw = 0;
    cpu->ftw = 0x5555;      /* all registers zero (SDM vol. 3A 9.1.2) */
    cpu->fop = 0;
    cpu->fcs = cpu->fds = 0;
    cpu->fip = cpu->fdp = 0;
    memset(cpu->fpr, 0, sizeof(cpu->fpr));
    cpu->mxcsr = 0x1f80;
    memset(cpu->xmm, 0, sizeof(cpu->xmm));
}

/* Load FSW: the registers keep their physical places when TOP moves. */
static void set_fsw(struct x86_cpu *cpu, uint16_t fsw)
{
    uint8_t tmp[8][10];
    unsigned old = FSW_TOP(cpu->fsw), top = FSW_TOP(fsw);

    for (unsigned i = 0; i < 8; i++) {
        memcpy(tmp[(i + old - top) & 7], cpu->fpr[i], 10);
    }
    memcpy(cpu->fpr, tmp, sizeof(tmp));
    cpu->fsw = fsw;
}

static void fninit(struct x86_cpu *cpu)
{
    cpu->fcw = 0x037f;
    set_fsw(cpu, 0);
    cpu->ftw = 0xffff;
    cpu->fop = 0;
    cpu->fcs = cpu->fds = 0;
    cpu->fip = cpu->fdp = 0;
}

/* ES and B follow the unmasked pending exceptions. */
static void update_es(struct x86_cpu *cpu)
{
    if (cpu->fsw & FSW_EXC & ~cpu->fcw) {
        cpu->fsw |= FSW_ES | FSW_B;
    } else {
        cpu->fsw &= ~(FSW_ES | FSW_B);
    }
}

unsigned x86_fpu_tag_of(const uint8_t *r)
{
    uint16_t se = r[8] | (uint16_t)(r[9] << 8);
    uint64_t m;
    unsigned e = se & 0x7fff;

    memcpy(&m, r, 8);
    if (e == 0x7fff) {
        return 2;
    }
    if (e == 0) {
        return m == 0 ? 1 : 2;
    }
    return (m >> 63) ? 0 : 2;       /* unnormals are special */
}

uint8_t *x86_fpu_phys(struct x86_cpu *cpu, unsigned i)
{
    return cpu->fpr[(i - FSW_TOP(cpu->fsw)) & 7];
}

/* A loaded tag word keeps only empty/non-empty; the rest is recomputed. */
static void retag(struct x86_cpu *cpu, uint16_t tw)
{
    cpu->ftw = 0;
    for (unsigned i = 0; i < 8; i++) {
        unsigned t = (tw >> (2 * i)) & 3;
        if (t != 3) {
            t = x86_fpu_tag_of(x86_fpu_phys(cpu, i));
        }
        cpu->ftw |= (uint16_t)(t << (2 * i));
    }
}

void x86_fpu_check(struct x86_cpu *cpu, bool wait)
{
    if (cpu->cr0 & (X86_CR0_EM | X86_CR0_TS)) {
        x86_raise_noerr(cpu, X86_EXC_NM);
    }
    /* a pending unmasked exception: #MF with CR0.NE; the legacy FERR#
       (IRQ 13) path is not modelled and the exception stays pending */
    if (wait && (cpu->fsw & FSW_ES) && (cpu->cr0 & X86_CR0_NE)) {
        x86_raise_noerr(cpu, X86_EXC_MF);
    }
}

/* 9B: WAIT/FWAIT */
void x86_op_fwait(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if ((cpu->cr0 & (X86_CR0_MP | X86_CR0_TS)) ==
        (X86_CR0_MP | X86_CR0_TS)) {
        x86_raise_noerr(cpu, X86_EXC_NM);
    }
    if ((cpu->fsw & FSW_ES) && (cpu->cr0 & X86_CR0_NE)) {
        x86_raise_noerr(cpu, X86_EXC_MF);
    }
}

/* ---- memory helpers ------------------------------------------------------ */

static void rd_bytes(struct x86_cpu *cpu, uint64_t lin, uint8_t *b,
                     unsigned n)
{
    unsigned i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v = x86_read_lin(cpu, lin + i, 3);
        memcpy(b + i, &v, 8);
    }
    for (; i + 2 <= n; i += 2) {
        uint16_t v = (uint16_t)x86_read_lin(cpu, lin + i, 1);
        memcpy(b + i, &v, 2);
    }
}

static void wr_bytes(struct x86_cpu *cpu, uint64_t lin, const uint8_t *b,
                     unsigned n)
{
    unsigned i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, b + i, 8);
        x86_write_lin(cpu, lin + i, 3, v);
    }
    for (; i + 2 <= n; i += 2) {
        uint16_t v;
        memcpy(&v, b + i, 2);
        x86_write_lin(cpu, lin + i, 1, v);
    }
}

/* ---- environment images (SDM vol. 1 figures 8-9 to 8-12) ----------------- */

static bool real_format(struct x86_cpu *cpu)
{
    return cpu->mode == X86_MODE_REAL || cpu->mode == X86_MODE_V86;
}

/* Build the 14- or 28-byte environment; returns its size. */
static unsigned env_store(struct x86_cpu *cpu, const struct x86_insn *in,
                          uint8_t *b)
{
    uint32_t w[7];
    bool big = in->opsz >= 2;
    uint32_t fip = (uint32_t)cpu->fip, fdp = (uint32_t)cpu->fdp;

    w[0] = cpu->fcw | (big ? 0xffff0000u : 0);
    w[1] = cpu->fsw | (big ? 0xffff0000u : 0);
    w[2] = cpu->ftw | (big ? 0xffff0000u : 0);
    if (real_format(cpu)) {
        w[3] = (fip & 0xffff) | (big ? 0xffff0000u : 0);
        w[4] = big ? ((fip >> 16) << 12 & 0x0ffff000u) | (cpu->fop & 0x7ff)
                   : ((fip >> 16) & 0xf) << 12 | (cpu->fop & 0x7ff);
        w[5] = (fdp & 0xffff) | (big ? 0xffff0000u : 0);
        w[6] = big ? ((fdp >> 16) << 12 & 0x0ffff000u)
                   : ((fdp >> 16) & 0xf) << 12;
    } else {
        w[3] = big ? fip : (fip & 0xffff);
        w[4] = cpu->fcs | (big ? (uint32_t)(cpu->fop & 0x7ff) << 16 : 0);
        w[5] = big ? fdp : (fdp & 0xffff);
        w[6] = cpu->fds | (big ? 0xffff0000u : 0);
    }
    if (big) {
        memcpy(b, w, 28);
        return 28;
    }
    for (unsigned i = 0; i < 7; i++) {
        uint16_t h = (uint16_t)w[i];
        memcpy(b + 2 * i, &h, 2);
    }
    return 14;
}

static unsigned env_size(const struct x86_insn *in)
{
    return in->opsz >= 2 ? 28 : 14;
}

/* Load an environment image; the tag word is applied by the caller. */
static uint16_t env_load(struct x86_cpu *cpu, const struct x86_insn *in,
                         const uint8_t *b)
{
    uint32_t w[7];
    bool big = in->opsz >= 2;

    if (big) {
        memcpy(w, b, 28);
    } else {
        for (unsigned i = 0; i < 7; i++) {
            uint16_t h;
            memcpy(&h, b + 2 * i, 2);
            w[i] = h;
        }
    }
    cpu->fcw = X86_FCW_LOAD(w[0]);
    set_fsw(cpu, (uint16_t)w[1]);
    if (real_format(cpu)) {
        cpu->fop = w[4] & 0x7ff;
        cpu->fip = (w[3] & 0xffff) | (big ? (w[4] >> 12) << 16
                                          : ((w[4] >> 12) & 0xf) << 16);
        cpu->fdp = (w[5] & 0xffff) | (big ? (w[6] >> 12) << 16
                                          : ((w[6] >> 12) & 0xf) << 16);
        cpu->fcs = cpu->fds = 0;
    } else {
        cpu->fip = big ? w[3] : (w[3] & 0xffff);
        cpu->fcs = (uint16_t)w[4];
        cpu->fop = big ? (w[4] >> 16) & 0x7ff : 0;
        cpu->fdp = big ? w[5] : (w[5] & 0xffff);
        cpu->fds = (uint16_t)w[6];
    }
    return (uint16_t)w[2];
}

/* D9 /4 FLDENV, D9 /6 FNSTENV, DD /4 FRSTOR, DD /6 FNSAVE */
static void env_op(struct x86_cpu *cpu, const struct x86_insn *in,
                   bool save, bool regs)
{
    uint8_t b[28 + 80];
    unsigned n = env_size(in), total = n + (regs ? 80 : 0);
    uint64_t lin = x86_seg_lin(cpu, in->seg, x86_ea(cpu, in), total, save);
    if (save) {
        env_store(cpu, in, b);
        if (regs) {
            memcpy(b + n, cpu->fpr, 80);
        }
        wr_bytes(cpu, lin, b, total);
        if (regs) {
            fninit(cpu);
        } else {
            cpu->fcw |= FSW_EXC;        /* FSTENV masks everything */
        }
        return;
    }
    rd_bytes(cpu, lin, b, total);
    uint16_t tw = env_load(cpu, in, b);
    if (regs) {
        memcpy(cpu->fpr, b + n, 80);    /* stack order of the new TOP */
    }
    retag(cpu, tw);
    update_es(cpu);
}

/* ---- the escape opcodes -------------------------------------------------- */

/* Memory operand sizes in bytes per opcode and ModRM.reg: positive loads,
   negative stores, 0 = #UD, 1 = done in software. */
static const int8_t mem_kind[8][8] = {
    {  4,  4,  4,  4,  4,  4,  4,  4 },     /* D8 m32fp */
    {  4,  0, -4, -4,  1,  1,  1,  1 },     /* D9 */
    {  4,  4,  4,  4,  4,  4,  4,  4 },     /* DA m32int */
    {  4, -4, -4, -4,  0, 10,  0, -10 },    /* DB */
    {  8,  8,  8,  8,  8,  8,  8,  8 },     /* DC m64fp */
    {  8, -8, -8, -8,  1,  0,  1,  1 },     /* DD */
    {  2,  2,  2,  2,  2,  2,  2,  2 },     /* DE m16int */
    {  2, -2, -2, -2, 10,  8, -10, -8 },    /* DF */
};

/* Register forms that are #UD (SDM A.4.2 tables ). */
static bool reg_form_ud(unsigned op, unsigned m)
{
    switch (op) {
    case 0xd9:
        return (m >= 0xd1 && m <= 0xd7) || m == 0xe2 || m == 0xe3 ||
               m == 0xe6 || m == 0xe7 || m == 0xef;
    case 0xda:
        return m >= 0xe0 && m != 0xe9;
    case 0xdb:
        return (m >= 0xe5 && m <= 0xe7) || m >= 0xf8;
    case 0xdd:
        return m >= 0xf0;
    case 0xde:
        return m >= 0xd8 && m <= 0xdf && m != 0xd9;
    case 0xdf:
        return (m >= 0xe1 && m <= 0xe7) || m >= 0xf8;
    default:
        return false;
    }
}

/* Record FOP/FIP/FDP for a non-control instruction. */
static void set_last(struct x86_cpu *cpu, const struct x86_insn *in,
                     unsigned modrm)
{
    cpu->fop = (uint16_t)(((in->op & 7) << 8) | modrm);
    if (real_format(cpu)) {
        cpu->fip = cpu->seg[X86_CS].base + cpu->insn_rip;
    } else {
        cpu->fip = cpu->insn_rip;
    }
    cpu->fcs = cpu->seg[X86_CS].sel;
    if (in->mod != 3) {
        cpu->fdp = x86_ea(cpu, in);
        if (real_format(cpu)) {
            cpu->fdp += cpu->seg[in->seg].base;
        }
        cpu->fds = cpu->seg[in->seg].sel;
    }
}

/* Run the instruction on the host with the guest FPU loaded and saved
   around it (stores that may fault: nothing changes before the store). */
static void host_x87_cold(struct x86_cpu *cpu, const struct x86_insn *in,
                          unsigned modrm, int mk)
{
    struct x86_hostctx c;
    uint8_t mem[16] __attribute__((aligned(16)));
    uint8_t code[2] = { (uint8_t)in->op, (uint8_t)modrm };
    uint64_t lin = 0;
    uint16_t old = cpu->fsw;
    uint32_t w;

    x86_fpu_sync(cpu);
    memset(&c, 0, sizeof(c));
    memset(mem, 0, sizeof(mem));
    if (in->mod != 3) {
        unsigned n = (unsigned)(mk < 0 ? -mk : mk);
        lin = x86_seg_lin(cpu, in->seg, x86_ea(cpu, in), n, mk < 0);
        if (mk > 0) {
            if (n == 10) {
                rd_bytes(cpu, lin, mem, 10);
            } else {
                uint64_t v = x86_read_lin(cpu, lin, n == 2 ? 1 : n == 4 ? 2
                                                                      : 3);
                memcpy(mem, &v, 8);
            }
        }
        code[1] = (uint8_t)((modrm & 0x38) | 6);       /* [rsi] */
        c.mem = (uint64_t)(uintptr_t)mem;
    }
    w = cpu->fcw | 0xffff0000u;
    memcpy(c.fsave, &w, 4);
    w = (cpu->fsw & ~(FSW_EXC | FSW_SF | FSW_ES | FSW_B)) | 0xffff0000u;
    memcpy(c.fsave + 4, &w, 4);
    w = cpu->ftw | 0xffff0000u;
    memcpy(c.fsave + 8, &w, 4);
    memcpy(c.fsave + 28, cpu->fpr, 80);
    c.rflags = x86_flags(cpu);

    x86_host_exec(&c, X86_HX_X87, code, 2);

    uint16_t sw, tw;
    memcpy(&sw, c.fsave + 4, 2);
    memcpy(&tw, c.fsave + 8, 2);
    if (mk < 0) {
        /* no store after an unmasked invalid/overflow/underflow */
        unsigned n = (unsigned)-mk;
        if (!(sw & ~cpu->fcw & (FSW_EXC & ~0x20u))) {
            if (n == 10) {
                wr_bytes(cpu, lin, mem, 10);
            } else {
                uint64_t v;
                memcpy(&v, mem, 8);
                x86_write_lin(cpu, lin, n == 2 ? 1 : n == 4 ? 2 : 3, v);
            }
        }
    }
    memcpy(cpu->fpr, c.fsave + 28, 80);
    cpu->ftw = tw;
    cpu->fsw = (uint16_t)(sw | (old & (FSW_EXC | FSW_SF)));
    update_es(cpu);
    if ((in->op == 0xdb || in->op == 0xdf) && modrm >= 0xe8 &&
        modrm <= 0xf7) {
        /* FCOMI/FUCOMI(P): ZF PF CF; OF SF AF cleared */
        x86_set_status(cpu, (x86_flags(cpu) & ~(uint64_t)X86_ARITH) |
                                (c.rflags & (X86_ZF | X86_PF | X86_CF)));
    }
    set_last(cpu, in, modrm);
}

/* Can a store of n bytes at lin not fault (a TLB write hit in one page)? */
static bool store_safe(struct x86_cpu *cpu, uint64_t lin, unsigned n)
{
    const struct x86_tlb_entry *e =
        &cpu->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];
    return e->tag_write == (lin & ~0xfffull) && (lin & 0xfff) + n <= 0x1000;
}

/*
 * Run the instruction on the host's x87 unit, which keeps the guest's
 * state between x87 instructions (cpu->fpu_live): the first one loads it
 * with FRSTOR, the following ones run at once, and x86_fpu_sync() saves
 * it when anything else needs it.  A store that could fault would leave
 * the unit changed before the fault: those take host_x87_cold.
 */
static void host_x87(struct x86_cpu *cpu, const struct x86_insn *in,
                     unsigned modrm, int mk)
{
    struct x86_hostctx c;
    uint8_t mem[16] __attribute__((aligned(16)));
    uint8_t code[2] = { (uint8_t)in->op, (uint8_t)modrm };
    uint64_t lin = 0;
    uint16_t old = cpu->fsw, sw;
    unsigned n = (unsigned)(mk < 0 ? -mk : mk);

    if (in->mod != 3) {
        lin = x86_seg_lin(cpu, in->seg, x86_ea(cpu, in), n, mk < 0);
        if (mk < 0 && !store_safe(cpu, lin, n)) {
            host_x87_cold(cpu, in, modrm, mk);
            return;
        }
        if (mk > 0) {
            if (n == 10) {
                rd_bytes(cpu, lin, mem, 10);
            } else {
                uint64_t v = x86_read_lin(cpu, lin, n == 2 ? 1 : n == 4 ? 2
                                                                      : 3);
                memcpy(mem, &v, 8);
            }
        }
        code[1] = (uint8_t)((modrm & 0x38) | 6);       /* [rsi] */
        c.mem = (uint64_t)(uintptr_t)mem;
    }
    if (!cpu->fpu_live) {
        uint8_t img[108];
        uint32_t w;
        memset(img, 0, 28);
        w = cpu->fcw | 0xffff0000u;
        memcpy(img, &w, 4);
        w = (cpu->fsw & ~(FSW_EXC | FSW_SF | FSW_ES | FSW_B)) | 0xffff0000u;
        memcpy(img + 4, &w, 4);
        w = cpu->ftw | 0xffff0000u;
        memcpy(img + 8, &w, 4);
        memcpy(img + 28, cpu->fpr, 80);
        x86_host_x87_load(img);
        cpu->fpu_live = true;
    }
    if ((cpu->fcw & FSW_EXC) == FSW_EXC) {
        /* everything masked: no exception can be pending, trap or stop
           a store, and FSW stays in the host's unit (fold_fsw) */
        bool fcomi = (in->op == 0xdb || in->op == 0xdf) && modrm >= 0xe8 &&
                     modrm <= 0xf7;
        bool fcmov = (in->op == 0xda || in->op == 0xdb) && modrm >= 0xc0 &&
                     modrm < 0xe0;
        uint64_t fl = x86_host_x87_lazy(fcomi ? X86_X87L_FCOMI
                                        : fcmov ? X86_X87L_FCMOV
                                        : X86_X87L_PLAIN, code, mem,
                                        fcmov ? x86_flags(cpu) : 0);
        if (mk < 0) {
            if (n == 10) {
                wr_bytes(cpu, lin, mem, 10);
            } else {
                uint64_t v;
                memcpy(&v, mem, 8);
                x86_write_lin(cpu, lin, n == 2 ? 1 : n == 4 ? 2 : 3, v);
            }
        }
        if (fcomi) {
            /* ZF PF CF; OF SF AF cleared */
            x86_set_status(cpu, (x86_flags(cpu) & ~(uint64_t)X86_ARITH) |
                                    (fl & (X86_ZF | X86_PF | X86_CF)));
        }
        set_last(cpu, in, modrm);
        return;
    }
    if ((in->op == 0xda || in->op == 0xdb) && modrm >= 0xc0 &&
        modrm < 0xe0) {
        c.rflags = x86_flags(cpu);                      /* FCMOVcc */
        x86_host_exec(&c, X86_HX_X87LIVEF, code, 2);
    } else {
        c.rflags = 2;
        x86_host_exec(&c, X86_HX_X87LIVE, code, 2);
    }
    memcpy(&sw, c.fsave + 4, 2);
    if (mk < 0) {
        /* no store after an unmasked invalid/overflow/underflow */
        if (!(sw & ~cpu->fcw & (FSW_EXC & ~0x20u))) {
            if (n == 10) {
                wr_bytes(cpu, lin, mem, 10);
            } else {
                uint64_t v;
                memcpy(&v, mem, 8);
                x86_write_lin(cpu, lin, n == 2 ? 1 : n == 4 ? 2 : 3, v);
            }
        }
    }
    cpu->fsw = (uint16_t)(sw | (old & (FSW_EXC | FSW_SF)));
    update_es(cpu);
    if ((in->op == 0xdb || in->op == 0xdf) && modrm >= 0xe8 &&
        modrm <= 0xf7) {
        /* FCOMI/FUCOMI(P): ZF PF CF; OF SF AF cleared */
        x86_set_status(cpu, (x86_flags(cpu) & ~(uint64_t)X86_ARITH) |
                                (c.rflags & (X86_ZF | X86_PF | X86_CF)));
    }
    set_last(cpu, in, modrm);
}

/* D8-DF: the x87 escape opcodes */
void x86_op_x87(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned op = in->op, r = in->reg & 7;
    unsigned modrm = in->mod == 3 ? 0xc0 | (r << 3) | (in->rm & 7)
                                  : (r << 3);
    int mk = 0;

    if (in->mod == 3) {
        if (reg_form_ud(op, modrm)) {
            x86_raise_noerr(cpu, X86_EXC_UD);
        }
        if (op == 0xdb && modrm >= 0xe0 && modrm <= 0xe4) {
            x86_fpu_check(cpu, false);
            if (modrm == 0xe2) {                /* FNCLEX */
                if (cpu->fpu_live) {
                    fsw_pull(cpu);
                    __asm__ volatile("fnclex");
                }
                cpu->fsw &= ~(FSW_EXC | FSW_SF | FSW_ES | FSW_B);
            } else if (modrm == 0xe3) {         /* FNINIT */
                x86_fpu_sync(cpu);
                fninit(cpu);
            }                                   /* FENI, FDISI, FSETPM */
            return;
        }
        if (op == 0xdf && modrm == 0xe0) {      /* FNSTSW AX */
            x86_fpu_check(cpu, false);
            fsw_pull(cpu);
            x86_reg_set(cpu, in, X86_RAX, 1, cpu->fsw);
            return;
        }
        x86_fpu_check(cpu, true);
        host_x87(cpu, in, modrm, 0);
        return;
    }
    mk = mem_kind[op & 7][r];
    if (mk == 0) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    if (mk != 1) {
        x86_fpu_check(cpu, true);
        host_x87(cpu, in, modrm, mk);
        return;
    }
    if ((op << 4 | r) != 0xdd7 && (op << 4 | r) != 0xd97) {
        x86_fpu_sync(cpu);      /* FNSTSW/FNSTCW only read fsw/fcw */
    }
    switch (op << 4 | r) {
    case 0xd94:                                 /* FLDENV */
        x86_fpu_check(cpu, true);
        env_op(cpu, in, false, false);
        break;
    case 0xd95:                                 /* FLDCW */
        x86_fpu_check(cpu, true);
        cpu->fcw = X86_FCW_LOAD(x86_rm_read(cpu, in, 1));
        update_es(cpu);
        break;
    case 0xd96:                                 /* FNSTENV */
        x86_fpu_check(cpu, false);
        env_op(cpu, in, true, false);
        break;
    case 0xd97:                                 /* FNSTCW */
        x86_fpu_check(cpu, false);
        x86_rm_write(cpu, in, 1, cpu->fcw);
        break;
    case 0xdd4:                                 /* FRSTOR */
        x86_fpu_check(cpu, true);
        env_op(cpu, in, false, true);
        break;
    case 0xdd6:                                 /* FNSAVE */
        x86_fpu_check(cpu, false);
        env_op(cpu, in, true, true);
        break;
    default:                                    /* DD /7 FNSTSW m16 */
        x86_fpu_check(cpu, false);
        fsw_pull(cpu);
        x86_rm_write(cpu, in, 1, cpu->fsw);
        break;
    }
}
