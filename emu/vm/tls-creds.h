/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls-creds.h - the TLS credential objects of the QEMU 6.2 manual
 * ("Generic object creation"): tls-creds-x509, tls-creds-anon and
 * tls-creds-psk, each naming a directory of PEM files (or a keys.psk
 * file) and an endpoint.  VNC, NBD and chardev sockets look an object up
 * by id (tls-creds=ID) and get an OpenSSL context made from it.
 */
#ifndef HEMU_EMU_VM_TLS_CREDS_H
#define HEMU_EMU_VM_TLS_CREDS_H

#include "emu/osdep.h"

struct err;
struct kvlist;
struct tls_creds;

enum tls_creds_kind { TLS_CREDS_X509, TLS_CREDS_ANON, TLS_CREDS_PSK };

/* Whether type is one of "tls-creds-x509", "tls-creds-anon",
 * "tls-creds-psk". */
bool tls_creds_type_known(const char *type);
/* Create from -object options (type already checked with the above).
 * The files are loaded now, so a missing or bad file fails at startup as
 * in QEMU. */
int tls_creds_add(const char *type, struct kvlist *kv, struct err **errp);
/* The object with this id; NULL with QEMU's "No TLS credentials with id
 * 'x'" when there is none. */
struct tls_creds *tls_creds_find(const char *id, struct err **errp);

enum tls_creds_kind tls_creds_kind(const struct tls_creds *c);
bool tls_creds_is_server(const struct tls_creds *c);
bool tls_creds_verify_peer(const struct tls_creds *c);
const char *tls_creds_id(const struct tls_creds *c);

#ifdef CONFIG_OPENSSL
#include <openssl/ssl.h>
/*
 * A new SSL_CTX for this object's endpoint: certificates, key, CA and
 * CRL (x509), anonymous DH/ECDH cipher suites (anon, TLS 1.2), or the
 * pre-shared keys (psk, TLS 1.2); verify-peer decides whether the peer's
 * certificate is required and checked.  The caller frees it.
 */
SSL_CTX *tls_creds_new_ctx(struct tls_creds *c, struct err **errp);
/*
 * For client endpoints: the name the server's certificate must carry
 * (x509 with verify-peer=on) and the SNI name.  hostname may be NULL (no
 * name check, as for UNIX sockets).  No-op for anon/psk.
 */
int tls_creds_client_prepare(struct tls_creds *c, SSL *ssl,
                             const char *hostname, struct err **errp);
#endif

#endif
