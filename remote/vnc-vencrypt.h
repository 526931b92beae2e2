/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnc-vencrypt.h - the clear-text part of a VeNCrypt connection (RFB
 * security type 19), run between the client and libvncserver before the
 * TLS handshake.  The I/O is abstract so that the fuzz target can drive
 * it from memory.
 */
#ifndef HEMU_REMOTE_VNC_VENCRYPT_H
#define HEMU_REMOTE_VNC_VENCRYPT_H

#include "emu/osdep.h"

/* VeNCrypt subtypes (rfbproto "VeNCrypt"). */
#define VENCRYPT_TLSNONE 257
#define VENCRYPT_TLSVNC 258
#define VENCRYPT_X509NONE 260
#define VENCRYPT_X509VNC 261

struct vencrypt_io {
    void *opaque;
    /* Exactly n bytes, or false (EOF, error, timeout). */
    bool (*client_read)(void *opaque, void *buf, size_t n);
    bool (*client_write)(void *opaque, const void *buf, size_t n);
    bool (*lib_read)(void *opaque, void *buf, size_t n);
    bool (*lib_write)(void *opaque, const void *buf, size_t n);
};

/*
 * Forward libvncserver's ProtocolVersion, take the client's (3.7 or
 * later; libvncserver is always told 3.8), replace libvncserver's list of
 * security types by VeNCrypt alone and negotiate version 0.2 and the one
 * subtype that matches what libvncserver asks for (None or VNC auth; x509
 * or anonymous by x509).  Returns the security type to hand libvncserver
 * once TLS is up (1 None, 2 VNC auth), *subtype the subtype agreed; -1
 * when the client was refused (it was told, as QEMU tells it).
 */
int vencrypt_negotiate(const struct vencrypt_io *io, bool x509, int *subtype);

#endif
