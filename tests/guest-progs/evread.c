/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evread.c - a static guest program for the USB input tests: opens every
 * /dev/input/event* device, prints "HEMU-USB: input N NAME" for each and
 * "HEMU-USB: evread-ready", then for SECONDS seconds prints what arrives
 * through the Linux evdev interface (Documentation/input/input.rst):
 *   HEMU-USB: abs NAME X Y      at each EV_SYN after ABS_X/ABS_Y changed
 *   HEMU-USB: key NAME CODE VALUE PHYS
 *   HEMU-USB: rel NAME CODE VALUE PHYS
 * Device names have spaces replaced by '_'; PHYS is the device's
 * physical path ("usb-0000:00:01.2-1/input0": controller and port).  Built on the host with
 * gcc -static (scripts/build-demo-guest.sh) for the integration tests,
 * which send events over VNC and compare.
 */
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXDEV 32

struct dev {
    int fd;
    char name[128];
    char phys[128];
    int x, y;
    int abs_changed;
};

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int main(int argc, char **argv)
{
    int seconds = argc > 1 ? atoi(argv[1]) : 30;
    struct dev devs[MAXDEV];
    struct pollfd pfd[MAXDEV];
    int n = 0;
    for (int i = 0; i < MAXDEV; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/dev/input/event%d", i);
        int fd = open(path, O_RDONLY | O_NONBLOCK);
        if (fd < 0) {
            continue;
        }
        struct dev *d = &devs[n];
        memset(d, 0, sizeof(*d));
        d->fd = fd;
        if (ioctl(fd, EVIOCGNAME(sizeof(d->name) - 1), d->name) < 0) {
            strcpy(d->name, "unknown");
        }
        if (ioctl(fd, EVIOCGPHYS(sizeof(d->phys) - 1), d->phys) < 0 || !d->phys[0]) {
            strcpy(d->phys, "-");
        }
        for (char *p = d->name; *p; p++) {
            if (*p == ' ') {
                *p = '_';
            }
        }
        struct input_absinfo ai;
        if (ioctl(fd, EVIOCGABS(ABS_X), &ai) == 0) {
            d->x = ai.value;
            printf("HEMU-USB: input %d %s absmax=%d\n", i, d->name, ai.maximum);
        } else {
            printf("HEMU-USB: input %d %s\n", i, d->name);
        }
        if (ioctl(fd, EVIOCGABS(ABS_Y), &ai) == 0) {
            d->y = ai.value;
        }
        pfd[n].fd = fd;
        pfd[n].events = POLLIN;
        n++;
    }
    printf("HEMU-USB: evread-ready %d\n", n);
    fflush(stdout);
    long end = now_ms() + seconds * 1000L;
    while (now_ms() < end) {
        int r = poll(pfd, n, 200);
        if (r <= 0) {
            continue;
        }
        for (int i = 0; i < n; i++) {
            if (!(pfd[i].revents & POLLIN)) {
                continue;
            }
            struct input_event ev[64];
            ssize_t len = read(pfd[i].fd, ev, sizeof(ev));
            struct dev *d = &devs[i];
            for (int k = 0; len > 0 && k < (int)(len / sizeof(ev[0])); k++) {
                switch (ev[k].type) {
                case EV_ABS:
                    if (ev[k].code == ABS_X) {
                        d->x = ev[k].value;
                        d->abs_changed = 1;
                    } else if (ev[k].code == ABS_Y) {
                        d->y = ev[k].value;
                        d->abs_changed = 1;
                    }
                    break;
                case EV_KEY:
                    printf("HEMU-USB: key %s %d %d %s\n", d->name, ev[k].code,
                           ev[k].value, d->phys);
                    break;
                case EV_REL:
                    printf("HEMU-USB: rel %s %d %d %s\n", d->name, ev[k].code,
                           ev[k].value, d->phys);
                    break;
                case EV_SYN:
                    if (d->abs_changed) {
                        printf("HEMU-USB: abs %s %d %d\n", d->name, d->x, d->y);
                        d->abs_changed = 0;
                    }
                    break;
                }
            }
            fflush(stdout);
        }
    }
    printf("HEMU-USB: evread-done\n");
    return 0;
}
