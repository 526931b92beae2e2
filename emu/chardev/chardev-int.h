/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * chardev-int.h - what the chardev core shares with its back ends (not for
 * front ends, which use chardev.h).  A back end is a struct chr_driver; the
 * core owns the registry, the front-end plumbing, input flow control and
 * the logfile= option.
 */
#ifndef HEMU_EMU_CHARDEV_CHARDEV_INT_H
#define HEMU_EMU_CHARDEV_CHARDEV_INT_H

#include "emu/osdep.h"
#include "emu/chardev/chardev.h"
#include "emu/loop/loop.h"      /* loop_fn, timers, bottom halves */

struct kvlist;
struct err;

struct chr_driver {
    const char *name;
    /*
     * Read the back end's keys from opts (the core has taken backend, id,
     * mux, logfile, logappend) and open it.  Call chr_be_set_open() if it is
     * usable at once.  Returns 0, or -1 with *errp set.
     */
    int (*open)(struct chardev *chr, struct kvlist *opts, struct err **errp);
    /* Write all of buf (may wait briefly for a slow peer); len or -errno. */
    int (*write)(struct chardev *chr, const uint8_t *buf, int len);
    /* A front end can read again (NULL: the core resumes the input fd). */
    void (*accept_input)(struct chardev *chr);
    void (*close)(struct chardev *chr);
};

struct chardev {
    char *id;
    const struct chr_driver *drv;
    char *filename;         /* query-chardev "filename" */
    void *opaque;           /* the back end's own state */
    struct chr_fe *fe;      /* the front end; muxes keep their own list */
    bool be_open;           /* a peer is there / the back end is usable */
    int log_fd;             /* logfile=, -1 if none */
    /* Input flow control: in_fd is watched for reading only while the front
     * end has room; in_retry polls can_read for front ends that never call
     * chr_fe_accept_input. */
    int in_fd;
    loop_fn *in_cb;
    bool in_watching;
    struct timer *in_retry;
    int in_backoff_ms;
    struct chardev *next;
};

struct chr_fe {
    struct chardev *chr;
    const struct chr_fe_ops *ops;
    void *opaque;
    struct bh *open_bh;     /* delivers OPENED after attach */
    /* Mux only: input held for this front end while it cannot read. */
    uint8_t mux_buf[32];
    int mux_len;
    bool mux_in_pending, open_pending;  /* events owed by open_bh */
};

extern const struct chr_driver chr_null_driver, chr_file_driver,
    chr_pipe_driver, chr_stdio_driver, chr_pty_driver, chr_socket_driver,
    chr_udp_driver, chr_ringbuf_driver, chr_mux_driver;

/* ---- for back ends: data and events towards the front end ---- */

/* Room the front end has now; 0 also pauses the input fd (see above). */
int chr_be_room(struct chardev *chr);
void chr_be_write(struct chardev *chr, const uint8_t *buf, int len);
/* Deliver an event; OPENED and CLOSED also set be_open. */
void chr_be_event(struct chardev *chr, enum chr_event ev);
/* Mark usable without an event (at open time, before any front end). */
void chr_be_set_open(struct chardev *chr);
/* Watch fd (-1: stop) for input; cb runs when it is readable. */
void chr_input_watch(struct chardev *chr, int fd, loop_fn *cb);
void chr_input_resume(struct chardev *chr);
void chr_set_filename(struct chardev *chr, char *filename);   /* takes it */

/*
 * Write all of buf to a non-blocking fd, polling up to CHR_WRITE_WAIT_MS
 * without progress for a slow reader (QEMU's write_all blocks; a stuck peer
 * must not freeze the VM forever).  sock: use send(MSG_NOSIGNAL).
 */
#define CHR_WRITE_WAIT_MS 1000
int chr_fd_write_all(int fd, const uint8_t *buf, int len, bool sock);

/* ---- mux (char-mux.c) ---- */
struct chardev *chr_mux_new(const char *id, struct chardev *base,
                            struct err **errp);
bool chr_is_mux(const struct chardev *chr);
struct chr_fe *chr_mux_attach(struct chardev *mux, const struct chr_fe_ops *ops,
                              void *opaque, struct err **errp);
void chr_mux_detach(struct chr_fe *fe);
void chr_mux_accept_input(struct chr_fe *fe);
void chr_mux_take_focus(struct chr_fe *fe);
bool chr_mux_has_fe(const struct chardev *mux);

/* ---- core (chardev.c) ---- */
/* Create from a parsed option list after id/backend checks; opts is not
 * freed.  Handles mux=on. */
struct chardev *chr_create(const char *id, const char *backend,
                           struct kvlist *opts, struct err **errp);
void chr_register(struct chardev *chr);
/* A new unregistered chardev with no back-end state. */
struct chardev *chr_alloc(const char *id, const struct chr_driver *drv);

#endif
