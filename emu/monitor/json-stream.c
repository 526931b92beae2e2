/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json-stream.c - framing of QMP input into JSON values (see
 * json-stream.h).  json-c does the parsing; this file only decides where
 * a value ends, so that one malformed command costs one error reply and
 * the next command parses, as with QEMU's json-streamer.  QEMU's lexer
 * also accepts 'single-quoted' strings, so the framing knows both quotes.
 */
#include "emu/osdep.h"
#include <ctype.h>
#include <json-c/json.h>

#include "emu/monitor/json-stream.h"
#include "emu/util/cutils.h"    /* sbuf */

void json_stream_init(struct json_stream *js, json_stream_fn *emit,
                      void *opaque)
{
    memset(js, 0, sizeof(*js));
    js->emit = emit;
    js->opaque = opaque;
}

static void clear_value(struct json_stream *js)
{
    js->buf.len = 0;
    if (js->buf.s) {
        js->buf.s[0] = 0;
    }
    /* Do not keep a huge buffer around after one big command. */
    if (js->buf.cap > 65536) {
        free(js->buf.s);
        js->buf.s = NULL;
        js->buf.cap = 0;
    }
    js->depth = 0;
    js->quote = 0;
    js->escape = false;
    js->scalar = false;
}

void json_stream_reset(struct json_stream *js)
{
    clear_value(js);
    js->discard = false;
    js->recover = false;
}

void json_stream_destroy(struct json_stream *js)
{
    free(js->buf.s);
    memset(&js->buf, 0, sizeof(js->buf));
    if (js->tok) {
        json_tokener_free(js->tok);
        js->tok = NULL;
    }
}

static void parse_value(struct json_stream *js)
{
    struct json_tokener *tok = js->tok;
    json_object *obj;
    enum json_tokener_error e;
    char *msg = NULL;

    if (!tok) {
        tok = js->tok = json_tokener_new_ex(JSON_STREAM_MAX_DEPTH + 8);
        json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8);
    }
    json_tokener_reset(tok);
    /* The trailing NUL tells json-c that a bare number or keyword ended. */
    obj = json_tokener_parse_ex(tok, js->buf.s, (int)js->buf.len + 1);
    e = json_tokener_get_error(tok);
    if (e != json_tokener_success && js->scalar && js->buf.len <= 64 &&
        isalpha((unsigned char)js->buf.s[0])) {
        /* QEMU's lexer takes any run of letters as a keyword. */
        msg = xasprintf("JSON parse error, invalid keyword '%s'", js->buf.s);
    } else if (e != json_tokener_success) {
        msg = xasprintf("JSON parse error, %s", json_tokener_error_desc(e));
    } else if (json_tokener_get_parse_end(tok) < js->buf.len) {
        /* "[1]]"-like leftovers cannot happen with bracket framing, but a
         * keyword followed by junk can ("truex"). */
        json_object_put(obj);
        obj = NULL;
        msg = xasprintf("JSON parse error, invalid keyword '%s'", js->buf.s);
    }
    clear_value(js);
    js->emit(js->opaque, obj, msg);
    free(msg);
}

static void fail(struct json_stream *js, const char *msg, bool discard)
{
    clear_value(js);
    js->emit(js->opaque, NULL, msg);
    js->discard = discard;
}

/* Bytes that QEMU's lexer rejects anywhere: clients send them on purpose
 * to resynchronise. */
static bool is_sync_byte(uint8_t c)
{
    return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c >= 0xFE;
}

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_structural(uint8_t c)
{
    return c == '{' || c == '}' || c == '[' || c == ']' || c == ',' ||
           c == ':' || c == '"' || c == '\'';
}

static void lexical_error(struct json_stream *js, uint8_t c)
{
    char *msg;

    if (c >= 0x20 && c < 0x7F) {
        msg = xasprintf("JSON parse error, stray '%c'", c);
    } else {
        msg = xasprintf("JSON parse error, stray '\\x%02X'", c);
    }
    fail(js, msg, false);
    free(msg);
    js->recover = true;
}

/* Track strings and nesting; returns true when the value is complete. */
static bool scan_in_value(struct json_stream *js, uint8_t c)
{
    if (js->quote) {
        if (js->escape) {
            js->escape = false;
        } else if (c == '\\') {
            js->escape = true;
        } else if (c == (uint8_t)js->quote) {
            js->quote = 0;
            return js->depth == 0;
        }
        return false;
    }
    switch (c) {
    case '"':
    case '\'':
        js->quote = (char)c;
        break;
    case '{':
    case '[':
        js->depth++;
        break;
    case '}':
    case ']':
        if (js->depth) {
            js->depth--;
        }
        return js->depth == 0;
    }
    return false;
}

static void feed_byte(struct json_stream *js, uint8_t c)
{
    if (js->recover) {
        /* Like QEMU: after garbage, resume at a bracket or a control byte. */
        if (!(c == '{' || c == '}' || c == '[' || c == ']' ||
              (c < 0x20 && c != '\t') || c >= 0xFE)) {
            return;
        }
        js->recover = false;
    }
    if (is_sync_byte(c) || (js->quote && c < 0x20)) {
        lexical_error(js, c);
        return;
    }
    if (js->discard) {
        /* An oversized value: follow its structure without storing it. */
        bool end = js->scalar ? is_space(c) || is_structural(c)
                              : scan_in_value(js, c);
        if (end) {
            clear_value(js);
            js->discard = false;
        }
        return;
    }
    if (js->scalar && (is_space(c) || is_structural(c))) {
        parse_value(js);
        /* fall through: c starts the next value */
    }
    if (js->buf.len == 0 && is_space(c)) {
        return;
    }
    sbuf_addn(&js->buf, (const char *)&c, 1);
    if (js->buf.len == 1 && !(c == '{' || c == '[' || c == '"' || c == '\'' ||
                              c == '}' || c == ']')) {
        js->scalar = true;
        return;
    }
    if (js->scalar) {
        if (js->buf.len > JSON_STREAM_MAX_SIZE) {
            fail(js, "JSON token size limit exceeded", true);
            js->scalar = true;
        }
        return;
    }
    if (js->buf.len == 1 && (c == '}' || c == ']')) {
        parse_value(js);    /* a stray closer: json-c words the error */
        return;
    }
    if (scan_in_value(js, c)) {
        parse_value(js);
        return;
    }
    if (js->depth > JSON_STREAM_MAX_DEPTH) {
        uint64_t depth = js->depth;
        char quote = js->quote;
        fail(js, "JSON nesting depth limit exceeded", true);
        js->depth = depth;
        js->quote = quote;
    } else if (js->buf.len > JSON_STREAM_MAX_SIZE) {
        uint64_t depth = js->depth;
        char quote = js->quote;
        bool escape = js->escape;
        fail(js, "JSON token size limit exceeded", true);
        js->depth = depth;
        js->quote = quote;
        js->escape = escape;
    }
}

void json_stream_feed(struct json_stream *js, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        feed_byte(js, buf[i]);
    }
}
