/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnc-vencrypt.c - the clear-text opening of an RFB connection secured by
 * VeNCrypt (security type 19, rfbproto "VeNCrypt"): ProtocolVersion
 * (RFC 6143 §7.1.1), the security type list (§7.1.2) with VeNCrypt as the
 * only choice, then VeNCrypt version 0.2 and the subtype list.  Refusals
 * say what QEMU says: a zero security type to a 3.3 client, a failed
 * SecurityResult with "Authentication failed" for a wrong type, a
 * non-zero byte for an unknown VeNCrypt version, a zero byte for a
 * subtype that was not offered.
 */
#include "emu/osdep.h"

#include "remote/vnc-vencrypt.h"

#define SECTYPE_NONE 1
#define SECTYPE_VNC 2
#define SECTYPE_VENCRYPT 19

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/* "RFB xxx.yyy\n": false if malformed. */
static bool parse_version(const uint8_t v[12], int *major, int *minor)
{
    if (memcmp(v, "RFB ", 4) || v[7] != '.' || v[11] != '\n') {
        return false;
    }
    int n[2] = { 0, 0 };
    for (int f = 0; f < 2; f++) {
        for (int i = 0; i < 3; i++) {
            uint8_t c = v[4 + f * 4 + i];
            if (c < '0' || c > '9') {
                return false;
            }
            n[f] = n[f] * 10 + (c - '0');
        }
    }
    *major = n[0];
    *minor = n[1];
    return true;
}

int vencrypt_negotiate(const struct vencrypt_io *io, bool x509, int *subtype)
{
    void *o = io->opaque;
    uint8_t buf[260];
    int major, minor;

    /* libvncserver's version goes to the client as it is. */
    if (!io->lib_read(o, buf, 12) || !io->client_write(o, buf, 12) ||
        !io->client_read(o, buf, 12)) {
        return -1;
    }
    if (!parse_version(buf, &major, &minor) || major != 3) {
        return -1;
    }
    if (minor < 7) {
        /* 3.3 has no list to put VeNCrypt in: "invalid" type, no reason. */
        put32(buf, 0);
        io->client_write(o, buf, 4);
        return -1;
    }
    if (!io->lib_write(o, "RFB 003.008\n", 12) || !io->lib_read(o, buf, 1)) {
        return -1;
    }
    unsigned n = buf[0];
    if (!n || !io->lib_read(o, buf, n)) {
        return -1;
    }
    int lib_type = -1;
    for (unsigned i = 0; i < n; i++) {
        if (buf[i] == SECTYPE_VNC) {
            lib_type = SECTYPE_VNC;
        } else if (buf[i] == SECTYPE_NONE && lib_type < 0) {
            lib_type = SECTYPE_NONE;
        }
    }
    if (lib_type < 0) {
        return -1;
    }
    int sub = x509 ? (lib_type == SECTYPE_VNC ? VENCRYPT_X509VNC
                                              : VENCRYPT_X509NONE)
                   : (lib_type == SECTYPE_VNC ? VENCRYPT_TLSVNC
                                              : VENCRYPT_TLSNONE);

    static const uint8_t types[] = { 1, SECTYPE_VENCRYPT };
    if (!io->client_write(o, types, sizeof(types)) ||
        !io->client_read(o, buf, 1)) {
        return -1;
    }
    if (buf[0] != SECTYPE_VENCRYPT) {
        static const char reason[] = "Authentication failed";
        put32(buf, 1);
        size_t len = 4;
        if (minor >= 8) {
            put32(buf + 4, sizeof(reason) - 1);
            memcpy(buf + 8, reason, sizeof(reason) - 1);
            len += 4 + sizeof(reason) - 1;
        }
        io->client_write(o, buf, len);
        return -1;
    }

    static const uint8_t version[] = { 0, 2 };
    if (!io->client_write(o, version, 2) || !io->client_read(o, buf, 2)) {
        return -1;
    }
    if (buf[0] != 0 || buf[1] != 2) {
        io->client_write(o, "\1", 1);
        return -1;
    }
    uint8_t list[6] = { 0, 1 };
    put32(list + 2, sub);
    if (!io->client_write(o, list, sizeof(list)) ||
        !io->client_read(o, buf, 4)) {
        return -1;
    }
    if (memcmp(buf, list + 2, 4)) {
        io->client_write(o, "\0", 1);
        return -1;
    }
    if (!io->client_write(o, "\1", 1)) {
        return -1;
    }
    *subtype = sub;
    return lib_type;
}
