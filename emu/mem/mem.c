/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mem.c - regions, address spaces, the flattened map and accesses through
 * it (see mem.h).  Access-size adaptation follows the rule DESIGN.md takes
 * from QEMU: devices declare the sizes they accept apart from the sizes
 * their callbacks implement, and the core splits or widens accesses.
 */
#include "emu/osdep.h"
#include <sys/mman.h>

#include "emu/mem/mem.h"
#include "emu/util/cutils.h"   /* xzalloc */
#include "emu/util/err.h"
#include "emu/util/log.h"      /* LOG_GUEST_ERROR */

#define PAGE_BITS 12
#define PAGE_SIZE (1ULL << PAGE_BITS)

/* ---------------------------------------------------------------------------
 * Regions
 */

void mem_region_init_io(struct mem_region *mr, const char *name, uint64_t size,
                        const struct mem_ops *ops, void *opaque)
{
    memset(mr, 0, sizeof(*mr));
    mr->name = name;
    mr->size = size;
    mr->ops = ops;
    mr->opaque = opaque;
}

static int init_host_fd(struct mem_region *mr, const char *name,
                        uint64_t size, unsigned flags, int fd, bool shared,
                        struct err **errp)
{
    memset(mr, 0, sizeof(*mr));
    mr->name = name;
    mr->size = size;
    mr->flags = flags;
    mr->fd = fd;
    mr->has_fd = fd >= 0;
    mr->shared = shared;
    /* mmap gives zeroed, page-aligned memory that the kernel only backs
     * when touched, so a large -m costs nothing until the guest uses it. */
    void *p = mmap(NULL, size ? size : PAGE_SIZE, PROT_READ | PROT_WRITE,
                   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_NORESERVE |
                   (fd < 0 ? MAP_ANONYMOUS : 0), fd, 0);
    if (p == MAP_FAILED) {
        err_setf(errp, "cannot allocate %" PRIu64 " bytes for %s: %s", size,
                 name, strerror(errno));
        return -1;
    }
    mr->ram = p;
    mr->dirty = xzalloc((size + PAGE_SIZE - 1) >> PAGE_BITS);
    mr->code = xzalloc(((size + PAGE_SIZE - 1) >> PAGE_BITS) *
                       sizeof(*mr->code));
    return 0;
}

int mem_region_init_ram(struct mem_region *mr, const char *name, uint64_t size,
                        struct err **errp)
{
    return init_host_fd(mr, name, size, MR_RAM, -1, false, errp);
}

int mem_region_init_ram_fd(struct mem_region *mr, const char *name,
                           uint64_t size, int fd, bool shared,
                           struct err **errp)
{
    return init_host_fd(mr, name, size, MR_RAM, fd, shared, errp);
}

int mem_region_init_rom(struct mem_region *mr, const char *name, uint64_t size,
                        struct err **errp)
{
    return init_host_fd(mr, name, size, MR_ROM, -1, false, errp);
}

void mem_region_destroy(struct mem_region *mr)
{
    if (mr->ram) {
        munmap(mr->ram, mr->size ? mr->size : PAGE_SIZE);
    }
    free(mr->dirty);
    free(mr->code);
    memset(mr, 0, sizeof(*mr));
}

void mem_region_set_dirty(struct mem_region *mr, uint64_t off, uint64_t len)
{
    if (!mr->dirty || !len || off >= mr->size) {
        return;
    }
    uint64_t last = MIN(off + len - 1, mr->size - 1);
    for (uint64_t p = off >> PAGE_BITS; p <= last >> PAGE_BITS; p++) {
        mr->dirty[p] = 0xff;
        if (mr->code) {
            /* after the bytes: a CPU that sees the new gen decodes them */
            __atomic_add_fetch(&mr->code[p].gen, 1, __ATOMIC_SEQ_CST);
        }
    }
}

bool mem_region_test_clear_dirty(struct mem_region *mr, uint64_t off,
                                 uint64_t len, uint8_t client)
{
    bool any = false;
    if (!mr->dirty || !len || off >= mr->size) {
        return false;
    }
    uint64_t last = MIN(off + len - 1, mr->size - 1);
    for (uint64_t p = off >> PAGE_BITS; p <= last >> PAGE_BITS; p++) {
        any |= (mr->dirty[p] & client) != 0;
        mr->dirty[p] &= ~client;
    }
    return any;
}

/* ---------------------------------------------------------------------------
 * Address spaces and flattening
 */

struct as_mapping {
    uint64_t base, size, off;
    struct mem_region *mr;
    int priority;
    unsigned seq;           /* creation order breaks priority ties */
    bool live;
};

struct flat_range {
    uint64_t start, end;    /* [start, end) */
    struct mem_region *mr;
    uint64_t off;           /* offset into mr at start */
};

struct listener {
    void (*changed)(void *opaque);
    void *opaque;
};

struct addr_space {
    const char *name;
    uint64_t size;
    uint64_t unassigned;
    struct as_mapping **maps;
    int nmaps, capmaps;
    unsigned seq;
    struct flat_range *flat;
    int nflat;
    struct listener *listeners;
    int nlisteners;
    int batch;
    bool stale;
};

struct addr_space *as_new(const char *name, uint64_t size, uint64_t unassigned)
{
    struct addr_space *as = xzalloc(sizeof(*as));
    as->name = name;
    as->size = size;
    as->unassigned = unassigned;
    return as;
}

void as_free(struct addr_space *as)
{
    for (int i = 0; i < as->nmaps; i++) {
        free(as->maps[i]);
    }
    free(as->maps);
    free(as->flat);
    free(as->listeners);
    free(as);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void rebuild(struct addr_space *as)
{
    /* Every mapping edge is a potential range boundary. */
    uint64_t *pts = xmalloc((2 * as->nmaps + 2) * sizeof(*pts));
    int npts = 0;
    for (int i = 0; i < as->nmaps; i++) {
        struct as_mapping *m = as->maps[i];
        pts[npts++] = m->base;
        pts[npts++] = m->base + m->size;
    }
    qsort(pts, npts, sizeof(*pts), cmp_u64);

    free(as->flat);
    as->flat = xmalloc((npts + 1) * sizeof(*as->flat));
    as->nflat = 0;
    for (int i = 0; i + 1 < npts; i++) {
        uint64_t a = pts[i], b = pts[i + 1];
        if (a == b) {
            continue;
        }
        struct as_mapping *win = NULL;
        for (int k = 0; k < as->nmaps; k++) {
            struct as_mapping *m = as->maps[k];
            if (m->base <= a && a < m->base + m->size &&
                (!win || m->priority > win->priority ||
                 (m->priority == win->priority && m->seq > win->seq))) {
                win = m;
            }
        }
        if (!win) {
            continue;
        }
        uint64_t off = win->off + (a - win->base);
        struct flat_range *prev = as->nflat ? &as->flat[as->nflat - 1] : NULL;
        if (prev && prev->end == a && prev->mr == win->mr &&
            prev->off + (prev->end - prev->start) == off) {
            prev->end = b;
        } else {
            as->flat[as->nflat++] = (struct flat_range){ a, b, win->mr, off };
        }
    }
    free(pts);
    as->stale = false;
    for (int i = 0; i < as->nlisteners; i++) {
        as->listeners[i].changed(as->listeners[i].opaque);
    }
}

static void changed(struct addr_space *as)
{
    as->stale = true;
    if (!as->batch) {
        rebuild(as);
    }
}

void as_foreach_range(struct addr_space *as,
                      void (*fn)(void *opaque, uint64_t base, uint64_t len,
                                 struct mem_region *mr, uint64_t off),
                      void *opaque)
{
    for (int i = 0; i < as->nflat; i++) {
        struct flat_range *r = &as->flat[i];
        fn(opaque, r->start, r->end - r->start, r->mr, r->off);
    }
}

void as_begin(struct addr_space *as)
{
    as->batch++;
}

void as_commit(struct addr_space *as)
{
    if (--as->batch == 0 && as->stale) {
        rebuild(as);
    }
}

struct as_mapping *as_map(struct addr_space *as, uint64_t base,
                          struct mem_region *mr, uint64_t off, uint64_t size,
                          int priority)
{
    struct as_mapping *m = xzalloc(sizeof(*m));
    /* Clip to the region and to the address space. */
    if (off > mr->size) {
        off = mr->size;
    }
    size = MIN(size, mr->size - off);
    if (base >= as->size) {
        size = 0;
    } else {
        size = MIN(size, as->size - base);
    }
    *m = (struct as_mapping){ base, size, off, mr, priority, as->seq++, true };
    if (as->nmaps == as->capmaps) {
        as->capmaps = as->capmaps ? as->capmaps * 2 : 16;
        as->maps = xrealloc(as->maps, as->capmaps * sizeof(*as->maps));
    }
    as->maps[as->nmaps++] = m;
    changed(as);
    return m;
}

void as_unmap(struct addr_space *as, struct as_mapping *m)
{
    for (int i = 0; i < as->nmaps; i++) {
        if (as->maps[i] == m) {
            memmove(&as->maps[i], &as->maps[i + 1],
                    (as->nmaps - i - 1) * sizeof(*as->maps));
            as->nmaps--;
            free(m);
            changed(as);
            return;
        }
    }
}

void as_remap(struct addr_space *as, struct as_mapping *m, uint64_t base)
{
    if (m->base == base) {
        return;
    }
    uint64_t full = m->mr->size - m->off;
    m->base = base;
    m->size = base >= as->size ? 0 : MIN(full, as->size - base);
    changed(as);
}

void as_add_listener(struct addr_space *as, void (*fn)(void *opaque),
                     void *opaque)
{
    as->listeners = xrealloc(as->listeners,
                             (as->nlisteners + 1) * sizeof(*as->listeners));
    as->listeners[as->nlisteners++] = (struct listener){ fn, opaque };
}

struct mem_lookup as_lookup(struct addr_space *as, uint64_t addr)
{
    int lo = 0, hi = as->nflat - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        struct flat_range *r = &as->flat[mid];
        if (addr < r->start) {
            hi = mid - 1;
        } else if (addr >= r->end) {
            lo = mid + 1;
        } else {
            return (struct mem_lookup){ r->mr, r->off + (addr - r->start),
                                        r->end - addr };
        }
    }
    /* Unassigned: report how far the hole goes. */
    uint64_t next = lo < as->nflat ? as->flat[lo].start : as->size;
    return (struct mem_lookup){ NULL, 0, next > addr ? next - addr : 1 };
}

/* ---------------------------------------------------------------------------
 * Accesses
 */

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static bool size_valid(const struct mem_ops *ops, unsigned size)
{
    unsigned lo = ops->valid_min ? ops->valid_min : 1;
    unsigned hi = ops->valid_max ? ops->valid_max : 8;
    return size >= lo && size <= hi;
}

static void impl_range(const struct mem_ops *ops, unsigned *lo, unsigned *hi)
{
    *lo = ops->impl_min ? ops->impl_min : (ops->valid_min ? ops->valid_min : 1);
    *hi = ops->impl_max ? ops->impl_max : (ops->valid_max ? ops->valid_max : 8);
}

static uint64_t io_read(struct mem_region *mr, uint64_t off, unsigned size)
{
    unsigned lo, hi;
    impl_range(mr->ops, &lo, &hi);
    if (size < lo) {
        /* Widen: read the aligned implemented unit and extract. */
        uint64_t base = off & ~(uint64_t)(lo - 1);
        uint64_t v = mr->ops->read(mr->opaque, base, lo);
        return (v >> ((off - base) * 8)) & size_mask(size);
    }
    if (size > hi) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i += hi) {
            v |= (mr->ops->read(mr->opaque, off + i, hi) & size_mask(hi)) << (i * 8);
        }
        return v;
    }
    return mr->ops->read(mr->opaque, off, size) & size_mask(size);
}

static void io_write(struct mem_region *mr, uint64_t off, uint64_t val,
                     unsigned size)
{
    unsigned lo, hi;
    impl_range(mr->ops, &lo, &hi);
    if (size < lo) {
        /* Read-modify-write of the implemented unit. */
        uint64_t base = off & ~(uint64_t)(lo - 1);
        unsigned sh = (off - base) * 8;
        uint64_t v = mr->ops->read ? mr->ops->read(mr->opaque, base, lo) : 0;
        v = (v & ~(size_mask(size) << sh)) | ((val & size_mask(size)) << sh);
        mr->ops->write(mr->opaque, base, v, lo);
        return;
    }
    if (size > hi) {
        for (unsigned i = 0; i < size; i += hi) {
            mr->ops->write(mr->opaque, off + i, (val >> (i * 8)) & size_mask(hi), hi);
        }
        return;
    }
    mr->ops->write(mr->opaque, off, val & size_mask(size), size);
}

/*
 * An MMIO/port access goes whole to the region its first byte is in, as
 * long as it fits in that region, even where another mapping overlays the
 * following bytes: a register is decoded by its address.  The PC relies on
 * this at 0xcf8 (a 4-byte PCI index register) with the 1-byte reset
 * control register at 0xcf9 on top of it.  RAM accesses that straddle are
 * split.
 */
static bool whole_to_device(const struct mem_lookup *l, unsigned size)
{
    return l->mr && !l->mr->ram && l->off + size <= l->mr->size;
}

uint64_t as_read(struct addr_space *as, uint64_t addr, unsigned size)
{
    struct mem_lookup l = as_lookup(as, addr);
    if (l.len < size && !whole_to_device(&l, size)) {
        /* Straddles two ranges: assemble byte by byte. */
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            v |= as_read(as, addr + i, 1) << (i * 8);
        }
        return v;
    }
    if (!l.mr) {
        return as->unassigned & size_mask(size);
    }
    if (l.mr->ram) {
        uint64_t v = 0;
        memcpy(&v, l.mr->ram + l.off, size);     /* x86 hosts: little-endian */
        return v;
    }
    if (!size_valid(l.mr->ops, size) || !l.mr->ops->read) {
        if (log_enabled(LOG_GUEST_ERROR)) {
            log_printf("%s: invalid %u-byte read at 0x%" PRIx64 " (%s)\n",
                       as->name, size, addr, l.mr->name);
        }
        return as->unassigned & size_mask(size);
    }
    return io_read(l.mr, l.off, size);
}

void as_write(struct addr_space *as, uint64_t addr, uint64_t val, unsigned size)
{
    struct mem_lookup l = as_lookup(as, addr);
    if (l.len < size && !whole_to_device(&l, size)) {
        for (unsigned i = 0; i < size; i++) {
            as_write(as, addr + i, (val >> (i * 8)) & 0xff, 1);
        }
        return;
    }
    if (!l.mr) {
        return;
    }
    if (l.mr->ram) {
        if (l.mr->flags & MR_RAM) {
            memcpy(l.mr->ram + l.off, &val, size);
            mem_region_set_dirty(l.mr, l.off, size);
        }
        return;
    }
    if (!size_valid(l.mr->ops, size) || !l.mr->ops->write) {
        if (log_enabled(LOG_GUEST_ERROR)) {
            log_printf("%s: invalid %u-byte write at 0x%" PRIx64 " (%s)\n",
                       as->name, size, addr, l.mr->name);
        }
        return;
    }
    io_write(l.mr, l.off, val, size);
}

int as_rw(struct addr_space *as, uint64_t addr, void *buf, uint64_t len,
          bool is_write)
{
    uint8_t *p = buf;
    int ret = 0;
    while (len) {
        struct mem_lookup l = as_lookup(as, addr);
        uint64_t n = MIN(len, l.len);
        if (!l.mr) {
            if (!is_write) {
                memset(p, (int)(as->unassigned & 0xff), n);
            }
            ret = -1;
        } else if (l.mr->ram) {
            if (!is_write) {
                memcpy(p, l.mr->ram + l.off, n);
            } else if (l.mr->flags & MR_RAM) {
                memcpy(l.mr->ram + l.off, p, n);
                mem_region_set_dirty(l.mr, l.off, n);
            }
        } else {
            /* MMIO: the widest valid naturally aligned unit each time. */
            for (uint64_t i = 0; i < n;) {
                unsigned sz = 8;
                while (sz > 1 && (((addr + i) & (sz - 1)) || sz > n - i ||
                                  !size_valid(l.mr->ops, sz))) {
                    sz >>= 1;
                }
                if (is_write) {
                    uint64_t v = 0;
                    memcpy(&v, p + i, sz);
                    as_write(as, addr + i, v, sz);
                } else {
                    uint64_t v = as_read(as, addr + i, sz);
                    memcpy(p + i, &v, sz);
                }
                i += sz;
            }
        }
        p += n;
        addr += n;
        len -= n;
    }
    return ret;
}

uint8_t *as_ram_ptr(struct addr_space *as, uint64_t addr, uint64_t len,
                    bool write)
{
    struct mem_lookup l = as_lookup(as, addr);
    if (!l.mr || !l.mr->ram || l.len < len) {
        return NULL;
    }
    if (write && !(l.mr->flags & MR_RAM)) {
        return NULL;
    }
    return l.mr->ram + l.off;
}
