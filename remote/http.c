/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http.c - reads the request line and headers of an HTTP/1.1 request
 * (RFC 9112 §3, §5) just far enough to tell a websocket upgrade (RFC 6455
 * §4.1: GET with "Upgrade: websocket") from a GET for a file of the web
 * console.  Paths are percent-decoded and refused if they could leave the
 * web directory.
 */
#include "emu/osdep.h"

#include <strings.h>

#include "remote/http.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decode target into out; false if it is not a safe relative file path. */
static bool decode_path(const char *t, size_t n, char *out, size_t outsz)
{
    size_t o = 0;
    if (!n || t[0] != '/') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (c == '?' || c == '#') {
            break;
        }
        if (c == '%') {
            if (i + 2 >= n) {
                return false;
            }
            int h = hexval(t[i + 1]), l = hexval(t[i + 2]);
            if (h < 0 || l < 0) {
                return false;
            }
            c = (char)(h << 4 | l);
            i += 2;
        }
        if (c == '\0' || c == '\\' || (unsigned char)c < 0x20) {
            return false;
        }
        if (o + 1 >= outsz) {
            return false;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    /* No ".." segment anywhere. */
    for (const char *p = out; (p = strstr(p, "..")); p += 2) {
        bool start = p == out || p[-1] == '/';
        bool end = p[2] == '\0' || p[2] == '/';
        if (start && end) {
            return false;
        }
    }
    return true;
}

void http_parse(const char *buf, size_t len, struct http_request *req)
{
    memset(req, 0, sizeof(*req));
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (!end) {
        req->kind = len >= HTTP_MAX_REQUEST ? HTTP_BAD : HTTP_INCOMPLETE;
        return;
    }
    size_t hlen = end - buf + 2;    /* through the last header's CRLF */
    const char *eol = memmem(buf, hlen, "\r\n", 2);
    const char *sp1 = memchr(buf, ' ', eol - buf);
    if (!sp1) {
        req->kind = HTTP_BAD;
        return;
    }
    const char *sp2 = memchr(sp1 + 1, ' ', eol - sp1 - 1);
    if (!sp2 || eol - sp2 < 9 || memcmp(sp2 + 1, "HTTP/1.", 7)) {
        req->kind = HTTP_BAD;
        return;
    }
    size_t mlen = sp1 - buf;
    bool get = mlen == 3 && !memcmp(buf, "GET", 3);
    req->head = mlen == 4 && !memcmp(buf, "HEAD", 4);
    if (!get && !req->head) {
        req->kind = HTTP_METHOD;
        return;
    }
    if (!decode_path(sp1 + 1, sp2 - sp1 - 1, req->path, sizeof(req->path))) {
        req->kind = HTTP_BAD;
        return;
    }
    /* Headers: look for Upgrade: websocket. */
    bool upgrade = false;
    for (const char *l = eol + 2; l < buf + hlen;) {
        const char *le = memmem(l, buf + hlen - l, "\r\n", 2);
        if (!le) {
            break;
        }
        size_t ll = le - l;
        if (ll > 8 && !strncasecmp(l, "upgrade:", 8)) {
            const char *v = l + 8;
            size_t vl = ll - 8;
            while (vl && (*v == ' ' || *v == '\t')) {
                v++;
                vl--;
            }
            if (vl >= 9 && !strncasecmp(v, "websocket", 9)) {
                upgrade = true;
            }
        }
        l = le + 2;
    }
    req->kind = upgrade && get ? HTTP_UPGRADE : HTTP_GET;
}

const char *http_content_type(const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        { ".html", "text/html; charset=utf-8" },
        { ".js", "text/javascript; charset=utf-8" },
        { ".css", "text/css; charset=utf-8" },
        { ".svg", "image/svg+xml" },
        { ".png", "image/png" },
        { ".ico", "image/x-icon" },
        { ".json", "application/json" },
        { ".txt", "text/plain; charset=utf-8" },
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < ARRAY_SIZE(types); i++) {
        if (!strcmp(dot, types[i].ext)) {
            return types[i].type;
        }
    }
    return "application/octet-stream";
}
