/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spice-opts.c - -spice as the QEMU 6.2 manual describes it ("-spice
 * option[,option[,...]]").  Every option is either carried to
 * spice-server (spice.c applies them) or refused with "not supported".
 */
#include "emu/osdep.h"

#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "remote/spice-int.h"
#include "remote/spice.h"

static bool parse_port(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > 65535) {
        return false;
    }
    *out = v;
    return true;
}

/* value among names[] -> values[]; -1 with the QEMU-style message. */
static int pick(struct kvlist *kv, const char *key, const char *const *names,
                const int *values, int def, struct err **errp)
{
    const char *v = kv_str(kv, key, NULL);
    if (!v) {
        return def;
    }
    for (int i = 0; names[i]; i++) {
        if (!strcmp(v, names[i])) {
            return values[i];
        }
    }
    err_setf(errp, "spice: invalid %s: %s", key, v);
    return -1;
}

static const char *const chan_names[] = {
    "default", "main", "display", "cursor", "inputs", "record", "playback",
    "smartcard", "usbredir", "port", "webdav", NULL,
};

static int parse_channels(struct kvlist *kv, struct spice_config *c,
                          struct err **errp)
{
    for (int i = 0; i < kv->n; i++) {
        struct kv_pair *p = &kv->v[i];
        bool tls = !strcmp(p->key, "tls-channel");
        if (!tls && strcmp(p->key, "plaintext-channel")) {
            continue;
        }
        p->used = true;
        bool known = false;
        for (int k = 0; p->val && chan_names[k]; k++) {
            known |= !strcmp(p->val, chan_names[k]);
        }
        if (!known) {
            err_setf(errp, "spice: invalid channel name: %s",
                     p->val ? p->val : "");
            return -1;
        }
        c->chan = xrealloc(c->chan, (c->nchan + 1) * sizeof(*c->chan));
        c->chan[c->nchan].name = xstrdup(p->val);
        c->chan[c->nchan].tls = tls;
        c->nchan++;
    }
    return 0;
}

static void config_free(struct spice_config *c)
{
    free(c->addr);
    free(c->password);
    free(c->password_secret);
    free(c->x509_dir);
    free(c->x509_key);
    free(c->x509_key_password);
    free(c->x509_cert);
    free(c->x509_cacert);
    free(c->x509_dh);
    free(c->tls_ciphers);
    for (int i = 0; i < c->nchan; i++) {
        free(c->chan[i].name);
    }
    free(c->chan);
    memset(c, 0, sizeof(*c));
}

static char *dup_opt(struct kvlist *kv, const char *key)
{
    const char *v = kv_str(kv, key, NULL);
    return v ? xstrdup(v) : NULL;
}

int opt_spice(const char *arg, struct err **errp)
{
    struct kvlist *kv = kvlist_new();
    struct spice_config c = { .agent_mouse = true,
                              .playback_compression = true };
    struct err *e = NULL;
    int ret = -1;
    if (kvlist_parse(kv, arg, NULL, errp) < 0) {
        goto out;
    }
    static const char *const unsupported[] = {
        /* SASL needs a sasl2 service configuration hemu does not ship;
         * OpenGL (gl=, rendernode=) needs a GPU. */
        "sasl", "gl", "rendernode",
        /* No spice-vdagent channel (virtio-serial spicevmc) yet, so
         * nothing to turn off: refused rather than pretending. */
        "disable-copy-paste", "disable-agent-file-xfer", NULL,
    };
    for (int i = 0; unsupported[i]; i++) {
        if (kv_has(kv, unsupported[i])) {
            err_setf(errp, "%s: not supported", unsupported[i]);
            goto out;
        }
    }
    const char *v;
    if ((v = kv_str(kv, "port", NULL)) && !parse_port(v, &c.port)) {
        err_setf(errp, "spice: invalid port: %s", v);
        goto out;
    }
    if ((v = kv_str(kv, "tls-port", NULL)) && !parse_port(v, &c.tls_port)) {
        err_setf(errp, "spice: invalid tls-port: %s", v);
        goto out;
    }
    c.addr = dup_opt(kv, "addr");
    bool ipv4 = kv_bool(kv, "ipv4", false, &e);
    bool ipv6 = kv_bool(kv, "ipv6", false, &e);
    bool unx = kv_bool(kv, "unix", false, &e);
    c.disable_ticketing = kv_bool(kv, "disable-ticketing", false, &e);
    c.agent_mouse = kv_bool(kv, "agent-mouse", true, &e);
    c.playback_compression = kv_bool(kv, "playback-compression", true, &e);
    c.seamless_migration = kv_bool(kv, "seamless-migration", false, &e);
    if (e) {
        err_propagate(errp, e);
        goto out;
    }
    if (ipv4 + ipv6 + unx > 1) {
        err_setf(errp, "spice: only one of ipv4=, ipv6=, unix= may be on");
        goto out;
    }
    c.addr_flags = ipv4 ? SPICE_ADDR_FLAG_IPV4_ONLY :
                   ipv6 ? SPICE_ADDR_FLAG_IPV6_ONLY :
                   unx ? SPICE_ADDR_FLAG_UNIX_ONLY : 0;
    if (unx && !c.addr) {
        err_setf(errp, "spice: unix=on needs addr=PATH");
        goto out;
    }
    c.password = dup_opt(kv, "password");
    c.password_secret = dup_opt(kv, "password-secret");
    if (c.password && c.password_secret) {
        err_setf(errp, "spice: password and password-secret are mutually "
                 "exclusive");
        goto out;
    }
    if (c.disable_ticketing && (c.password || c.password_secret)) {
        err_setf(errp, "spice: disable-ticketing=on and a password are "
                 "mutually exclusive");
        goto out;
    }
    c.x509_dir = dup_opt(kv, "x509-dir");
    c.x509_key = dup_opt(kv, "x509-key-file");
    c.x509_key_password = dup_opt(kv, "x509-key-password");
    c.x509_cert = dup_opt(kv, "x509-cert-file");
    c.x509_cacert = dup_opt(kv, "x509-cacert-file");
    c.x509_dh = dup_opt(kv, "x509-dh-key-file");
    c.tls_ciphers = dup_opt(kv, "tls-ciphers");
    if (parse_channels(kv, &c, errp) < 0) {
        goto out;
    }
    if (!c.port && !c.tls_port && !unx) {
        err_setf(errp, "neither port nor tls-port specified for spice");
        goto out;
    }
    if (c.tls_port && !c.x509_dir && !(c.x509_cert && c.x509_key)) {
        err_setf(errp, "spice: tls-port needs x509-dir= or x509-cert-file= "
                 "and x509-key-file=");
        goto out;
    }

    static const char *const ic_names[] = {
        "auto_glz", "auto_lz", "quic", "glz", "lz", "lz4", "off", NULL,
    };
    static const int ic_values[] = {
        SPICE_IMAGE_COMPRESSION_AUTO_GLZ, SPICE_IMAGE_COMPRESSION_AUTO_LZ,
        SPICE_IMAGE_COMPRESSION_QUIC, SPICE_IMAGE_COMPRESSION_GLZ,
        SPICE_IMAGE_COMPRESSION_LZ, SPICE_IMAGE_COMPRESSION_LZ4,
        SPICE_IMAGE_COMPRESSION_OFF,
    };
    static const char *const wan_names[] = { "auto", "never", "always", NULL };
    static const int wan_values[] = {
        SPICE_WAN_COMPRESSION_AUTO, SPICE_WAN_COMPRESSION_NEVER,
        SPICE_WAN_COMPRESSION_ALWAYS,
    };
    static const char *const sv_names[] = { "off", "all", "filter", NULL };
    static const int sv_values[] = {
        SPICE_STREAM_VIDEO_OFF, SPICE_STREAM_VIDEO_ALL, SPICE_STREAM_VIDEO_FILTER,
    };
    int r;
    if ((r = pick(kv, "image-compression", ic_names, ic_values,
                  SPICE_IMAGE_COMPRESSION_AUTO_GLZ, errp)) < 0) {
        goto out;
    }
    c.image_compression = r;
    if ((r = pick(kv, "jpeg-wan-compression", wan_names, wan_values,
                  SPICE_WAN_COMPRESSION_AUTO, errp)) < 0) {
        goto out;
    }
    c.jpeg_wan = r;
    if ((r = pick(kv, "zlib-glz-wan-compression", wan_names, wan_values,
                  SPICE_WAN_COMPRESSION_AUTO, errp)) < 0) {
        goto out;
    }
    c.zlib_glz_wan = r;
    if ((r = pick(kv, "streaming-video", sv_names, sv_values,
                  SPICE_STREAM_VIDEO_OFF, errp)) < 0) {
        goto out;
    }
    c.streaming_video = r;
    if (kv_check_used(kv, errp) < 0) {
        goto out;
    }
    /* The last -spice wins, as QEMU's single "spice" option group. */
    config_free(&spice_cfg);
    spice_cfg = c;
    memset(&c, 0, sizeof(c));
    spice_mark_configured();
    ret = 0;
out:
    config_free(&c);
    kvlist_free(kv);
    return ret;
}
