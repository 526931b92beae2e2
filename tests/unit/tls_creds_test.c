/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_creds_test.c - checks the TLS credential objects (emu/vm/tls-creds.c):
 * a CA, server and client certificates are made here with the openssl
 * command, objects are created from -object strings, and a server and a
 * client context made from them do (or refuse) a real TLS handshake over
 * an in-memory BIO pair: x509 with and without client certificates, host
 * name checks, a wrong CA, an encrypted key with passwordid=, anonymous
 * DH and pre-shared keys; plus the option errors of the QEMU manual's
 * forms.
 */
#include "emu/osdep.h"
#include <openssl/ssl.h>

#include "emu/cli/keyval.h"
#include "emu/util/err.h"
#include "emu/vm/secret.h"
#include "emu/vm/tls-creds.h"
#include "tests/unit/test.h"

static char dir[64];
static char msgbuf[1024];

static int add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int add(const char *fmt, ...)
{
    char arg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(arg, sizeof(arg), fmt, ap);
    va_end(ap);
    struct kvlist *kv = kvlist_new();
    struct err *e = NULL;
    int r = kvlist_parse(kv, arg, "qom-type", &e);
    if (r == 0) {
        const char *type = kv_str(kv, "qom-type", "");
        r = !strcmp(type, "secret") ? secret_add(kv, &e)
                                    : tls_creds_add(type, kv, &e);
    }
    snprintf(msgbuf, sizeof(msgbuf), "%s", e ? e->msg : "");
    err_free(e);
    kvlist_free(kv);
    return r;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return system(cmd);
}

/* A CA in D/ca, and in D/NAME a cert signed by it for CN/SAN. */
static void make_ca(const char *name)
{
    sh("cd %s && mkdir -p %s && openssl req -x509 -newkey rsa:2048 -nodes "
       "-keyout %s/ca-key.pem -out %s/ca-cert.pem -days 2 -subj /CN=%s-ca "
       ">/dev/null 2>&1", dir, name, name, name, name);
}

static void make_cert(const char *ca, const char *out, const char *side,
                      const char *san, const char *keyopts)
{
    sh("cd %s && mkdir -p %s && cp %s/ca-cert.pem %s/ && "
       "openssl req -newkey rsa:2048 %s -keyout %s/%s-key.pem -out %s/%s.csr "
       "-subj /CN=hemu-test >/dev/null 2>&1 && "
       "printf 'subjectAltName=%s\\n' > %s/%s.ext && "
       "openssl x509 -req -in %s/%s.csr -CA %s/ca-cert.pem -CAkey "
       "%s/ca-key.pem -CAcreateserial -days 2 -out %s/%s-cert.pem "
       "-extfile %s/%s.ext >/dev/null 2>&1",
       dir, out, ca, out, keyopts, out, side, out, side, san, out, side,
       out, side, ca, ca, out, side, out, side);
}

/* Handshake over a BIO pair; 1 if both ends complete. */
static int handshake(const char *server_id, const char *client_id,
                     const char *hostname)
{
    struct err *e = NULL;
    struct tls_creds *sc = tls_creds_find(server_id, &e);
    struct tls_creds *cc = tls_creds_find(client_id, &e);
    if (!sc || !cc) {
        printf("#   %s\n", e ? e->msg : "?");
        err_free(e);
        return -1;
    }
    SSL_CTX *sctx = tls_creds_new_ctx(sc, &e);
    SSL_CTX *cctx = sctx ? tls_creds_new_ctx(cc, &e) : NULL;
    if (!sctx || !cctx) {
        printf("#   %s\n", e ? e->msg : "?");
        err_free(e);
        SSL_CTX_free(sctx);
        return -1;
    }
    SSL *s = SSL_new(sctx), *c = SSL_new(cctx);
    BIO *bs, *bc;
    BIO_new_bio_pair(&bs, 0, &bc, 0);
    SSL_set_bio(s, bs, bs);
    SSL_set_bio(c, bc, bc);
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);
    EXPECT_EQ(tls_creds_client_prepare(cc, c, hostname, &e), 0);
    int sdone = 0, cdone = 0, failed = 0;
    for (int i = 0; i < 100 && !(sdone && cdone) && !failed; i++) {
        if (!cdone) {
            int r = SSL_do_handshake(c);
            cdone = r == 1;
            failed |= r <= 0 && SSL_get_error(c, r) != SSL_ERROR_WANT_READ;
        }
        if (!sdone) {
            int r = SSL_do_handshake(s);
            sdone = r == 1;
            failed |= r <= 0 && SSL_get_error(s, r) != SSL_ERROR_WANT_READ;
        }
    }
    /* TLS 1.3 servers learn of a rejected certificate only on the next
     * read: exchange one byte each way. */
    int ok = sdone && cdone && !failed;
    if (ok) {
        char b = 'x';
        ok = SSL_write(c, &b, 1) == 1;
        for (int i = 0; ok && i < 10; i++) {
            if (SSL_read(s, &b, 1) == 1) {
                break;
            }
            if (SSL_get_error(s, -1) == SSL_ERROR_SSL) {
                ok = 0;
            }
            SSL_read(c, &b, 0);
        }
        ok = ok && SSL_write(s, &b, 1) == 1;
        for (int i = 0; ok && i < 10; i++) {
            int r = SSL_read(c, &b, 1);
            if (r == 1) {
                break;
            }
            if (SSL_get_error(c, r) == SSL_ERROR_SSL) {
                ok = 0;
            }
        }
    }
    SSL_free(s);
    SSL_free(c);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return ok;
}

TEST(setup)
{
    snprintf(dir, sizeof(dir), "/tmp/hemu-tls-XXXXXX");
    EXPECT(mkdtemp(dir) != NULL);
    make_ca("ca1");
    make_ca("ca2");
    make_cert("ca1", "srv", "server", "IP:127.0.0.1,DNS:localhost", "-nodes");
    make_cert("ca1", "cli", "client", "DNS:client", "-nodes");
    make_cert("ca2", "cli2", "client", "DNS:client", "-nodes");
    make_cert("ca1", "srvpw", "server", "DNS:localhost",
              "-passout pass:sesame");
    /* A client holding only the other CA. */
    sh("mkdir -p %s/other && cp %s/ca2/ca-cert.pem %s/other/", dir, dir, dir);
    sh("mkdir -p %s/anon %s/psk %s/pskbad && "
       "printf 'qemu:0123456789abcdef0123456789abcdef\\n' > %s/psk/keys.psk && "
       "printf 'qemu:fedcba9876543210fedcba9876543210\\n' > "
       "%s/pskbad/keys.psk", dir, dir, dir, dir, dir);
    char path[256];
    snprintf(path, sizeof(path), "%s/srv/server-cert.pem", dir);
    EXPECT(access(path, R_OK) == 0);
}

TEST(x509_server_and_client)
{
    EXPECT_EQ(add("tls-creds-x509,id=s0,dir=%s/srv,endpoint=server,"
                  "verify-peer=off", dir), 0);
    EXPECT_EQ(add("tls-creds-x509,id=c0,dir=%s/cli,endpoint=client", dir), 0);
    EXPECT_EQ(handshake("s0", "c0", "127.0.0.1"), 1);
    EXPECT_EQ(handshake("s0", "c0", "localhost"), 1);
    EXPECT_EQ(handshake("s0", "c0", NULL), 1);
    /* The certificate names neither. */
    EXPECT_EQ(handshake("s0", "c0", "10.9.9.9"), 0);
    EXPECT_EQ(handshake("s0", "c0", "example.org"), 0);
    EXPECT(tls_creds_is_server(tls_creds_find("s0", NULL)));
    EXPECT(!tls_creds_is_server(tls_creds_find("c0", NULL)));
    EXPECT_EQ(tls_creds_kind(tls_creds_find("c0", NULL)), TLS_CREDS_X509);
}

TEST(x509_wrong_ca_is_refused)
{
    EXPECT_EQ(add("tls-creds-x509,id=c-other,dir=%s/other,endpoint=client",
                  dir), 0);
    EXPECT_EQ(handshake("s0", "c-other", "localhost"), 0);
    EXPECT_EQ(add("tls-creds-x509,id=c-noverify,dir=%s/other,"
                  "endpoint=client,verify-peer=off", dir), 0);
    EXPECT_EQ(handshake("s0", "c-noverify", "localhost"), 1);
}

TEST(x509_client_certificate_required)
{
    EXPECT_EQ(add("tls-creds-x509,id=s1,dir=%s/srv,endpoint=server", dir), 0);
    EXPECT_EQ(handshake("s1", "c0", "localhost"), 1);
    /* No client certificate at all. */
    EXPECT_EQ(add("tls-creds-x509,id=c-nocert,dir=%s/other,endpoint=client,"
                  "verify-peer=off", dir), 0);
    EXPECT_EQ(handshake("s1", "c-nocert", "localhost"), 0);
    /* A client certificate from another CA. */
    EXPECT_EQ(add("tls-creds-x509,id=c2,dir=%s/cli2,endpoint=client,"
                  "verify-peer=off", dir), 0);
    EXPECT_EQ(handshake("s1", "c2", "localhost"), 0);
}

TEST(x509_encrypted_key_with_passwordid)
{
    EXPECT(add("tls-creds-x509,id=spw0,dir=%s/srvpw,endpoint=server", dir)
           < 0);
    EXPECT(strstr(msgbuf, "private key") != NULL);
    EXPECT_EQ(add("secret,id=pw,data=sesame"), 0);
    EXPECT_EQ(add("tls-creds-x509,id=spw,dir=%s/srvpw,endpoint=server,"
                  "passwordid=pw,verify-peer=off", dir), 0);
    EXPECT_EQ(handshake("spw", "c0", "localhost"), 1);
    EXPECT(add("tls-creds-x509,id=spw2,dir=%s/srvpw,endpoint=server,"
               "passwordid=nosuch", dir) < 0);
    EXPECT_STR(msgbuf, "No secret with id 'nosuch'");
}

TEST(anon)
{
    EXPECT_EQ(add("tls-creds-anon,id=as,endpoint=server"), 0);
    EXPECT_EQ(add("tls-creds-anon,id=ac,dir=%s/anon", dir), 0);
    EXPECT_EQ(handshake("as", "ac", "localhost"), 1);
    /* An anonymous client cannot talk to an x509 server. */
    EXPECT_EQ(handshake("s0", "ac", NULL), 0);
}

TEST(psk)
{
    EXPECT_EQ(add("tls-creds-psk,id=ps,dir=%s/psk,endpoint=server", dir), 0);
    EXPECT_EQ(add("tls-creds-psk,id=pc,dir=%s/psk,username=qemu", dir), 0);
    EXPECT_EQ(handshake("ps", "pc", NULL), 1);
    EXPECT_EQ(add("tls-creds-psk,id=pcbad,dir=%s/pskbad", dir), 0);
    EXPECT_EQ(handshake("ps", "pcbad", NULL), 0);
    EXPECT(add("tls-creds-psk,id=pcu,dir=%s/psk,username=alice", dir) < 0);
    EXPECT(strstr(msgbuf, "alice") != NULL);
}

TEST(option_errors)
{
    EXPECT(add("tls-creds-x509,id=e1,dir=%s/nosuch,endpoint=server", dir) < 0);
    EXPECT(strstr(msgbuf, "Unable to access credentials") != NULL);
    EXPECT(strstr(msgbuf, "ca-cert.pem") != NULL);
    /* A server needs its certificate. */
    EXPECT(add("tls-creds-x509,id=e2,dir=%s/other,endpoint=server", dir) < 0);
    EXPECT(strstr(msgbuf, "server-cert.pem") != NULL);
    EXPECT(add("tls-creds-x509,id=e3,dir=%s/srv,endpoint=middle", dir) < 0);
    EXPECT_STR(msgbuf, "Parameter 'endpoint' does not accept value 'middle'");
    EXPECT(add("tls-creds-x509,id=e4,endpoint=client") < 0);
    EXPECT_STR(msgbuf, "Missing 'dir' property value");
    EXPECT(add("tls-creds-x509,dir=%s/srv", dir) < 0);
    EXPECT_STR(msgbuf, "Parameter 'id' is missing");
    EXPECT(add("tls-creds-x509,id=s0,dir=%s/cli", dir) < 0);
    EXPECT(strstr(msgbuf, "duplicate") != NULL);
    EXPECT(add("tls-creds-x509,id=e5,dir=%s/cli,priority=NORMAL", dir) < 0);
    EXPECT(strstr(msgbuf, "not supported") != NULL);
    EXPECT(add("tls-creds-x509,id=e6,dir=%s/cli,bogus=1", dir) < 0);
    EXPECT(strstr(msgbuf, "bogus") != NULL);
    EXPECT(add("tls-creds-x509,id=e7,dir=%s/cli,verify-peer=maybe", dir) < 0);
    struct err *e = NULL;
    EXPECT(tls_creds_find("nosuch", &e) == NULL);
    EXPECT_STR(e ? e->msg : NULL, "No TLS credentials with id 'nosuch'");
    err_free(e);
}

TEST(cleanup)
{
    EXPECT_EQ(sh("rm -rf %s", dir), 0);
}

TEST_MAIN()
