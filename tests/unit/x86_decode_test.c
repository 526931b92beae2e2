/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_decode_test.c - the soft x86 CPU's decoder on encodings whose length
 * or operands are easy to get wrong: prefixes and REX, ModRM/SIB with
 * every displacement form, RIP-relative and 16-bit addressing, immediates
 * by operand size, d64/f64 operand sizes, the 15-byte limit and running
 * out of bytes at a page end; and a robustness run of random code in
 * real, protected and 64-bit mode, with faults delivered through random
 * tables half the time (X86T_FUZZ_ITERS=N runs longer).  Reference: Intel
 * SDM vol. 2 ch. 2.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"
#include "tests/unit/test.h"

struct len_case {
    unsigned mode;          /* code size: 1 = 16, 2 = 32, 3 = 64 */
    unsigned len;
    uint8_t bytes[16];
};

#define L(mode_, len_, ...) { mode_, len_, { __VA_ARGS__ } }

static const struct len_case len_cases[] = {
    /* 64-bit mode */
    L(3, 1, 0x90),
    L(3, 10, 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8),
    L(3, 4, 0x66, 0xb8, 1, 2),
    L(3, 5, 0xb8, 1, 2, 3, 4),
    L(3, 4, 0x67, 0x8b, 0x04, 0x24),
    L(3, 6, 0x8b, 0x05, 1, 2, 3, 4),
    L(3, 4, 0x8b, 0x44, 0x24, 0x08),
    L(3, 7, 0x8b, 0x84, 0x24, 1, 2, 3, 4),
    L(3, 7, 0x8b, 0x04, 0x25, 1, 2, 3, 4),
    L(3, 7, 0x8b, 0x04, 0x05, 1, 2, 3, 4),
    L(3, 3, 0x8b, 0x45, 0x00),
    L(3, 4, 0x4c, 0x8b, 0x6d, 0x00),
    L(3, 4, 0x41, 0x8b, 0x04, 0x24),
    L(3, 8, 0x43, 0x8b, 0x04, 0x2d, 1, 2, 3, 4),
    L(3, 10, 0xc7, 0x80, 1, 2, 3, 4, 5, 6, 7, 8),
    L(3, 9, 0x66, 0xc7, 0x80, 1, 2, 3, 4, 5, 6),
    L(3, 7, 0x48, 0xc7, 0xc0, 1, 2, 3, 4),
    L(3, 3, 0xf6, 0xc1, 0x01),
    L(3, 2, 0xf6, 0xd1),
    L(3, 6, 0xf7, 0xc1, 1, 2, 3, 4),
    L(3, 5, 0x66, 0xf7, 0xc1, 1, 2),
    L(3, 2, 0xf7, 0x18, 0),         /* neg [rax], no immediate */
    L(3, 4, 0xc8, 0x10, 0x00, 0x01),
    L(3, 6, 0x0f, 0x84, 1, 2, 3, 4),
    L(3, 7, 0x66, 0x0f, 0x84, 1, 2, 3, 4),  /* f64: still rel32 */
    L(3, 5, 0xe8, 1, 2, 3, 4),
    L(3, 9, 0xa0, 1, 2, 3, 4, 5, 6, 7, 8),
    L(3, 6, 0x67, 0xa0, 1, 2, 3, 4),
    L(3, 4, 0x0f, 0xba, 0xe0, 0x05),
    L(3, 5, 0x48, 0x66, 0xb8, 1, 2),        /* REX before 66 is dropped */
    L(3, 5, 0xf3, 0x48, 0x0f, 0xb8, 0xc1),
    L(3, 10, 0xf0, 0x48, 0x0f, 0xc7, 0x8c, 0x24, 1, 2, 3, 4),
    L(3, 4, 0x0f, 0x38, 0xf0, 0x03),              /* movbe eax, [rbx] */
    L(3, 6, 0x0f, 0x38, 0xf1, 0x44, 0x24, 0x08, 0x90, 0x90),
    L(3, 6, 0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08),  /* palignr: imm8 */
    L(3, 15, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
      0x66, 0x66, 0x66, 0x66, 0x90),
    /* 32-bit mode */
    L(2, 1, 0x40),
    L(2, 6, 0x8b, 0x05, 1, 2, 3, 4),
    L(2, 4, 0x67, 0x8b, 0x46, 0x00),
    L(2, 5, 0x67, 0x8b, 0x06, 1, 2),
    L(2, 7, 0xea, 1, 2, 3, 4, 5, 6),
    L(2, 6, 0x66, 0xea, 1, 2, 3, 4),
    L(2, 2, 0xd4, 0x0a, 0x90),
    /* 16-bit mode */
    L(1, 3, 0x8b, 0x46, 0x00),
    L(1, 4, 0x8b, 0x06, 1, 2),
    L(1, 4, 0x8b, 0x87, 1, 2),
    L(1, 2, 0x8b, 0x00),
    L(1, 6, 0x66, 0xb8, 1, 2, 3, 4),
    L(1, 3, 0xb8, 1, 2),
    L(1, 4, 0x67, 0x8b, 0x04, 0x24),
    L(1, 8, 0x67, 0x8b, 0x84, 0x24, 1, 2, 3, 4),
    L(1, 3, 0xe8, 1, 2),
    L(1, 5, 0x9a, 1, 2, 3, 4),
    L(1, 8, 0x66, 0x9a, 1, 2, 3, 4, 5, 6),
    L(1, 4, 0x0f, 0x84, 1, 2),
    L(1, 1, 0x48),                  /* DEC AX, not REX */
};

TEST(lengths)
{
    for (size_t i = 0; i < ARRAY_SIZE(len_cases); i++) {
        const struct len_case *c = &len_cases[i];
        struct x86_insn in;
        int r = x86_decode(&in, c->bytes, 15, c->mode);
        if (r != X86_DEC_OK || in.len != c->len) {
            printf("#   case %zu (mode %u, first byte %02x): result %d len %u, "
                   "want %u\n", i, c->mode, c->bytes[0], r, in.len, c->len);
            test_failed_now = 1;
        }
    }
}

TEST(too_long_and_truncated)
{
    uint8_t b[16];
    struct x86_insn in;

    memset(b, 0x66, 15);
    b[15] = 0x90;
    EXPECT_EQ(x86_decode(&in, b, 16, 3), X86_DEC_GP);

    uint8_t mov[] = { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 };
    for (unsigned avail = 1; avail < sizeof(mov); avail++) {
        EXPECT_EQ(x86_decode(&in, mov, avail, 3), X86_DEC_MORE);
    }
    EXPECT_EQ(x86_decode(&in, mov, sizeof(mov), 3), X86_DEC_OK);
    EXPECT_EQ(in.imm, 0x0807060504030201ull);
}

TEST(operands_64)
{
    struct x86_insn in;
    /* mov r13, [r12 + r9*8 + 0x10] : 4f 8b 6c cc 10 */
    uint8_t a[] = { 0x4f, 0x8b, 0x6c, 0xcc, 0x10 };
    EXPECT_EQ(x86_decode(&in, a, sizeof(a), 3), X86_DEC_OK);
    EXPECT_EQ(in.reg, 13);
    EXPECT_EQ(in.base, 12);
    EXPECT_EQ(in.index, 9);
    EXPECT_EQ(in.scale, 3);
    EXPECT_EQ(in.disp, 0x10);
    EXPECT_EQ(in.opsz, 3);
    EXPECT_EQ(in.seg, X86_DS);

    /* mov eax, [rip - 8] */
    uint8_t b[] = { 0x8b, 0x05, 0xf8, 0xff, 0xff, 0xff };
    EXPECT_EQ(x86_decode(&in, b, sizeof(b), 3), X86_DEC_OK);
    EXPECT_EQ(in.base, X86_RIPREL);
    EXPECT_EQ(in.disp, -8);

    /* [rbp+0] and [rsp] default to SS; [r13+0] and [r12] do not */
    uint8_t c[] = { 0x8b, 0x45, 0x00 };
    x86_decode(&in, c, sizeof(c), 3);
    EXPECT_EQ(in.seg, X86_SS);
    uint8_t d[] = { 0x41, 0x8b, 0x45, 0x00 };
    x86_decode(&in, d, sizeof(d), 3);
    EXPECT_EQ(in.seg, X86_DS);
    EXPECT_EQ(in.base, 13);
    uint8_t e[] = { 0x41, 0x8b, 0x04, 0x24 };
    x86_decode(&in, e, sizeof(e), 3);
    EXPECT_EQ(in.base, 12);
    EXPECT_EQ(in.index, X86_NOREG);
    /* REX.X with index 4 is r12, a real index */
    uint8_t f[] = { 0x42, 0x8b, 0x04, 0x20 };
    x86_decode(&in, f, sizeof(f), 3);
    EXPECT_EQ(in.index, 12);
    /* fs override */
    uint8_t g[] = { 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0 };
    x86_decode(&in, g, sizeof(g), 3);
    EXPECT_EQ(in.seg, X86_FS);
    EXPECT_EQ(in.base, X86_NOREG);
    EXPECT_EQ(in.disp, 0x28);

    /* push: d64, 66 makes it 16-bit; jcc: f64 ignores 66 */
    uint8_t h[] = { 0x66, 0x50 };
    x86_decode(&in, h, sizeof(h), 3);
    EXPECT_EQ(in.opsz, 1);
    uint8_t i2[] = { 0x50 };
    x86_decode(&in, i2, sizeof(i2), 3);
    EXPECT_EQ(in.opsz, 3);
    uint8_t j[] = { 0x66, 0x74, 0x00 };
    x86_decode(&in, j, sizeof(j), 3);
    EXPECT_EQ(in.opsz, 3);
    /* imm8 sign extension; imm32 sign extension to 64 */
    uint8_t k[] = { 0x48, 0x83, 0xc0, 0xff };
    x86_decode(&in, k, sizeof(k), 3);
    EXPECT_EQ(in.imm, ~0ull);
    uint8_t l[] = { 0x48, 0x05, 0x00, 0x00, 0x00, 0x80 };
    x86_decode(&in, l, sizeof(l), 3);
    EXPECT_EQ(in.imm, 0xffffffff80000000ull);
}

TEST(operands_16)
{
    struct x86_insn in;
    /* mov ax, [bp+si+0x1234] */
    uint8_t a[] = { 0x8b, 0x82, 0x34, 0x12 };
    EXPECT_EQ(x86_decode(&in, a, sizeof(a), 1), X86_DEC_OK);
    EXPECT_EQ(in.base, X86_RBP);
    EXPECT_EQ(in.index, X86_RSI);
    EXPECT_EQ(in.disp, 0x1234);
    EXPECT_EQ(in.seg, X86_SS);
    EXPECT_EQ(in.opsz, 1);
    EXPECT_EQ(in.adsz, 1);
    /* mov ax, [0x5678] with es override */
    uint8_t b[] = { 0x26, 0x8b, 0x06, 0x78, 0x56 };
    x86_decode(&in, b, sizeof(b), 1);
    EXPECT_EQ(in.base, X86_NOREG);
    EXPECT_EQ(in.index, X86_NOREG);
    EXPECT_EQ(in.disp, 0x5678);
    EXPECT_EQ(in.seg, X86_ES);
    /* 66 67 in 16-bit code: 32-bit operand and address */
    uint8_t c[] = { 0x66, 0x67, 0x8b, 0x04, 0x8b };
    x86_decode(&in, c, sizeof(c), 1);
    EXPECT_EQ(in.opsz, 2);
    EXPECT_EQ(in.adsz, 2);
    EXPECT_EQ(in.base, X86_RBX);
    EXPECT_EQ(in.index, X86_RCX);
    EXPECT_EQ(in.scale, 2);
}

TEST(invalid_and_lock)
{
    struct x86_insn in;
    uint8_t push_es[] = { 0x06 };
    x86_decode(&in, push_es, 1, 3);
    EXPECT(in.fn == x86_op_ud);
    x86_decode(&in, push_es, 1, 2);
    EXPECT(in.fn != x86_op_ud);
    uint8_t ud2[] = { 0x0f, 0x0b };
    x86_decode(&in, ud2, 2, 3);
    EXPECT(in.fn == x86_op_ud);
    /* LOCK on a register destination, on CMP, on MOV: #UD */
    uint8_t l1[] = { 0xf0, 0x01, 0xc8 };
    x86_decode(&in, l1, sizeof(l1), 3);
    EXPECT(in.fn == x86_op_ud);
    uint8_t l2[] = { 0xf0, 0x39, 0x08 };
    x86_decode(&in, l2, sizeof(l2), 3);
    EXPECT(in.fn == x86_op_ud);
    uint8_t l3[] = { 0xf0, 0x89, 0x08 };
    x86_decode(&in, l3, sizeof(l3), 3);
    EXPECT(in.fn == x86_op_ud);
    uint8_t l4[] = { 0xf0, 0x01, 0x08 };
    x86_decode(&in, l4, sizeof(l4), 3);
    EXPECT(in.fn != x86_op_ud);
    uint8_t l5[] = { 0xf0, 0x83, 0x38, 0x01 };     /* lock cmp: #UD */
    x86_decode(&in, l5, sizeof(l5), 3);
    EXPECT(in.fn == x86_op_ud);
}

/* ---- robustness: random bytes in every mode never crash the CPU ---- */

#define FUZZ_RAM (1u << 20)
static uint8_t fuzz_ram[FUZZ_RAM];

static uint8_t *fuzz_ram_ptr(void *opaque, uint64_t pa, bool write)
{
    return pa < FUZZ_RAM ? fuzz_ram + (pa & ~0xfffull) : NULL;
}

static uint64_t fuzz_mmio_read(void *opaque, uint64_t pa, unsigned size)
{
    return 0;
}

static void fuzz_mmio_write(void *opaque, uint64_t pa, uint64_t v,
                            unsigned size)
{
}

static uint64_t fuzz_pio_read(void *opaque, uint16_t port, unsigned size)
{
    return 0;
}

static void fuzz_pio_write(void *opaque, uint16_t port, uint64_t v,
                           unsigned size)
{
}

static const struct x86_bus fuzz_bus = {
    fuzz_ram_ptr, fuzz_mmio_read, fuzz_mmio_write, fuzz_pio_read,
    fuzz_pio_write, NULL,
};

TEST(random_code_never_crashes)
{
    static struct x86_cpu cpu;
    uint64_t seed = 0x243f6a8885a308d3ull;
    unsigned exits[8] = { 0 };

    const char *env = getenv("X86T_FUZZ_ITERS");     /* longer runs */
    int iters = env ? atoi(env) : 30000;

    x86_cpu_init(&cpu, &fuzz_bus);
    for (int n = 0; n < iters; n++) {
        int mode = n % 3;
        x86_cpu_reset(&cpu);
        /* half the runs deliver their faults through random tables */
        cpu.exc_exit_mask = (n & 4) ? ~0u : 0;
        cpu.gdtr_base = 0x2000;
        cpu.idtr_base = mode ? 0x2800 : 0;
        if (mode > 0) {
            cpu.cr0 |= X86_CR0_PE;
            for (int s = 0; s < X86_NSEG; s++) {
                cpu.seg[s].limit = 0xfffff;
                cpu.seg[s].attr |= X86_SEG_DB;
                cpu.seg[s].base = 0;
            }
            if (mode == 2) {
                cpu.efer = X86_EFER_LME | X86_EFER_LMA;
                cpu.seg[X86_CS].attr = X86_SEG_P | X86_SEG_S | X86_SEG_L |
                                       0xb;
            }
        } else {
            x86_seg_load_real(&cpu, X86_CS, 0);
        }
        x86_cpu_update_mode(&cpu);
        for (int i = 0; i < 64; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            fuzz_ram[0x1000 + i] = (uint8_t)seed;
            fuzz_ram[0x2000 + ((seed >> 20) & 0xfff)] = (uint8_t)(seed >> 8);
            fuzz_ram[(seed >> 32) & 0x3ff] = (uint8_t)(seed >> 40);
        }
        for (int r = 0; r < 16; r++) {
            cpu.regs[r] = (seed >> r) & 0xfff0;
        }
        cpu.regs[X86_RCX] &= 0xff;      /* keep REP loops short */
        cpu.rip = 0x1000;
        exits[x86_cpu_run(&cpu, 8) & 7]++;
    }
    /* every kind of ending is fine; the point is getting here */
    EXPECT(exits[X86_EXIT_EXCEPTION] > 0);
    EXPECT(exits[X86_EXIT_BUDGET] + exits[X86_EXIT_HLT] > 0);
}

TEST_MAIN()
