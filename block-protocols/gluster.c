/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gluster.c - the "gluster" protocol: an image file on a GlusterFS volume
 * through libgfapi (qemu-6.2 manual "Device URL Syntax", GlusterFS):
 *   gluster[+tcp|+unix|+rdma]://[host[:port]]/volume/path[?socket=PATH]
 *   driver=gluster,volume=,path=,debug=0..9,logfile=,
 *       server.N.type=tcp|inet|unix,server.N.host=,server.N.port=,
 *       server.N.socket= (also server.N.path=), several servers for the
 *   volfile failover; json:{...,"server":[{...},{...}]} is the same keys.
 * The URL is split with libcurl's URL API.  I/O is gfapi's synchronous
 * calls in the block worker thread, like the other network protocols
 * (doc/netblk.md); gfapi is thread safe.
 */
#include "emu/osdep.h"

#include <fcntl.h>
#include <glusterfs/api/glfs.h>

#include "block-protocols/block.h"
#include "block-protocols/netblk.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

#define GLUSTER_PORT 24007
#define GLUSTER_DEBUG_DEFAULT 4     /* gfapi's GF_LOG_WARNING, as QEMU */
#define GLUSTER_DEBUG_MAX 9
#define GLUSTER_MAX_SERVERS 16
/* One gfapi call moves at most this much (its RPC limit is 128 KiB+). */
#define GLUSTER_CHUNK (1024 * 1024)

struct gluster_state {
    glfs_t *fs;
    glfs_fd_t *fd;
    char *where;
};

/* gluster+T://host:port/volume/path?socket=S into the -blockdev keys. */
int gluster_parse_url(struct kvlist *kv, const char *fn, struct err **errp)
{
    const char *sep = strstr(fn, "://");
    if (!sep) {
        err_setf(errp, "Gluster URL '%s' is not valid (gluster[+transport]"
                 "://[host[:port]]/volume/path[?socket=...])", fn);
        return -1;
    }
    size_t sl = (size_t)(sep - fn);
    const char *type;
    if (sl == 7 && !strncmp(fn, "gluster", 7)) {
        type = "tcp";
    } else if (sl == 11 && !strncmp(fn, "gluster+tcp", 11)) {
        type = "tcp";
    } else if (sl == 12 && !strncmp(fn, "gluster+unix", 12)) {
        type = "unix";
    } else if (sl == 12 && !strncmp(fn, "gluster+rdma", 12)) {
        /* gfapi dropped RDMA; QEMU too falls back to TCP with a warning. */
        warn_report("gluster: 'rdma' transport is no longer supported, "
                    "using 'tcp'");
        type = "tcp";
    } else {
        err_setf(errp, "Gluster URL '%s': unknown transport '%.*s'", fn,
                 (int)sl, fn);
        return -1;
    }
    struct netblk_url nu;
    if (netblk_url_split("Gluster", fn, sep + 3, &nu, errp) < 0) {
        return -1;
    }
    char *vol = NULL, *file = NULL;
    int r = -1;
    /* /volume/path: the first component names the volume. */
    const char *p = nu.path ? nu.path : "";
    while (*p == '/') {
        p++;
    }
    const char *slash = strchr(p, '/');
    if (!*p || !slash || !slash[1]) {
        err_setf(errp, "Gluster URL '%s' needs /volume/path", fn);
        goto out;
    }
    char *v = xstrndup(p, (size_t)(slash - p));
    vol = netblk_unescape(v);
    free(v);
    file = netblk_unescape(slash);
    if (!vol || !*vol || !file) {
        err_setf(errp, "Gluster URL '%s': bad volume or path", fn);
        goto out;
    }
    kv_set(kv, "volume", vol);
    kv_set(kv, "path", file);
    kv_set(kv, "server.0.type", type);
    if (!strcmp(type, "unix")) {
        char *sock = netblk_url_socket("Gluster", fn, "gluster+unix", &nu,
                                       errp);
        if (!sock) {
            goto out;
        }
        kv_set(kv, "server.0.socket", sock);
        free(sock);
    } else {
        if (nu.query) {
            err_setf(errp, "Gluster URL '%s': only gluster+unix takes a "
                     "query (socket=)", fn);
            goto out;
        }
        if (nu.host) {
            kv_set(kv, "server.0.host", nu.host);
        }
        if (nu.port) {
            kv_set(kv, "server.0.port", nu.port);
        }
    }
    r = 0;
out:
    free(vol);
    free(file);
    netblk_url_free(&nu);
    return r;
}

/* server.N.* into glfs_set_volfile_server() calls; at least one. */
static int add_servers(glfs_t *fs, struct kvlist *kv, char **first,
                       struct err **errp)
{
    int n = 0;
    for (; n < GLUSTER_MAX_SERVERS; n++) {
        char k[64];
#define KEY(name) (snprintf(k, sizeof(k), "server.%d." name, n), k)
        const char *type = kv_str(kv, KEY("type"), NULL);
        const char *host = kv_str(kv, KEY("host"), NULL);
        const char *port = kv_str(kv, KEY("port"), NULL);
        const char *sock = kv_str(kv, KEY("socket"), NULL);
        if (!sock) {
            sock = kv_str(kv, KEY("path"), NULL);
        }
#undef KEY
        if (!type && !host && !port && !sock) {
            break;
        }
        if (!type) {
            err_setf(errp, "Parameter 'server.%d.type' is missing", n);
            return -1;
        }
        int r;
        if (!strcmp(type, "tcp") || !strcmp(type, "inet")) {
            uint64_t pn = GLUSTER_PORT;
            if (!host || !*host) {
                err_setf(errp, "Parameter 'server.%d.host' is required", n);
                return -1;
            }
            if (sock) {
                err_setf(errp, "server.%d: a tcp server takes no socket", n);
                return -1;
            }
            if (port && (parse_uint64(port, 10, &pn) < 0 || !pn ||
                         pn > 65535)) {
                err_setf(errp, "server.%d.port: '%s' is not a valid port",
                         n, port);
                return -1;
            }
            r = glfs_set_volfile_server(fs, "tcp", host, (int)pn);
            if (!*first) {
                *first = xasprintf("%s:%d", host, (int)pn);
            }
        } else if (!strcmp(type, "unix")) {
            if (!sock || !*sock) {
                err_setf(errp, "Parameter 'server.%d.socket' is required",
                         n);
                return -1;
            }
            if (host || port) {
                err_setf(errp, "server.%d: a unix server takes no host or "
                         "port", n);
                return -1;
            }
            r = glfs_set_volfile_server(fs, "unix", sock, 0);
            if (!*first) {
                *first = xasprintf("unix:%s", sock);
            }
        } else {
            err_setf(errp, "Parameter 'server.%d.type' does not accept "
                     "value '%s' (tcp, inet or unix)", n, type);
            return -1;
        }
        if (r < 0) {
            err_setf(errp, "gluster: cannot use volfile server %d: %s", n,
                     strerror(errno));
            return -1;
        }
    }
    if (n == GLUSTER_MAX_SERVERS) {
        err_setf(errp, "gluster: at most %d servers", GLUSTER_MAX_SERVERS);
        return -1;
    }
    if (!n) {
        /* gluster:///volume/path: the local glusterd, as QEMU. */
        if (glfs_set_volfile_server(fs, "tcp", "localhost", GLUSTER_PORT)
            < 0) {
            err_setf(errp, "gluster: cannot use volfile server: %s",
                     strerror(errno));
            return -1;
        }
        *first = xasprintf("localhost:%d", GLUSTER_PORT);
    }
    return 0;
}

/* A connected gfapi instance for the node keys; *where names it. */
static glfs_t *gluster_connect(struct kvlist *kv, const char **pathp,
                               char **where, struct err **errp)
{
    const char *fn = kv_str(kv, "filename", NULL);
    if (fn && gluster_parse_url(kv, fn, errp) < 0) {
        return NULL;
    }
    const char *vol = kv_str(kv, "volume", NULL);
    const char *path = kv_str(kv, "path", NULL);
    const char *logfile = kv_str(kv, "logfile", "-");
    struct err *e = NULL;
    uint64_t debug = kv_uint(kv, "debug", GLUSTER_DEBUG_DEFAULT, &e);
    if (e) {
        err_propagate(errp, e);
        return NULL;
    }
    if (!vol || !*vol || !path || !*path) {
        err_setf(errp, "Parameter '%s' is required",
                 vol && *vol ? "path" : "volume");
        return NULL;
    }
    if (debug > GLUSTER_DEBUG_MAX) {
        debug = GLUSTER_DEBUG_MAX;  /* QEMU clamps too */
    }
    glfs_t *fs = glfs_new(vol);
    if (!fs) {
        err_setf(errp, "gluster: cannot create an instance for volume "
                 "'%s'", vol);
        return NULL;
    }
    char *first = NULL;
    if (add_servers(fs, kv, &first, errp) < 0) {
        free(first);
        glfs_fini(fs);
        return NULL;
    }
    *where = xasprintf("gluster://%s/%s%s%s", first, vol,
                       path[0] == '/' ? "" : "/", path);
    free(first);
    if (glfs_set_logging(fs, logfile, (int)debug) < 0) {
        err_setf(errp, "gluster: cannot log to '%s': %s", logfile,
                 strerror(errno));
        goto fail;
    }
    if (glfs_init(fs) < 0) {
        int en = errno;
        err_setf(errp, "Gluster connection for %s failed: %s (check that "
                 "the server is reachable, the volume exists and is "
                 "started)", *where, en ? strerror(en) : "unknown error");
        goto fail;
    }
    *pathp = path;
    return fs;
fail:
    glfs_fini(fs);
    free(*where);
    *where = NULL;
    return NULL;
}

static int gluster_open(struct bdrv *bs, struct kvlist *kv, int flags,
                        struct err **errp)
{
    const char *path = NULL;
    char *where = NULL;
    glfs_t *fs = gluster_connect(kv, &path, &where, errp);
    if (!fs) {
        return -1;
    }
    int oflags = (flags & BDRV_O_RDWR) ? O_RDWR : O_RDONLY;
    if (flags & BDRV_O_NOCACHE) {
        oflags |= O_DIRECT;
    }
    glfs_fd_t *fd = glfs_open(fs, path, oflags);
    if (!fd) {
        err_setf(errp, "%s: cannot open the file: %s", where,
                 strerror(errno));
        glfs_fini(fs);
        free(where);
        return -1;
    }
    struct gluster_state *s = xzalloc(sizeof(*s));
    s->fs = fs;
    s->fd = fd;
    s->where = where;
    bs->opaque = s;
    bs->filename = xstrdup(where);
    return 0;
}

static int gluster_pread(struct bdrv *bs, uint64_t off, void *buf,
                         size_t len)
{
    struct gluster_state *s = bs->opaque;
    uint8_t *p = buf;
    while (len) {
        ssize_t n = glfs_pread(s->fd, p, MIN(len, (size_t)GLUSTER_CHUNK),
                               (off_t)off, 0, NULL);
        if (n < 0) {
            int en = errno ? errno : EIO;
            warn_report("gluster: %s: read at %" PRIu64 " failed: %s",
                        s->where, off, strerror(en));
            return -en;
        }
        if (n == 0) {
            memset(p, 0, len);      /* past the end: zeroes, like a file */
            return 0;
        }
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static int gluster_pwrite(struct bdrv *bs, uint64_t off, const void *buf,
                          size_t len)
{
    struct gluster_state *s = bs->opaque;
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = glfs_pwrite(s->fd, p, MIN(len, (size_t)GLUSTER_CHUNK),
                                (off_t)off, 0, NULL, NULL);
        if (n <= 0) {
            int en = n < 0 && errno ? errno : EIO;
            warn_report("gluster: %s: write at %" PRIu64 " failed: %s",
                        s->where, off, strerror(en));
            return -en;
        }
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static int gluster_flush(struct bdrv *bs)
{
    struct gluster_state *s = bs->opaque;
    if (bs->read_only) {
        return 0;
    }
    if (glfs_fsync(s->fd, NULL, NULL) < 0) {
        int en = errno ? errno : EIO;
        warn_report("gluster: %s: flush failed: %s", s->where,
                    strerror(en));
        return -en;
    }
    return 0;
}

static int gluster_discard(struct bdrv *bs, uint64_t off, uint64_t len)
{
    struct gluster_state *s = bs->opaque;
    while (len) {
        size_t n = (size_t)MIN(len, (uint64_t)1 << 30);
        if (glfs_discard(s->fd, (off_t)off, n) < 0) {
            return errno ? -errno : -EIO;
        }
        off += n;
        len -= n;
    }
    return 0;
}

static int gluster_pwrite_zeroes(struct bdrv *bs, uint64_t off, uint64_t len,
                                 bool may_unmap)
{
    struct gluster_state *s = bs->opaque;
    (void)may_unmap;
    if (glfs_zerofill(s->fd, (off_t)off, (off_t)len) < 0) {
        int en = errno ? errno : EIO;
        /* the generic fallback writes a zero buffer */
        return en == ENOSYS || en == EOPNOTSUPP ? -ENOTSUP : -en;
    }
    return 0;
}

static int64_t gluster_getlength(struct bdrv *bs)
{
    struct gluster_state *s = bs->opaque;
    struct stat st;
    if (glfs_fstat(s->fd, &st) < 0) {
        return errno ? -errno : -EIO;
    }
    return (int64_t)st.st_size;
}

static int64_t gluster_allocated_size(struct bdrv *bs)
{
    struct gluster_state *s = bs->opaque;
    struct stat st;
    if (glfs_fstat(s->fd, &st) < 0) {
        return errno ? -errno : -EIO;
    }
    return (int64_t)st.st_blocks * 512;
}

static int gluster_truncate(struct bdrv *bs, uint64_t len, struct err **errp)
{
    struct gluster_state *s = bs->opaque;
    if (glfs_ftruncate(s->fd, (off_t)len, NULL, NULL) < 0) {
        err_setf(errp, "Failed to resize %s: %s", s->where, strerror(errno));
        return -1;
    }
    return 0;
}

static void gluster_close(struct bdrv *bs)
{
    struct gluster_state *s = bs->opaque;
    glfs_close(s->fd);
    glfs_fini(s->fs);
    free(s->where);
    free(s);
}

/* hemu-img create gluster://...: a new file of the size, sparse. */
static int gluster_create(const char *filename,
                          const struct bdrv_create_opts *o,
                          struct err **errp)
{
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "filename", filename);
    const char *path = NULL;
    char *where = NULL;
    glfs_t *fs = gluster_connect(kv, &path, &where, errp);
    if (!fs) {
        kvlist_free(kv);
        return -1;
    }
    int r = -1;
    glfs_fd_t *fd = glfs_creat(fs, path, O_WRONLY | O_CREAT | O_TRUNC,
                               0644);
    if (!fd) {
        err_setf(errp, "Could not create '%s': %s", where, strerror(errno));
    } else if (glfs_ftruncate(fd, (off_t)o->size, NULL, NULL) < 0) {
        err_setf(errp, "Could not resize '%s': %s", where, strerror(errno));
    } else {
        r = 0;
    }
    if (fd && glfs_close(fd) < 0 && r == 0) {
        err_setf(errp, "Could not close '%s': %s", where, strerror(errno));
        r = -1;
    }
    glfs_fini(fs);
    free(where);
    kvlist_free(kv);    /* path points into it */
    return r;
}

static const char *const gluster_schemes[] = {
    "gluster", "gluster+tcp", "gluster+unix", "gluster+rdma", NULL
};

const struct bdrv_ops bdrv_gluster_ops = {
    .name = "gluster",
    .is_protocol = true,
    .schemes = gluster_schemes,
    .open = gluster_open,
    .close = gluster_close,
    .pread = gluster_pread,
    .pwrite = gluster_pwrite,
    .pwrite_zeroes = gluster_pwrite_zeroes,
    .discard = gluster_discard,
    .flush = gluster_flush,
    .getlength = gluster_getlength,
    .allocated_size = gluster_allocated_size,
    .truncate = gluster_truncate,
    .create = gluster_create,
};
