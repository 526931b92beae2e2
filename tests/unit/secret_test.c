/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * secret_test.c - checks "-object secret" (emu/vm/secret.c): data= and
 * file= inputs, raw and base64 formats, their mutual exclusion, id rules
 * and duplicate ids, lookups, strict base64 decoding, and AES-256-CBC
 * encrypted secrets (keyid=, iv=) as libvirt passes them.  The ciphertexts
 * are made here with OpenSSL's EVP API, so the expected plaintext is known;
 * error messages are QEMU 6.2's (crypto/secret_common.c).
 */
#include "emu/osdep.h"
#include <openssl/evp.h>

#include "emu/cli/keyval.h"
#include "emu/util/err.h"
#include "emu/vm/secret.h"
#include "tests/unit/test.h"

static char msgbuf[1024];

/* -object ARG: 0 on success; on failure -1 with the message in msgbuf. */
static int add(const char *arg)
{
    struct kvlist *kv = kvlist_new();
    struct err *e = NULL;
    int r = kvlist_parse(kv, arg, "qom-type", &e);
    if (r == 0) {
        r = secret_add(kv, &e);
    }
    snprintf(msgbuf, sizeof(msgbuf), "%s", e ? e->msg : "");
    if (r < 0 && !e) {
        snprintf(msgbuf, sizeof(msgbuf), "(failed with no error set)");
    }
    err_free(e);
    kvlist_free(kv);
    return r;
}

#define ADD_OK(arg)                                                   \
    do {                                                              \
        if (add(arg) < 0) {                                           \
            printf("#   %s:%d: -object %s failed: %s\n", __FILE__,    \
                   __LINE__, arg, msgbuf);                            \
            test_failed_now = 1;                                      \
        }                                                             \
    } while (0)

/* The add must fail with a message containing want. */
#define ADD_ERR(arg, want)                                            \
    do {                                                              \
        if (add(arg) == 0) {                                          \
            printf("#   %s:%d: -object %s accepted\n", __FILE__,      \
                   __LINE__, arg);                                    \
            test_failed_now = 1;                                      \
        } else if (!strstr(msgbuf, want)) {                           \
            printf("#   %s:%d: -object %s: \"%s\", want \"%s\"\n",    \
                   __FILE__, __LINE__, arg, msgbuf, want);            \
            test_failed_now = 1;                                      \
        }                                                             \
    } while (0)

/* The secret's bytes must be want (wantlen bytes). */
static void expect_secret(const char *id, const void *want, size_t wantlen,
                          int line)
{
    uint8_t *d = NULL;
    size_t len = 0;
    struct err *e = NULL;
    if (secret_lookup(id, &d, &len, &e) < 0) {
        printf("#   line %d: secret %s: %s\n", line, id, e ? e->msg : "?");
        err_free(e);
        test_failed_now = 1;
        return;
    }
    if (len != wantlen || memcmp(d, want, wantlen)) {
        printf("#   line %d: secret %s has %zu bytes \"%.*s\", want %zu "
               "\"%.*s\"\n", line, id, len, (int)len, d, wantlen,
               (int)wantlen, (const char *)want);
        test_failed_now = 1;
    }
    free(d);
}
#define EXPECT_SECRET(id, s) expect_secret(id, s, strlen(s), __LINE__)

static char *tmpfile_with(const void *data, size_t len)
{
    char tmpl[] = "/tmp/hemu-secret-test-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
        printf("#   cannot write a temporary file\n");
        test_failed_now = 1;
    }
    if (fd >= 0) {
        close(fd);
    }
    return strdup(tmpl);
}

/* Base64 of len bytes, with OpenSSL (a NUL-terminated static-size buffer). */
static char *b64(const void *in, size_t len)
{
    char *out = calloc(1, len * 2 + 8);
    EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    return out;
}

/* AES-256-CBC ciphertext of plain; pad=0 encrypts without padding (len
 * must then be a multiple of 16). */
static size_t encrypt(const uint8_t key[32], const uint8_t iv[16],
                      const void *plain, size_t len, bool pad, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, iv);
    EVP_CIPHER_CTX_set_padding(ctx, pad);
    EVP_EncryptUpdate(ctx, out, &n1, plain, (int)len);
    EVP_EncryptFinal_ex(ctx, out + n1, &n2);
    EVP_CIPHER_CTX_free(ctx);
    return (size_t)(n1 + n2);
}

static uint8_t key[32], iv[16];
static char *key_b64, *iv_b64;

/* The master key "master" (32 bytes) and a 20-byte key "shortkey". */
static void setup_keys(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;
    for (int i = 0; i < 32; i++) {
        key[i] = (uint8_t)(0x11 * i + 3);
    }
    for (int i = 0; i < 16; i++) {
        iv[i] = (uint8_t)(0xa0 + 7 * i);
    }
    key_b64 = b64(key, 32);
    iv_b64 = b64(iv, 16);
    char arg[256];
    snprintf(arg, sizeof(arg), "secret,id=master,format=base64,data=%s",
             key_b64);
    ADD_OK(arg);
    char *shortkey = b64(key, 20);
    snprintf(arg, sizeof(arg), "secret,id=shortkey,format=base64,data=%s",
             shortkey);
    ADD_OK(arg);
    free(shortkey);
}

TEST(raw_data)
{
    ADD_OK("secret,id=raw0,data=letmein");
    EXPECT_SECRET("raw0", "letmein");
    ADD_OK("secret,id=raw1,data=a,,b=c,format=raw");
    EXPECT_SECRET("raw1", "a,b=c");
    ADD_OK("qom-type=secret,id=raw2,data=");
    EXPECT_SECRET("raw2", "");
}

TEST(base64_data)
{
    ADD_OK("secret,id=b0,data=aGVsbG8gd29ybGQ=,format=base64");
    EXPECT_SECRET("b0", "hello world");
    ADD_OK("secret,id=b1,data=YWI=,format=base64");
    EXPECT_SECRET("b1", "ab");
    ADD_OK("secret,id=b2,format=base64,data=YWJj");
    EXPECT_SECRET("b2", "abc");
}

TEST(base64_bad_data)
{
    ADD_ERR("secret,id=bb0,data=not*base64,format=base64", "ase64");
    ADD_ERR("secret,id=bb1,data=YWJ,format=base64", "ase64");
    EXPECT(!secret_lookup_string("bb0", NULL));
}

TEST(file_raw_keeps_every_byte)
{
    char *path = tmpfile_with("pa55\nword\n", 10);
    char arg[256];
    snprintf(arg, sizeof(arg), "secret,id=f0,file=%s", path);
    ADD_OK(arg);
    expect_secret("f0", "pa55\nword\n", 10, __LINE__);
    unlink(path);
    free(path);
}

TEST(file_base64_with_trailing_newline)
{
    char *path = tmpfile_with("c2VjcmV0\n", 9);
    char arg[256];
    snprintf(arg, sizeof(arg), "secret,id=f1,file=%s,format=base64", path);
    ADD_OK(arg);
    EXPECT_SECRET("f1", "secret");
    unlink(path);
    free(path);
}

TEST(file_binary_with_nul)
{
    static const uint8_t bin[] = { 1, 0, 2, 0, 0xff };
    char *path = tmpfile_with(bin, sizeof(bin));
    char arg[256];
    snprintf(arg, sizeof(arg), "secret,id=f2,file=%s", path);
    ADD_OK(arg);
    expect_secret("f2", bin, sizeof(bin), __LINE__);
    struct err *e = NULL;
    EXPECT(secret_lookup_string("f2", &e) == NULL);
    EXPECT(e && strstr(e->msg, "f2"));
    err_free(e);
    unlink(path);
    free(path);
}

TEST(file_missing)
{
    ADD_ERR("secret,id=f3,file=/nonexistent/hemu-secret", "Unable to read");
    ADD_ERR("secret,id=f4,file=/nonexistent/hemu-secret",
            "/nonexistent/hemu-secret");
}

TEST(data_and_file_are_exclusive)
{
    ADD_ERR("secret,id=x0,data=a,file=/etc/hostname",
            "'data' and 'file' are mutually exclusive");
    ADD_ERR("secret,id=x1", "Either 'file' or 'data' must be provided");
    ADD_ERR("secret,id=x2,format=base64",
            "Either 'file' or 'data' must be provided");
}

TEST(id_required_and_wellformed)
{
    ADD_ERR("secret,data=abc", "Parameter 'id' is missing");
    ADD_ERR("secret,id=1abc,data=abc", "Parameter 'id' expects an identifier");
    ADD_ERR("secret,id=a/b,data=abc", "Parameter 'id' expects an identifier");
    ADD_ERR("secret,id=,data=abc", "Parameter 'id' expects an identifier");
}

TEST(duplicate_id)
{
    ADD_OK("secret,id=dup0,data=first");
    ADD_ERR("secret,id=dup0,data=second",
            "attempt to add duplicate property 'dup0' to object "
            "(type 'container')");
    EXPECT_SECRET("dup0", "first");
}

TEST(bad_format)
{
    ADD_ERR("secret,id=fmt0,data=abc,format=hex", "format");
    ADD_ERR("secret,id=fmt1,data=abc,format=hex", "hex");
}

TEST(unknown_property)
{
    ADD_ERR("secret,id=u0,data=abc,bogus=1", "bogus");
    EXPECT(!secret_lookup_string("u0", NULL));
}

TEST(lookup_missing)
{
    uint8_t *d;
    size_t len;
    struct err *e = NULL;
    EXPECT_EQ(secret_lookup("nosuchsecret", &d, &len, &e), -1);
    EXPECT_STR(e ? e->msg : NULL, "No secret with id 'nosuchsecret'");
    err_free(e);
}

TEST(lookup_string)
{
    ADD_OK("secret,id=str0,data=plain");
    char *s = secret_lookup_string("str0", NULL);
    EXPECT_STR(s, "plain");
    free(s);
    ADD_OK("secret,id=str1,data=AGE=,format=base64");   /* "\0a" */
    expect_secret("str1", "\0a", 2, __LINE__);
    EXPECT(secret_lookup_string("str1", NULL) == NULL);
}

TEST(base64_decoder)
{
    static const struct { const char *in; const char *out; } good[] = {
        { "", "" }, { "YQ==", "a" }, { "YWI=", "ab" }, { "YWJj", "abc" },
        { "YWJjZA==", "abcd" }, { "YWJj\n", "abc" }, { "YWJj\r\n", "abc" },
        { "+/+/", "\xfb\xff\xbf" },
    };
    static const char *const bad[] = {
        "Y", "YQ", "YQ=", "Y===", "====", "YQ=a", "YQ==YQ==", "YW J",
        "!!!!", "YWJj=", "-_-_",
    };
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        uint8_t *out = NULL;
        size_t n = 0;
        if (base64_decode(good[i].in, strlen(good[i].in), &out, &n) < 0) {
            printf("#   base64 \"%s\" refused\n", good[i].in);
            test_failed_now = 1;
            continue;
        }
        EXPECT_EQ(n, strlen(good[i].out));
        EXPECT(!memcmp(out, good[i].out, n));
        free(out);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        uint8_t *out = NULL;
        size_t n = 0;
        if (base64_decode(bad[i], strlen(bad[i]), &out, &n) == 0) {
            printf("#   base64 \"%s\" accepted\n", bad[i]);
            test_failed_now = 1;
            free(out);
        }
    }
}

TEST(aes_base64_ciphertext)
{
    setup_keys();
    static const char *const plains[] = {
        "123456", "s3cr3t-p@ss,word", "exactly16bytes!!", "",
        "a somewhat longer password that spans several AES blocks",
    };
    for (size_t i = 0; i < ARRAY_SIZE(plains); i++) {
        uint8_t ct[256];
        size_t n = encrypt(key, iv, plains[i], strlen(plains[i]), true, ct);
        char *ct64 = b64(ct, n);
        char arg[512], id[32];
        snprintf(id, sizeof(id), "aes%zu", i);
        snprintf(arg, sizeof(arg), "secret,id=%s,data=%s,format=base64,"
                 "keyid=master,iv=%s", id, ct64, iv_b64);
        ADD_OK(arg);
        EXPECT_SECRET(id, plains[i]);
        free(ct64);
    }
}

TEST(aes_raw_ciphertext_from_file)
{
    setup_keys();
    uint8_t ct[64];
    size_t n = encrypt(key, iv, "from-a-file", 11, true, ct);
    char *path = tmpfile_with(ct, n);
    char arg[256];
    snprintf(arg, sizeof(arg), "secret,id=aesf,file=%s,keyid=master,iv=%s",
             path, iv_b64);
    ADD_OK(arg);
    EXPECT_SECRET("aesf", "from-a-file");
    unlink(path);
    free(path);
}

/* A block whose last plaintext byte is not a valid PKCS#7 count. */
static char *bad_padding_ct(uint8_t last)
{
    uint8_t plain[16], ct[32];
    memset(plain, 'x', sizeof(plain));
    plain[15] = last;
    size_t n = encrypt(key, iv, plain, 16, false, ct);
    return b64(ct, n);
}

TEST(aes_bad_padding)
{
    setup_keys();
    char *ct = bad_padding_ct(0x20);
    char arg[256];
    snprintf(arg, sizeof(arg), "secret,id=pad0,data=%s,format=base64,"
             "keyid=master,iv=%s", ct, iv_b64);
    ADD_ERR(arg, "Incorrect number of padding bytes");
    free(ct);
}

TEST(aes_bad_padding_qemu_message)
{
    /* QEMU: "Incorrect number of padding bytes (%d) found on decrypted
     * data". */
    setup_keys();
    char *ct = bad_padding_ct(0x20);
    char arg[256];
    snprintf(arg, sizeof(arg), "secret,id=pad1,data=%s,format=base64,"
             "keyid=master,iv=%s", ct, iv_b64);
    ADD_ERR(arg, "Incorrect number of padding bytes (32) found on "
                 "decrypted data");
    free(ct);
}

TEST(aes_iv_length)
{
    /* QEMU: "IV should be 16 bytes in length not %zu". */
    setup_keys();
    uint8_t ct[32];
    size_t n = encrypt(key, iv, "pw", 2, true, ct);
    char *ct64 = b64(ct, n), *iv12 = b64(iv, 12), *iv32 = b64(key, 32);
    char arg[256];
    snprintf(arg, sizeof(arg), "secret,id=iv0,data=%s,format=base64,"
             "keyid=master,iv=%s", ct64, iv12);
    ADD_ERR(arg, "IV should be 16 bytes in length not 12");
    snprintf(arg, sizeof(arg), "secret,id=iv1,data=%s,format=base64,"
             "keyid=master,iv=%s", ct64, iv32);
    ADD_ERR(arg, "IV should be 16 bytes in length not 32");
    free(ct64);
    free(iv12);
    free(iv32);
}

TEST(aes_iv_required_and_base64)
{
    setup_keys();
    uint8_t ct[32];
    size_t n = encrypt(key, iv, "pw", 2, true, ct);
    char *ct64 = b64(ct, n);
    char arg[256];
    snprintf(arg, sizeof(arg), "secret,id=iv2,data=%s,format=base64,"
             "keyid=master", ct64);
    ADD_ERR(arg, "IV is required to decrypt secret");
    snprintf(arg, sizeof(arg), "secret,id=iv3,data=%s,format=base64,"
             "keyid=master,iv=@@@@", ct64);
    EXPECT(add(arg) < 0);
    free(ct64);
}

TEST(aes_key_errors)
{
    setup_keys();
    uint8_t ct[32];
    size_t n = encrypt(key, iv, "pw", 2, true, ct);
    char *ct64 = b64(ct, n);
    char arg[256];
    snprintf(arg, sizeof(arg), "secret,id=k0,data=%s,format=base64,"
             "keyid=shortkey,iv=%s", ct64, iv_b64);
    ADD_ERR(arg, "Key should be 32 bytes in length");
    snprintf(arg, sizeof(arg), "secret,id=k1,data=%s,format=base64,"
             "keyid=nokey,iv=%s", ct64, iv_b64);
    ADD_ERR(arg, "No secret with id 'nokey'");
    free(ct64);
    EXPECT(!secret_lookup_string("k0", NULL));
    EXPECT(!secret_lookup_string("k1", NULL));
}

TEST(aes_ciphertext_not_whole_blocks)
{
    setup_keys();
    char arg[256];
    snprintf(arg, sizeof(arg), "secret,id=blk0,data=YWJj,format=base64,"
             "keyid=master,iv=%s", iv_b64);
    EXPECT(add(arg) < 0);
    EXPECT(!secret_lookup_string("blk0", NULL));
}

TEST_MAIN()
