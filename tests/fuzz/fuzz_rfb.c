/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_rfb.c - libFuzzer target for what a VNC client sends: the bytes go
 * to hemu's VNC server (libvncserver with hemu's hooks: VNC auth, keys,
 * pointer, the QEMU Extended Key Event, xvp) over a socketpair until the
 * server drops the client; the same bytes also go through the websocket
 * port's HTTP request reader.  Nothing may crash or leak.
 */
#include "emu/osdep.h"

#include "emu/loop/loop.h"
#include "remote/http.h"
#include "remote/vnc.h"

/* libvncserver keeps a 24-byte record per client that enabled a protocol
 * extension in some paths hemu cannot reach (vnc.c frees what it can);
 * known and bounded, so LeakSanitizer is told about it. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:rfbEnableExtension\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        loop_init();
        init = true;
    }
    struct http_request req;
    http_parse((const char *)data, size, &req);
    if (req.kind == HTTP_GET || req.kind == HTTP_UPGRADE) {
        if (strstr(req.path, "/../") || !strcmp(req.path, "/..")) {
            abort();        /* an escaping path must never be accepted */
        }
        http_content_type(req.path);
    }
    vnc_fuzz_client(data, size);
    return 0;
}
