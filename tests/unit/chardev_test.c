/* SPDX-License-Identifier: GPL-2.0-or-later */
/* chardev_test.c - chardev back ends driven through a test front end and
 * the main loop, against real files, FIFOs, sockets and ptys: option
 * errors, null/ringbuf/file/pipe/udp, socket servers and clients with
 * reconnect, telnet, pty, the mux escapes, the legacy -serial syntax and
 * input flow control. */
#include "emu/osdep.h"
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "emu/chardev/chardev.h"
#include "emu/cli/keyval.h"
#include "emu/loop/loop.h"
#include "emu/util/err.h"
#include "tests/unit/test.h"

/* ---------------------------------------------------------------------------
 * A front end that records everything
 */

struct tfe {
    struct chr_fe *fe;
    uint8_t data[8192];
    int len;
    int ev[64];
    int nev;
    int room;
};

static int tfe_can_read(void *opaque)
{
    struct tfe *t = opaque;
    return MIN(t->room, (int)sizeof(t->data) - t->len);
}

static void tfe_read(void *opaque, const uint8_t *buf, int len)
{
    struct tfe *t = opaque;
    len = MIN(len, (int)sizeof(t->data) - t->len);
    memcpy(t->data + t->len, buf, len);
    t->len += len;
}

static void tfe_event(void *opaque, enum chr_event ev)
{
    struct tfe *t = opaque;
    if (t->nev < 64) {
        t->ev[t->nev++] = ev;
    }
}

static const struct chr_fe_ops tfe_ops = { tfe_can_read, tfe_read, tfe_event };

static int count_ev(struct tfe *t, enum chr_event ev)
{
    int n = 0;
    for (int i = 0; i < t->nev; i++) {
        n += t->ev[i] == ev;
    }
    return n;
}

static bool has_data(struct tfe *t, const char *s)
{
    return memmem(t->data, t->len, s, strlen(s)) != NULL;
}

static struct tfe *tfe_attach(struct chardev *chr)
{
    struct tfe *t = calloc(1, sizeof(*t));
    t->room = 4096;
    t->fe = chr_fe_attach(chr, &tfe_ops, t, NULL);
    return t;
}

static void tfe_free(struct tfe *t)
{
    chr_fe_detach(t->fe);
    free(t);
}

/* ---------------------------------------------------------------------------
 * Helpers
 */

static char tmpdir[64];

static void setup(void)
{
    static bool done;
    if (!done) {
        loop_init();
        bql_lock();
        strcpy(tmpdir, "/tmp/hemu-chr-XXXXXX");
        if (!mkdtemp(tmpdir)) {
            abort();
        }
        done = true;
    }
}

static char *tpath(const char *name)
{
    static char buf[4][128];
    static int i;
    char *p = buf[i++ % 4];
    snprintf(p, 128, "%s/%s", tmpdir, name);
    return p;
}

/* Run the loop for up to ms, stopping early once cond holds. */
#define PUMP_UNTIL(cond, ms)                                              \
    do {                                                                  \
        int64_t end_ = clock_ns(CLOCK_RT) + (int64_t)(ms) * 1000000;      \
        while (!(cond) && clock_ns(CLOCK_RT) < end_) {                    \
            loop_wait(10 * 1000000);                                      \
        }                                                                 \
    } while (0)

static void pump(int ms)
{
    int64_t end = clock_ns(CLOCK_RT) + (int64_t)ms * 1000000;
    while (clock_ns(CLOCK_RT) < end) {
        loop_wait(5 * 1000000);
    }
}

/* Create from -chardev text; on failure return NULL and keep the message. */
static char last_err[512];

static struct chardev *mk(const char *s)
{
    struct kvlist *l = kvlist_new();
    struct err *e = NULL;
    struct chardev *chr = NULL;
    last_err[0] = 0;
    if (kvlist_parse(l, s, "backend", &e) == 0) {
        chr = chr_new(l, &e);
    }
    if (e) {
        snprintf(last_err, sizeof(last_err), "%s", e->msg);
        err_free(e);
    }
    kvlist_free(l);
    return chr;
}

static struct chardev *mk_compat(const char *id, const char *spec, bool *mon)
{
    struct err *e = NULL;
    last_err[0] = 0;
    struct chardev *chr = chr_new_compat(id, spec, mon, &e);
    if (e) {
        snprintf(last_err, sizeof(last_err), "%s", e->msg);
        err_free(e);
    }
    return chr;
}

static void del(const char *id)
{
    struct err *e = NULL;
    if (chr_delete(id, &e) < 0) {
        printf("#   delete %s: %s\n", id, e->msg);
        err_free(e);
    }
}

static int unix_client(const char *path)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int tcp_client(int port)
{
    struct sockaddr_in in = { .sin_family = AF_INET,
                              .sin_port = htons(port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&in, sizeof(in)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Read what arrives on fd within ms (pumping the loop meanwhile). */
static int drain(int fd, uint8_t *buf, int cap, int ms)
{
    int n = 0;
    int64_t end = clock_ns(CLOCK_RT) + (int64_t)ms * 1000000;
    while (clock_ns(CLOCK_RT) < end && n < cap) {
        loop_wait(2 * 1000000);
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 5) > 0) {
            ssize_t r = read(fd, buf + n, cap - n);
            if (r <= 0) {
                break;
            }
            n += r;
        }
    }
    return n;
}

/* The port of "disconnected:tcp:H:PORT,server=on". */
static int filename_port(struct chardev *chr)
{
    const char *f = chr_filename(chr);
    const char *c = strrchr(f, ':');
    return c ? atoi(c + 1) : -1;
}

static void wr(struct tfe *t, const char *s)
{
    chr_fe_write(t->fe, (const uint8_t *)s, strlen(s));
}

/* ---------------------------------------------------------------------------
 * Options and errors
 */

TEST(option_errors_use_qemu_wording)
{
    setup();
    EXPECT(!mk("null"));
    EXPECT_STR(last_err, "Parameter 'id' is missing");
    EXPECT(!mk("null,id=1abc"));
    EXPECT_STR(last_err, "Parameter 'id' expects an identifier");
    EXPECT(!mk("foo,id=a"));
    EXPECT_STR(last_err, "'foo' is not a valid char driver name");
    EXPECT(!mk("vc,id=a"));
    EXPECT_STR(last_err, "vc: not supported");
    EXPECT(!mk("spicevmc,id=a,name=vdagent"));
    EXPECT_STR(last_err, "spicevmc: not supported");
    EXPECT(!mk("null,id=a,bogus=1"));
    EXPECT_STR(last_err, "Invalid parameter 'bogus'");
    EXPECT(!mk("null,id=a,path=/tmp/x"));
    EXPECT_STR(last_err, "Invalid parameter 'path'");
    EXPECT(!mk("ringbuf,id=a,size=3"));
    EXPECT_STR(last_err, "size of ringbuf chardev must be power of two");
    EXPECT(!mk("file,id=a"));
    EXPECT_STR(last_err, "chardev: file: no filename given");
    EXPECT(!mk("socket,id=a"));
    EXPECT_STR(last_err, "chardev: socket: no port given");
    EXPECT(!mk("socket,id=a,port=1,server=on,reconnect=1"));
    EXPECT_STR(last_err, "'reconnect' option is incompatible with socket in "
               "server listen mode");
    EXPECT(!mk("socket,id=a,port=1,server=on,wait=maybe"));
    EXPECT_STR(last_err, "Parameter 'wait' expects 'on' or 'off'");
    EXPECT(!mk("udp,id=a"));
    EXPECT_STR(last_err, "chardev: udp: remote port not specified");
    EXPECT(mk("null,id=dup"));
    EXPECT(!mk("null,id=dup"));
    EXPECT_STR(last_err, "Duplicate ID 'dup' for chardev");
    EXPECT(!chr_find("a"));
    del("dup");
}

TEST(null_opened_event_and_delete_rules)
{
    setup();
    struct chardev *chr = mk("null,id=n0");
    EXPECT(chr);
    EXPECT_STR(chr_filename(chr), "null");
    EXPECT(!chr_frontend_open(chr));
    struct tfe *t = tfe_attach(chr);
    EXPECT(t->fe);
    EXPECT(chr_frontend_open(chr));
    EXPECT_EQ(count_ev(t, CHR_EVENT_OPENED), 0);    /* from a bottom half */
    PUMP_UNTIL(t->nev, 200);
    EXPECT_EQ(count_ev(t, CHR_EVENT_OPENED), 1);
    EXPECT_EQ(chr_fe_write(t->fe, (const uint8_t *)"abc", 3), 3);

    struct err *e = NULL;
    EXPECT(!chr_fe_attach(chr, &tfe_ops, t, &e));
    EXPECT(e && !strcmp(e->msg, "Device 'n0' is in use"));
    err_free(e);
    e = NULL;
    EXPECT_EQ(chr_delete("n0", &e), -1);
    EXPECT(e && !strcmp(e->msg, "Chardev 'n0' is busy"));
    err_free(e);
    tfe_free(t);
    del("n0");
    EXPECT(!chr_find("n0"));
    e = NULL;
    EXPECT_EQ(chr_delete("n0", &e), -1);
    EXPECT(e && !strcmp(e->msg, "Chardev 'n0' not found"));
    err_free(e);
}

TEST(ringbuf_keeps_newest_bytes)
{
    setup();
    struct chardev *chr = mk("ringbuf,id=rb,size=16");
    struct chardev *mem = mk("memory,id=mem");
    EXPECT(chr && mem);
    EXPECT_STR(chr_filename(chr), "ringbuf");
    struct tfe *t = tfe_attach(chr);
    wr(t, "0123456789");
    EXPECT_EQ(chr_ringbuf_write(chr, (const uint8_t *)"abcdefghij", 10, NULL),
              10);
    uint8_t buf[64];
    int n = chr_ringbuf_read(chr, buf, sizeof(buf), NULL);
    EXPECT_EQ(n, 16);
    EXPECT(n == 16 && !memcmp(buf, "456789abcdefghij", 16));
    EXPECT_EQ(chr_ringbuf_read(chr, buf, sizeof(buf), NULL), 0);

    struct chardev *nul = mk("null,id=notrb");
    struct err *e = NULL;
    EXPECT_EQ(chr_ringbuf_read(nul, buf, 4, &e), -1);
    EXPECT(e && !strcmp(e->msg, "notrb is not a ringbuf device"));
    err_free(e);
    tfe_free(t);
    del("rb");
    del("mem");
    del("notrb");
}

static char *slurp(const char *path)
{
    static char buf[4096];
    int fd = open(path, O_RDONLY);
    int n = fd < 0 ? -1 : (int)read(fd, buf, sizeof(buf) - 1);
    if (fd >= 0) {
        close(fd);
    }
    buf[n < 0 ? 0 : n] = 0;
    return buf;
}

TEST(file_append_and_truncate_and_logfile)
{
    setup();
    char spec[256];
    const char *path = tpath("out.txt");
    snprintf(spec, sizeof(spec), "file,id=f1,path=%s", path);
    struct chardev *chr = mk(spec);
    EXPECT(chr);
    EXPECT_STR(chr_filename(chr), "file");
    struct tfe *t = tfe_attach(chr);
    wr(t, "abc");
    tfe_free(t);
    del("f1");
    EXPECT_STR(slurp(path), "abc");

    snprintf(spec, sizeof(spec), "file,id=f2,path=%s,append=on", path);
    t = tfe_attach(mk(spec));
    wr(t, "def");
    tfe_free(t);
    del("f2");
    EXPECT_STR(slurp(path), "abcdef");

    snprintf(spec, sizeof(spec), "file,id=f3,path=%s,append=off", path);
    t = tfe_attach(mk(spec));
    wr(t, "X");
    tfe_free(t);
    del("f3");
    EXPECT_STR(slurp(path), "X");

    EXPECT(!mk("file,id=f4,path=/nonexistent/dir/x"));
    EXPECT_STR(last_err, "Could not open '/nonexistent/dir/x': No such file "
               "or directory");

    const char *log = tpath("log.txt");
    snprintf(spec, sizeof(spec), "null,id=l1,logfile=%s", log);
    t = tfe_attach(mk(spec));
    wr(t, "logged");
    tfe_free(t);
    del("l1");
    EXPECT_STR(slurp(log), "logged");
}

TEST(pipe_uses_in_and_out_fifos)
{
    setup();
    const char *base = tpath("fifo");
    char in[160], out[160], spec[256];
    snprintf(in, sizeof(in), "%s.in", base);
    snprintf(out, sizeof(out), "%s.out", base);
    EXPECT_EQ(mkfifo(in, 0600), 0);
    EXPECT_EQ(mkfifo(out, 0600), 0);
    snprintf(spec, sizeof(spec), "pipe,id=p1,path=%s", base);
    struct chardev *chr = mk(spec);
    EXPECT(chr);
    if (!chr) {
        return;
    }
    struct tfe *t = tfe_attach(chr);
    int win = open(in, O_WRONLY | O_NONBLOCK);
    int rout = open(out, O_RDONLY | O_NONBLOCK);
    EXPECT(win >= 0 && rout >= 0);
    EXPECT_EQ(write(win, "ping", 4), 4);
    PUMP_UNTIL(t->len >= 4, 1000);
    EXPECT(has_data(t, "ping"));
    wr(t, "pong");
    uint8_t buf[16];
    EXPECT_EQ(drain(rout, buf, 4, 500), 4);
    EXPECT(!memcmp(buf, "pong", 4));
    close(win);
    close(rout);
    tfe_free(t);
    del("p1");
}

TEST(stdio_only_once)
{
    setup();
    struct chardev *chr = mk("stdio,id=s1,signal=off");
    EXPECT(chr);
    EXPECT(chr && chr_is_stdio(chr));
    EXPECT(!mk("stdio,id=s2"));
    EXPECT_STR(last_err, "cannot use stdio by multiple character devices");
    del("s1");
    EXPECT(mk("stdio,id=s3"));
    del("s3");
}

/* ---------------------------------------------------------------------------
 * Sockets
 */

TEST(unix_server_events_data_and_filenames)
{
    setup();
    char spec[256];
    const char *path = tpath("s.sock");
    snprintf(spec, sizeof(spec), "socket,id=u1,path=%s,server=on,wait=off",
             path);
    struct chardev *chr = mk(spec);
    EXPECT(chr);
    if (!chr) {
        return;
    }
    char want[256];
    snprintf(want, sizeof(want), "disconnected:unix:%s,server=on", path);
    EXPECT_STR(chr_filename(chr), want);
    struct tfe *t = tfe_attach(chr);
    pump(20);
    EXPECT_EQ(t->nev, 0);

    int c = unix_client(path);
    EXPECT(c >= 0);
    PUMP_UNTIL(count_ev(t, CHR_EVENT_OPENED), 1000);
    EXPECT_EQ(count_ev(t, CHR_EVENT_OPENED), 1);
    snprintf(want, sizeof(want), "unix:%s,server=on", path);
    EXPECT_STR(chr_filename(chr), want);
    EXPECT_EQ(write(c, "hello", 5), 5);
    PUMP_UNTIL(t->len >= 5, 1000);
    EXPECT(has_data(t, "hello"));
    wr(t, "world");
    uint8_t buf[16];
    EXPECT_EQ(drain(c, buf, 5, 500), 5);
    EXPECT(!memcmp(buf, "world", 5));

    /* A second client waits until the first leaves. */
    int c2 = unix_client(path);
    EXPECT(c2 >= 0);
    pump(50);
    EXPECT_EQ(count_ev(t, CHR_EVENT_OPENED), 1);
    close(c);
    PUMP_UNTIL(count_ev(t, CHR_EVENT_OPENED) == 2, 1000);
    EXPECT_EQ(count_ev(t, CHR_EVENT_CLOSED), 1);
    EXPECT_EQ(count_ev(t, CHR_EVENT_OPENED), 2);
    EXPECT_EQ(write(c2, "two", 3), 3);
    PUMP_UNTIL(has_data(t, "two"), 1000);
    EXPECT(has_data(t, "two"));
    close(c2);
    PUMP_UNTIL(count_ev(t, CHR_EVENT_CLOSED) == 2, 1000);
    snprintf(want, sizeof(want), "disconnected:unix:%s,server=on", path);
    EXPECT_STR(chr_filename(chr), want);
    tfe_free(t);
    del("u1");
    struct stat st;
    EXPECT(stat(path, &st) < 0);    /* the socket file is removed */
}

TEST(tcp_client_reconnects_to_server)
{
    setup();
    struct chardev *srv = mk("socket,id=ts,host=127.0.0.1,port=0,server=on,"
                             "wait=off,nodelay=on");
    EXPECT(srv);
    if (!srv) {
        return;
    }
    int port = filename_port(srv);
    char want[128], spec[160];
    snprintf(want, sizeof(want), "disconnected:tcp:127.0.0.1:%d,server=on",
             port);
    EXPECT_STR(chr_filename(srv), want);
    struct tfe *ts = tfe_attach(srv);

    snprintf(spec, sizeof(spec),
             "socket,id=tc,host=127.0.0.1,port=%d,reconnect=1", port);
    struct chardev *cli = mk(spec);
    EXPECT(cli);
    struct tfe *tc = tfe_attach(cli);
    PUMP_UNTIL(count_ev(ts, CHR_EVENT_OPENED) && count_ev(tc, CHR_EVENT_OPENED),
               2000);
    EXPECT_EQ(count_ev(ts, CHR_EVENT_OPENED), 1);
    EXPECT_EQ(count_ev(tc, CHR_EVENT_OPENED), 1);
    char pre[64];
    snprintf(pre, sizeof(pre), "tcp:127.0.0.1:%d,server=on <-> 127.0.0.1:",
             port);
    EXPECT(!strncmp(chr_filename(srv), pre, strlen(pre)));
    snprintf(pre, sizeof(pre), " <-> 127.0.0.1:%d", port);
    EXPECT(strstr(chr_filename(cli), pre) &&
           !strncmp(chr_filename(cli), "tcp:127.0.0.1:", 14));

    wr(tc, "to-server");
    wr(ts, "to-client");
    PUMP_UNTIL(has_data(ts, "to-server") && has_data(tc, "to-client"), 1000);
    EXPECT(has_data(ts, "to-server"));
    EXPECT(has_data(tc, "to-client"));

    /* The server goes away: CLOSED, then a reconnect once it is back. */
    tfe_free(ts);
    del("ts");
    PUMP_UNTIL(count_ev(tc, CHR_EVENT_CLOSED), 1000);
    EXPECT_EQ(count_ev(tc, CHR_EVENT_CLOSED), 1);
    snprintf(want, sizeof(want), "disconnected:tcp:127.0.0.1:%d", port);
    EXPECT_STR(chr_filename(cli), want);
    wr(tc, "dropped");      /* nobody there: silently dropped */

    snprintf(spec, sizeof(spec),
             "socket,id=ts,host=127.0.0.1,port=%d,server=on,wait=off", port);
    srv = mk(spec);
    EXPECT(srv);
    ts = tfe_attach(srv);
    PUMP_UNTIL(count_ev(tc, CHR_EVENT_OPENED) == 2, 3000);
    EXPECT_EQ(count_ev(tc, CHR_EVENT_OPENED), 2);
    PUMP_UNTIL(count_ev(ts, CHR_EVENT_OPENED), 1000);
    wr(tc, "again");
    PUMP_UNTIL(has_data(ts, "again"), 1000);
    EXPECT(has_data(ts, "again"));
    EXPECT(!has_data(ts, "dropped"));
    tfe_free(tc);
    del("tc");
    tfe_free(ts);
    del("ts");
}

TEST(tcp_client_without_reconnect_fails_at_once)
{
    setup();
    struct chardev *srv = mk("socket,id=tmp,host=127.0.0.1,port=0,server=on,"
                             "wait=off");
    int port = filename_port(srv);
    del("tmp");
    char spec[128], want[128];
    snprintf(spec, sizeof(spec), "socket,id=c,host=127.0.0.1,port=%d", port);
    EXPECT(!mk(spec));
    snprintf(want, sizeof(want),
             "Failed to connect to '127.0.0.1:%d': Connection refused", port);
    EXPECT_STR(last_err, want);
    snprintf(spec, sizeof(spec), "socket,id=c,path=%s", tpath("nosock"));
    EXPECT(!mk(spec));
    EXPECT(strstr(last_err, "No such file or directory") != NULL);
}

TEST(telnet_negotiation_iac_stripping_and_break)
{
    setup();
    struct chardev *chr = mk("socket,id=tn,host=127.0.0.1,port=0,server=on,"
                             "wait=off,telnet=on");
    EXPECT(chr);
    if (!chr) {
        return;
    }
    EXPECT(!strncmp(chr_filename(chr), "disconnected:telnet:127.0.0.1:", 30));
    struct tfe *t = tfe_attach(chr);
    int c = tcp_client(filename_port(chr));
    EXPECT(c >= 0);
    uint8_t buf[64];
    static const uint8_t init[] = { 255, 251, 1, 255, 251, 3,
                                    255, 251, 0, 255, 253, 0 };
    EXPECT_EQ(drain(c, buf, sizeof(init), 1000), (int)sizeof(init));
    EXPECT(!memcmp(buf, init, sizeof(init)));

    static const uint8_t in[] = {
        'a', 255, 253, 1,               /* IAC DO ECHO: dropped */
        'b', 255, 255,                  /* IAC IAC: a literal 255 */
        255, 243,                       /* IAC BREAK */
        'c', 255, 250, 24, 0, 'x', 255, 240,  /* subnegotiation: dropped */
        255, 241,                       /* IAC NOP */
        'd',
    };
    EXPECT_EQ(write(c, in, sizeof(in)), (int)sizeof(in));
    PUMP_UNTIL(t->len >= 5, 1000);
    EXPECT_EQ(t->len, 5);
    EXPECT(!memcmp(t->data, "ab\xff" "cd", 5));
    EXPECT_EQ(count_ev(t, CHR_EVENT_BREAK), 1);

    /* A 255 from the front end goes out doubled. */
    wr(t, "z\xff");
    EXPECT_EQ(drain(c, buf, 3, 500), 3);
    EXPECT(!memcmp(buf, "z\xff\xff", 3));
    close(c);
    tfe_free(t);
    del("tn");
}

TEST(input_waits_while_front_end_is_full)
{
    setup();
    const char *path = tpath("fc.sock");
    char spec[256];
    snprintf(spec, sizeof(spec), "socket,id=fc,path=%s,server=on,wait=off",
             path);
    struct chardev *chr = mk(spec);
    struct tfe *t = tfe_attach(chr);
    t->room = 0;
    int c = unix_client(path);
    EXPECT_EQ(write(c, "abcdef", 6), 6);
    pump(60);
    EXPECT_EQ(t->len, 0);
    t->room = 2;
    /* The retry timer notices room without accept_input. */
    PUMP_UNTIL(t->len == 6, 1000);
    EXPECT_EQ(t->len, 6);
    t->room = 0;
    EXPECT_EQ(write(c, "gh", 2), 2);
    pump(30);
    EXPECT_EQ(t->len, 6);
    t->room = 100;
    chr_fe_accept_input(t->fe);
    PUMP_UNTIL(t->len == 8, 500);
    EXPECT(t->len == 8 && !memcmp(t->data, "abcdefgh", 8));
    close(c);
    tfe_free(t);
    del("fc");
}

TEST(udp_datagrams_both_ways)
{
    setup();
    int peer = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof(a);
    bind(peer, (struct sockaddr *)&a, sizeof(a));
    getsockname(peer, (struct sockaddr *)&a, &al);
    /* Find a free local port for the chardev. */
    int tmp = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in b = a;
    b.sin_port = 0;
    bind(tmp, (struct sockaddr *)&b, sizeof(b));
    al = sizeof(b);
    getsockname(tmp, (struct sockaddr *)&b, &al);
    close(tmp);

    char spec[200];
    snprintf(spec, sizeof(spec), "udp,id=ud,host=127.0.0.1,port=%d,"
             "localaddr=127.0.0.1,localport=%d", ntohs(a.sin_port),
             ntohs(b.sin_port));
    struct chardev *chr = mk(spec);
    EXPECT(chr);
    if (!chr) {
        printf("#   %s\n", last_err);
        return;
    }
    EXPECT_STR(chr_filename(chr), "udp");
    struct tfe *t = tfe_attach(chr);
    wr(t, "out");
    uint8_t buf[16];
    EXPECT_EQ(drain(peer, buf, 3, 500), 3);
    EXPECT(!memcmp(buf, "out", 3));
    EXPECT_EQ(sendto(peer, "in!", 3, 0, (struct sockaddr *)&b, sizeof(b)), 3);
    PUMP_UNTIL(t->len == 3, 1000);
    EXPECT(has_data(t, "in!"));
    close(peer);
    tfe_free(t);
    del("ud");
}

/* ---------------------------------------------------------------------------
 * pty
 */

TEST(pty_connects_when_slave_opens)
{
    setup();
    struct chardev *chr = mk("pty,id=pt");
    EXPECT(chr);
    if (!chr) {
        return;
    }
    const char *f = chr_filename(chr);
    EXPECT(!strncmp(f, "pty:/dev/pts/", 13));
    struct tfe *t = tfe_attach(chr);
    pump(300);
    EXPECT_EQ(count_ev(t, CHR_EVENT_OPENED), 0);
    wr(t, "lost");      /* nobody has the slave open: dropped */

    int s = open(f + 4, O_RDWR | O_NOCTTY);
    EXPECT(s >= 0);
    PUMP_UNTIL(count_ev(t, CHR_EVENT_OPENED), 2000);
    EXPECT_EQ(count_ev(t, CHR_EVENT_OPENED), 1);
    EXPECT_EQ(write(s, "key\r", 4), 4);
    PUMP_UNTIL(t->len >= 4, 1000);
    EXPECT(t->len == 4 && !memcmp(t->data, "key\r", 4));   /* raw */
    wr(t, "shown\n");
    uint8_t buf[16];
    EXPECT_EQ(drain(s, buf, 6, 500), 6);
    EXPECT(!memcmp(buf, "shown\n", 6));
    close(s);
    PUMP_UNTIL(count_ev(t, CHR_EVENT_CLOSED), 2000);
    EXPECT_EQ(count_ev(t, CHR_EVENT_CLOSED), 1);
    tfe_free(t);
    del("pt");
}

/* ---------------------------------------------------------------------------
 * mux
 */

TEST(mux_escapes_focus_break_help_and_timestamps)
{
    setup();
    const char *path = tpath("mux.sock");
    char spec[256];
    snprintf(spec, sizeof(spec),
             "socket,id=mx,path=%s,server=on,wait=off,mux=on", path);
    struct chardev *chr = mk(spec);
    EXPECT(chr);
    if (!chr) {
        return;
    }
    EXPECT_STR(chr_filename(chr), "mux");
    EXPECT(chr_find("mx-base") != NULL);
    EXPECT(!chr_frontend_open(chr));
    struct tfe *a = tfe_attach(chr);
    struct tfe *b = tfe_attach(chr);
    EXPECT(a->fe && b->fe);
    EXPECT(chr_frontend_open(chr));
    EXPECT(chr_frontend_open(chr_find("mx-base")));
    pump(20);
    EXPECT_EQ(count_ev(a, CHR_EVENT_MUX_OUT), 1);  /* b took the focus */
    EXPECT_EQ(count_ev(b, CHR_EVENT_MUX_IN), 1);

    int c = unix_client(path);
    PUMP_UNTIL(count_ev(a, CHR_EVENT_OPENED) && count_ev(b, CHR_EVENT_OPENED),
               1000);
    EXPECT_EQ(count_ev(a, CHR_EVENT_OPENED), 1);
    EXPECT_EQ(count_ev(b, CHR_EVENT_OPENED), 1);

    EXPECT_EQ(write(c, "x", 1), 1);
    PUMP_UNTIL(b->len, 500);
    EXPECT(b->len == 1 && b->data[0] == 'x');
    EXPECT_EQ(write(c, "\x01" "cy", 3), 3);     /* C-a c: focus to a */
    PUMP_UNTIL(a->len, 500);
    EXPECT(a->len == 1 && a->data[0] == 'y');
    EXPECT_EQ(count_ev(b, CHR_EVENT_MUX_OUT), 1);
    EXPECT_EQ(count_ev(a, CHR_EVENT_MUX_IN), 1);
    EXPECT_EQ(write(c, "\x01\x01" "\x01" "b" "\x01" "q", 6), 6);
    PUMP_UNTIL(count_ev(a, CHR_EVENT_BREAK), 500);
    EXPECT(a->len == 2 && a->data[1] == 0x01);  /* C-a C-a: itself */
    EXPECT_EQ(count_ev(a, CHR_EVENT_BREAK), 1);
    EXPECT_EQ(count_ev(b, CHR_EVENT_BREAK), 0);

    /* Output from either front end goes out. */
    wr(b, "from-b ");
    wr(a, "from-a");
    uint8_t buf[1024];
    int n = drain(c, buf, 13, 500);
    EXPECT(n == 13 && !memcmp(buf, "from-b from-a", 13));

    EXPECT_EQ(write(c, "\x01h", 2), 2);
    n = drain(c, buf, sizeof(buf) - 1, 300);
    buf[n < 0 ? 0 : n] = 0;
    EXPECT(strstr((char *)buf, "\n\rC-a h    print this help\n\r") != NULL);
    EXPECT(strstr((char *)buf, "C-a c    switch between console and "
                  "monitor\n\r") != NULL);
    EXPECT(strstr((char *)buf, "C-a C-a  sends C-a\n\r") != NULL);

    chr_mux_escape_char = 0x14;     /* -echr 20: Ctrl-t */
    EXPECT_EQ(write(c, "\x14h", 2), 2);
    n = drain(c, buf, sizeof(buf) - 1, 300);
    buf[n < 0 ? 0 : n] = 0;
    EXPECT(strstr((char *)buf, "C-t x    exit emulator") != NULL);
    chr_mux_escape_char = 0x01;

    EXPECT_EQ(write(c, "\x01t", 2), 2);
    pump(30);
    wr(a, "one\ntwo\n");
    n = drain(c, buf, sizeof(buf) - 1, 300);
    buf[n < 0 ? 0 : n] = 0;
    EXPECT(!strncmp((char *)buf, "one\n[00:00:00.", 14));
    EXPECT(strstr((char *)buf, "] two\n") != NULL);

    /* Detaching the focused front end passes the focus on. */
    EXPECT_EQ(write(c, "\x01t" "\x01" "c", 4), 4);    /* timestamps off, to b */
    pump(30);
    tfe_free(b);
    EXPECT_EQ(write(c, "z", 1), 1);
    PUMP_UNTIL(a->len == 3, 500);
    EXPECT(a->len == 3 && a->data[2] == 'z');

    close(c);
    PUMP_UNTIL(count_ev(a, CHR_EVENT_CLOSED), 1000);
    EXPECT_EQ(count_ev(a, CHR_EVENT_CLOSED), 1);
    tfe_free(a);
    del("mx");
    del("mx-base");
}

TEST(mux_allows_four_front_ends)
{
    setup();
    struct chardev *chr = mk("null,id=m4,mux=on");
    struct tfe *t[5];
    for (int i = 0; i < 4; i++) {
        t[i] = tfe_attach(chr);
        EXPECT(t[i]->fe != NULL);
    }
    struct err *e = NULL;
    EXPECT(!chr_fe_attach(chr, &tfe_ops, NULL, &e));
    EXPECT(e && !strcmp(e->msg, "too many uses of multiplexed chardev 'm4' "
                        "(maximum is 4)"));
    err_free(e);
    pump(20);
    /* Every front end gets exactly one OPENED. */
    for (int i = 0; i < 4; i++) {
        EXPECT_EQ(count_ev(t[i], CHR_EVENT_OPENED), 1);
        tfe_free(t[i]);
    }
    del("m4");
    del("m4-base");
}

/* ---------------------------------------------------------------------------
 * Legacy -serial syntax
 */

TEST(compat_syntax)
{
    setup();
    bool mon = true;
    struct chardev *chr = mk_compat("serial0", "tcp:127.0.0.1:0,server=on,"
                                    "wait=off", &mon);
    EXPECT(chr && !mon);
    EXPECT(chr && !strncmp(chr_filename(chr), "disconnected:tcp:127.0.0.1:",
                           27));
    del("serial0");

    chr = mk_compat("serial0", "telnet::0,server,nowait", NULL);
    EXPECT(chr && !strncmp(chr_filename(chr), "disconnected:telnet:0.0.0.0:",
                           28));
    del("serial0");

    char spec[200], want[200];
    snprintf(spec, sizeof(spec), "unix:%s,server,nowait", tpath("c.sock"));
    chr = mk_compat("compat_monitor0", spec, &mon);
    snprintf(want, sizeof(want), "disconnected:unix:%s,server=on",
             tpath("c.sock"));
    EXPECT(chr && !mon);
    EXPECT(chr && !strcmp(chr_filename(chr), want));
    del("compat_monitor0");

    chr = mk_compat("serial0", "mon:null", &mon);
    EXPECT(chr && mon);
    EXPECT(chr && !strcmp(chr_id(chr), "serial0"));
    EXPECT_STR(chr_filename(chr), "mux");
    EXPECT_STR(chr_filename(chr_find("serial0-base")), "null");
    EXPECT(mk_compat("serial1", "chardev:serial0", &mon) == chr && !mon);
    del("serial0");
    del("serial0-base");

    snprintf(spec, sizeof(spec), "file:%s", tpath("compat.txt"));
    EXPECT(mk_compat("serial0", spec, NULL));
    del("serial0");
    EXPECT(mk_compat("serial0", "udp:127.0.0.1:4555@:0", NULL));
    del("serial0");
    EXPECT(mk_compat("serial0", "udp::4555", NULL));
    del("serial0");
    EXPECT(mk_compat("serial0", "null", NULL));
    del("serial0");

    EXPECT(!mk_compat("serial0", "vc:80Cx24C", NULL));
    EXPECT_STR(last_err, "vc: not supported");
    EXPECT(!mk_compat("serial0", "/dev/ttyS0", NULL));
    EXPECT_STR(last_err, "serial: not supported");
    EXPECT(!mk_compat("serial0", "bogus", NULL));
    EXPECT_STR(last_err, "'bogus' is not a valid char driver");
    EXPECT(!mk_compat("serial0", "tcp:4444", NULL));
    EXPECT_STR(last_err, "'tcp:4444' is not a valid char driver");
    EXPECT(!mk_compat("serial0", "chardev:nope", NULL));
    EXPECT_STR(last_err, "Chardev 'nope' not found");
    EXPECT(!mk_compat("serial0", "tcp::1,server=on,bogus=1", NULL));
    EXPECT_STR(last_err, "Invalid parameter 'bogus'");
    EXPECT(!chr_find("serial0"));
}

static void add_id(struct chardev *c, void *opaque)
{
    strcat(opaque, chr_id(c));
    strcat(opaque, " ");
}

TEST(foreach_lists_in_creation_order_and_help)
{
    setup();
    mk("null,id=o1");
    mk("ringbuf,id=o2,mux=on");
    char ids[256] = "";
    chr_foreach(add_id, ids);
    EXPECT_STR(ids, "o1 o2-base o2 ");
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    chr_print_help(f);
    fclose(f);
    EXPECT(!strncmp(out, "Available chardev backend types: \n", 34));
    EXPECT(strstr(out, "\n  socket\n") != NULL);
    free(out);
    chr_cleanup_all();
    ids[0] = 0;
    chr_foreach(add_id, ids);
    EXPECT_STR(ids, "");
}

TEST_MAIN()
