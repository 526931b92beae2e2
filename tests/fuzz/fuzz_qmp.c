/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_qmp.c - libFuzzer target for the QMP session and dispatcher
 * (emu/monitor/qmp.c), the same code a QMP monitor runs on a chardev:
 * bytes in, replies out.  The last input byte picks the read size and
 * -qmp-pretty, so values split across reads are exercised as on a real
 * socket while the seeds stay plain JSON.  Every reply must be one JSON
 * object on a CR LF terminated line.
 */
#include "emu/osdep.h"
#include <json-c/json.h>

#include "emu/monitor/qmp.h"

static void check_output(void *opaque, const char *buf, size_t len)
{
    /* One parser for the whole run: allocating its 2048-level stack per
     * reply dominated the run time under ASan. */
    static struct json_tokener *tok;
    json_object *o;

    if (!tok) {
        tok = json_tokener_new_ex(2048);
    }
    json_tokener_reset(tok);

    if (len < 3 || buf[len - 2] != '\r' || buf[len - 1] != '\n') {
        abort();
    }
    o = json_tokener_parse_ex(tok, buf, (int)len);
    if (!o || !json_object_is_type(o, json_type_object)) {
        abort();
    }
    json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qmp_session *s;
    size_t chunk;

    if (size < 1) {
        return 0;
    }
    chunk = (data[size - 1] & 0x3f) + 1;
    s = qmp_session_new(data[size - 1] & 0x40, check_output, NULL);
    qmp_session_open(s);
    while (size) {
        size_t n = MIN(chunk, size);
        qmp_session_input(s, data, n);
        data += n, size -= n;
    }
    qmp_session_close(s);
    qmp_session_free(s);
    return 0;
}
