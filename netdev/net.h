/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net.h - the network layer (DESIGN.md "net"): net clients joined in peer
 * pairs (a NIC front end and a back end, or either and a hub port), each
 * with a queue that holds frames while it cannot receive, hubs for the
 * legacy -net syntax and -netdev hubport, and packet filters (filter-dump).
 * Frames are whole Ethernet frames without FCS.  Main-loop thread or big
 * lock held, always.
 */
#ifndef HEMU_NETDEV_NET_H
#define HEMU_NETDEV_NET_H

#include "emu/osdep.h"

struct err;
struct kvlist;
struct net_client;
struct net_filter;
struct json_object;

/* Largest frame the layer carries: jumbo frames and a little headroom. */
#define NET_MAX_FRAME 65536
/* Frames held for one receiver before further ones are dropped. */
#define NET_QUEUE_MAX 1024

struct net_client_ops {
    const char *type;       /* "user", "socket", "hubport", "nic" ... */
    bool is_nic;
    /* Take one frame: return len when it was consumed (or deliberately
     * dropped), 0 when it cannot be taken now; the layer then queues it
     * and the client calls net_flush() once it can receive again. */
    ssize_t (*receive)(struct net_client *nc, const uint8_t *buf, size_t len);
    bool (*can_receive)(struct net_client *nc);     /* NULL: always */
    /* The peer emptied its queue: a sender that stopped reading its
     * source (net_can_send() was false) may go on. */
    void (*resume)(struct net_client *nc);
    void (*link_changed)(struct net_client *nc);
    /* Free what the client owns (not the struct, which net_client_free
     * frees unless the client is embedded in a device: see embedded). */
    void (*cleanup)(struct net_client *nc);
    /* NICs: the query-rx-filter object, NULL if not supported. */
    struct json_object *(*rx_filter)(struct net_client *nc);
    /* Back ends that can carry the virtio-net header (tap with
     * IFF_VNET_HDR): from now on frames to and from this client start
     * with a len-byte struct virtio_net_hdr(_v1), passed through
     * unchanged.  false: not possible (plain frames stay). */
    bool (*vnet_hdr_enable)(struct net_client *nc, unsigned len);
    /* With the header: the offloads the receiver accepts (TUN_F_* of
     * linux/if_tun.h: partial checksums, TSO4/6 and ECN segments). */
    void (*set_offload)(struct net_client *nc, unsigned tun_flags);
};

struct net_pkt;

struct net_client {
    const struct net_client_ops *ops;
    char *name;             /* id (back ends), id or model.N (NICs) */
    char *model;            /* "user", "e1000", "hub" ... */
    char info[256];         /* the text of "info network" */
    struct net_client *peer;
    bool link_down;
    bool embedded;          /* part of a device: net_client_free keeps it */
    bool from_cmdline_nic;  /* created by -nic/-net nic (for messages) */
    /* Frames waiting for this client. */
    struct net_pkt *q_head, *q_tail;
    int q_len;
    bool flushing;
    struct net_filter *filters;     /* filter-dump and friends */
    int hub_id;             /* hub ports: the hub, else -1 */
    /* Frames to and from this client carry a virtio-net header of this
     * many bytes first (0: plain Ethernet frames); only ever set on both
     * ends of a peer pair by net_vnet_hdr_enable(). */
    unsigned vnet_hdr_len;
    struct net_client *next;
};

/* ---- clients ---- */

/* Register nc (zeroed or embedded) under name (NULL: model.N). */
void net_client_init(struct net_client *nc, const struct net_client_ops *ops,
                     const char *model, const char *name);
/* Allocate and register a client of size bytes (>= sizeof(*nc)). */
struct net_client *net_client_new(const struct net_client_ops *ops,
                                  size_t size, const char *model,
                                  const char *name);
void net_client_set_peer(struct net_client *a, struct net_client *b);
/* Unlink from the peer and the list, drop queued frames, cleanup, free. */
void net_client_free(struct net_client *nc);
struct net_client *net_client_find(const char *name);
struct net_client *net_client_first(void);
void net_set_link(struct net_client *nc, bool up);
void net_client_set_info(struct net_client *nc, const char *fmt, ...)
    PRINTF_FMT(2, 3);

/* ---- moving frames ---- */

/*
 * Send one frame from nc to its peer.  Returns len when it was delivered
 * or dropped (no peer, link down, queue full), 0 when it was queued: a
 * back end should then stop reading its source until ops->resume.
 */
ssize_t net_send(struct net_client *nc, const uint8_t *buf, size_t len);
/* Whether the peer would take a frame now (false with no peer). */
bool net_can_send(const struct net_client *nc);
/* nc can receive again: hand it the frames queued for it. */
void net_flush(struct net_client *nc);

/* A NIC (nic) asks its peer to carry len-byte virtio-net headers with
 * every frame (both ways): true when the peer can, and then both have
 * vnet_hdr_len = len.  Offloads start off (net_set_offload). */
bool net_vnet_hdr_enable(struct net_client *nic, unsigned len);
void net_set_offload(struct net_client *nic, unsigned tun_flags);

/* ---- hubs (-net, -netdev hubport) ---- */

/* A new port on hub hub_id (created on first use). */
struct net_client *net_hub_add_port(int hub_id, const char *name,
                                    struct err **errp);
/* The hub's port that has no peer yet, for "-net user" joining hub 0. */
int net_hub_count_ports(int hub_id);

/* ---- filters ---- */

struct net_filter {
    const char *type;
    char *id;
    /* Sees every frame nc sends (tx) or receives (!tx). */
    void (*frame)(struct net_filter *f, bool tx, const uint8_t *buf,
                  size_t len);
    void (*cleanup)(struct net_filter *f);
    struct net_client *nc;
    struct net_filter *next;
};

void net_filter_attach(struct net_client *nc, struct net_filter *f);
/* -object filter-dump,id=,netdev=,file=[,maxlen=] */
int net_filter_dump_add(struct kvlist *kv, struct err **errp);
void net_filter_del(const char *id);

/* ---- MAC addresses ---- */

/* 52:54:00:12:34:56+n for the n-th NIC without mac=, as QEMU. */
void net_default_mac(uint8_t mac[6]);
int net_parse_mac(const char *s, uint8_t mac[6]);

#endif
