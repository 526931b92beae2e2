/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls-creds.c - tls-creds-x509, tls-creds-anon and tls-creds-psk as the
 * QEMU 6.2 manual describes them ("-object tls-creds-x509,id=id,
 * endpoint=endpoint,dir=/path/to/cred/dir,verify-peer=on|off,
 * passwordid=id"), on OpenSSL.  The directory layout is the manual's:
 * ca-cert.pem, ca-crl.pem (optional), server-cert.pem/server-key.pem or
 * client-cert.pem/client-key.pem, dh-params.pem (optional); keys.psk
 * holds "username:hexkey" lines.
 */
#include "emu/osdep.h"
#include <sys/stat.h>

#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/secret.h"
#include "emu/vm/tls-creds.h"

#ifdef CONFIG_OPENSSL
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#endif

struct tls_creds {
    char *id;
    enum tls_creds_kind kind;
    bool server;
    bool verify_peer;
    char *dir;
    char *password;         /* the private key's, from passwordid= */
    char *username;         /* psk client identity */
    struct tls_creds *next;
};

static struct tls_creds *all_creds;

bool tls_creds_type_known(const char *type)
{
    return !strcmp(type, "tls-creds-x509") || !strcmp(type, "tls-creds-anon") ||
           !strcmp(type, "tls-creds-psk");
}

struct tls_creds *tls_creds_find(const char *id, struct err **errp)
{
    for (struct tls_creds *c = all_creds; c; c = c->next) {
        if (!strcmp(c->id, id)) {
            return c;
        }
    }
    err_setf(errp, "No TLS credentials with id '%s'", id);
    return NULL;
}

enum tls_creds_kind tls_creds_kind(const struct tls_creds *c)
{
    return c->kind;
}

bool tls_creds_is_server(const struct tls_creds *c)
{
    return c->server;
}

bool tls_creds_verify_peer(const struct tls_creds *c)
{
    return c->verify_peer;
}

const char *tls_creds_id(const struct tls_creds *c)
{
    return c->id;
}

static void creds_free(struct tls_creds *c)
{
    if (c->password) {
        memset(c->password, 0, strlen(c->password));
    }
    free(c->id);
    free(c->dir);
    free(c->password);
    free(c->username);
    free(c);
}

#ifdef CONFIG_OPENSSL

static char *path_in(const struct tls_creds *c, const char *name)
{
    return xasprintf("%s/%s", c->dir ? c->dir : ".", name);
}

/* Whether dir/name exists; with required, a missing file is QEMU's
 * "Unable to access credentials PATH: ..." error. */
static int cred_file(const struct tls_creds *c, const char *name,
                     bool required, char **path, struct err **errp)
{
    *path = path_in(c, name);
    struct stat st;
    if (stat(*path, &st) == 0) {
        return 1;
    }
    if (required) {
        err_setf(errp, "Unable to access credentials %s: %s", *path,
                 strerror(errno));
        free(*path);
        *path = NULL;
        return -1;
    }
    free(*path);
    *path = NULL;
    return 0;
}

static void set_ssl_error(struct err **errp, const char *what,
                          const char *path)
{
    unsigned long e = ERR_get_error();
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    ERR_clear_error();
    err_setf(errp, "%s %s: %s", what, path, e ? buf : "invalid data");
}

static int key_password_cb(char *buf, int size, int rwflag, void *opaque)
{
    (void)rwflag;
    const char *pw = opaque;
    if (!pw) {
        return 0;
    }
    int n = (int)strlen(pw);
    if (n > size) {
        n = size;
    }
    memcpy(buf, pw, (size_t)n);
    return n;
}

static int load_dh(SSL_CTX *ctx, const struct tls_creds *c, struct err **errp)
{
    char *path;
    int r = cred_file(c, "dh-params.pem", false, &path, errp);
    if (r <= 0) {
        SSL_CTX_set_dh_auto(ctx, 1);
        return 0;
    }
    BIO *b = BIO_new_file(path, "r");
    EVP_PKEY *dh = b ? PEM_read_bio_Parameters(b, NULL) : NULL;
    BIO_free(b);
    if (!dh || !SSL_CTX_set0_tmp_dh_pkey(ctx, dh)) {
        EVP_PKEY_free(dh);
        set_ssl_error(errp, "Unable to load DH parameters", path);
        free(path);
        return -1;
    }
    free(path);
    return 0;
}

static int setup_x509(SSL_CTX *ctx, struct tls_creds *c, struct err **errp)
{
    char *ca = NULL, *crl = NULL, *cert = NULL, *key = NULL;
    const char *side = c->server ? "server" : "client";
    char certname[32], keyname[32];
    int ret = -1;

    snprintf(certname, sizeof(certname), "%s-cert.pem", side);
    snprintf(keyname, sizeof(keyname), "%s-key.pem", side);
    if (cred_file(c, "ca-cert.pem", true, &ca, errp) < 0) {
        goto out;
    }
    if (!SSL_CTX_load_verify_locations(ctx, ca, NULL)) {
        set_ssl_error(errp, "Unable to load CA certificate", ca);
        goto out;
    }
    int have_crl = cred_file(c, "ca-crl.pem", false, &crl, errp);
    if (have_crl > 0) {
        X509_STORE *store = SSL_CTX_get_cert_store(ctx);
        if (!X509_STORE_load_file(store, crl)) {
            set_ssl_error(errp, "Unable to load CRL", crl);
            goto out;
        }
        X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    }
    /* A server always needs its certificate; a client's is optional
     * unless the server asks for one. */
    int have_cert = cred_file(c, certname, c->server, &cert, errp);
    if (have_cert < 0) {
        goto out;
    }
    int have_key = cred_file(c, keyname, c->server, &key, errp);
    if (have_key < 0) {
        goto out;
    }
    if (have_cert > 0 && have_key > 0) {
        SSL_CTX_set_default_passwd_cb(ctx, key_password_cb);
        SSL_CTX_set_default_passwd_cb_userdata(ctx, c->password);
        if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
            set_ssl_error(errp, "Unable to load certificate", cert);
            goto out;
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
            set_ssl_error(errp, "Unable to load private key", key);
            goto out;
        }
        if (SSL_CTX_check_private_key(ctx) != 1) {
            set_ssl_error(errp, "Private key does not match certificate",
                          key);
            goto out;
        }
    } else if (have_cert > 0 || have_key > 0) {
        err_setf(errp, "Unable to access credentials %s/%s: both the "
                 "certificate and its key are needed", c->dir ? c->dir : ".",
                 have_cert > 0 ? keyname : certname);
        goto out;
    }
    if (c->server && load_dh(ctx, c, errp) < 0) {
        goto out;
    }
    if (c->verify_peer) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
                           (c->server ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                           NULL);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    ret = 0;
out:
    free(ca);
    free(crl);
    free(cert);
    free(key);
    return ret;
}

/* Anonymous (ADH/AECDH) suites exist only up to TLS 1.2 and only at
 * OpenSSL security level 0. */
static int setup_anon(SSL_CTX *ctx, struct tls_creds *c, struct err **errp)
{
    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    if (!SSL_CTX_set_cipher_list(ctx, "aNULL:!eNULL:@SECLEVEL=0")) {
        set_ssl_error(errp, "Unable to select anonymous cipher suites", "");
        return -1;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    return c->server ? load_dh(ctx, c, errp) : 0;
}

/* keys.psk: one "username:hexkey" per line. */
static int psk_lookup(const struct tls_creds *c, const char *user,
                      unsigned char *key, unsigned int max)
{
    char *path = path_in(c, "keys.psk");
    FILE *f = fopen(path, "r");
    free(path);
    if (!f) {
        return 0;
    }
    char line[1024];
    int found = 0;
    while (fgets(line, sizeof(line), f)) {
        char *colon = strchr(line, ':');
        if (!colon) {
            continue;
        }
        *colon = 0;
        if (strcmp(line, user)) {
            continue;
        }
        char *hex = colon + 1;
        hex[strcspn(hex, "\r\n")] = 0;
        size_t n = strlen(hex);
        if (n % 2 || n / 2 > max || n == 0) {
            break;
        }
        unsigned int i;
        for (i = 0; i < n / 2; i++) {
            unsigned int b;
            if (sscanf(hex + 2 * i, "%2x", &b) != 1) {
                break;
            }
            key[i] = (unsigned char)b;
        }
        found = i == n / 2 ? (int)i : 0;
        break;
    }
    memset(line, 0, sizeof(line));
    fclose(f);
    return found;
}

static int psk_ex_index = -1;

static struct tls_creds *ssl_creds(SSL *ssl)
{
    return SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), psk_ex_index);
}

static unsigned int psk_server_cb(SSL *ssl, const char *identity,
                                  unsigned char *psk, unsigned int max)
{
    struct tls_creds *c = ssl_creds(ssl);
    return c && identity ? (unsigned int)psk_lookup(c, identity, psk, max) : 0;
}

static unsigned int psk_client_cb(SSL *ssl, const char *hint, char *identity,
                                  unsigned int max_identity,
                                  unsigned char *psk, unsigned int max_psk)
{
    (void)hint;
    struct tls_creds *c = ssl_creds(ssl);
    if (!c || strlen(c->username) + 1 > max_identity) {
        return 0;
    }
    strcpy(identity, c->username);
    return (unsigned int)psk_lookup(c, c->username, psk, max_psk);
}

static int setup_psk(SSL_CTX *ctx, struct tls_creds *c, struct err **errp)
{
    char *path;
    if (cred_file(c, "keys.psk", true, &path, errp) < 0) {
        return -1;
    }
    free(path);
    if (psk_ex_index < 0) {
        psk_ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    }
    SSL_CTX_set_ex_data(ctx, psk_ex_index, c);
    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    if (!SSL_CTX_set_cipher_list(ctx, "PSK:!aNULL:@SECLEVEL=0")) {
        set_ssl_error(errp, "Unable to select PSK cipher suites", "");
        return -1;
    }
    if (c->server) {
        SSL_CTX_set_psk_server_callback(ctx, psk_server_cb);
        return load_dh(ctx, c, errp);
    }
    unsigned char key[256];
    int n = psk_lookup(c, c->username, key, sizeof(key));
    memset(key, 0, sizeof(key));
    if (n <= 0) {
        err_setf(errp, "Username %s not found in %s/keys.psk", c->username,
                 c->dir ? c->dir : ".");
        return -1;
    }
    SSL_CTX_set_psk_client_callback(ctx, psk_client_cb);
    return 0;
}

SSL_CTX *tls_creds_new_ctx(struct tls_creds *c, struct err **errp)
{
    SSL_CTX *ctx = SSL_CTX_new(c->server ? TLS_server_method()
                                         : TLS_client_method());
    if (!ctx) {
        set_ssl_error(errp, "Unable to create a TLS context for", c->id);
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    int r = c->kind == TLS_CREDS_X509 ? setup_x509(ctx, c, errp)
          : c->kind == TLS_CREDS_ANON ? setup_anon(ctx, c, errp)
          : setup_psk(ctx, c, errp);
    if (r < 0) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int tls_creds_client_prepare(struct tls_creds *c, SSL *ssl,
                             const char *hostname, struct err **errp)
{
    if (c->kind != TLS_CREDS_X509 || !hostname || !*hostname) {
        return 0;
    }
    SSL_set_tlsext_host_name(ssl, hostname);
    if (c->verify_peer) {
        X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(vp,
                                        X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        /* An address literal is checked against the IP SANs. */
        if (!X509_VERIFY_PARAM_set1_ip_asc(vp, hostname)) {
            ERR_clear_error();
            if (!SSL_set1_host(ssl, hostname)) {
                err_setf(errp, "Unable to set the TLS host name %s", hostname);
                return -1;
            }
        }
    }
    return 0;
}

#endif /* CONFIG_OPENSSL */

int tls_creds_add(const char *type, struct kvlist *kv, struct err **errp)
{
    const char *id = kv_str(kv, "id", NULL);
    const char *endpoint = kv_str(kv, "endpoint", "client");
    const char *dir = kv_str(kv, "dir", NULL);
    const char *passwordid = NULL;
    const char *username = NULL;
    struct err *e = NULL;
    struct tls_creds *c;

    kv_get(kv, "qom-type");
    bool verify = kv_bool(kv, "verify-peer", true, &e);
    if (!strcmp(type, "tls-creds-x509")) {
        passwordid = kv_str(kv, "passwordid", NULL);
        kv_bool(kv, "sanity-check", true, &e);
    }
    if (!strcmp(type, "tls-creds-psk")) {
        username = kv_str(kv, "username", "qemu");
    }
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    if (kv_has(kv, "priority")) {
        err_setf(errp, "%s: priority=: not supported (GnuTLS priority "
                 "strings; hemu's TLS is OpenSSL)", type);
        return -1;
    }
    if (kv_check_used(kv, errp) < 0) {
        return -1;
    }
    if (!id) {
        err_setf(errp, "Parameter 'id' is missing");
        return -1;
    }
    if (!kv_id_wellformed(id)) {
        err_setf(errp, "Parameter 'id' expects an identifier");
        return -1;
    }
    for (c = all_creds; c; c = c->next) {
        if (!strcmp(c->id, id)) {
            err_setf(errp, "attempt to add duplicate property '%s' to object "
                     "(type 'container')", id);
            return -1;
        }
    }
    bool server = !strcmp(endpoint, "server");
    if (!server && strcmp(endpoint, "client")) {
        err_setf(errp, "Parameter 'endpoint' does not accept value '%s'",
                 endpoint);
        return -1;
    }
    c = xzalloc(sizeof(*c));
    c->id = xstrdup(id);
    c->kind = !strcmp(type, "tls-creds-x509") ? TLS_CREDS_X509
            : !strcmp(type, "tls-creds-anon") ? TLS_CREDS_ANON : TLS_CREDS_PSK;
    c->server = server;
    c->verify_peer = verify;
    c->dir = dir ? xstrdup(dir) : NULL;
    c->username = username ? xstrdup(username) : NULL;
    if (passwordid) {
        c->password = secret_lookup_string(passwordid, errp);
        if (!c->password) {
            creds_free(c);
            return -1;
        }
    }
    if (c->kind != TLS_CREDS_ANON && !dir) {
        err_setf(errp, "Missing 'dir' property value");
        creds_free(c);
        return -1;
    }
#ifdef CONFIG_OPENSSL
    /* Load everything once now: bad files fail at startup. */
    SSL_CTX *probe = tls_creds_new_ctx(c, errp);
    if (!probe) {
        creds_free(c);
        return -1;
    }
    SSL_CTX_free(probe);
#else
    err_setf(errp, "%s: not supported in this build (configure without "
             "OpenSSL)", type);
    creds_free(c);
    return -1;
#endif
    c->next = all_creds;
    all_creds = c;
    return 0;
}
