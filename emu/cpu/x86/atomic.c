/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * atomic.c - what must stay atomic when several vCPU threads share guest
 * RAM: CMPXCHG16B as one host LOCK CMPXCHG16B, and the paging walk's
 * accessed/dirty updates as a compare-and-swap of the entry it read (the
 * processor sets A and D with locked operations, SDM vol. 3A 4.8; Linux
 * clears PTEs with XCHG on another CPU and must never see the old entry
 * written back, nor A set in an entry it has just cleared).  The locked
 * RMW of the ALU, bit, XCHG, XADD and CMPXCHG instructions is a host CAS
 * loop on the RAM pointer (X86_LOCKED_RMW, internal.h).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"

bool x86_cas16(uint8_t *p, uint64_t *lo, uint64_t *hi, uint64_t new_lo,
               uint64_t new_hi)
{
    /* The host is x86-64 with CMPXCHG16B (hemu runs guest x87/SSE on the
     * host's own units too); p is 16-byte aligned, the guest checked. */
    bool ok;
    __asm__ volatile("lock cmpxchg16b %1"
                     : "=@ccz"(ok), "+m"(*(unsigned __int128 *)(void *)p),
                       "+a"(*lo), "+d"(*hi)
                     : "b"(new_lo), "c"(new_hi)
                     : "memory");
    return ok;
}

bool x86_pte_update(struct x86_cpu *cpu, uint64_t pa, unsigned size,
                    uint64_t old, uint64_t val)
{
    uint8_t *page = cpu->bus.ram_ptr(cpu->bus.opaque, pa & ~0xfffull, true);
    if (!page) {
        /* Page tables outside RAM: no other CPU can race on them here. */
        cpu->bus.mmio_write(cpu->bus.opaque, pa, val, size);
        return true;
    }
    uint8_t *p = page + (pa & 0xfff);
    bool ok;
    if (size == 4) {
        uint32_t e = (uint32_t)old;
        ok = __atomic_compare_exchange_n((uint32_t *)(void *)p, &e,
                                         (uint32_t)val, false,
                                         __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    } else {
        ok = __atomic_compare_exchange_n((uint64_t *)(void *)p, &old, val,
                                         false, __ATOMIC_SEQ_CST,
                                         __ATOMIC_SEQ_CST);
    }
    if (ok) {
        /* a page table in a page that (also) holds code */
        x86_code_written(cpu, (uintptr_t)p, pa & 0xfff, size, pa);
    }
    return ok;
}
