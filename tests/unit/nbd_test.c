/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd_test.c - the NBD client (block-protocols/nbd*.c): the URL, legacy
 * and key forms of an NBD address (qemu-6.2 manual "Notes"), and the
 * protocol engine against scripted server bytes (NetworkBlockDevice/nbd
 * doc/proto.md): the fixed newstyle handshake with GO, the EXPORT_NAME and
 * oldstyle fallbacks, structured read replies (data, hole, error chunks),
 * and hostile replies (wrong handle, chunks outside the request, short
 * coverage, bad block sizes) that must kill the connection cleanly.
 */
#include "emu/osdep.h"

#include "block-protocols/block.h"
#include "block-protocols/nbd.h"
#include "emu/cli/keyval.h"
#include "emu/util/err.h"
#include "tests/unit/test.h"

/* ---- Address parsing ---- */

static int parse(const char *fn, struct nbd_addr *a)
{
    struct err *e = NULL;
    int r = nbd_parse_filename(a, fn, &e);
    if (r < 0) {
        printf("#   %s: %s\n", fn, e ? e->msg : "?");
    }
    err_free(e);
    return r;
}

static bool parse_fails(const char *fn)
{
    struct nbd_addr a = { 0 };
    struct err *e = NULL;
    int r = nbd_parse_filename(&a, fn, &e);
    bool ok = r < 0 && e && e->msg && *e->msg;
    err_free(e);
    nbd_addr_free(&a);
    return ok;
}

TEST(url_tcp)
{
    struct nbd_addr a = { 0 };
    EXPECT_EQ(parse("nbd://example.org:1234/disk%20one", &a), 0);
    EXPECT(!a.is_unix);
    EXPECT_STR(a.host, "example.org");
    EXPECT_STR(a.port, "1234");
    EXPECT_STR(a.export, "disk one");
    nbd_addr_free(&a);
    EXPECT_EQ(parse("nbd://10.0.0.1", &a), 0);
    EXPECT_STR(a.port, "10809");
    EXPECT_STR(a.export, "");
    nbd_addr_free(&a);
    EXPECT_EQ(parse("nbd+tcp://[::1]:99/a/b", &a), 0);
    EXPECT_STR(a.host, "::1");
    EXPECT_STR(a.port, "99");
    EXPECT_STR(a.export, "a/b");
    char *u = nbd_addr_to_uri(&a);
    EXPECT_STR(u, "nbd://[::1]:99/a%2Fb");
    free(u);
    nbd_addr_free(&a);
}

TEST(url_unix)
{
    struct nbd_addr a = { 0 };
    EXPECT_EQ(parse("nbd+unix:///exp?socket=/tmp/s%20x", &a), 0);
    EXPECT(a.is_unix);
    EXPECT_STR(a.path, "/tmp/s x");
    EXPECT_STR(a.export, "exp");
    nbd_addr_free(&a);
    EXPECT_EQ(parse("nbd+unix://?socket=/run/n.sock", &a), 0);
    EXPECT_STR(a.path, "/run/n.sock");
    EXPECT_STR(a.export, "");
    char *u = nbd_addr_to_uri(&a);
    EXPECT_STR(u, "nbd+unix:///?socket=/run/n.sock");
    free(u);
    nbd_addr_free(&a);
}

TEST(legacy)
{
    struct nbd_addr a = { 0 };
    EXPECT_EQ(parse("nbd:192.0.2.1:30000", &a), 0);
    EXPECT_STR(a.host, "192.0.2.1");
    EXPECT_STR(a.port, "30000");
    EXPECT_STR(a.export, "");
    nbd_addr_free(&a);
    EXPECT_EQ(parse("nbd:localhost:10809:exportname=foo:bar", &a), 0);
    EXPECT_STR(a.host, "localhost");
    EXPECT_STR(a.export, "foo:bar");
    nbd_addr_free(&a);
    EXPECT_EQ(parse("nbd:unix:/tmp/nbd-socket", &a), 0);
    EXPECT(a.is_unix);
    EXPECT_STR(a.path, "/tmp/nbd-socket");
    nbd_addr_free(&a);
    EXPECT_EQ(parse("nbd:unix:/tmp/s:exportname=e", &a), 0);
    EXPECT_STR(a.path, "/tmp/s");
    EXPECT_STR(a.export, "e");
    nbd_addr_free(&a);
    EXPECT_EQ(parse("nbd:[::1]:7000", &a), 0);
    EXPECT_STR(a.host, "::1");
    EXPECT_STR(a.port, "7000");
    nbd_addr_free(&a);
}

TEST(bad_filenames)
{
    EXPECT(parse_fails("nbd+rdma://h/x"));
    EXPECT(parse_fails("nbd:///exp"));              /* no host */
    EXPECT(parse_fails("nbd://h/x?socket=/s"));     /* query on tcp */
    EXPECT(parse_fails("nbd://h:0/x"));
    EXPECT(parse_fails("nbd://h:99999/x"));
    EXPECT(parse_fails("nbd://user@h/x"));
    EXPECT(parse_fails("nbd+unix:///x"));           /* no socket */
    EXPECT(parse_fails("nbd+unix://host/x?socket=/s"));
    EXPECT(parse_fails("nbd+unix:///x?socket=/s&foo=1"));
    EXPECT(parse_fails("nbd:unix:"));
    EXPECT(parse_fails("nbd:host:port"));
    EXPECT(parse_fails("nbd:"));
    EXPECT(parse_fails("nbd:[::1"));
    EXPECT(parse_fails("http://h/x"));
    EXPECT(parse_fails("nbd://h/%00x"));
}

static int opts(const char *s, struct nbd_addr *a, char **msg)
{
    struct kvlist *kv = kvlist_new();
    struct err *e = NULL;
    int r = kvlist_parse(kv, s, NULL, &e);
    if (r == 0) {
        r = nbd_parse_opts(a, kv, &e);
    }
    if (r == 0) {
        r = kv_check_used(kv, &e);
    }
    *msg = e ? strdup(e->msg) : NULL;
    err_free(e);
    kvlist_free(kv);
    return r;
}

TEST(keys)
{
    struct nbd_addr a;
    char *m;
    EXPECT_EQ(opts("server.type=inet,server.host=h,server.port=7,export=x,"
                   "reconnect-delay=5", &a, &m), 0);
    EXPECT_STR(a.host, "h");
    EXPECT_STR(a.port, "7");
    EXPECT_STR(a.export, "x");
    EXPECT_EQ(a.reconnect_delay, 5);
    nbd_addr_free(&a);
    free(m);
    EXPECT_EQ(opts("server.type=unix,server.path=/s", &a, &m), 0);
    EXPECT(a.is_unix);
    EXPECT_STR(a.path, "/s");
    EXPECT_STR(a.export, "");
    nbd_addr_free(&a);
    free(m);
    EXPECT_EQ(opts("host=h,port=9", &a, &m), 0);
    EXPECT_STR(a.host, "h");
    nbd_addr_free(&a);
    free(m);
    EXPECT_EQ(opts("filename=nbd://h/e,reconnect-delay=2,tls-creds=t", &a,
                   &m), 0);
    EXPECT_STR(a.export, "e");
    EXPECT_EQ(a.reconnect_delay, 2);
    EXPECT_STR(a.tls_creds, "t");
    EXPECT(a.tls_hostname == NULL);
    nbd_addr_free(&a);
    free(m);
    EXPECT_EQ(opts("filename=nbd://h/e,tls-creds=t,tls-hostname=n.example",
                   &a, &m), 0);
    EXPECT_STR(a.tls_hostname, "n.example");
    nbd_addr_free(&a);
    free(m);
    /* Refusals, each with a message. */
    const char *bad[] = {
        "server.type=vsock,server.cid=3", "server.type=inet",
        "server.type=unix,server.host=h", "filename=nbd://h/,export=x",
        "export=x", "server.type=inet,server.host=h,server.port=x",
        "reconnect-delay=-1", "reconnect-delay=100000",
        "filename=nbd://h/e,tls-hostname=n",
        "server.type=inet,server.host=h,host=g",
        "server.type=inet,server.host=h,x-dirty-bitmap=b",
        "server.type=inet,server.host=h,bogus=1",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        memset(&a, 0, sizeof(a));
        int r = opts(bad[i], &a, &m);
        if (r == 0 || !m) {
            printf("#   '%s' was accepted\n", bad[i]);
            test_failed_now = 1;
        }
        free(m);
        nbd_addr_free(&a);
    }
}

/* ---- Protocol engine against scripted bytes ---- */

struct script {
    uint8_t in[1 << 16];
    size_t in_len, in_pos;
    uint8_t out[1 << 16];
    size_t out_len;
};

static ssize_t s_recv(void *o, void *buf, size_t len)
{
    struct script *s = o;
    size_t n = MIN(len, s->in_len - s->in_pos);
    memcpy(buf, s->in + s->in_pos, n);
    s->in_pos += n;
    return n;
}

static ssize_t s_send(void *o, const void *buf, size_t len)
{
    struct script *s = o;
    size_t n = MIN(len, sizeof(s->out) - s->out_len);
    memcpy(s->out + s->out_len, buf, n);
    s->out_len += n;
    return n ? (ssize_t)n : -EPIPE;
}

static void put(struct script *s, const void *p, size_t n)
{
    memcpy(s->in + s->in_len, p, n);
    s->in_len += n;
}
static void put16(struct script *s, uint16_t v)
{
    uint8_t b[2];
    be16_put(b, v);
    put(s, b, 2);
}
static void put32(struct script *s, uint32_t v)
{
    uint8_t b[4];
    be32_put(b, v);
    put(s, b, 4);
}
static void put64(struct script *s, uint64_t v)
{
    uint8_t b[8];
    be64_put(b, v);
    put(s, b, 8);
}

static void opt_reply(struct script *s, uint32_t opt, uint32_t type,
                      uint32_t len)
{
    put64(s, NBD_REP_MAGIC);
    put32(s, opt);
    put32(s, type);
    put32(s, len);
}

/* The server knows no metadata contexts. */
static void meta_unsup(struct script *s)
{
    opt_reply(s, NBD_OPT_SET_META_CONTEXT, NBD_REP_ERR_UNSUP, 0);
}

/* A modern server: structured replies, base:allocation as context 7, GO
 * with export info and sizes. */
static void greet(struct script *s, uint32_t min, uint32_t pref,
                  uint32_t max, uint64_t size, uint16_t flags)
{
    put64(s, NBD_MAGIC);
    put64(s, NBD_OPTS_MAGIC);
    put16(s, NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
    opt_reply(s, NBD_OPT_STRUCTURED_REPLY, NBD_REP_ACK, 0);
    opt_reply(s, NBD_OPT_SET_META_CONTEXT, NBD_REP_META_CONTEXT, 4 + 15);
    put32(s, 7);
    put(s, "base:allocation", 15);
    opt_reply(s, NBD_OPT_SET_META_CONTEXT, NBD_REP_ACK, 0);
    opt_reply(s, NBD_OPT_GO, NBD_REP_INFO, 12);
    put16(s, NBD_INFO_EXPORT);
    put64(s, size);
    put16(s, flags);
    opt_reply(s, NBD_OPT_GO, NBD_REP_INFO, 14);
    put16(s, NBD_INFO_BLOCK_SIZE);
    put32(s, min);
    put32(s, pref);
    put32(s, max);
    opt_reply(s, NBD_OPT_GO, NBD_REP_ACK, 0);
}

static void client_init(struct nbd_client *c, struct script *s)
{
    memset(c, 0, sizeof(*c));
    c->io = (struct nbd_io){ s_recv, s_send, s };
}

static int handshake(struct script *s, struct nbd_client *c, const char *ex,
                     char *msg, size_t msglen)
{
    struct err *e = NULL;
    client_init(c, s);
    int r = nbd_handshake(c, ex, &e);
    if (msg) {
        snprintf(msg, msglen, "%s", e ? e->msg : "");
    }
    err_free(e);
    return r;
}

TEST(handshake_go)
{
    static struct script s;
    struct nbd_client c;
    memset(&s, 0, sizeof(s));
    greet(&s, 512, 4096, 1 << 20, 1 << 30,
          NBD_FLAG_HAS_FLAGS | NBD_FLAG_SEND_FLUSH | NBD_FLAG_SEND_TRIM);
    EXPECT_EQ(handshake(&s, &c, "disk", NULL, 0), 0);
    EXPECT_EQ(c.info.size, 1 << 30);
    EXPECT(c.info.structured);
    EXPECT_EQ(c.info.min_block, 512);
    EXPECT_EQ(c.info.max_block, 1 << 20);
    EXPECT(c.info.flags & NBD_FLAG_SEND_TRIM);
    EXPECT(c.info.has_alloc);
    EXPECT_EQ(c.info.alloc_id, 7);
    /* What we sent: flags, STRUCTURED_REPLY, SET_META_CONTEXT for
     * base:allocation, then GO with the name. */
    EXPECT_EQ(be32_get(s.out), NBD_FLAG_C_FIXED_NEWSTYLE |
                               NBD_FLAG_C_NO_ZEROES);
    EXPECT_EQ(be64_get(s.out + 4), NBD_OPTS_MAGIC);
    EXPECT_EQ(be32_get(s.out + 12), NBD_OPT_STRUCTURED_REPLY);
    const uint8_t *m = s.out + 20;
    EXPECT_EQ(be32_get(m + 8), NBD_OPT_SET_META_CONTEXT);
    EXPECT_EQ(be32_get(m + 12), 4 + 4 + 4 + 4 + 15);
    EXPECT(!memcmp(m + 16 + 4, "disk", 4));
    EXPECT_EQ(be32_get(m + 16 + 8), 1);
    EXPECT(!memcmp(m + 16 + 16, "base:allocation", 15));
    const uint8_t *g = m + 16 + 31;
    EXPECT_EQ(be32_get(g + 8), NBD_OPT_GO);
    EXPECT_EQ(be32_get(g + 12), 4 + 4 + 2 + 2);
    EXPECT_EQ(be32_get(g + 16), 4);
    EXPECT(!memcmp(g + 20, "disk", 4));
    EXPECT_EQ(be16_get(g + 24), 1);
    EXPECT_EQ(be16_get(g + 26), NBD_INFO_BLOCK_SIZE);
}

TEST(handshake_fallbacks)
{
    static struct script s;
    struct nbd_client c;
    char msg[256];
    /* GO unknown: EXPORT_NAME, with the 124 zero bytes (no NO_ZEROES). */
    memset(&s, 0, sizeof(s));
    put64(&s, NBD_MAGIC);
    put64(&s, NBD_OPTS_MAGIC);
    put16(&s, NBD_FLAG_FIXED_NEWSTYLE);
    opt_reply(&s, NBD_OPT_STRUCTURED_REPLY, NBD_REP_ERR_UNSUP, 0);
    opt_reply(&s, NBD_OPT_GO, NBD_REP_ERR_UNSUP, 0);
    put64(&s, 12345);
    put16(&s, NBD_FLAG_HAS_FLAGS | NBD_FLAG_READ_ONLY);
    uint8_t zero[124] = { 0 };
    put(&s, zero, sizeof(zero));
    EXPECT_EQ(handshake(&s, &c, "x", msg, sizeof(msg)), 0);
    EXPECT_EQ(c.info.size, 12345);
    EXPECT(!c.info.structured);
    EXPECT(c.info.flags & NBD_FLAG_READ_ONLY);
    EXPECT_EQ(s.in_pos, s.in_len);
    /* Oldstyle. */
    memset(&s, 0, sizeof(s));
    put64(&s, NBD_MAGIC);
    put64(&s, NBD_OLDSTYLE_MAGIC);
    put64(&s, 4096);
    put32(&s, NBD_FLAG_HAS_FLAGS);
    put(&s, zero, sizeof(zero));
    EXPECT_EQ(handshake(&s, &c, "", msg, sizeof(msg)), 0);
    EXPECT_EQ(c.info.size, 4096);
    s.in_pos = 0;
    EXPECT_EQ(handshake(&s, &c, "named", msg, sizeof(msg)), -1);
}

TEST(handshake_errors)
{
    static struct script s;
    struct nbd_client c;
    char msg[256];
    /* Unknown export with the server's message. */
    memset(&s, 0, sizeof(s));
    put64(&s, NBD_MAGIC);
    put64(&s, NBD_OPTS_MAGIC);
    put16(&s, NBD_FLAG_FIXED_NEWSTYLE);
    opt_reply(&s, NBD_OPT_STRUCTURED_REPLY, NBD_REP_ACK, 0);
    meta_unsup(&s);
    opt_reply(&s, NBD_OPT_GO, NBD_REP_ERR_UNKNOWN, 5);
    put(&s, "no\x01it", 5);
    EXPECT_EQ(handshake(&s, &c, "zz", msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "export 'zz' not found"));
    EXPECT(strstr(msg, "no?it"));
    /* TLS required. */
    memset(&s, 0, sizeof(s));
    put64(&s, NBD_MAGIC);
    put64(&s, NBD_OPTS_MAGIC);
    put16(&s, NBD_FLAG_FIXED_NEWSTYLE);
    opt_reply(&s, NBD_OPT_STRUCTURED_REPLY, NBD_REP_ERR_TLS_REQD, 0);
    opt_reply(&s, NBD_OPT_GO, NBD_REP_ERR_TLS_REQD, 0);
    EXPECT_EQ(handshake(&s, &c, "", msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "TLS"));
    /* Invalid block sizes, a reply for another option, huge replies, no
     * export info before ACK, truncated streams, bad magic. */
    memset(&s, 0, sizeof(s));
    greet(&s, 3, 4096, 1 << 20, 1 << 20, NBD_FLAG_HAS_FLAGS);
    EXPECT_EQ(handshake(&s, &c, "", msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "block sizes"));
    memset(&s, 0, sizeof(s));
    greet(&s, 512, 4096, 1000, 1 << 20, NBD_FLAG_HAS_FLAGS);
    EXPECT_EQ(handshake(&s, &c, "", msg, sizeof(msg)), -1);
    memset(&s, 0, sizeof(s));
    put64(&s, NBD_MAGIC);
    put64(&s, NBD_OPTS_MAGIC);
    put16(&s, NBD_FLAG_FIXED_NEWSTYLE);
    opt_reply(&s, NBD_OPT_GO, NBD_REP_ACK, 0);
    EXPECT_EQ(handshake(&s, &c, "", msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "option"));
    memset(&s, 0, sizeof(s));
    put64(&s, NBD_MAGIC);
    put64(&s, NBD_OPTS_MAGIC);
    put16(&s, NBD_FLAG_FIXED_NEWSTYLE);
    opt_reply(&s, NBD_OPT_STRUCTURED_REPLY, NBD_REP_ACK, 0);
    meta_unsup(&s);
    opt_reply(&s, NBD_OPT_GO, NBD_REP_INFO, 0xfffffff0);
    EXPECT_EQ(handshake(&s, &c, "", msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "too long"));
    memset(&s, 0, sizeof(s));
    put64(&s, NBD_MAGIC);
    put64(&s, NBD_OPTS_MAGIC);
    put16(&s, NBD_FLAG_FIXED_NEWSTYLE);
    opt_reply(&s, NBD_OPT_STRUCTURED_REPLY, NBD_REP_ACK, 0);
    meta_unsup(&s);
    opt_reply(&s, NBD_OPT_GO, NBD_REP_ACK, 0);
    EXPECT_EQ(handshake(&s, &c, "", msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "size"));
    size_t full = s.in_len;
    memset(&s, 0, sizeof(s));
    greet(&s, 1, 4096, 1 << 20, 1 << 20, NBD_FLAG_HAS_FLAGS);
    full = s.in_len;
    for (size_t cut = 0; cut < full; cut++) {
        s.in_len = cut;
        s.in_pos = 0;
        s.out_len = 0;
        if (handshake(&s, &c, "", msg, sizeof(msg)) != -1) {
            printf("#   truncated at %zu accepted\n", cut);
            test_failed_now = 1;
        }
    }
    memset(&s, 0, sizeof(s));
    put64(&s, 0x1122334455667788ULL);
    put64(&s, NBD_OPTS_MAGIC);
    EXPECT_EQ(handshake(&s, &c, "", msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "not an NBD server"));
}

/* A connected client whose next replies come from the script. */
static void connected(struct script *s, struct nbd_client *c,
                      bool structured)
{
    memset(s, 0, sizeof(*s));
    client_init(c, s);
    c->info.structured = structured;
    c->info.size = 1 << 20;
    c->info.min_block = 1;
    c->info.max_block = NBD_MAX_PAYLOAD;
    c->info.flags = NBD_FLAG_HAS_FLAGS | NBD_FLAG_SEND_FLUSH |
                    NBD_FLAG_SEND_TRIM | NBD_FLAG_SEND_WRITE_ZEROES |
                    NBD_FLAG_SEND_FUA;
    c->next_handle = 1;
}

static void chunk(struct script *s, uint16_t flags, uint16_t type,
                  uint64_t handle, uint32_t len)
{
    put32(s, NBD_STRUCTURED_REPLY_MAGIC);
    put16(s, flags);
    put16(s, type);
    put64(s, handle);
    put32(s, len);
}

TEST(read_structured)
{
    static struct script s;
    struct nbd_client c;
    uint8_t buf[64];
    connected(&s, &c, true);
    /* Out of order: hole for the second half, then data for the first. */
    chunk(&s, 0, NBD_REPLY_TYPE_OFFSET_HOLE, 1, 12);
    put64(&s, 1000 + 32);
    put32(&s, 32);
    chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_OFFSET_DATA, 1, 8 + 32);
    put64(&s, 1000);
    uint8_t data[32];
    for (int i = 0; i < 32; i++) {
        data[i] = 0xa0 + i;
    }
    put(&s, data, 32);
    memset(buf, 0x55, sizeof(buf));
    EXPECT_EQ(nbd_read(&c, 1000, buf, 64), 0);
    EXPECT(!memcmp(buf, data, 32));
    EXPECT(buffer_is_zero(buf + 32, 32));
    /* The request on the wire. */
    EXPECT_EQ(be32_get(s.out), NBD_REQUEST_MAGIC);
    EXPECT_EQ(be16_get(s.out + 6), NBD_CMD_READ);
    EXPECT_EQ(be64_get(s.out + 8), 1);
    EXPECT_EQ(be64_get(s.out + 16), 1000);
    EXPECT_EQ(be32_get(s.out + 24), 64);

    /* An error chunk with a message, then DONE: EIO, connection fine. */
    connected(&s, &c, true);
    chunk(&s, 0, NBD_REPLY_TYPE_ERROR, 1, 6 + 3);
    put32(&s, 5);
    put16(&s, 3);
    put(&s, "bad", 3);
    chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_NONE, 1, 0);
    EXPECT_EQ(nbd_read(&c, 0, buf, 64), -EIO);
    EXPECT_EQ(s.in_pos, s.in_len);
    /* A simple reply with an error is allowed too. */
    connected(&s, &c, true);
    put32(&s, NBD_SIMPLE_REPLY_MAGIC);
    put32(&s, 22);
    put64(&s, 1);
    EXPECT_EQ(nbd_read(&c, 0, buf, 64), -EINVAL);
}

TEST(read_simple_and_cmds)
{
    static struct script s;
    struct nbd_client c;
    uint8_t buf[16];
    connected(&s, &c, false);
    put32(&s, NBD_SIMPLE_REPLY_MAGIC);
    put32(&s, 0);
    put64(&s, 1);
    put(&s, "0123456789abcdef", 16);
    EXPECT_EQ(nbd_read(&c, 0, buf, 16), 0);
    EXPECT(!memcmp(buf, "0123456789abcdef", 16));
    /* write with FUA, trim, zeroes without holes, flush: handles 2..5 */
    for (int h = 2; h <= 5; h++) {
        put32(&s, NBD_SIMPLE_REPLY_MAGIC);
        put32(&s, h == 3 ? 1 : 0);
        put64(&s, h);
    }
    EXPECT_EQ(nbd_write(&c, 512, buf, 16, true), 0);
    EXPECT_EQ(nbd_trim(&c, 0, 4096), -EPERM);
    EXPECT_EQ(nbd_write_zeroes(&c, 0, 4096, false), 0);
    EXPECT_EQ(nbd_flush(&c), 0);
    const uint8_t *w = s.out + 28;
    EXPECT_EQ(be16_get(w + 4), NBD_CMD_FLAG_FUA);
    EXPECT_EQ(be16_get(w + 6), NBD_CMD_WRITE);
    EXPECT(!memcmp(w + 28, buf, 16));
    const uint8_t *t = w + 28 + 16;
    EXPECT_EQ(be16_get(t + 6), NBD_CMD_TRIM);
    EXPECT_EQ(be16_get(t + 28 + 4), NBD_CMD_FLAG_NO_HOLE);
    EXPECT_EQ(be16_get(t + 28 + 6), NBD_CMD_WRITE_ZEROES);
    EXPECT_EQ(be16_get(t + 56 + 6), NBD_CMD_FLUSH);
    /* Without the transmission flags the commands are not sent. */
    c.info.flags = NBD_FLAG_HAS_FLAGS;
    size_t before = s.out_len;
    EXPECT_EQ(nbd_trim(&c, 0, 4096), -ENOTSUP);
    EXPECT_EQ(nbd_write_zeroes(&c, 0, 4096, true), -ENOTSUP);
    EXPECT_EQ(nbd_flush(&c), 0);
    EXPECT_EQ(s.out_len, before);
}

/* Each hostile reply must give NBD_EDEAD with a reason, and nothing may
 * land outside the buffer (ASan builds check the memory side). */
TEST(hostile_replies)
{
    static struct script s;
    struct nbd_client c;
    uint8_t buf[80];
    for (int k = 0; k < 12; k++) {
        connected(&s, &c, true);
        switch (k) {
        case 0:     /* wrong handle */
            chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_NONE, 7, 0);
            break;
        case 1:     /* data past the end of the request */
            chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_OFFSET_DATA, 1,
                  8 + 64);
            put64(&s, 100 + 1);
            break;
        case 2:     /* data before the request */
            chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_OFFSET_DATA, 1,
                  8 + 8);
            put64(&s, 99);
            break;
        case 3:     /* huge chunk length */
            chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_OFFSET_DATA, 1,
                  0xffffffff);
            put64(&s, 100);
            break;
        case 4:     /* hole too big */
            chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_OFFSET_HOLE, 1, 12);
            put64(&s, 100);
            put32(&s, 65);
            break;
        case 5:     /* success without covering the range */
            chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_OFFSET_HOLE, 1, 12);
            put64(&s, 100);
            put32(&s, 32);
            break;
        case 6:     /* offset near 2^64 */
            chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_OFFSET_HOLE, 1, 12);
            put64(&s, UINT64_MAX - 4);
            put32(&s, 8);
            break;
        case 7:     /* error message longer than the chunk */
            chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_ERROR, 1, 8);
            put32(&s, 5);
            put16(&s, 200);
            put16(&s, 0);
            break;
        case 8:     /* block status to a read */
            chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_BLOCK_STATUS, 1, 0);
            break;
        case 9:     /* simple success to a structured read */
            put32(&s, NBD_SIMPLE_REPLY_MAGIC);
            put32(&s, 0);
            put64(&s, 1);
            break;
        case 10:    /* garbage magic */
            put32(&s, 0xdeadbeef);
            break;
        case 11:    /* the stream ends mid-chunk */
            chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_OFFSET_DATA, 1,
                  8 + 64);
            put64(&s, 100);
            put(&s, "abc", 3);
            break;
        }
        memset(buf, 0x77, sizeof(buf));
        int r = nbd_read(&c, 100, buf + 8, 64);
        if (r != NBD_EDEAD || !c.errmsg[0]) {
            printf("#   case %d: %d (%s)\n", k, r, c.errmsg);
            test_failed_now = 1;
        }
        for (int i = 0; i < 8; i++) {
            EXPECT_EQ(buf[i], 0x77);
            EXPECT_EQ(buf[72 + i], 0x77);
        }
    }
}

TEST(block_status)
{
    static struct script s;
    struct nbd_client c;
    uint32_t len = 0, flags = 0;
    connected(&s, &c, true);
    c.info.has_alloc = true;
    c.info.alloc_id = 7;
    chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_BLOCK_STATUS, 1, 12);
    put32(&s, 7);
    put32(&s, 8192);
    put32(&s, NBD_STATE_HOLE | NBD_STATE_ZERO);
    EXPECT_EQ(nbd_block_status(&c, 4096, 65536, &len, &flags), 0);
    EXPECT_EQ(len, 8192);
    EXPECT_EQ(flags, NBD_STATE_HOLE | NBD_STATE_ZERO);
    EXPECT_EQ(be16_get(s.out + 4), NBD_CMD_FLAG_REQ_ONE);
    EXPECT_EQ(be16_get(s.out + 6), NBD_CMD_BLOCK_STATUS);
    /* An extent longer than asked is cut to the request. */
    chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_BLOCK_STATUS, 2, 12);
    put32(&s, 7);
    put32(&s, 1 << 20);
    put32(&s, 0);
    EXPECT_EQ(nbd_block_status(&c, 0, 4096, &len, &flags), 0);
    EXPECT_EQ(len, 4096);
    /* Hostile: another context, an empty extent, no extent, a simple
     * success, a ragged descriptor list. */
    for (int k = 0; k < 5; k++) {
        connected(&s, &c, true);
        c.info.has_alloc = true;
        c.info.alloc_id = 7;
        if (k == 3) {
            put32(&s, NBD_SIMPLE_REPLY_MAGIC);
            put32(&s, 0);
            put64(&s, 1);
        } else if (k == 2) {
            chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_NONE, 1, 0);
        } else {
            chunk(&s, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_BLOCK_STATUS, 1,
                  k == 4 ? 14 : 12);
            put32(&s, k == 0 ? 8 : 7);
            put32(&s, k == 1 ? 0 : 512);
            put32(&s, 0);
            put16(&s, 0);
        }
        int r = nbd_block_status(&c, 0, 4096, &len, &flags);
        if (r != NBD_EDEAD) {
            printf("#   block status case %d: %d\n", k, r);
            test_failed_now = 1;
        }
    }
    /* Not negotiated: not sent. */
    connected(&s, &c, true);
    EXPECT_EQ(nbd_block_status(&c, 0, 4096, &len, &flags), -ENOTSUP);
    EXPECT_EQ(s.out_len, 0);
}

TEST(errno_map)
{
    EXPECT_EQ(nbd_errno(1), -EPERM);
    EXPECT_EQ(nbd_errno(28), -ENOSPC);
    EXPECT_EQ(nbd_errno(12345), -EINVAL);
}

TEST_MAIN()
