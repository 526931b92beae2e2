/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump.c - -object filter-dump,id=,netdev=,file=[,maxlen=]: every frame a
 * netdev sends or receives goes to a pcap file (libpcap's classic format:
 * 24-byte header, LINKTYPE_ETHERNET, then a 16-byte record header per
 * frame, host byte order, microsecond timestamps).  QEMU 6.2 manual,
 * "-object filter-dump".
 */
#include "emu/osdep.h"

#include <fcntl.h>
#include <sys/time.h>

#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "netdev/net.h"

struct dump_filter {
    struct net_filter f;
    int fd;
    uint32_t maxlen;
};

static void write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t r = write(fd, p, len);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return;
        }
        p += r;
        len -= r;
    }
}

static void dump_frame(struct net_filter *f, bool tx, const uint8_t *buf,
                       size_t len)
{
    struct dump_filter *d = (struct dump_filter *)f;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    uint32_t caplen = len > d->maxlen ? d->maxlen : (uint32_t)len;
    uint32_t hdr[4] = { (uint32_t)tv.tv_sec, (uint32_t)tv.tv_usec, caplen,
                        (uint32_t)len };
    write_all(d->fd, hdr, sizeof(hdr));
    write_all(d->fd, buf, caplen);
}

static void dump_cleanup(struct net_filter *f)
{
    struct dump_filter *d = (struct dump_filter *)f;
    close(d->fd);
}

int net_filter_dump_add(struct kvlist *kv, struct err **errp)
{
    const char *id = kv_str(kv, "id", NULL);
    const char *netdev = kv_str(kv, "netdev", NULL);
    const char *file = kv_str(kv, "file", NULL);
    struct err *e = NULL;
    uint64_t maxlen = kv_size(kv, "maxlen", 65536, &e);
    const char *queue = kv_str(kv, "queue", "all");
    const char *status = kv_str(kv, "status", "on");
    kv_mark_used(kv, "qom-type");
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    if (kv_check_used(kv, errp) < 0) {
        return -1;
    }
    if (!id) {
        err_setf(errp, "Parameter 'id' is missing");
        return -1;
    }
    if (!netdev) {
        err_setf(errp, "Parameter 'netdev' cannot be empty");
        return -1;
    }
    if (!file) {
        err_setf(errp, "Parameter 'file' is missing");
        return -1;
    }
    if (strcmp(queue, "all")) {
        err_setf(errp, "filter-dump queue=%s: not supported", queue);
        return -1;
    }
    if (strcmp(status, "on")) {
        err_setf(errp, "filter-dump status=%s: not supported", status);
        return -1;
    }
    if (maxlen == 0 || maxlen > UINT32_MAX) {
        err_setf(errp, "Parameter 'maxlen' expects a value between 1 and "
                 "4294967295");
        return -1;
    }
    struct net_client *nc = net_client_find(netdev);
    if (!nc || nc->ops->is_nic) {
        err_setf(errp, "Property 'filter-dump.netdev' can't find value '%s'",
                 netdev);
        return -1;
    }
    int fd = open(file, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        err_setf(errp, "-object filter-dump: can't open file '%s': %s", file,
                 strerror(errno));
        return -1;
    }
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t zone;
        uint32_t sigfigs, snaplen, linktype;
    } hdr = { 0xa1b2c3d4, 2, 4, 0, 0, (uint32_t)maxlen, 1 };
    write_all(fd, &hdr, sizeof(hdr));
    struct dump_filter *d = xzalloc(sizeof(*d));
    d->f.type = "filter-dump";
    d->f.id = xstrdup(id);
    d->f.frame = dump_frame;
    d->f.cleanup = dump_cleanup;
    d->fd = fd;
    d->maxlen = (uint32_t)maxlen;
    net_filter_attach(nc, &d->f);
    return 0;
}
