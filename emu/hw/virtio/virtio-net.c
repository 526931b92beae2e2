/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net.c - virtio-net-pci (VIRTIO 1.0 5.1, network device) on the
 * transitional virtio PCI transport: receive queue 0, transmit queue 1,
 * control queue 2 (5.1.6.5: RX mode, MAC table and address, VLAN filter,
 * announce acknowledgement).  Features: MAC, STATUS, CSUM and HOST_TSO4/6
 * (finished in software, virtio-net-offload.c), MRG_RXBUF (5.1.6.3.2: a
 * frame spread over several receive buffers, num_buffers in the first
 * header, published at once), CTRL_VQ, CTRL_RX, CTRL_VLAN, CTRL_MAC_ADDR.
 * Receive filtering follows 5.1.6.5.1/5.1.6.5.2 (promiscuous until the
 * driver says otherwise, as QEMU).  Chains, lengths and command sizes come
 * from the guest and are checked; a malformed chain stops its queue with
 * DEVICE_NEEDS_RESET; transmit work per run is bounded.
 */
#include "emu/osdep.h"

#include <json-c/json.h>

#include "emu/cli/keyval.h"
#include "emu/hw/bootorder.h"
#include "emu/hw/virtio/virtio-net.h"
#include "emu/hw/virtio/virtio-pci.h"
#include "emu/loop/loop.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "netdev/net.h"
#include "netdev/netdev.h"
#include "netdev/vhost-user.h"

#define F_CSUM 0
#define F_GUEST_CSUM 1
#define F_GUEST_TSO4 7
#define F_GUEST_TSO6 8
#define F_GUEST_ECN 9
#define F_HOST_ECN 13
#define F_MAC 5
#define F_HOST_TSO4 11
#define F_HOST_TSO6 12
#define F_MRG_RXBUF 15
#define F_STATUS 16
#define F_CTRL_VQ 17
#define F_CTRL_RX 18
#define F_CTRL_VLAN 19
#define F_CTRL_MAC_ADDR 23

#define S_LINK_UP 1

#define Q_RX 0
#define Q_TX 1
#define Q_CTRL 2
#define QUEUE_SIZE 256
#define TX_BUDGET 256
/* The largest frame a guest may hand over: a 64 KiB GSO send and its
 * headers. */
#define TX_MAX (65536 + 256)
#define MAC_TABLE_ENTRIES 64

#define CTRL_RX 0
#define CTRL_MAC 1
#define CTRL_VLAN 2
#define CTRL_ANNOUNCE 3
#define CTRL_OK 0
#define CTRL_ERR 1

struct virtio_net {
    struct virtio_pci vp;
    struct net_client nc;
    uint8_t mac_prop[6];
    char *netdev;
    char *bootindex_str;
    int32_t bootindex;
    uint8_t macaddr[6];         /* from mac= (or the default) */

    uint8_t mac[6];             /* what the driver set */
    bool promisc, allmulti, alluni, nomulti, nouni, nobcast;
    unsigned uni_n, multi_n;    /* entries of mac_table: unicast first */
    bool uni_overflow, multi_overflow;
    uint8_t mac_table[MAC_TABLE_ENTRIES][6];
    uint8_t vlans[4096 / 8];
    bool tx_blocked;            /* the peer queued a frame: wait */
    struct bh *tx_bh;
    uint8_t *txbuf;
    /* The peer (tap) carries the virtio-net header: the guest's goes out
     * unchanged and the host's comes in (pass-through offloads). */
    bool vnet;
    unsigned offload;           /* TUN_F_* last given to the peer */
    struct vq_elem rx_first, rx_more, tx_e, ctrl_e;
    struct vhost_user *vhost;   /* -netdev vhost-user: it has the rings */
};

/* linux/if_tun.h's TUN_F_* (the ABI), for net_set_offload(). */
#define TUN_CSUM 0x01
#define TUN_TSO4 0x02
#define TUN_TSO6 0x04
#define TUN_TSO_ECN 0x08
#define PASS_HDR_LEN 12         /* struct virtio_net_hdr_v1 */

static uint64_t net_features(struct virtio_pci *vp)
{
    struct virtio_net *s = (struct virtio_net *)vp;
    if (s->vhost) {
        /* The back end moves the frames: no software offloads here. */
        return 1ULL << F_MAC | 1ULL << F_STATUS | 1ULL << F_CTRL_VQ |
               1ULL << F_CTRL_RX | 1ULL << F_CTRL_VLAN |
               1ULL << F_CTRL_MAC_ADDR |
               (vhost_user_features(s->vhost) & 1ULL << F_MRG_RXBUF);
    }
    uint64_t pass = s->vnet ? 1ULL << F_GUEST_CSUM | 1ULL << F_GUEST_TSO4 |
                              1ULL << F_GUEST_TSO6 | 1ULL << F_GUEST_ECN |
                              1ULL << F_HOST_ECN : 0;
    /* Event indexes (2.4.7.2/2.4.8.2): interrupts and kicks only when the
     * other side passed the point it asked for. */
    return pass | 1ULL << VIRTIO_F_RING_EVENT_IDX |
           1ULL << F_CSUM | 1ULL << F_MAC | 1ULL << F_HOST_TSO4 |
           1ULL << F_HOST_TSO6 | 1ULL << F_MRG_RXBUF | 1ULL << F_STATUS |
           1ULL << F_CTRL_VQ | 1ULL << F_CTRL_RX | 1ULL << F_CTRL_VLAN |
           1ULL << F_CTRL_MAC_ADDR;
}

/* Tell the peer which offloaded frames the driver accepts (5.1.6.4:
 * partial checksums with GUEST_CSUM, TSO segments with GUEST_TSO4/6). */
static void sync_offload(struct virtio_net *s)
{
    if (!s->vnet || !(s->vp.status & VIRTIO_STATUS_DRIVER_OK)) {
        return;
    }
    unsigned f = 0;
    if (virtio_has_feature(&s->vp, F_GUEST_CSUM)) {
        f |= TUN_CSUM;
        f |= virtio_has_feature(&s->vp, F_GUEST_TSO4) ? TUN_TSO4 : 0;
        f |= virtio_has_feature(&s->vp, F_GUEST_TSO6) ? TUN_TSO6 : 0;
        f |= virtio_has_feature(&s->vp, F_GUEST_ECN) ? TUN_TSO_ECN : 0;
    }
    if (f != s->offload) {
        s->offload = f;
        net_set_offload(&s->nc, f);
    }
}

/* 5.1.6: the header has num_buffers with VERSION_1 or MRG_RXBUF. */
static unsigned hdr_len(struct virtio_net *s)
{
    return virtio_has_feature(&s->vp, VIRTIO_F_VERSION_1) ||
           virtio_has_feature(&s->vp, F_MRG_RXBUF) ? 12 : 10;
}

static void net_config(struct virtio_pci *vp, uint8_t *c)
{
    struct virtio_net *s = (struct virtio_net *)vp;
    memcpy(c, s->mac, 6);
    uint16_t st = s->nc.link_down ? 0 : S_LINK_UP;
    c[6] = (uint8_t)st;
    c[7] = st >> 8;
    c[8] = 1;                   /* max_virtqueue_pairs */
}

static void net_config_write(struct virtio_pci *vp, unsigned off, uint32_t val,
                             unsigned size)
{
    struct virtio_net *s = (struct virtio_net *)vp;
    /* Legacy drivers without CTRL_MAC_ADDR set the address here. */
    if (virtio_has_feature(vp, VIRTIO_F_VERSION_1)) {
        return;
    }
    for (unsigned i = 0; i < size && off + i < 6; i++) {
        s->mac[off + i] = (uint8_t)(val >> (8 * i));
    }
}

static void broken(struct virtio_net *s, struct virtqueue *vq)
{
    vq->ready = false;
    s->vp.status |= 0x40;       /* DEVICE_NEEDS_RESET */
}

/* ---- receive ---- */

static bool mac_in(struct virtio_net *s, unsigned from, unsigned n,
                   const uint8_t *mac)
{
    for (unsigned i = from; i < from + n; i++) {
        if (!memcmp(s->mac_table[i], mac, 6)) {
            return true;
        }
    }
    return false;
}

static bool rx_wanted(struct virtio_net *s, const uint8_t *buf, size_t len)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    if (len < 14) {
        return false;
    }
    if (s->promisc) {
        return true;
    }
    if (virtio_has_feature(&s->vp, F_CTRL_VLAN) && len >= 18 &&
        buf[12] == 0x81 && buf[13] == 0x00) {
        unsigned vid = (buf[14] << 8 | buf[15]) & 0xfff;
        if (!(s->vlans[vid / 8] & (1u << (vid % 8)))) {
            return false;
        }
    }
    if (!memcmp(buf, bcast, 6)) {
        return !s->nobcast;
    }
    if (buf[0] & 1) {
        if (s->nomulti) {
            return false;
        }
        return s->allmulti || s->multi_overflow ||
               mac_in(s, s->uni_n, s->multi_n, buf);
    }
    if (s->nouni) {
        return false;
    }
    return s->alluni || s->uni_overflow || !memcmp(buf, s->mac, 6) ||
           mac_in(s, 0, s->uni_n, buf);
}

static bool rx_ready(struct virtio_net *s)
{
    return (s->vp.status & VIRTIO_STATUS_DRIVER_OK) &&
           vq_avail_count(&s->vp.vq[Q_RX]) > 0;
}

static bool vn_can_receive(struct net_client *nc)
{
    return rx_ready(container_of(nc, struct virtio_net, nc));
}

static ssize_t vn_receive(struct net_client *nc, const uint8_t *buf,
                          size_t len)
{
    struct virtio_net *s = container_of(nc, struct virtio_net, nc);
    struct virtqueue *vq = &s->vp.vq[Q_RX];
    uint8_t hdr[12] = { 0 };
    size_t full_len = len;
    if (s->vnet) {
        /* The host's header (net_send guarantees it is there). */
        memcpy(hdr, buf, 10);
        buf += PASS_HDR_LEN;
        len -= PASS_HDR_LEN;
        if (!virtio_has_feature(&s->vp, F_GUEST_CSUM)) {
            hdr[0] = 0;         /* 5.1.6.4.1: flags zero without it */
        }
        bool gso_ok = (hdr[1] & 0x7f) == 0 ||
            ((hdr[1] & 0x7f) == 1 && virtio_has_feature(&s->vp,
                                                        F_GUEST_TSO4)) ||
            ((hdr[1] & 0x7f) == 4 && virtio_has_feature(&s->vp,
                                                        F_GUEST_TSO6));
        if (!gso_ok) {
            return full_len;    /* a segment the driver cannot take */
        }
    }
    if (!rx_wanted(s, buf, len)) {
        return len;
    }
    if (!rx_ready(s)) {
        return 0;
    }
    bool mrg = virtio_has_feature(&s->vp, F_MRG_RXBUF);
    unsigned hl = hdr_len(s), nbuf = 0;
    size_t off = 0;
    while (nbuf == 0 || off < len) {
        struct vq_elem *e = nbuf ? &s->rx_more : &s->rx_first;
        int r = nbuf < vq->num ? vq_pop(vq, e) : 0;
        if (r < 0) {
            broken(s, vq);
            return len;
        }
        if (r == 0) {
            /* Not enough buffers yet: give back what was taken and wait,
             * unless the whole ring cannot hold the frame. */
            vq->last_avail -= nbuf;
            return nbuf >= vq->num ? (ssize_t)full_len : 0;
        }
        if (nbuf == 0 && e->in_len < hl) {
            vq->last_avail--;   /* no room for the header: drop the frame */
            return full_len;
        }
        uint64_t at = nbuf ? 0 : hl;
        uint64_t n = MIN(e->in_len - at, (uint64_t)(len - off));
        if (vq_copy_to(vq, e->in, e->n_in, at, buf + off, n) != n) {
            broken(s, vq);
            return full_len;
        }
        off += n;
        vq_fill(vq, e, at + n, nbuf++);
        if (!mrg && off < len) {
            /* One buffer must hold the frame: drop it, keep the buffer. */
            vq->last_avail--;
            return full_len;
        }
    }
    hdr[10] = (uint8_t)nbuf;
    hdr[11] = nbuf >> 8;
    vq_copy_to(vq, s->rx_first.in, s->rx_first.n_in, 0, hdr, hl);
    vq_flush(vq, nbuf);
    virtio_notify(&s->vp, vq);
    return full_len;
}

/* ---- transmit ---- */

static void tx_emit(void *opaque, const uint8_t *buf, size_t len)
{
    struct virtio_net *s = opaque;
    if (net_send(&s->nc, buf, len) == 0) {
        s->tx_blocked = true;
    }
}

static void tx_run(struct virtio_net *s)
{
    struct virtqueue *vq = &s->vp.vq[Q_TX];
    if (!(s->vp.status & VIRTIO_STATUS_DRIVER_OK)) {
        return;
    }
    sync_offload(s);
    bool done_any = false;
    for (int budget = 0; budget < TX_BUDGET; budget++) {
        if (s->tx_blocked) {
            break;
        }
        struct vq_elem *e = &s->tx_e;
        int r = vq_pop(vq, e);
        if (r < 0) {
            broken(s, vq);
            break;
        }
        if (r == 0) {
            goto out;
        }
        unsigned hl = hdr_len(s);
        uint8_t hb[12];
        if (e->out_len >= hl && e->out_len - hl <= TX_MAX &&
            vq_copy_from(vq, e->out, e->n_out, 0, hb, hl) == hl) {
            struct vnet_hdr h = {
                .flags = hb[0], .gso_type = hb[1],
                .hdr_len = hb[2] | hb[3] << 8, .gso_size = hb[4] | hb[5] << 8,
                .csum_start = hb[6] | hb[7] << 8,
                .csum_offset = hb[8] | hb[9] << 8,
            };
            size_t flen = e->out_len - hl;
            if (s->vnet) {
                /* The guest's header goes to the host kernel as it is
                 * (tun checks it); num_buffers is zero on transmit. */
                memset(s->txbuf, 0, PASS_HDR_LEN);
                memcpy(s->txbuf, hb, 10);
                if (flen && vq_copy_from(vq, e->out, e->n_out, hl,
                                         s->txbuf + PASS_HDR_LEN, flen) == flen) {
                    tx_emit(s, s->txbuf, PASS_HDR_LEN + flen);
                }
            } else if (vq_copy_from(vq, e->out, e->n_out, hl, s->txbuf, flen) == flen
                && flen) {
                /* A frame the header does not fit is dropped. */
                (void)vnet_tx_offload(&h, s->txbuf, flen, tx_emit, s);
            }
        }
        vq_push(vq, e, 0);
        done_any = true;
    }
    /* Budget spent (or the peer is full): the rest runs later. */
    if (!s->tx_blocked) {
        bh_schedule(s->tx_bh);
    }
out:
    if (done_any) {
        virtio_notify(&s->vp, vq);
    }
}

static void tx_bh_run(void *opaque)
{
    tx_run(opaque);
}

static void vn_resume(struct net_client *nc)
{
    struct virtio_net *s = container_of(nc, struct virtio_net, nc);
    if (s->tx_blocked) {
        s->tx_blocked = false;
        bh_schedule(s->tx_bh);
    }
}

/* ---- control queue ---- */

static uint8_t ctrl_rx(struct virtio_net *s, uint8_t cmd, const uint8_t *d,
                       size_t n)
{
    bool *flags[] = { &s->promisc, &s->allmulti, &s->alluni, &s->nomulti,
                      &s->nouni, &s->nobcast };
    if (n != 1 || cmd >= ARRAY_SIZE(flags)) {
        return CTRL_ERR;
    }
    *flags[cmd] = d[0] != 0;
    return CTRL_OK;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t ctrl_mac(struct virtio_net *s, uint8_t cmd, const uint8_t *d,
                        size_t n)
{
    if (cmd == 1) {             /* MAC_ADDR_SET */
        if (n != 6) {
            return CTRL_ERR;
        }
        memcpy(s->mac, d, 6);
        return CTRL_OK;
    }
    if (cmd != 0) {
        return CTRL_ERR;
    }
    /* MAC_TABLE_SET: unicast {le32 entries, macs}, then multicast. */
    unsigned cnt[2];
    size_t at = 0;
    uint8_t table[MAC_TABLE_ENTRIES][6];
    unsigned used = 0;
    bool over[2] = { false, false };
    for (int t = 0; t < 2; t++) {
        if (n - at < 4) {
            return CTRL_ERR;
        }
        uint32_t e = le32(d + at);
        at += 4;
        if (e > (n - at) / 6) {
            return CTRL_ERR;
        }
        cnt[t] = 0;
        if (used + e > MAC_TABLE_ENTRIES) {
            over[t] = true;
        } else {
            memcpy(table[used], d + at, 6 * (size_t)e);
            used += e;
            cnt[t] = e;
        }
        at += 6 * (size_t)e;
    }
    if (at != n) {
        return CTRL_ERR;
    }
    memcpy(s->mac_table, table, sizeof(table[0]) * used);
    s->uni_n = cnt[0];
    s->multi_n = cnt[1];
    s->uni_overflow = over[0];
    s->multi_overflow = over[1];
    return CTRL_OK;
}

static uint8_t ctrl_vlan(struct virtio_net *s, uint8_t cmd, const uint8_t *d,
                         size_t n)
{
    if (n != 2 || cmd > 1) {
        return CTRL_ERR;
    }
    unsigned vid = d[0] | d[1] << 8;
    if (vid >= 4096) {
        return CTRL_ERR;
    }
    if (cmd == 0) {
        s->vlans[vid / 8] |= 1u << (vid % 8);
    } else {
        s->vlans[vid / 8] &= ~(1u << (vid % 8));
    }
    return CTRL_OK;
}

static void ctrl_run(struct virtio_net *s)
{
    struct virtqueue *vq = &s->vp.vq[Q_CTRL];
    for (int budget = 0; budget < QUEUE_SIZE; budget++) {
        struct vq_elem *e = &s->ctrl_e;
        int r = vq_pop(vq, e);
        if (r < 0) {
            broken(s, vq);
            return;
        }
        if (r == 0) {
            return;
        }
        uint8_t ack = CTRL_ERR;
        /* The largest command: two full MAC tables. */
        uint8_t d[8 + 6 * MAC_TABLE_ENTRIES * 2 + 2];
        if (e->out_len >= 2 && e->out_len <= sizeof(d) && e->in_len >= 1) {
            size_t n = e->out_len;
            if (vq_copy_from(vq, e->out, e->n_out, 0, d, n) == n) {
                switch (d[0]) {
                case CTRL_RX:
                    ack = ctrl_rx(s, d[1], d + 2, n - 2);
                    break;
                case CTRL_MAC:
                    ack = ctrl_mac(s, d[1], d + 2, n - 2);
                    break;
                case CTRL_VLAN:
                    ack = ctrl_vlan(s, d[1], d + 2, n - 2);
                    break;
                case CTRL_ANNOUNCE:
                    ack = d[1] == 0 ? CTRL_OK : CTRL_ERR;
                    break;
                }
            }
        }
        uint32_t w = 0;
        if (e->in_len >= 1) {
            w = vq_copy_to(vq, e->in, e->n_in, e->in_len - 1, &ack, 1);
        }
        vq_push(vq, e, w);
        virtio_notify(&s->vp, vq);
    }
}

static void net_notify(struct virtio_pci *vp, unsigned q)
{
    struct virtio_net *s = (struct virtio_net *)vp;
    if (s->vhost && q != Q_CTRL) {
        vhost_user_kick(s->vhost, q);
        return;
    }
    switch (q) {
    case Q_RX:
        sync_offload(s);
        net_flush(&s->nc);
        break;
    case Q_TX:
        tx_run(s);
        break;
    case Q_CTRL:
        ctrl_run(s);
        break;
    }
}

static void rx_mode_reset(struct virtio_net *s)
{
    memcpy(s->mac, s->macaddr, 6);
    /* Promiscuous until a driver with CTRL_RX says otherwise, so drivers
     * without the control queue receive everything (as QEMU). */
    s->promisc = true;
    s->allmulti = s->alluni = s->nomulti = s->nouni = s->nobcast = false;
    s->uni_n = s->multi_n = 0;
    s->uni_overflow = s->multi_overflow = false;
    memset(s->vlans, 0, sizeof(s->vlans));
}

static void net_reset(struct virtio_pci *vp)
{
    struct virtio_net *s = (struct virtio_net *)vp;
    rx_mode_reset(s);
    if (s->vhost) {
        vhost_user_stop(s->vhost);
    }
    s->tx_blocked = false;
    if (s->offload) {
        s->offload = 0;
        net_set_offload(&s->nc, 0);
    }
    if (s->tx_bh) {
        bh_cancel(s->tx_bh);
    }
}

static void net_set_status(struct virtio_pci *vp, uint8_t old, uint8_t st)
{
    struct virtio_net *s = (struct virtio_net *)vp;
    if (s->vhost && (st & VIRTIO_STATUS_DRIVER_OK) &&
        !(old & VIRTIO_STATUS_DRIVER_OK)) {
        vhost_user_start(s->vhost);
    }
}

static const struct virtio_dev_ops net_ops = {
    .device_id = 1,
    .pci_class = 0x0200,
    .config_size = 12,
    .features = net_features,
    .config_read = net_config,
    .config_write = net_config_write,
    .notify = net_notify,
    .reset = net_reset,
    .set_status = net_set_status,
};

/* ---- the net client ---- */

static void vn_link_changed(struct net_client *nc)
{
    struct virtio_net *s = container_of(nc, struct virtio_net, nc);
    if (virtio_has_feature(&s->vp, F_STATUS)) {
        virtio_config_notify(&s->vp);
    }
}

static void fmt_mac(char *b, const uint8_t *m)
{
    snprintf(b, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
             m[4], m[5]);
}

static json_object *mac_list(struct virtio_net *s, unsigned from, unsigned n)
{
    json_object *a = json_object_new_array();
    for (unsigned i = from; i < from + n; i++) {
        char b[18];
        fmt_mac(b, s->mac_table[i]);
        json_object_array_add(a, json_object_new_string(b));
    }
    return a;
}

static json_object *vn_rx_filter(struct net_client *nc)
{
    struct virtio_net *s = container_of(nc, struct virtio_net, nc);
    json_object *o = json_object_new_object();
    char mac[18];
    fmt_mac(mac, s->mac);
    bool vfilter = virtio_has_feature(&s->vp, F_CTRL_VLAN);
    json_object_object_add(o, "name", json_object_new_string(nc->name));
    json_object_object_add(o, "promiscuous",
                           json_object_new_boolean(s->promisc));
    json_object_object_add(o, "multicast", json_object_new_string(
        s->nomulti ? "none" : s->allmulti ? "all" : "normal"));
    json_object_object_add(o, "unicast", json_object_new_string(
        s->nouni ? "none" : s->alluni ? "all" : "normal"));
    json_object_object_add(o, "vlan", json_object_new_string(
        vfilter ? "normal" : "all"));
    json_object_object_add(o, "broadcast-allowed",
                           json_object_new_boolean(!s->nobcast));
    json_object_object_add(o, "multicast-overflow",
                           json_object_new_boolean(s->multi_overflow));
    json_object_object_add(o, "unicast-overflow",
                           json_object_new_boolean(s->uni_overflow));
    json_object_object_add(o, "main-mac", json_object_new_string(mac));
    json_object *vl = json_object_new_array();
    for (unsigned v = 0; vfilter && v < 4096; v++) {
        if (s->vlans[v / 8] & (1u << (v % 8))) {
            json_object_array_add(vl, json_object_new_int(v));
        }
    }
    json_object_object_add(o, "vlan-table", vl);
    json_object_object_add(o, "unicast-table", mac_list(s, 0, s->uni_n));
    json_object_object_add(o, "multicast-table",
                           mac_list(s, s->uni_n, s->multi_n));
    return o;
}

static const struct net_client_ops vn_net_ops = {
    .type = "nic",
    .is_nic = true,
    .receive = vn_receive,
    .can_receive = vn_can_receive,
    .resume = vn_resume,
    .link_changed = vn_link_changed,
    .rx_filter = vn_rx_filter,
};

/* ---- the device ---- */

/*
 * iPXE's efi-virtio.rom names the modern device (1af4:1041) in its PCI
 * data structures, and SeaBIOS runs an image only if they name the
 * device (PCI Firmware Spec 3.0, 5.1.2): the transitional device gets
 * its own id written in, and the x86 image's checksum byte (offset 6,
 * unused by the header layout) evens its sum out again, as QEMU does for
 * its default ROMs.
 */
static void patch_rom_ids(struct pci_device *d)
{
    struct mem_region *mr = d->rom_mr;
    if (!mr || !mr->ram) {
        return;
    }
    uint8_t *r = mr->ram;
    uint64_t size = mr->size, off = 0;
    uint16_t ven = pci_get_word(d->config + PCI_VENDOR_ID);
    uint16_t dev = pci_get_word(d->config + PCI_DEVICE_ID);
    for (int img = 0; img < 8 && off + 0x1a <= size; img++) {
        uint8_t *h = r + off;
        if (h[0] != 0x55 || h[1] != 0xaa) {
            return;
        }
        uint64_t pcir = off + (h[0x18] | h[0x19] << 8);
        if (pcir + 0x18 > size || memcmp(r + pcir, "PCIR", 4)) {
            return;
        }
        uint8_t *p = r + pcir;
        if ((p[4] | p[5] << 8) == ven && (p[6] | p[7] << 8) != dev) {
            p[6] = (uint8_t)dev;
            p[7] = dev >> 8;
            uint64_t len = (uint64_t)h[2] * 512;
            if (p[0x14] == 0 && len >= 8 && off + len <= size) {
                uint8_t sum = 0;
                for (uint64_t i = 0; i < len; i++) {
                    sum += h[i];
                }
                h[6] -= sum;
            }
        }
        uint64_t ilen = (uint64_t)(p[0x10] | p[0x11] << 8) * 512;
        if ((p[0x15] & 0x80) || !ilen) {
            return;
        }
        off += ilen;
    }
}

static int vn_realize(struct device *dev, struct err **errp)
{
    struct virtio_net *s = (struct virtio_net *)dev;
    const char *model = dev->type->name;
    if (!pci_default_bus) {
        err_setf(errp, "No 'PCI' bus found for device '%s'", model);
        return -1;
    }
    if (s->vp.disable_legacy && s->vp.disable_modern) {
        err_setf(errp, "device cannot work as neither modern nor legacy mode "
                 "is enabled");
        return -1;
    }
    if (net_nic_props(model, s->bootindex_str, &s->bootindex, s->mac_prop,
                      s->macaddr, errp) < 0) {
        return -1;
    }
    if (net_nic_init(&s->nc, &vn_net_ops, "virtio-net-pci", s->vp.pci.dev.id,
                     s->netdev, errp) < 0) {
        return -1;
    }
    if (pci_device_plug(pci_default_bus, &s->vp.pci, errp) < 0) {
        return -1;
    }
    if (s->vp.msix_vectors > MSIX_MAX_VECTORS) {
        err_setf(errp, "virtio-net-pci: vectors=%u: at most %u supported",
                 s->vp.msix_vectors, MSIX_MAX_VECTORS);
        return -1;
    }
    virtio_pci_init(&s->vp, &net_ops, 3, QUEUE_SIZE);
    s->vhost = vhost_user_of(s->nc.peer);
    if (s->vhost && vhost_user_attach(s->vhost, &s->vp, 2, errp) < 0) {
        return -1;
    }
    if (pci_load_rom(&s->vp.pci, "efi-virtio.rom", errp) < 0) {
        return -1;
    }
    if (!s->vp.pci.romfile) {
        patch_rom_ids(&s->vp.pci);
    }
    s->txbuf = xmalloc(PASS_HDR_LEN + TX_MAX);
    s->vnet = net_vnet_hdr_enable(&s->nc, PASS_HDR_LEN);
    s->tx_bh = bh_new(tx_bh_run, s);
    rx_mode_reset(s);
    net_client_set_info(&s->nc, "model=virtio-net-pci,macaddr=%02x:%02x:%02x:"
                        "%02x:%02x:%02x", s->macaddr[0], s->macaddr[1],
                        s->macaddr[2], s->macaddr[3], s->macaddr[4],
                        s->macaddr[5]);
    return bootorder_add_pci(s->bootindex, "ethernet", s->vp.pci.devfn, "",
                             errp);
}

static void vn_reset(struct device *dev)
{
    struct virtio_net *s = (struct virtio_net *)dev;
    pci_device_reset(&s->vp.pci);
    virtio_pci_hw_reset(&s->vp);
}

static const struct prop vn_props[] = {
    PROP("addr", PROP_PCI_ADDR, struct virtio_net, vp.pci.devfn, NULL,
         "slot and function"),
    PROP("romfile", PROP_STR, struct virtio_net, vp.pci.romfile, NULL,
         "option ROM file"),
    PROP("multifunction", PROP_BOOL, struct virtio_net, vp.pci.multifunction,
         "off", "multifunction device"),
    PROP("mac", PROP_MAC, struct virtio_net, mac_prop, NULL, "MAC address"),
    PROP("netdev", PROP_STR, struct virtio_net, netdev, NULL,
         "ID of a netdev to use as a backend"),
    PROP("bootindex", PROP_STR, struct virtio_net, bootindex_str, NULL,
         "boot order index (int32)"),
    PROP("vectors", PROP_U32, struct virtio_net, vp.msix_vectors, "4",
         "MSI-X vectors (0: INTx only)"),
    VIRTIO_PCI_PROPS(struct virtio_net),
    { NULL },
};

const struct dev_type virtio_net_pci_type = {
    .name = "virtio-net-pci",
    .category = "Network devices",
    .desc = "Virtio network device",
    .bus = BUS_PCI,
    .size = sizeof(struct virtio_net),
    .props = vn_props,
    .user_creatable = true,
    .realize = vn_realize,
    .reset = vn_reset,
};
DEV_TYPE(virtio_net_pci_type);

/* QEMU's alias: -device virtio-net on a PCI machine. */
static const struct dev_type virtio_net_alias_type = {
    .name = "virtio-net",
    .category = "Network devices",
    .desc = "alias of virtio-net-pci",
    .bus = BUS_PCI,
    .size = sizeof(struct virtio_net),
    .props = vn_props,
    .user_creatable = true,
    .realize = vn_realize,
    .reset = vn_reset,
};
DEV_TYPE(virtio_net_alias_type);
