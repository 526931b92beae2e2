/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon.c - -daemonize and -pidfile (see daemon.h). */
#include "emu/osdep.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/daemon.h"

static int ready_fd = -1;
static char *pidfile_path;
static int pidfile_fd = -1;

void daemon_start(void)
{
    int fds[2];
    if (pipe(fds) < 0) {
        fatal("-daemonize: pipe: %s", strerror(errno));
    }
    pid_t pid = fork();
    if (pid < 0) {
        fatal("-daemonize: fork: %s", strerror(errno));
    }
    if (pid > 0) {
        /* Parent: wait for the child's word.  EOF without a byte means the
         * child failed (it printed why on our shared stderr). */
        close(fds[1]);
        uint8_t status;
        ssize_t n;
        do {
            n = read(fds[0], &status, 1);
        } while (n < 0 && errno == EINTR);
        exit(n == 1 && status == 0 ? 0 : 1);
    }
    close(fds[0]);
    ready_fd = fds[1];
    set_cloexec(ready_fd);
    if (setsid() < 0) {
        fatal("-daemonize: setsid: %s", strerror(errno));
    }
    /* A second fork so that the daemon can never reacquire a terminal. */
    pid = fork();
    if (pid < 0) {
        fatal("-daemonize: fork: %s", strerror(errno));
    }
    if (pid > 0) {
        _exit(0);
    }
    umask(027);
}

void daemon_ready(void)
{
    if (ready_fd < 0) {
        return;
    }
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2) {
            close(null);
        }
    }
    uint8_t ok = 0;
    ssize_t r = write(ready_fd, &ok, 1);
    (void)r;
    close(ready_fd);
    ready_fd = -1;
}

int pidfile_create(const char *path, struct err **errp)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        err_setf(errp, "cannot create PID file: Cannot open pid file: %s",
                 strerror(errno));
        return -1;
    }
    /* The lock says "this VM runs": a second instance with the same pid
     * file fails instead of overwriting it. */
    if (lockf(fd, F_TLOCK, 0) < 0) {
        err_setf(errp, "cannot create PID file: Cannot lock pid file: %s",
                 strerror(errno));
        close(fd);
        return -1;
    }
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || write_full(fd, buf, n) < 0) {
        err_setf(errp, "cannot create PID file: Failed to write pid file: %s",
                 strerror(errno));
        close(fd);
        return -1;
    }
    pidfile_fd = fd;
    pidfile_path = xstrdup(path);
    return 0;
}

void pidfile_remove(void)
{
    if (pidfile_path) {
        unlink(pidfile_path);
        close(pidfile_fd);
        free(pidfile_path);
        pidfile_path = NULL;
        pidfile_fd = -1;
    }
}
