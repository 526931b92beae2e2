/* SPDX-License-Identifier: GPL-2.0-or-later */
/* net_test.c - the net layer: peer delivery, the per-receiver queue (held
 * while the receiver cannot take frames, flushed in order, bounded, resume
 * to the sender), link down, hubs, virtio-net header pass-through between
 * peers, filter-dump's pcap, MAC parsing. */
#include "emu/osdep.h"

#include <fcntl.h>

#include "emu/cli/keyval.h"
#include "emu/util/err.h"
#include "netdev/checksum.h"
#include "netdev/net.h"
#include "tests/unit/test.h"

struct tclient {
    struct net_client nc;
    bool ready;
    int got, resumed;
    size_t last_len;
    uint8_t last[64];
    uint8_t order[2048];
};

static ssize_t t_receive(struct net_client *nc, const uint8_t *buf, size_t len)
{
    struct tclient *t = (struct tclient *)nc;
    if (!t->ready) {
        return 0;
    }
    if (t->got < (int)sizeof(t->order)) {
        t->order[t->got] = buf[0];
    }
    t->got++;
    t->last_len = len;
    memcpy(t->last, buf, len < sizeof(t->last) ? len : sizeof(t->last));
    return len;
}

static bool t_can_receive(struct net_client *nc)
{
    return ((struct tclient *)nc)->ready;
}

static void t_resume(struct net_client *nc)
{
    ((struct tclient *)nc)->resumed++;
}

static const struct net_client_ops t_ops = {
    .type = "test", .receive = t_receive, .can_receive = t_can_receive,
    .resume = t_resume,
};

static struct tclient *tnew(const char *name)
{
    struct tclient *t = (struct tclient *)net_client_new(&t_ops, sizeof(*t),
                                                         "test", name);
    t->ready = true;
    return t;
}

TEST(peer_delivery)
{
    struct tclient *a = tnew("a1"), *b = tnew("b1");
    uint8_t f[20] = { 7 };
    EXPECT_EQ(net_send(&a->nc, f, sizeof(f)), 20);  /* no peer: dropped */
    EXPECT_EQ(b->got, 0);
    net_client_set_peer(&a->nc, &b->nc);
    EXPECT_EQ(net_send(&a->nc, f, sizeof(f)), 20);
    EXPECT_EQ(b->got, 1);
    EXPECT_EQ(b->last_len, 20);
    EXPECT_EQ(b->last[0], 7);
    EXPECT(net_client_find("a1") == &a->nc);
    net_client_free(&a->nc);
    EXPECT(b->nc.peer == NULL);
    EXPECT(net_client_find("a1") == NULL);
    net_client_free(&b->nc);
}

TEST(queue_holds_then_flushes_in_order)
{
    struct tclient *a = tnew("a2"), *b = tnew("b2");
    net_client_set_peer(&a->nc, &b->nc);
    b->ready = false;
    EXPECT(!net_can_send(&a->nc));
    for (int i = 0; i < 5; i++) {
        uint8_t f[14] = { (uint8_t)i };
        EXPECT_EQ(net_send(&a->nc, f, sizeof(f)), 0);    /* queued */
    }
    EXPECT_EQ(b->got, 0);
    EXPECT_EQ(b->nc.q_len, 5);
    b->ready = true;
    /* Still behind the queue: a new frame must not overtake it. */
    uint8_t f5[14] = { 5 };
    EXPECT_EQ(net_send(&a->nc, f5, sizeof(f5)), 0);
    net_flush(&b->nc);
    EXPECT_EQ(b->got, 6);
    for (int i = 0; i < 6; i++) {
        EXPECT_EQ(b->order[i], i);
    }
    EXPECT_EQ(a->resumed, 1);
    EXPECT_EQ(b->nc.q_len, 0);
    EXPECT(net_can_send(&a->nc));
    net_client_free(&a->nc);
    net_client_free(&b->nc);
}

TEST(queue_is_bounded_and_purged)
{
    struct tclient *a = tnew("a3"), *b = tnew("b3");
    net_client_set_peer(&a->nc, &b->nc);
    b->ready = false;
    uint8_t f[60] = { 0 };
    for (int i = 0; i < NET_QUEUE_MAX + 50; i++) {
        net_send(&a->nc, f, sizeof(f));
    }
    EXPECT_EQ(b->nc.q_len, NET_QUEUE_MAX);
    /* The sender goes: what it queued goes too. */
    net_client_free(&a->nc);
    EXPECT_EQ(b->nc.q_len, 0);
    net_client_free(&b->nc);
}

TEST(link_down_drops)
{
    struct tclient *a = tnew("a4"), *b = tnew("b4");
    net_client_set_peer(&a->nc, &b->nc);
    uint8_t f[14] = { 1 };
    net_set_link(&a->nc, false);
    EXPECT(a->nc.link_down && b->nc.link_down);
    EXPECT_EQ(net_send(&a->nc, f, sizeof(f)), 14);
    EXPECT_EQ(net_send(&b->nc, f, sizeof(f)), 14);
    EXPECT_EQ(a->got + b->got, 0);
    net_set_link(&a->nc, true);
    net_send(&a->nc, f, sizeof(f));
    EXPECT_EQ(b->got, 1);
    net_client_free(&a->nc);
    net_client_free(&b->nc);
}

TEST(hub_forwards_to_other_ports)
{
    struct tclient *c[3];
    struct net_client *p[3];
    for (int i = 0; i < 3; i++) {
        char n[16];
        snprintf(n, sizeof(n), "hc%d", i);
        c[i] = tnew(n);
        p[i] = net_hub_add_port(7, NULL, NULL);
        net_client_set_peer(p[i], &c[i]->nc);
    }
    EXPECT_STR(p[0]->name, "hub7port0");
    EXPECT_STR(p[2]->name, "hub7port2");
    EXPECT_EQ(net_hub_count_ports(7), 3);
    uint8_t f[14] = { 9 };
    net_send(&c[1]->nc, f, sizeof(f));
    EXPECT_EQ(c[0]->got, 1);
    EXPECT_EQ(c[1]->got, 0);    /* not back to the sender */
    EXPECT_EQ(c[2]->got, 1);
    /* A port whose receiver is busy does not hold up the others. */
    c[2]->ready = false;
    net_send(&c[0]->nc, f, sizeof(f));
    EXPECT_EQ(c[1]->got, 1);
    EXPECT_EQ(c[2]->got, 1);
    c[2]->ready = true;
    net_flush(&c[2]->nc);
    EXPECT_EQ(c[2]->got, 2);
    for (int i = 0; i < 3; i++) {
        net_client_free(p[i]);
        net_client_free(&c[i]->nc);
    }
}

TEST(filter_dump_writes_pcap)
{
    char path[] = "/tmp/hemu-net-test-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    struct tclient *a = tnew("nd0"), *b = tnew("nic0");
    net_client_set_peer(&a->nc, &b->nc);
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "id", "f0");
    kv_set(kv, "netdev", "nd0");
    kv_set(kv, "file", path);
    kv_set(kv, "maxlen", "20");
    struct err *e = NULL;
    EXPECT_EQ(net_filter_dump_add(kv, &e), 0);
    kvlist_free(kv);
    uint8_t f[30];
    for (int i = 0; i < 30; i++) {
        f[i] = (uint8_t)i;
    }
    net_send(&a->nc, f, 30);    /* out of the netdev */
    net_send(&b->nc, f, 16);    /* into the netdev */
    net_filter_del("f0");
    uint8_t buf[256];
    fd = open(path, O_RDONLY);
    ssize_t n = read(fd, buf, sizeof(buf));
    close(fd);
    unlink(path);
    EXPECT_EQ(n, 24 + 16 + 20 + 16 + 16);
    uint32_t w[6];
    memcpy(w, buf, 24);
    EXPECT_EQ(w[0], 0xa1b2c3d4);
    EXPECT_EQ(w[4], 20);    /* snaplen = maxlen */
    EXPECT_EQ(w[5], 1);     /* Ethernet */
    uint32_t r[4];
    memcpy(r, buf + 24, 16);
    EXPECT_EQ(r[2], 20);    /* captured */
    EXPECT_EQ(r[3], 30);    /* on the wire */
    EXPECT_EQ(buf[24 + 16 + 19], 19);
    memcpy(r, buf + 24 + 16 + 20, 16);
    EXPECT_EQ(r[2], 16);
    EXPECT_EQ(r[3], 16);
    net_client_free(&a->nc);
    net_client_free(&b->nc);
}

static unsigned vnet_asked, vnet_offload;

static bool v_enable(struct net_client *nc, unsigned len)
{
    vnet_asked = len;
    return true;
}

static void v_offload(struct net_client *nc, unsigned flags)
{
    vnet_offload = flags;
}

static const struct net_client_ops v_ops = {
    .type = "test", .receive = t_receive, .vnet_hdr_enable = v_enable,
    .set_offload = v_offload,
};

TEST(vnet_header_pass_through)
{
    struct tclient *nic = tnew("vnic0"), *plain = tnew("vplain0");
    struct tclient *tap = (struct tclient *)net_client_new(
        &v_ops, sizeof(*tap), "test", "vtap0");
    tap->ready = true;
    /* No peer, or a peer that cannot carry the header: plain frames. */
    EXPECT(!net_vnet_hdr_enable(&nic->nc, 12));
    net_client_set_peer(&nic->nc, &plain->nc);
    EXPECT(!net_vnet_hdr_enable(&nic->nc, 12));
    EXPECT_EQ(nic->nc.vnet_hdr_len, 0);
    net_client_free(&plain->nc);
    net_client_set_peer(&nic->nc, &tap->nc);
    net_set_offload(&nic->nc, 1);       /* not enabled yet: ignored */
    EXPECT_EQ(vnet_offload, 0);
    EXPECT(net_vnet_hdr_enable(&nic->nc, 12));
    EXPECT_EQ(vnet_asked, 12);
    EXPECT_EQ(nic->nc.vnet_hdr_len, 12);
    EXPECT_EQ(tap->nc.vnet_hdr_len, 12);
    net_set_offload(&nic->nc, 7);
    EXPECT_EQ(vnet_offload, 7);
    /* A header alone (or less) is no frame; header + frame goes as is. */
    uint8_t f[12 + 60] = { 0 };
    f[12] = 0xaa;
    EXPECT_EQ(net_send(&nic->nc, f, 12), 12);
    EXPECT_EQ(tap->got, 0);
    EXPECT_EQ(net_send(&nic->nc, f, sizeof(f)), (ssize_t)sizeof(f));
    EXPECT_EQ(tap->got, 1);
    EXPECT_EQ(tap->last_len, sizeof(f));
    EXPECT_EQ(tap->last[12], 0xaa);
    /* The largest frame plus its header passes, one byte more does not. */
    static uint8_t big[NET_MAX_FRAME + 13];
    EXPECT_EQ(net_send(&nic->nc, big, NET_MAX_FRAME + 12),
              NET_MAX_FRAME + 12);
    EXPECT_EQ(tap->got, 2);
    EXPECT_EQ(net_send(&nic->nc, big, NET_MAX_FRAME + 13),
              NET_MAX_FRAME + 13);
    EXPECT_EQ(tap->got, 2);
    net_client_free(&nic->nc);
    net_client_free(&tap->nc);
}

TEST(filter_dump_errors)
{
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "id", "f1");
    kv_set(kv, "netdev", "nothere");
    kv_set(kv, "file", "/dev/null");
    struct err *e = NULL;
    EXPECT_EQ(net_filter_dump_add(kv, &e), -1);
    EXPECT(e && strstr(e->msg, "can't find value 'nothere'"));
    err_free(e);
    kvlist_free(kv);
}

TEST(mac_parse_and_default)
{
    uint8_t m[6];
    EXPECT_EQ(net_parse_mac("52:54:00:ab:CD:ef", m), 0);
    EXPECT_EQ(m[4], 0xcd);
    EXPECT_EQ(m[5], 0xef);
    EXPECT_EQ(net_parse_mac("52-54-00-01-02-03", m), 0);
    EXPECT_EQ(net_parse_mac("52:54:00:01:02", m), -1);
    EXPECT_EQ(net_parse_mac("52:54:00:01:02:03:04", m), -1);
    EXPECT_EQ(net_parse_mac("52:54:00:01:02:1ff", m), -1);
    EXPECT_EQ(net_parse_mac("g2:54:00:01:02:03", m), -1);
    uint8_t d1[6], d2[6];
    net_default_mac(d1);
    net_default_mac(d2);
    EXPECT_EQ(d1[0], 0x52);
    EXPECT_EQ(d2[5], (uint8_t)(d1[5] + 1));
}

TEST(unnamed_clients_get_model_index)
{
    struct net_client *a = net_client_new(&t_ops, sizeof(struct tclient),
                                          "widget", NULL);
    struct net_client *b = net_client_new(&t_ops, sizeof(struct tclient),
                                          "widget", NULL);
    EXPECT_STR(a->name, "widget.0");
    EXPECT_STR(b->name, "widget.1");
    net_client_free(a);
    net_client_free(b);
}

/* checksum.h's word-at-a-time csum_add folds to what 16-bit word by word
 * addition gives, for every length and alignment, any starting sum. */
TEST(checksum_matches_word_by_word)
{
    uint8_t buf[1600];
    uint32_t seed = 12345;
    for (size_t i = 0; i < sizeof(buf); i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (uint8_t)(seed >> 16);
    }
    memset(buf + 1500, 0xff, 100);      /* long carries */
    static const uint32_t starts[] = { 0, 1, 0xffff, 0x1fffe, 0xfffffff0u };
    int bad = 0;
    for (size_t st = 0; st < ARRAY_SIZE(starts); st++) {
        for (size_t off = 0; off < 4; off++) {
            for (size_t len = 0; len + off <= sizeof(buf); len += 1 + len / 8) {
                uint64_t ref = starts[st];
                const uint8_t *p = buf + off;
                for (size_t i = 0; i + 1 < len; i += 2) {
                    ref += p[i] << 8 | p[i + 1];
                }
                if (len & 1) {
                    ref += p[len - 1] << 8;
                }
                while (ref >> 16) {
                    ref = (ref & 0xffff) + (ref >> 16);
                }
                bad += csum_fold(csum_add(starts[st], p, len)) != ref;
            }
        }
    }
    EXPECT_EQ(bad, 0);
    /* RFC 1071's example: 0001 f203 f4f5 f6f7 sums to ddf2. */
    static const uint8_t ex[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5,
                                  0xf6, 0xf7 };
    EXPECT_EQ(csum_fold(csum_add(0, ex, 8)), 0xddf2);
}

TEST_MAIN()
