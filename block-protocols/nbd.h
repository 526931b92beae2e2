/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd.h - hemu's NBD client (NetworkBlockDevice/nbd doc/proto.md): the
 * wire constants, the server address as the options give it (qemu-6.2
 * manual "Notes", NBD URLs and -blockdev driver=nbd), and the protocol
 * engine that runs the fixed newstyle handshake and the transmission
 * phase over any byte transport (a socket, or a fuzzer's buffer).
 */
#ifndef HEMU_BLOCK_NBD_H
#define HEMU_BLOCK_NBD_H

#include "emu/osdep.h"

struct err;
struct kvlist;

/* Handshake (proto.md "Fixed newstyle negotiation"). */
#define NBD_MAGIC           0x4e42444d41474943ULL   /* "NBDMAGIC" */
#define NBD_OPTS_MAGIC      0x49484156454f5054ULL   /* "IHAVEOPT" */
#define NBD_OLDSTYLE_MAGIC  0x0000420281861253ULL
#define NBD_REP_MAGIC       0x0003e889045565a9ULL

#define NBD_FLAG_FIXED_NEWSTYLE (1u << 0)
#define NBD_FLAG_NO_ZEROES      (1u << 1)
#define NBD_FLAG_C_FIXED_NEWSTYLE NBD_FLAG_FIXED_NEWSTYLE
#define NBD_FLAG_C_NO_ZEROES      NBD_FLAG_NO_ZEROES

enum {
    NBD_OPT_EXPORT_NAME = 1, NBD_OPT_ABORT = 2, NBD_OPT_LIST = 3,
    NBD_OPT_STARTTLS = 5, NBD_OPT_INFO = 6, NBD_OPT_GO = 7,
    NBD_OPT_STRUCTURED_REPLY = 8, NBD_OPT_SET_META_CONTEXT = 10,
};

#define NBD_REP_ERR(n) (0x80000000u | (n))
enum {
    NBD_REP_ACK = 1, NBD_REP_SERVER = 2, NBD_REP_INFO = 3,
    NBD_REP_META_CONTEXT = 4,
};
#define NBD_REP_ERR_UNSUP           NBD_REP_ERR(1)
#define NBD_REP_ERR_POLICY          NBD_REP_ERR(2)
#define NBD_REP_ERR_INVALID         NBD_REP_ERR(3)
#define NBD_REP_ERR_PLATFORM        NBD_REP_ERR(4)
#define NBD_REP_ERR_TLS_REQD        NBD_REP_ERR(5)
#define NBD_REP_ERR_UNKNOWN         NBD_REP_ERR(6)
#define NBD_REP_ERR_SHUTDOWN        NBD_REP_ERR(7)
#define NBD_REP_ERR_BLOCK_SIZE_REQD NBD_REP_ERR(8)
#define NBD_REP_ERR_TOO_BIG         NBD_REP_ERR(9)

enum { NBD_INFO_EXPORT = 0, NBD_INFO_NAME = 1, NBD_INFO_DESCRIPTION = 2,
       NBD_INFO_BLOCK_SIZE = 3 };

/* Transmission flags. */
#define NBD_FLAG_HAS_FLAGS          (1u << 0)
#define NBD_FLAG_READ_ONLY          (1u << 1)
#define NBD_FLAG_SEND_FLUSH         (1u << 2)
#define NBD_FLAG_SEND_FUA           (1u << 3)
#define NBD_FLAG_ROTATIONAL         (1u << 4)
#define NBD_FLAG_SEND_TRIM          (1u << 5)
#define NBD_FLAG_SEND_WRITE_ZEROES  (1u << 6)
#define NBD_FLAG_CAN_MULTI_CONN     (1u << 8)

/* Transmission phase. */
#define NBD_REQUEST_MAGIC           0x25609513u
#define NBD_SIMPLE_REPLY_MAGIC      0x67446698u
#define NBD_STRUCTURED_REPLY_MAGIC  0x668e33efu

enum {
    NBD_CMD_READ = 0, NBD_CMD_WRITE = 1, NBD_CMD_DISC = 2, NBD_CMD_FLUSH = 3,
    NBD_CMD_TRIM = 4, NBD_CMD_WRITE_ZEROES = 6, NBD_CMD_BLOCK_STATUS = 7,
};
#define NBD_CMD_FLAG_FUA     (1u << 0)
#define NBD_CMD_FLAG_NO_HOLE (1u << 1)
#define NBD_CMD_FLAG_REQ_ONE (1u << 3)

/* The "base:allocation" metadata context (proto.md "Metadata querying"). */
#define NBD_META_BASE_ALLOCATION "base:allocation"
#define NBD_STATE_HOLE (1u << 0)
#define NBD_STATE_ZERO (1u << 1)

#define NBD_REPLY_FLAG_DONE  (1u << 0)
enum {
    NBD_REPLY_TYPE_NONE = 0, NBD_REPLY_TYPE_OFFSET_DATA = 1,
    NBD_REPLY_TYPE_OFFSET_HOLE = 2, NBD_REPLY_TYPE_BLOCK_STATUS = 5,
    NBD_REPLY_TYPE_ERROR = 0x8001, NBD_REPLY_TYPE_ERROR_OFFSET = 0x8002,
};

#define NBD_DEFAULT_PORT 10809
/* The largest payload we send or accept in one request (proto.md: a
 * client without block size information should stay within 32 MiB). */
#define NBD_MAX_PAYLOAD (32u << 20)

/* Where the server is and what to ask it for. */
struct nbd_addr {
    bool is_unix;
    char *host, *port;      /* inet */
    char *path;             /* unix socket */
    char *export;           /* "" is the default export */
    uint64_t reconnect_delay;   /* seconds, 0: no reconnect */
    char *tls_creds;        /* -object tls-creds-* id, NULL: no TLS */
    char *tls_hostname;     /* the name the certificate must carry */
};

/* Fill a from a filename (URL or legacy "nbd:" form, when "filename" is
 * set) or from the server.* / export / ... keys.  0 or -1 with *errp. */
int nbd_parse_opts(struct nbd_addr *a, struct kvlist *kv, struct err **errp);
int nbd_parse_filename(struct nbd_addr *a, const char *fn, struct err **errp);
void nbd_addr_free(struct nbd_addr *a);
/* "nbd://host:port/export" or "nbd+unix:///export?socket=path". */
char *nbd_addr_to_uri(const struct nbd_addr *a);

/* A byte transport: return bytes moved, 0 for end of stream, <0 -errno. */
struct nbd_io {
    ssize_t (*recv)(void *opaque, void *buf, size_t len);
    ssize_t (*send)(void *opaque, const void *buf, size_t len);
    void *opaque;
};

/* What the handshake learnt about the export. */
struct nbd_export {
    uint64_t size;
    uint16_t flags;         /* transmission flags */
    bool structured;        /* structured replies negotiated */
    bool has_alloc;         /* base:allocation negotiated, as alloc_id */
    uint32_t alloc_id;
    uint32_t min_block, pref_block, max_block;
};

struct nbd_client {
    struct nbd_io io;
    /* Set for TLS: after NBD_OPT_STARTTLS is acknowledged, run the TLS
     * handshake on the socket and switch io to it; 0 or -1 with *errp. */
    int (*starttls)(void *opaque, struct err **errp);
    void *tls_opaque;
    struct nbd_export info;
    uint64_t next_handle;
    /* Why the connection is unusable (protocol violation, EOF), for
     * messages; set when a call returns NBD_EPROTO or a transport error. */
    char errmsg[256];
};

/* Status of a transmission call: >= 0 ok, -errno from the server's reply
 * (the connection stays usable), or NBD_EDEAD: the connection is dead
 * (transport error, end of stream, protocol violation; errmsg says why). */
#define NBD_EDEAD (-100000)

/* Run the handshake for export; 0 or -1 with *errp (the connection must
 * then be closed). */
int nbd_handshake(struct nbd_client *c, const char *export, struct err **errp);
int nbd_read(struct nbd_client *c, uint64_t off, void *buf, uint32_t len);
int nbd_write(struct nbd_client *c, uint64_t off, const void *buf,
              uint32_t len, bool fua);
int nbd_trim(struct nbd_client *c, uint64_t off, uint32_t len);
int nbd_write_zeroes(struct nbd_client *c, uint64_t off, uint32_t len,
                     bool may_unmap);
int nbd_flush(struct nbd_client *c);
/* NBD_CMD_BLOCK_STATUS for base:allocation: the first extent at off
 * (*ext_len bytes, at most len) and its NBD_STATE_* flags. */
int nbd_block_status(struct nbd_client *c, uint64_t off, uint32_t len,
                     uint32_t *ext_len, uint32_t *flags);
/* NBD_CMD_DISC (no reply). */
void nbd_disconnect(struct nbd_client *c);
/* Whether the nbd node bs keeps a pool of connections (the server allows
 * multi-conn), so that several threads may use it at once. */
struct bdrv;
bool nbd_concurrent(const struct bdrv *bs);
extern const struct bdrv_ops bdrv_nbd_ops;

/* Reads in the main loop (nbd-aio.c): one more connection to the server
 * of the nbd node bs, made by nbd.c (blocking; plain TCP or Unix socket
 * and a multi-conn server only): 0 with *fd and *c negotiated, or -1. */
int nbd_aio_connect(struct bdrv *bs, int *fd, struct nbd_client *c);
struct nbd_aio;
struct nbd_aio **nbd_aio_slot(struct bdrv *bs);
/* See netblk_aio_readv() (netblk.h). */
struct iovec;
int nbd_aio_readv(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                  int niov, void (*done)(void *opaque, int ret), void *opaque);
void nbd_aio_free(struct nbd_aio *a);
/* The pieces (and the fuzzer's way in, tests/fuzz/fuzz_nbd_aio.c): an
 * asynchronous reader on a connected, negotiated socket (structured
 * replies); queue a read on it (0, or -EAGAIN: not taken); take what the
 * socket has (the main loop does it on POLLIN). */
struct nbd_aio *nbd_aio_new(int fd, const struct nbd_export *info);
int nbd_aio_submit(struct nbd_aio *a, uint64_t off, const struct iovec *iov,
                   int niov, void (*done)(void *opaque, int ret),
                   void *opaque);
void nbd_aio_input(struct nbd_aio *a);
void nbd_aio_drain_all(void);
/* Map an NBD error value from the wire to -errno. */
int nbd_errno(uint32_t e);

#endif
