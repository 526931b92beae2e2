/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mem.h - memory regions and address spaces (DESIGN.md "CPU -> devices").
 * A region is RAM/ROM (a host pointer) or MMIO/port I/O (read/write
 * callbacks).  An address space is a list of mappings (base, region,
 * offset into the region, size, priority) flattened into a sorted array of
 * non-overlapping ranges; the memory space and the port I/O space of the
 * PC are two address spaces built from the same region type.
 *
 * Threads: the map changes only with the big lock held; lookups and
 * accesses are made with the big lock held too (a vCPU takes it on a TLB
 * miss or a device access).  Listeners hear of every change so that a CPU
 * can flush the host pointers it cached.
 */
#ifndef HEMU_EMU_MEM_MEM_H
#define HEMU_EMU_MEM_MEM_H

#include "emu/osdep.h"

struct err;
struct as_mapping;

struct mem_ops {
    uint64_t (*read)(void *opaque, uint64_t off, unsigned size);
    void (*write)(void *opaque, uint64_t off, uint64_t val, unsigned size);
    /* Access sizes (bytes) the guest may use; others are ignored (reads
     * return the unassigned value).  0 means 1..8. */
    unsigned valid_min, valid_max;
    /* Sizes the callbacks implement; the core splits wider accesses and
     * widens narrower ones (little-endian).  0 means the valid range. */
    unsigned impl_min, impl_max;
};

enum {
    MR_RAM = 1 << 0,    /* ram is guest memory, read/write */
    MR_ROM = 1 << 1,    /* ram is read-only to the guest; writes dropped */
};

struct mem_region {
    const char *name;
    uint64_t size;
    const struct mem_ops *ops;  /* MMIO/PIO; NULL for RAM/ROM */
    void *opaque;
    uint8_t *ram;               /* host memory for MR_RAM/MR_ROM */
    unsigned flags;
    /* RAM mapped from a file or memfd (memory-backend-file/memfd): the fd
     * (not owned) and whether the mapping is MAP_SHARED, so that vhost-user
     * can hand the guest's memory to another process. */
    bool has_fd, shared;
    int fd;
    /* Per-4 KiB-page dirty bits, one byte per page (bit n = client n), set
     * by every write that goes through this API or through
     * mem_region_set_dirty(). */
    uint8_t *dirty;
    /* Per-4 KiB-page state the CPUs share about decoded code (the soft
     * x86 CPU's struct x86_code_page): a generation that every write
     * through this API or mem_region_set_dirty() bumps, so that code any
     * CPU decoded from the page is dropped, and the holders the CPUs keep. */
    struct mem_code_page {
        uint32_t gen;
        uint32_t holders;
    } *code;
};

#define MEM_DIRTY_VGA 0x1

/* Regions.  RAM is zeroed, page-aligned host memory. */
void mem_region_init_io(struct mem_region *mr, const char *name, uint64_t size,
                        const struct mem_ops *ops, void *opaque);
int mem_region_init_ram(struct mem_region *mr, const char *name, uint64_t size,
                        struct err **errp);
int mem_region_init_rom(struct mem_region *mr, const char *name, uint64_t size,
                        struct err **errp);
/* RAM from the first size bytes of fd, MAP_SHARED if shared (else a
 * private copy-on-write mapping).  fd stays the caller's. */
int mem_region_init_ram_fd(struct mem_region *mr, const char *name,
                           uint64_t size, int fd, bool shared,
                           struct err **errp);
void mem_region_destroy(struct mem_region *mr);
void mem_region_set_dirty(struct mem_region *mr, uint64_t off, uint64_t len);
/* Test and clear the given client's dirty bits over a range. */
bool mem_region_test_clear_dirty(struct mem_region *mr, uint64_t off,
                                 uint64_t len, uint8_t client);

struct addr_space;

/* Where an address lands: the region, the offset into it, and how many
 * bytes from there on belong to the same range. */
struct mem_lookup {
    struct mem_region *mr;      /* NULL: unassigned */
    uint64_t off;
    uint64_t len;
};

/* unassigned: the value a read of nothing returns (0 for memory, all ones
 * for port I/O, as on the PC). */
struct addr_space *as_new(const char *name, uint64_t size, uint64_t unassigned);
void as_free(struct addr_space *as);

/* Map size bytes of mr, starting at offset off into it, at base.  A higher
 * priority hides a lower one where they overlap; among equals the later
 * mapping wins.  Returns a handle for as_unmap. */
struct as_mapping *as_map(struct addr_space *as, uint64_t base,
                          struct mem_region *mr, uint64_t off, uint64_t size,
                          int priority);
void as_unmap(struct addr_space *as, struct as_mapping *m);
/* Move a mapping (a PCI BAR being reprogrammed). */
void as_remap(struct addr_space *as, struct as_mapping *m, uint64_t base);
/* Batch several changes into one rebuild and one notification. */
void as_begin(struct addr_space *as);
void as_commit(struct addr_space *as);

/* Call fn for every range of the flattened map, in address order. */
void as_foreach_range(struct addr_space *as,
                      void (*fn)(void *opaque, uint64_t base, uint64_t len,
                                 struct mem_region *mr, uint64_t off),
                      void *opaque);

void as_add_listener(struct addr_space *as, void (*changed)(void *opaque),
                     void *opaque);

struct mem_lookup as_lookup(struct addr_space *as, uint64_t addr);
uint64_t as_read(struct addr_space *as, uint64_t addr, unsigned size);
void as_write(struct addr_space *as, uint64_t addr, uint64_t val,
              unsigned size);
/* Bulk copy for DMA and loaders; MMIO is accessed in the widest sizes the
 * region allows.  Returns 0, or -1 if part of the range is unassigned
 * (the rest is still done; unassigned bytes read as the unassigned value). */
int as_rw(struct addr_space *as, uint64_t addr, void *buf, uint64_t len,
          bool is_write);
/* Host pointer to len bytes of RAM (or ROM, when !write) at addr, or NULL
 * if they are not all in one RAM/ROM range. */
uint8_t *as_ram_ptr(struct addr_space *as, uint64_t addr, uint64_t len,
                    bool write);

#endif
