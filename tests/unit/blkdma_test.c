/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * blkdma_test.c - the block front ends' DMA straight into guest RAM
 * (emu/hw/virtio/virtio-blk.c, emu/hw/ide.c with the PIIX bus master's
 * PRD mapping in emu/hw/piix-ide.c): requests whose buffers span two RAM
 * regions reach the image and come back intact, the pages read into are
 * marked dirty, and buffers that are not RAM get an error status, never a
 * host access.  Also the vectored block calls (block.c, file.c) with
 * O_DIRECT alignment and the non-blocking read.
 */
#include "emu/osdep.h"

#include <fcntl.h>

#include "block-protocols/blk-backend.h"
#include "emu/blk/drive.h"
#include "emu/cli/keyval.h"
#include "emu/hw/ide.h"
#include "emu/hw/isa.h"
#include "emu/hw/pci.h"
#include "emu/hw/piix-ide.h"
#include "emu/hw/virtio/virtio-blk.h"
#include "emu/hw/virtio/virtio-pci.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "tests/unit/test.h"

#define RAM0 (1u << 20)
#define RAM1 (1u << 20)

static struct mem_region ram0, ram1, mmio;
static struct addr_space *mem, *io;
static struct virtio_pci *vp;
static char img[64], img2[64];

static uint64_t mmio_read(void *o, uint64_t off, unsigned size)
{
    return 0;
}

static void mmio_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
}

static const struct mem_ops mmio_ops = { .read = mmio_read,
                                         .write = mmio_write };

static void setup_machine(void)
{
    loop_init();
    mem = as_new("mem", 1ULL << 32, 0);
    io = as_new("io", 1 << 16, ~0ULL);
    /* Two RAM regions back to back: a buffer may cross from one to the
     * other, and must be split into two host pieces. */
    if (mem_region_init_ram(&ram0, "ram0", RAM0, NULL) < 0 ||
        mem_region_init_ram(&ram1, "ram1", RAM1, NULL) < 0) {
        abort();
    }
    mem_region_init_io(&mmio, "mmio", 0x10000, &mmio_ops, NULL);
    as_map(mem, 0, &ram0, 0, RAM0, 0);
    as_map(mem, RAM0, &ram1, 0, RAM1, 0);
    as_map(mem, 0x400000, &mmio, 0, 0x10000, 0);
    pci_default_bus = pci_bus_new(mem, io);
    snprintf(img, sizeof(img), "/tmp/blkdma-test.%d", (int)getpid());
    int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 1 << 20) < 0) {
        abort();
    }
    close(fd);
    char arg[128];
    snprintf(arg, sizeof(arg), "file=%s,format=raw,if=none,id=d0", img);
    struct err *e = NULL;
    if (drive_add_option(arg, &e) < 0 || drive_init_all(&e) < 0) {
        abort();
    }
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "drive", "d0");
    vp = (struct virtio_pci *)dev_create(&virtio_blk_pci_type, kv, &e);
    kvlist_free(kv);
    if (!vp) {
        abort();
    }
}

static uint8_t *gpa(uint64_t a)
{
    return a < RAM0 ? ram0.ram + a : ram1.ram + (a - RAM0);
}

static void put_desc(int i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    uint8_t *d = gpa(0x1000 + 16 * i);
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
}

/* One request: header at 0x8000, data [data, data+len), status at
 * 0x9000; returns the status byte the device wrote. */
static int vblk_req(uint32_t type, uint64_t sector, uint64_t data,
                    uint32_t len)
{
    struct virtqueue *vq = &vp->vq[0];
    uint8_t *h = gpa(0x8000);
    memcpy(h, &type, 4);
    memset(h + 4, 0, 4);
    memcpy(h + 8, &sector, 8);
    *gpa(0x9000) = 0xee;
    bool in = type == 0;
    put_desc(0, 0x8000, 16, 1, 1);
    put_desc(1, data, len, 1 | (in ? 2 : 0), 2);
    put_desc(2, 0x9000, 1, 2, 0);
    uint16_t idx;
    memcpy(&idx, gpa(vq->avail + 2), 2);
    uint16_t head = 0;
    memcpy(gpa(vq->avail + 4 + 2 * (idx % vq->num)), &head, 2);
    idx++;
    memcpy(gpa(vq->avail + 2), &idx, 2);
    vp->ops->notify(vp, 0);
    blk_drain_all();
    return *gpa(0x9000);
}

static void start_queue(void)
{
    virtio_pci_reset(vp);
    struct virtqueue *vq = &vp->vq[0];
    vq->num = 16;
    vq->desc = 0x1000;
    vq->avail = 0x1000 + 16 * 16;
    vq->used = 0x3000;
    vq->ready = true;
    vp->guest_features = 1ULL << VIRTIO_F_VERSION_1;
    memset(gpa(vq->avail), 0, 64);
    memset(gpa(vq->used), 0, 256);
}

TEST(virtio_blk_request_across_two_ram_regions)
{
    start_queue();
    /* 64 KiB straddling the boundary between ram0 and ram1. */
    uint64_t data = RAM0 - 0x5000;
    for (uint32_t i = 0; i < 0x10000; i++) {
        *gpa(data + i) = (uint8_t)(i * 7 + 3);
    }
    EXPECT_EQ(vblk_req(1, 8, data, 0x10000), 0);
    uint8_t back[0x10000];
    struct blk *b = blk_find("d0");
    EXPECT_EQ(blk_pread(b, 8 * 512, back, sizeof(back)), 0);
    bool same = true;
    for (uint32_t i = 0; i < sizeof(back); i++) {
        same &= back[i] == (uint8_t)(i * 7 + 3);
    }
    EXPECT(same);
    /* Read it back into other memory across the boundary too. */
    uint64_t dst = RAM0 - 0x3000;
    for (uint32_t i = 0; i < 0x10000; i++) {
        *gpa(dst + i) = 0;    /* two host mappings: byte by byte */
    }
    mem_region_test_clear_dirty(&ram1, 0, RAM1, 1);
    EXPECT_EQ(vblk_req(0, 8, dst, 0x10000), 0);
    same = true;
    for (uint32_t i = 0; i < 0x10000; i++) {
        same &= *gpa(dst + i) == (uint8_t)(i * 7 + 3);
    }
    EXPECT(same);
    /* The device wrote ram1's pages: dirty for the CPUs and the log. */
    EXPECT(mem_region_test_clear_dirty(&ram1, 0, 0x10000 - 0x3000, 1));
    uint32_t used_len;
    memcpy(&used_len, gpa(0x3000 + 4 + 8 * 1 + 4), 4);
    EXPECT_EQ(used_len, 0x10000 + 1);
}

TEST(virtio_blk_buffer_outside_ram_is_an_error)
{
    start_queue();
    /* MMIO, unassigned, and RAM running into unassigned space. */
    EXPECT_EQ(vblk_req(0, 0, 0x400000, 4096), 1);
    EXPECT_EQ(vblk_req(1, 0, 0x400000, 4096), 1);
    EXPECT_EQ(vblk_req(0, 0, 0x800000, 4096), 1);
    EXPECT_EQ(vblk_req(0, 0, RAM0 + RAM1 - 0x800, 4096), 1);
    /* The queue still works afterwards. */
    EXPECT_EQ(vblk_req(0, 0, 0x20000, 4096), 0);
}

TEST(virtio_blk_event_idx_and_msix)
{
    /* As QEMU's: two MSI-X vectors by default, event indexes offered. */
    EXPECT_EQ(vp->msix.nvec, 2);
    EXPECT(vp->ops->features(vp) & (1ULL << VIRTIO_F_RING_EVENT_IDX));
    start_queue();
    struct virtqueue *vq = &vp->vq[0];
    vp->guest_features |= 1ULL << VIRTIO_F_RING_EVENT_IDX;
    vq->event_idx = true;
    uint16_t ev;
    EXPECT_EQ(vblk_req(0, 0, 0x20000, 4096), 0);
    /* The ring ran empty: avail_event names the next chain, so that the
     * driver's next kick is not suppressed. */
    memcpy(&ev, gpa(vq->used + 4 + 8 * vq->num), 2);
    EXPECT_EQ(ev, 1);
    EXPECT_EQ(vblk_req(1, 0, 0x20000, 4096), 0);
    memcpy(&ev, gpa(vq->used + 4 + 8 * vq->num), 2);
    EXPECT_EQ(ev, 2);
    /* used_event = 5: the completion of chain 3 interrupts nobody. */
    uint16_t ue = 5;
    memcpy(gpa(vq->avail + 4 + 2 * vq->num), &ue, 2);
    EXPECT(!vq_should_notify(vq));
    /* Past it, the interrupt is due again. */
    vq->used_idx = 6;
    EXPECT(vq_should_notify(vq));
    vq->used_idx = 2;
}

/* The same request as vblk_req through one indirect table at 0xa000. */
static int vblk_req_indirect(uint32_t type, uint64_t data, uint32_t len,
                             uint32_t table_len, uint16_t head_flags)
{
    struct virtqueue *vq = &vp->vq[0];
    uint8_t *h = gpa(0x8000);
    memcpy(h, &type, 4);
    memset(h + 4, 0, 12);
    *gpa(0x9000) = 0xee;
    uint8_t save[16 * 3];
    memcpy(save, gpa(0x1000), sizeof(save));
    put_desc(0, 0x8000, 16, 1, 1);
    put_desc(1, data, len, 1 | (type == 0 ? 2 : 0), 2);
    put_desc(2, 0x9000, 1, 2, 0);
    memcpy(gpa(0xa000), gpa(0x1000), sizeof(save));
    memcpy(gpa(0x1000), save, sizeof(save));
    put_desc(5, 0xa000, table_len, head_flags, 0);
    uint16_t idx;
    memcpy(&idx, gpa(vq->avail + 2), 2);
    uint16_t head = 5;
    memcpy(gpa(vq->avail + 4 + 2 * (idx % vq->num)), &head, 2);
    idx++;
    memcpy(gpa(vq->avail + 2), &idx, 2);
    vp->ops->notify(vp, 0);
    blk_drain_all();
    return *gpa(0x9000);
}

TEST(virtio_blk_indirect_descriptors)
{
    EXPECT(vp->ops->features(vp) & (1ULL << VIRTIO_RING_F_INDIRECT_DESC));
    start_queue();
    struct virtqueue *vq = &vp->vq[0];
    /* Not negotiated: an indirect descriptor breaks the queue. */
    EXPECT_EQ(vblk_req_indirect(0, 0x20000, 4096, 48, 4), 0xee);
    EXPECT(!vq->ready && (vp->status & 0x40));
    start_queue();
    vq->indirect = true;
    for (uint32_t i = 0; i < 4096; i++) {
        *gpa(0x20000 + i) = (uint8_t)(i ^ 0x5a);
    }
    EXPECT_EQ(vblk_req_indirect(1, 0x20000, 4096, 48, 4), 0);
    memset(gpa(0x30000), 0, 4096);
    EXPECT_EQ(vblk_req_indirect(0, 0x30000, 4096, 48, 4), 0);
    EXPECT(!memcmp(gpa(0x20000), gpa(0x30000), 4096));
    /* A table that is not whole descriptors, an empty one, and INDIRECT
     * with NEXT are malformed. */
    EXPECT_EQ(vblk_req_indirect(0, 0x30000, 4096, 40, 4), 0xee);
    EXPECT(!vq->ready);
    start_queue();
    vq->indirect = true;
    EXPECT_EQ(vblk_req_indirect(0, 0x30000, 4096, 0, 4), 0xee);
    EXPECT(!vq->ready);
    start_queue();
    vq->indirect = true;
    EXPECT_EQ(vblk_req_indirect(0, 0x30000, 4096, 48, 5), 0xee);
    EXPECT(!vq->ready);
    /* A table past RAM, and a nested indirect descriptor inside one. */
    start_queue();
    vq->indirect = true;
    static struct vq_elem el;
    uint16_t head = 5, one = 1;
    put_desc(5, 0x7fff000, 48, 4, 0);
    memcpy(gpa(vq->avail + 4), &head, 2);
    memcpy(gpa(vq->avail + 2), &one, 2);
    EXPECT_EQ(vq_pop(vq, &el), -1);
    start_queue();
    vq->indirect = true;
    memset(gpa(0xa000), 0, 32);
    uint64_t a = 0xa000;
    uint32_t l = 32;
    uint16_t f = 4;
    memcpy(gpa(0xa000), &a, 8);
    memcpy(gpa(0xa008), &l, 4);
    memcpy(gpa(0xa00c), &f, 2);
    put_desc(5, 0xa000, 32, 4, 0);
    memcpy(gpa(vq->avail + 4), &head, 2);
    memcpy(gpa(vq->avail + 2), &one, 2);
    EXPECT_EQ(vq_pop(vq, &el), -1);
}

TEST(virtio_blk_vectors_limit)
{
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "drive", "d0");
    kv_set(kv, "vectors", "65");
    struct err *err = NULL;
    struct device *d = dev_create(&virtio_blk_pci_type, kv, &err);
    kvlist_free(kv);
    EXPECT(d == NULL);
    EXPECT(err && strstr(err->msg, "vectors"));
}

TEST(vectored_io_and_nowait_read_on_file)
{
    struct err *e = NULL;
    snprintf(img2, sizeof(img2), "/var/tmp/blkdma-test2.%d", (int)getpid());
    int fd = open(img2, O_RDWR | O_CREAT | O_TRUNC, 0600);
    EXPECT(fd >= 0 && ftruncate(fd, 1 << 20) == 0);
    close(fd);
    struct bdrv *bs = bdrv_open(img2, "raw", NULL, BDRV_O_RDWR, &e);
    EXPECT(bs != NULL);
    if (!bs) {
        return;
    }
    uint8_t a[700], b[1348];
    for (unsigned i = 0; i < sizeof(a); i++) {
        a[i] = i;
    }
    for (unsigned i = 0; i < sizeof(b); i++) {
        b[i] = 255 - i;
    }
    struct iovec v[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
    EXPECT_EQ(bdrv_pwritev(bs, 4096, v, 2), 0);
    uint8_t flat[2048];
    EXPECT_EQ(bdrv_pread(bs, 4096, flat, sizeof(flat)), 0);
    EXPECT(!memcmp(flat, a, sizeof(a)));
    EXPECT(!memcmp(flat + sizeof(a), b, sizeof(b)));
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    /* Just written: in the page cache, so the non-blocking read works. */
    EXPECT_EQ(bdrv_preadv_nowait(bs, 4096, v, 2), 0);
    EXPECT(!memcmp(flat, a, sizeof(a)));
    EXPECT(!memcmp(flat + sizeof(a), b, sizeof(b)));
    memset(b, 0, sizeof(b));
    EXPECT_EQ(bdrv_preadv(bs, 4096, v, 2), 0);
    EXPECT(!memcmp(flat + sizeof(a), b, sizeof(b)));
    /* Past the end of the image: refused before any I/O. */
    EXPECT(bdrv_preadv(bs, (1 << 20) - 1024, v, 2) < 0);
    bdrv_close(bs);

    /* O_DIRECT: unaligned vectors bounce, a direct read never "now". */
    bs = bdrv_open(img2, "raw", NULL, BDRV_O_RDWR | BDRV_O_NOCACHE, &e);
    if (!bs) {
        err_free(e);
        return;     /* a filesystem without O_DIRECT (tmpfs) */
    }
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    EXPECT_EQ(bdrv_preadv(bs, 4096, v, 2), 0);
    EXPECT(!memcmp(flat, a, sizeof(a)));
    EXPECT(!memcmp(flat + sizeof(a), b, sizeof(b)));
    EXPECT_EQ(bdrv_preadv_nowait(bs, 4096, v, 2), -EAGAIN);
    bdrv_close(bs);
}

/* ---- IDE: PIIX bus master DMA with a PRD table ---- */

static void no_irq(void *opaque, int n, int level)
{
}

static struct isa_bus isa;
static char ideimg[64];

static void ide_setup(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;
    isa.io = io;
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        isa.irq[i] = (struct irq_line){ no_irq, NULL, i };
    }
    struct err *e = NULL;
    struct piix_ide *p = piix_ide_create(pci_default_bus, &isa, &e);
    snprintf(ideimg, sizeof(ideimg), "/var/tmp/blkdma-ide.%d", (int)getpid());
    int fd = open(ideimg, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (!p || fd < 0 || ftruncate(fd, 1 << 20) < 0) {
        abort();
    }
    close(fd);
    struct bdrv *bs = bdrv_open(ideimg, "raw", NULL, BDRV_O_RDWR, &e);
    if (!bs || ide_attach(piix_ide_bus(p, 0), 0, blk_new("ide-t", bs), false,
                          -1, &e) < 0) {
        abort();
    }
    /* BAR 4 (bus master) at 0xc000, I/O decoding and bus mastering on. */
    pci_config_write(pci_default_bus, 0x09, 0x20, 0xc001, 4);
    pci_config_write(pci_default_bus, 0x09, 0x04, 0x05, 2);
}

static void put32(uint64_t a, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        *gpa(a + i) = v >> (8 * i);
    }
}

/* One DMA command over the PRD table at 0x10000; the status register. */
static int ide_dma(uint8_t cmd, uint32_t lba, uint8_t nsec, bool to_mem)
{
    as_write(io, 0xc002, 0x06, 1);          /* clear ERROR and INT */
    as_write(io, 0xc004, 0x10000, 4);
    as_write(io, 0xc000, to_mem ? 0x08 : 0, 1);
    as_write(io, 0x1f6, 0xe0, 1);
    as_write(io, 0x1f2, nsec, 1);
    as_write(io, 0x1f3, lba, 1);
    as_write(io, 0x1f4, lba >> 8, 1);
    as_write(io, 0x1f5, lba >> 16, 1);
    as_write(io, 0x1f7, cmd, 1);
    as_write(io, 0xc000, (to_mem ? 0x08 : 0) | 1, 1);   /* start */
    blk_drain_all();
    as_write(io, 0xc000, 0, 1);
    return (int)as_read(io, 0x1f7, 1);
}

TEST(ide_dma_prd_across_two_ram_regions)
{
    ide_setup();
    /* PRD 0: 4 KiB across the ram0/ram1 boundary; PRD 1: 512 bytes, end. */
    put32(0x10000, RAM0 - 0x800);
    put32(0x10004, 0x1000);
    put32(0x10008, 0x30000);
    put32(0x1000c, 0x80000200u);
    for (uint32_t i = 0; i < 0x1000; i++) {
        *gpa(RAM0 - 0x800 + i) = (uint8_t)(i * 13 + 1);
    }
    for (uint32_t i = 0; i < 0x200; i++) {
        *gpa(0x30000 + i) = (uint8_t)(i ^ 0x5a);
    }
    EXPECT_EQ(ide_dma(0xca, 4, 9, false), 0x50);   /* WRITE DMA */
    uint8_t back[0x1200];
    EXPECT_EQ(blk_pread(blk_find("ide-t"), 4 * 512, back, sizeof(back)), 0);
    bool same = true;
    for (uint32_t i = 0; i < 0x1000; i++) {
        same &= back[i] == (uint8_t)(i * 13 + 1);
    }
    for (uint32_t i = 0; i < 0x200; i++) {
        same &= back[0x1000 + i] == (uint8_t)(i ^ 0x5a);
    }
    EXPECT(same);
    /* READ DMA into cleared buffers: the same bytes come back. */
    for (uint32_t i = 0; i < 0x1000; i++) {
        *gpa(RAM0 - 0x800 + i) = 0;
    }
    memset(gpa(0x30000), 0, 0x200);
    mem_region_test_clear_dirty(&ram1, 0, RAM1, 1);
    EXPECT_EQ(ide_dma(0xc8, 4, 9, true), 0x50);
    same = true;
    for (uint32_t i = 0; i < 0x1000; i++) {
        same &= *gpa(RAM0 - 0x800 + i) == (uint8_t)(i * 13 + 1);
    }
    for (uint32_t i = 0; i < 0x200; i++) {
        same &= *gpa(0x30000 + i) == (uint8_t)(i ^ 0x5a);
    }
    EXPECT(same);
    EXPECT(mem_region_test_clear_dirty(&ram1, 0, 0x800, 1));
    EXPECT_EQ(as_read(io, 0xc002, 1) & 0x02, 0);
}

TEST(ide_dma_prd_outside_ram_is_an_error)
{
    ide_setup();
    put32(0x10000, 0x400000);           /* MMIO */
    put32(0x10004, 0x80000200u);
    EXPECT_EQ(ide_dma(0xc8, 0, 1, true), 0x41);    /* DRDY | ERR */
    EXPECT_EQ(as_read(io, 0xc002, 1) & 0x02, 0x02); /* bus master ERROR */
    EXPECT_EQ(ide_dma(0xca, 0, 1, false), 0x41);
    put32(0x10000, RAM0 + RAM1 - 0x100);  /* runs past the end of RAM */
    EXPECT_EQ(ide_dma(0xc8, 0, 1, true), 0x41);
    /* A good table works again afterwards. */
    put32(0x10000, 0x30000);
    EXPECT_EQ(ide_dma(0xc8, 0, 1, true), 0x50);
}

static void setup(void) __attribute__((constructor(200)));
static void setup(void)
{
    setup_machine();
}

static void cleanup(void) __attribute__((destructor));
static void cleanup(void)
{
    unlink(img);
    if (img2[0]) {
        unlink(img2);
    }
    if (ideimg[0]) {
        unlink(ideimg);
    }
}

TEST_MAIN()
