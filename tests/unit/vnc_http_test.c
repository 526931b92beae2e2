/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnc_http_test.c - the websocket port's request reader (remote/http.c):
 * incomplete requests wait, upgrades are told apart from GETs on any path
 * and with any header case, paths are decoded and never escape, other
 * methods and junk are refused; and the keymaps of remote/keymap.c. */
#include "emu/osdep.h"

#include "remote/http.h"
#include "remote/keymap.h"
#include "tests/unit/test.h"

static enum http_kind kind(const char *s, struct http_request *r)
{
    http_parse(s, strlen(s), r);
    return r->kind;
}

TEST(requests)
{
    struct http_request r;
    EXPECT_EQ(kind("GET / HTTP/1.1\r\nHost: x\r\n", &r), HTTP_INCOMPLETE);
    EXPECT_EQ(kind("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &r), HTTP_GET);
    EXPECT_STR(r.path, "/");
    EXPECT_EQ(kind("GET /websockify HTTP/1.1\r\nupgrade:  WebSocket\r\n"
                   "Connection: Upgrade\r\n\r\n", &r), HTTP_UPGRADE);
    EXPECT_STR(r.path, "/websockify");
    EXPECT_EQ(kind("GET /?x=1 HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", &r),
              HTTP_UPGRADE);
    EXPECT_STR(r.path, "/");
    EXPECT_EQ(kind("HEAD /novnc/core/rfb.js HTTP/1.0\r\n\r\n", &r), HTTP_GET);
    EXPECT(r.head);
    EXPECT_EQ(kind("GET /a%20b.html HTTP/1.1\r\n\r\n", &r), HTTP_GET);
    EXPECT_STR(r.path, "/a b.html");
    EXPECT_EQ(kind("POST / HTTP/1.1\r\n\r\n", &r), HTTP_METHOD);
    EXPECT_EQ(kind("GET / SPDY/9\r\n\r\n", &r), HTTP_BAD);
    EXPECT_EQ(kind("GET\r\n\r\n", &r), HTTP_BAD);
    EXPECT_EQ(kind("\r\n\r\n", &r), HTTP_BAD);
}

TEST(paths_never_escape)
{
    struct http_request r;
    EXPECT_EQ(kind("GET /../etc/passwd HTTP/1.1\r\n\r\n", &r), HTTP_BAD);
    EXPECT_EQ(kind("GET /a/%2e%2e/%2e%2e/x HTTP/1.1\r\n\r\n", &r), HTTP_BAD);
    EXPECT_EQ(kind("GET /.. HTTP/1.1\r\n\r\n", &r), HTTP_BAD);
    EXPECT_EQ(kind("GET /a%00b HTTP/1.1\r\n\r\n", &r), HTTP_BAD);
    EXPECT_EQ(kind("GET /a%2 HTTP/1.1\r\n\r\n", &r), HTTP_BAD);
    EXPECT_EQ(kind("GET a.html HTTP/1.1\r\n\r\n", &r), HTTP_BAD);
    EXPECT_EQ(kind("GET /..a/b.. HTTP/1.1\r\n\r\n", &r), HTTP_GET);
    char big[HTTP_MAX_REQUEST + 10];
    memset(big, 'a', sizeof(big));
    http_parse(big, sizeof(big), &r);
    EXPECT_EQ(r.kind, HTTP_BAD);
}

TEST(content_types)
{
    EXPECT_STR(http_content_type("/index.html"), "text/html; charset=utf-8");
    EXPECT_STR(http_content_type("/core/rfb.js"), "text/javascript; charset=utf-8");
    EXPECT_STR(http_content_type("/LICENSE"), "application/octet-stream");
}

TEST(keymaps)
{
    EXPECT_EQ(keymap_select("en-us", NULL), 0);
    EXPECT_EQ(keymap_lookup('a'), 0x1e);
    EXPECT_EQ(keymap_lookup('A'), 0x1e);
    EXPECT_EQ(keymap_lookup('@'), 0x03);
    EXPECT_EQ(keymap_lookup(0xff0d), 0x1c);
    EXPECT_EQ(keymap_lookup(0x1000061), 0x1e);    /* Unicode keysym 'a' */
    EXPECT_EQ(keymap_lookup(0x12345678), 0);
    EXPECT_EQ(keymap_select("de", NULL), 0);
    EXPECT_EQ(keymap_lookup('z'), 0x15);
    EXPECT_EQ(keymap_lookup('@'), 0x10);
    EXPECT_EQ(keymap_lookup(0x20ac), 0x12);       /* EuroSign on e */
    EXPECT_EQ(keymap_lookup(0xdf), 0x0c);         /* ssharp */
    EXPECT_EQ(keymap_select("fr", NULL), 0);
    EXPECT_EQ(keymap_lookup('a'), 0x10);
    EXPECT_EQ(keymap_lookup('1'), 0x02);
    EXPECT_EQ(keymap_lookup('&'), 0x02);
    EXPECT_EQ(keymap_select("xx", NULL), -1);
    EXPECT_STR(keymap_name(), "fr");
}

TEST_MAIN()
