/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_virtio_blk.c - libFuzzer target for virtio-blk request handling by
 * a hostile guest (emu/hw/virtio/virtqueue.c, virtio-blk.c): the input is
 * guest RAM (descriptor table, rings, request headers and buffers) plus a
 * few transport register writes; the queue is notified and every request
 * completed, with or without event indexes and indirect tables.  Descriptor indices, chain loops, lengths, addresses outside
 * RAM and bad sector ranges must all end in an error status, never in a
 * host access outside guest memory.
 */
#include "emu/osdep.h"

#include <fcntl.h>

#include "block-protocols/blk-backend.h"
#include "emu/blk/drive.h"
#include "emu/cli/keyval.h"
#include "emu/hw/pci.h"
#include "emu/hw/virtio/virtio-blk.h"
#include "emu/hw/virtio/virtio-pci.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"

#define RAM_SIZE (1 << 20)

static struct mem_region ram;
static struct addr_space *mem, *io;
static struct virtio_pci *vp;

static void setup(void)
{
    loop_init();
    mem = as_new("mem", 1ULL << 32, 0);
    io = as_new("io", 1 << 16, ~0ULL);
    if (mem_region_init_ram(&ram, "ram", RAM_SIZE, NULL) < 0) {
        abort();
    }
    as_map(mem, 0, &ram, 0, RAM_SIZE, 0);
    pci_default_bus = pci_bus_new(mem, io);
    char path[64];
    snprintf(path, sizeof(path), "/tmp/fuzz-vblk.%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 256 << 10) < 0) {
        abort();
    }
    close(fd);
    char arg[128];
    snprintf(arg, sizeof(arg), "file=%s,format=raw,if=none,id=d0", path);
    struct err *e = NULL;
    if (drive_add_option(arg, &e) < 0 || drive_init_all(&e) < 0) {
        abort();
    }
    unlink(path);
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "drive", "d0");
    vp = (struct virtio_pci *)dev_create(&virtio_blk_pci_type, kv, &e);
    kvlist_free(kv);
    if (!vp) {
        abort();
    }
}

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
    virtio_pci_reset(vp);
    memset(ram.ram, 0, RAM_SIZE);
    /* The first bytes choose the queue layout; the rest is guest RAM. */
    uint16_t num = 1u << (data[0] % 9);         /* 1..256 */
    struct virtqueue *vq = &vp->vq[0];
    vq->num = num;
    vq->desc = 0x1000;
    vq->avail = 0x1000 + 16 * (uint64_t)num;
    vq->used = 0x3000 + (data[1] & 1 ? 0xff000 : 0);   /* maybe past RAM */
    vq->ready = true;
    /* Event indexes on or off: used_event/avail_event may lie past RAM. */
    vq->event_idx = data[1] & 2;
    vq->indirect = data[1] & 4;         /* indirect tables anywhere */
    vp->guest_features = 1ULL << VIRTIO_F_VERSION_1 |
                         (vq->event_idx ? 1ULL << VIRTIO_F_RING_EVENT_IDX : 0) |
                         (vq->indirect ? 1ULL << VIRTIO_RING_F_INDIRECT_DESC : 0);
    memcpy(ram.ram + 0x1000, data + 8, MIN(size - 8, (size_t)RAM_SIZE - 0x1000));
    for (int k = 0; k < 4; k++) {
        vp->ops->notify(vp, 0);
        blk_drain_all();
    }
    return 0;
}
