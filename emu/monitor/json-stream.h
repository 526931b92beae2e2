/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json-stream.h - split a QMP byte stream into top-level JSON values and
 * parse each with json-c.  Modelled on QEMU's JSON streamer (QMP
 * specification, "Forcing the JSON parser into known-good state"):
 * values are framed by bracket counting, a control character or 0xFF
 * resets the parser, and oversized or too deeply nested input is refused
 * without being buffered.
 */
#ifndef HEMU_EMU_MONITOR_JSON_STREAM_H
#define HEMU_EMU_MONITOR_JSON_STREAM_H

#include "emu/osdep.h"
#include "emu/util/cutils.h"    /* struct sbuf */

struct json_object;
struct json_tokener;

#define JSON_STREAM_MAX_SIZE (16u << 20)    /* bytes of one value */
#define JSON_STREAM_MAX_DEPTH 1024

/*
 * Called once per value: obj is the parsed value (owned by the callee;
 * NULL for JSON null when err is NULL) or err is a "JSON parse error, ..."
 * style message.
 */
typedef void json_stream_fn(void *opaque, struct json_object *obj,
                            const char *err);

struct json_stream {
    json_stream_fn *emit;
    void *opaque;
    struct json_tokener *tok;   /* json-c parser, reused for every value */
    struct sbuf buf;        /* the value being framed */
    uint64_t depth;         /* open brackets and braces */
    char quote;             /* the quote of the string we are in, or 0 */
    bool escape;            /* last byte was a backslash inside a string */
    bool scalar;            /* a top-level number or keyword is open */
    bool discard;           /* over a limit: drop bytes until the value ends */
    bool recover;           /* after a lexical error: skip to a sync point */
};

void json_stream_init(struct json_stream *js, json_stream_fn *emit,
                      void *opaque);
void json_stream_feed(struct json_stream *js, const uint8_t *buf, size_t len);
/* Forget any partial value (peer disconnected). */
void json_stream_reset(struct json_stream *js);
void json_stream_destroy(struct json_stream *js);

#endif
