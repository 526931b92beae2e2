/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_e1000.c - libFuzzer target for the e1000's descriptor handling
 * (emu/hw/e1000.c, e1000-tx.c) as a hostile guest drives it.  The input is
 * a program: its first 4 KiB become guest RAM contents (descriptors,
 * buffers, TSO headers at 64 KiB of RAM), then 8-byte operations:
 *   op 0: write register  (reg16, val32)
 *   op 1: read register
 *   op 2: point the TX and RX rings into RAM (bases and lengths from val)
 *   op 3: a frame from the wire (length from val, bytes from RAM)
 *   op 4: run pending bottom halves (the TX path's continuation)
 *   op 5: PCI command register (bus mastering on/off)
 *   op 6: link down/up
 * Everything the device reads comes from the guest, so every path sees
 * arbitrary ring indexes, lengths, offsets and addresses.
 */
#include "emu/osdep.h"

#include "emu/hw/e1000.h"
#include "emu/hw/pci.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "netdev/net.h"

#define RAM_SIZE 0x10000

static struct addr_space *mem;
static struct mem_region ram;
static struct pci_bus *bus;
static struct net_client *peer;
static struct e1000 *nic;

static ssize_t peer_receive(struct net_client *nc, const uint8_t *buf,
                            size_t len)
{
    /* Touch every byte: a frame assembled from stale state shows up. */
    volatile uint8_t x = 0;
    for (size_t i = 0; i < len; i++) {
        x ^= buf[i];
    }
    (void)x;
    return len;
}

static const struct net_client_ops peer_ops = {
    .type = "fuzz", .receive = peer_receive,
};

static int map_irq(struct pci_device *d, int pin)
{
    return 0;
}

static void set_irq(void *opaque, int input, int level)
{
}

static void setup(void)
{
    loop_init();
    bql_lock();
    mem = as_new("mem", 1ULL << 32, 0);
    mem_region_init_ram(&ram, "ram", RAM_SIZE, NULL);
    as_map(mem, 0, &ram, 0, RAM_SIZE, 0);
    bus = pci_bus_new(mem, as_new("io", 0x10000, ~0ull));
    bus->map_irq = map_irq;
    bus->set_irq = set_irq;
    peer = net_client_new(&peer_ops, sizeof(*peer), "fuzz", "fuzzpeer");
    nic = e1000_create(bus, "fuzzpeer", NULL);
    if (!nic) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!nic) {
        setup();
    }
    nic->pci.dev.type->reset(&nic->pci.dev);
    pci_config_write(bus, nic->pci.devfn, PCI_COMMAND,
                     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    memset(ram.ram, 0, RAM_SIZE);
    size_t n = size < 4096 ? size : 4096;
    memcpy(ram.ram, data, n);
    data += n;
    size -= n;
    for (; size >= 8; data += 8, size -= 8) {
        uint32_t reg = (data[1] | data[2] << 8) << 2;
        uint32_t val = data[4] | data[5] << 8 | data[6] << 16 |
                       (uint32_t)data[7] << 24;
        switch (data[0] % 7) {
        case 0:
            e1000_mmio_writel(nic, reg, val);
            break;
        case 1:
            (void)e1000_mmio_readl(nic, reg);
            break;
        case 2:
            e1000_mmio_writel(nic, E_TDBAL, val & 0xfff0);
            e1000_mmio_writel(nic, E_TDLEN, ((val >> 16) & 0xf) * 128);
            e1000_mmio_writel(nic, E_RDBAL, (val >> 4) & 0xfff0);
            e1000_mmio_writel(nic, E_RDLEN, ((val >> 20) & 0xf) * 128);
            break;
        case 3: {
            size_t len = val % 9000;
            net_send(peer, ram.ram + (reg % 0x1000), len);
            break;
        }
        case 4:
            loop_wait(0);
            break;
        case 5:
            pci_config_write(bus, nic->pci.devfn, PCI_COMMAND, val & 0xffff,
                             2);
            break;
        case 6:
            net_set_link(peer, val & 1);
            break;
        }
    }
    /* Drop whatever the run left queued so inputs stay independent. */
    net_set_link(peer, true);
    while (nic->nc.q_head) {
        net_client_set_peer(peer, &nic->nc);
        e1000_mmio_writel(nic, E_RCTL, 0);
        net_flush(&nic->nc);
    }
    return 0;
}
