/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spice-int.h - what the SPICE server's files share: the parsed -spice
 * options, the core interface (spice-core.c), input (spice-input.c) and
 * the console-to-QXL-commands display (spice-display.c).
 */
#ifndef HEMU_REMOTE_SPICE_INT_H
#define HEMU_REMOTE_SPICE_INT_H

#include "emu/osdep.h"

#include <spice.h>

struct console;

/* One tls-channel=/plaintext-channel= option, in command-line order. */
struct spice_chan_sec {
    char *name;
    bool tls;
};

struct spice_config {
    int port, tls_port;             /* 0: none */
    char *addr;
    int addr_flags;                 /* SPICE_ADDR_FLAG_* */
    char *password;
    char *password_secret;
    bool disable_ticketing;
    char *x509_dir;
    char *x509_key, *x509_key_password, *x509_cert, *x509_cacert, *x509_dh;
    char *tls_ciphers;
    struct spice_chan_sec *chan;
    int nchan;
    SpiceImageCompression image_compression;    /* 0: default */
    spice_wan_compression_t jpeg_wan, zlib_glz_wan;
    int streaming_video;                        /* 0: default */
    bool agent_mouse;
    bool playback_compression;
    bool seamless_migration;
};

extern struct spice_config spice_cfg;
extern SpiceServer *spice_server;

void spice_mark_configured(void);

/* spice-core.c: hemu's main loop as spice-server's SpiceCoreInterface. */
SpiceCoreInterface *spice_core_interface(void);
/* The channel_event hook: the server file turns it into QMP events. */
void spice_channel_event(int event, SpiceChannelEventInfo *info);

/* spice-input.c: keyboard and mouse instances. */
int spice_input_init(SpiceServer *s);

/* spice-display.c: a QXL instance fed from a console's dirty rectangles
 * (for display devices that are not QXL). */
int spice_display_init(SpiceServer *s, struct console *con);
/* A client connected or the last left: the console's refresh runs only
 * while someone watches. */
void spice_display_set_active(bool active);

#endif
