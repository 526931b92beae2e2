/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-block.c - the block commands of QMP (qemu-6.2 QMP reference,
 * "Block devices"): query-block, query-blockstats, eject,
 * blockdev-change-medium, block_resize; and their HMP faces: info block,
 * eject [-f], change, block_resize, and HMP commit.  Field names follow QEMU's schema
 * (BlockInfo, BlockDeviceInfo, BlockDeviceStats).
 */
#include "emu/osdep.h"

#include <json-c/json.h>

#include "block-protocols/blk-backend.h"
#include "emu/cli/keyval.h"
#include "emu/monitor/hmp.h"
#include "emu/monitor/qmp-block.h"
#include "emu/monitor/qmp-display.h"  /* hmp_change_vnc */
#include "emu/monitor/qmp.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

static const char *arg_str(struct json_object *a, const char *k)
{
    struct json_object *v;
    return json_object_object_get_ex(a, k, &v) ? json_object_get_string(v)
                                               : NULL;
}

static struct blk *find_blk(struct json_object *args, struct err **errp)
{
    const char *dev = arg_str(args, "device");
    if (!dev) {
        dev = arg_str(args, "id");
    }
    if (!dev) {
        err_setf(errp, "Need 'device' or 'id'");
        return NULL;
    }
    struct blk *b = blk_find(dev);
    if (!b) {
        err_set_class(errp, ERR_DEVICE_NOT_FOUND, "Device '%s' not found", dev);
    }
    return b;
}

static struct json_object *inserted(struct blk *b)
{
    struct bdrv *bs = b->root;
    struct json_object *o = json_object_new_object();
    int depth = 0;
    for (struct bdrv *x = bs->backing; x; x = x->backing) {
        depth++;
    }
    json_object_object_add(o, "file", json_object_new_string(bs->filename));
    json_object_object_add(o, "node-name", json_object_new_string(
        bs->node_name ? bs->node_name : b->id));
    json_object_object_add(o, "ro", json_object_new_boolean(b->read_only));
    json_object_object_add(o, "drv", json_object_new_string(bs->drv->name));
    json_object_object_add(o, "encrypted", json_object_new_boolean(false));
    if (bs->backing_file) {
        json_object_object_add(o, "backing_file",
                               json_object_new_string(bs->backing_file));
    }
    json_object_object_add(o, "backing_file_depth", json_object_new_int(depth));
    static const char *const zero_keys[] = {
        "bps", "bps_rd", "bps_wr", "iops", "iops_rd", "iops_wr",
        "write_threshold",
    };
    for (size_t i = 0; i < ARRAY_SIZE(zero_keys); i++) {
        json_object_object_add(o, zero_keys[i], json_object_new_int(0));
    }
    json_object_object_add(o, "detect_zeroes", json_object_new_string(
        b->detect_zeroes_unmap ? "unmap" : b->detect_zeroes ? "on" : "off"));
    struct json_object *c = json_object_new_object();
    json_object_object_add(c, "writeback", json_object_new_boolean(b->write_cache));
    json_object_object_add(c, "direct", json_object_new_boolean(
        bs->file ? bs->file->flags & BDRV_O_NOCACHE : bs->flags & BDRV_O_NOCACHE));
    json_object_object_add(c, "no-flush", json_object_new_boolean(
        bs->flags & BDRV_O_NO_FLUSH));
    json_object_object_add(o, "cache", c);
    struct json_object *img = json_object_new_object();
    json_object_object_add(img, "filename", json_object_new_string(bs->filename));
    json_object_object_add(img, "format", json_object_new_string(bs->drv->name));
    json_object_object_add(img, "virtual-size", json_object_new_int64(bs->total_size));
    json_object_object_add(img, "dirty-flag", json_object_new_boolean(false));
    json_object_object_add(o, "image", img);
    return o;
}

int qmp_query_block(struct qmp_session *s, struct json_object *args,
                    struct json_object **ret, struct err **errp)
{
    struct json_object *a = json_object_new_array();
    for (struct blk *b = blk_first(); b; b = b->next) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "device", json_object_new_string(b->id));
        if (b->attached_to) {
            json_object_object_add(o, "qdev", json_object_new_string(b->attached_to));
        }
        json_object_object_add(o, "locked", json_object_new_boolean(b->locked));
        json_object_object_add(o, "removable", json_object_new_boolean(b->removable));
        if (b->removable) {
            json_object_object_add(o, "tray_open", json_object_new_boolean(b->tray_open));
        }
        json_object_object_add(o, "io-status", json_object_new_string(
            b->failed ? "failed" : "ok"));
        json_object_object_add(o, "type", json_object_new_string("unknown"));
        if (b->root) {
            json_object_object_add(o, "inserted", inserted(b));
        }
        json_object_array_add(a, o);
    }
    *ret = a;
    return 0;
}

int qmp_query_blockstats(struct qmp_session *s, struct json_object *args,
                         struct json_object **ret, struct err **errp)
{
    struct json_object *a = json_object_new_array();
    for (struct blk *b = blk_first(); b; b = b->next) {
        struct json_object *o = json_object_new_object();
        struct json_object *st = json_object_new_object();
        const struct blk_stats *x = &b->stats;
        const struct { const char *k; uint64_t v; } f[] = {
            { "rd_bytes", x->rd_bytes }, { "wr_bytes", x->wr_bytes },
            { "unmap_bytes", x->unmap_bytes },
            { "rd_operations", x->rd_ops }, { "wr_operations", x->wr_ops },
            { "flush_operations", x->flush_ops },
            { "unmap_operations", x->unmap_ops },
            { "rd_total_time_ns", x->rd_ns }, { "wr_total_time_ns", x->wr_ns },
            { "flush_total_time_ns", x->flush_ns },
            { "unmap_total_time_ns", 0 },
            { "rd_merged", 0 }, { "wr_merged", 0 }, { "unmap_merged", 0 },
            { "wr_highest_offset", 0 },
            { "failed_rd_operations", x->failed_rd },
            { "failed_wr_operations", x->failed_wr },
            { "failed_flush_operations", x->failed_flush },
            { "failed_unmap_operations", 0 },
            { "invalid_rd_operations", 0 }, { "invalid_wr_operations", 0 },
            { "invalid_flush_operations", 0 }, { "invalid_unmap_operations", 0 },
        };
        for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
            json_object_object_add(st, f[i].k, json_object_new_int64(f[i].v));
        }
        json_object_object_add(st, "account_invalid", json_object_new_boolean(true));
        json_object_object_add(st, "account_failed", json_object_new_boolean(true));
        json_object_object_add(st, "timed_stats", json_object_new_array());
        json_object_object_add(o, "device", json_object_new_string(b->id));
        if (b->root && b->root->node_name) {
            json_object_object_add(o, "node-name",
                                   json_object_new_string(b->root->node_name));
        }
        json_object_object_add(o, "stats", st);
        json_object_array_add(a, o);
    }
    *ret = a;
    return 0;
}

int qmp_eject(struct qmp_session *s, struct json_object *args,
              struct json_object **ret, struct err **errp)
{
    struct blk *b = find_blk(args, errp);
    if (!b) {
        return -1;
    }
    struct json_object *f;
    bool force = json_object_object_get_ex(args, "force", &f) &&
                 json_object_get_boolean(f);
    if (!b->removable) {
        err_setf(errp, "Device '%s' is not removable", b->id);
        return -1;
    }
    if (b->locked && !force) {
        err_setf(errp, "Device '%s' is locked and force was not specified, "
                 "wait for tray to open and try again", b->id);
        return -1;
    }
    if (b->root) {
        blk_eject_medium(b);
    }
    b->tray_open = true;
    return 0;
}

int qmp_blockdev_change_medium(struct qmp_session *s, struct json_object *args,
                               struct json_object **ret, struct err **errp)
{
    struct blk *b = find_blk(args, errp);
    if (!b) {
        return -1;
    }
    if (!b->removable) {
        err_setf(errp, "Device '%s' is not removable", b->id);
        return -1;
    }
    if (b->locked) {
        err_setf(errp, "Device '%s' is locked and force was not specified, "
                 "wait for tray to open and try again", b->id);
        return -1;
    }
    const char *fn = arg_str(args, "filename");
    const char *fmt = arg_str(args, "format");
    const char *mode = arg_str(args, "read-only-mode");
    int flags = (mode && !strcmp(mode, "read-write")) ? BDRV_O_RDWR : 0;
    struct bdrv *bs = bdrv_open(fn, fmt, NULL, flags, errp);
    if (!bs) {
        return -1;
    }
    if (b->root) {
        blk_eject_medium(b);
    }
    blk_attach_medium(b, bs);
    return 0;
}

int qmp_block_resize(struct qmp_session *s, struct json_object *args,
                     struct json_object **ret, struct err **errp)
{
    struct blk *b = find_blk(args, errp);
    if (!b) {
        return -1;
    }
    struct json_object *v;
    if (!json_object_object_get_ex(args, "size", &v)) {
        err_setf(errp, "Parameter 'size' is missing");
        return -1;
    }
    int64_t size = json_object_get_int64(v);
    if (size < 0) {
        err_setf(errp, "Parameter 'size' expects a >0 size");
        return -1;
    }
    if (!b->root) {
        err_setf(errp, "Device '%s' has no medium", b->id);
        return -1;
    }
    blk_drain_all();
    pthread_mutex_lock(&b->root->lock);
    int r = bdrv_truncate(b->root, size, errp);
    pthread_mutex_unlock(&b->root->lock);
    return r < 0 ? -1 : 0;
}

const struct qmp_arg qmp_eject_args[] = {
    { "device", QMP_ARG_STR, true }, { "id", QMP_ARG_STR, true },
    { "force", QMP_ARG_BOOL, true }, { NULL },
};
const struct qmp_arg qmp_change_medium_args[] = {
    { "device", QMP_ARG_STR, true }, { "id", QMP_ARG_STR, true },
    { "filename", QMP_ARG_STR, false }, { "format", QMP_ARG_STR, true },
    { "read-only-mode", QMP_ARG_STR, true }, { "force", QMP_ARG_BOOL, true },
    { NULL },
};
const struct qmp_arg qmp_block_resize_args[] = {
    { "device", QMP_ARG_STR, true }, { "node-name", QMP_ARG_STR, true },
    { "size", QMP_ARG_INT, false }, { NULL },
};

/* ---- HMP ---- */

static void hmp_call(struct hmp *h, const char *name, struct json_object *args)
{
    struct err *e = NULL;
    struct json_object *r = qmp_call(name, args, &e);
    if (!r && e) {
        hmp_printf(h, "Error: %s\n", e->msg);
        err_free(e);
    }
    json_object_put(r);
}

void hmp_info_block(struct hmp *h, const char *arg)
{
    for (struct blk *b = blk_first(); b; b = b->next) {
        if (arg && *arg && strcmp(arg, b->id)) {
            continue;
        }
        if (b->root) {
            hmp_printf(h, "%s: %s (%s%s)\n", b->id, b->root->filename,
                       b->root->drv->name, b->read_only ? ", read-only" : "");
        } else {
            hmp_printf(h, "%s: [not inserted]\n", b->id);
        }
        if (b->attached_to) {
            hmp_printf(h, "    Attached to:      %s\n", b->attached_to);
        }
        if (b->removable) {
            hmp_printf(h, "    Removable device: %slocked, tray %s\n",
                       b->locked ? "" : "not ", b->tray_open ? "open" : "closed");
        }
        if (b->root) {
            bool direct = b->root->file ? b->root->file->flags & BDRV_O_NOCACHE
                                        : b->root->flags & BDRV_O_NOCACHE;
            hmp_printf(h, "    Cache mode:       %s%s%s\n",
                       b->write_cache ? "writeback" : "writethrough",
                       direct ? ", direct" : "",
                       b->root->flags & BDRV_O_NO_FLUSH ? ", ignore flushes" : "");
            if (b->root->backing_file) {
                hmp_printf(h, "    Backing file:     %s\n", b->root->backing_file);
            }
        }
        hmp_printf(h, "\n");
    }
}

void hmp_eject(struct hmp *h, const char *arg)
{
    bool force = false;
    while (arg && *arg == ' ') {
        arg++;
    }
    if (arg && !strncmp(arg, "-f", 2) && (arg[2] == ' ' || !arg[2])) {
        force = true;
        arg += 2;
        while (*arg == ' ') {
            arg++;
        }
    }
    if (!arg || !*arg) {
        hmp_printf(h, "Parameter 'device' is missing\n");
        return;
    }
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "device", json_object_new_string(arg));
    json_object_object_add(a, "force", json_object_new_boolean(force));
    hmp_call(h, "eject", a);
    json_object_put(a);
}

void hmp_change(struct hmp *h, const char *arg)
{
    char dev[128] = "", file[1024] = "", fmt[64] = "";
    if (arg && sscanf(arg, "%127s", dev) == 1 && !strcmp(dev, "vnc")) {
        hmp_change_vnc(h, arg);     /* change vnc password PW */
        return;
    }
    if (!arg || sscanf(arg, "%127s %1023s %63s", dev, file, fmt) < 2) {
        hmp_printf(h, "Parameter 'target' is missing\n");
        return;
    }
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "device", json_object_new_string(dev));
    json_object_object_add(a, "filename", json_object_new_string(file));
    if (*fmt) {
        json_object_object_add(a, "format", json_object_new_string(fmt));
    }
    hmp_call(h, "blockdev-change-medium", a);
    json_object_put(a);
}

void hmp_block_resize(struct hmp *h, const char *arg)
{
    char dev[128] = "", sz[64] = "";
    uint64_t size;
    if (!arg || sscanf(arg, "%127s %63s", dev, sz) < 2 ||
        parse_size(sz, 'M', &size) < 0) {
        hmp_printf(h, "Parameter 'size' is missing or invalid\n");
        return;
    }
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "device", json_object_new_string(dev));
    json_object_object_add(a, "size", json_object_new_int64(size));
    hmp_call(h, "block_resize", a);
    json_object_put(a);
}

void hmp_commit(struct hmp *h, const char *arg)
{
    char dev[128] = "";
    if (!arg || sscanf(arg, "%127s", dev) < 1) {
        hmp_printf(h, "Parameter 'device' is missing\n");
        return;
    }
    bool all = !strcmp(dev, "all");
    bool found = false;
    for (struct blk *b = blk_first(); b; b = b->next) {
        if (!all && strcmp(b->id, dev)) {
            continue;
        }
        found = true;
        if (all && (!b->root || !b->root->backing)) {
            continue;
        }
        struct err *e = NULL;
        if (blk_commit(b, &e) < 0) {
            hmp_printf(h, "Error: %s\n", e->msg);
            err_free(e);
            return;
        }
    }
    if (!found && !all) {
        hmp_printf(h, "Error: Device '%s' not found\n", dev);
    }
}
