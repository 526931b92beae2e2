/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * chardev.h - character devices (qemu-6.2 manual "Character device
 * options").  A back end (stdio, socket, pty, file, ...) moves bytes to and
 * from the host; a front end (monitor, QMP, later a UART) attaches to it
 * with can_read/read/event callbacks.  A mux chardev (mux=on) lets several
 * front ends share one back end, switched with the Ctrl-a escapes.
 * All functions run in the main-loop thread with the big lock held.
 */
#ifndef HEMU_EMU_CHARDEV_CHARDEV_H
#define HEMU_EMU_CHARDEV_CHARDEV_H

#include "emu/osdep.h"

struct err;
struct kvlist;
struct chardev;
struct chr_fe;

enum chr_event {
    CHR_EVENT_OPENED,   /* a peer connected / the back end became usable */
    CHR_EVENT_CLOSED,   /* the peer went away */
    CHR_EVENT_BREAK,    /* serial break (telnet BREAK, Ctrl-a b on a mux) */
    CHR_EVENT_MUX_IN,   /* this front end got the mux focus */
    CHR_EVENT_MUX_OUT,  /* this front end lost the mux focus */
};

struct chr_fe_ops {
    /* How many bytes the front end can take now (0: stop reading). */
    int (*can_read)(void *opaque);
    void (*read)(void *opaque, const uint8_t *buf, int len);
    void (*event)(void *opaque, enum chr_event ev);
};

/* The escape character of mux chardevs (-echr), Ctrl-a by default. */
extern int chr_mux_escape_char;

/*
 * Create from -chardev options: the implied key is "backend", "id" is
 * required.  Errors use QEMU's wording.  Returns NULL with *errp set.
 */
struct chardev *chr_new(struct kvlist *opts, struct err **errp);
/*
 * Create from the legacy syntax of -serial/-monitor/-qmp/-parallel
 * ("stdio", "tcp::4444,server=on,wait=off", "unix:PATH,server=on",
 * "telnet::4444,server", "file:PATH", "pipe:PATH", "pty", "null",
 * "udp:...", "mon:SPEC", "chardev:ID", ...) with the given id.  For "mon:"
 * the result is a mux chardev and *is_mon is set so that the caller adds an
 * HMP monitor to it.  "chardev:ID" returns the existing chardev.
 */
struct chardev *chr_new_compat(const char *id, const char *spec,
                               bool *is_mon, struct err **errp);
struct chardev *chr_find(const char *id);
/* Remove (QMP chardev-remove); fails while a front end is attached. */
int chr_delete(const char *id, struct err **errp);

/* Iterate all chardevs in creation order. */
void chr_foreach(void (*fn)(struct chardev *chr, void *opaque), void *opaque);
const char *chr_id(const struct chardev *chr);
/* QEMU's query-chardev "filename": "unix:/p,server=on", "pty:/dev/pts/3",
 * "disconnected:tcp:127.0.0.1:4444", "stdio", "file", ... */
const char *chr_filename(const struct chardev *chr);
/* query-chardev "frontend-open": a front end is attached and open. */
bool chr_frontend_open(const struct chardev *chr);
bool chr_is_stdio(const struct chardev *chr);
/* A unix socket chardev's connected socket, for protocols that pass file
 * descriptors over it (vhost-user): the fd, -1 when no peer is connected,
 * -2 when chr is not a unix socket. */
int chr_socket_unix_fd(const struct chardev *chr);

/*
 * Attach a front end.  Fails ("Device 'X' is in use") when the chardev has
 * one and is not a mux.  The OPENED event is delivered (from a bottom half)
 * if the back end is already connected.
 */
struct chr_fe *chr_fe_attach(struct chardev *chr, const struct chr_fe_ops *ops,
                             void *opaque, struct err **errp);
void chr_fe_detach(struct chr_fe *fe);
struct chardev *chr_fe_chardev(struct chr_fe *fe);
/*
 * Write all of buf (blocks briefly on a slow peer as QEMU's write_all does;
 * drops the data if nobody is connected).  Returns len or -errno.
 */
int chr_fe_write(struct chr_fe *fe, const uint8_t *buf, int len);
int chr_fe_printf(struct chr_fe *fe, const char *fmt, ...) PRINTF_FMT(2, 3);
/* The front end can read again after returning 0 from can_read. */
void chr_fe_accept_input(struct chr_fe *fe);
/* Give this front end the focus of its mux (no-op on plain chardevs). */
void chr_fe_take_focus(struct chr_fe *fe);

/*
 * QMP ringbuf-write / ringbuf-read: put bytes into a ringbuf chardev (as
 * if a front end wrote them) and take up to size bytes out of it.  Return
 * the count, or -1 with *errp set when chr is not a ringbuf.
 */
int chr_ringbuf_write(struct chardev *chr, const uint8_t *buf, int len,
                      struct err **errp);
int chr_ringbuf_read(struct chardev *chr, uint8_t *buf, int size,
                     struct err **errp);

/* Close every back end and restore the terminal (at exit). */
void chr_cleanup_all(void);
/* -chardev help text. */
void chr_print_help(FILE *f);

#endif
