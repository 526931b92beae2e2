/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tcg.c - the accelerator "tcg": hemu's software x86 CPU (emu/cpu/x86)
 * behind the accelerator interface.  The CPU runs without the big lock and
 * reaches memory and ports through the x86_bus callbacks below, which take
 * the lock for device accesses and page lookups; RAM pages are then
 * accessed through host pointers cached in the CPU's TLB.  Map changes
 * (PAM, BARs) flush those pointers before the CPU uses them again.
 *
 * Each CPU reaches its own local APIC: IA32_APIC_BASE goes to the machine's
 * APIC through the vcpu's lapic hooks, and accesses to the window that base
 * names are routed to that APIC (never cached as RAM).  INIT and SIPI from
 * the APIC bus are latched here and carried out by the vCPU's own thread:
 * INIT resets the CPU and puts an application processor into
 * wait-for-SIPI; a SIPI starts it in real mode at vector << 12 (Intel SDM
 * vol. 3A 8.4.3 "MP initialization protocol", 10.6.1 delivery modes).
 */
#include "emu/osdep.h"

#include "emu/accel/tcg.h"
#include "emu/accel/vcpu.h"
#include "emu/cpu/x86/cpu.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

/* Instructions per vcpu_run call: long enough to amortise the loop, short
 * enough that pause requests are seen within a millisecond or so. */
#define TCG_BUDGET 200000

/* Guest-physical page -> host page of RAM/ROM, so that a TLB miss need
 * not take the big lock; dropped with the CPU's TLB on a map change. */
#define PCACHE_SIZE 1024
struct pcache_entry {
    uint64_t tag;           /* page | 1 for a writable lookup; ~0 empty */
    uint8_t *host;
    struct x86_code_page *code;     /* its shared code state, or NULL */
};
/* Events latched by set_irq (any thread) for the vCPU thread. */
#define TCG_EV_INIT 0x1
#define TCG_EV_SIPI 0x2

/* apic_page when the APIC is disabled (never a page address). */
#define NO_APIC_PAGE 1

struct tcg_vcpu {
    struct pcache_entry pcache[PCACHE_SIZE];
    struct x86_cpu cpu;     /* large (block cache): heap-allocated */
    struct vcpu *v;
    volatile bool tlb_stale;
    bool intr;
    bool a20;
    uint32_t events;        /* TCG_EV_*, atomic */
    uint8_t sipi_vector;    /* written before TCG_EV_SIPI is set */
    bool wait_sipi;         /* the vCPU thread's, or reset's (VM stopped) */
    bool apic_stale;        /* apic_page must be read from the APIC again */
    uint64_t apic_page;     /* this CPU's APIC window, or NO_APIC_PAGE */
};

bool tcg_singlestep;

static struct tcg_vcpu **all;
static int nall;

static void pcache_flush(struct tcg_vcpu *t)
{
    for (int i = 0; i < PCACHE_SIZE; i++) {
        t->pcache[i].tag = ~0ULL;
    }
}

static void flush_if_stale(struct tcg_vcpu *t)
{
    if (__atomic_exchange_n(&t->tlb_stale, false, __ATOMIC_ACQ_REL)) {
        pcache_flush(t);
        x86_tlb_flush(&t->cpu);
    }
}

/* A memory map changed: every CPU must drop its cached host pointers.
 * The CPU making the change (a PAM write from its own OUT) flushes when
 * its bus callback returns; the others are stopped and flush on entry. */
static void map_changed(void *opaque)
{
    for (int i = 0; i < nall; i++) {
        __atomic_store_n(&all[i]->tlb_stale, true, __ATOMIC_RELEASE);
        __atomic_or_fetch(&all[i]->cpu.attention, X86_ATTN_STOP, __ATOMIC_SEQ_CST);
    }
}

static bool in_apic(const struct tcg_vcpu *t, uint64_t paddr)
{
    return (paddr & ~0xfffULL) ==
           __atomic_load_n(&t->apic_page, __ATOMIC_RELAXED);
}

static uint64_t apic_page_of(uint64_t base)
{
    return (base & (1ULL << 11)) ? base & ~0xfffULL : NO_APIC_PAGE;
}

/* Read the APIC's base again (big lock held). */
static void apic_refresh(struct tcg_vcpu *t)
{
    uint64_t page = NO_APIC_PAGE;
    if (t->v->lapic) {
        page = apic_page_of(t->v->lapic->get_base(t->v->lapic_opaque));
    }
    __atomic_store_n(&t->apic_page, page, __ATOMIC_RELAXED);
    t->apic_stale = false;
}

static uint64_t bus_apic_base_get(void *opaque)
{
    struct tcg_vcpu *t = opaque;
    if (!t->v->lapic) {
        return t->cpu.apic_base;
    }
    bql_lock();
    uint64_t v = t->v->lapic->get_base(t->v->lapic_opaque);
    bql_unlock();
    return v;
}

static bool bus_apic_base_set(void *opaque, uint64_t val)
{
    struct tcg_vcpu *t = opaque;
    if (!t->v->lapic) {
        t->cpu.apic_base = val;
        return true;
    }
    bql_lock();
    bool ok = t->v->lapic->set_base(t->v->lapic_opaque, val);
    uint64_t old = t->apic_page;
    apic_refresh(t);
    bql_unlock();
    if (old != t->apic_page) {
        /* The old window may be cached as RAM, or the new one be RAM. */
        x86_tlb_flush(&t->cpu);
    }
    return ok;
}

/* The memory layer's shared code state of a RAM page (big lock held). */
static struct x86_code_page *code_page_of(struct tcg_vcpu *t, uint64_t paddr)
{
    struct mem_lookup l = as_lookup(t->v->mem_space, paddr);
    if (l.mr && l.mr->ram && l.mr->code) {
        return (struct x86_code_page *)&l.mr->code[l.off >> 12];
    }
    return NULL;
}

static uint8_t *bus_ram_ptr(void *opaque, uint64_t paddr, bool write)
{
    struct tcg_vcpu *t = opaque;
    if (in_apic(t, paddr)) {
        return NULL;        /* this CPU's APIC window hides what is below */
    }
    uint64_t tag = (paddr & ~0xfffULL) | write;
    struct pcache_entry *e = &t->pcache[(paddr >> 12) % PCACHE_SIZE];
    if (__atomic_load_n(&t->tlb_stale, __ATOMIC_ACQUIRE)) {
        pcache_flush(t);    /* the TLB flush itself follows soon */
    } else if (e->tag == tag) {
        return e->host;
    }
    bql_lock();
    uint8_t *p = as_ram_ptr(t->v->mem_space, paddr & ~0xfffULL, 0x1000, write);
    e->code = p ? code_page_of(t, paddr & ~0xfffULL) : NULL;
    bql_unlock();
    e->tag = tag;
    e->host = p;
    return p;
}

_Static_assert(sizeof(struct mem_code_page) == sizeof(struct x86_code_page) &&
               offsetof(struct mem_code_page, gen) ==
                   offsetof(struct x86_code_page, gen) &&
               offsetof(struct mem_code_page, holders) ==
                   offsetof(struct x86_code_page, holders),
               "shared code page state");

/* The shared code state of a RAM page: the memory layer bumps its gen on
 * DMA and loader writes, the CPUs on theirs (block.c).  The CPU asks on
 * write TLB fills, so the page cache keeps it beside the host page. */
static struct x86_code_page *bus_code_page(void *opaque, uint64_t paddr)
{
    struct tcg_vcpu *t = opaque;
    struct pcache_entry *e = &t->pcache[(paddr >> 12) % PCACHE_SIZE];
    if (!__atomic_load_n(&t->tlb_stale, __ATOMIC_ACQUIRE) &&
        (e->tag & ~1ULL) == (paddr & ~0xfffULL) && !in_apic(t, paddr)) {
        return e->code;
    }
    bql_lock();
    struct x86_code_page *c = code_page_of(t, paddr & ~0xfffULL);
    bql_unlock();
    return c;
}

static uint64_t bus_mmio_read(void *opaque, uint64_t paddr, unsigned size)
{
    struct tcg_vcpu *t = opaque;
    uint64_t v;
    bql_lock();
    if (in_apic(t, paddr)) {
        v = t->v->lapic->read(t->v->lapic_opaque, paddr & 0xfff, size);
    } else {
        v = as_read(t->v->mem_space, paddr, size);
    }
    bql_unlock();
    flush_if_stale(t);
    return v;
}

static void bus_mmio_write(void *opaque, uint64_t paddr, uint64_t val,
                           unsigned size)
{
    struct tcg_vcpu *t = opaque;
    bql_lock();
    if (in_apic(t, paddr)) {
        t->v->lapic->write(t->v->lapic_opaque, paddr & 0xfff, val, size);
    } else {
        as_write(t->v->mem_space, paddr, val, size);
    }
    bql_unlock();
    flush_if_stale(t);
}

static uint64_t bus_pio_read(void *opaque, uint16_t port, unsigned size)
{
    struct tcg_vcpu *t = opaque;
    bql_lock();
    uint64_t v = as_read(t->v->io_space, port, size);
    bql_unlock();
    flush_if_stale(t);
    return v;
}

static void bus_pio_write(void *opaque, uint16_t port, uint64_t val,
                          unsigned size)
{
    struct tcg_vcpu *t = opaque;
    bql_lock();
    as_write(t->v->io_space, port, val, size);
    bql_unlock();
    flush_if_stale(t);
}

static int bus_irq_ack(void *opaque)
{
    struct tcg_vcpu *t = opaque;
    int vector = -1;
    bql_lock();
    if (t->v->irq_ack) {
        vector = t->v->irq_ack(t->v->irq_opaque);
    }
    bql_unlock();
    return vector;
}

static int tcg_vcpu_create(struct vcpu *v, struct err **errp)
{
    struct tcg_vcpu *t = xzalloc(sizeof(*t));
    struct x86_bus bus = {
        .ram_ptr = bus_ram_ptr,
        .mmio_read = bus_mmio_read,
        .mmio_write = bus_mmio_write,
        .pio_read = bus_pio_read,
        .pio_write = bus_pio_write,
        .irq_ack = bus_irq_ack,
        .code_page = bus_code_page,
        .apic_base_get = bus_apic_base_get,
        .apic_base_set = bus_apic_base_set,
        .opaque = t,
    };
    t->v = v;
    pcache_flush(t);
    x86_cpu_init(&t->cpu, &bus);
    t->cpu.singlestep = tcg_singlestep;
    t->cpu.index = (unsigned)v->index;   /* its holder bit (block.c) */
    /* The pc machine gives CPU n APIC ID n. */
    t->cpu.id.apic_id = (uint8_t)v->index;
    t->a20 = true;
    t->wait_sipi = v->index != 0;
    t->apic_page = NO_APIC_PAGE;
    t->apic_stale = true;
    v->priv = t;
    all = xrealloc(all, (nall + 1) * sizeof(*all));
    all[nall++] = t;
    if (nall == 1 && v->mem_space) {
        as_add_listener(v->mem_space, map_changed, NULL);
    }
    return 0;
}

/* Power-on or INIT state of the CPU (its own thread, or the VM stopped). */
static void cpu_init_state(struct tcg_vcpu *t)
{
    uint32_t stop = t->cpu.attention & X86_ATTN_STOP;
    x86_cpu_reset(&t->cpu);
    t->cpu.nmi_blocked = false;
    x86_cpu_set_a20(&t->cpu, t->a20);
    x86_cpu_set_irq(&t->cpu, t->intr);
    __atomic_or_fetch(&t->cpu.attention, stop, __ATOMIC_SEQ_CST);
    /* The boot CPU restarts at the reset vector; the others wait. */
    t->wait_sipi = t->v->index != 0;
    t->apic_stale = true;
}

static enum vcpu_exit tcg_vcpu_run(struct vcpu *v)
{
    struct tcg_vcpu *t = v->priv;
    uint32_t ev = __atomic_exchange_n(&t->events, 0, __ATOMIC_ACQ_REL);
    if (ev & TCG_EV_INIT) {
        cpu_init_state(t);
    }
    if (t->wait_sipi) {
        if (!(ev & TCG_EV_SIPI)) {
            return VCPU_EXIT_HLT;
        }
        /* Real mode at vector:0000, i.e. physical vector << 12. */
        x86_seg_load_real(&t->cpu, X86_CS, (uint16_t)(t->sipi_vector << 8));
        t->cpu.rip = 0;
        t->wait_sipi = false;
    }
    if (t->apic_stale) {
        bql_lock();
        apic_refresh(t);
        bql_unlock();
        x86_tlb_flush(&t->cpu);
    }
    flush_if_stale(t);
    enum x86_exit e = x86_cpu_run(&t->cpu, TCG_BUDGET);
    __atomic_and_fetch(&t->cpu.attention, ~(uint32_t)X86_ATTN_STOP,
                       __ATOMIC_SEQ_CST);
    switch (e) {
    case X86_EXIT_BUDGET:
    case X86_EXIT_ATTENTION:
        return VCPU_EXIT_NONE;
    case X86_EXIT_HLT:
        return VCPU_EXIT_HLT;
    case X86_EXIT_SHUTDOWN:
        /* Triple fault: the platform resets (or exits with -no-reboot). */
        return VCPU_EXIT_RESET;
    case X86_EXIT_UNIMPL:
        err_report("vCPU %d: not implemented: %s at rip 0x%" PRIx64
                   " (cs base 0x%" PRIx64 ")", v->index,
                   t->cpu.unimpl ? t->cpu.unimpl : "?", t->cpu.rip,
                   t->cpu.seg[X86_CS].base);
        return VCPU_EXIT_INTERNAL_ERROR;
    case X86_EXIT_EXCEPTION:
    default:
        err_report("vCPU %d: exception %d could not be delivered at rip "
                   "0x%" PRIx64, v->index, t->cpu.exc_vector, t->cpu.rip);
        return VCPU_EXIT_INTERNAL_ERROR;
    }
}

static void tcg_vcpu_kick(struct vcpu *v)
{
    struct tcg_vcpu *t = v->priv;
    __atomic_or_fetch(&t->cpu.attention, X86_ATTN_STOP, __ATOMIC_SEQ_CST);
}

static void tcg_vcpu_reset(struct vcpu *v)
{
    struct tcg_vcpu *t = v->priv;
    __atomic_store_n(&t->events, 0, __ATOMIC_SEQ_CST);
    cpu_init_state(t);
}

static void tcg_set_irq(struct vcpu *v, enum vcpu_irq line, int level)
{
    struct tcg_vcpu *t = v->priv;
    switch (line) {
    case VCPU_IRQ_INTR:
        t->intr = level;
        x86_cpu_set_irq(&t->cpu, level);
        break;
    case VCPU_IRQ_NMI:
        if (level) {
            x86_cpu_nmi(&t->cpu);
        }
        break;
    case VCPU_IRQ_INIT:
        if (level) {
            __atomic_or_fetch(&t->events, TCG_EV_INIT, __ATOMIC_SEQ_CST);
        }
        break;
    case VCPU_IRQ_SIPI:
        /* The level carries the start page (0x100 | vector). */
        t->sipi_vector = (uint8_t)level;
        __atomic_or_fetch(&t->events, TCG_EV_SIPI, __ATOMIC_SEQ_CST);
        break;
    default:
        break;
    }
    /* vcpu_set_irq() kicks the vCPU, which then sees the new state. */
}

static bool tcg_has_work(struct vcpu *v)
{
    struct tcg_vcpu *t = v->priv;
    uint32_t ev = __atomic_load_n(&t->events, __ATOMIC_SEQ_CST);
    if (ev & TCG_EV_INIT) {
        return true;
    }
    if (t->wait_sipi) {
        return ev & TCG_EV_SIPI;
    }
    /* HLT ends on an NMI or an interrupt the CPU would take. */
    return (t->cpu.attention & X86_ATTN_NMI) ||
           (t->intr && (t->cpu.rflags & X86_IF));
}

static void tcg_dump_state(struct vcpu *v, FILE *f)
{
    x86_cpu_dump(&((struct tcg_vcpu *)v->priv)->cpu, f);
}

const struct accel_ops tcg_accel_ops = {
    .name = "tcg",
    .vcpu_create = tcg_vcpu_create,
    .vcpu_run = tcg_vcpu_run,
    .vcpu_kick = tcg_vcpu_kick,
    .vcpu_reset = tcg_vcpu_reset,
    .set_irq = tcg_set_irq,
    .has_work = tcg_has_work,
    .dump_state = tcg_dump_state,
};

void tcg_vcpu_set_a20(struct vcpu *v, bool on)
{
    struct tcg_vcpu *t = v->priv;
    t->a20 = on;
    x86_cpu_set_a20(&t->cpu, on);
    __atomic_store_n(&t->tlb_stale, true, __ATOMIC_RELEASE);
}
