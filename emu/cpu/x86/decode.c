/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode.c - the x86 instruction decoder: legacy prefixes, REX, the
 * one-byte, 0F, 0F 38 and 0F 3A opcode maps, ModRM/SIB/displacement (16-bit and 32/64-bit
 * addressing, RIP-relative) and immediates, into a struct x86_insn that
 * names its handler.  Reference: Intel SDM vol. 2 ch. 2 (instruction
 * format), 2.2.1 (REX), appendix A (opcode maps, "d64"/"f64"/"i64").
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* struct x86_insn, handler table */

/* Operand attributes per opcode (appendix A superscripts). */
#define A_MODRM 0x0001      /* has a ModRM byte */
#define A_IMM8  0x0002      /* imm8, sign-extended */
#define A_IMMZ  0x0004      /* imm16/imm32 by operand size, sign-extended */
#define A_IMMV  0x0008      /* imm16/32/64 by operand size (MOV r, imm) */
#define A_IMM16 0x0010      /* imm16 (RET n; ENTER with A_IMM8) */
#define A_MOFFS 0x0020      /* moffs by address size */
#define A_FAR   0x0040      /* ptr16:16/32 */
#define A_D64   0x0080      /* 64-bit operand size by default in long mode */
#define A_F64   0x0100      /* 64-bit operand size always in long mode */
#define A_I64   0x0200      /* invalid in 64-bit mode */
#define A_GRP3  0x0400      /* F6/F7: immediate only for /0 and /1 */
#define A_LOCK  0x0800      /* LOCK allowed with a memory destination */
#define A_REG   0x1000      /* ModRM.mod ignored: always registers (MOV CR) */

#define M A_MODRM
#define ALU6(x) [x] = M | A_LOCK, [x + 1] = M | A_LOCK, [x + 2] = M,      \
                [x + 3] = M, [x + 4] = A_IMM8, [x + 5] = A_IMMZ

static const uint16_t attrs[X86_NOPS] = {
    ALU6(0x00), ALU6(0x08), ALU6(0x10), ALU6(0x18),
    ALU6(0x20), ALU6(0x28), ALU6(0x30),
    [0x38 ... 0x3b] = M, [0x3c] = A_IMM8, [0x3d] = A_IMMZ,
    [0x06] = A_I64, [0x07] = A_I64, [0x0e] = A_I64, [0x16] = A_I64,
    [0x17] = A_I64, [0x1e] = A_I64, [0x1f] = A_I64,
    [0x27] = A_I64, [0x2f] = A_I64, [0x37] = A_I64, [0x3f] = A_I64,
    [0x50 ... 0x5f] = A_D64,
    [0x60] = A_I64, [0x61] = A_I64, [0x62] = M | A_I64, [0x63] = M,
    [0x68] = A_IMMZ | A_D64, [0x69] = M | A_IMMZ,
    [0x6a] = A_IMM8 | A_D64, [0x6b] = M | A_IMM8,
    [0x70 ... 0x7f] = A_IMM8 | A_F64,
    [0x80] = M | A_IMM8 | A_LOCK, [0x81] = M | A_IMMZ | A_LOCK,
    [0x82] = M | A_IMM8 | A_I64 | A_LOCK, [0x83] = M | A_IMM8 | A_LOCK,
    [0x84 ... 0x85] = M, [0x86 ... 0x87] = M | A_LOCK,
    [0x88 ... 0x8e] = M, [0x8f] = M | A_D64,
    [0x9a] = A_FAR | A_I64, [0x9c] = A_D64, [0x9d] = A_D64,
    [0xa0 ... 0xa3] = A_MOFFS, [0xa8] = A_IMM8, [0xa9] = A_IMMZ,
    [0xb0 ... 0xb7] = A_IMM8, [0xb8 ... 0xbf] = A_IMMV,
    [0xc0 ... 0xc1] = M | A_IMM8, [0xc2] = A_IMM16 | A_F64, [0xc3] = A_F64,
    [0xc4 ... 0xc5] = M | A_I64, [0xc6] = M | A_IMM8, [0xc7] = M | A_IMMZ,
    [0xc8] = A_IMM16 | A_IMM8 | A_D64, [0xc9] = A_D64, [0xca] = A_IMM16,
    [0xcd] = A_IMM8, [0xce] = A_I64,
    [0xd0 ... 0xd3] = M, [0xd4 ... 0xd5] = A_IMM8 | A_I64, [0xd6] = A_I64,
    [0xd8 ... 0xdf] = M,
    [0xe0 ... 0xe3] = A_IMM8 | A_F64, [0xe4 ... 0xe7] = A_IMM8,
    [0xe8 ... 0xe9] = A_IMMZ | A_F64, [0xea] = A_FAR | A_I64,
    [0xeb] = A_IMM8 | A_F64,
    [0xf6] = M | A_GRP3 | A_LOCK, [0xf7] = M | A_GRP3 | A_LOCK,
    [0xfe ... 0xff] = M | A_LOCK,

    /* 0F map */
    [0x100 ... 0x103] = M, [0x10d] = M, [0x110 ... 0x117] = M,
    [0x118 ... 0x11f] = M, [0x128 ... 0x12f] = M,
    [0x150 ... 0x16f] = M, [0x170 ... 0x173] = M | A_IMM8,
    [0x174 ... 0x176] = M, [0x17c ... 0x17f] = M,
    [0x1c2] = M | A_IMM8, [0x1c3] = M, [0x1c4 ... 0x1c6] = M | A_IMM8,
    [0x1d0 ... 0x1ff] = M,
    [0x120 ... 0x123] = M | A_REG | A_F64,
    [0x140 ... 0x14f] = M,
    [0x180 ... 0x18f] = A_IMMZ | A_F64,
    [0x190 ... 0x19f] = M,
    [0x1a0 ... 0x1a1] = A_D64, [0x1a3] = M, [0x1a4] = M | A_IMM8,
    [0x1a5] = M, [0x1a8 ... 0x1a9] = A_D64, [0x1ab] = M | A_LOCK,
    [0x1ac] = M | A_IMM8, [0x1ad ... 0x1af] = M,
    [0x1b0 ... 0x1b1] = M | A_LOCK, [0x1b2] = M, [0x1b3] = M | A_LOCK,
    [0x1b4 ... 0x1b9] = M, [0x1ba] = M | A_IMM8 | A_LOCK,
    [0x1bb] = M | A_LOCK, [0x1bc ... 0x1bf] = M,
    [0x1c0 ... 0x1c1] = M | A_LOCK, [0x1c7] = M | A_LOCK,

    /* 0F 38 map: all with ModRM; 0F 3A map: ModRM and imm8 */
    [0x200 ... 0x2ff] = M,
    [0x300 ... 0x3ff] = M | A_IMM8,
};

#undef M
#undef ALU6

/* Groups where LOCK depends on ModRM.reg: is /reg lockable? */
static bool lock_ok(unsigned op, unsigned reg)
{
    switch (op) {
    case 0x80: case 0x81: case 0x82: case 0x83:
        return reg != 7;                        /* not CMP */
    case 0xf6: case 0xf7:
        return reg == 2 || reg == 3;            /* NOT, NEG */
    case 0xfe: case 0xff:
        return reg <= 1;                        /* INC, DEC */
    case 0x1ba:
        return reg >= 5;                        /* BTS, BTR, BTC */
    case 0x1c7:
        return reg == 1;                        /* CMPXCHG8B/16B */
    default:
        return true;
    }
}

/* Little-endian immediate of n bytes at p. */
static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

/* Ensure n more bytes at i; out of bytes or past 15 bytes stops decoding. */
#define NEED(n)                                                         \
    do {                                                                \
        if (i + (n) > 15) {                                             \
            return X86_DEC_GP;                                          \
        }                                                               \
        if (i + (n) > avail) {                                          \
            return X86_DEC_MORE;                                        \
        }                                                               \
    } while (0)

/* 16-bit addressing: base/index pairs of ModRM.rm (SDM table 2-1). */
static const uint8_t rm16_base[8] = {
    X86_RBX, X86_RBX, X86_RBP, X86_RBP, X86_NOREG, X86_NOREG, X86_RBP, X86_RBX,
};
static const uint8_t rm16_index[8] = {
    X86_RSI, X86_RDI, X86_RSI, X86_RDI, X86_RSI, X86_RDI, X86_NOREG,
    X86_NOREG,
};

int x86_decode(struct x86_insn *in, const uint8_t *p, unsigned avail,
               unsigned code_size)
{
    bool mode64 = code_size == 3;
    unsigned i = 0, op, attr, n;
    uint8_t opsz_p = 0, adsz_p = 0, seg = X86_NOREG, rep = 0, lock = 0;
    uint8_t rex = 0, b;

    /* prefixes; a REX counts only right before the opcode */
    for (;;) {
        NEED(1);
        b = p[i];
        if (b == 0x66) {
            opsz_p = 1;
        } else if (b == 0x67) {
            adsz_p = 1;
        } else if (b == 0xf0) {
            lock = 1;
        } else if (b == 0xf2 || b == 0xf3) {
            rep = b;
        } else if ((b & 0xe7) == 0x26) {
            seg = (b >> 3) & 3;
        } else if (b == 0x64 || b == 0x65) {
            seg = b - 0x64 + X86_FS;
        } else if (mode64 && (b & 0xf0) == 0x40) {
            rex = b;
            i++;
            continue;
        } else {
            break;
        }
        rex = 0;
        i++;
    }

    op = p[i++];
    if (op == 0x0f) {
        NEED(1);
        op = 0x100 | p[i++];
        if (op == 0x138 || op == 0x13a) {
            NEED(1);
            op = (op == 0x138 ? 0x200 : 0x300) | p[i++];
        }
    }
    attr = attrs[op];

    in->op = op;
    in->rex = rex;
    in->rep = rep;
    in->lock = lock;
    in->opsz_prefix = opsz_p;
    in->opreg = (op & 7) | ((rex & 1) << 3);
    in->imm = 0;
    in->imm2 = 0;
    in->disp = 0;
    in->mod = 3;
    in->reg = 0;
    in->rm = 0;
    in->base = X86_NOREG;
    in->index = X86_NOREG;
    in->scale = 0;

    if (mode64) {
        if ((rex & 8) || (attr & A_F64)) {
            in->opsz = 3;
        } else if (opsz_p) {
            in->opsz = 1;
        } else {
            in->opsz = (attr & A_D64) ? 3 : 2;
        }
        in->adsz = adsz_p ? 2 : 3;
    } else {
        in->opsz = opsz_p ? 3 - code_size : code_size;
        in->adsz = adsz_p ? 3 - code_size : code_size;
    }

    if (attr & A_MODRM) {
        NEED(1);
        uint8_t m = p[i++];
        unsigned mod = m >> 6, rm = m & 7;
        in->mod = mod;
        in->reg = ((m >> 3) & 7) | ((rex & 4) << 1);
        if (mod == 3 || (attr & A_REG)) {
            in->mod = 3;
            in->rm = rm | ((rex & 1) << 3);
        } else if (in->adsz == 1) {
            uint8_t def = X86_DS;
            in->base = rm16_base[rm];
            in->index = rm16_index[rm];
            if (mod == 0 && rm == 6) {
                in->base = X86_NOREG;
                NEED(2);
                in->disp = (int16_t)get_le(p + i, 2);
                i += 2;
            } else if (mod == 1) {
                NEED(1);
                in->disp = (int8_t)p[i++];
            } else if (mod == 2) {
                NEED(2);
                in->disp = (int16_t)get_le(p + i, 2);
                i += 2;
            }
            if (in->base == X86_RBP) {
                def = X86_SS;
            }
            in->seg = seg != X86_NOREG ? seg : def;
        } else {
            bool disp32 = mod == 2;
            if (rm == 4) {
                NEED(1);
                uint8_t s = p[i++];
                unsigned idx = ((s >> 3) & 7) | ((rex & 2) << 2);
                in->scale = s >> 6;
                in->index = idx == 4 ? X86_NOREG : idx;
                if ((s & 7) == 5 && mod == 0) {
                    in->base = X86_NOREG;
                    disp32 = true;
                } else {
                    in->base = (s & 7) | ((rex & 1) << 3);
                }
            } else if (rm == 5 && mod == 0) {
                in->base = mode64 ? X86_RIPREL : X86_NOREG;
                disp32 = true;
            } else {
                in->base = rm | ((rex & 1) << 3);
            }
            if (mod == 1) {
                NEED(1);
                in->disp = (int8_t)p[i++];
            } else if (disp32) {
                NEED(4);
                in->disp = (int32_t)get_le(p + i, 4);
                i += 4;
            }
            uint8_t def = (in->base == X86_RSP || in->base == X86_RBP)
                              ? X86_SS : X86_DS;
            in->seg = seg != X86_NOREG ? seg : def;
        }
    } else {
        in->seg = seg != X86_NOREG ? seg : X86_DS;
    }

    /* immediates */
    if ((attr & A_GRP3) && ((in->reg & 7) < 2)) {
        attr |= (op & 1) ? A_IMMZ : A_IMM8;
    }
    if (attr & A_IMM16) {
        NEED(2);
        in->imm = get_le(p + i, 2);
        i += 2;
        if (attr & A_IMM8) {
            NEED(1);
            in->imm2 = p[i++];
        }
    } else if (attr & A_IMM8) {
        NEED(1);
        in->imm = (uint64_t)(int64_t)(int8_t)p[i++];
    } else if (attr & A_IMMZ) {
        n = in->opsz == 1 ? 2 : 4;
        NEED(n);
        in->imm = n == 2 ? (uint64_t)(int64_t)(int16_t)get_le(p + i, 2)
                         : (uint64_t)(int64_t)(int32_t)get_le(p + i, 4);
        i += n;
    } else if (attr & A_IMMV) {
        n = 1u << in->opsz;
        NEED(n);
        in->imm = get_le(p + i, n);
        i += n;
    } else if (attr & A_MOFFS) {
        n = 1u << in->adsz;
        NEED(n);
        in->imm = get_le(p + i, n);
        i += n;
    } else if (attr & A_FAR) {
        n = in->opsz == 1 ? 2 : 4;
        NEED(n + 2);
        in->imm = get_le(p + i, n);
        in->imm2 = (uint16_t)get_le(p + i + n, 2);
        i += n + 2;
    }

    in->len = i;
    in->fn = x86_handlers[op];
    if (!in->fn || (mode64 && (attr & A_I64))) {
        in->fn = x86_op_ud;
    }
    if (lock && (!(attr & A_LOCK) || in->mod == 3 ||
                 !lock_ok(op, in->reg & 7))) {
        in->fn = x86_op_ud;
    }
    return X86_DEC_OK;
}
