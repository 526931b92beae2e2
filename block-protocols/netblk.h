/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netblk.h - what the network protocol drivers (iscsi.c, curl.c) share with
 * the command line, the unit tests and the fuzz target: -iscsi session
 * settings (qemu-6.2 manual "-iscsi", "Device URL Syntax") and the parsing
 * of the curl driver's options.
 */
#ifndef HEMU_BLOCK_NETBLK_H
#define HEMU_BLOCK_NETBLK_H

#include "emu/osdep.h"

struct err;
struct kvlist;
struct bdrv;

/* -iscsi [id=target-iqn,]user=,password=,password-secret=,header-digest=,
 * initiator-name=,timeout= : recorded, used when an iSCSI node opens. */
int opt_iscsi(const char *arg, struct err **errp);
void iscsi_opts_reset(void);

/* libiscsi's enum iscsi_header_digest values. */
enum { NB_DIGEST_NONE, NB_DIGEST_NONE_CRC32C, NB_DIGEST_CRC32C_NONE,
       NB_DIGEST_CRC32C };

struct iscsi_params {
    char *initiator_name;
    char *user, *password;      /* CHAP, NULL if none */
    int header_digest;
    int timeout;                /* seconds, 0: none */
};

/* The settings for target: the -iscsi whose id= is target, else the first
 * -iscsi, overridden by the node's own keys in node (may be NULL; its
 * user=, password-secret=, initiator-name=, header-digest=, timeout= are
 * read and marked used). */
int iscsi_params_get(const char *target, struct kvlist *node,
                     struct iscsi_params *p, struct err **errp);
void iscsi_params_free(struct iscsi_params *p);

/* Where an iSCSI node connects to. */
struct iscsi_addr {
    char *portal;               /* host:port */
    char *target;
    int lun;
    char *user, *password;      /* from the URL or LIBISCSI_CHAP_*, or NULL */
};
/* Split "iscsi://[user[%password]@]host[:port]/target-iqn/lun" (libiscsi's
 * parser, which also takes CHAP from the environment). */
int iscsi_addr_parse(const char *url, struct iscsi_addr *a, struct err **errp);
void iscsi_addr_free(struct iscsi_addr *a);

/* The curl driver's options, from a node's keys. */
struct curl_opts {
    char *url;                  /* what curl fetches (may hold user:pw) */
    char *url_safe;             /* the same without its password: messages */
    char *scheme;               /* http, https, ftp, ftps */
    uint64_t readahead;
    bool sslverify;
    char *cookie;
    int timeout;
    char *username, *password;
    char *proxy_username, *proxy_password;
};
/* driver is the node's protocol driver name (http...); kv the node keys. */
int curl_opts_parse(const char *driver, struct kvlist *kv,
                    struct curl_opts *o, struct err **errp);
void curl_opts_free(struct curl_opts *o);

extern const struct bdrv_ops bdrv_iscsi_ops, bdrv_http_ops, bdrv_https_ops,
    bdrv_ftp_ops, bdrv_ftps_ops, bdrv_ssh_ops, bdrv_nfs_ops,
    bdrv_gluster_ops;

/* Whether the protocol node bs takes reads and writes from several
 * threads at once (each on a connection of its own or matched by tag):
 * blk-backend.c then keeps several of a drive's requests in flight. */
bool netblk_concurrent(const struct bdrv *bs);

/* A guest read of the drive whose root is bs, done in the main loop
 * without a worker thread (netblk-aio.c): 0 when it is on its way and
 * done(opaque, ret) will run in the main loop with the big lock held;
 * -EAGAIN when this node cannot (the caller uses its worker path).  ret
 * -EAGAIN in done: it could not be finished there after all, the caller
 * redoes it on its worker path.  The big lock is held; iov stays valid
 * until done. */
struct iovec;
int netblk_aio_readv(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                     int niov, void (*done)(void *opaque, int ret),
                     void *opaque);
/* Until every read netblk_aio_readv() took is done (big lock held). */
void netblk_aio_drain(void);

/* Split a gluster[+T]:// URL into the gluster driver's node keys
 * (volume, path, server.0.*). */
int gluster_parse_url(struct kvlist *kv, const char *fn, struct err **errp);

/* URLs of schemes libcurl does not know, split by its URL API
 * (url-split.c, built with libcurl): nbd[+T]://, gluster[+T]://.
 * rest is what follows "://"; what names the protocol in messages. */
struct netblk_url {
    bool no_host;               /* the authority was empty */
    char *host;                 /* unescaped, IPv6 brackets off; or NULL */
    char *port, *path, *query;  /* as written, or NULL */
};
int netblk_url_split(const char *what, const char *fn, const char *rest,
                     struct netblk_url *nu, struct err **errp);
/* A "+unix" URL's socket: no host or port, exactly one query socket=PATH;
 * the unescaped path, or NULL with errp set. */
char *netblk_url_socket(const char *what, const char *fn, const char *scheme,
                        const struct netblk_url *nu, struct err **errp);
void netblk_url_free(struct netblk_url *nu);
/* %XX decoding; NULL for a bad escape or an embedded %00. */
char *netblk_unescape(const char *s);

#endif
