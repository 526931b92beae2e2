/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * char-stdio.c - the stdio back end: input from fd 0, output to fd 1.  A
 * terminal on stdin is put in raw mode (no echo, no line editing, output
 * post-processing kept) and restored at exit and on fatal signals;
 * signal=off also turns off ISIG so that Ctrl-C reaches the guest.
 * Reference: qemu-6.2 manual, "-chardev stdio,id=id[,signal=on|off]".
 */
#include "emu/osdep.h"
#include <signal.h>
#include <termios.h>

#include "emu/chardev/chardev-int.h"
#include "emu/cli/keyval.h"     /* kv_bool, kv_check_used */
#include "emu/util/err.h"       /* err_setf */

static bool stdio_in_use;
static bool tty_saved;
static struct termios tty_orig;

static void tty_restore(void)
{
    if (tty_saved) {
        tcsetattr(0, TCSANOW, &tty_orig);
    }
}

/* Async-signal-safe: restore the terminal, then die of the same signal. */
static void fatal_signal(int sig)
{
    tty_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signal_handlers(void)
{
    static const int always[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
    /* These are taken over only while nobody else handles them: the main
     * loop turns SIGINT/SIGTERM/SIGHUP into a shutdown request, which
     * exits normally and restores the terminal through atexit. */
    static const int if_default[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
    struct sigaction sa = { .sa_handler = fatal_signal };
    struct sigaction old;

    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < ARRAY_SIZE(always); i++) {
        sigaction(always[i], &sa, NULL);
    }
    for (size_t i = 0; i < ARRAY_SIZE(if_default); i++) {
        if (sigaction(if_default[i], NULL, &old) == 0 &&
            old.sa_handler == SIG_DFL) {
            sigaction(if_default[i], &sa, NULL);
        }
    }
}

static void tty_set_raw(bool allow_signals)
{
    static bool atexit_done;
    struct termios t;

    if (!tty_saved) {
        if (tcgetattr(0, &tty_orig) < 0) {
            return;
        }
        tty_saved = true;
    }
    if (!atexit_done) {
        atexit(tty_restore);
        install_signal_handlers();
        atexit_done = true;
    }
    t = tty_orig;
    t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL |
                   IXON);
    /* Keep OPOST: the monitor and guests write "\n" and expect "\r\n". */
    t.c_oflag |= OPOST;
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!allow_signals) {
        t.c_lflag &= ~ISIG;
    }
    t.c_cflag &= ~(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(0, TCSANOW, &t);
}

static void stdio_read_cb(void *opaque)
{
    struct chardev *chr = opaque;
    uint8_t buf[4096];
    int room = chr_be_room(chr);
    if (!room) {
        return;
    }
    ssize_t n = read(0, buf, MIN(room, (int)sizeof(buf)));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        /* stdin closed (e.g. </dev/null): stop reading, keep writing. */
        chr_input_watch(chr, -1, NULL);
        return;
    }
    chr_be_write(chr, buf, n);
}

static int stdio_open(struct chardev *chr, struct kvlist *opts,
                      struct err **errp)
{
    struct err *e = NULL;
    bool allow_signals = kv_bool(opts, "signal", true, &e);
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    if (kv_check_used(opts, errp) < 0) {
        return -1;
    }
    if (stdio_in_use) {
        err_setf(errp, "cannot use stdio by multiple character devices");
        return -1;
    }
    stdio_in_use = true;
    if (isatty(0)) {
        tty_set_raw(allow_signals);
    }
    chr_be_set_open(chr);
    chr_input_watch(chr, 0, stdio_read_cb);
    return 0;
}

static int stdio_write(struct chardev *chr, const uint8_t *buf, int len)
{
    return chr_fd_write_all(1, buf, len, false);
}

static void stdio_close(struct chardev *chr)
{
    chr_input_watch(chr, -1, NULL);
    tty_restore();
    stdio_in_use = false;
}

const struct chr_driver chr_stdio_driver = {
    .name = "stdio",
    .open = stdio_open,
    .write = stdio_write,
    .close = stdio_close,
};
