/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netblk_inflight_test.c - several requests of one network drive are on
 * the wire at once (block-protocols/blk-backend.c with curl.c's lanes):
 * a small HTTP/1.1 range server in a thread here (RFC 9110 section 14,
 * 206 Partial Content) answers each GET after a pause and counts how
 * many GETs it is answering at the same time; reads submitted together
 * through blk_submit() must overlap there, and still return the right
 * bytes, also for a sequential run of reads that share one lane.  The
 * same for NBD (block-protocols/nbd.c's multi-conn pool) against Debian's
 * nbdkit (memory plugin, which allows multi-conn) with its delay filter,
 * counting overlapping reads in its log filter's file.
 */
#include "emu/osdep.h"

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "block-protocols/blk-backend.h"
#include "block-protocols/block.h"
#include "emu/util/err.h"
#include "tests/unit/test.h"

#define IMG_SIZE (4u << 20)
#define DELAY_MS 150

static uint8_t img[IMG_SIZE];
static atomic_int now_serving, most_serving, gets;

static uint8_t pattern(uint64_t off)
{
    return (uint8_t)(off * 7 + (off >> 12));
}

static bool send_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w <= 0) {
            return false;
        }
        b += w;
        n -= (size_t)w;
    }
    return true;
}

/* One keep-alive connection: HEAD and GET with one "Range: bytes=a-b". */
static void *conn_thread(void *opaque)
{
    int fd = (int)(intptr_t)opaque;
    char req[4096];
    size_t have = 0;
    for (;;) {
        char *end = NULL;
        while (!(end = memmem(req, have, "\r\n\r\n", 4))) {
            if (have == sizeof(req)) {
                goto out;
            }
            ssize_t r = recv(fd, req + have, sizeof(req) - have, 0);
            if (r <= 0) {
                goto out;
            }
            have += (size_t)r;
        }
        size_t hlen = (size_t)(end - req) + 4;
        char head[4096];
        memcpy(head, req, hlen);
        head[hlen] = 0;
        memmove(req, req + hlen, have - hlen);
        have -= hlen;
        char hdr[256];
        if (!strncmp(head, "HEAD ", 5)) {
            int n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\n"
                             "Content-Length: %u\r\nAccept-Ranges: bytes\r\n"
                             "\r\n", IMG_SIZE);
            if (!send_all(fd, hdr, (size_t)n)) {
                goto out;
            }
            continue;
        }
        const char *rg = strcasestr(head, "\r\nRange: bytes=");
        unsigned long long a, b;
        if (strncmp(head, "GET ", 4) || !rg ||
            sscanf(rg + 15, "%llu-%llu", &a, &b) != 2 || a > b ||
            b >= IMG_SIZE) {
            send_all(fd, "HTTP/1.1 400 Bad\r\nContent-Length: 0\r\n\r\n", 38);
            goto out;
        }
        atomic_fetch_add(&gets, 1);
        int cur = atomic_fetch_add(&now_serving, 1) + 1;
        int m = atomic_load(&most_serving);
        while (cur > m && !atomic_compare_exchange_weak(&most_serving, &m,
                                                         cur)) {
        }
        poll(NULL, 0, DELAY_MS);
        atomic_fetch_sub(&now_serving, 1);
        int n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 206 Partial Content\r\n"
                         "Content-Range: bytes %llu-%llu/%u\r\n"
                         "Content-Length: %llu\r\n\r\n", a, b, IMG_SIZE,
                         b - a + 1);
        if (!send_all(fd, hdr, (size_t)n) ||
            !send_all(fd, img + a, (size_t)(b - a + 1))) {
            goto out;
        }
    }
out:
    close(fd);
    return NULL;
}

static void *accept_thread(void *opaque)
{
    int lfd = (int)(intptr_t)opaque;
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            return NULL;    /* the listening socket was shut down */
        }
        pthread_t t;
        if (pthread_create(&t, NULL, conn_thread, (void *)(intptr_t)fd)) {
            close(fd);
            continue;
        }
        pthread_detach(t);
    }
}

static int lfd = -1;
static int port;

static bool start_server(void)
{
    for (uint32_t i = 0; i < IMG_SIZE; i++) {
        img[i] = pattern(i);
    }
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t sl = sizeof(sa);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(lfd, 16) < 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
        return false;
    }
    port = ntohs(sa.sin_port);
    pthread_t t;
    if (pthread_create(&t, NULL, accept_thread, (void *)(intptr_t)lfd)) {
        return false;
    }
    pthread_detach(t);
    return true;
}

struct done {
    int ret, calls;
};

static void read_done(void *opaque, int ret)
{
    struct done *d = opaque;
    d->ret = ret;
    d->calls++;
}

static struct blk *open_drive(const char *id)
{
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/disk.img", port);
    struct err *e = NULL;
    struct bdrv *bs = bdrv_open(url, "raw", NULL, 0, &e);
    if (!bs) {
        fprintf(stderr, "open: %s\n", e ? e->msg : "?");
        err_free(e);
        return NULL;
    }
    return blk_new(id, bs);
}

static bool same(const uint8_t *buf, uint64_t off, size_t len)
{
    return !memcmp(buf, img + off, len);
}

TEST(scattered_reads_overlap_on_the_wire)
{
    EXPECT(start_server());
    struct blk *b = open_drive("inflight0");
    EXPECT(b != NULL);
    if (!b) {
        return;
    }
    enum { N = 4, LEN = 64 * 1024 };
    static uint8_t bufs[N][LEN];
    struct done d[N] = { 0 };
    atomic_store(&most_serving, 0);
    atomic_store(&gets, 0);
    for (int i = 0; i < N; i++) {
        blk_submit(b, BLK_READ, (uint64_t)i * (1u << 20) + 4096, bufs[i],
                   LEN, read_done, &d[i]);
    }
    blk_drain_all();
    for (int i = 0; i < N; i++) {
        EXPECT_EQ(d[i].calls, 1);
        EXPECT_EQ(d[i].ret, 0);
        EXPECT(same(bufs[i], (uint64_t)i * (1u << 20) + 4096, LEN));
    }
    /* One at a time, the server would never see two.  Each GET waits
     * DELAY_MS there, so the four submitted together meet there. */
    EXPECT(atomic_load(&most_serving) >= 2);
    fprintf(stderr, "  %d GETs, at most %d at once\n", atomic_load(&gets),
            atomic_load(&most_serving));
}

TEST(concurrent_sequential_reads_are_right)
{
    struct blk *b = open_drive("inflight1");
    EXPECT(b != NULL);
    if (!b) {
        return;
    }
    /* A guest's sequential read split into pieces in flight together,
     * interleaved with reads elsewhere. */
    enum { N = 24, LEN = 128 * 1024 };
    static uint8_t bufs[N][LEN];
    struct done d[N] = { 0 };
    uint64_t offs[N];
    for (int i = 0; i < N; i++) {
        offs[i] = i % 3 == 2 ? (uint64_t)IMG_SIZE - (uint64_t)(i + 1) * 4096
                             : (uint64_t)i * LEN;
        blk_submit(b, BLK_READ, offs[i], bufs[i],
                   i % 3 == 2 ? 4096 : LEN, read_done, &d[i]);
    }
    blk_drain_all();
    for (int i = 0; i < N; i++) {
        EXPECT_EQ(d[i].calls, 1);
        EXPECT_EQ(d[i].ret, 0);
        EXPECT(same(bufs[i], offs[i], i % 3 == 2 ? 4096 : LEN));
    }
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t sl = sizeof(sa);
    int p = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &sl) == 0) {
        p = ntohs(sa.sin_port);
    }
    if (fd >= 0) {
        close(fd);
    }
    return p;
}

static bool port_open(int p)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_port = htons((uint16_t)p),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

/* The most reads the log shows in progress at once ("Read id=" starts
 * one, "...Read id=" ends it). */
static int log_overlap(const char *fn, int *reads)
{
    FILE *f = fopen(fn, "r");
    char line[1024];
    int cur = 0, most = 0;
    *reads = 0;
    while (f && fgets(line, sizeof(line), f)) {
        if (strstr(line, "...Read id=")) {
            cur--;
        } else if (strstr(line, " Read id=")) {
            (*reads)++;
            cur++;
            most = MAX(most, cur);
        }
    }
    if (f) {
        fclose(f);
    }
    return most;
}

TEST(nbd_reads_overlap_over_multi_conn)
{
    char dir[] = "/tmp/hemu-inflight-XXXXXX";
    EXPECT(mkdtemp(dir) != NULL);
    char logfn[128], portstr[16], logarg[160];
    snprintf(logfn, sizeof(logfn), "%s/nbdkit.log", dir);
    snprintf(logarg, sizeof(logarg), "logfile=%s", logfn);
    int p = free_port();
    snprintf(portstr, sizeof(portstr), "%d", p);
    pid_t pid = fork();
    if (pid == 0) {
        execlp("nbdkit", "nbdkit", "-f", "--exit-with-parent", "-i",
               "127.0.0.1", "-p", portstr, "--filter=log", "--filter=delay",
               "memory", "4M", "rdelay=150ms", logarg, (char *)NULL);
        _exit(127);
    }
    bool up = false;
    for (int i = 0; i < 200 && !up; i++) {
        up = port_open(p);
        if (!up) {
            poll(NULL, 0, 50);
        }
    }
    EXPECT(up);     /* nbdkit is in scripts/install-deps.sh */
    char url[64];
    snprintf(url, sizeof(url), "nbd://127.0.0.1:%d/", p);
    struct err *e = NULL;
    struct bdrv *bs = up ? bdrv_open(url, "raw", NULL, BDRV_O_RDWR, &e) : NULL;
    EXPECT(bs != NULL);
    err_free(e);
    if (bs) {
        struct blk *b = blk_new("inflight-nbd", bs);
        enum { N = 4, LEN = 64 * 1024 };
        static uint8_t bufs[N][LEN];
        struct done d[N] = { 0 };
        memset(bufs, 0x55, sizeof(bufs));
        for (int i = 0; i < N; i++) {
            blk_submit(b, BLK_READ, (uint64_t)i << 20, bufs[i], LEN,
                       read_done, &d[i]);
        }
        blk_drain_all();
        for (int i = 0; i < N; i++) {
            EXPECT_EQ(d[i].calls, 1);
            EXPECT_EQ(d[i].ret, 0);
            EXPECT(bufs[i][0] == 0 && bufs[i][LEN - 1] == 0);
        }
        /* A flush still works with requests spread over connections. */
        struct done fd = { 0 };
        blk_submit(b, BLK_FLUSH, 0, NULL, 0, read_done, &fd);
        blk_drain_all();
        EXPECT_EQ(fd.ret, 0);
        int reads, most = log_overlap(logfn, &reads);
        fprintf(stderr, "  %d NBD reads, at most %d at once\n", reads, most);
        EXPECT(most >= 2);
        b->root = NULL;
        bdrv_close(bs);     /* nbdkit waits for its clients to go */
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    unlink(logfn);
    rmdir(dir);
}

TEST_MAIN()
