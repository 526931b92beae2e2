/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spice.c - the SPICE server: spice-server speaks the protocol (main,
 * display, cursor, inputs channels; image compression; TLS) on hemu's
 * main loop (spice-core.c); this file applies the -spice options, keeps
 * the ticket (password) and its expiry, and reports clients: query-spice
 * and SPICE_CONNECTED/INITIALIZED/DISCONNECTED.  Shapes: qemu-6.2 QMP
 * reference (SpiceInfo, SpiceChannel, SpiceServerInfo, SpiceBasicInfo).
 */
#include "emu/osdep.h"

#include <json-c/json.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "display/console.h"
#include "emu/monitor/event.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/config.h"
#include "emu/vm/runstate.h"
#include "emu/vm/secret.h"
#include "remote/spice-int.h"
#include "remote/spice.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

struct spice_config spice_cfg;
SpiceServer *spice_server;
static bool configured;

/* The ticket as hemu knows it: spice-server keeps only its own copy. */
static char *ticket;
static time_t ticket_expires;   /* 0: never */

/* Channels that finished their handshake (query-spice "channels"). */
struct spice_chan {
    SpiceChannelEventInfo info;
    struct spice_chan *next;
};
static struct spice_chan *channels;

/* The QXL cards, in creation (console) order. */
struct spice_qxl_card {
    QXLInstance *qxl;
    struct console *con;
    void (*added)(void *opaque);
    void *opaque;
    struct spice_qxl_card *next;
};
static struct spice_qxl_card *qxl_cards;

void spice_register_qxl(QXLInstance *qxl, struct console *con,
                        void (*added)(void *opaque), void *opaque)
{
    struct spice_qxl_card **pp = &qxl_cards;
    while (*pp) {
        pp = &(*pp)->next;
    }
    *pp = xzalloc(sizeof(**pp));
    **pp = (struct spice_qxl_card){ qxl, con, added, opaque, NULL };
}

void spice_mark_configured(void)
{
    configured = true;
}

bool spice_configured(void)
{
    return configured;
}

/* ---------------------------------------------------------------------------
 * Events
 */

static void addr_info(json_object *o, const struct sockaddr *sa, socklen_t len)
{
    char host[NI_MAXHOST] = "", serv[NI_MAXSERV] = "";
    const char *family = "unknown";
    if (len && sa->sa_family == AF_UNIX) {
        const struct sockaddr_un *un = (const void *)sa;
        snprintf(host, sizeof(host), "%s", un->sun_path);
        family = "unix";
    } else if (len && getnameinfo(sa, len, host, sizeof(host), serv,
                                  sizeof(serv),
                                  NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
        family = sa->sa_family == AF_INET6 ? "ipv6" : "ipv4";
    }
    ADD(o, "host", json_object_new_string(host));
    ADD(o, "port", json_object_new_string(serv));
    ADD(o, "family", json_object_new_string(family));
}

static const struct sockaddr *local_addr(const SpiceChannelEventInfo *i,
                                         socklen_t *len)
{
    if (i->flags & SPICE_CHANNEL_EVENT_FLAG_ADDR_EXT) {
        *len = i->llen_ext;
        return (const struct sockaddr *)&i->laddr_ext;
    }
    *len = 0;
    return NULL;
}

static const struct sockaddr *peer_addr(const SpiceChannelEventInfo *i,
                                        socklen_t *len)
{
    if (i->flags & SPICE_CHANNEL_EVENT_FLAG_ADDR_EXT) {
        *len = i->plen_ext;
        return (const struct sockaddr *)&i->paddr_ext;
    }
    *len = 0;
    return NULL;
}

static json_object *basic_info(bool peer, const SpiceChannelEventInfo *i)
{
    json_object *o = json_object_new_object();
    socklen_t len;
    const struct sockaddr *sa = peer ? peer_addr(i, &len) : local_addr(i, &len);
    struct sockaddr_storage none = { 0 };
    addr_info(o, sa ? sa : (const struct sockaddr *)&none, sa ? len : 0);
    return o;
}

static const char *auth_name(void)
{
    return spice_cfg.disable_ticketing ? "none" : "spice";
}

static json_object *channel_json(const SpiceChannelEventInfo *i)
{
    json_object *o = basic_info(true, i);
    ADD(o, "connection-id", json_object_new_int64(i->connection_id));
    ADD(o, "channel-type", json_object_new_int(i->type));
    ADD(o, "channel-id", json_object_new_int(i->id));
    ADD(o, "tls", json_object_new_boolean(
                      (i->flags & SPICE_CHANNEL_EVENT_FLAG_TLS) != 0));
    return o;
}

static unsigned display_channels(void)
{
    unsigned n = 0;
    for (struct spice_chan *c = channels; c; c = c->next) {
        n += c->info.type == SPICE_CHANNEL_DISPLAY;
    }
    return n;
}

void spice_channel_event(int event, SpiceChannelEventInfo *info)
{
    json_object *d = json_object_new_object();
    json_object *server = basic_info(false, info);
    json_object *client;
    switch (event) {
    case SPICE_CHANNEL_EVENT_CONNECTED:
        ADD(d, "server", server);
        ADD(d, "client", basic_info(true, info));
        event_emit("SPICE_CONNECTED", d);
        break;
    case SPICE_CHANNEL_EVENT_INITIALIZED: {
        struct spice_chan *c = xzalloc(sizeof(*c));
        c->info = *info;
        c->next = channels;
        channels = c;
        ADD(server, "auth", json_object_new_string(auth_name()));
        client = channel_json(info);
        ADD(d, "server", server);
        ADD(d, "client", client);
        event_emit("SPICE_INITIALIZED", d);
        if (info->type == SPICE_CHANNEL_DISPLAY) {
            spice_display_set_active(true);
        }
        break;
    }
    case SPICE_CHANNEL_EVENT_DISCONNECTED:
        for (struct spice_chan **pp = &channels; *pp; pp = &(*pp)->next) {
            struct spice_chan *c = *pp;
            if (c->info.connection_id == info->connection_id &&
                c->info.type == info->type && c->info.id == info->id) {
                *pp = c->next;
                free(c);
                break;
            }
        }
        ADD(d, "server", server);
        ADD(d, "client", basic_info(true, info));
        event_emit("SPICE_DISCONNECTED", d);
        if (info->type == SPICE_CHANNEL_DISPLAY && !display_channels()) {
            spice_display_set_active(false);
        }
        break;
    default:
        json_object_put(server);
        json_object_put(d);
        break;
    }
}

/* ---------------------------------------------------------------------------
 * Ticket
 */

/* Hand the ticket to spice-server with what is left of its lifetime. */
static int apply_ticket(bool fail_if_connected, bool disconnect_if_connected)
{
    time_t now = time(NULL);
    if (!ticket) {
        return 0;
    }
    int lifetime = 0;           /* spice-server: 0 is "never expires" */
    if (ticket_expires) {
        /* A ticket already past its time gets a lifetime in the past,
         * which spice-server treats as expired. */
        long long left = (long long)ticket_expires - now;
        lifetime = left > INT32_MAX ? INT32_MAX : left > 0 ? (int)left : -1;
    }
    return spice_server_set_ticket(spice_server, ticket, lifetime,
                                   fail_if_connected, disconnect_if_connected);
}

int spice_set_password(const char *password, const char *connected,
                       struct err **errp)
{
    if (!spice_server) {
        err_set_class(errp, ERR_DEVICE_NOT_ACTIVE, "SPICE is not in use");
        return -1;
    }
    bool fail = false, disconnect = false;
    if (connected && !strcmp(connected, "fail")) {
        fail = true;
    } else if (connected && !strcmp(connected, "disconnect")) {
        disconnect = true;
    } else if (connected && strcmp(connected, "keep")) {
        err_setf(errp, "Parameter 'connected' does not accept value '%s'",
                 connected);
        return -1;
    }
    if (spice_cfg.disable_ticketing) {
        /* As spice-server: no ticket while ticketing is off. */
        err_setf(errp, "Could not set password");
        return -1;
    }
    char *old = ticket;
    ticket = xstrdup(password);
    if (apply_ticket(fail, disconnect) < 0) {
        free(ticket);
        ticket = old;
        err_setf(errp, "Could not set password");
        return -1;
    }
    free(old);
    return 0;
}

int spice_expire_password(const char *when, struct err **errp)
{
    if (!spice_server) {
        err_set_class(errp, ERR_DEVICE_NOT_ACTIVE, "SPICE is not in use");
        return -1;
    }
    time_t now = time(NULL), t;
    char *end;
    if (!strcmp(when, "now")) {
        t = now;
    } else if (!strcmp(when, "never")) {
        t = 0;
    } else {
        const char *n = when[0] == '+' ? when + 1 : when;
        long long v = strtoll(n, &end, 10);
        if (*end || end == n || v < 0) {
            err_setf(errp, "Could not set password expire time.");
            return -1;
        }
        t = when[0] == '+' ? now + v : (time_t)v;
        if (!t) {
            t = 1;      /* "0 seconds since the epoch" is long gone */
        }
    }
    ticket_expires = t;
    if (apply_ticket(false, false) < 0) {
        err_setf(errp, "Could not set password expire time.");
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Start
 */

static char *x509_file(const char *given, const char *name)
{
    if (given) {
        return xstrdup(given);
    }
    if (spice_cfg.x509_dir) {
        return xasprintf("%s/%s", spice_cfg.x509_dir, name);
    }
    return NULL;
}

static int setup_tls(struct err **errp)
{
    char *ca = x509_file(spice_cfg.x509_cacert, "ca-cert.pem");
    char *cert = x509_file(spice_cfg.x509_cert, "server-cert.pem");
    char *key = x509_file(spice_cfg.x509_key, "server-key.pem");
    /* No Diffie-Hellman file unless named: OpenSSL picks ECDHE. */
    char *dh = spice_cfg.x509_dh ? xstrdup(spice_cfg.x509_dh) : NULL;
    int ret = 0;
    const char *files[] = { ca, cert, key, dh };
    for (int i = 0; i < 4; i++) {
        if (files[i] && access(files[i], R_OK) < 0) {
            err_setf(errp, "spice: cannot read %s: %s", files[i],
                     strerror(errno));
            ret = -1;
            goto out;
        }
    }
    if (spice_server_set_tls(spice_server, spice_cfg.tls_port, ca, cert, key,
                             spice_cfg.x509_key_password, dh,
                             spice_cfg.tls_ciphers) < 0) {
        err_setf(errp, "spice: could not set up TLS");
        ret = -1;
    }
out:
    free(ca);
    free(cert);
    free(key);
    free(dh);
    return ret;
}

static void state_changed(void *opaque, bool running, enum run_state s)
{
    if (!spice_server) {
        return;
    }
    if (running) {
        spice_server_vm_start(spice_server);
    } else {
        spice_server_vm_stop(spice_server);
    }
}

static int apply_options(struct err **errp)
{
    SpiceServer *s = spice_server;
    struct spice_config *c = &spice_cfg;
    if (c->port) {
        spice_server_set_port(s, c->port);
    }
    if (c->addr || c->addr_flags) {
        spice_server_set_addr(s, c->addr ? c->addr : "", c->addr_flags);
    }
    if (c->tls_port && setup_tls(errp) < 0) {
        return -1;
    }
    if (c->password_secret) {
        ticket = secret_lookup_string(c->password_secret, errp);
        if (!ticket) {
            return -1;
        }
    } else if (c->password) {
        ticket = xstrdup(c->password);
    }
    if (c->disable_ticketing) {
        spice_server_set_noauth(s);
    }
    if (spice_server_set_image_compression(s, c->image_compression) < 0 ||
        spice_server_set_jpeg_compression(s, c->jpeg_wan) < 0 ||
        spice_server_set_zlib_glz_compression(s, c->zlib_glz_wan) < 0 ||
        spice_server_set_streaming_video(s, c->streaming_video) < 0) {
        err_setf(errp, "spice: compression settings refused by spice-server");
        return -1;
    }
    for (int i = 0; i < c->nchan; i++) {
        int sec = c->chan[i].tls ? SPICE_CHANNEL_SECURITY_SSL
                                 : SPICE_CHANNEL_SECURITY_NONE;
        if (spice_server_set_channel_security(s, c->chan[i].name, sec) < 0) {
            err_setf(errp, "spice: failed to set channel security for %s",
                     c->chan[i].name);
            return -1;
        }
    }
    spice_server_set_agent_mouse(s, c->agent_mouse);
    spice_server_set_playback_compression(s, c->playback_compression);
    spice_server_set_seamless_migration(s, c->seamless_migration);
    if (cfg.name) {
        spice_server_set_name(s, cfg.name);
    }
    if (cfg.uuid_set) {
        spice_server_set_uuid(s, cfg.uuid);
    }
    return 0;
}

static void spice_stop(void)
{
    /* spice-server's worker thread must not outlive the process's
     * teardown of the console it reads. */
    if (spice_server) {
        spice_server_vm_stop(spice_server);
    }
}

int spice_start(struct err **errp)
{
    if ((!configured && !qxl_cards) || spice_server) {
        return 0;
    }
    spice_server = spice_server_new();
    if (!spice_server) {
        err_setf(errp, "failed to create the spice server");
        return -1;
    }
    if (configured && apply_options(errp) < 0) {
        return -1;
    }
    if (spice_server_init(spice_server, spice_core_interface()) < 0) {
        err_setf(errp, "failed to initialize spice server");
        return -1;
    }
    if (ticket) {
        apply_ticket(false, false);
    }
    if (spice_input_init(spice_server) < 0) {
        err_setf(errp, "spice: could not add the keyboard and mouse");
        return -1;
    }
    /* Display channel ids follow the consoles, as QEMU numbers them:
     * a first console that is no QXL card (-vga std) is drawn by
     * spice-display.c as channel 0, each QXL card is its own channel. */
    struct console *con = console_default();
    int id = 0;
    bool con_is_qxl = false;
    for (struct spice_qxl_card *q = qxl_cards; q; q = q->next) {
        con_is_qxl |= q->con == con;
    }
    if (con && !con_is_qxl) {
        if (spice_display_init(spice_server, con) < 0) {
            err_setf(errp, "spice: could not add the display");
            return -1;
        }
        id++;
    }
    for (struct spice_qxl_card *q = qxl_cards; q; q = q->next) {
        q->qxl->id = id++;
        if (spice_server_add_interface(spice_server, &q->qxl->base) < 0) {
            err_setf(errp, "spice: could not add the qxl device");
            return -1;
        }
        q->added(q->opaque);
    }
    vm_register_state_change(state_changed, NULL);
    if (runstate_is_running()) {
        spice_server_vm_start(spice_server);
    }
    atexit(spice_stop);
    return 0;
}

/* ---------------------------------------------------------------------------
 * query-spice
 */

json_object *spice_query(void)
{
    json_object *o = json_object_new_object();
    if (!spice_server) {
        ADD(o, "enabled", json_object_new_boolean(false));
        ADD(o, "migrated", json_object_new_boolean(false));
        ADD(o, "mouse-mode", json_object_new_string("client"));
        return o;
    }
    struct spice_config *c = &spice_cfg;
    ADD(o, "enabled", json_object_new_boolean(true));
    ADD(o, "migrated", json_object_new_boolean(false));
    ADD(o, "host", json_object_new_string(c->addr ? c->addr : "*"));
    if (c->port) {
        ADD(o, "port", json_object_new_int(c->port));
    }
    if (c->tls_port) {
        ADD(o, "tls-port", json_object_new_int(c->tls_port));
    }
    ADD(o, "auth", json_object_new_string(auth_name()));
    char ver[32];
    snprintf(ver, sizeof(ver), "%d.%d.%d", (SPICE_SERVER_VERSION >> 16) & 0xff,
             (SPICE_SERVER_VERSION >> 8) & 0xff, SPICE_SERVER_VERSION & 0xff);
    ADD(o, "compiled-version", json_object_new_string(ver));
    ADD(o, "mouse-mode", json_object_new_string(
                             spice_server_is_server_mouse(spice_server)
                                 ? "server" : "client"));
    json_object *a = json_object_new_array();
    for (struct spice_chan *ch = channels; ch; ch = ch->next) {
        json_object_array_add(a, channel_json(&ch->info));
    }
    ADD(o, "channels", a);
    return o;
}
