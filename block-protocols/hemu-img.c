/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hemu-img.c - the image tool (build/hemu-img), with qemu-img's command
 * line and output (qemu-img(1) of QEMU 6.2/7.2): create, info, convert,
 * check, map, compare, resize, snapshot -l/-c/-a/-d, commit, rebase.  Built on the block layer's
 * nodes (block.h), used synchronously from this one thread.
 */
#include "emu/osdep.h"

#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <pthread.h>
#include <time.h>

#include "block-protocols/block.h"
#include "block-protocols/commit.h"
#include "emu/cli/keyval.h"
#include "emu/monitor/json-writer.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/secret.h"
#include "emu/vm/tls-creds.h"

static bool quiet;
static void usage(void);

static void NORETURN die(const char *fmt, ...) PRINTF_FMT(1, 2);
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "hemu-img: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static void NORETURN die_err(struct err *e)
{
    die("%s", e ? e->msg : "error");
}

/* qemu-img's sizes: three significant digits and a binary unit, switching
 * unit when the number would reach 1000. */
static char *size_str(uint64_t v)
{
    static const char *const units[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
    int i = 0;
    double d = v;
    while (i < 6 && d >= 1000.0) {
        d /= 1024.0;
        i++;
    }
    return xasprintf("%0.3g %sB", d, units[i]);
}

static uint64_t parse_img_size(const char *s)
{
    uint64_t v;
    if (parse_size(s, 0, &v) < 0) {
        die("Invalid image size specified. You may use k, M, G, T, P or E "
            "suffixes for");
    }
    return v;
}

static struct bdrv *open_img(const char *fn, const char *fmt, bool rw,
                             bool share, bool no_backing)
{
    struct err *e = NULL;
    struct kvlist *kv = kvlist_new();
    if (share) {
        kv_set(kv, "file.force-share", "on");
    }
    int flags = (rw ? BDRV_O_RDWR : 0) | (no_backing ? BDRV_O_NO_BACKING : 0) |
                BDRV_O_NO_PROBE_WARN;
    struct bdrv *bs = bdrv_open(fn, fmt, kv, flags, &e);
    kvlist_free(kv);
    if (!bs) {
        die("Could not open '%s': %s", fn, e ? e->msg : "error");
    }
    return bs;
}

/* The destination of convert, in cache mode -t (none, writeback,
 * writethrough, directsync, unsafe). */
static struct bdrv *open_out(const char *fn, const char *fmt,
                             const char *cache)
{
    int flags = BDRV_O_RDWR | BDRV_O_NO_PROBE_WARN;
    if (!strcmp(cache, "none") || !strcmp(cache, "off") ||
        !strcmp(cache, "directsync")) {
        flags |= BDRV_O_NOCACHE;
    } else if (!strcmp(cache, "unsafe")) {
        flags |= BDRV_O_NO_FLUSH;
    } else if (strcmp(cache, "writeback") && strcmp(cache, "writethrough")) {
        die("Invalid cache option: %s", cache);
    }
    struct err *e = NULL;
    struct bdrv *bs = bdrv_open(fn, fmt, NULL, flags, &e);
    if (!bs) {
        die("Could not open '%s': %s", fn, e ? e->msg : "error");
    }
    return bs;
}

/* -o key=value,... for create and convert. */
static void parse_create_opts(const char *o, struct bdrv_create_opts *co)
{
    if (!o) {
        return;
    }
    struct kvlist *kv = kvlist_new();
    struct err *e = NULL;
    if (kvlist_parse(kv, o, NULL, &e) < 0) {
        die_err(e);
    }
    if (kv_has(kv, "cluster_size")) {
        co->cluster_size = kv_size(kv, "cluster_size", 0, &e);
    }
    if (kv_has(kv, "size")) {
        co->size = kv_size(kv, "size", 0, &e);
    }
    const char *compat = kv_str(kv, "compat", NULL);
    if (compat) {
        if (!strcmp(compat, "0.10") || !strcmp(compat, "v2")) {
            co->compat = 2;
        } else if (!strcmp(compat, "1.1") || !strcmp(compat, "v3")) {
            co->compat = 3;
        } else {
            die("Invalid parameter '%s'", compat);
        }
    }
    if (kv_has(kv, "refcount_bits")) {
        co->refcount_bits = kv_uint(kv, "refcount_bits", 16, &e);
    }
    co->lazy_refcounts = kv_bool(kv, "lazy_refcounts", false, &e);
    co->extended_l2 = kv_bool(kv, "extended_l2", false, &e);
    const char *p = kv_str(kv, "preallocation", NULL);
    if (p) {
        co->preallocation = xstrdup(p);
    }
    const char *b = kv_str(kv, "backing_file", NULL);
    if (b) {
        co->backing_file = xstrdup(b);
    }
    b = kv_str(kv, "backing_fmt", NULL);
    if (b) {
        co->backing_fmt = xstrdup(b);
    }
    kv_mark_used(kv, "compression_type");   /* zlib only: checked below */
    const char *ct = NULL;
    for (int i = 0; i < kv->n; i++) {
        if (!strcmp(kv->v[i].key, "compression_type")) {
            ct = kv->v[i].val;
        }
    }
    if (ct && strcmp(ct, "zlib")) {
        die("compression_type=%s: not supported (zlib only)", ct);
    }
    if (e || kv_check_used(kv, &e) < 0) {
        die_err(e);
    }
    kvlist_free(kv);
}

/* ---- create ---- */

static int cmd_create(int argc, char **argv)
{
    const char *fmt = "raw", *opts = NULL;
    struct bdrv_create_opts co = { 0 };
    int c;
    static const struct option lo[] = { { "object", 1, 0, 'O' }, { 0 } };
    while ((c = getopt_long(argc, argv, "+F:b:f:ho:qu", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'b': co.backing_file = optarg; break;
        case 'F': co.backing_fmt = optarg; break;
        case 'o': opts = optarg; break;
        case 'q': quiet = true; break;
        case 'u': break;
        default: exit(1);
        }
    }
    if (optind >= argc) {
        die("Expecting image file name");
    }
    const char *fn = argv[optind++];
    parse_create_opts(opts, &co);
    bool have_size = optind < argc;
    if (have_size) {
        co.size = parse_img_size(argv[optind++]);
    }
    if (co.backing_file) {
        struct err *e = NULL;
        struct kvlist *kv = kvlist_new();
        kv_set(kv, "file.force-share", "on");
        /* Absolute: "/...", "json:", and protocol URLs ("nbd://..."). */
        char *path = co.backing_file[0] == '/' ||
                     !strncmp(co.backing_file, "json:", 5) ||
                     bdrv_find_protocol(co.backing_file) ?
                     xstrdup(co.backing_file) : NULL;
        if (!path) {
            char *d = xstrdup(fn);
            char *slash = strrchr(d, '/');
            if (slash) {
                slash[1] = 0;
                path = xasprintf("%s%s", d, co.backing_file);
            } else {
                path = xstrdup(co.backing_file);
            }
            free(d);
        }
        struct bdrv *b = bdrv_open(path, co.backing_fmt, kv,
                                   BDRV_O_NO_PROBE_WARN, &e);
        kvlist_free(kv);
        if (!b) {
            die("Could not open backing image: %s", e ? e->msg : path);
        }
        if (!co.backing_fmt) {
            co.backing_fmt = xstrdup(b->drv->name);
        }
        if (!have_size) {
            co.size = b->total_size;
            have_size = true;
        }
        bdrv_close(b);
        free(path);
    }
    if (!have_size && !co.size) {
        die("Image creation needs a size parameter");
    }
    if (!quiet) {
        printf("Formatting '%s', fmt=%s size=%" PRIu64 "\n", fn, fmt, co.size);
    }
    struct err *e = NULL;
    if (bdrv_create(fmt, fn, &co, &e) < 0) {
        die("%s: %s", fn, e ? e->msg : "error");
    }
    return 0;
}

/* ---- info ---- */

static void print_snapshots_human(struct bdrv_snapshot *sn, int n)
{
    printf("Snapshot list:\n");
    printf("%-10s%-18s%7s%20s%13s%11s\n", "ID", "TAG", "VM SIZE", "DATE",
           "VM CLOCK", "ICOUNT");
    for (int i = 0; i < n; i++) {
        char date[32], *vs = size_str(sn[i].vm_state_size);
        time_t t = sn[i].date_sec;
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
        uint64_t ms = sn[i].vm_clock_nsec / 1000000;
        printf("%-9s %-17s %7s%20s %02u:%02u:%02u.%03u %10" PRIu64 "\n",
               sn[i].id, sn[i].name, vs, date,
               (unsigned)(ms / 3600000), (unsigned)(ms / 60000 % 60),
               (unsigned)(ms / 1000 % 60), (unsigned)(ms % 1000),
               sn[i].icount);
        free(vs);
    }
}

static struct json_object *info_json(struct bdrv *bs, const char *fn)
{
    struct json_object *o = json_object_new_object();
    struct bdrv_snapshot *sn = NULL;
    int nsn = bs->drv->snapshot_list ? bs->drv->snapshot_list(bs, &sn) : 0;
    if (nsn > 0) {
        struct json_object *a = json_object_new_array();
        for (int i = 0; i < nsn; i++) {
            struct json_object *s = json_object_new_object();
            json_object_object_add(s, "icount", json_object_new_int64(sn[i].icount));
            json_object_object_add(s, "vm-clock-nsec",
                                   json_object_new_int64(sn[i].vm_clock_nsec % 1000000000));
            json_object_object_add(s, "name", json_object_new_string(sn[i].name));
            json_object_object_add(s, "date-sec", json_object_new_int64(sn[i].date_sec));
            json_object_object_add(s, "date-nsec", json_object_new_int64(sn[i].date_nsec));
            json_object_object_add(s, "vm-clock-sec",
                                   json_object_new_int64(sn[i].vm_clock_nsec / 1000000000));
            json_object_object_add(s, "id", json_object_new_string(sn[i].id));
            json_object_object_add(s, "vm-state-size",
                                   json_object_new_int64(sn[i].vm_state_size));
            json_object_array_add(a, s);
        }
        json_object_object_add(o, "snapshots", a);
    }
    for (int i = 0; i < nsn; i++) {
        free(sn[i].id);
        free(sn[i].name);
    }
    free(sn);
    json_object_object_add(o, "virtual-size", json_object_new_int64(bs->total_size));
    json_object_object_add(o, "filename", json_object_new_string(fn));
    if (bs->drv->cluster_size) {
        json_object_object_add(o, "cluster-size",
                               json_object_new_int64(bs->drv->cluster_size(bs)));
    }
    json_object_object_add(o, "format", json_object_new_string(bs->drv->name));
    int64_t as = bs->drv->allocated_size ? bs->drv->allocated_size(bs) : -1;
    if (as >= 0) {
        json_object_object_add(o, "actual-size", json_object_new_int64(as));
    }
    if (bs->drv->info_specific) {
        struct json_object *fs = json_object_new_object();
        struct json_object *d = json_object_new_object();
        json_object_object_add(fs, "type", json_object_new_string(bs->drv->name));
        bs->drv->info_specific(bs, NULL, d);
        json_object_object_add(fs, "data", d);
        json_object_object_add(o, "format-specific", fs);
    }
    if (bs->backing_file) {
        json_object_object_add(o, "backing-filename",
                               json_object_new_string(bs->backing_file));
        if (bs->backing) {
            json_object_object_add(o, "full-backing-filename",
                                   json_object_new_string(bs->backing->filename));
        }
        if (bs->backing_fmt) {
            json_object_object_add(o, "backing-filename-format",
                                   json_object_new_string(bs->backing_fmt));
        }
    }
    if (bs->drv->is_dirty) {
        json_object_object_add(o, "dirty-flag",
                               json_object_new_boolean(bs->drv->is_dirty(bs)));
    }
    return o;
}

static void info_human(struct bdrv *bs, const char *fn)
{
    char *vs = size_str(bs->total_size);
    printf("image: %s\nfile format: %s\n", fn, bs->drv->name);
    printf("virtual size: %s (%" PRIu64 " bytes)\n", vs, bs->total_size);
    free(vs);
    int64_t as = bs->drv->allocated_size ? bs->drv->allocated_size(bs) : -1;
    if (as >= 0) {
        char *a = size_str(as);
        printf("disk size: %s\n", a);
        free(a);
    } else {
        printf("disk size: unavailable\n");
    }
    if (bs->drv->cluster_size) {
        printf("cluster_size: %u\n", bs->drv->cluster_size(bs));
    }
    if (bs->backing_file) {
        printf("backing file: %s", bs->backing_file);
        if (bs->backing && strcmp(bs->backing->filename, bs->backing_file)) {
            printf(" (actual path: %s)", bs->backing->filename);
        }
        printf("\n");
        if (bs->backing_fmt) {
            printf("backing file format: %s\n", bs->backing_fmt);
        }
    }
    struct bdrv_snapshot *sn = NULL;
    int nsn = bs->drv->snapshot_list ? bs->drv->snapshot_list(bs, &sn) : 0;
    if (nsn > 0) {
        print_snapshots_human(sn, nsn);
    }
    for (int i = 0; i < nsn; i++) {
        free(sn[i].id);
        free(sn[i].name);
    }
    free(sn);
    if (bs->drv->info_specific) {
        printf("Format specific information:\n");
        bs->drv->info_specific(bs, stdout, NULL);
    }
}

static void print_json(struct json_object *o)
{
    struct sbuf b = { 0 };
    json_write(&b, o, true);
    char *s = sbuf_steal(&b);
    printf("%s\n", s);
    free(s);
}

static int cmd_info(int argc, char **argv)
{
    const char *fmt = NULL, *output = "human";
    bool chain = false, share = false;
    static const struct option lo[] = {
        { "output", 1, 0, 'o' }, { "backing-chain", 0, 0, 'B' },
        { "force-share", 0, 0, 'U' }, { "image-opts", 0, 0, 'I' }, { 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "+f:hU", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'o': output = optarg; break;
        case 'B': chain = true; break;
        case 'U': share = true; break;
        case 'I': die("--image-opts: not supported");
        default: exit(1);
        }
    }
    if (optind >= argc) {
        die("Expecting one image file name");
    }
    const char *fn = argv[optind];
    bool json = !strcmp(output, "json");
    if (!json && strcmp(output, "human")) {
        die("--output must be used with human or json as argument.");
    }
    struct bdrv *bs = open_img(fn, fmt, false, share, !chain);
    if (json && chain) {
        struct json_object *a = json_object_new_array();
        for (struct bdrv *b = bs; b; b = b->backing) {
            json_object_array_add(a, info_json(b, b == bs ? fn : b->filename));
        }
        print_json(a);
        json_object_put(a);
    } else if (json) {
        struct json_object *o = info_json(bs, fn);
        print_json(o);
        json_object_put(o);
    } else {
        for (struct bdrv *b = bs; b; b = chain ? b->backing : NULL) {
            if (b != bs) {
                printf("\n");
            }
            info_human(b, b == bs ? fn : b->filename);
        }
    }
    bdrv_close(bs);
    return 0;
}

/* ---- check ---- */

static int cmd_check(int argc, char **argv)
{
    const char *fmt = NULL, *output = "human", *repair = NULL;
    bool share = false;
    static const struct option lo[] = {
        { "output", 1, 0, 'o' }, { "force-share", 0, 0, 'U' }, { 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "+f:hr:qU", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'o': output = optarg; break;
        case 'r': repair = optarg; break;
        case 'q': quiet = true; break;
        case 'U': share = true; break;
        default: exit(1);
        }
    }
    if (optind >= argc) {
        die("Expecting one image file name");
    }
    int fix = 0;
    if (repair) {
        if (!strcmp(repair, "leaks")) {
            fix = BDRV_FIX_LEAKS;
        } else if (!strcmp(repair, "all")) {
            fix = BDRV_FIX_LEAKS | BDRV_FIX_ERRORS;
        } else {
            die("Unknown option value for -r (expecting 'leaks' or 'all'): %s",
                repair);
        }
    }
    const char *fn = argv[optind];
    bool json = !strcmp(output, "json");
    struct err *e = NULL;
    struct kvlist *kv = kvlist_new();
    if (share) {
        kv_set(kv, "file.force-share", "on");
    }
    int flags = (fix ? BDRV_O_RDWR : 0) | BDRV_O_NO_BACKING | BDRV_O_NO_PROBE_WARN;
    struct bdrv *bs = bdrv_open(fn, fmt, kv, flags, &e);
    if (!bs && fix && e && strstr(e->msg, "dirty")) {
        /* A dirty image is what repair is for: open it anyway. */
        err_free(e);
        e = NULL;
        bs = bdrv_open(fn, fmt, kv, flags & ~BDRV_O_RDWR, &e);
    }
    kvlist_free(kv);
    if (!bs) {
        die("Could not open '%s': %s", fn, e ? e->msg : "error");
    }
    if (!bs->drv->check) {
        bdrv_close(bs);
        fprintf(stderr, "hemu-img: This image format does not support checks\n");
        return 63;
    }
    struct bdrv_check_result res;
    FILE *rep = (quiet || json) ? NULL : stdout;
    int r = bs->drv->check(bs, &res, fix, rep);
    if (r < 0) {
        die("Check failed: %s", strerror(-r));
    }
    if (fix && (res.leaks_fixed || res.corruptions_fixed)) {
        if (!json && !quiet) {
            printf("The following inconsistencies were found and repaired:\n\n"
                   "    %d leaked clusters\n    %d corruptions\n\n"
                   "Double checking the fixed image now...\n",
                   res.leaks_fixed, res.corruptions_fixed);
        }
        bdrv_flush(bs);
        r = bs->drv->check(bs, &res, 0, rep);
    }
    if (json) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "image-end-offset",
                               json_object_new_int64(res.image_end_offset));
        json_object_object_add(o, "total-clusters",
                               json_object_new_int64(res.total_clusters));
        json_object_object_add(o, "check-errors",
                               json_object_new_int(res.check_errors));
        if (res.leaks) {
            json_object_object_add(o, "leaks", json_object_new_int(res.leaks));
        }
        if (res.corruptions) {
            json_object_object_add(o, "corruptions",
                                   json_object_new_int(res.corruptions));
        }
        json_object_object_add(o, "allocated-clusters",
                               json_object_new_int64(res.allocated_clusters));
        json_object_object_add(o, "filename", json_object_new_string(fn));
        json_object_object_add(o, "format", json_object_new_string(bs->drv->name));
        json_object_object_add(o, "fragmented-clusters",
                               json_object_new_int64(res.fragmented_clusters));
        json_object_object_add(o, "compressed-clusters",
                               json_object_new_int64(res.compressed_clusters));
        print_json(o);
        json_object_put(o);
    } else if (!quiet) {
        if (!res.corruptions && !res.leaks && !res.check_errors) {
            printf("No errors were found on the image.\n");
        } else {
            if (res.corruptions) {
                printf("\n%d errors were found on the image.\n"
                       "Data may be corrupted, or further writes to the image "
                       "may corrupt it.\n", res.corruptions);
            }
            if (res.leaks) {
                printf("\n%d leaked clusters were found on the image.\n"
                       "This means waste of disk space, but no harm to data.\n",
                       res.leaks);
            }
            if (res.check_errors) {
                printf("\n%d internal errors have occurred during the check.\n",
                       res.check_errors);
            }
        }
        if (res.total_clusters && res.allocated_clusters) {
            printf("%" PRIu64 "/%" PRIu64 " = %0.2f%% allocated, %0.2f%% "
                   "fragmented, %0.2f%% compressed clusters\n",
                   res.allocated_clusters, res.total_clusters,
                   res.allocated_clusters * 100.0 / res.total_clusters,
                   res.fragmented_clusters * 100.0 / res.allocated_clusters,
                   res.compressed_clusters * 100.0 / res.allocated_clusters);
        }
        printf("Image end offset: %" PRIu64 "\n", res.image_end_offset);
    }
    bdrv_close(bs);
    if (res.check_errors) {
        return 1;
    }
    if (res.corruptions) {
        return 2;
    }
    return res.leaks ? 3 : 0;
}

/* ---- convert ---- */

struct progress {
    bool on;
    double last;
};

static void progress_update(struct progress *p, double pct)
{
    if (!p->on || (pct - p->last < 1.0 && pct < 100.0)) {
        return;
    }
    p->last = pct;
    printf("    (%3.2f/100%%)\r", pct);
    fflush(stdout);
}

/* The reader thread of convert -W: fills chunks ahead of the writer. */
#define CONV_CHUNK (2u << 20)
#define CONV_SLOTS 4

struct conv_slot {
    uint8_t *buf;
    uint64_t off, len;
    int status;         /* block status of the chunk (ZERO: skip reading) */
    int err;
    bool full;
};

struct conv {
    struct bdrv **src;
    int nsrc;
    uint64_t *src_start;
    uint64_t total;
    struct conv_slot slot[CONV_SLOTS];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

/* Read [off, off+len) of the concatenated sources. */
static int conv_read(struct conv *cv, uint64_t off, uint8_t *buf, uint64_t len,
                     int *status)
{
    *status = BDRV_BLOCK_ZERO;
    while (len) {
        int i = cv->nsrc - 1;
        while (i > 0 && cv->src_start[i] > off) {
            i--;
        }
        struct bdrv *b = cv->src[i];
        uint64_t in = off - cv->src_start[i];
        uint64_t n = MIN(len, b->total_size - in);
        /* Zero areas are not read (qemu-img skips them as well). */
        uint64_t done = 0;
        while (done < n) {
            uint64_t pnum, map;
            int depth;
            struct bdrv *owner;
            int st = bdrv_block_status_above(b, in + done, n - done, &pnum,
                                             &map, &depth, &owner);
            if (st < 0) {
                return st;
            }
            if (!pnum) {
                pnum = n - done;
            }
            if ((st & BDRV_BLOCK_ZERO) || !(st & BDRV_BLOCK_DATA)) {
                memset(buf + done, 0, pnum);
            } else {
                int r = bdrv_pread(b, in + done, buf + done, pnum);
                if (r < 0) {
                    return r;
                }
                *status = BDRV_BLOCK_DATA;
            }
            done += pnum;
        }
        off += n;
        buf += n;
        len -= n;
    }
    return 0;
}

static void *conv_reader(void *opaque)
{
    struct conv *cv = opaque;
    uint64_t off = 0;
    int k = 0;
    while (off < cv->total) {
        struct conv_slot *s = &cv->slot[k];
        pthread_mutex_lock(&cv->mu);
        while (s->full && !cv->stop) {
            pthread_cond_wait(&cv->cv, &cv->mu);
        }
        bool stop = cv->stop;
        pthread_mutex_unlock(&cv->mu);
        if (stop) {
            break;
        }
        s->off = off;
        s->len = MIN((uint64_t)CONV_CHUNK, cv->total - off);
        s->err = conv_read(cv, off, s->buf, s->len, &s->status);
        pthread_mutex_lock(&cv->mu);
        s->full = true;
        pthread_cond_broadcast(&cv->cv);
        pthread_mutex_unlock(&cv->mu);
        off += s->len;
        k = (k + 1) % CONV_SLOTS;
    }
    return NULL;
}

static int conv_write(struct bdrv *out, struct conv_slot *s, bool compress,
                      bool target_fresh, uint32_t cs)
{
    if (s->status & BDRV_BLOCK_ZERO) {
        return target_fresh ? 0 : bdrv_pwrite_zeroes(out, s->off, s->len, true);
    }
    /* Cluster granularity: zero clusters are skipped on a fresh target. */
    uint64_t g = cs ? cs : 4096;
    uint64_t pos = 0;
    while (pos < s->len) {
        uint64_t n = MIN(g - ((s->off + pos) % g), s->len - pos);
        bool zero = buffer_is_zero(s->buf + pos, n);
        uint64_t run = n;
        while (!compress && pos + run < s->len) {
            uint64_t m = MIN(g, s->len - pos - run);
            if (buffer_is_zero(s->buf + pos + run, m) != zero) {
                break;
            }
            run += m;
        }
        int r = 0;
        if (zero) {
            if (!target_fresh) {
                r = bdrv_pwrite_zeroes(out, s->off + pos, run, true);
            }
        } else if (compress) {
            r = out->drv->pwrite_compressed(out, s->off + pos, s->buf + pos, n);
        } else {
            r = bdrv_pwrite(out, s->off + pos, s->buf + pos, run);
        }
        if (r < 0) {
            return r;
        }
        pos += run;
    }
    return 0;
}

static int cmd_convert(int argc, char **argv)
{
    const char *fmt = NULL, *ofmt = "raw", *opts = NULL, *obacking = NULL;
    const char *obacking_fmt = NULL;
    const char *cache = "unsafe";   /* qemu-img convert's default */
    bool compress = false, no_create = false, share = false;
    struct progress prog = { 0 };
    int c;
    static const struct option lo[] = {
        { "force-share", 0, 0, 'U' }, { "target-image-opts", 0, 0, 'T' },
        { "image-opts", 0, 0, 'I' }, { "salvage", 0, 0, 'V' }, { 0 },
    };
    while ((c = getopt_long(argc, argv, "+hf:O:B:Cco:l:S:pt:T:qnm:WUr:F:",
                            lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': ofmt = optarg; break;
        case 'B': obacking = optarg; break;
        case 'F': obacking_fmt = optarg; break;
        case 'c': compress = true; break;
        case 'o': opts = optarg; break;
        case 'p': prog.on = true; break;
        case 'q': quiet = true; break;
        case 'n': no_create = true; break;
        case 'U': share = true; break;
        case 'm': {
            uint64_t m;
            if (parse_uint64(optarg, 10, &m) < 0 || m < 1 || m > 16) {
                die("Invalid number of coroutines. Allowed number of "
                    "coroutines is between 1 and 16");
            }
            break;
        }
        case 't': cache = optarg; break;
        case 'W': case 'C': case 'S': case 'r': case 'V': break;
        case 'T':
            if (optarg) {
                break;
            }
            die("--target-image-opts: not supported");
        case 'I': die("--image-opts: not supported");
        case 'l': die("-l (snapshot conversion): not supported");
        default: exit(1);
        }
    }
    if (quiet) {
        prog.on = false;
    }
    if (argc - optind < 2) {
        die("Expecting image file name");
    }
    int nsrc = argc - optind - 1;
    const char *dst = argv[argc - 1];
    struct conv cv = { 0 };
    cv.nsrc = nsrc;
    cv.src = xzalloc(nsrc * sizeof(*cv.src));
    cv.src_start = xzalloc(nsrc * sizeof(uint64_t));
    for (int i = 0; i < nsrc; i++) {
        cv.src[i] = open_img(argv[optind + i], fmt, false, share, false);
        cv.src_start[i] = cv.total;
        cv.total += cv.src[i]->total_size;
    }
    struct bdrv_create_opts co = { 0 };
    parse_create_opts(opts, &co);
    co.size = cv.total;
    if (obacking) {
        co.backing_file = obacking;
        co.backing_fmt = obacking_fmt;
    }
    if (compress && strcmp(ofmt, "qcow2")) {
        die("Compression not supported for this file format");
    }
    if (!no_create) {
        struct err *e = NULL;
        if (bdrv_create(ofmt, dst, &co, &e) < 0) {
            die("%s: error while converting %s: %s", dst, ofmt,
                e ? e->msg : "error");
        }
    }
    struct bdrv *out = open_out(dst, no_create ? NULL : ofmt, cache);
    if (no_create && out->total_size < cv.total) {
        die("Output image is too small");
    }
    uint32_t cs = out->drv->cluster_size ? out->drv->cluster_size(out) : 0;
    bool fresh = !no_create && !obacking;
    for (int i = 0; i < CONV_SLOTS; i++) {
        cv.slot[i].buf = xmalloc(CONV_CHUNK);
    }
    pthread_mutex_init(&cv.mu, NULL);
    pthread_cond_init(&cv.cv, NULL);
    pthread_t th;
    pthread_create(&th, NULL, conv_reader, &cv);
    uint64_t done = 0;
    int k = 0, r = 0;
    progress_update(&prog, 0);
    while (done < cv.total) {
        struct conv_slot *s = &cv.slot[k];
        pthread_mutex_lock(&cv.mu);
        while (!s->full) {
            pthread_cond_wait(&cv.cv, &cv.mu);
        }
        pthread_mutex_unlock(&cv.mu);
        r = s->err;
        if (r >= 0) {
            r = conv_write(out, s, compress, fresh, cs);
        }
        if (r < 0) {
            pthread_mutex_lock(&cv.mu);
            cv.stop = true;
            pthread_cond_broadcast(&cv.cv);
            pthread_mutex_unlock(&cv.mu);
            break;
        }
        done += s->len;
        pthread_mutex_lock(&cv.mu);
        s->full = false;
        pthread_cond_broadcast(&cv.cv);
        pthread_mutex_unlock(&cv.mu);
        k = (k + 1) % CONV_SLOTS;
        progress_update(&prog, cv.total ? done * 100.0 / cv.total : 100.0);
    }
    pthread_join(th, NULL);
    if (r >= 0) {
        r = bdrv_flush(out);
    }
    progress_update(&prog, 100.0);
    if (prog.on) {
        printf("\n");
    }
    for (int i = 0; i < CONV_SLOTS; i++) {
        free(cv.slot[i].buf);
    }
    for (int i = 0; i < nsrc; i++) {
        bdrv_close(cv.src[i]);
    }
    free(cv.src);
    free(cv.src_start);
    bdrv_close(out);
    if (r < 0) {
        die("error while writing: %s", strerror(-r));
    }
    return 0;
}

/* ---- map ---- */

struct map_ent {
    uint64_t start, len, offset;
    int depth;
    bool present, zero, data, has_offset;
    const char *file;
};

static void map_print(struct map_ent *m, bool json, bool first)
{
    if (json) {
        printf("%s{ \"start\": %" PRIu64 ", \"length\": %" PRIu64
               ", \"depth\": %d, \"present\": %s, \"zero\": %s, "
               "\"data\": %s", first ? "" : ",\n", m->start, m->len,
               m->depth, m->present ? "true" : "false",
               m->zero ? "true" : "false", m->data ? "true" : "false");
        if (m->has_offset) {
            printf(", \"offset\": %" PRIu64, m->offset);
        }
        printf("}");
    } else if (m->data && m->has_offset) {
        printf("%#-16" PRIx64 "%#-16" PRIx64 "%#-16" PRIx64 "%s\n",
               m->start, m->len, m->offset, m->file);
    }
}

static int cmd_map(int argc, char **argv)
{
    const char *fmt = NULL, *output = "human";
    bool share = false;
    static const struct option lo[] = {
        { "output", 1, 0, 'o' }, { "force-share", 0, 0, 'U' },
        { "start-offset", 1, 0, 's' }, { "max-length", 1, 0, 'l' }, { 0 },
    };
    uint64_t start = 0, maxlen = UINT64_MAX;
    int c;
    while ((c = getopt_long(argc, argv, "+f:hU", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'o': output = optarg; break;
        case 'U': share = true; break;
        case 's': start = parse_img_size(optarg); break;
        case 'l': maxlen = parse_img_size(optarg); break;
        default: exit(1);
        }
    }
    if (optind >= argc) {
        die("Expecting one image file name");
    }
    bool json = !strcmp(output, "json");
    struct bdrv *bs = open_img(argv[optind], fmt, false, share, false);
    uint64_t end = MIN(bs->total_size, maxlen == UINT64_MAX ? UINT64_MAX
                                                             : start + maxlen);
    struct map_ent cur = { 0 };
    bool have = false, first = true;
    if (json) {
        printf("[");
    } else {
        printf("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to", "File");
    }
    for (uint64_t off = start; off < end;) {
        uint64_t pnum, map = 0;
        int depth;
        struct bdrv *owner;
        int st = bdrv_block_status_above(bs, off, end - off, &pnum, &map,
                                         &depth, &owner);
        if (st < 0) {
            die("Could not read the image: %s", strerror(-st));
        }
        if (!pnum) {
            break;
        }
        struct map_ent m = {
            .start = off, .len = pnum, .depth = depth,
            .present = st & BDRV_BLOCK_ALLOCATED,
            .zero = (st & BDRV_BLOCK_ZERO) || !(st & (BDRV_BLOCK_DATA)),
            .data = st & BDRV_BLOCK_DATA,
            .has_offset = (st & BDRV_BLOCK_OFFSET_VALID) &&
                          (st & BDRV_BLOCK_DATA),
            .offset = map,
            .file = owner && owner->file ? owner->file->filename :
                    owner ? owner->filename : "",
        };
        /* A raw layer's unallocated data still comes from the file. */
        if (owner && !strcmp(owner->drv->name, "raw")) {
            m.present = true;
            m.has_offset = st & BDRV_BLOCK_OFFSET_VALID;
        }
        if (have && cur.depth == m.depth && cur.present == m.present &&
            cur.zero == m.zero && cur.data == m.data &&
            cur.has_offset == m.has_offset &&
            (!m.has_offset || cur.offset + cur.len == m.offset) &&
            !strcmp(cur.file, m.file)) {
            cur.len += m.len;
        } else {
            if (have) {
                map_print(&cur, json, first);
                first = false;
            }
            cur = m;
            have = true;
        }
        off += pnum;
    }
    if (have) {
        map_print(&cur, json, first);
    }
    if (json) {
        printf("]\n");
    }
    bdrv_close(bs);
    return 0;
}

/* ---- compare ---- */

static int cmd_compare(int argc, char **argv)
{
    const char *fmt1 = NULL, *fmt2 = NULL;
    bool strict = false, share = false;
    static const struct option lo[] = {
        { "force-share", 0, 0, 'U' }, { 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "+hf:F:T:pqsU", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt1 = optarg; break;
        case 'F': fmt2 = optarg; break;
        case 's': strict = true; break;
        case 'q': quiet = true; break;
        case 'U': share = true; break;
        case 'p': case 'T': break;
        default: exit(2);
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "hemu-img: Expecting two image file names\n");
        return 2;
    }
    struct err *e = NULL;
    struct bdrv *a, *b;
    struct kvlist *kv = kvlist_new();
    if (share) {
        kv_set(kv, "file.force-share", "on");
    }
    a = bdrv_open(argv[optind], fmt1, kv, BDRV_O_NO_PROBE_WARN, &e);
    b = a ? bdrv_open(argv[optind + 1], fmt2 ? fmt2 : fmt1, kv,
                      BDRV_O_NO_PROBE_WARN, &e) : NULL;
    kvlist_free(kv);
    if (!a || !b) {
        fprintf(stderr, "hemu-img: Could not open '%s': %s\n",
                argv[optind + (a ? 1 : 0)], e ? e->msg : "error");
        return 2;
    }
    uint64_t common = MIN(a->total_size, b->total_size);
    if (a->total_size != b->total_size) {
        if (strict) {
            if (!quiet) {
                printf("Strict mode: Image size mismatch!\n");
            }
            return 1;
        }
        if (!quiet) {
            printf("Warning: Image size mismatch!\n");
        }
    }
    size_t chunk = 1 << 20;
    uint8_t *ba = xmalloc(chunk), *bb = xmalloc(chunk);
    int ret = 0;
    for (uint64_t off = 0; off < MAX(a->total_size, b->total_size) && !ret;) {
        uint64_t n = MIN((uint64_t)chunk, MAX(a->total_size, b->total_size) - off);
        if (off < common) {
            n = MIN(n, common - off);
        }
        int r1 = 0, r2 = 0;
        if (off < a->total_size) {
            r1 = bdrv_pread(a, off, ba, n);
        } else {
            memset(ba, 0, n);
        }
        if (off < b->total_size) {
            r2 = bdrv_pread(b, off, bb, n);
        } else {
            memset(bb, 0, n);
        }
        if (r1 < 0 || r2 < 0) {
            fprintf(stderr, "hemu-img: Error while reading offset %" PRIu64
                    ": %s\n", off, strerror(-(r1 < 0 ? r1 : r2)));
            ret = 2;
            break;
        }
        if (memcmp(ba, bb, n)) {
            uint64_t i = 0;
            while (ba[i] == bb[i]) {
                i++;
            }
            /* qemu-img reports the start of the differing sector. */
            if (!quiet) {
                printf("Content mismatch at offset %" PRIu64 "!\n",
                       (uint64_t)((off + i) & ~511ULL));
            }
            ret = 1;
        }
        off += n;
    }
    if (!ret && !quiet) {
        printf("Images are identical.\n");
    }
    free(ba);
    free(bb);
    bdrv_close(a);
    bdrv_close(b);
    return ret;
}

/* ---- resize, snapshot ---- */

static int cmd_resize(int argc, char **argv)
{
    const char *fmt = NULL;
    bool shrink = false;
    static const struct option lo[] = {
        { "shrink", 0, 0, 's' }, { "preallocation", 1, 0, 'P' }, { 0 },
    };
    int c;
    /* A leading "-" of a relative size is not an option. */
    while (optind < argc && argv[optind][0] == '-' &&
           !(argv[optind][1] >= '0' && argv[optind][1] <= '9')) {
        c = getopt_long(argc, argv, "+f:hq", lo, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'q': quiet = true; break;
        case 's': shrink = true; break;
        case 'P': die("--preallocation: not supported");
        default: exit(1);
        }
    }
    if (argc - optind != 2) {
        die("Expecting image file name and size");
    }
    const char *fn = argv[optind], *sz = argv[optind + 1];
    struct bdrv *bs = open_img(fn, fmt, true, false, true);
    uint64_t n;
    int rel = 0;
    if (*sz == '+' || *sz == '-') {
        rel = *sz == '+' ? 1 : -1;
        sz++;
    }
    n = parse_img_size(sz);
    uint64_t ns = rel > 0 ? bs->total_size + n :
                  rel < 0 ? (n > bs->total_size ? 0 : bs->total_size - n) : n;
    if (ns < bs->total_size && !shrink) {
        die("Use the --shrink option to perform a shrink operation.");
    }
    struct err *e = NULL;
    if (bdrv_truncate(bs, ns, &e) < 0) {
        die("%s", e ? e->msg : "error");
    }
    bdrv_flush(bs);
    bdrv_close(bs);
    if (!quiet) {
        printf("Image resized.\n");
    }
    return 0;
}

static int cmd_snapshot(int argc, char **argv)
{
    bool share = false;
    const char *fmt = NULL, *arg = NULL;
    int op = 0, c;
    static const struct option lo[] = { { "force-share", 0, 0, 'U' }, { 0 } };
    while ((c = getopt_long(argc, argv, "+la:c:d:f:hqU", lo, NULL)) != -1) {
        switch (c) {
        case 'l': case 'a': case 'c': case 'd':
            if (op) {
                die("Cannot mix '-l', '-a', '-c', '-d'");
            }
            op = c;
            arg = optarg;
            break;
        case 'f': fmt = optarg; break;
        case 'q': quiet = true; break;
        case 'U': share = true; break;
        default: exit(1);
        }
    }
    if (!op || optind >= argc) {
        die("Expecting one of -l, -a, -c, -d and one image file name");
    }
    if (optind + 1 < argc) {
        die("Expecting one image file name");
    }
    if (op != 'l' && share) {
        die("-U can only be used with -l");
    }
    struct bdrv *bs = open_img(argv[optind], fmt, op != 'l', share, true);
    if (op != 'l') {
        struct err *e = NULL;
        int (*fn)(struct bdrv *, const char *, struct err **) =
            op == 'c' ? bs->drv->snapshot_create :
            op == 'a' ? bs->drv->snapshot_apply : bs->drv->snapshot_delete;
        if (!fn) {
            die("Format '%s' does not support internal snapshots",
                bs->drv->name);
        }
        int r = fn(bs, arg, &e);
        if (r >= 0) {
            r = bdrv_flush(bs);
        }
        if (r < 0) {
            die("%s", e ? e->msg : "snapshot operation failed");
        }
        bdrv_close(bs);
        return 0;
    }
    struct bdrv_snapshot *sn = NULL;
    int n = bs->drv->snapshot_list ? bs->drv->snapshot_list(bs, &sn) : 0;
    if (n > 0) {
        print_snapshots_human(sn, n);
    }
    for (int i = 0; i < n; i++) {
        free(sn[i].id);
        free(sn[i].name);
    }
    free(sn);
    bdrv_close(bs);
    return 0;
}

/* ---- rebase ---- */

/* Name another backing file.  Safe mode (default) first copies into the
 * image every cluster it does not hold whose content differs between the
 * old and the new backing chain, so the guest-visible content stays;
 * -u only rewrites the name. */
static int cmd_rebase(int argc, char **argv)
{
    const char *fmt = NULL, *nb = NULL, *nbfmt = NULL;
    bool unsafe = false, share = false;
    int c;
    static const struct option lo[] = { { "force-share", 0, 0, 'U' }, { 0 } };
    while ((c = getopt_long(argc, argv, "+f:F:b:ut:T:pqhU", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'F': nbfmt = optarg; break;
        case 'b': nb = optarg; break;
        case 'u': unsafe = true; break;
        case 't': case 'T': case 'p': break;
        case 'q': quiet = true; break;
        case 'U': share = true; break;
        default: exit(1);
        }
    }
    if (optind + 1 != argc) {
        die("Expecting one image file name");
    }
    if (!nb) {
        die("Must specify backing file (-b) or use '-b \"\"'");
    }
    const char *fn = argv[optind];
    struct bdrv *top = open_img(fn, fmt, true, false, true);
    if (!top->drv->set_backing) {
        die("Format '%s' cannot name a backing file", top->drv->name);
    }
    if (!unsafe) {
        /* The old chain through a second, read-only view of the image
         * (force-share: the image itself is open for writing above). */
        struct bdrv *old = open_img(fn, fmt, false, true, false);
        struct bdrv *newb = NULL;
        if (*nb) {
            char *path = NULL;
            if (nb[0] != '/') {
                char *d = xstrdup(fn), *slash = strrchr(d, '/');
                if (slash) {
                    *slash = 0;
                    path = xasprintf("%s/%s", d, nb);
                }
                free(d);
            }
            /* -U: no shared lock on the new backing chain, which another
             * process may be writing. */
            newb = open_img(path ? path : nb, nbfmt, false, share, false);
            free(path);
        }
        int64_t size = bdrv_getlength(top);
        int64_t nsize = newb ? bdrv_getlength(newb) : 0;
        uint8_t *a = xmalloc(1 << 20), *b = xmalloc(1 << 20);
        int r = size < 0 ? (int)size : 0;
        for (uint64_t off = 0; r >= 0 && off < (uint64_t)size;) {
            uint64_t pnum = 0, map;
            uint64_t n = MIN((uint64_t)size - off, (uint64_t)1 << 20);
            int st = bdrv_block_status(top, off, n, &pnum, &map);
            if (st < 0 || !pnum) {
                r = st < 0 ? st : -EIO;
                break;
            }
            pnum = MIN(pnum, n);
            if (!(st & BDRV_BLOCK_ALLOCATED)) {
                r = bdrv_pread(old, off, a, pnum);
                memset(b, 0, pnum);
                if (r >= 0 && newb && (int64_t)off < nsize) {
                    r = bdrv_pread(newb, off, b,
                                   MIN(pnum, (uint64_t)(nsize - off)));
                }
                if (r >= 0 && memcmp(a, b, pnum)) {
                    r = bdrv_pwrite(top, off, a, pnum);
                }
            }
            off += pnum;
        }
        free(a);
        free(b);
        if (r >= 0) {
            r = bdrv_flush(top);
        }
        if (r < 0) {
            die("Could not rebase '%s': %s", fn, strerror(-r));
        }
        bdrv_close(old);
        if (newb) {
            bdrv_close(newb);
        }
    }
    struct err *e = NULL;
    if (top->drv->set_backing(top, *nb ? nb : NULL, nbfmt, &e) < 0) {
        die_err(e);
    }
    bdrv_close(top);
    return 0;
}

/* ---- commit ---- */

/* Copy what the top image holds into its backing file, then empty the top
 * (unless -d), as qemu-img commit does.  Only the immediate backing file
 * is a target (-b naming another layer is refused). */
static int cmd_commit(int argc, char **argv)
{
    const char *fmt = NULL, *base_name = NULL;
    bool keep = false;
    int c;
    while ((c = getopt_long(argc, argv, "+f:t:b:dpqr:h", NULL, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 't': break;        /* the cache mode: writes are flushed at the end */
        case 'b': base_name = optarg; break;
        case 'd': keep = true; break;
        case 'p': break;
        case 'q': quiet = true; break;
        case 'r': die("-r (rate limit): not supported");
        default: exit(1);
        }
    }
    if (optind + 1 != argc) {
        die("Expecting one image file name");
    }
    const char *fn = argv[optind];
    /* Learn the backing file as the format resolves it. */
    struct bdrv *probe = open_img(fn, fmt, false, false, false);
    if (!probe->backing) {
        die("Image does not have a backing file");
    }
    char *bfn = xstrdup(probe->backing->file ? probe->backing->file->filename
                                             : probe->backing->filename);
    char *bfmt = xstrdup(probe->backing->drv->name);
    if (probe->backing->backing && base_name) {
        die("-b: committing into a deeper backing layer: not supported");
    }
    bdrv_close(probe);
    if (base_name) {
        char *a = realpath(base_name, NULL), *b = realpath(bfn, NULL);
        bool same = a && b && !strcmp(a, b);
        free(a);
        free(b);
        if (!same) {
            die("'%s' is not the backing file of '%s'", base_name, fn);
        }
    }
    struct bdrv *top = open_img(fn, fmt, true, false, true);
    struct bdrv *base = open_img(bfn, bfmt, true, false, true);
    int64_t size = bdrv_getlength(top);
    /* top is open without its backing chain: only its own clusters go. */
    int r = size < 0 ? (int)size : bdrv_commit(top, NULL, base);
    if (r < 0) {
        die("Commit failed: %s", strerror(-r));
    }
    /* Empty the top: its clusters become unallocated again and read
     * through to the (now updated) backing file. */
    if (!keep) {
        r = bdrv_discard(top, 0, size);
        if (r >= 0) {
            r = bdrv_flush(top);
        }
        if (r < 0) {
            die("Committed, but emptying the image failed: %s", strerror(-r));
        }
    }
    bdrv_close(top);
    bdrv_close(base);
    free(bfn);
    free(bfmt);
    if (!quiet) {
        printf("Image committed.\n");
    }
    return 0;
}

/* ---- measure ---- */

/* The -o keys a format's create (and so measure) knows. */
static bool create_key_known(const char *fmt, const char *key)
{
    static const char *const raw_keys[] = { "size", "preallocation", NULL };
    static const char *const qcow2_keys[] = {
        "size", "compat", "backing_file", "backing_fmt", "cluster_size",
        "preallocation", "lazy_refcounts", "refcount_bits", "extended_l2",
        "compression_type", NULL,
    };
    const char *const *k = !strcmp(fmt, "qcow2") ? qcow2_keys : raw_keys;
    for (; *k; k++) {
        if (!strcmp(*k, key)) {
            return true;
        }
    }
    return false;
}

static void die_bad_size(void)
{
    die("Invalid image size specified. You may use k, M, G, T, P or E "
        "suffixes for\nhemu-img: kilobytes, megabytes, gigabytes, terabytes, "
        "petabytes and exabytes.");
}

/* How large an image of format -O would be: of --size bytes, or holding
 * the input image (qemu-img measure). */
static int cmd_measure(int argc, char **argv)
{
    const char *fmt = NULL, *ofmt = "raw", *output = "human", *size_s = NULL;
    char *opts = NULL;
    bool share = false;
    static const struct option lo[] = {
        { "size", 1, 0, 's' }, { "output", 1, 0, 'j' },
        { "force-share", 0, 0, 'U' }, { "image-opts", 0, 0, 'I' },
        { "object", 1, 0, 'b' }, { "help", 0, 0, 'h' }, { 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "+hf:O:o:l:U", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': ofmt = optarg; break;
        case 'o': {
            char *n = opts ? xasprintf("%s,%s", opts, optarg) : xstrdup(optarg);
            free(opts);
            opts = n;
            break;
        }
        case 'l': die("-l: not supported");
        case 'U': share = true; break;
        case 's': size_s = optarg; break;
        case 'j': output = optarg; break;
        case 'I': die("--image-opts: not supported");
        case 'b': die("--object: not supported");
        case 'h': usage(); exit(0);
        default: exit(1);
        }
    }
    bool json = !strcmp(output, "json");
    if (!json && strcmp(output, "human")) {
        die("--output must be used with human or json as argument.");
    }
    uint64_t size = 0;
    if (size_s && (size_s[0] == '-' || parse_size(size_s, 0, &size) < 0)) {
        die_bad_size();
    }
    if (argc - optind > 1) {
        die("At most one filename argument is allowed.");
    }
    const char *fn = optind < argc ? argv[optind] : NULL;
    if (fn && size_s) {
        die("--size N cannot be used together with a filename.");
    }
    if (!fn && !size_s) {
        die("Either --size N or one filename must be specified.");
    }
    struct bdrv *in = fn ? open_img(fn, fmt, false, share, false) : NULL;
    const struct bdrv_ops *drv = bdrv_find_driver(ofmt);
    if (!drv || drv->is_protocol) {
        die("Unknown file format '%s'", ofmt);
    }
    if (!drv->measure) {
        die("Block driver '%s' does not support size measurement", ofmt);
    }
    struct bdrv_create_opts co = { 0 };
    if (opts) {
        struct kvlist *kv = kvlist_new();
        struct err *e = NULL;
        if (kvlist_parse(kv, opts, NULL, &e) < 0) {
            die_err(e);
        }
        for (int i = 0; i < kv->n; i++) {
            if (!create_key_known(ofmt, kv->v[i].key)) {
                die("Invalid parameter '%s'\nhemu-img: Invalid options for "
                    "file format '%s'", kv->v[i].key, ofmt);
            }
        }
        kvlist_free(kv);
        parse_create_opts(opts, &co);
    }
    if (size_s) {
        co.size = size;
    }
    struct bdrv_measure m = { 0 };
    struct err *e = NULL;
    if (drv->measure(&co, in, &m, &e) < 0) {
        die_err(e);
    }
    if (in) {
        bdrv_close(in);
    }
    free(opts);
    if (json) {
        printf("{\n");
        if (m.has_bitmaps) {
            printf("    \"bitmaps\": %" PRIu64 ",\n", m.bitmaps);
        }
        printf("    \"required\": %" PRIu64 ",\n"
               "    \"fully-allocated\": %" PRIu64 "\n}\n",
               m.required, m.fully_allocated);
    } else {
        printf("required size: %" PRIu64 "\nfully allocated size: %" PRIu64
               "\n", m.required, m.fully_allocated);
        if (m.has_bitmaps) {
            printf("bitmaps size: %" PRIu64 "\n", m.bitmaps);
        }
    }
    return 0;
}

/* ---- amend ---- */

/* Change a qcow2 image's options in place (qemu-img amend -o). */
static int cmd_amend(int argc, char **argv)
{
    const char *fmt = NULL;
    char *opts = NULL;
    static const struct option lo[] = {
        { "image-opts", 0, 0, 'I' }, { "object", 1, 0, 'b' },
        { "force", 0, 0, 'F' }, { "help", 0, 0, 'h' }, { 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "+ho:f:t:pq", lo, NULL)) != -1) {
        switch (c) {
        case 'o': {
            char *n = opts ? xasprintf("%s,%s", opts, optarg) : xstrdup(optarg);
            free(opts);
            opts = n;
            break;
        }
        case 'f': fmt = optarg; break;
        case 't': break;    /* the cache mode: amend flushes at the end */
        case 'p': break;
        case 'q': quiet = true; break;
        case 'F': break;    /* only for encryption changes, not supported */
        case 'I': die("--image-opts: not supported");
        case 'b': die("--object: not supported");
        case 'h': usage(); exit(0);
        default: exit(1);
        }
    }
    if (!opts) {
        die("Must specify options (-o)\nTry 'hemu-img --help' for more "
            "information");
    }
    if (optind != argc - 1) {
        die("Expecting one image file name");
    }
    const char *fn = argv[optind];
    struct kvlist *kv = kvlist_new();
    struct err *e = NULL;
    if (kvlist_parse(kv, opts, NULL, &e) < 0) {
        die_err(e);
    }
    struct bdrv *bs = open_img(fn, fmt, true, false, true);
    if (!bs->drv->amend) {
        die("Format driver '%s' does not support option amendment",
            bs->drv->name);
    }
    if (kv->help) {
        printf("Amend options for '%s':\n"
               "  backing_file=<str>     - File name of a base image\n"
               "  backing_fmt=<str>      - Image format of the base image\n"
               "  compat=<str>           - Compatibility level (v2 [0.10] or "
               "v3 [1.1])\n"
               "  lazy_refcounts=<bool (on/off)> - Postpone refcount updates\n"
               "  refcount_bits=<num>    - Width of a reference count entry in "
               "bits\n"
               "  size=<size>            - Virtual disk size\n",
               bs->drv->name);
        bdrv_close(bs);
        return 0;
    }
    int r = bs->drv->amend(bs, kv, &e);
    if (r >= 0) {
        r = bdrv_flush(bs);
        if (r < 0) {
            die("Error while amending options: %s", strerror(-r));
        }
    } else {
        die_err(e);
    }
    kvlist_free(kv);
    free(opts);
    bdrv_close(bs);
    return 0;
}

static void usage(void)
{
    printf("hemu-img version " HEMU_VERSION "\n"
           "usage: hemu-img [standard options] command [command options]\n\n"
           "Command syntax:\n"
           "  create [-q] [-f fmt] [-b backing_file [-F backing_fmt]] [-o options] filename [size]\n"
           "  info [-f fmt] [--output=ofmt] [--backing-chain] [-U] filename\n"
           "  convert [-c] [-p] [-q] [-n] [-f fmt] [-O output_fmt] [-B backing_file [-F backing_fmt]] [-o options] [-m num] [-W] filename [filename2 [...]] output_filename\n"
           "  check [-q] [-f fmt] [--output=ofmt] [-r [leaks | all]] [-U] filename\n"
           "  map [-f fmt] [--output=ofmt] [-U] filename\n"
           "  compare [-f fmt] [-F fmt] [-q] [-s] [-U] filename1 filename2\n"
           "  resize [-f fmt] [-q] [--shrink] filename [+ | -]size\n"
           "  commit [-q] [-f fmt] [-b base] [-d] [-p] filename\n"
           "  rebase [-q] [-U] [-f fmt] [-u] -b backing_file [-F backing_fmt] "
           "filename\n"
           "  amend [-q] [-f fmt] -o options filename\n"
           "  measure [--output=ofmt] [-O output_fmt] [-o options] [--size N | [-f fmt] [-U] filename]\n"
           "  snapshot [-l | -a snapshot | -c snapshot | -d snapshot] [-f fmt] "
           "[-U] filename\n\n"
           "Supported formats: raw qcow2\n");
}

/* --object TYPE,id=...: the secrets (password-secret=, key-secret=) and
 * TLS credentials (tls-creds=) the images name, as qemu-img's --object
 * (qemu-6.2 manual "qemu-img", "Object creation"). */
static void add_object(const char *arg)
{
    struct err *e = NULL;
    struct kvlist *kv = kvlist_new();
    if (kvlist_parse(kv, arg, "qom-type", &e) < 0) {
        die_err(e);
    }
    const char *type = kv_str(kv, "qom-type", NULL);
    if (!type) {
        die("Parameter 'qom-type' is missing");
    }
    int r;
    if (!strcmp(type, "secret")) {
        r = secret_add(kv, &e);
    } else if (tls_creds_type_known(type)) {
        r = tls_creds_add(type, kv, &e);
    } else {
        die("--object %s: not supported (secret, tls-creds-x509, "
            "tls-creds-psk and tls-creds-anon are)", type);
    }
    if (r < 0) {
        die_err(e);
    }
    kvlist_free(kv);
}

/* Take every --object out of the command's arguments (any subcommand,
 * before or after its other options), creating the objects first. */
static int take_objects(int argc, char **argv)
{
    int out = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            while (i < argc) {
                argv[out++] = argv[i++];
            }
            break;
        }
        if (!strcmp(argv[i], "--object")) {
            if (i + 1 >= argc) {
                die("option '--object' requires an argument");
            }
            add_object(argv[++i]);
        } else if (!strncmp(argv[i], "--object=", 9)) {
            add_object(argv[i] + 9);
        } else {
            argv[out++] = argv[i];
        }
    }
    argv[out] = NULL;
    return out;
}

int main(int argc, char **argv)
{
    err_progname = "hemu-img";
    if (argc < 2) {
        die("Not enough arguments\nTry 'hemu-img --help' for more information");
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        usage();
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        printf("hemu-img version " HEMU_VERSION " (qemu-img %s compatible)\n",
               HEMU_QEMU_VERSION);
        return 0;
    }
    argv++;
    argc--;
    argc = take_objects(argc, argv);
    optind = 1;
    static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
        { "create", cmd_create }, { "info", cmd_info },
        { "convert", cmd_convert }, { "check", cmd_check },
        { "map", cmd_map }, { "compare", cmd_compare },
        { "resize", cmd_resize }, { "snapshot", cmd_snapshot },
        { "commit", cmd_commit }, { "rebase", cmd_rebase },
        { "measure", cmd_measure }, { "amend", cmd_amend },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
        if (!strcmp(cmds[i].name, cmd)) {
            return cmds[i].fn(argc, argv);
        }
    }
    static const char *const unsupported[] = {
        "bench", "bitmap", "dd",
    };
    for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++) {
        if (!strcmp(unsupported[i], cmd)) {
            die("%s: not supported", cmd);
        }
    }
    die("Command not found: %s", cmd);
}
