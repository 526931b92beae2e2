/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * msix.c - PCI MSI-X (PCI Local Bus 3.0, 6.8.2).  Capability: ID 0x11,
 * Message Control (table size - 1, Function Mask bit 14, Enable bit 15),
 * Table and PBA offset/BIR.  Each 16-byte table entry is message address
 * low/high, data and vector control (bit 0 masked, set at reset).  A
 * vector signalled while masked (its own bit or the function's) sets its
 * pending bit and is sent once unmasked (6.8.2.8/6.8.2.9).  The guest
 * writes the table freely: only dword/qword accesses inside it count, the
 * PBA is read-only, reserved vector control bits stay zero.  Messages
 * need Bus Master enabled, as any write the function makes.
 */
#include "emu/osdep.h"

#include "emu/hw/msix.h"

#define CTRL_MASKALL 0x4000
#define CTRL_ENABLE 0x8000
#define VCTRL_MASKED 1

static uint16_t ctrl(const struct msix *m)
{
    return pci_get_word((uint8_t *)m->dev->config + m->cap + 2);
}

bool msix_enabled(const struct msix *m)
{
    return m->nvec && (ctrl(m) & CTRL_ENABLE);
}

static bool masked(const struct msix *m, unsigned v)
{
    return (ctrl(m) & CTRL_MASKALL) ||
           (pci_get_long((uint8_t *)m->table + 16 * v + 12) & VCTRL_MASKED);
}

static void send(struct msix *m, unsigned v)
{
    const uint8_t *e = m->table + 16 * v;
    uint64_t addr = pci_get_long((uint8_t *)e) |
                    (uint64_t)pci_get_long((uint8_t *)e + 4) << 32;
    uint32_t data = pci_get_long((uint8_t *)e + 8);
    struct pci_bus *bus = m->dev->bus;
    /* The message is a memory write: without Bus Master it is lost. */
    if (!(pci_get_word(m->dev->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
        return;
    }
    if (bus && bus->msi) {
        bus->msi(bus->msi_opaque, addr, data);
    }
}

void msix_notify(struct msix *m, unsigned v)
{
    if (v >= m->nvec || !msix_enabled(m)) {
        return;
    }
    if (masked(m, v)) {
        m->pba |= 1ULL << v;
        return;
    }
    send(m, v);
}

/* Pending vectors whose masks are gone go out now. */
static void flush_pending(struct msix *m)
{
    if (!msix_enabled(m)) {
        return;
    }
    for (unsigned v = 0; v < m->nvec && m->pba; v++) {
        if ((m->pba & (1ULL << v)) && !masked(m, v)) {
            m->pba &= ~(1ULL << v);
            send(m, v);
        }
    }
}

void msix_config_written(struct msix *m)
{
    if (m->nvec) {
        flush_pending(m);
    }
}

uint64_t msix_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct msix *m = opaque;
    uint64_t v = 0;
    if (off + size <= 16ULL * m->nvec) {
        for (unsigned i = 0; i < size; i++) {
            v |= (uint64_t)m->table[off + i] << (8 * i);
        }
    } else if (off >= MSIX_PBA_OFF && off + size <= MSIX_PBA_OFF + 8) {
        v = m->pba >> (8 * (off - MSIX_PBA_OFF));
        if (size < 8) {
            v &= (1ULL << (8 * size)) - 1;
        }
    }
    return v;
}

void msix_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct msix *m = opaque;
    /* 6.8.2: software uses aligned dwords (or qwords); anything else, or
     * outside the table, is dropped. */
    if ((size != 4 && size != 8) || (off & (size - 1)) ||
        off + size > 16ULL * m->nvec) {
        return;
    }
    for (unsigned i = 0; i < size; i += 4) {
        unsigned at = off + i;
        uint32_t d = val >> (8 * i);
        if ((at & 15) == 12) {
            d &= VCTRL_MASKED;  /* the other bits are reserved */
        }
        pci_set_long(m->table + at, d);
    }
    flush_pending(m);
}

static const struct mem_ops msix_ops = {
    .read = msix_mmio_read, .write = msix_mmio_write,
    .valid_min = 1, .valid_max = 8, .impl_min = 1, .impl_max = 8,
};

void msix_reset(struct msix *m)
{
    memset(m->table, 0, sizeof(m->table));
    for (unsigned v = 0; v < m->nvec; v++) {
        pci_set_long(m->table + 16 * v + 12, VCTRL_MASKED);
    }
    m->pba = 0;
    if (m->nvec) {
        uint8_t *c = m->dev->config + m->cap + 2;
        pci_set_word(c, pci_get_word(c) & ~(CTRL_ENABLE | CTRL_MASKALL));
    }
}

void msix_init(struct msix *m, struct pci_device *d, unsigned nvec,
               unsigned cap, unsigned prev, int bar)
{
    m->dev = d;
    m->nvec = MIN(nvec, (unsigned)MSIX_MAX_VECTORS);
    m->cap = cap;
    if (!m->nvec) {
        return;
    }
    d->msix = m;
    uint8_t *c = d->config;
    if (prev) {
        c[prev + 1] = cap;
    } else {
        c[PCI_CAPABILITY_LIST] = cap;
    }
    pci_set_word(c + PCI_STATUS, pci_get_word(c + PCI_STATUS) |
                 PCI_STATUS_CAP_LIST);
    c[cap] = 0x11;
    c[cap + 1] = 0;
    pci_set_word(c + cap + 2, m->nvec - 1);
    pci_set_long(c + cap + 4, 0 | bar);
    pci_set_long(c + cap + 8, MSIX_PBA_OFF | bar);
    d->wmask[cap + 3] = (CTRL_ENABLE | CTRL_MASKALL) >> 8;
    mem_region_init_io(&m->mr, "msix", MSIX_BAR_SIZE, &msix_ops, m);
    pci_register_bar(d, bar, PCI_BAR_MEM32, &m->mr);
    msix_reset(m);
}
