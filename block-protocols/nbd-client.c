/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd-client.c - the NBD protocol engine (NetworkBlockDevice/nbd
 * doc/proto.md): fixed newstyle negotiation with NBD_OPT_STRUCTURED_REPLY,
 * NBD_OPT_SET_META_CONTEXT (base:allocation, for NBD_CMD_BLOCK_STATUS)
 * and NBD_OPT_GO (block size constraints through NBD_INFO_BLOCK_SIZE),
 * falling back to NBD_OPT_EXPORT_NAME and to the oldstyle greeting for old
 * servers; then one request at a time (the block layer serialises a
 * node's I/O), with simple and structured replies.  The server is not
 * trusted: every length, handle, offset and chunk is checked before it
 * touches memory, and a violation kills the connection with a message.
 */
#include "emu/osdep.h"

#include "block-protocols/block.h"
#include "block-protocols/nbd.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

/* Option replies we read whole; nothing we ask for is longer. */
#define MAX_OPT_REPLY 65536
/* Structured chunks other than data carry at most a message. */
#define MAX_META_CHUNK 65536

static int dead(struct nbd_client *c, const char *fmt, ...) PRINTF_FMT(2, 3);
static int dead(struct nbd_client *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
    va_end(ap);
    return NBD_EDEAD;
}

static int recv_full(struct nbd_client *c, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = c->io.recv(c->io.opaque, p, len);
        if (n == 0) {
            return dead(c, "server closed the connection");
        }
        if (n < 0) {
            return dead(c, "receive failed: %s", strerror((int)-n));
        }
        p += n;
        len -= n;
    }
    return 0;
}

static int send_full(struct nbd_client *c, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = c->io.send(c->io.opaque, p, len);
        if (n <= 0) {
            return dead(c, "send failed: %s",
                        strerror(n < 0 ? (int)-n : EPIPE));
        }
        p += n;
        len -= n;
    }
    return 0;
}

static int skip(struct nbd_client *c, uint64_t len)
{
    uint8_t tmp[4096];
    while (len) {
        size_t n = MIN(len, (uint64_t)sizeof(tmp));
        if (recv_full(c, tmp, n) < 0) {
            return NBD_EDEAD;
        }
        len -= n;
    }
    return 0;
}

int nbd_errno(uint32_t e)
{
    switch (e) {
    case 1: return -EPERM;
    case 5: return -EIO;
    case 12: return -ENOMEM;
    case 22: return -EINVAL;
    case 28: return -ENOSPC;
    case 75: return -EOVERFLOW;
    case 95: return -ENOTSUP;
    case 108: return -ESHUTDOWN;
    default: return -EINVAL;    /* proto.md: unknown values mean EINVAL */
    }
}

/* A server string made safe to print. */
static void printable(char *dst, size_t dstlen, const uint8_t *s, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < dstlen; i++) {
        dst[j++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
    }
    dst[j] = 0;
}

/* ---- Negotiation ---- */

static int send_option(struct nbd_client *c, uint32_t opt, const void *data,
                       uint32_t len)
{
    uint8_t h[16];
    be64_put(h, NBD_OPTS_MAGIC);
    be32_put(h + 8, opt);
    be32_put(h + 12, len);
    if (send_full(c, h, sizeof(h)) < 0 || (len && send_full(c, data, len) < 0)) {
        return -1;
    }
    return 0;
}

struct opt_reply {
    uint32_t type, len;
    uint8_t *data;      /* len bytes, malloc'd */
};

static int recv_opt_reply(struct nbd_client *c, uint32_t opt,
                          struct opt_reply *r, struct err **errp)
{
    uint8_t h[20];
    r->data = NULL;
    if (recv_full(c, h, sizeof(h)) < 0) {
        err_setf(errp, "reading the option reply: %s", c->errmsg);
        return -1;
    }
    if (be64_get(h) != NBD_REP_MAGIC) {
        err_setf(errp, "bad option reply magic 0x%" PRIx64, be64_get(h));
        return -1;
    }
    if (be32_get(h + 8) != opt) {
        err_setf(errp, "option reply for option %u, expected %u",
                 be32_get(h + 8), opt);
        return -1;
    }
    r->type = be32_get(h + 12);
    r->len = be32_get(h + 16);
    if (r->len > MAX_OPT_REPLY) {
        err_setf(errp, "option reply of %u bytes is too long", r->len);
        return -1;
    }
    r->data = xmalloc(r->len + 1);
    if (recv_full(c, r->data, r->len) < 0) {
        err_setf(errp, "reading the option reply: %s", c->errmsg);
        free(r->data);
        r->data = NULL;
        return -1;
    }
    return 0;
}

/* An error reply turned into a message; returns -1. */
static int opt_error(const struct opt_reply *r, const char *export,
                     struct err **errp)
{
    char msg[300];
    printable(msg, sizeof(msg), r->data, r->len);
    const char *what;
    switch (r->type) {
    case NBD_REP_ERR_UNKNOWN:
        err_setf(errp, "export '%s' not found on the server%s%s", export,
                 *msg ? ": " : "", msg);
        return -1;
    case NBD_REP_ERR_TLS_REQD:
        err_setf(errp, "the server requires TLS (give the drive "
                 "tls-creds=ID and -object tls-creds-x509,id=ID,...)");
        return -1;
    case NBD_REP_ERR_POLICY: what = "denied by the server's policy"; break;
    case NBD_REP_ERR_INVALID: what = "invalid request"; break;
    case NBD_REP_ERR_PLATFORM: what = "not supported on the server's "
                                      "platform"; break;
    case NBD_REP_ERR_SHUTDOWN: what = "the server is shutting down"; break;
    case NBD_REP_ERR_BLOCK_SIZE_REQD: what = "block size required"; break;
    case NBD_REP_ERR_TOO_BIG: what = "request too big"; break;
    default: what = "server error"; break;
    }
    err_setf(errp, "export '%s': %s (0x%x)%s%s", export, what, r->type,
             *msg ? ": " : "", msg);
    return -1;
}

static bool pow2(uint32_t v)
{
    return v && !(v & (v - 1));
}

/* NBD_INFO_BLOCK_SIZE: proto.md "Block size constraints". */
static int set_block_size(struct nbd_client *c, const uint8_t *d,
                          struct err **errp)
{
    uint32_t min = be32_get(d), pref = be32_get(d + 4), max = be32_get(d + 8);
    if (!pow2(min) || min > 65536 || !pow2(pref) || pref < min ||
        max < min || (max != 0xffffffffu && max % min)) {
        err_setf(errp, "server sent invalid block sizes (min %u, preferred "
                 "%u, max %u)", min, pref, max);
        return -1;
    }
    c->info.min_block = min;
    c->info.pref_block = pref;
    c->info.max_block = MIN(max, NBD_MAX_PAYLOAD);
    /* A max below 32 MiB must stay a multiple of min after clamping. */
    c->info.max_block -= c->info.max_block % min;
    return 0;
}

/* NBD_OPT_GO (or INFO): 1 done, 0 GO unsupported, -1 error. */
static int opt_go(struct nbd_client *c, uint32_t opt, const char *export,
                  struct err **errp)
{
    size_t nlen = strlen(export);
    size_t len = 4 + nlen + 2 + 2;
    uint8_t *d = xmalloc(len);
    be32_put(d, nlen);
    memcpy(d + 4, export, nlen);
    be16_put(d + 4 + nlen, 1);
    be16_put(d + 6 + nlen, NBD_INFO_BLOCK_SIZE);
    int r = send_option(c, opt, d, len);
    free(d);
    if (r < 0) {
        err_setf(errp, "sending NBD_OPT_GO: %s", c->errmsg);
        return -1;
    }
    bool got_export = false;
    /* A server that never ends its answer is as broken as a short one. */
    for (int n = 0; n < 64; n++) {
        struct opt_reply rep;
        if (recv_opt_reply(c, opt, &rep, errp) < 0) {
            return -1;
        }
        if (rep.type == NBD_REP_ACK) {
            free(rep.data);
            if (rep.len) {
                err_setf(errp, "NBD_REP_ACK with a payload");
                return -1;
            }
            if (!got_export) {
                err_setf(errp, "server did not send the export's size");
                return -1;
            }
            return 1;
        }
        if (rep.type == NBD_REP_INFO) {
            r = 0;
            uint16_t t = rep.len >= 2 ? be16_get(rep.data) : 0xffff;
            if (rep.len < 2) {
                err_setf(errp, "NBD_REP_INFO too short");
                r = -1;
            } else if (t == NBD_INFO_EXPORT) {
                if (rep.len != 12) {
                    err_setf(errp, "NBD_INFO_EXPORT of %u bytes", rep.len);
                    r = -1;
                } else {
                    c->info.size = be64_get(rep.data + 2);
                    c->info.flags = be16_get(rep.data + 10);
                    got_export = true;
                }
            } else if (t == NBD_INFO_BLOCK_SIZE) {
                if (rep.len != 14) {
                    err_setf(errp, "NBD_INFO_BLOCK_SIZE of %u bytes", rep.len);
                    r = -1;
                } else {
                    r = set_block_size(c, rep.data + 2, errp);
                }
            }   /* other information is optional: ignored */
            free(rep.data);
            if (r < 0) {
                return -1;
            }
            continue;
        }
        if (rep.type == NBD_REP_ERR_UNSUP) {
            free(rep.data);
            return 0;
        }
        if (rep.type & 0x80000000u) {
            opt_error(&rep, export, errp);
            free(rep.data);
            return -1;
        }
        free(rep.data);
        err_setf(errp, "unexpected reply type %u to NBD_OPT_GO", rep.type);
        return -1;
    }
    err_setf(errp, "too many replies to NBD_OPT_GO");
    return -1;
}

/* NBD_OPT_SET_META_CONTEXT for base:allocation: 0 (negotiated or not), -1
 * on a broken answer. */
static int set_meta_context(struct nbd_client *c, const char *export,
                            struct err **errp)
{
    const char *q = NBD_META_BASE_ALLOCATION;
    size_t nlen = strlen(export), qlen = strlen(q);
    size_t len = 4 + nlen + 4 + 4 + qlen;
    uint8_t *d = xmalloc(len);
    be32_put(d, nlen);
    memcpy(d + 4, export, nlen);
    be32_put(d + 4 + nlen, 1);
    be32_put(d + 8 + nlen, qlen);
    memcpy(d + 12 + nlen, q, qlen);
    int r = send_option(c, NBD_OPT_SET_META_CONTEXT, d, len);
    free(d);
    if (r < 0) {
        err_setf(errp, "sending NBD_OPT_SET_META_CONTEXT: %s", c->errmsg);
        return -1;
    }
    for (int n = 0; n < 64; n++) {
        struct opt_reply rep;
        if (recv_opt_reply(c, NBD_OPT_SET_META_CONTEXT, &rep, errp) < 0) {
            return -1;
        }
        uint32_t type = rep.type, rlen = rep.len;
        if (type == NBD_REP_META_CONTEXT && rlen == 4 + qlen &&
            !memcmp(rep.data + 4, q, qlen)) {
            c->info.has_alloc = true;
            c->info.alloc_id = be32_get(rep.data);
        }
        free(rep.data);
        if (type == NBD_REP_ACK) {
            return 0;
        }
        if (type & 0x80000000u) {
            c->info.has_alloc = false;  /* no block status: all data */
            return 0;
        }
        if (type != NBD_REP_META_CONTEXT) {
            err_setf(errp, "unexpected reply type %u to "
                     "NBD_OPT_SET_META_CONTEXT", type);
            return -1;
        }
    }
    err_setf(errp, "too many replies to NBD_OPT_SET_META_CONTEXT");
    return -1;
}

/* NBD_OPT_STARTTLS (proto.md "TLS support"): everything after the ACK,
 * options included, goes through TLS. */
static int starttls(struct nbd_client *c, bool fixed, struct err **errp)
{
    if (!fixed) {
        err_setf(errp, "the server does not support TLS (no fixed "
                 "newstyle negotiation)");
        return -1;
    }
    struct opt_reply rep;
    if (send_option(c, NBD_OPT_STARTTLS, NULL, 0) < 0) {
        err_setf(errp, "sending NBD_OPT_STARTTLS: %s", c->errmsg);
        return -1;
    }
    if (recv_opt_reply(c, NBD_OPT_STARTTLS, &rep, errp) < 0) {
        return -1;
    }
    char msg[300];
    printable(msg, sizeof(msg), rep.data, rep.len);
    free(rep.data);
    if (rep.type != NBD_REP_ACK || rep.len) {
        err_setf(errp, "the server refused TLS (NBD_OPT_STARTTLS reply "
                 "0x%x)%s%s", rep.type, *msg ? ": " : "", msg);
        return -1;
    }
    return c->starttls(c->tls_opaque, errp);
}

int nbd_handshake(struct nbd_client *c, const char *export, struct err **errp)
{
    uint8_t b[18];
    memset(&c->info, 0, sizeof(c->info));
    c->info.min_block = 1;
    c->info.pref_block = 4096;
    c->info.max_block = NBD_MAX_PAYLOAD;
    c->next_handle = 1;
    if (recv_full(c, b, 16) < 0) {
        err_setf(errp, "reading the greeting: %s", c->errmsg);
        return -1;
    }
    if (be64_get(b) != NBD_MAGIC) {
        err_setf(errp, "not an NBD server (bad magic)");
        return -1;
    }
    uint64_t m = be64_get(b + 8);
    if (m == NBD_OLDSTYLE_MAGIC) {
        uint8_t h[12 + 124];
        if (recv_full(c, h, sizeof(h)) < 0) {
            err_setf(errp, "reading the oldstyle greeting: %s", c->errmsg);
            return -1;
        }
        if (*export) {
            err_setf(errp, "the server (oldstyle) has no export names");
            return -1;
        }
        if (c->starttls) {
            err_setf(errp, "the server (oldstyle) does not support TLS");
            return -1;
        }
        c->info.size = be64_get(h);
        c->info.flags = be32_get(h + 8) & 0xffff;
        goto check;
    }
    if (m != NBD_OPTS_MAGIC) {
        err_setf(errp, "not an NBD server (bad magic)");
        return -1;
    }
    if (recv_full(c, b, 2) < 0) {
        err_setf(errp, "reading the handshake flags: %s", c->errmsg);
        return -1;
    }
    uint16_t hflags = be16_get(b);
    bool fixed = hflags & NBD_FLAG_FIXED_NEWSTYLE;
    bool no_zeroes = fixed && (hflags & NBD_FLAG_NO_ZEROES);
    be32_put(b, (fixed ? NBD_FLAG_C_FIXED_NEWSTYLE : 0) |
                (no_zeroes ? NBD_FLAG_C_NO_ZEROES : 0));
    if (send_full(c, b, 4) < 0) {
        err_setf(errp, "sending the client flags: %s", c->errmsg);
        return -1;
    }
    if (strlen(export) > 4096) {
        err_setf(errp, "export name longer than 4096 bytes");
        return -1;
    }
    if (c->starttls && starttls(c, fixed, errp) < 0) {
        return -1;
    }
    if (fixed) {
        /* Only fixed newstyle servers answer options they do not know. */
        struct opt_reply rep;
        if (send_option(c, NBD_OPT_STRUCTURED_REPLY, NULL, 0) < 0) {
            err_setf(errp, "sending options: %s", c->errmsg);
            return -1;
        }
        if (recv_opt_reply(c, NBD_OPT_STRUCTURED_REPLY, &rep, errp) < 0) {
            return -1;
        }
        free(rep.data);
        if (rep.type == NBD_REP_ACK) {
            if (rep.len) {
                err_setf(errp, "NBD_REP_ACK with a payload");
                return -1;
            }
            c->info.structured = true;
        } else if (!(rep.type & 0x80000000u)) {
            err_setf(errp, "unexpected reply type %u to "
                     "NBD_OPT_STRUCTURED_REPLY", rep.type);
            return -1;
        }
        if (c->info.structured && set_meta_context(c, export, errp) < 0) {
            return -1;
        }
        int r = opt_go(c, NBD_OPT_GO, export, errp);
        if (r < 0) {
            return -1;
        }
        if (r > 0) {
            goto check;
        }
        /* GO unknown: structured replies, if agreed, still apply. */
    } else {
        c->info.structured = false;
    }
    /* NBD_OPT_EXPORT_NAME: the server closes the connection on a wrong
     * name instead of answering. */
    if (send_option(c, NBD_OPT_EXPORT_NAME, export, strlen(export)) < 0) {
        err_setf(errp, "sending NBD_OPT_EXPORT_NAME: %s", c->errmsg);
        return -1;
    }
    uint8_t h[10 + 124];
    size_t hl = no_zeroes ? 10 : sizeof(h);
    if (recv_full(c, h, hl) < 0) {
        err_setf(errp, "export '%s' not available: %s", export, c->errmsg);
        return -1;
    }
    c->info.size = be64_get(h);
    c->info.flags = be16_get(h + 8);
check:
    if (!(c->info.flags & NBD_FLAG_HAS_FLAGS)) {
        c->info.flags = NBD_FLAG_HAS_FLAGS;  /* bits mean nothing without it */
    }
    if (c->info.size > INT64_MAX) {
        err_setf(errp, "export size %" PRIu64 " is too large", c->info.size);
        return -1;
    }
    return 0;
}

/* ---- Transmission ---- */

static int send_request(struct nbd_client *c, uint16_t flags, uint16_t type,
                        uint64_t off, uint32_t len, uint64_t *handle)
{
    uint8_t r[28];
    *handle = c->next_handle++;
    be32_put(r, NBD_REQUEST_MAGIC);
    be16_put(r + 4, flags);
    be16_put(r + 6, type);
    be64_put(r + 8, *handle);
    be64_put(r + 16, off);
    be32_put(r + 24, len);
    return send_full(c, r, sizeof(r));
}

/*
 * Receive the whole reply to the request handle.  For reads, buf/len/off
 * describe the request and data chunks land in buf.  Returns 0, -errno
 * from the server or NBD_EDEAD.
 */
struct status_out {
    uint32_t len, flags;
    bool got;
};

static int recv_reply(struct nbd_client *c, uint64_t handle, bool is_read,
                      uint64_t off, uint8_t *buf, uint32_t len,
                      struct status_out *st)
{
    uint8_t h[20];
    int ret = 0;
    uint64_t covered = 0;
    bool first = true;
    for (;;) {
        if (recv_full(c, h, 4) < 0) {
            return NBD_EDEAD;
        }
        uint32_t magic = be32_get(h);
        if (magic == NBD_SIMPLE_REPLY_MAGIC) {
            if (!first) {
                return dead(c, "simple reply in the middle of a structured "
                            "reply");
            }
            if (recv_full(c, h + 4, 12) < 0) {
                return NBD_EDEAD;
            }
            if (be64_get(h + 8) != handle) {
                return dead(c, "reply for unknown handle %" PRIu64,
                            be64_get(h + 8));
            }
            uint32_t e = be32_get(h + 4);
            if (e) {
                return nbd_errno(e);
            }
            if (st) {
                return dead(c, "simple reply to a block status request");
            }
            if (is_read) {
                if (c->info.structured) {
                    return dead(c, "simple reply with data to a read after "
                                "structured replies were negotiated");
                }
                return recv_full(c, buf, len);
            }
            return 0;
        }
        if (magic != NBD_STRUCTURED_REPLY_MAGIC || !c->info.structured) {
            return dead(c, "bad reply magic 0x%08x", magic);
        }
        first = false;
        if (recv_full(c, h + 4, 16) < 0) {
            return NBD_EDEAD;
        }
        uint16_t flags = be16_get(h + 4), type = be16_get(h + 6);
        uint32_t clen = be32_get(h + 16);
        if (be64_get(h + 8) != handle) {
            return dead(c, "reply chunk for unknown handle %" PRIu64,
                        be64_get(h + 8));
        }
        switch (type) {
        case NBD_REPLY_TYPE_NONE:
            if (clen || !(flags & NBD_REPLY_FLAG_DONE)) {
                return dead(c, "bad NBD_REPLY_TYPE_NONE chunk");
            }
            break;
        case NBD_REPLY_TYPE_OFFSET_DATA: {
            uint8_t o[8];
            if (!is_read || clen <= 8) {
                return dead(c, "unexpected or empty data chunk");
            }
            if (recv_full(c, o, 8) < 0) {
                return NBD_EDEAD;
            }
            uint64_t coff = be64_get(o), n = clen - 8;
            if (coff < off || coff - off > len || n > len - (coff - off)) {
                return dead(c, "data chunk [%" PRIu64 ", +%" PRIu64 ") "
                            "outside the request", coff, n);
            }
            if (recv_full(c, buf + (coff - off), n) < 0) {
                return NBD_EDEAD;
            }
            covered += n;
            break;
        }
        case NBD_REPLY_TYPE_OFFSET_HOLE: {
            uint8_t o[12];
            if (!is_read || clen != 12) {
                return dead(c, "unexpected or bad hole chunk");
            }
            if (recv_full(c, o, 12) < 0) {
                return NBD_EDEAD;
            }
            uint64_t coff = be64_get(o), n = be32_get(o + 8);
            if (!n || coff < off || coff - off > len ||
                n > len - (coff - off)) {
                return dead(c, "hole chunk [%" PRIu64 ", +%" PRIu64 ") "
                            "outside the request", coff, n);
            }
            memset(buf + (coff - off), 0, n);
            covered += n;
            break;
        }
        case NBD_REPLY_TYPE_ERROR:
        case NBD_REPLY_TYPE_ERROR_OFFSET: {
            if (clen < 6 || clen > MAX_META_CHUNK) {
                return dead(c, "bad error chunk length %u", clen);
            }
            uint8_t *d = xmalloc(clen);
            if (recv_full(c, d, clen) < 0) {
                free(d);
                return NBD_EDEAD;
            }
            uint32_t e = be32_get(d);
            uint32_t mlen = be16_get(d + 4);
            uint32_t want = 6 + mlen +
                            (type == NBD_REPLY_TYPE_ERROR_OFFSET ? 8 : 0);
            bool bad = !e || want != clen;
            if (!bad && type == NBD_REPLY_TYPE_ERROR_OFFSET) {
                uint64_t eoff = be64_get(d + 6 + mlen);
                bad = !is_read || eoff < off || eoff - off >= len;
            }
            free(d);
            if (bad) {
                return dead(c, "malformed error chunk");
            }
            if (!ret) {
                ret = nbd_errno(e);
            }
            break;
        }
        case NBD_REPLY_TYPE_BLOCK_STATUS: {
            if (!st || st->got || clen < 12 || (clen - 4) % 8 ||
                clen > MAX_META_CHUNK) {
                return dead(c, "unexpected or bad block status chunk");
            }
            uint8_t *d = xmalloc(clen);
            if (recv_full(c, d, clen) < 0) {
                free(d);
                return NBD_EDEAD;
            }
            uint32_t id = be32_get(d), elen = be32_get(d + 4);
            st->flags = be32_get(d + 8);
            free(d);
            if (id != c->info.alloc_id || !elen) {
                return dead(c, "block status for context %u, length %u", id,
                            elen);
            }
            st->len = MIN(elen, len);   /* one extent may reach further */
            st->got = true;
            break;
        }
        default:
            if (!(type & 0x8000)) {
                return dead(c, "unexpected reply chunk type %u", type);
            }
            /* An error type we do not know: an error all the same. */
            if (clen > MAX_META_CHUNK || skip(c, clen) < 0) {
                return dead(c, "bad error chunk");
            }
            if (!ret) {
                ret = -EIO;
            }
        }
        if (flags & NBD_REPLY_FLAG_DONE) {
            break;
        }
    }
    if (!ret && is_read && covered != len) {
        return dead(c, "read reply covers %" PRIu64 " of %u bytes",
                    covered, len);
    }
    if (!ret && st && !st->got) {
        return dead(c, "block status reply without an extent");
    }
    return ret;
}

int nbd_read(struct nbd_client *c, uint64_t off, void *buf, uint32_t len)
{
    uint64_t h;
    if (send_request(c, 0, NBD_CMD_READ, off, len, &h) < 0) {
        return NBD_EDEAD;
    }
    return recv_reply(c, h, true, off, buf, len, NULL);
}

int nbd_write(struct nbd_client *c, uint64_t off, const void *buf,
              uint32_t len, bool fua)
{
    uint64_t h;
    uint16_t f = fua && (c->info.flags & NBD_FLAG_SEND_FUA) ?
                 NBD_CMD_FLAG_FUA : 0;
    if (send_request(c, f, NBD_CMD_WRITE, off, len, &h) < 0 ||
        send_full(c, buf, len) < 0) {
        return NBD_EDEAD;
    }
    return recv_reply(c, h, false, 0, NULL, 0, NULL);
}

int nbd_trim(struct nbd_client *c, uint64_t off, uint32_t len)
{
    uint64_t h;
    if (!(c->info.flags & NBD_FLAG_SEND_TRIM)) {
        return -ENOTSUP;
    }
    if (send_request(c, 0, NBD_CMD_TRIM, off, len, &h) < 0) {
        return NBD_EDEAD;
    }
    return recv_reply(c, h, false, 0, NULL, 0, NULL);
}

int nbd_write_zeroes(struct nbd_client *c, uint64_t off, uint32_t len,
                     bool may_unmap)
{
    uint64_t h;
    if (!(c->info.flags & NBD_FLAG_SEND_WRITE_ZEROES)) {
        return -ENOTSUP;
    }
    if (send_request(c, may_unmap ? 0 : NBD_CMD_FLAG_NO_HOLE,
                     NBD_CMD_WRITE_ZEROES, off, len, &h) < 0) {
        return NBD_EDEAD;
    }
    return recv_reply(c, h, false, 0, NULL, 0, NULL);
}

int nbd_flush(struct nbd_client *c)
{
    uint64_t h;
    if (!(c->info.flags & NBD_FLAG_SEND_FLUSH)) {
        return 0;   /* the server has no cache to flush */
    }
    if (send_request(c, 0, NBD_CMD_FLUSH, 0, 0, &h) < 0) {
        return NBD_EDEAD;
    }
    return recv_reply(c, h, false, 0, NULL, 0, NULL);
}

int nbd_block_status(struct nbd_client *c, uint64_t off, uint32_t len,
                     uint32_t *ext_len, uint32_t *flags)
{
    uint64_t h;
    struct status_out st = { 0 };
    if (!c->info.has_alloc || !len) {
        return -ENOTSUP;
    }
    if (send_request(c, NBD_CMD_FLAG_REQ_ONE, NBD_CMD_BLOCK_STATUS, off, len,
                     &h) < 0) {
        return NBD_EDEAD;
    }
    int r = recv_reply(c, h, false, 0, NULL, len, &st);
    if (r >= 0) {
        *ext_len = st.len;
        *flags = st.flags;
    }
    return r;
}

void nbd_disconnect(struct nbd_client *c)
{
    uint64_t h;
    send_request(c, 0, NBD_CMD_DISC, 0, 0, &h);
}
