/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd_aio_test.c - guest reads of an NBD drive go out from the submitting
 * thread and complete in the main loop (block-protocols/nbd-aio.c through
 * blk_submitv()), several at once on one connection (NetworkBlockDevice/nbd
 * doc/proto.md: replies are matched by handle, in any order).  Against
 * Debian's nbdkit: the pattern plugin (every 8 bytes hold their offset,
 * big-endian; read-only, multi-conn) behind its delay filter, so that reads
 * submitted together meet in the server, and its log filter, whose lines
 * say which connection each read came on.  The bytes land in scattered
 * iovecs, also at odd offsets and lengths; blk_drain_all() waits for
 * the main loop's reads too.
 */
#include "emu/osdep.h"

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "block-protocols/blk-backend.h"
#include "block-protocols/block.h"
#include "emu/loop/loop.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "tests/unit/test.h"

#define IMG_SIZE (4u << 20)

struct done {
    int ret, calls;
};

static void read_done(void *opaque, int ret)
{
    struct done *d = opaque;
    d->ret = ret;
    d->calls++;
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

/* What the pattern plugin serves at off. */
static bool is_pattern(const uint8_t *b, uint64_t off, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint64_t o = off + i;
        if (b[i] != (uint8_t)((o & ~7ull) >> (8 * (7 - o % 8)))) {
            return false;
        }
    }
    return true;
}

/* The most reads in progress at once on one connection of the log
 * ("connection=N Read id=" starts one, "connection=N ...Read id=" ends
 * it), and the number of reads. */
static int log_overlap_one_conn(const char *fn, int *reads)
{
    FILE *f = fopen(fn, "r");
    char line[1024];
    int cur[64] = { 0 }, most = 0;
    *reads = 0;
    while (f && fgets(line, sizeof(line), f)) {
        const char *c = strstr(line, "connection=");
        int n = c ? atoi(c + 11) : -1;
        if (n < 0 || n >= 64) {
            continue;
        }
        if (strstr(line, "...Read id=")) {
            cur[n]--;
        } else if (strstr(line, " Read id=")) {
            (*reads)++;
            cur[n]++;
            most = MAX(most, cur[n]);
        }
    }
    if (f) {
        fclose(f);
    }
    return most;
}

static bool all_done(const struct done *d, int n)
{
    for (int i = 0; i < n; i++) {
        if (!d[i].calls) {
            return false;
        }
    }
    return true;
}

TEST(reads_pipeline_on_one_connection_in_the_main_loop)
{
    char dir[] = "/tmp/hemu-nbdaio-XXXXXX";
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
               "pattern", "4M", "rdelay=100ms", logarg, (char *)NULL);
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
    struct bdrv *bs = up ? bdrv_open(url, "raw", NULL, 0, &e) : NULL;
    EXPECT(bs != NULL);
    err_free(e);
    if (bs) {
        loop_init();
        bql_lock();
        struct blk *b = blk_new("nbd-aio", bs);
        /* Each read over three iovecs of uneven sizes. */
        enum { N = 8, A = 1000, B = 3096, C = 4096 };
        static uint8_t bufs[N][A + B + C];
        static struct iovec iov[N][3];
        struct done d[N + 1] = { 0 };
        uint64_t offs[N];
        memset(bufs, 0x55, sizeof(bufs));
        for (int i = 0; i < N; i++) {
            offs[i] = (uint64_t)((i * 7 + 3) % 16) * (IMG_SIZE / 16) +
                      (uint64_t)i * 4096;
            iov[i][0] = (struct iovec){ bufs[i], A };
            iov[i][1] = (struct iovec){ bufs[i] + A, B };
            iov[i][2] = (struct iovec){ bufs[i] + A + B, C };
            blk_submitv(b, BLK_READ, offs[i], iov[i], 3, read_done, &d[i]);
        }
        int64_t until = clock_monotonic_ns() + 20 * 1000000000LL;
        while (!all_done(d, N) && clock_monotonic_ns() < until) {
            loop_wait(100 * 1000000);
        }
        for (int i = 0; i < N; i++) {
            EXPECT_EQ(d[i].calls, 1);
            EXPECT_EQ(d[i].ret, 0);
            EXPECT(is_pattern(bufs[i], offs[i], sizeof(bufs[i])));
        }
        int reads, most = log_overlap_one_conn(logfn, &reads);
        fprintf(stderr, "  %d NBD reads, at most %d at once on one "
                "connection\n", reads, most);
        EXPECT_EQ(reads, N);
        /* One request per connection would never show two. */
        EXPECT(most >= 2);

        /* Waited for by blk_drain_all(), with an odd-sized read at an
         * odd offset in the same batch. */
        static uint8_t odd[777];
        static struct iovec oiov = { odd, sizeof(odd) };
        for (int i = 0; i < N; i++) {
            memset(bufs[i], 0, sizeof(bufs[i]));
            d[i].calls = 0;
            blk_submitv(b, BLK_READ, offs[i] + 512, iov[i], 3, read_done,
                        &d[i]);
        }
        blk_submitv(b, BLK_READ, 12345, &oiov, 1, read_done, &d[N]);
        blk_drain_all();
        for (int i = 0; i <= N; i++) {
            EXPECT_EQ(d[i].calls, 1);
            EXPECT_EQ(d[i].ret, 0);
        }
        for (int i = 0; i < N; i++) {
            EXPECT(is_pattern(bufs[i], offs[i] + 512, sizeof(bufs[i])));
        }
        EXPECT(is_pattern(odd, 12345, sizeof(odd)));
        bql_unlock();
        b->root = NULL;
        bdrv_close(bs);     /* nbdkit waits for its clients to go */
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    unlink(logfn);
    rmdir(dir);
}

TEST_MAIN()
