/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-blk.c - virtio-blk-pci (VIRTIO 1.0 5.2, block device): one
 * request queue; IN, OUT, FLUSH, GET_ID, DISCARD and WRITE_ZEROES; the
 * read-only feature for readonly=on drives.  Requests run asynchronously
 * on the drive's backend and complete in the main loop.  Headers, segment
 * counts, lengths and sector ranges from the guest are checked: a bad
 * request gets VIRTIO_BLK_S_IOERR or _UNSUPP, never a host access.
 * Data moves straight between the image and guest RAM: each segment is
 * mapped to host iovecs (split where RAM regions end; a segment that is
 * not all RAM fails the request), and a read the page cache holds is done
 * at once in the notify, without a worker or a main-loop wakeup.  The
 * interrupt is raised once for all the requests a notify completes.
 * As QEMU's, the device offers indirect descriptors (2.4.5.3: a large
 * request is one table the driver fills, not a chain through the ring it
 * walks again on completion), VIRTIO_F_RING_EVENT_IDX (2.4.7.2, 2.4.8.2:
 * the driver kicks only when the device asked, and the device interrupts
 * only past used_event) and MSI-X (vectors=, default 2: configuration and
 * the request queue), which spares the driver the ISR read and the
 * IOAPIC's level-triggered round trip on every completion.  A notify
 * handles at most one ring's worth of chains; what is left (an SMP guest
 * refilling meanwhile) runs from a bottom half, since with event indexes
 * the driver will not kick again for chains the device has not reached.
 */
#include "emu/osdep.h"

#include "block-protocols/blk-backend.h"
#include "emu/blk/drive.h"
#include "emu/cli/keyval.h"
#include "emu/hw/bootorder.h"
#include "emu/hw/virtio/virtio-blk.h"
#include "emu/hw/virtio/virtio-pci.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define T_DISCARD 11
#define T_WRITE_ZEROES 13
#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2
#define F_SEG_MAX 2
#define F_RO 5
#define F_BLK_SIZE 6
#define F_FLUSH 9
#define F_DISCARD 13
#define F_WRITE_ZEROES 14
#define MAX_REQ_BYTES (32u << 20)
#define QUEUE_SIZE 256

struct virtio_blk {
    struct virtio_pci vp;
    char *drive;
    char *serial;
    char *bootindex_str;
    int32_t bootindex;
    struct blk *blk;
    uint32_t gen;           /* bumped on reset: late completions dropped */
    bool in_notify;         /* completions wait for one interrupt */
    bool irq_due;
    struct bh *more_bh;     /* the budget ran out with chains left */
    bool indirect_desc, event_idx;  /* QEMU's properties of the same names */
};

/* Where a piece of a request lies in guest RAM (to mark it dirty). */
struct ram_piece {
    struct mem_region *mr;
    uint64_t off;
};

struct vblk_req {
    struct virtio_blk *s;
    struct vq_elem *e;
    uint32_t gen;
    uint8_t type;
    uint64_t len;
    struct iovec *iov;
    struct ram_piece *ram;
    int niov, cap;
};

static uint64_t blk_features(struct virtio_pci *vp)
{
    struct virtio_blk *s = (struct virtio_blk *)vp;
    uint64_t f = 1ULL << F_SEG_MAX | 1ULL << F_BLK_SIZE | 1ULL << F_FLUSH |
                 1ULL << F_DISCARD | 1ULL << F_WRITE_ZEROES;
    if (s->event_idx) {
        f |= 1ULL << VIRTIO_F_RING_EVENT_IDX;
    }
    if (s->indirect_desc) {
        f |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
    }
    if (s->blk->read_only) {
        f |= 1ULL << F_RO;
    }
    return f;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

static void blk_config(struct virtio_pci *vp, uint8_t *c)
{
    struct virtio_blk *s = (struct virtio_blk *)vp;
    uint64_t sectors = blk_getlength(s->blk) / 512;
    put32(c, sectors);
    put32(c + 4, sectors >> 32);
    put32(c + 12, QUEUE_SIZE - 2);          /* seg_max */
    uint64_t cyl = sectors / (16 * 63);
    uint16_t cyls = MIN(cyl, 65535ULL);
    c[16] = cyls & 0xff;
    c[17] = cyls >> 8;
    c[18] = 16;
    c[19] = 63;
    put32(c + 20, 512);                     /* blk_size */
    c[32] = s->blk->write_cache;
    c[34] = 1;                              /* num_queues */
    put32(c + 36, 0x3fffff);                /* max_discard_sectors */
    put32(c + 40, 1);
    put32(c + 44, 1);
    put32(c + 48, 0x3fffff);                /* max_write_zeroes_sectors */
    put32(c + 52, 1);
    c[56] = 1;
}

static void complete(struct vblk_req *r, uint8_t status, uint32_t written)
{
    struct virtio_blk *s = r->s;
    if (r->gen == s->gen) {
        struct virtqueue *vq = &s->vp.vq[0];
        if (r->e->in_len) {
            vq_copy_to(vq, r->e->in, r->e->n_in, r->e->in_len - 1, &status, 1);
        }
        vq_push(vq, r->e, written + 1);
        if (s->in_notify) {
            s->irq_due = true;
        } else {
            virtio_notify(&s->vp, vq);
        }
    }
    free(r->iov);
    free(r->ram);
    free(r->e);
    free(r);
}

/* Map len bytes of the chain's segments, from byte skip on, to host
 * memory.  Every byte must be guest RAM (writable RAM when the device
 * writes it): anything else fails the request. */
static bool map_segs(struct virtqueue *vq, const struct vq_seg *sg,
                     unsigned n, uint64_t skip, uint64_t len, bool to_guest,
                     struct vblk_req *r)
{
    for (unsigned i = 0; i < n && len; i++) {
        if (skip >= sg[i].len) {
            skip -= sg[i].len;
            continue;
        }
        uint64_t addr = sg[i].addr + skip;
        uint64_t left = MIN((uint64_t)sg[i].len - skip, len);
        skip = 0;
        while (left) {
            struct mem_lookup l = as_lookup(vq->as, addr);
            if (!l.mr || !l.mr->ram || !l.len ||
                (to_guest && !(l.mr->flags & MR_RAM))) {
                return false;
            }
            uint64_t k = MIN(l.len, left);
            if (r->niov == r->cap) {
                r->cap = r->cap ? r->cap * 2 : 16;
                r->iov = xrealloc(r->iov, r->cap * sizeof(*r->iov));
                r->ram = xrealloc(r->ram, r->cap * sizeof(*r->ram));
            }
            r->iov[r->niov] = (struct iovec){ l.mr->ram + l.off, k };
            r->ram[r->niov++] = (struct ram_piece){ l.mr, l.off };
            addr += k;
            left -= k;
            len -= k;
        }
    }
    return !len;
}

/* The device wrote these pages: the CPUs' decoded code and the dirty
 * log must hear of it. */
static void mark_dirty(struct vblk_req *r)
{
    for (int i = 0; i < r->niov; i++) {
        mem_region_set_dirty(r->ram[i].mr, r->ram[i].off, r->iov[i].iov_len);
    }
}

static void io_cb(void *opaque, int ret)
{
    struct vblk_req *r = opaque;
    if (ret < 0) {
        complete(r, S_IOERR, 0);
        return;
    }
    uint32_t written = 0;
    if (r->type == T_IN) {
        mark_dirty(r);
        written = r->len;
    }
    complete(r, S_OK, written);
}

static bool range_ok(struct virtio_blk *s, uint64_t sector, uint64_t bytes)
{
    uint64_t size = blk_getlength(s->blk);
    return sector <= size / 512 && bytes <= size - sector * 512;
}

static void handle(struct virtio_blk *s, struct vq_elem *e)
{
    struct virtqueue *vq = &s->vp.vq[0];
    struct vblk_req *r = xzalloc(sizeof(*r));
    r->s = s;
    r->e = e;
    r->gen = s->gen;
    uint8_t hdr[16];
    if (e->out_len < 16 || e->in_len < 1 ||
        vq_copy_from(vq, e->out, e->n_out, 0, hdr, 16) != 16) {
        complete(r, S_IOERR, 0);
        return;
    }
    r->type = hdr[0];
    uint64_t sector = 0;
    for (int k = 15; k >= 8; k--) {
        sector = sector << 8 | hdr[k];
    }
    uint32_t type = hdr[0] | hdr[1] << 8 | hdr[2] << 16 | (uint32_t)hdr[3] << 24;
    switch (type) {
    case T_IN:
        r->len = e->in_len - 1;
        if (r->len > MAX_REQ_BYTES || r->len % 512 || !range_ok(s, sector, r->len)) {
            complete(r, S_IOERR, 0);
            return;
        }
        if (!map_segs(vq, e->in, e->n_in, 0, r->len, true, r)) {
            complete(r, S_IOERR, 0);
            return;
        }
        if (blk_try_readv_now(s->blk, sector * 512, r->iov, r->niov) == 0) {
            io_cb(r, 0);
            return;
        }
        blk_submitv(s->blk, BLK_READ, sector * 512, r->iov, r->niov, io_cb, r);
        return;
    case T_OUT:
        r->len = e->out_len - 16;
        if (s->blk->read_only || r->len > MAX_REQ_BYTES || r->len % 512 ||
            !range_ok(s, sector, r->len)) {
            complete(r, S_IOERR, 0);
            return;
        }
        if (!map_segs(vq, e->out, e->n_out, 16, r->len, false, r)) {
            complete(r, S_IOERR, 0);
            return;
        }
        blk_submitv(s->blk, BLK_WRITE, sector * 512, r->iov, r->niov, io_cb,
                    r);
        return;
    case T_FLUSH:
        blk_submit(s->blk, BLK_FLUSH, 0, NULL, 0, io_cb, r);
        return;
    case T_GET_ID: {
        char id[20] = { 0 };
        strncpy(id, s->serial ? s->serial : s->blk->serial ? s->blk->serial : "",
                sizeof(id));
        uint32_t n = vq_copy_to(vq, e->in, e->n_in, 0, id,
                                MIN((uint64_t)sizeof(id), e->in_len - 1));
        complete(r, S_OK, n);
        return;
    }
    case T_DISCARD:
    case T_WRITE_ZEROES: {
        uint8_t seg[16];
        if (s->blk->read_only || e->out_len != 32 ||
            vq_copy_from(vq, e->out, e->n_out, 16, seg, 16) != 16) {
            complete(r, S_IOERR, 0);
            return;
        }
        uint64_t ssec = 0;
        for (int k = 7; k >= 0; k--) {
            ssec = ssec << 8 | seg[k];
        }
        uint32_t n = seg[8] | seg[9] << 8 | seg[10] << 16 | (uint32_t)seg[11] << 24;
        uint32_t flags = seg[12] | seg[13] << 8 | seg[14] << 16 |
                         (uint32_t)seg[15] << 24;
        if ((flags & ~1u) || !range_ok(s, ssec, (uint64_t)n * 512) ||
            (type == T_DISCARD && flags)) {
            complete(r, type == T_DISCARD && flags ? S_UNSUPP : S_IOERR, 0);
            return;
        }
        blk_submit(s->blk, type == T_DISCARD ? BLK_DISCARD : BLK_ZEROES,
                   ssec * 512, NULL, (uint64_t)n * 512, io_cb, r);
        return;
    }
    default:
        complete(r, S_UNSUPP, 0);
        return;
    }
}

static void blk_notify(struct virtio_pci *vp, unsigned q)
{
    struct virtio_blk *s = (struct virtio_blk *)vp;
    struct virtqueue *vq = &vp->vq[q];
    s->in_notify = true;
    int budget;
    for (budget = 0; budget < QUEUE_SIZE; budget++) {
        struct vq_elem *e = xmalloc(sizeof(*e));
        int r = vq_pop(vq, e);
        if (r <= 0) {
            free(e);
            if (r < 0) {
                /* A malformed chain: the queue stops (device needs reset). */
                vq->ready = false;
                vp->status |= 0x40;     /* DEVICE_NEEDS_RESET */
            }
            break;
        }
        handle(s, e);
    }
    s->in_notify = false;
    if (budget == QUEUE_SIZE && s->more_bh) {
        bh_schedule(s->more_bh);
    }
    if (s->irq_due) {
        s->irq_due = false;
        virtio_notify(vp, vq);
    }
}

static void more_run(void *opaque)
{
    struct virtio_blk *s = opaque;
    if (s->vp.vq[0].ready) {
        blk_notify(&s->vp, 0);
    }
}

static void blk_reset(struct virtio_pci *vp)
{
    struct virtio_blk *s = (struct virtio_blk *)vp;
    /* Requests in flight write guest RAM directly: they end before the
     * guest may reuse their buffers (their completions are dropped). */
    s->gen++;
    if (s->more_bh) {
        bh_cancel(s->more_bh);
    }
    if (s->blk && s->blk->inflight) {
        blk_drain_all();
    }
}

static const struct virtio_dev_ops blk_ops = {
    .device_id = 2,
    .pci_class = 0x0180,
    .config_size = 60,
    .features = blk_features,
    .config_read = blk_config,
    .notify = blk_notify,
    .reset = blk_reset,
};

static int vblk_realize(struct device *dev, struct err **errp)
{
    struct virtio_blk *s = (struct virtio_blk *)dev;
    if (!s->drive) {
        err_setf(errp, "drive property not set");
        return -1;
    }
    if (s->vp.msix_vectors > MSIX_MAX_VECTORS) {
        err_setf(errp, "virtio-blk-pci: vectors=%u: at most %u supported",
                 s->vp.msix_vectors, MSIX_MAX_VECTORS);
        return -1;
    }
    s->bootindex = -1;
    if (s->bootindex_str) {
        int64_t v;
        if (parse_int64(s->bootindex_str, 10, &v) < 0 || v < -1 || v > 0xffff) {
            err_setf(errp, "Parameter 'bootindex' expects an integer");
            return -1;
        }
        s->bootindex = v;
    }
    s->blk = drive_claim_by_id(s->drive, errp);
    if (!s->blk) {
        return -1;
    }
    if (!s->blk->root) {
        err_setf(errp, "Device needs media, but drive is empty");
        return -1;
    }
    if (s->vp.disable_legacy && s->vp.disable_modern) {
        err_setf(errp, "device cannot work as neither modern nor legacy mode "
                 "is enabled");
        return -1;
    }
    if (pci_device_plug(pci_default_bus, &s->vp.pci, errp) < 0) {
        return -1;
    }
    virtio_pci_init(&s->vp, &blk_ops, 1, QUEUE_SIZE);
    s->more_bh = bh_new(more_run, s);
    s->blk->attached_to = xasprintf("virtio-blk-pci %s", s->drive);
    /* SeaBIOS's name for a virtio disk: .../scsi@SLOT/disk@0,0 */
    return bootorder_add_pci(s->bootindex, "scsi", s->vp.pci.devfn,
                             "/disk@0,0", errp);
}

static void vblk_reset(struct device *dev)
{
    struct virtio_blk *s = (struct virtio_blk *)dev;
    pci_device_reset(&s->vp.pci);
    virtio_pci_hw_reset(&s->vp);
}

static const struct prop vblk_props[] = {
    PROP("addr", PROP_PCI_ADDR, struct virtio_blk, vp.pci.devfn, NULL,
         "slot and function"),
    PROP("romfile", PROP_STR, struct virtio_blk, vp.pci.romfile, NULL,
         "option ROM file"),
    PROP("multifunction", PROP_BOOL, struct virtio_blk, vp.pci.multifunction,
         "off", "multifunction device"),
    PROP("drive", PROP_STR, struct virtio_blk, drive, NULL,
         "the -drive id or -blockdev node-name"),
    PROP("serial", PROP_STR, struct virtio_blk, serial, NULL, "disk serial"),
    PROP("bootindex", PROP_STR, struct virtio_blk, bootindex_str, NULL,
         "boot order position"),
    PROP("vectors", PROP_U32, struct virtio_blk, vp.msix_vectors, "2",
         "MSI-X vectors (0: INTx only)"),
    PROP("indirect_desc", PROP_BOOL, struct virtio_blk, indirect_desc, "on",
         "offer indirect descriptor tables"),
    PROP("event_idx", PROP_BOOL, struct virtio_blk, event_idx, "on",
         "offer used_event/avail_event interrupt and kick suppression"),
    VIRTIO_PCI_PROPS(struct virtio_blk),
    { NULL },
};

const struct dev_type virtio_blk_pci_type = {
    .name = "virtio-blk-pci",
    .category = "Storage devices",
    .desc = "Virtio block device",
    .bus = BUS_PCI,
    .size = sizeof(struct virtio_blk),
    .props = vblk_props,
    .user_creatable = true,
    .realize = vblk_realize,
    .reset = vblk_reset,
};
DEV_TYPE(virtio_blk_pci_type);

int virtio_blk_boot_path(struct device *dev, char *buf, size_t len,
                         int32_t *bootindex)
{
    struct virtio_blk *s = (struct virtio_blk *)dev;
    *bootindex = s->bootindex;
    int devfn = s->vp.pci.devfn;
    if (devfn & 7) {
        return snprintf(buf, len, "/pci@i0cf8/scsi@%x,%x/disk@0,0", devfn >> 3,
                        devfn & 7);
    }
    return snprintf(buf, len, "/pci@i0cf8/scsi@%x/disk@0,0", devfn >> 3);
}
