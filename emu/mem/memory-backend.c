/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory-backend.c - the memory-backend-ram, -file and -memfd objects and
 * their use as guest RAM through -machine memory-backend=ID or a single
 * -numa node,memdev=ID (QEMU 6.2 manual, "-object memory-backend-*" and
 * "-numa").  A file or memfd back end is created (and sized) when the
 * object is, so that a wrong path or size fails at start-up; the machine
 * later maps it as its RAM.  Sizes must agree with -m as QEMU requires,
 * with QEMU's messages.  hemu has one NUMA node at most (no SRAT), which
 * is what one node means to a guest anyway.
 */
#include "emu/osdep.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "emu/cli/keyval.h"
#include "emu/mem/mem.h"
#include "emu/mem/memory-backend.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT 26
#endif

struct mem_backend {
    char *id;
    uint64_t size;
    bool share;
    int fd;                 /* -1: anonymous (memory-backend-ram) */
    bool used;
    struct mem_backend *next;
};

static struct mem_backend *backends;
static char *machine_memdev;    /* -machine memory-backend= */
static char *numa_memdev;       /* -numa node,memdev= */
static int numa_nodes;
static struct mem_backend *ram_backend;     /* resolved */

static const char *const types[] = {
    "memory-backend-ram", "memory-backend-file", "memory-backend-memfd",
};

bool mem_backend_is_type(const char *type)
{
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        if (!strcmp(type, types[i])) {
            return true;
        }
    }
    return false;
}

static struct mem_backend *find(const char *id)
{
    for (struct mem_backend *b = backends; b; b = b->next) {
        if (!strcmp(b->id, id)) {
            return b;
        }
    }
    return NULL;
}

/* Options hemu accepts but for which the host does the right thing by
 * default (merge/dump are hints; prealloc only touches pages early). */
static bool harmless_flag(struct kvlist *kv, const char *key, bool def,
                          struct err **errp)
{
    if (!kv_has(kv, key)) {
        return true;
    }
    bool v = kv_bool(kv, key, def, errp);
    return !(errp && *errp) && (v == def || !strcmp(key, "prealloc") ||
                                !strcmp(key, "merge") || !strcmp(key, "dump"));
}

static int open_file(const char *path, uint64_t size, bool readonly,
                     struct err **errp)
{
    struct stat st;
    int fd;
    if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
        /* A directory (a hugetlbfs mount, say): an unlinked file in it. */
        char *tmpl = xasprintf("%s/hemu_back_mem.XXXXXX", path);
        fd = mkostemp(tmpl, O_CLOEXEC);
        if (fd >= 0) {
            unlink(tmpl);
        }
        free(tmpl);
    } else {
        fd = open(path, (readonly ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC,
                  0644);
    }
    if (fd < 0) {
        err_setf(errp, "can't open backing store %s for guest RAM: %s", path,
                 strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        st.st_size = 0;
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size < size) {
        err_setf(errp, "backing store size 0x%" PRIx64 " does not match "
                 "'size' option 0x%" PRIx64, (uint64_t)st.st_size, size);
        close(fd);
        return -1;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < size &&
        ftruncate(fd, (off_t)size) < 0) {
        err_setf(errp, "can't set the size of %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int open_memfd(const char *id, uint64_t size, bool seal, bool hugetlb,
                      uint64_t hugetlbsize, struct err **errp)
{
    unsigned flags = MFD_CLOEXEC | (seal ? MFD_ALLOW_SEALING : 0);
    if (hugetlb) {
        flags |= MFD_HUGETLB;
        if (hugetlbsize) {
            if (hugetlbsize & (hugetlbsize - 1)) {
                err_setf(errp, "hugetlbsize must be a power of 2");
                return -1;
            }
            flags |= (unsigned)__builtin_ctzll(hugetlbsize) << MFD_HUGE_SHIFT;
        }
    }
    int fd = memfd_create(id, flags);
    if (fd < 0) {
        err_setf(errp, "failed to create memfd: %s", strerror(errno));
        return -1;
    }
    if (ftruncate(fd, (off_t)size) < 0) {
        err_setf(errp, "failed to resize memfd to %" PRIu64 ": %s", size,
                 strerror(errno));
        close(fd);
        return -1;
    }
    if (seal && fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK |
                      F_SEAL_SEAL) < 0) {
        err_setf(errp, "failed to add seals to memfd: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int mem_backend_add(const char *type, struct kvlist *kv, struct err **errp)
{
    const char *id = kv_str(kv, "id", NULL);
    if (!id) {
        err_setf(errp, "Parameter 'id' is missing");
        return -1;
    }
    if (!kv_id_wellformed(id)) {
        err_setf(errp, "Parameter 'id' expects an identifier");
        return -1;
    }
    if (find(id)) {
        err_setf(errp, "attempt to add duplicate property '%s' to object "
                 "(type 'container')", id);
        return -1;
    }
    bool memfd = !strcmp(type, "memory-backend-memfd");
    bool file = !strcmp(type, "memory-backend-file");
    uint64_t size = kv_size(kv, "size", 0, errp);
    /* memfd exists to be shared; the others are private by default. */
    bool share = kv_bool(kv, "share", memfd, errp);
    bool seal = memfd ? kv_bool(kv, "seal", true, errp) : false;
    bool hugetlb = memfd ? kv_bool(kv, "hugetlb", false, errp) : false;
    uint64_t hugetlbsize = memfd ? kv_size(kv, "hugetlbsize", 0, errp) : 0;
    const char *path = file ? kv_str(kv, "mem-path", NULL) : NULL;
    bool readonly = file ? kv_bool(kv, "readonly", false, errp) : false;
    if (file) {
        (void)kv_bool(kv, "discard-data", false, errp);
        (void)kv_size(kv, "align", 0, errp);
    }
    if (errp && *errp) {
        return -1;
    }
    if (!harmless_flag(kv, "prealloc", false, errp) ||
        !harmless_flag(kv, "merge", true, errp) ||
        !harmless_flag(kv, "dump", true, errp)) {
        return -1;
    }
    static const char *const unsupported[] = {
        "host-nodes", "policy", "pmem", "x-use-canonical-path-for-ramblock-id",
        "prealloc-threads", "reserve",
    };
    for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++) {
        if (kv_has(kv, unsupported[i])) {
            err_setf(errp, "%s: property '%s': not supported", type,
                     unsupported[i]);
            return -1;
        }
    }
    if (kv_check_used(kv, errp) < 0) {
        return -1;
    }
    if (!size) {
        err_setf(errp, "can't create backend with size 0");
        return -1;
    }
    if (file && !path) {
        err_setf(errp, "mem-path property not set");
        return -1;
    }
    if (readonly) {
        err_setf(errp, "%s: readonly=on: not supported for guest RAM", type);
        return -1;
    }
    int fd = -1;
    if (memfd) {
        fd = open_memfd(id, size, seal, hugetlb, hugetlbsize, errp);
    } else if (file) {
        fd = open_file(path, size, readonly, errp);
    }
    if ((memfd || file) && fd < 0) {
        return -1;
    }
    struct mem_backend *b = xzalloc(sizeof(*b));
    b->id = xstrdup(id);
    b->size = size;
    b->share = share;
    b->fd = fd;
    struct mem_backend **pp = &backends;
    while (*pp) {
        pp = &(*pp)->next;
    }
    *pp = b;
    return 0;
}

int mem_backend_set_machine(const char *id, struct err **errp)
{
    (void)errp;
    free(machine_memdev);
    machine_memdev = xstrdup(id);
    return 0;
}

int mem_backend_numa_opt(const char *arg, struct err **errp)
{
    struct kvlist *kv = kvlist_new();
    int ret = -1;
    if (kvlist_parse(kv, arg, "type", errp) < 0) {
        goto out;
    }
    const char *type = kv_str(kv, "type", "node");
    if (strcmp(type, "node")) {
        err_setf(errp, "-numa %s: not supported (hemu has one NUMA node)",
                 type);
        goto out;
    }
    if (kv_has(kv, "mem")) {
        err_setf(errp, "-numa node,mem=: not supported (use memdev=)");
        goto out;
    }
    uint64_t nodeid = kv_uint(kv, "nodeid", (uint64_t)numa_nodes, errp);
    const char *memdev = kv_str(kv, "memdev", NULL);
    kv_mark_used(kv, "cpus");       /* the one node has every CPU */
    if ((errp && *errp) || kv_check_used(kv, errp) < 0) {
        goto out;
    }
    if (numa_nodes || nodeid) {
        err_setf(errp, "more than one NUMA node: not supported");
        goto out;
    }
    numa_nodes = 1;
    numa_memdev = memdev ? xstrdup(memdev) : NULL;
    ret = 0;
out:
    kvlist_free(kv);
    return ret;
}

int mem_backend_resolve(uint64_t *ram_size, bool ram_size_given,
                        struct err **errp)
{
    if (machine_memdev && numa_memdev) {
        err_setf(errp, "'-machine memory-backend' and '-numa memdev' "
                 "properties are mutually exclusive");
        return -1;
    }
    if (machine_memdev) {
        struct mem_backend *b = find(machine_memdev);
        if (!b) {
            err_setf(errp, "Memory backend '%s' not found", machine_memdev);
            return -1;
        }
        if (ram_size_given && b->size != *ram_size) {
            err_setf(errp, "Size specified by -m option must match size of "
                     "explicitly specified 'memory-backend' property");
            return -1;
        }
        ram_backend = b;
    } else if (numa_nodes) {
        if (!numa_memdev) {
            /* A node without memory of its own takes -m's RAM. */
            return 0;
        }
        struct mem_backend *b = find(numa_memdev);
        if (!b) {
            err_setf(errp, "-numa node,memdev=%s: Backend '%s' not found",
                     numa_memdev, numa_memdev);
            return -1;
        }
        if (b->size != *ram_size) {
            err_setf(errp, "total memory for NUMA nodes (0x%" PRIx64 ") "
                     "should equal RAM size (0x%" PRIx64 ")", b->size,
                     *ram_size);
            return -1;
        }
        ram_backend = b;
    }
    if (ram_backend) {
        if (ram_backend->used) {
            err_setf(errp, "memory backend %s can't be used multiple times.",
                     ram_backend->id);
            return -1;
        }
        ram_backend->used = true;
        *ram_size = ram_backend->size;
    }
    return 0;
}

int mem_backend_init_ram(struct mem_region *mr, const char *name,
                         uint64_t size, struct err **errp)
{
    struct mem_backend *b = ram_backend;
    if (!b || size > b->size) {
        /* No back end (or a machine that needs more than the 1 MiB it
         * has, which resolve() rules out for sizes that matter). */
        return mem_region_init_ram(mr, name, size, errp);
    }
    if (b->fd < 0) {
        /* memory-backend-ram: anonymous memory, shared if asked (only
         * across fork(), which hemu has no use for). */
        return mem_region_init_ram(mr, name, size, errp);
    }
    return mem_region_init_ram_fd(mr, name, size, b->fd, b->share, errp);
}
