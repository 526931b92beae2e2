/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * chardev.c - the chardev core: the registry of -chardev ids, back-end
 * selection by name, the options every back end shares (id, mux, logfile,
 * logappend), front-end attach/detach, writes, and input flow control.
 * Reference: qemu-6.2 manual, "Character device options".
 */
#include "emu/osdep.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include "emu/chardev/chardev-int.h"
#include "emu/cli/keyval.h"     /* kv_str, kv_bool, kv_check_used */
#include "emu/util/cutils.h"    /* xzalloc, xasprintf, write_full */
#include "emu/util/err.h"       /* err_setf */

int chr_mux_escape_char = 0x01;

static struct chardev *chr_list;

/* -chardev help lists these, in this order. */
static const struct chr_driver *const drivers[] = {
    &chr_file_driver, &chr_null_driver, &chr_pipe_driver, &chr_pty_driver,
    &chr_ringbuf_driver, &chr_socket_driver, &chr_stdio_driver,
    &chr_udp_driver,
};

/* Back ends of QEMU 6.2 that hemu recognises and refuses (no host display,
 * no host serial/parallel pass-through, no SPICE chardevs yet). */
static const char *const unsupported[] = {
    "vc", "spicevmc", "spiceport", "braille", "msmouse", "serial", "tty",
    "parallel", "parport", "testdev", "wctablet", "qemu-vdagent", "console",
};

/* ---------------------------------------------------------------------------
 * Registry
 */

struct chardev *chr_find(const char *id)
{
    for (struct chardev *c = chr_list; c; c = c->next) {
        if (!strcmp(c->id, id)) {
            return c;
        }
    }
    return NULL;
}

void chr_register(struct chardev *chr)
{
    struct chardev **pp = &chr_list;
    while (*pp) {
        pp = &(*pp)->next;
    }
    chr->next = NULL;
    *pp = chr;
}

static void chr_unlink(struct chardev *chr)
{
    for (struct chardev **pp = &chr_list; *pp; pp = &(*pp)->next) {
        if (*pp == chr) {
            *pp = chr->next;
            return;
        }
    }
}

void chr_foreach(void (*fn)(struct chardev *chr, void *opaque), void *opaque)
{
    struct chardev *next;
    for (struct chardev *c = chr_list; c; c = next) {
        next = c->next;
        fn(c, opaque);
    }
}

const char *chr_id(const struct chardev *chr)
{
    return chr->id;
}

const char *chr_filename(const struct chardev *chr)
{
    return chr->filename ? chr->filename : chr->drv->name;
}

bool chr_frontend_open(const struct chardev *chr)
{
    return chr_is_mux(chr) ? chr_mux_has_fe(chr) : chr->fe != NULL;
}

bool chr_is_stdio(const struct chardev *chr)
{
    return chr->drv == &chr_stdio_driver;
}

void chr_set_filename(struct chardev *chr, char *filename)
{
    free(chr->filename);
    chr->filename = filename;
}

static const struct chr_driver *driver_find(const char *name)
{
    if (!strcmp(name, "memory")) {
        return &chr_ringbuf_driver;     /* QEMU's alias */
    }
    for (size_t i = 0; i < ARRAY_SIZE(drivers); i++) {
        if (!strcmp(drivers[i]->name, name)) {
            return drivers[i];
        }
    }
    return NULL;
}

void chr_print_help(FILE *f)
{
    fprintf(f, "Available chardev backend types: ");
    for (size_t i = 0; i < ARRAY_SIZE(drivers); i++) {
        fprintf(f, "\n  %s", drivers[i]->name);
    }
    fprintf(f, "\n  memory\n");
}

/* ---------------------------------------------------------------------------
 * Creation and removal
 */

static void chr_free(struct chardev *chr)
{
    chr_input_watch(chr, -1, NULL);
    timer_free(chr->in_retry);
    if (chr->log_fd >= 0) {
        close(chr->log_fd);
    }
    free(chr->filename);
    free(chr->id);
    free(chr);
}

static void in_retry_cb(void *opaque)
{
    struct chardev *chr = opaque;
    if (chr->drv->accept_input) {
        chr->drv->accept_input(chr);
    } else {
        chr_input_resume(chr);
    }
}

struct chardev *chr_alloc(const char *id, const struct chr_driver *drv)
{
    struct chardev *chr = xzalloc(sizeof(*chr));
    chr->id = xstrdup(id);
    chr->drv = drv;
    chr->log_fd = -1;
    chr->in_fd = -1;
    chr->in_retry = timer_new(CLOCK_RT, in_retry_cb, chr);
    return chr;
}

struct chardev *chr_create(const char *id, const char *backend,
                           struct kvlist *opts, struct err **errp)
{
    struct err *e = NULL;

    for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++) {
        if (!strcmp(backend, unsupported[i])) {
            err_setf(errp, "%s: not supported", backend);
            return NULL;
        }
    }
    const struct chr_driver *drv = driver_find(backend);
    if (!drv) {
        err_setf(errp, "'%s' is not a valid char driver name", backend);
        return NULL;
    }
    kv_mark_used(opts, "backend");
    kv_mark_used(opts, "id");
    bool mux = kv_bool(opts, "mux", false, &e);
    const char *logfile = kv_str(opts, "logfile", NULL);
    bool logappend = kv_bool(opts, "logappend", false, &e);
    if (e) {
        err_propagate(errp, e);
        return NULL;
    }

    /* With mux=on the back end gets "ID-base" and the mux takes "ID", so
     * that front ends naming ID share it (QEMU does the same). */
    char *base_id = mux ? xasprintf("%s-base", id) : xstrdup(id);
    struct chardev *chr = chr_alloc(base_id, drv);
    free(base_id);

    if (logfile) {
        int fl = O_WRONLY | O_CREAT | O_CLOEXEC |
                 (logappend ? O_APPEND : O_TRUNC);
        chr->log_fd = open(logfile, fl, 0666);
        if (chr->log_fd < 0) {
            err_setf(errp, "Could not open '%s': %s", logfile, strerror(errno));
            chr_free(chr);
            return NULL;
        }
    }
    if (drv->open(chr, opts, errp) < 0) {
        chr_free(chr);
        return NULL;
    }
    if (kv_check_used(opts, errp) < 0) {
        drv->close(chr);
        chr_free(chr);
        return NULL;
    }
    chr_register(chr);
    if (!mux) {
        return chr;
    }
    struct chardev *m = chr_mux_new(id, chr, errp);
    if (!m) {
        chr_unlink(chr);
        drv->close(chr);
        chr_free(chr);
    }
    return m;
}

struct chardev *chr_new(struct kvlist *opts, struct err **errp)
{
    const char *id = kv_str(opts, "id", NULL);
    if (!id) {
        err_setf(errp, "Parameter 'id' is missing");
        return NULL;
    }
    if (!kv_id_wellformed(id)) {
        err_setf(errp, "Parameter 'id' expects an identifier");
        return NULL;
    }
    const char *backend = kv_str(opts, "backend", NULL);
    if (!backend) {
        err_setf(errp, "chardev: \"%s\" missing backend", id);
        return NULL;
    }
    if (chr_find(id)) {
        err_setf(errp, "Duplicate ID '%s' for chardev", id);
        return NULL;
    }
    return chr_create(id, backend, opts, errp);
}

static void chr_close_free(struct chardev *chr)
{
    chr_unlink(chr);
    chr->drv->close(chr);
    chr_free(chr);
}

int chr_delete(const char *id, struct err **errp)
{
    struct chardev *chr = chr_find(id);
    if (!chr) {
        err_setf(errp, "Chardev '%s' not found", id);
        return -1;
    }
    if (chr_frontend_open(chr)) {
        err_setf(errp, "Chardev '%s' is busy", id);
        return -1;
    }
    chr_close_free(chr);
    return 0;
}

void chr_cleanup_all(void)
{
    /* Front ends may still hold pointers at exit, so closed chardevs are
     * kept (reachable) on this list rather than freed. */
    static struct chardev *closed;

    /* Last created first: a mux goes before its base. */
    while (chr_list) {
        struct chardev *last = chr_list;
        while (last->next) {
            last = last->next;
        }
        chr_unlink(last);
        last->drv->close(last);
        chr_input_watch(last, -1, NULL);
        last->next = closed;
        closed = last;
    }
}

/* ---------------------------------------------------------------------------
 * Front ends
 */

static void fe_open_bh(void *opaque)
{
    struct chr_fe *fe = opaque;
    if (fe->chr->be_open && fe->ops->event) {
        fe->ops->event(fe->opaque, CHR_EVENT_OPENED);
    }
}

struct chr_fe *chr_fe_attach(struct chardev *chr, const struct chr_fe_ops *ops,
                             void *opaque, struct err **errp)
{
    if (chr_is_mux(chr)) {
        return chr_mux_attach(chr, ops, opaque, errp);
    }
    if (chr->fe) {
        err_setf(errp, "Device '%s' is in use", chr->id);
        return NULL;
    }
    struct chr_fe *fe = xzalloc(sizeof(*fe));
    fe->chr = chr;
    fe->ops = ops;
    fe->opaque = opaque;
    fe->open_bh = bh_new(fe_open_bh, fe);
    chr->fe = fe;
    if (chr->be_open) {
        bh_schedule(fe->open_bh);
    }
    chr_input_resume(chr);
    return fe;
}

void chr_fe_detach(struct chr_fe *fe)
{
    if (!fe) {
        return;
    }
    if (chr_is_mux(fe->chr)) {
        chr_mux_detach(fe);
    } else if (fe->chr->fe == fe) {
        fe->chr->fe = NULL;
    }
    bh_free(fe->open_bh);
    free(fe);
}

struct chardev *chr_fe_chardev(struct chr_fe *fe)
{
    return fe->chr;
}

int chr_fe_write(struct chr_fe *fe, const uint8_t *buf, int len)
{
    struct chardev *chr = fe->chr;
    if (len <= 0) {
        return 0;
    }
    if (chr->log_fd >= 0) {
        /* The log records what the front end sent (QEMU's logfile=). */
        write_full(chr->log_fd, buf, len);
    }
    return chr->drv->write(chr, buf, len);
}

int chr_fe_printf(struct chr_fe *fe, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    int r = chr_fe_write(fe, (const uint8_t *)s, strlen(s));
    free(s);
    return r;
}

void chr_fe_accept_input(struct chr_fe *fe)
{
    struct chardev *chr = fe->chr;
    if (chr_is_mux(chr)) {
        chr_mux_accept_input(fe);
    } else if (chr->drv->accept_input) {
        chr->drv->accept_input(chr);
    } else {
        chr_input_resume(chr);
    }
}

void chr_fe_take_focus(struct chr_fe *fe)
{
    if (chr_is_mux(fe->chr)) {
        chr_mux_take_focus(fe);
    }
}

/* ---------------------------------------------------------------------------
 * Back-end side: data and events towards the front end, flow control
 */

int chr_be_room(struct chardev *chr)
{
    int n = 0;
    if (chr->fe && chr->fe->ops->can_read) {
        n = chr->fe->ops->can_read(chr->fe->opaque);
    }
    if (n > 0) {
        chr->in_backoff_ms = 0;
        return n;
    }
    if (chr->in_fd >= 0 && chr->in_watching) {
        loop_set_fd(chr->in_fd, NULL, NULL, NULL);
        chr->in_watching = false;
    }
    if (chr->in_fd >= 0) {
        /* 5 ms doubling to 160 ms: quick for a front end that drains soon,
         * cheap for one that stays full without calling accept_input. */
        chr->in_backoff_ms = chr->in_backoff_ms ? MIN(chr->in_backoff_ms * 2,
                                                      160) : 5;
        timer_mod_in(chr->in_retry, chr->in_backoff_ms * 1000000LL);
    }
    return 0;
}

void chr_be_write(struct chardev *chr, const uint8_t *buf, int len)
{
    if (len > 0 && chr->fe && chr->fe->ops->read) {
        chr->fe->ops->read(chr->fe->opaque, buf, len);
    }
}

void chr_be_set_open(struct chardev *chr)
{
    chr->be_open = true;
}

void chr_be_event(struct chardev *chr, enum chr_event ev)
{
    if (ev == CHR_EVENT_OPENED) {
        chr->be_open = true;
    } else if (ev == CHR_EVENT_CLOSED) {
        chr->be_open = false;
    }
    if (chr->fe) {
        if (ev == CHR_EVENT_OPENED || ev == CHR_EVENT_CLOSED) {
            /* The event itself supersedes a pending attach-time OPENED. */
            bh_cancel(chr->fe->open_bh);
        }
        if (chr->fe->ops->event) {
            chr->fe->ops->event(chr->fe->opaque, ev);
        }
    }
}

void chr_input_watch(struct chardev *chr, int fd, loop_fn *cb)
{
    if (chr->in_fd >= 0 && chr->in_watching) {
        loop_set_fd(chr->in_fd, NULL, NULL, NULL);
    }
    if (chr->in_retry) {
        timer_del(chr->in_retry);
    }
    chr->in_watching = false;
    chr->in_fd = fd;
    chr->in_cb = cb;
    if (fd >= 0) {
        chr_input_resume(chr);
    }
}

void chr_input_resume(struct chardev *chr)
{
    if (chr->in_fd >= 0 && !chr->in_watching) {
        loop_set_fd(chr->in_fd, chr->in_cb, NULL, chr);
        chr->in_watching = true;
    }
}

int chr_fd_write_all(int fd, const uint8_t *buf, int len, bool sock)
{
    int done = 0;
    while (done < len) {
        ssize_t n = sock ? send(fd, buf + done, len - done, MSG_NOSIGNAL)
                         : write(fd, buf + done, len - done);
        if (n > 0) {
            done += n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            int r = poll(&p, 1, CHR_WRITE_WAIT_MS);
            if (r == 0) {
                return -EAGAIN;
            }
            continue;
        }
        return n < 0 ? -errno : -EIO;
    }
    return len;
}
