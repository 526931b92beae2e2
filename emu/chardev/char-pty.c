/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * char-pty.c - the pty back end: a new pseudo-terminal whose slave path is
 * announced ("char device redirected to /dev/pts/N (label ID)").
 * The announcement goes to stdout as QEMU 6.2's does.
 * It counts as connected while some process has the slave open; until
 * then output is dropped, and the master is polled on a timer because it
 * reports POLLHUP continuously while no slave is open.
 * Reference: qemu-6.2 manual, "-chardev pty" and "-serial pty".
 */
#include "emu/osdep.h"
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "emu/chardev/chardev-int.h"
#include "emu/cli/keyval.h"     /* kv_check_used */
#include "emu/util/cutils.h"    /* xzalloc, xasprintf, set_nonblock */
#include "emu/util/err.h"       /* err_setf */

#define PTY_POLL_NS (250 * 1000000LL)

struct pty_chr {
    int master;
    struct timer *poll;
    struct chardev *chr;
};

static void pty_read_cb(void *opaque);

static bool pty_slave_open(struct pty_chr *s)
{
    struct pollfd p = { .fd = s->master, .events = POLLIN };
    if (poll(&p, 1, 0) < 0) {
        return false;
    }
    return !(p.revents & POLLHUP);
}

static void pty_disconnect(struct pty_chr *s)
{
    chr_input_watch(s->chr, -1, NULL);
    if (s->chr->be_open) {
        chr_be_event(s->chr, CHR_EVENT_CLOSED);
    }
    timer_mod_in(s->poll, PTY_POLL_NS);
}

static void pty_poll_cb(void *opaque)
{
    struct pty_chr *s = opaque;
    bool open = pty_slave_open(s);
    if (s->chr->be_open) {
        if (!open) {
            pty_disconnect(s);
        }
        return;
    }
    if (!open) {
        timer_mod_in(s->poll, PTY_POLL_NS);
        return;
    }
    chr_input_watch(s->chr, s->master, pty_read_cb);
    chr_be_event(s->chr, CHR_EVENT_OPENED);
}

static void pty_read_cb(void *opaque)
{
    struct chardev *chr = opaque;
    struct pty_chr *s = chr->opaque;
    uint8_t buf[4096];
    int room = chr_be_room(chr);
    if (!room) {
        return;
    }
    ssize_t n = read(s->master, buf, MIN(room, (int)sizeof(buf)));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        /* EIO: the last process holding the slave closed it. */
        pty_disconnect(s);
        return;
    }
    chr_be_write(chr, buf, n);
}

static int pty_open(struct chardev *chr, struct kvlist *opts,
                    struct err **errp)
{
    int master, slave;
    struct termios t;

    if (kv_check_used(opts, errp) < 0) {
        return -1;
    }
    if (openpty(&master, &slave, NULL, NULL, NULL) < 0) {
        err_setf(errp, "Failed to create PTY: %s", strerror(errno));
        return -1;
    }
    /* Raw on the slave side, so the guest's bytes pass unchanged; the
     * setting stays with the pty after the slave is closed. */
    if (tcgetattr(slave, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(slave, TCSAFLUSH, &t);
    }
    close(slave);
    set_nonblock(master, true);
    set_cloexec(master);

    const char *name = ptsname(master);
    struct pty_chr *s = xzalloc(sizeof(*s));
    s->master = master;
    s->chr = chr;
    s->poll = timer_new(CLOCK_RT, pty_poll_cb, s);
    chr->opaque = s;
    chr_set_filename(chr, xasprintf("pty:%s", name ? name : ""));
    /* QEMU 6.2 prints this with qemu_printf(): on stdout, no prefix.
     * Scripts parse it, so it must not sit in a pipe's buffer. */
    printf("char device redirected to %s (label %s)\n", name ? name : "",
           chr->id);
    fflush(stdout);
    timer_mod_in(s->poll, PTY_POLL_NS);
    return 0;
}

static int pty_write(struct chardev *chr, const uint8_t *buf, int len)
{
    struct pty_chr *s = chr->opaque;
    if (!chr->be_open) {
        return len;     /* nobody has the slave open: dropped, as QEMU */
    }
    int r = chr_fd_write_all(s->master, buf, len, false);
    if (r == -EIO) {
        /* Noticed here first; the CLOSED event comes from the timer so
         * the front end is not re-entered inside its own write. */
        timer_mod_in(s->poll, 0);
        return len;
    }
    return r;
}

/*
 * Closing the master hangs up the slave, and a hung-up tty discards what
 * its reader has not read yet ("QEMU: Terminated" after C-a x would be
 * lost).  Give the reader a moment to take it: the slave's input queue is
 * visible through FIONREAD on a second open of the slave.
 */
static void pty_drain(struct pty_chr *s)
{
    const char *name = ptsname(s->master);
    int fd = name ? open(name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
                  : -1;
    if (fd < 0) {
        return;
    }
    /* The kernel moves written bytes to the slave from a work queue, so
     * an empty queue counts only after a couple of looks. */
    for (int i = 0; i < 100; i++) {
        int n = 0;
        if (ioctl(fd, FIONREAD, &n) < 0 || (n == 0 && i >= 2)) {
            break;
        }
        usleep(5000);
    }
    close(fd);
}

static void pty_close(struct chardev *chr)
{
    struct pty_chr *s = chr->opaque;
    if (!s) {
        return;
    }
    if (chr->be_open) {
        pty_drain(s);
    }
    chr_input_watch(chr, -1, NULL);
    timer_free(s->poll);
    close(s->master);
    free(s);
    chr->opaque = NULL;
}

const struct chr_driver chr_pty_driver = {
    .name = "pty",
    .open = pty_open,
    .write = pty_write,
    .close = pty_close,
};
