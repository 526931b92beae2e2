/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw_cfg.c - the firmware configuration device (QEMU docs/specs/fw_cfg):
 * a 16-bit selector, a byte-wide data port that streams the selected item,
 * the file directory (big-endian count, then {be32 size, be16 select,
 * be16 reserved, char name[56]} per file), and the DMA interface whose
 * descriptor {be32 control, be32 length, be64 address} lives in guest
 * memory.  Everything the guest hands over is bounds-checked.
 */
#include "emu/osdep.h"

#include "emu/hw/fw_cfg.h"
#include "emu/mem/mem.h"
#include "emu/util/cutils.h"

#define DMA_CTL_ERROR 0x01
#define DMA_CTL_READ 0x02
#define DMA_CTL_SKIP 0x04
#define DMA_CTL_SELECT 0x08
#define DMA_CTL_WRITE 0x10

/* "QEMU CFG", what a read of the DMA address register returns. */
#define DMA_SIGNATURE 0x51454d5520434647ULL

struct item {
    uint16_t key;
    uint8_t *data;
    uint32_t len;
    char name[FW_CFG_FILE_NAME_LEN];    /* files only */
};

struct fw_cfg {
    struct addr_space *mem;
    struct mem_region comb, dma;
    struct item *items;
    int nitems;
    int nfiles;
    uint16_t cur_key;
    uint32_t cur_off;
    uint32_t dma_hi;
};

static struct item *find(struct fw_cfg *f, uint16_t key)
{
    for (int i = 0; i < f->nitems; i++) {
        if (f->items[i].key == key) {
            return &f->items[i];
        }
    }
    return NULL;
}

static void set_item(struct fw_cfg *f, uint16_t key, const void *data,
                     size_t len, const char *name)
{
    struct item *it = find(f, key);
    if (!it) {
        f->items = xrealloc(f->items, (f->nitems + 1) * sizeof(*f->items));
        it = &f->items[f->nitems++];
        memset(it, 0, sizeof(*it));
        it->key = key;
    }
    free(it->data);
    it->data = xmalloc(len ? len : 1);
    memcpy(it->data, data, len);
    it->len = (uint32_t)len;
    if (name) {
        snprintf(it->name, sizeof(it->name), "%s", name);
    }
}

void fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data,
                      size_t len)
{
    set_item(f, key, data, len, NULL);
}

void fw_cfg_add_i16(struct fw_cfg *f, uint16_t key, uint16_t v)
{
    uint8_t b[2] = { v, v >> 8 };
    set_item(f, key, b, 2, NULL);
}

void fw_cfg_add_i32(struct fw_cfg *f, uint16_t key, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++) {
        b[i] = v >> (8 * i);
    }
    set_item(f, key, b, 4, NULL);
}

void fw_cfg_add_i64(struct fw_cfg *f, uint16_t key, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++) {
        b[i] = v >> (8 * i);
    }
    set_item(f, key, b, 8, NULL);
}

void fw_cfg_add_string(struct fw_cfg *f, uint16_t key, const char *s)
{
    set_item(f, key, s, strlen(s) + 1, NULL);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void rebuild_dir(struct fw_cfg *f)
{
    size_t len = 4 + (size_t)f->nfiles * 64;
    uint8_t *dir = xzalloc(len);
    put_be32(dir, f->nfiles);
    int n = 0;
    for (int i = 0; i < f->nitems; i++) {
        struct item *it = &f->items[i];
        if (it->key < FW_CFG_FILE_FIRST || it->key >= FW_CFG_WRITE_CHANNEL) {
            continue;
        }
        uint8_t *e = dir + 4 + 64 * n++;
        put_be32(e, it->len);
        put_be16(e + 4, it->key);
        memcpy(e + 8, it->name, FW_CFG_FILE_NAME_LEN);
    }
    set_item(f, FW_CFG_FILE_DIR, dir, len, NULL);
    free(dir);
}

int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data,
                    size_t len)
{
    if (strlen(name) >= FW_CFG_FILE_NAME_LEN || len > UINT32_MAX) {
        return -1;
    }
    for (int i = 0; i < f->nitems; i++) {
        if (f->items[i].key >= FW_CFG_FILE_FIRST &&
            f->items[i].key < FW_CFG_WRITE_CHANNEL &&
            !strcmp(f->items[i].name, name)) {
            set_item(f, f->items[i].key, data, len, name);
            rebuild_dir(f);
            return 0;
        }
    }
    if (f->nfiles == FW_CFG_MAX_FILES) {
        return -1;
    }
    set_item(f, FW_CFG_FILE_FIRST + f->nfiles++, data, len, name);
    rebuild_dir(f);
    return 0;
}

const uint8_t *fw_cfg_file(struct fw_cfg *f, const char *name, size_t *len)
{
    for (int i = 0; i < f->nitems; i++) {
        if (f->items[i].key >= FW_CFG_FILE_FIRST &&
            f->items[i].key < FW_CFG_WRITE_CHANNEL &&
            !strcmp(f->items[i].name, name)) {
            *len = f->items[i].len;
            return f->items[i].data;
        }
    }
    return NULL;
}

static void select_key(struct fw_cfg *f, uint16_t key)
{
    f->cur_key = key;
    f->cur_off = 0;
}

/* ---------------------------------------------------------------------------
 * Ports
 */

/* The selector (a 16-bit write at offset 0) and the data port (byte
 * accesses at offset 1) form one 2-byte region, as on QEMU's pc; two
 * separate regions would make the selector's outw straddle the data port. */
static uint64_t comb_read(void *opaque, uint64_t off, unsigned size)
{
    struct fw_cfg *f = opaque;
    if (off != 1 || size != 1) {
        return 0;
    }
    /* The write bit only says "may be written"; reads ignore it. */
    struct item *it = find(f, f->cur_key & ~FW_CFG_WRITE_CHANNEL);
    if (!it || f->cur_off >= it->len) {
        return 0;
    }
    return it->data[f->cur_off++];
}

static void comb_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    if (off == 0 && size == 2) {
        select_key(opaque, (uint16_t)val);
    }
    /* Byte writes to the data port have been ignored since QEMU 2.4. */
}

static void dma_transfer(struct fw_cfg *f, uint64_t desc_addr)
{
    uint8_t d[16];
    if (as_rw(f->mem, desc_addr, d, sizeof(d), false) < 0) {
        return;     /* no memory there to report an error into */
    }
    uint32_t control = (uint32_t)d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
    uint32_t length = (uint32_t)d[4] << 24 | d[5] << 16 | d[6] << 8 | d[7];
    uint64_t addr = 0;
    for (int i = 8; i < 16; i++) {
        addr = addr << 8 | d[i];
    }
    bool error = false;
    if (control & DMA_CTL_SELECT) {
        select_key(f, control >> 16);
    }
    struct item *it = find(f, f->cur_key & ~FW_CFG_WRITE_CHANNEL);
    if (control & DMA_CTL_READ) {
        /* Copy what the item has, then zeros for the rest. */
        uint32_t avail = it && f->cur_off < it->len ? it->len - f->cur_off : 0;
        uint32_t n = MIN(avail, length);
        if (n && as_rw(f->mem, addr, it->data + f->cur_off, n, true) < 0) {
            error = true;
        }
        static const uint8_t zeros[4096];
        for (uint64_t done = n; done < length && !error;) {
            uint64_t chunk = MIN((uint64_t)sizeof(zeros), length - done);
            if (as_rw(f->mem, addr + done, (void *)zeros, chunk, true) < 0) {
                error = true;
            }
            done += chunk;
        }
        f->cur_off += n;
    } else if (control & DMA_CTL_WRITE) {
        /* No item of hemu's is guest-writable yet. */
        error = true;
    } else if (control & DMA_CTL_SKIP) {
        uint32_t avail = it && f->cur_off < it->len ? it->len - f->cur_off : 0;
        f->cur_off += MIN(avail, length);
    }
    uint8_t status[4] = { 0, 0, 0, error ? DMA_CTL_ERROR : 0 };
    as_rw(f->mem, desc_addr, status, 4, true);
}

static uint64_t dma_read(void *opaque, uint64_t off, unsigned size)
{
    /* The signature, big-endian, as if the 8 bytes were one register. */
    uint64_t v = 0;
    for (unsigned i = 0; i < size && off + i < 8; i++) {
        uint8_t b = DMA_SIGNATURE >> (8 * (7 - (off + i)));
        v |= (uint64_t)b << (8 * i);
    }
    return v;
}

static uint32_t bswap32(uint32_t v)
{
    return __builtin_bswap32(v);
}

static void dma_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct fw_cfg *f = opaque;
    /* The address register is big-endian: the guest byte-swaps before
     * outl.  Writing the low half starts the transfer. */
    if (size != 4) {
        return;
    }
    if (off == 0) {
        f->dma_hi = bswap32((uint32_t)val);
    } else if (off == 4) {
        uint64_t a = (uint64_t)f->dma_hi << 32 | bswap32((uint32_t)val);
        f->dma_hi = 0;
        dma_transfer(f, a);
    }
}

static const struct mem_ops comb_ops = {
    .read = comb_read, .write = comb_write, .valid_min = 1, .valid_max = 2,
};
static const struct mem_ops dma_ops = {
    .read = dma_read, .write = dma_write, .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

struct fw_cfg *fw_cfg_new(struct addr_space *io, uint16_t io_base,
                          struct addr_space *mem)
{
    struct fw_cfg *f = xzalloc(sizeof(*f));
    f->mem = mem;
    mem_region_init_io(&f->comb, "fwcfg", 2, &comb_ops, f);
    as_map(io, io_base, &f->comb, 0, 2, 0);
    if (mem) {
        mem_region_init_io(&f->dma, "fwcfg.dma", 8, &dma_ops, f);
        as_map(io, io_base + 4, &f->dma, 0, 8, 0);
    }
    set_item(f, FW_CFG_SIGNATURE, "QEMU", 4, NULL);
    /* ID bit 0: the traditional interface; bit 1: DMA. */
    fw_cfg_add_i32(f, FW_CFG_ID, mem ? 3 : 1);
    rebuild_dir(f);
    return f;
}

void fw_cfg_free(struct fw_cfg *f)
{
    for (int i = 0; i < f->nitems; i++) {
        free(f->items[i].data);
    }
    free(f->items);
    free(f);
}

void fw_cfg_reset(struct fw_cfg *f)
{
    select_key(f, 0);
    f->dma_hi = 0;
}
