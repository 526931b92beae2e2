/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_virtio_net.c - libFuzzer target for virtio-net-pci as a hostile
 * guest drives it (emu/hw/virtio/virtio-net.c, virtio-net-offload.c,
 * virtqueue.c).  The input's first 8 bytes choose the queue sizes, the
 * negotiated features and where the used rings lie (maybe past RAM); the
 * rest is guest RAM from address 0: descriptor tables and rings of the
 * receive, transmit and control queues at fixed places, with the headers, frames and
 * control commands they point at.  Then the queues are notified and
 * frames arrive from the wire, so every path sees arbitrary chains,
 * lengths, virtio_net_hdr offsets, GSO requests and command sizes.
 * Two devices: one with a plain peer, one whose peer carries the
 * virtio-net header as tap does (pass-through; bit 1 of byte 7 picks),
 * so received headers are arbitrary too.  Byte 7 bit 2 turns on event
 * indexes (used_event/avail_event from RAM), bit 3 MSI-X with the queues
 * on vectors 0-2 and the table's entries masked or not from RAM.
 */
#include "emu/osdep.h"

#include "emu/cli/keyval.h"
#include "emu/hw/pci.h"
#include "emu/hw/virtio/virtio-net.h"
#include "emu/hw/virtio/virtio-pci.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"
#include "netdev/net.h"

#define RAM_SIZE (1 << 20)

static struct mem_region ram;
static struct addr_space *mem, *io;
static struct virtio_pci *vps[2];
static struct net_client *peers[2];

static ssize_t peer_receive(struct net_client *nc, const uint8_t *buf,
                            size_t len)
{
    /* Touch every byte: a frame built from stale state shows up. */
    volatile uint8_t x = 0;
    for (size_t i = 0; i < len; i++) {
        x ^= buf[i];
    }
    (void)x;
    return len;
}

static bool peer_vnet_hdr(struct net_client *nc, unsigned len)
{
    return true;
}

static const struct net_client_ops peer_ops = {
    .type = "fuzz", .receive = peer_receive,
};

static const struct net_client_ops vnet_peer_ops = {
    .type = "fuzz", .receive = peer_receive, .vnet_hdr_enable = peer_vnet_hdr,
};

static void setup(void)
{
    loop_init();
    bql_lock();
    mem = as_new("mem", 1ULL << 32, 0);
    io = as_new("io", 1 << 16, ~0ULL);
    if (mem_region_init_ram(&ram, "ram", RAM_SIZE, NULL) < 0) {
        abort();
    }
    as_map(mem, 0, &ram, 0, RAM_SIZE, 0);
    pci_default_bus = pci_bus_new(mem, io);
    for (int i = 0; i < 2; i++) {
        const char *name = i ? "fuzzvnet" : "fuzzpeer";
        peers[i] = net_client_new(i ? &vnet_peer_ops : &peer_ops,
                                  sizeof(*peers[i]), "fuzz", name);
        struct kvlist *kv = kvlist_new();
        kv_set(kv, "netdev", name);
        kv_set(kv, "romfile", "");
        struct err *e = NULL;
        vps[i] = (struct virtio_pci *)dev_create(&virtio_net_pci_type, kv,
                                                 &e);
        kvlist_free(kv);
        if (!vps[i]) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        ready = true;
    }
    if (size < 8) {
        return 0;
    }
    struct virtio_pci *vp = vps[(data[7] >> 1) & 1];
    struct net_client *peer = peers[(data[7] >> 1) & 1];
    virtio_pci_hw_reset(vp);
    memset(ram.ram, 0, RAM_SIZE);
    /* Queue q (up to 32 entries): descriptors at 0x40 + 0x300 * q, the
     * available ring after them, used at 0x8000 + 0x400 * q (or past the
     * end of RAM), so short inputs already hold whole queues. */
    for (unsigned q = 0; q < 3; q++) {
        struct virtqueue *vq = &vp->vq[q];
        uint16_t num = 1u << (data[q] % 6);
        uint64_t base = 0x40 + 0x300ULL * q;
        vq->num = num;
        vq->desc = base;
        vq->avail = base + 16ULL * num;
        vq->used = 0x8000 + 0x400ULL * q + (data[3] & (1u << q) ? 0xff000 : 0);
        vq->ready = true;
        vq->event_idx = data[7] & 4;
        vq->msix_vector = data[7] & 8 ? q : VIRTIO_MSI_NO_VECTOR;
    }
    if (data[7] & 8) {
        pci_config_write(pci_default_bus, vp->pci.devfn, PCI_COMMAND,
                         PCI_COMMAND_MASTER, 2);
        pci_config_write(pci_default_bus, vp->pci.devfn, vp->msix.cap + 2,
                         0x8000, 2);
        for (unsigned v = 0; v < vp->msix.nvec; v++) {
            msix_mmio_write(&vp->msix, 16 * v, 0xfee00000, 4);
            msix_mmio_write(&vp->msix, 16 * v + 12, size > 8 + v ?
                            data[8 + v] & 1 : 1, 4);
        }
    }
    uint32_t f = data[4] | data[5] << 8 | data[6] << 16;
    vp->guest_features = (uint64_t)f | (data[7] & 1 ? 1ULL << 32 : 0);
    vp->status = VIRTIO_STATUS_DRIVER_OK;
    memcpy(ram.ram, data + 8, MIN(size - 8, (size_t)RAM_SIZE));
    /* Frames from the wire: lengths from RAM's first bytes, contents
     * from RAM. */
    for (int k = 0; k < 4; k++) {
        vp->ops->notify(vp, 2);
        vp->ops->notify(vp, 1);
        loop_wait(0);
        size_t len = (ram.ram[k * 2] | ram.ram[k * 2 + 1] << 8) % 0x10000;
        /* A copy: a back end's frame never aliases guest memory. */
        static uint8_t frame[0x10000];
        memcpy(frame, ram.ram + 16, len);
        net_send(peer, frame, len);
        vp->ops->notify(vp, 0);
    }
    return 0;
}
