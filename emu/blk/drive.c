/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * drive.c - -drive, -hda..-hdd, -cdrom, -snapshot and -blockdev (qemu-6.2
 * manual "Block device options"): the -drive keys (if, bus, unit, index,
 * media, format, cache, aio, readonly, snapshot, discard, detect-zeroes,
 * werror, rerror, id, serial, file.*) are split into the drive's own and
 * the node's; cache= modes map to cache.direct / cache.no-flush / the
 * guest-visible write cache as in QEMU; snapshot=on puts a temporary qcow2
 * overlay (deleted at once, kept open) over the image.
 */
#include "emu/osdep.h"

#include <limits.h>

#include "block-protocols/blk-backend.h"
#include "emu/blk/drive.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

bool drive_snapshot_all;
static struct drive *drives;
static struct deferred_bd {
    char *arg;
    struct kvlist *kv;
    struct deferred_bd *next;
} *blockdevs;

struct drive *drive_first(void)
{
    return drives;
}

static void append(struct drive *d)
{
    struct drive **p = &drives;
    while (*p) {
        p = &(*p)->next;
    }
    *p = d;
}

int drive_add_option(const char *arg, struct err **errp)
{
    struct kvlist *kv = kvlist_new();
    if (kvlist_parse(kv, arg, NULL, errp) < 0) {
        kvlist_free(kv);
        return -1;
    }
    struct drive *d = xzalloc(sizeof(*d));
    d->opt = "drive";
    d->arg = xstrdup(arg);
    d->kv = kv;
    append(d);
    return 0;
}

int drive_add_legacy(const char *opt, int index, const char *file,
                     bool cdrom, struct err **errp)
{
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "file", file);
    char idx[16];
    snprintf(idx, sizeof(idx), "%d", index);
    kv_set(kv, "index", idx);
    if (cdrom) {
        kv_set(kv, "media", "cdrom");
    }
    struct drive *d = xzalloc(sizeof(*d));
    d->opt = opt;
    d->arg = xstrdup(file);
    d->kv = kv;
    append(d);
    return 0;
}

int drive_add_floppy(const char *opt, int index, const char *file,
                     struct err **errp)
{
    if (drive_add_legacy(opt, index, file, false, errp) < 0) {
        return -1;
    }
    struct drive *d = drive_first();
    while (d->next) {
        d = d->next;
    }
    kv_set(d->kv, "if", "floppy");
    return 0;
}

int blockdev_add_option(const char *arg, struct err **errp)
{
    struct kvlist *kv = kvlist_new();
    int r;
    if (arg[0] == '{') {
        r = bdrv_parse_json_opts(kv, arg, errp);
    } else {
        r = kvlist_parse(kv, arg, "driver", errp);
    }
    if (r < 0) {
        kvlist_free(kv);
        return -1;
    }
    if (!kv_has(kv, "node-name")) {
        err_setf(errp, "A -blockdev node needs a node-name");
        kvlist_free(kv);
        return -1;
    }
    struct deferred_bd *b = xzalloc(sizeof(*b)), **p = &blockdevs;
    b->arg = xstrdup(arg);
    b->kv = kv;
    while (*p) {
        p = &(*p)->next;
    }
    *p = b;
    return 0;
}

/* Put a temporary qcow2 overlay over bs (snapshot=on, -snapshot). */
static struct bdrv *snapshot_overlay(struct bdrv *bs, int flags,
                                     struct err **errp)
{
    char tmpl[] = "/var/tmp/hemu-snapshot.XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) {
        err_setf(errp, "Could not create a temporary overlay: %s",
                 strerror(errno));
        return NULL;
    }
    close(fd);
    char *base = realpath(bs->filename, NULL);
    struct bdrv_create_opts o = {
        .size = bs->total_size,
        .backing_file = base ? base : bs->filename,
        .backing_fmt = bs->drv->name,
    };
    struct bdrv *top = NULL;
    if (bdrv_create("qcow2", tmpl, &o, errp) == 0) {
        top = bdrv_open(tmpl, "qcow2", NULL,
                        (flags | BDRV_O_RDWR | BDRV_O_NO_BACKING) &
                        ~BDRV_O_NOCACHE, errp);
    }
    unlink(tmpl);
    free(base);
    if (!top) {
        return NULL;
    }
    /* The overlay reads through to the already open image. */
    top->backing = bs;
    return top;
}

static int cache_mode(const char *mode, int *flags, bool *wb)
{
    static const struct { const char *name; bool direct, wb, noflush; } m[] = {
        { "none", true, true, false }, { "off", true, true, false },
        { "writeback", false, true, false },
        { "writethrough", false, false, false },
        { "directsync", true, false, false },
        { "unsafe", false, true, true },
    };
    for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
        if (!strcmp(mode, m[i].name)) {
            if (m[i].direct) {
                *flags |= BDRV_O_NOCACHE;
            }
            if (m[i].noflush) {
                *flags |= BDRV_O_NO_FLUSH;
            }
            *wb = m[i].wb;
            return 0;
        }
    }
    return -1;
}

static struct bdrv *named_nodes[64];
static int n_named;

static struct bdrv *find_node(const char *name)
{
    for (int i = 0; i < n_named; i++) {
        if (named_nodes[i]->node_name && !strcmp(named_nodes[i]->node_name, name)) {
            return named_nodes[i];
        }
    }
    return NULL;
}

static int init_drive(struct drive *d, int n, struct err **errp)
{
    struct kvlist *kv = d->kv;
    struct err *e = NULL;
    const char *ifname = kv_str(kv, "if", "ide");
    if (!strcmp(ifname, "ide")) {
        d->iface = IF_IDE;
    } else if (!strcmp(ifname, "virtio")) {
        d->iface = IF_VIRTIO;
    } else if (!strcmp(ifname, "none")) {
        d->iface = IF_NONE;
    } else if (!strcmp(ifname, "floppy")) {
        d->iface = IF_FLOPPY;
    } else if (!strcmp(ifname, "scsi") || !strcmp(ifname, "sd") ||
               !strcmp(ifname, "mtd") || !strcmp(ifname, "pflash") ||
               !strcmp(ifname, "xen")) {
        err_setf(errp, "if=%s: not supported", ifname);
        return -1;
    } else {
        err_setf(errp, "unsupported bus type '%s'", ifname);
        return -1;
    }
    /* IDE: master and slave per bus; floppy: drives A and B. */
    int per_bus = d->iface == IF_IDE || d->iface == IF_FLOPPY ? 2 : 1;
    int64_t index = kv_has(kv, "index") ? (int64_t)kv_uint(kv, "index", 0, &e) : -1;
    int64_t bus = kv_has(kv, "bus") ? (int64_t)kv_uint(kv, "bus", 0, &e) : -1;
    int64_t unit = kv_has(kv, "unit") ? (int64_t)kv_uint(kv, "unit", 0, &e) : -1;
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    if (index >= 0 && (bus >= 0 || unit >= 0)) {
        err_setf(errp, "index cannot be used with bus and unit");
        return -1;
    }
    if (index >= 0) {
        bus = index / per_bus;
        unit = index % per_bus;
    }
    if (bus < 0) {
        bus = 0;
    }
    if (unit < 0) {
        /* The first free unit on the bus, then the next buses. */
        for (unit = 0;; unit++) {
            if (unit >= per_bus) {
                unit = 0;
                bus++;
            }
            if (!drive_get(d->iface, bus, unit)) {
                break;
            }
        }
    }
    if (d->iface == IF_FLOPPY && bus > 0) {
        err_setf(errp, "machine type does not support if=floppy,bus=%" PRId64
                 ",unit=%" PRId64, bus, unit);
        return -1;
    }
    if (unit >= per_bus || bus > 255) {
        err_setf(errp, "unit %" PRId64 " too big (max is %d)", unit,
                 per_bus - 1);
        return -1;
    }
    if (drive_get(d->iface, bus, unit)) {
        err_setf(errp, "drive with bus=%" PRId64 ", unit=%" PRId64
                 " (index=%" PRId64 ") exists", bus, unit, bus * per_bus + unit);
        return -1;
    }
    d->bus = bus;
    d->unit = unit;
    d->index = bus * per_bus + unit;
    const char *media = kv_str(kv, "media", "disk");
    if (strcmp(media, "disk") && strcmp(media, "cdrom")) {
        err_setf(errp, "'%s' invalid media", media);
        return -1;
    }
    d->cdrom = !strcmp(media, "cdrom");
    char defid[32];
    static const char *const ifn[] = { "none", "ide", "virtio", "floppy" };
    if (d->iface == IF_IDE) {
        snprintf(defid, sizeof(defid), "ide%d-%s%d", d->bus,
                 d->cdrom ? "cd" : "hd", d->unit);
    } else {
        snprintf(defid, sizeof(defid), "%s%d", ifn[d->iface], d->index);
    }
    const char *id = kv_str(kv, "id", defid);
    if (kv_has(kv, "id") && !kv_id_wellformed(id)) {
        err_setf(errp, "Invalid ID '%s'", id);
        return -1;
    }
    int flags = BDRV_O_RDWR;
    bool wb = true;
    const char *cache = kv_str(kv, "cache", "writeback");
    if (cache_mode(cache, &flags, &wb) < 0) {
        err_setf(errp, "invalid cache option");
        return -1;
    }
    bool ro = kv_bool(kv, "readonly", false, &e);
    bool snap = kv_bool(kv, "snapshot", drive_snapshot_all, &e);
    const char *werror = kv_str(kv, "werror", "enospc");
    const char *rerror = kv_str(kv, "rerror", "report");
    const char *discard = kv_str(kv, "discard", "ignore");
    const char *dz = kv_str(kv, "detect-zeroes", "off");
    const char *serial = kv_str(kv, "serial", NULL);
    const char *fmt = kv_str(kv, "format", NULL);
    const char *aio = kv_str(kv, "aio", NULL);
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    enum blk_err_action wa, ra;
    if (blk_parse_error_action(werror, &wa) < 0) {
        err_setf(errp, "'%s' invalid write error action", werror);
        return -1;
    }
    if (blk_parse_error_action(rerror, &ra) < 0 || ra == BLK_ERR_ENOSPC) {
        err_setf(errp, "'%s' invalid read error action", rerror);
        return -1;
    }
    if (strcmp(discard, "ignore") && strcmp(discard, "off") &&
        strcmp(discard, "unmap") && strcmp(discard, "on")) {
        err_setf(errp, "Invalid discard option");
        return -1;
    }
    if (strcmp(dz, "off") && strcmp(dz, "on") && strcmp(dz, "unmap")) {
        err_setf(errp, "Parameter 'detect-zeroes' does not accept value '%s'",
                 dz);
        return -1;
    }
    if (fmt && !strcmp(fmt, "help")) {
        printf("Supported formats: qcow2 raw\n");
        exit(0);
    }
    if (ro || d->cdrom) {
        flags &= ~BDRV_O_RDWR;
    }
    /* What remains goes to the node: file=, file.*, format-specific keys. */
    struct kvlist *nkv = kvlist_new();
    for (int i = 0; i < kv->n; i++) {
        if (!kv->v[i].used && strcmp(kv->v[i].key, "if") &&
            strcmp(kv->v[i].key, "index")) {
            kv_set(nkv, kv->v[i].key, kv->v[i].val ? kv->v[i].val : "on");
            kv->v[i].used = true;
        }
    }
    if (aio) {
        kv_set(nkv, "file.aio", aio);
    }
    if (fmt) {
        kv_set(nkv, "driver", fmt);
    }
    /* file.driver=nbd,file.server.*=... has a medium without a filename. */
    bool has_file = kv_has(nkv, "file") || kv_has(nkv, "file.filename") ||
                    kv_has(nkv, "file.driver");
    const char *fv = kv_get(nkv, "file");
    if (fv && !*fv) {
        kv_unset(nkv, "file");
        has_file = kv_has(nkv, "file.filename");
    }
    struct bdrv *bs = NULL;
    if (has_file) {
        const char *ref = kv_get(nkv, "file");
        struct bdrv *node = ref ? find_node(ref) : NULL;
        if (node) {
            bs = node;
        } else {
            bs = bdrv_open_opts(nkv, flags, errp);
            if (!bs) {
                kvlist_free(nkv);
                return -1;
            }
        }
        if (snap && !d->cdrom) {
            struct bdrv *top = snapshot_overlay(bs, flags, errp);
            if (!top) {
                kvlist_free(nkv);
                return -1;
            }
            bs = top;
        }
    } else if (!d->cdrom) {
        /* QEMU accepts a -drive without a medium only for removable media
         * and if=none. */
        if (d->iface != IF_NONE) {
            err_setf(errp, "A block device needs a medium (file=); only "
                     "media=cdrom may be empty");
            kvlist_free(nkv);
            return -1;
        }
    }
    kvlist_free(nkv);
    struct blk *b = blk_new(id, bs);
    b->read_only = ro || d->cdrom;
    b->removable = d->cdrom;
    b->write_cache = wb;
    b->werror = wa;
    b->rerror = ra;
    b->discard_unmap = !strcmp(discard, "unmap") || !strcmp(discard, "on");
    b->detect_zeroes = strcmp(dz, "off");
    b->detect_zeroes_unmap = !strcmp(dz, "unmap");
    b->serial = serial ? xstrdup(serial) : NULL;
    b->tray_open = false;
    d->blk = b;
    (void)n;
    return 0;
}

int drive_init_all(struct err **errp)
{
    for (struct deferred_bd *b = blockdevs; b; b = b->next) {
        err_loc_set_cmdline("blockdev", b->arg);
        if (n_named >= (int)ARRAY_SIZE(named_nodes)) {
            err_setf(errp, "too many -blockdev nodes");
            return -1;
        }
        const char *nn = kv_str(b->kv, "node-name", "");
        if (find_node(nn)) {
            err_setf(errp, "Duplicate nodes with node-name='%s'", nn);
            return -1;
        }
        /* file=NODE refers to a node opened before. */
        const char *f = kv_get(b->kv, "file");
        struct bdrv *child = f ? find_node(f) : NULL;
        struct bdrv *bs;
        if (child) {
            /* A format over an existing protocol node: reopen by name. */
            kv_set(b->kv, "file", child->filename);
            kv_set(b->kv, "file.driver", child->drv->name);
            kv_unset(b->kv, "file");
            kv_set(b->kv, "file.filename", child->filename);
            bool ro = child->read_only;
            for (int i = 0; i < n_named; i++) {
                if (named_nodes[i] == child) {
                    named_nodes[i] = named_nodes[--n_named];
                    break;
                }
            }
            bdrv_close(child);
            bs = bdrv_open_opts(b->kv, ro ? 0 : BDRV_O_RDWR, errp);
        } else {
            bs = bdrv_open_opts(b->kv, BDRV_O_RDWR, errp);
        }
        if (!bs) {
            return -1;
        }
        named_nodes[n_named++] = bs;
    }
    int n = 0;
    for (struct drive *d = drives; d; d = d->next, n++) {
        err_loc_set_cmdline(d->opt, d->arg);
        if (init_drive(d, n, errp) < 0) {
            return -1;
        }
    }
    err_loc_clear();
    return 0;
}

struct drive *drive_get(enum drive_if iface, int bus, int unit)
{
    for (struct drive *d = drives; d; d = d->next) {
        if (d->blk && d->iface == iface && d->bus == bus && d->unit == unit) {
            return d;
        }
    }
    return NULL;
}

struct blk *drive_claim_by_id(const char *id, struct err **errp)
{
    for (struct drive *d = drives; d; d = d->next) {
        if (d->blk && !strcmp(d->blk->id, id)) {
            if (d->claimed) {
                err_setf(errp, "Drive '%s' is already in use by another "
                         "device", id);
                return NULL;
            }
            d->claimed = true;
            return d->blk;
        }
    }
    struct bdrv *bs = find_node(id);
    if (bs) {
        for (struct blk *b = blk_first(); b; b = b->next) {
            if (b->root == bs) {
                err_setf(errp, "Drive '%s' is already in use", id);
                return NULL;
            }
        }
        struct blk *b = blk_new(id, bs);
        b->node_name = xstrdup(id);
        return b;
    }
    err_setf(errp, "Property 'drive': can't find value '%s'", id);
    return NULL;
}

int drive_check_claimed(struct err **errp)
{
    static const char *const ifn[] = { "none", "ide", "virtio", "floppy" };
    for (struct drive *d = drives; d; d = d->next) {
        if (d->blk && d->iface != IF_NONE && !d->claimed) {
            err_loc_set_cmdline(d->opt, d->arg);
            err_setf(errp, "machine type does not support if=%s,bus=%d,unit=%d",
                     ifn[d->iface], d->bus, d->unit);
            return -1;
        }
    }
    return 0;
}

int drive_init_machine_without_storage(struct err **errp)
{
    if (drive_init_all(errp) < 0) {
        return -1;
    }
    return drive_check_claimed(errp);
}
