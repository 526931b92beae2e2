/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_rfb_vencrypt.c - libFuzzer target for the clear-text VeNCrypt
 * opening (remote/vnc-vencrypt.c) that hemu's copier thread runs with
 * tls-creds=: the input is what the client sends; libvncserver's side is
 * a canned version and security type list (first byte of the input picks
 * None or VNC auth, and x509 or anonymous).  Reads must stay within what
 * was given, and a success must mean the client picked the offered
 * subtype.
 */
#include "emu/osdep.h"

#include "remote/vnc-vencrypt.h"

struct mem {
    const uint8_t *in;
    size_t in_len, in_pos;
    const uint8_t *lib;
    size_t lib_len, lib_pos;
    size_t out;
};

static bool take(const uint8_t *src, size_t len, size_t *pos, void *buf,
                 size_t n)
{
    if (n > len - *pos) {
        return false;
    }
    memcpy(buf, src + *pos, n);
    *pos += n;
    return true;
}

static bool c_read(void *o, void *buf, size_t n)
{
    struct mem *m = o;
    return take(m->in, m->in_len, &m->in_pos, buf, n);
}

static bool c_write(void *o, const void *buf, size_t n)
{
    struct mem *m = o;
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < n; i++) {
        sink ^= ((const uint8_t *)buf)[i];
    }
    (void)sink;
    m->out += n;
    return true;
}

static bool l_read(void *o, void *buf, size_t n)
{
    struct mem *m = o;
    return take(m->lib, m->lib_len, &m->lib_pos, buf, n);
}

static bool l_write(void *o, const void *buf, size_t n)
{
    return c_write(o, buf, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t lib_none[] = "RFB 003.008\n\x01\x01";
    static const uint8_t lib_vnc[] = "RFB 003.008\n\x01\x02";
    if (!size) {
        return 0;
    }
    bool vnc = data[0] & 1, x509 = data[0] & 2;
    struct mem m = {
        .in = data + 1, .in_len = size - 1,
        .lib = vnc ? lib_vnc : lib_none, .lib_len = sizeof(lib_none) - 1,
    };
    const struct vencrypt_io io = {
        .opaque = &m, .client_read = c_read, .client_write = c_write,
        .lib_read = l_read, .lib_write = l_write,
    };
    int sub = 0;
    int t = vencrypt_negotiate(&io, x509, &sub);
    if (t >= 0) {
        int want = x509 ? (vnc ? VENCRYPT_X509VNC : VENCRYPT_X509NONE)
                        : (vnc ? VENCRYPT_TLSVNC : VENCRYPT_TLSNONE);
        if (t != (vnc ? 2 : 1) || sub != want) {
            abort();
        }
    }
    return 0;
}
