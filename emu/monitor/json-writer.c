/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json-writer.c - QEMU-style JSON output for QMP replies and events.
 * The QMP specification promises ASCII output, so every non-ASCII code
 * point is escaped as \uXXXX (surrogate pairs above U+FFFF) and invalid
 * UTF-8 becomes U+FFFD, as QEMU does.  Pretty output matches -qmp-pretty
 * of QEMU 6.2, including its "{\n}" for empty containers.
 */
#include "emu/osdep.h"
#include <json-c/json.h>

#include "emu/monitor/json-writer.h"
#include "emu/util/cutils.h"    /* sbuf */

/* Decode one UTF-8 sequence at s (n bytes left); -1 if invalid. */
static int utf8_decode(const unsigned char *s, size_t n, size_t *used)
{
    int cp, len;
    unsigned char c = s[0];

    if (c < 0x80) {
        *used = 1;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, cp = c & 0x07;
    } else {
        *used = 1;
        return -1;
    }
    for (int i = 1; i < len; i++) {
        if (i >= (int)n || (s[i] & 0xC0) != 0x80) {
            *used = i;
            return -1;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *used = len;
    /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        return -1;
    }
    return cp;
}

static void write_string(struct sbuf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, used;

    sbuf_addn(b, "\"", 1);
    while (i < n) {
        int cp = utf8_decode(p + i, n - i, &used);
        i += used;
        switch (cp) {
        case '"': sbuf_addn(b, "\\\"", 2); continue;
        case '\\': sbuf_addn(b, "\\\\", 2); continue;
        case '\b': sbuf_addn(b, "\\b", 2); continue;
        case '\f': sbuf_addn(b, "\\f", 2); continue;
        case '\n': sbuf_addn(b, "\\n", 2); continue;
        case '\r': sbuf_addn(b, "\\r", 2); continue;
        case '\t': sbuf_addn(b, "\\t", 2); continue;
        }
        if (cp < 0) {
            cp = 0xFFFD;
        }
        if (cp >= 0x20 && cp < 0x7F) {
            char c = (char)cp;
            sbuf_addn(b, &c, 1);
        } else if (cp > 0xFFFF) {
            cp -= 0x10000;
            sbuf_addf(b, "\\u%04X\\u%04X", 0xD800 | (cp >> 10),
                      0xDC00 | (cp & 0x3FF));
        } else {
            sbuf_addf(b, "\\u%04X", cp);
        }
    }
    sbuf_addn(b, "\"", 1);
}

static void newline(struct sbuf *b, int depth)
{
    sbuf_addf(b, "\n%*s", depth * 4, "");
}

/* Before the n-th element of a container at depth. */
static void separator(struct sbuf *b, size_t n, int depth, bool pretty)
{
    if (n) {
        sbuf_addn(b, ",", 1);
    }
    if (pretty) {
        newline(b, depth);
    } else if (n) {
        sbuf_addn(b, " ", 1);
    }
}

static void write_value(struct sbuf *b, json_object *o, bool pretty,
                        int depth)
{
    size_t n = 0;

    switch (json_object_get_type(o)) {
    case json_type_null:
        sbuf_addn(b, "null", 4);
        break;
    case json_type_boolean:
        sbuf_addf(b, "%s", json_object_get_boolean(o) ? "true" : "false");
        break;
    case json_type_int:
        /* json-c keeps values above INT64_MAX as unsigned. */
        if (json_object_get_int64(o) == INT64_MAX) {
            sbuf_addf(b, "%" PRIu64, json_object_get_uint64(o));
        } else {
            sbuf_addf(b, "%" PRId64, json_object_get_int64(o));
        }
        break;
    case json_type_double: {
        double d = json_object_get_double(o);
        /* JSON has no NaN/Inf; QEMU never emits them either. */
        if (d != d || d - d != 0) {
            sbuf_addn(b, "null", 4);
        } else {
            sbuf_addf(b, "%.17g", d);
        }
        break;
    }
    case json_type_string:
        write_string(b, json_object_get_string(o),
                     (size_t)json_object_get_string_len(o));
        break;
    case json_type_object:
        sbuf_addn(b, "{", 1);
        json_object_object_foreach(o, key, val) {
            separator(b, n++, depth + 1, pretty);
            write_string(b, key, strlen(key));
            sbuf_addn(b, ": ", 2);
            write_value(b, val, pretty, depth + 1);
        }
        if (pretty) {
            newline(b, depth);
        }
        sbuf_addn(b, "}", 1);
        break;
    case json_type_array: {
        size_t len = json_object_array_length(o);
        sbuf_addn(b, "[", 1);
        for (n = 0; n < len; n++) {
            separator(b, n, depth + 1, pretty);
            write_value(b, json_object_array_get_idx(o, n), pretty, depth + 1);
        }
        if (pretty) {
            newline(b, depth);
        }
        sbuf_addn(b, "]", 1);
        break;
    }
    }
}

void json_write(struct sbuf *b, json_object *obj, bool pretty)
{
    write_value(b, obj, pretty, 0);
}
