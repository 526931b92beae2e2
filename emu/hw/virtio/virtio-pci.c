/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-pci.c - the transitional virtio PCI transport (VIRTIO 1.0 4.1):
 * legacy register block in I/O BAR 0 (4.1.4.8: features, queue PFN,
 * size, select, notify, status, ISR, then the device configuration) and
 * the modern vendor capabilities (4.1.4: common configuration, notify
 * with a multiplier of 4, ISR, device configuration) in a 32-bit memory
 * BAR 4 of 16 KiB.  Interrupts are INTx, acknowledged by reading ISR, or
 * with MSI-X enabled one vector per queue/configuration as the driver
 * maps them (4.1.4.3, 4.1.5.1.2; the legacy block then grows by the two
 * vector registers, 4.1.4.8).
 * The PCI configuration access capability (4.1.4.7) is a window into
 * those BARs through configuration space, which iPXE's virtio driver
 * insists on finding.  Queue sizes, selectors and addresses written by
 * the guest are checked.
 */
#include "emu/osdep.h"

#include "emu/hw/virtio/virtio-pci.h"

#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4
#define CAP_PCI_CFG 5
#define PCI_CFG_CAP 0x84        /* where the config access window lives */
#define MODERN_BAR_SIZE 0x4000
#define OFF_COMMON 0x0000
#define OFF_ISR 0x1000
#define OFF_DEVICE 0x2000
#define OFF_NOTIFY 0x3000
#define NOTIFY_MULT 4
#define LEGACY_CFG 20
#define LEGACY_CFG_MSIX 24
#define MSIX_CAP 0x98
#define MSIX_BAR 1

bool virtio_has_feature(const struct virtio_pci *vp, unsigned bit)
{
    return vp->guest_features & (1ULL << bit);
}

static uint64_t dev_features(struct virtio_pci *vp)
{
    uint64_t f = vp->ops->features(vp);
    if (!vp->disable_modern) {
        f |= 1ULL << VIRTIO_F_VERSION_1;
    }
    return f;
}

static void update_irq(struct virtio_pci *vp)
{
    /* With MSI-X enabled the INTx pin is unused (PCI 3.0 6.8.2). */
    pci_set_irq(&vp->pci, !msix_enabled(&vp->msix) && (vp->isr & 3) != 0);
}

static void vector_irq(struct virtio_pci *vp, uint16_t vec)
{
    if (vec != VIRTIO_MSI_NO_VECTOR) {
        msix_notify(&vp->msix, vec);
    }
}

static uint16_t check_vector(struct virtio_pci *vp, uint32_t v)
{
    /* 4.1.5.1.2: a vector the device cannot use reads back as none. */
    return v < vp->msix.nvec ? v : VIRTIO_MSI_NO_VECTOR;
}

static unsigned legacy_cfg(struct virtio_pci *vp)
{
    return msix_enabled(&vp->msix) ? LEGACY_CFG_MSIX : LEGACY_CFG;
}

void virtio_config_notify(struct virtio_pci *vp)
{
    vp->config_gen++;
    if (!(vp->status & VIRTIO_STATUS_DRIVER_OK)) {
        return;
    }
    vp->isr |= 2;
    if (msix_enabled(&vp->msix)) {
        vector_irq(vp, vp->config_vector);
        return;
    }
    update_irq(vp);
}

void virtio_notify(struct virtio_pci *vp, struct virtqueue *vq)
{
    if (!vq_should_notify(vq)) {
        return;
    }
    if (msix_enabled(&vp->msix)) {
        vector_irq(vp, vq->msix_vector);
        return;
    }
    vp->isr |= 1;
    update_irq(vp);
}

void virtio_irq_raise(struct virtio_pci *vp)
{
    vp->isr |= 1;
    update_irq(vp);
}

void virtio_queue_irq(struct virtio_pci *vp, unsigned q)
{
    if (q < vp->nqueues && msix_enabled(&vp->msix)) {
        vector_irq(vp, vp->vq[q].msix_vector);
        return;
    }
    virtio_irq_raise(vp);
}

void virtio_pci_reset(struct virtio_pci *vp)
{
    vp->status = 0;
    vp->isr = 0;
    vp->guest_features = 0;
    vp->dfselect = vp->gfselect = 0;
    vp->queue_sel = 0;
    vp->legacy_used = false;
    vp->config_vector = VIRTIO_MSI_NO_VECTOR;
    for (unsigned i = 0; i < vp->nqueues; i++) {
        vq_reset(&vp->vq[i]);
    }
    if (vp->ops->reset) {
        vp->ops->reset(vp);
    }
    update_irq(vp);
}

void virtio_pci_hw_reset(struct virtio_pci *vp)
{
    msix_reset(&vp->msix);
    virtio_pci_reset(vp);
}

static void set_status(struct virtio_pci *vp, uint8_t v)
{
    if (!v) {
        virtio_pci_reset(vp);
        return;
    }
    uint8_t old = vp->status;
    vp->status = v;
    bool ev = virtio_has_feature(vp, VIRTIO_F_RING_EVENT_IDX);
    bool ind = virtio_has_feature(vp, VIRTIO_RING_F_INDIRECT_DESC);
    for (unsigned i = 0; i < vp->nqueues; i++) {
        vp->vq[i].event_idx = ev;
        vp->vq[i].indirect = ind;
    }
    if (vp->ops->set_status) {
        vp->ops->set_status(vp, old, v);
    }
}

static uint32_t config_read(struct virtio_pci *vp, unsigned off, unsigned size)
{
    uint8_t cfg[256] = { 0 };
    vp->ops->config_read(vp, cfg);
    if (off >= vp->ops->config_size || size > vp->ops->config_size - off) {
        return 0;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint32_t)cfg[off + i] << (8 * i);
    }
    return v;
}

static struct virtqueue *sel_vq(struct virtio_pci *vp)
{
    return vp->queue_sel < vp->nqueues ? &vp->vq[vp->queue_sel] : NULL;
}

/* ---- legacy BAR 0 ---- */

static uint64_t legacy_read(void *opaque, uint64_t off, unsigned size)
{
    struct virtio_pci *vp = opaque;
    struct virtqueue *vq = sel_vq(vp);
    if (off >= legacy_cfg(vp)) {
        return config_read(vp, off - legacy_cfg(vp), size);
    }
    switch (off) {
    case 0x14: return vp->config_vector;
    case 0x16: return vq ? vq->msix_vector : VIRTIO_MSI_NO_VECTOR;
    case 0x00: return (uint32_t)dev_features(vp);
    case 0x04: return (uint32_t)vp->guest_features;
    case 0x08: return vq ? (uint32_t)(vq->desc >> 12) : 0;
    case 0x0c: return vq ? vq->num_max : 0;
    case 0x0e: return vp->queue_sel;
    case 0x12: return vp->status;
    case 0x13: {
        uint8_t v = vp->isr;
        vp->isr = 0;
        update_irq(vp);
        return v;
    }
    default: return 0;
    }
}

static void legacy_write(void *opaque, uint64_t off, uint64_t val,
                         unsigned size)
{
    struct virtio_pci *vp = opaque;
    struct virtqueue *vq = sel_vq(vp);
    vp->legacy_used = true;
    if (off >= legacy_cfg(vp)) {
        if (vp->ops->config_write) {
            vp->ops->config_write(vp, off - legacy_cfg(vp), val, size);
        }
        return;
    }
    switch (off) {
    case 0x14:
        vp->config_vector = check_vector(vp, val & 0xffff);
        break;
    case 0x16:
        if (vq) {
            vq->msix_vector = check_vector(vp, val & 0xffff);
        }
        break;
    case 0x04:
        /* Legacy drivers see only the low 32 feature bits. */
        vp->guest_features = val & (uint32_t)dev_features(vp);
        break;
    case 0x08:
        if (vq) {
            vq->num = vq->num_max;
            vq_set_legacy_pfn(vq, val);
        }
        break;
    case 0x0e:
        vp->queue_sel = val;
        break;
    case 0x10:
        if (val < vp->nqueues) {
            vp->ops->notify(vp, val);
        }
        break;
    case 0x12:
        set_status(vp, val);
        break;
    }
}

static const struct mem_ops legacy_ops = {
    .read = legacy_read, .write = legacy_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 4,
};

/* ---- modern BAR 4 ---- */

static uint64_t common_read(struct virtio_pci *vp, unsigned off)
{
    struct virtqueue *vq = sel_vq(vp);
    switch (off) {
    case 0x00: return vp->dfselect;
    case 0x04:
        return vp->dfselect < 2 ? (uint32_t)(dev_features(vp) >> (32 * vp->dfselect))
                                : 0;
    case 0x08: return vp->gfselect;
    case 0x0c:
        return vp->gfselect < 2 ?
               (uint32_t)(vp->guest_features >> (32 * vp->gfselect)) : 0;
    case 0x10: return vp->config_vector;
    case 0x12: return vp->nqueues;
    case 0x14: return vp->status;
    case 0x15: return vp->config_gen;
    case 0x16: return vp->queue_sel;
    case 0x18: return vq ? vq->num : 0;
    case 0x1a: return vq ? vq->msix_vector : VIRTIO_MSI_NO_VECTOR;
    case 0x1c: return vq ? vq->ready : 0;
    case 0x1e: return vq ? vq->notify_off : 0;
    case 0x20: return vq ? (uint32_t)vq->desc : 0;
    case 0x24: return vq ? (uint32_t)(vq->desc >> 32) : 0;
    case 0x28: return vq ? (uint32_t)vq->avail : 0;
    case 0x2c: return vq ? (uint32_t)(vq->avail >> 32) : 0;
    case 0x30: return vq ? (uint32_t)vq->used : 0;
    case 0x34: return vq ? (uint32_t)(vq->used >> 32) : 0;
    default: return 0;
    }
}

static void set_lo(uint64_t *p, uint32_t v)
{
    *p = (*p & ~0xffffffffULL) | v;
}

static void set_hi(uint64_t *p, uint32_t v)
{
    *p = (*p & 0xffffffffULL) | (uint64_t)v << 32;
}

static void common_write(struct virtio_pci *vp, unsigned off, uint32_t val)
{
    struct virtqueue *vq = sel_vq(vp);
    switch (off) {
    case 0x00: vp->dfselect = val; break;
    case 0x08: vp->gfselect = val; break;
    case 0x0c:
        if (vp->gfselect < 2) {
            uint64_t f = vp->guest_features;
            if (vp->gfselect) {
                set_hi(&f, val);
            } else {
                set_lo(&f, val);
            }
            vp->guest_features = f & dev_features(vp);
        }
        break;
    case 0x14:
        if ((val & VIRTIO_STATUS_FEATURES_OK) &&
            !virtio_has_feature(vp, VIRTIO_F_VERSION_1)) {
            val &= ~VIRTIO_STATUS_FEATURES_OK;  /* modern needs VERSION_1 */
        }
        set_status(vp, val);
        break;
    case 0x10: vp->config_vector = check_vector(vp, val & 0xffff); break;
    case 0x16: vp->queue_sel = val; break;
    case 0x1a:
        if (vq) {
            vq->msix_vector = check_vector(vp, val & 0xffff);
        }
        break;
    case 0x18:
        /* A power of two no larger than the maximum (2.4). */
        if (vq && val && val <= vq->num_max && !(val & (val - 1))) {
            vq->num = val;
        }
        break;
    case 0x1c:
        if (vq && val == 1) {
            vq->ready = vq->num != 0;
            vq->last_avail = 0;
            vq->used_idx = 0;
            vq->signalled_valid = false;
        }
        break;
    case 0x20: if (vq) { set_lo(&vq->desc, val); } break;
    case 0x24: if (vq) { set_hi(&vq->desc, val); } break;
    case 0x28: if (vq) { set_lo(&vq->avail, val); } break;
    case 0x2c: if (vq) { set_hi(&vq->avail, val); } break;
    case 0x30: if (vq) { set_lo(&vq->used, val); } break;
    case 0x34: if (vq) { set_hi(&vq->used, val); } break;
    }
}

static uint64_t modern_read(void *opaque, uint64_t off, unsigned size)
{
    struct virtio_pci *vp = opaque;
    if (off >= 0x10 && off < 0x20) {
        return common_read(vp, off);    /* 8- and 16-bit registers */
    }
    if (off < OFF_ISR) {
        uint64_t v = common_read(vp, off & ~3u);
        return (v >> (8 * (off & 3))) & (size == 4 ? 0xffffffffu :
                                         size == 2 ? 0xffffu : 0xffu);
    }
    if (off < OFF_DEVICE) {
        if (off != OFF_ISR) {
            return 0;
        }
        uint8_t v = vp->isr;
        vp->isr = 0;
        update_irq(vp);
        return v;
    }
    if (off < OFF_NOTIFY) {
        return config_read(vp, off - OFF_DEVICE, size);
    }
    return 0;
}

static void modern_write(void *opaque, uint64_t off, uint64_t val,
                         unsigned size)
{
    struct virtio_pci *vp = opaque;
    if (off < OFF_ISR) {
        /* Narrow writes land in their register's bytes. */
        unsigned reg = off & ~3u, sh = 8 * (off & 3);
        uint32_t old = common_read(vp, reg);
        uint32_t mask = (size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu) << sh;
        if (reg == 0x14 || reg == 0x16 || reg == 0x18 || reg == 0x1c ||
            reg == 0x10 || reg == 0x1a) {
            /* 8/16-bit registers sharing a dword: write only their own. */
            common_write(vp, off, (uint32_t)val);
            return;
        }
        common_write(vp, reg, (old & ~mask) | ((uint32_t)val << sh & mask));
        return;
    }
    if (off >= OFF_DEVICE && off < OFF_NOTIFY) {
        if (vp->ops->config_write) {
            vp->ops->config_write(vp, off - OFF_DEVICE, val, size);
        }
        return;
    }
    if (off >= OFF_NOTIFY) {
        unsigned q = (off - OFF_NOTIFY) / NOTIFY_MULT;
        if (q < vp->nqueues) {
            vp->ops->notify(vp, q);
        }
    }
}

static const struct mem_ops modern_ops = {
    .read = modern_read, .write = modern_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 4,
};

/* 4.1.4.7.1: pci_cfg_data accesses cap.length bytes at cap.offset of
 * cap.bar; other lengths, BARs or misaligned offsets do nothing. */
static bool cfg_window(struct virtio_pci *vp, unsigned off, unsigned len,
                       unsigned *bar, uint32_t *boff, unsigned *blen)
{
    const uint8_t *c = vp->pci.config + PCI_CFG_CAP;
    if (off < PCI_CFG_CAP + 16 || off >= PCI_CFG_CAP + 20) {
        return false;
    }
    *bar = c[4];
    *boff = pci_get_long((uint8_t *)c + 8);
    *blen = pci_get_long((uint8_t *)c + 12);
    (void)len;
    return true;
}

static uint32_t cfg_read(struct pci_device *d, unsigned off, unsigned len)
{
    struct virtio_pci *vp = (struct virtio_pci *)d;
    unsigned bar, blen;
    uint32_t boff;
    if (vp->disable_modern || !cfg_window(vp, off, len, &bar, &boff, &blen)) {
        return pci_default_config_read(d, off, len);
    }
    uint32_t v = 0;
    if ((blen == 1 || blen == 2 || blen == 4) && !(boff & (blen - 1))) {
        if (bar == 4 && !vp->disable_modern && boff < MODERN_BAR_SIZE) {
            v = modern_read(vp, boff, blen);
        } else if (bar == 0 && !vp->disable_legacy &&
                   boff < vp->legacy_mr.size) {
            v = legacy_read(vp, boff, blen);
        }
    }
    pci_set_long(d->config + PCI_CFG_CAP + 16, v);
    return pci_default_config_read(d, off, len);
}

static void cfg_write(struct pci_device *d, unsigned off, uint32_t val,
                      unsigned len)
{
    struct virtio_pci *vp = (struct virtio_pci *)d;
    unsigned bar, blen;
    uint32_t boff;
    if (vp->disable_modern || !cfg_window(vp, off, len, &bar, &boff, &blen)) {
        pci_default_config_write(d, off, val, len);
        /* MSI-X enable switches INTx off (and back). */
        update_irq(vp);
        return;
    }
    if ((blen == 1 || blen == 2 || blen == 4) && !(boff & (blen - 1)) &&
        off == PCI_CFG_CAP + 16 && len >= blen) {
        if (bar == 4 && !vp->disable_modern && boff < MODERN_BAR_SIZE) {
            modern_write(vp, boff, val, blen);
        } else if (bar == 0 && !vp->disable_legacy &&
                   boff < vp->legacy_mr.size) {
            legacy_write(vp, boff, val, blen);
        }
    }
}

static unsigned add_cap(struct virtio_pci *vp, unsigned at, unsigned prev,
                        uint8_t type, uint32_t off, uint32_t len, unsigned clen)
{
    uint8_t *c = vp->pci.config;
    if (prev) {
        c[prev + 1] = at;
    } else {
        c[PCI_CAPABILITY_LIST] = at;
    }
    c[at] = 0x09;           /* vendor specific */
    c[at + 1] = 0;
    c[at + 2] = clen;
    c[at + 3] = type;
    c[at + 4] = 4;          /* BAR 4 */
    pci_set_long(c + at + 8, off);
    pci_set_long(c + at + 12, len);
    if (type == CAP_NOTIFY) {
        pci_set_long(c + at + 16, NOTIFY_MULT);
    }
    return at;
}

void virtio_pci_init(struct virtio_pci *vp, const struct virtio_dev_ops *ops,
                     unsigned nqueues, uint16_t queue_size)
{
    vp->ops = ops;
    vp->nqueues = MIN(nqueues, (unsigned)VIRTIO_MAX_QUEUES);
    for (unsigned i = 0; i < vp->nqueues; i++) {
        vp->vq[i].num_max = queue_size;
        vp->vq[i].notify_off = i;
        vp->vq[i].as = vp->pci.bus->mem;
        vq_reset(&vp->vq[i]);
    }
    uint8_t *c = vp->pci.config;
    pci_set_word(c + PCI_VENDOR_ID, 0x1af4);
    /* Transitional ids 0x1000 + type - 1; modern-only 0x1040 + type. */
    pci_set_word(c + PCI_DEVICE_ID, vp->disable_legacy ?
                 0x1040 + ops->device_id : 0x1000 + ops->device_id - 1);
    c[PCI_REVISION_ID] = vp->disable_legacy ? 1 : 0;
    pci_set_word(c + PCI_CLASS_DEVICE, ops->pci_class);
    pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
    pci_set_word(c + PCI_SUBSYSTEM_ID, ops->device_id);
    c[PCI_INTERRUPT_PIN] = 1;
    if (!vp->disable_legacy) {
        uint64_t sz = 32;
        while (sz < (vp->msix_vectors ? LEGACY_CFG_MSIX : LEGACY_CFG) +
                     ops->config_size) {
            sz <<= 1;
        }
        mem_region_init_io(&vp->legacy_mr, "virtio-pci-legacy", sz,
                           &legacy_ops, vp);
        pci_register_bar(&vp->pci, 0, PCI_BAR_IO, &vp->legacy_mr);
    }
    if (!vp->disable_modern) {
        mem_region_init_io(&vp->modern_mr, "virtio-pci-modern",
                           MODERN_BAR_SIZE, &modern_ops, vp);
        pci_register_bar(&vp->pci, 4, PCI_BAR_MEM32, &vp->modern_mr);
        pci_set_word(c + PCI_STATUS, pci_get_word(c + PCI_STATUS) |
                     PCI_STATUS_CAP_LIST);
        unsigned p = add_cap(vp, 0x40, 0, CAP_COMMON, OFF_COMMON, 0x38, 16);
        p = add_cap(vp, 0x50, p, CAP_ISR, OFF_ISR, 1, 16);
        p = add_cap(vp, 0x60, p, CAP_DEVICE, OFF_DEVICE, ops->config_size, 16);
        p = add_cap(vp, 0x70, p, CAP_NOTIFY, OFF_NOTIFY,
                    vp->nqueues * NOTIFY_MULT, 20);
        add_cap(vp, PCI_CFG_CAP, p, CAP_PCI_CFG, 0, 0, 20);
        c[PCI_CFG_CAP + 4] = 0;
        /* The driver picks bar, offset and length. */
        vp->pci.wmask[PCI_CFG_CAP + 4] = 0xff;
        memset(vp->pci.wmask + PCI_CFG_CAP + 8, 0xff, 8);
    }
    vp->pci.config_read = cfg_read;
    vp->pci.config_write = cfg_write;
    vp->config_vector = VIRTIO_MSI_NO_VECTOR;
    if (vp->msix_vectors) {
        msix_init(&vp->msix, &vp->pci, vp->msix_vectors, MSIX_CAP,
                  vp->disable_modern ? 0 : PCI_CFG_CAP, MSIX_BAR);
    }
}
