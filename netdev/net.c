/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net.c - net clients, peers and the per-receiver queue (see net.h).  A
 * frame goes straight to the peer's receive() when the peer has nothing
 * queued and can receive; otherwise it waits in the peer's queue (bounded:
 * a receiver that never drains costs at most NET_QUEUE_MAX frames) until
 * the peer calls net_flush().  Reference: QEMU 6.2 manual, "-netdev".
 */
#include "emu/osdep.h"

#include <ctype.h>
#include <stdarg.h>

#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "netdev/net.h"

struct net_pkt {
    struct net_pkt *next;
    size_t len;
    uint8_t data[];
};

static struct net_client *clients;

struct net_client *net_client_first(void)
{
    return clients;
}

struct net_client *net_client_find(const char *name)
{
    for (struct net_client *nc = clients; nc; nc = nc->next) {
        if (nc->name && !strcmp(nc->name, name)) {
            return nc;
        }
    }
    return NULL;
}

void net_client_init(struct net_client *nc, const struct net_client_ops *ops,
                     const char *model, const char *name)
{
    nc->ops = ops;
    nc->model = xstrdup(model);
    nc->hub_id = -1;
    if (name) {
        nc->name = xstrdup(name);
    } else {
        /* QEMU names unnamed clients model.N, N counting that model. */
        for (int i = 0;; i++) {
            char *n = xasprintf("%s.%d", model, i);
            if (!net_client_find(n)) {
                nc->name = n;
                break;
            }
            free(n);
        }
    }
    struct net_client **pp = &clients;
    while (*pp) {
        pp = &(*pp)->next;
    }
    nc->next = NULL;
    *pp = nc;
}

struct net_client *net_client_new(const struct net_client_ops *ops,
                                  size_t size, const char *model,
                                  const char *name)
{
    struct net_client *nc = xzalloc(size < sizeof(*nc) ? sizeof(*nc) : size);
    net_client_init(nc, ops, model, name);
    return nc;
}

void net_client_set_info(struct net_client *nc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(nc->info, sizeof(nc->info), fmt, ap);
    va_end(ap);
}

void net_client_set_peer(struct net_client *a, struct net_client *b)
{
    a->peer = b;
    b->peer = a;
}

static void queue_purge(struct net_client *nc)
{
    while (nc->q_head) {
        struct net_pkt *p = nc->q_head;
        nc->q_head = p->next;
        free(p);
    }
    nc->q_tail = NULL;
    nc->q_len = 0;
}

void net_client_free(struct net_client *nc)
{
    for (struct net_client **pp = &clients; *pp; pp = &(*pp)->next) {
        if (*pp == nc) {
            *pp = nc->next;
            break;
        }
    }
    if (nc->peer) {
        struct net_client *peer = nc->peer;
        peer->peer = NULL;
        /* Frames from nc still waiting at the peer go with it. */
        queue_purge(peer);
    }
    queue_purge(nc);
    while (nc->filters) {
        struct net_filter *f = nc->filters;
        nc->filters = f->next;
        if (f->cleanup) {
            f->cleanup(f);
        }
        free(f->id);
        free(f);
    }
    if (nc->ops->cleanup) {
        nc->ops->cleanup(nc);
    }
    free(nc->name);
    free(nc->model);
    nc->name = nc->model = NULL;
    if (!nc->embedded) {
        free(nc);
    }
}

void net_set_link(struct net_client *nc, bool up)
{
    nc->link_down = !up;
    if (nc->ops->link_changed) {
        nc->ops->link_changed(nc);
    }
    /* QEMU takes a NIC's link down together with a back end's peer, and
     * the other way round, so the guest sees the cable pulled. */
    struct net_client *peer = nc->peer;
    if (peer && peer->hub_id < 0) {
        peer->link_down = !up;
        if (peer->ops->link_changed) {
            peer->ops->link_changed(peer);
        }
    }
}

static void filters_run(struct net_client *nc, bool tx, const uint8_t *buf,
                        size_t len)
{
    /* Filters (pcap) see the Ethernet frame without a virtio-net header. */
    if (nc->vnet_hdr_len) {
        if (len <= nc->vnet_hdr_len) {
            return;
        }
        buf += nc->vnet_hdr_len;
        len -= nc->vnet_hdr_len;
    }
    for (struct net_filter *f = nc->filters; f; f = f->next) {
        f->frame(f, tx, buf, len);
    }
}

static bool peer_ready(const struct net_client *peer)
{
    return !peer->ops->can_receive || peer->ops->can_receive(
        (struct net_client *)peer);
}

bool net_can_send(const struct net_client *nc)
{
    const struct net_client *peer = nc->peer;
    return peer && !peer->q_head && peer_ready(peer);
}

static void enqueue(struct net_client *to, const uint8_t *buf, size_t len)
{
    if (to->q_len >= NET_QUEUE_MAX) {
        return;
    }
    struct net_pkt *p = xmalloc(sizeof(*p) + len);
    p->next = NULL;
    p->len = len;
    memcpy(p->data, buf, len);
    if (to->q_tail) {
        to->q_tail->next = p;
    } else {
        to->q_head = p;
    }
    to->q_tail = p;
    to->q_len++;
}

ssize_t net_send(struct net_client *nc, const uint8_t *buf, size_t len)
{
    struct net_client *peer = nc->peer;
    if (len <= nc->vnet_hdr_len || len > NET_MAX_FRAME + nc->vnet_hdr_len) {
        return len;
    }
    filters_run(nc, true, buf, len);
    if (nc->link_down || !peer || peer->link_down) {
        return len;
    }
    if (!peer->q_head && peer_ready(peer)) {
        filters_run(peer, false, buf, len);
        ssize_t r = peer->ops->receive(peer, buf, len);
        if (r != 0) {
            return len;
        }
        /* Refused after all: queue it (without dumping it twice). */
        enqueue(peer, buf, len);
        return 0;
    }
    enqueue(peer, buf, len);
    return 0;
}

void net_flush(struct net_client *nc)
{
    if (nc->flushing) {
        return;
    }
    nc->flushing = true;
    while (nc->q_head && peer_ready(nc)) {
        struct net_pkt *p = nc->q_head;
        filters_run(nc, false, p->data, p->len);
        if (nc->ops->receive(nc, p->data, p->len) == 0) {
            break;
        }
        nc->q_head = p->next;
        if (!nc->q_head) {
            nc->q_tail = NULL;
        }
        nc->q_len--;
        free(p);
    }
    nc->flushing = false;
    if (!nc->q_head && nc->peer && nc->peer->ops->resume) {
        nc->peer->ops->resume(nc->peer);
    }
}

bool net_vnet_hdr_enable(struct net_client *nic, unsigned len)
{
    struct net_client *peer = nic->peer;
    if (!peer || !peer->ops->vnet_hdr_enable ||
        !peer->ops->vnet_hdr_enable(peer, len)) {
        return false;
    }
    /* Frames queued so far are plain: they cannot be told apart later. */
    queue_purge(nic);
    queue_purge(peer);
    nic->vnet_hdr_len = peer->vnet_hdr_len = len;
    return true;
}

void net_set_offload(struct net_client *nic, unsigned tun_flags)
{
    struct net_client *peer = nic->peer;
    if (nic->vnet_hdr_len && peer && peer->ops->set_offload) {
        peer->ops->set_offload(peer, tun_flags);
    }
}

void net_filter_attach(struct net_client *nc, struct net_filter *f)
{
    f->nc = nc;
    struct net_filter **pp = &nc->filters;
    while (*pp) {
        pp = &(*pp)->next;
    }
    f->next = NULL;
    *pp = f;
}

void net_filter_del(const char *id)
{
    for (struct net_client *nc = clients; nc; nc = nc->next) {
        for (struct net_filter **pp = &nc->filters; *pp; pp = &(*pp)->next) {
            struct net_filter *f = *pp;
            if (f->id && !strcmp(f->id, id)) {
                *pp = f->next;
                if (f->cleanup) {
                    f->cleanup(f);
                }
                free(f->id);
                free(f);
                return;
            }
        }
    }
}

/* ---- MAC addresses ---- */

void net_default_mac(uint8_t mac[6])
{
    static int index;
    static const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    memcpy(mac, base, 6);
    mac[5] = (uint8_t)(base[5] + index++);
}

int net_parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        char *end;
        if (!isxdigit((unsigned char)s[0])) {
            return -1;
        }
        unsigned long v = strtoul(s, &end, 16);
        if (v > 0xff || end - s > 2 || end == s) {
            return -1;
        }
        mac[i] = (uint8_t)v;
        if (i < 5) {
            if (*end != ':' && *end != '-') {
                return -1;
            }
            s = end + 1;
        } else if (*end) {
            return -1;
        }
    }
    return 0;
}
