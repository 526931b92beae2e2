/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http.h - the small HTTP/1.1 request reader of the websocket port: is a
 * request complete, is it a websocket upgrade, which file does a GET ask
 * for.  Pure functions over bytes from the network (fuzzed).
 */
#ifndef HEMU_REMOTE_HTTP_H
#define HEMU_REMOTE_HTTP_H

#include "emu/osdep.h"

#define HTTP_MAX_REQUEST 8192

enum http_kind {
    HTTP_INCOMPLETE,    /* no blank line yet */
    HTTP_BAD,           /* not a request we answer: 400 */
    HTTP_UPGRADE,       /* GET with Upgrade: websocket */
    HTTP_GET,           /* plain GET (or HEAD) of path */
    HTTP_METHOD,        /* another method: 405 */
};

struct http_request {
    enum http_kind kind;
    bool head;
    char path[256];     /* decoded, without query; safe (no "..") */
};

void http_parse(const char *buf, size_t len, struct http_request *req);
/* Content-Type for a file name. */
const char *http_content_type(const char *path);

#endif
