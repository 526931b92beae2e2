/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * secret.c - the "secret" object.  Semantics from the QEMU 6.2 manual
 * ("-object secret,id=id,data=string,format=raw|base64[,keyid=secretid,
 * iv=string]" and the file= form): the input is data= or the contents of
 * file=; format says how the input is encoded; with keyid= the input is
 * AES-256-CBC ciphertext under the 32-byte key held by secret keyid, with
 * the base64 iv=, and PKCS#7 padding.
 */
#include "emu/osdep.h"
#include <fcntl.h>
#include <sys/stat.h>
#ifdef CONFIG_OPENSSL
#include <openssl/evp.h>
#endif

#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/secret.h"

struct secret {
    char *id;
    uint8_t *data;
    size_t len;
    struct secret *next;
};

static struct secret *secrets;

static struct secret *find(const char *id)
{
    for (struct secret *s = secrets; s; s = s->next) {
        if (!strcmp(s->id, id)) {
            return s;
        }
    }
    return NULL;
}

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

int base64_decode(const char *in, size_t inlen, uint8_t **out, size_t *outlen)
{
    /* Tolerate a trailing newline, as files written by shell tools have. */
    while (inlen && (in[inlen - 1] == '\n' || in[inlen - 1] == '\r')) {
        inlen--;
    }
    if (inlen % 4) {
        return -1;
    }
    uint8_t *buf = xmalloc(inlen / 4 * 3 + 1);
    size_t n = 0;
    for (size_t i = 0; i < inlen; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = in[i + k];
            if (c == '=' && i + 4 == inlen && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad || (v[k] = b64val((unsigned char)c)) < 0) {
                free(buf);
                return -1;
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];
        buf[n++] = w >> 16;
        if (pad < 2) {
            buf[n++] = w >> 8;
        }
        if (pad < 1) {
            buf[n++] = w;
        }
    }
    *out = buf;
    *outlen = n;
    return 0;
}

static int read_file(const char *path, uint8_t **out, size_t *len,
                     struct err **errp)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        err_setf(errp, "Unable to read %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    if (st.st_size > 64 * 1024 * 1024) {
        err_setf(errp, "Unable to read %s: secret file too large", path);
        close(fd);
        return -1;
    }
    uint8_t *buf = xmalloc(st.st_size + 1);
    size_t n = 0;
    while (n < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + n, st.st_size - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        n += r;
    }
    close(fd);
    buf[n] = 0;
    *out = buf;
    *len = n;
    return 0;
}

static int decrypt(const char *keyid, const char *iv_b64, uint8_t *in,
                   size_t inlen, uint8_t **out, size_t *outlen,
                   struct err **errp)
{
#ifdef CONFIG_OPENSSL
    uint8_t *key = NULL, *iv = NULL;
    size_t keylen, ivlen;
    int ret = -1;

    if (!iv_b64) {
        err_setf(errp, "IV is required to decrypt secret");
        return -1;
    }
    if (base64_decode(iv_b64, strlen(iv_b64), &iv, &ivlen) < 0) {
        err_setf(errp, "Unable to decode IV: not valid base64");
        return -1;
    }
    if (ivlen != 16) {
        err_setf(errp, "IV should be 16 bytes in length not %zu", ivlen);
        goto out;
    }
    if (secret_lookup(keyid, &key, &keylen, errp) < 0) {
        goto out;
    }
    if (keylen != 32) {
        err_setf(errp, "Key should be 32 bytes in length");
        goto out;
    }
    if (inlen == 0 || inlen % 16) {
        err_setf(errp, "Secret ciphertext length %zu is not a multiple of "
                 "the AES block size", inlen);
        goto out;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    uint8_t *plain = xmalloc(inlen + 16);
    int n1 = 0, n2 = 0;
    bool ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, iv) &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) &&
              EVP_DecryptUpdate(ctx, plain, &n1, in, (int)inlen) &&
              EVP_DecryptFinal_ex(ctx, plain + n1, &n2);
    EVP_CIPHER_CTX_free(ctx);
    size_t plen = (size_t)n1 + n2;
    if (!ok) {
        err_setf(errp, "Unable to decrypt secret");
        free(plain);
        goto out;
    }
    /* PKCS#7: the last byte says how many padding bytes there are; QEMU
     * takes 0 as no padding. */
    if (plen == 0 || plain[plen - 1] > 16) {
        err_setf(errp, "Incorrect number of padding bytes (%d) found on "
                 "decrypted data", plen ? plain[plen - 1] : 0);
        free(plain);
        goto out;
    }
    *outlen = plen - plain[plen - 1];
    *out = plain;
    ret = 0;
out:
    if (key) {
        memset(key, 0, keylen);
    }
    free(key);
    free(iv);
    return ret;
#else
    err_setf(errp, "encrypted secrets (keyid=): not supported in this build "
             "(configure without OpenSSL)");
    return -1;
#endif
}

int secret_add(struct kvlist *kv, struct err **errp)
{
    const char *id = kv_str(kv, "id", NULL);
    const char *data = kv_str(kv, "data", NULL);
    const char *file = kv_str(kv, "file", NULL);
    const char *format = kv_str(kv, "format", "raw");
    const char *keyid = kv_str(kv, "keyid", NULL);
    const char *iv = kv_str(kv, "iv", NULL);
    kv_get(kv, "qom-type");
    uint8_t *in = NULL, *out = NULL;
    size_t inlen = 0, outlen = 0;

    if (kv_check_used(kv, errp) < 0) {
        return -1;
    }
    if (!id) {
        err_setf(errp, "Parameter 'id' is missing");
        return -1;
    }
    if (!kv_id_wellformed(id)) {
        err_setf(errp, "Parameter 'id' expects an identifier\nIdentifiers "
                 "consist of letters, digits, '-', '.', '_', starting with a "
                 "letter.");
        return -1;
    }
    if (find(id)) {
        err_setf(errp, "attempt to add duplicate property '%s' to object "
                 "(type 'container')", id);
        return -1;
    }
    bool b64 = !strcmp(format, "base64");
    if (!b64 && strcmp(format, "raw")) {
        err_setf(errp, "Invalid parameter 'format': '%s' is not raw or base64",
                 format);
        return -1;
    }
    if (data && file) {
        err_setf(errp, "'data' and 'file' are mutually exclusive");
        return -1;
    }
    if (!data && !file) {
        err_setf(errp, "Either 'file' or 'data' must be provided");
        return -1;
    }
    if (data) {
        inlen = strlen(data);
        in = (uint8_t *)xstrndup(data, inlen);
    } else if (read_file(file, &in, &inlen, errp) < 0) {
        return -1;
    }
    if (b64) {
        uint8_t *dec;
        size_t declen;
        if (base64_decode((const char *)in, inlen, &dec, &declen) < 0) {
            err_setf(errp, "Input data is not valid base64");
            free(in);
            return -1;
        }
        memset(in, 0, inlen);
        free(in);
        in = dec;
        inlen = declen;
    }
    if (keyid) {
        int r = decrypt(keyid, iv, in, inlen, &out, &outlen, errp);
        memset(in, 0, inlen);
        free(in);
        if (r < 0) {
            return -1;
        }
    } else {
        /* QEMU ignores iv= without keyid=. */
        out = in;
        outlen = inlen;
    }
    struct secret *s = xzalloc(sizeof(*s));
    s->id = xstrdup(id);
    s->data = out;
    s->len = outlen;
    s->next = secrets;
    secrets = s;
    return 0;
}

int secret_lookup(const char *id, uint8_t **data, size_t *len,
                  struct err **errp)
{
    struct secret *s = find(id);
    if (!s) {
        err_setf(errp, "No secret with id '%s'", id);
        return -1;
    }
    *data = xmalloc(s->len + 1);
    memcpy(*data, s->data, s->len);
    (*data)[s->len] = 0;
    *len = s->len;
    return 0;
}

char *secret_lookup_string(const char *id, struct err **errp)
{
    uint8_t *d;
    size_t len;
    if (secret_lookup(id, &d, &len, errp) < 0) {
        return NULL;
    }
    if (memchr(d, 0, len)) {
        err_setf(errp, "Data from secret %s is not valid UTF-8", id);
        free(d);
        return NULL;
    }
    return (char *)d;
}
