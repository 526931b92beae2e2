/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * disas-capstone.c - x86 instructions as AT&T-syntax text through Debian's
 * libcapstone (configure: capstone, optional), as QEMU's in_asm log shows
 * them.  One capstone handle per mode and thread (vCPU threads log
 * concurrently).  Reference: capstone 4 C API (capstone.h: cs_open,
 * cs_option CS_OPT_SYNTAX, cs_disasm, cs_free).
 */
#include "emu/osdep.h"

#include "config.h"                 /* CONFIG_CAPSTONE */
#include "emu/cpu/x86/disas.h"

#ifdef CONFIG_CAPSTONE
#include <capstone/capstone.h>

static __thread csh handle[4];
static __thread bool ready[4];

bool x86_disas_text(unsigned code_size, const uint8_t *b, unsigned len,
                    uint64_t ip, char *out, size_t n)
{
    static const cs_mode modes[4] = {
        CS_MODE_16, CS_MODE_16, CS_MODE_32, CS_MODE_64,
    };
    cs_insn *insn;

    code_size &= 3;
    if (!ready[code_size]) {
        if (cs_open(CS_ARCH_X86, modes[code_size], &handle[code_size]) !=
            CS_ERR_OK) {
            return false;
        }
        cs_option(handle[code_size], CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
        ready[code_size] = true;
    }
    if (cs_disasm(handle[code_size], b, len, ip, 1, &insn) != 1) {
        return false;
    }
    snprintf(out, n, "%-8s %s", insn->mnemonic, insn->op_str);
    cs_free(insn, 1);
    return true;
}
#else
bool x86_disas_text(unsigned code_size, const uint8_t *b, unsigned len,
                    uint64_t ip, char *out, size_t n)
{
    return false;
}
#endif
