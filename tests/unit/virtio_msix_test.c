/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_msix_test.c - MSI-X (emu/hw/msix.c: masking, pending bits,
 * hostile table writes), virtqueue event indexes (virtqueue.c: used_event
 * deciding interrupts, avail_event published when the ring runs empty)
 * and virtio-pci's MSI-X vector registers on a virtio-net-pci device. */
#include "emu/osdep.h"

#include "emu/cli/keyval.h"
#include "emu/hw/msix.h"
#include "emu/hw/pci.h"
#include "emu/hw/virtio/virtio-net.h"
#include "emu/hw/virtio/virtio-pci.h"
#include "emu/hw/virtio/virtqueue.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "netdev/net.h"
#include "tests/unit/test.h"

#define RAM_SIZE (1 << 20)

static struct mem_region ram;
static struct addr_space *mem, *io;
static int irq_level;
static unsigned nmsg;
static uint64_t msg_addr;
static uint32_t msg_data;

static void t_set_irq(void *opaque, int input, int level)
{
    irq_level = level;
}

static int t_map_irq(struct pci_device *d, int pin)
{
    return 0;
}

static void t_msi(void *opaque, uint64_t addr, uint32_t data)
{
    nmsg++;
    msg_addr = addr;
    msg_data = data;
}

static void setup(void)
{
    if (mem) {
        return;
    }
    loop_init();
    bql_lock();
    mem = as_new("mem", 1ULL << 32, 0);
    io = as_new("io", 1 << 16, ~0ULL);
    if (mem_region_init_ram(&ram, "ram", RAM_SIZE, NULL) < 0) {
        abort();
    }
    as_map(mem, 0, &ram, 0, RAM_SIZE, 0);
    pci_default_bus = pci_bus_new(mem, io);
    pci_default_bus->map_irq = t_map_irq;
    pci_default_bus->set_irq = t_set_irq;
    pci_default_bus->msi = t_msi;
}

/* ---- MSI-X on a bare PCI device ---- */

struct tdev {
    struct pci_device pci;
    struct msix msix;
};

static int t_realize(struct device *dev, struct err **errp)
{
    struct tdev *t = (struct tdev *)dev;
    if (pci_device_plug(pci_default_bus, &t->pci, errp) < 0) {
        return -1;
    }
    msix_init(&t->msix, &t->pci, 4, 0x40, 0, 1);
    return 0;
}

static const struct prop t_props[] = {
    PCI_DEVICE_PROPS(struct tdev),
    { NULL },
};

static const struct dev_type t_type = {
    .name = "x-msix-testdev", .category = "Misc devices", .bus = BUS_PCI,
    .size = sizeof(struct tdev), .props = t_props, .realize = t_realize,
};
DEV_TYPE(t_type);

static struct tdev *tdev(void)
{
    static struct tdev *t;
    if (!t) {
        setup();
        struct err *e = NULL;
        t = (struct tdev *)dev_create(&t_type, NULL, &e);
        if (!t) {
            abort();
        }
    }
    return t;
}

static void cfg_w(struct pci_device *d, unsigned off, uint32_t v, unsigned n)
{
    pci_config_write(pci_default_bus, d->devfn, off, v, n);
}

static uint32_t cfg_r(struct pci_device *d, unsigned off, unsigned n)
{
    return pci_config_read(pci_default_bus, d->devfn, off, n);
}

TEST(msix_capability_layout)
{
    struct tdev *t = tdev();
    EXPECT(cfg_r(&t->pci, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
    EXPECT_EQ(cfg_r(&t->pci, PCI_CAPABILITY_LIST, 1), 0x40);
    EXPECT_EQ(cfg_r(&t->pci, 0x40, 1), 0x11);
    EXPECT_EQ(cfg_r(&t->pci, 0x42, 2), 3);          /* 4 vectors, off */
    EXPECT_EQ(cfg_r(&t->pci, 0x44, 4), 1);          /* table: BAR 1 + 0 */
    EXPECT_EQ(cfg_r(&t->pci, 0x48, 4), MSIX_PBA_OFF | 1);
    /* The table size is read-only. */
    cfg_w(&t->pci, 0x42, 0x3fff, 2);
    EXPECT_EQ(cfg_r(&t->pci, 0x42, 2), 3);
    /* Every vector starts masked. */
    for (unsigned v = 0; v < 4; v++) {
        EXPECT_EQ(msix_mmio_read(&t->msix, 16 * v + 12, 4), 1);
    }
}

TEST(msix_masking_and_pending)
{
    struct tdev *t = tdev();
    struct msix *m = &t->msix;
    msix_reset(m);
    nmsg = 0;
    msix_mmio_write(m, 16, 0xfee01000, 4);
    msix_mmio_write(m, 20, 0, 4);
    msix_mmio_write(m, 24, 0x4041, 4);
    /* Disabled: nothing sent, nothing pending. */
    msix_notify(m, 1);
    EXPECT_EQ(nmsg, 0);
    EXPECT_EQ(msix_mmio_read(m, MSIX_PBA_OFF, 8), 0);
    cfg_w(&t->pci, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    cfg_w(&t->pci, 0x42, 0x8000, 2);
    EXPECT(msix_enabled(m));
    /* Masked: the pending bit is set, then unmasking sends it once. */
    msix_notify(m, 1);
    EXPECT_EQ(nmsg, 0);
    EXPECT_EQ(msix_mmio_read(m, MSIX_PBA_OFF, 4), 2);
    msix_mmio_write(m, 28, 0, 4);
    EXPECT_EQ(nmsg, 1);
    EXPECT_EQ(msg_addr, 0xfee01000);
    EXPECT_EQ(msg_data, 0x4041);
    EXPECT_EQ(msix_mmio_read(m, MSIX_PBA_OFF, 4), 0);
    msix_notify(m, 1);
    EXPECT_EQ(nmsg, 2);
    /* Function mask: pending until the mask goes. */
    cfg_w(&t->pci, 0x42, 0xc000, 2);
    msix_notify(m, 1);
    EXPECT_EQ(nmsg, 2);
    EXPECT_EQ(msix_mmio_read(m, MSIX_PBA_OFF, 1), 2);
    cfg_w(&t->pci, 0x42, 0x8000, 2);
    EXPECT_EQ(nmsg, 3);
    EXPECT_EQ(msix_mmio_read(m, MSIX_PBA_OFF, 1), 0);
    /* Vectors past the table do nothing. */
    msix_notify(m, 4);
    msix_notify(m, 1000);
    EXPECT_EQ(nmsg, 3);
    EXPECT_EQ(msix_mmio_read(m, MSIX_PBA_OFF, 8), 0);
    /* Without Bus Master the message is lost. */
    cfg_w(&t->pci, PCI_COMMAND, 0, 2);
    msix_notify(m, 1);
    EXPECT_EQ(nmsg, 3);
    cfg_w(&t->pci, 0x42, 0, 2);
}

TEST(msix_hostile_table_writes)
{
    struct tdev *t = tdev();
    struct msix *m = &t->msix;
    msix_reset(m);
    /* Byte and misaligned writes are dropped. */
    msix_mmio_write(m, 0, 0xff, 1);
    msix_mmio_write(m, 2, 0xffffffff, 4);
    EXPECT_EQ(msix_mmio_read(m, 0, 4), 0);
    /* Past the table, in the PBA, past the BAR: nothing changes. */
    msix_mmio_write(m, 16 * 4, 0x12345678, 4);
    EXPECT_EQ(msix_mmio_read(m, 16 * 4, 4), 0);
    msix_mmio_write(m, MSIX_PBA_OFF, ~0ULL, 8);
    EXPECT_EQ(msix_mmio_read(m, MSIX_PBA_OFF, 8), 0);
    msix_mmio_write(m, MSIX_BAR_SIZE - 4, ~0ULL, 4);
    msix_mmio_write(m, 16 * 3 + 12, 0, 8);      /* straddles the end */
    EXPECT_EQ(msix_mmio_read(m, 16 * 3 + 12, 4), 1);
    /* Reserved vector control bits stay zero; a qword write sets data
     * and control at once. */
    msix_mmio_write(m, 8, 0xfffffffe00000055ULL, 8);
    EXPECT_EQ(msix_mmio_read(m, 8, 4), 0x55);
    EXPECT_EQ(msix_mmio_read(m, 12, 4), 0);
    /* Reads outside table and PBA are zero. */
    EXPECT_EQ(msix_mmio_read(m, 0x400, 4), 0);
    EXPECT_EQ(msix_mmio_read(m, MSIX_PBA_OFF + 8, 4), 0);
}

/* ---- event indexes on a bare virtqueue ---- */

static uint16_t r16(uint64_t a)
{
    return ram.ram[a] | ram.ram[a + 1] << 8;
}

static void w16(uint64_t a, uint16_t v)
{
    ram.ram[a] = v;
    ram.ram[a + 1] = v >> 8;
}

/* An 8-entry queue: descriptors at 0x1000, avail 0x1080, used 0x2000;
 * descriptor i is a 64-byte writable buffer. */
static void vq_setup(struct virtqueue *vq)
{
    setup();
    memset(ram.ram, 0, 0x3000);
    memset(vq, 0, sizeof(*vq));
    vq->as = mem;
    vq->num_max = 8;
    vq_reset(vq);
    vq->desc = 0x1000;
    vq->avail = 0x1080;
    vq->used = 0x2000;
    vq->ready = true;
    vq->event_idx = true;
    for (unsigned i = 0; i < 8; i++) {
        uint8_t *d = ram.ram + 0x1000 + 16 * i;
        uint64_t a = 0x4000 + 64 * i;
        memcpy(d, &a, 8);
        d[8] = 64;
        d[12] = 2;              /* VIRTQ_DESC_F_WRITE */
    }
}

static void avail_add(struct virtqueue *vq, uint16_t head)
{
    uint16_t idx = r16(0x1080 + 2);
    w16(0x1080 + 4 + 2 * (idx % 8), head);
    w16(0x1080 + 2, idx + 1);
}

TEST(event_idx_used_event_decides_interrupts)
{
    struct virtqueue vq;
    vq_setup(&vq);
    struct vq_elem *e = xmalloc(sizeof(*e));
    for (unsigned i = 0; i < 6; i++) {
        avail_add(&vq, i);
    }
    /* used_event (after the avail ring): interrupt once used_idx passes 2. */
    w16(0x1080 + 4 + 2 * 8, 2);
    /* The first check after a reset always interrupts. */
    EXPECT_EQ(vq_pop(&vq, e), 1);
    vq_push(&vq, e, 1);
    EXPECT(vq_should_notify(&vq));
    /* used_idx 1 -> 2: used_event 2 not passed yet (needs idx 3). */
    EXPECT_EQ(vq_pop(&vq, e), 1);
    vq_push(&vq, e, 1);
    EXPECT(!vq_should_notify(&vq));
    EXPECT_EQ(vq_pop(&vq, e), 1);
    vq_push(&vq, e, 1);
    EXPECT(vq_should_notify(&vq));      /* 3: entry 2 was used */
    EXPECT_EQ(vq_pop(&vq, e), 1);
    vq_push(&vq, e, 1);
    EXPECT(!vq_should_notify(&vq));     /* already told about 2 */
    /* Two more at once crossing a new used_event: one interrupt. */
    w16(0x1080 + 4 + 2 * 8, 4);
    EXPECT_EQ(vq_pop(&vq, e), 1);
    vq_push(&vq, e, 1);
    EXPECT_EQ(vq_pop(&vq, e), 1);
    vq_push(&vq, e, 1);
    EXPECT_EQ(r16(0x2002), 6);
    EXPECT(vq_should_notify(&vq));
    /* The flags no longer count with event indexes. */
    w16(0x1080, 1);                     /* VRING_AVAIL_F_NO_INTERRUPT */
    w16(0x1080 + 4 + 2 * 8, 6);
    avail_add(&vq, 6);
    EXPECT_EQ(vq_pop(&vq, e), 1);
    vq_push(&vq, e, 1);
    EXPECT(vq_should_notify(&vq));
    free(e);
}

TEST(event_idx_avail_event_published_when_empty)
{
    struct virtqueue vq;
    vq_setup(&vq);
    struct vq_elem *e = xmalloc(sizeof(*e));
    uint64_t avail_event = 0x2000 + 4 + 8 * 8;
    w16(avail_event, 0x7777);
    avail_add(&vq, 0);
    avail_add(&vq, 1);
    /* While chains are there the device does not move avail_event (the
     * driver's kicks stay suppressed while it is busy). */
    EXPECT_EQ(vq_pop(&vq, e), 1);
    EXPECT_EQ(r16(avail_event), 0x7777);
    EXPECT_EQ(vq_pop(&vq, e), 1);
    /* Empty: avail_event names the next chain. */
    EXPECT_EQ(vq_pop(&vq, e), 0);
    EXPECT_EQ(r16(avail_event), 2);
    /* vq_avail_count publishes it too (virtio-net's receive check). */
    w16(avail_event, 0x7777);
    EXPECT_EQ(vq_avail_count(&vq), 0);
    EXPECT_EQ(r16(avail_event), 2);
    avail_add(&vq, 2);
    EXPECT_EQ(vq_avail_count(&vq), 1);
    /* A hostile avail index still fails the pop. */
    w16(0x1080 + 2, 200);
    EXPECT_EQ(vq_pop(&vq, e), -1);
    /* Without event indexes avail_event is left alone. */
    vq_setup(&vq);
    vq.event_idx = false;
    w16(avail_event, 0x7777);
    EXPECT_EQ(vq_pop(&vq, e), 0);
    EXPECT_EQ(r16(avail_event), 0x7777);
    free(e);
}

/* ---- virtio-pci vector registers on virtio-net-pci ---- */

static ssize_t peer_receive(struct net_client *nc, const uint8_t *buf,
                            size_t len)
{
    return len;
}

static const struct net_client_ops peer_ops = {
    .type = "unit", .receive = peer_receive,
};

TEST(virtio_pci_msix_vectors)
{
    setup();
    net_client_new(&peer_ops, sizeof(struct net_client), "unit", "vmsix");
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "netdev", "vmsix");
    kv_set(kv, "romfile", "");
    kv_set(kv, "vectors", "3");
    struct err *err = NULL;
    struct virtio_pci *vp = (struct virtio_pci *)dev_create(
        &virtio_net_pci_type, kv, &err);
    kvlist_free(kv);
    EXPECT(vp != NULL);
    if (!vp) {
        return;
    }
    EXPECT_EQ(vp->msix.nvec, 3);
    /* The capability chain ends with MSI-X after the virtio ones. */
    unsigned at = cfg_r(&vp->pci, PCI_CAPABILITY_LIST, 1), last = 0;
    for (int n = 0; at && n < 16; n++) {
        last = at;
        at = cfg_r(&vp->pci, at + 1, 1);
    }
    EXPECT_EQ(cfg_r(&vp->pci, last, 1), 0x11);
    EXPECT(virtio_has_feature(vp, VIRTIO_F_RING_EVENT_IDX) == false);
    EXPECT(vp->ops->features(vp) & (1ULL << VIRTIO_F_RING_EVENT_IDX));

    /* A queue set up by hand (the register paths are the fuzz target's). */
    struct virtqueue *vq = &vp->vq[1];
    memset(ram.ram, 0, 0x3000);
    vq->num = 8;
    vq->desc = 0x1000;
    vq->avail = 0x1080;
    vq->used = 0x2000;
    vq->ready = true;
    vq->msix_vector = 2;
    vp->config_vector = VIRTIO_MSI_NO_VECTOR;
    vp->status = VIRTIO_STATUS_DRIVER_OK;
    /* Table entry 2: unmasked. */
    msix_mmio_write(&vp->msix, 32, 0xfee00000, 4);
    msix_mmio_write(&vp->msix, 40, 0x31, 4);
    msix_mmio_write(&vp->msix, 44, 0, 4);
    irq_level = 0;
    nmsg = 0;
    /* MSI-X off: INTx and ISR. */
    virtio_notify(vp, vq);
    EXPECT_EQ(irq_level, 1);
    EXPECT_EQ(nmsg, 0);
    vp->isr = 0;
    cfg_w(&vp->pci, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    irq_level = 0;
    /* MSI-X on: the queue's vector, no INTx, no ISR bit. */
    unsigned cap = last;
    cfg_w(&vp->pci, cap + 2, 0x8000, 2);
    EXPECT(msix_enabled(&vp->msix));
    virtio_notify(vp, vq);
    EXPECT_EQ(nmsg, 1);
    EXPECT_EQ(msg_data, 0x31);
    EXPECT_EQ(irq_level, 0);
    EXPECT_EQ(vp->isr, 0);
    /* A queue with no vector gets nothing; configuration changes go to
     * config_vector. */
    vq->msix_vector = VIRTIO_MSI_NO_VECTOR;
    virtio_notify(vp, vq);
    EXPECT_EQ(nmsg, 1);
    vp->config_vector = 2;
    virtio_config_notify(vp);
    EXPECT_EQ(nmsg, 2);
    /* System reset: masked, disabled. */
    virtio_pci_hw_reset(vp);
    EXPECT(!msix_enabled(&vp->msix));
    EXPECT_EQ(vp->config_vector, VIRTIO_MSI_NO_VECTOR);
    EXPECT_EQ(msix_mmio_read(&vp->msix, 44, 4), 1);
}

TEST(virtio_net_vectors_limit)
{
    setup();
    net_client_new(&peer_ops, sizeof(struct net_client), "unit", "vmsix2");
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "netdev", "vmsix2");
    kv_set(kv, "romfile", "");
    kv_set(kv, "vectors", "65");
    struct err *err = NULL;
    struct device *d = dev_create(&virtio_net_pci_type, kv, &err);
    kvlist_free(kv);
    EXPECT(d == NULL);
    EXPECT(err && strstr(err->msg, "vectors"));
}

TEST_MAIN()
