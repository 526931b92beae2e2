/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * char-file.c - the simple fd back ends: null (drops output, never
 * produces input), file (path=, append=: output only) and pipe (path=:
 * PATH.in/PATH.out FIFOs, or PATH for both).
 * Reference: qemu-6.2 manual, "-chardev null/file/pipe".
 */
#include "emu/osdep.h"
#include <fcntl.h>
#include <signal.h>

#include "emu/chardev/chardev-int.h"
#include "emu/cli/keyval.h"     /* kv_str, kv_bool, kv_check_used */
#include "emu/util/cutils.h"    /* xzalloc, xasprintf */
#include "emu/util/err.h"       /* err_setf */

/* ---------------------------------------------------------------------------
 * null
 */

static int null_open(struct chardev *chr, struct kvlist *opts,
                     struct err **errp)
{
    if (kv_check_used(opts, errp) < 0) {
        return -1;
    }
    chr_be_set_open(chr);
    return 0;
}

static int null_write(struct chardev *chr, const uint8_t *buf, int len)
{
    return len;
}

static void null_close(struct chardev *chr)
{
}

const struct chr_driver chr_null_driver = {
    .name = "null",
    .open = null_open,
    .write = null_write,
    .close = null_close,
};

/* ---------------------------------------------------------------------------
 * file and pipe share their state: an output fd and maybe an input fd.
 */

struct fd_chr {
    int in, out;    /* equal when one fd does both; in = -1: no input */
};

static int fd_write(struct chardev *chr, const uint8_t *buf, int len)
{
    struct fd_chr *s = chr->opaque;
    return chr_fd_write_all(s->out, buf, len, false);
}

static void fd_read_cb(void *opaque)
{
    struct chardev *chr = opaque;
    struct fd_chr *s = chr->opaque;
    uint8_t buf[4096];
    int room = chr_be_room(chr);
    if (!room) {
        return;
    }
    ssize_t n = read(s->in, buf, MIN(room, (int)sizeof(buf)));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        /* End of input (a regular file behind pipe:, or the writer went
         * away): stop polling it, output keeps working. */
        chr_input_watch(chr, -1, NULL);
        return;
    }
    chr_be_write(chr, buf, n);
}

static void fd_close(struct chardev *chr)
{
    struct fd_chr *s = chr->opaque;
    if (!s) {
        return;
    }
    chr_input_watch(chr, -1, NULL);
    if (s->in >= 0 && s->in != s->out) {
        close(s->in);
    }
    if (s->out >= 0) {
        close(s->out);
    }
    free(s);
    chr->opaque = NULL;
}

static int file_open(struct chardev *chr, struct kvlist *opts,
                     struct err **errp)
{
    struct err *e = NULL;
    const char *path = kv_str(opts, "path", NULL);
    bool append = kv_bool(opts, "append", false, &e);
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    if (!path) {
        err_setf(errp, "chardev: file: no filename given");
        return -1;
    }
    if (kv_check_used(opts, errp) < 0) {
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
                  (append ? O_APPEND : O_TRUNC), 0666);
    if (fd < 0) {
        err_setf(errp, "Could not open '%s': %s", path, strerror(errno));
        return -1;
    }
    struct fd_chr *s = xzalloc(sizeof(*s));
    s->in = -1;
    s->out = fd;
    chr->opaque = s;
    chr_be_set_open(chr);
    return 0;
}

const struct chr_driver chr_file_driver = {
    .name = "file",
    .open = file_open,
    .write = fd_write,
    .close = fd_close,
};

static int pipe_open(struct chardev *chr, struct kvlist *opts,
                     struct err **errp)
{
    const char *path = kv_str(opts, "path", NULL);
    if (!path) {
        err_setf(errp, "chardev: pipe: no filename given");
        return -1;
    }
    if (kv_check_used(opts, errp) < 0) {
        return -1;
    }
    /* O_RDWR so that opening a FIFO does not wait for the other end and
     * reads never see EOF when a writer comes and goes (QEMU does this). */
    char *in_path = xasprintf("%s.in", path);
    char *out_path = xasprintf("%s.out", path);
    int in = open(in_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
    int out = open(out_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
    free(in_path);
    free(out_path);
    if (in < 0 || out < 0) {
        if (in >= 0) {
            close(in);
        }
        if (out >= 0) {
            close(out);
        }
        in = out = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (in < 0) {
            err_setf(errp, "Could not open '%s': %s", path, strerror(errno));
            return -1;
        }
    }
    /* A FIFO whose reader went away must give EPIPE, not kill us. */
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
        signal(SIGPIPE, SIG_IGN);
    }
    struct fd_chr *s = xzalloc(sizeof(*s));
    s->in = in;
    s->out = out;
    chr->opaque = s;
    chr_be_set_open(chr);
    chr_input_watch(chr, in, fd_read_cb);
    return 0;
}

const struct chr_driver chr_pipe_driver = {
    .name = "pipe",
    .open = pipe_open,
    .write = fd_write,
    .close = fd_close,
};
