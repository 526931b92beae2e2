/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp.c - -netdev user: user-mode networking through libslirp (its
 * libslirp.h API, version 4.7), with the options of the QEMU 6.2 manual
 * ("-netdev user"): net=, host=, restrict=, hostname=, dhcpstart=, dns=,
 * dnssearch=, domainname=, ipv4=, ipv6= and ipv6-net=/ipv6-host=/
 * ipv6-dns=, tftp=, tftp-server-name=, bootfile=, hostfwd=, guestfwd=;
 * and the monitor's hostfwd_add/hostfwd_remove.
 *
 * libslirp wants to be asked for its descriptors before each poll and told
 * what happened after it.  hemu's loop watches fds instead, so a "cycle"
 * (run from a bottom half whenever a watched fd is ready, a frame came
 * from the guest, or slirp's own timeout ran out) asks slirp for the fds
 * it cares about, polls them without waiting, lets slirp act on the
 * results, then asks again and makes the loop watch exactly that set.
 */
#include "emu/osdep.h"

#include <arpa/inet.h>
#include <poll.h>
#include <slirp/libslirp.h>

#include "emu/chardev/chardev.h"
#include "emu/cli/keyval.h"
#include "emu/loop/loop.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "netdev/net.h"
#include "netdev/netdev.h"
#include "netdev/slirp.h"

struct guestfwd {
    struct slirp_nd *s;
    struct in_addr addr;
    int port;
    struct chr_fe *fe;
    struct chardev *chr;
    struct guestfwd *next;
};

struct slirp_nd {
    struct net_client nc;
    Slirp *slirp;
    struct bh *bh;
    struct timer *timeout;
    struct pollfd *pfds;
    int npfds, pfds_cap;
    int *watched;       /* fds the loop watches for us */
    int nwatched;
    struct in_addr vdhcp;   /* hostfwd's default guest address */
    char *strings[8];   /* option values slirp keeps pointers to */
    const char **dnssearch;
    struct guestfwd *fwds;
};

/* ---- slirp's callbacks ---- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    struct slirp_nd *s = opaque;
    net_send(&s->nc, buf, len);
    return len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    warn_report("user network: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    return clock_ns(CLOCK_VIRT);
}

struct slirp_timer {
    struct timer *t;
    struct slirp_nd *s;
    SlirpTimerId id;
    void *cb_opaque;
};

static void timer_fire(void *opaque)
{
    struct slirp_timer *st = opaque;
    slirp_handle_timer(st->s->slirp, st->id, st->cb_opaque);
    bh_schedule(st->s->bh);
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque,
                                 void *opaque)
{
    struct slirp_timer *st = xzalloc(sizeof(*st));
    st->s = opaque;
    st->id = id;
    st->cb_opaque = cb_opaque;
    st->t = timer_new(CLOCK_VIRT, timer_fire, st);
    return st;
}

static void cb_timer_free(void *timer, void *opaque)
{
    struct slirp_timer *st = timer;
    timer_free(st->t);
    free(st);
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    struct slirp_timer *st = timer;
    timer_mod(st->t, expire_ms * 1000000);
}

static void cb_register_poll_fd(int fd, void *opaque)
{
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
    /* The fd is about to be closed: stop watching it at once, a later
     * fd with the same number belongs to someone else. */
    struct slirp_nd *s = opaque;
    for (int i = 0; i < s->nwatched; i++) {
        if (s->watched[i] == fd) {
            loop_set_fd(fd, NULL, NULL, NULL);
            s->watched[i] = s->watched[--s->nwatched];
            break;
        }
    }
}

static void cb_notify(void *opaque)
{
    struct slirp_nd *s = opaque;
    bh_schedule(s->bh);
}

static const SlirpCb callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

/* ---- the poll cycle ---- */

static int add_poll(int fd, int events, void *opaque)
{
    struct slirp_nd *s = opaque;
    if (s->npfds == s->pfds_cap) {
        s->pfds_cap = s->pfds_cap ? s->pfds_cap * 2 : 16;
        s->pfds = xrealloc(s->pfds, s->pfds_cap * sizeof(*s->pfds));
    }
    short ev = 0;
    ev |= (events & SLIRP_POLL_IN) ? POLLIN : 0;
    ev |= (events & SLIRP_POLL_OUT) ? POLLOUT : 0;
    ev |= (events & SLIRP_POLL_PRI) ? POLLPRI : 0;
    s->pfds[s->npfds] = (struct pollfd){ fd, ev, 0 };
    return s->npfds++;
}

static int get_revents(int idx, void *opaque)
{
    struct slirp_nd *s = opaque;
    if (idx < 0 || idx >= s->npfds) {
        return 0;
    }
    short re = s->pfds[idx].revents;
    return ((re & POLLIN) ? SLIRP_POLL_IN : 0) |
           ((re & POLLOUT) ? SLIRP_POLL_OUT : 0) |
           ((re & POLLPRI) ? SLIRP_POLL_PRI : 0) |
           ((re & POLLERR) ? SLIRP_POLL_ERR : 0) |
           ((re & POLLHUP) ? SLIRP_POLL_HUP : 0);
}

static void fd_ready(void *opaque)
{
    struct slirp_nd *s = opaque;
    /* Stop watching until the cycle has run, or a level-triggered fd that
     * the cycle will handle keeps the loop spinning meanwhile. */
    bh_schedule(s->bh);
}

static void cycle(void *opaque)
{
    struct slirp_nd *s = opaque;
    uint32_t timeout = UINT32_MAX;

    s->npfds = 0;
    slirp_pollfds_fill(s->slirp, &timeout, add_poll, s);
    int r = s->npfds ? poll(s->pfds, s->npfds, 0) : 0;
    slirp_pollfds_poll(s->slirp, r < 0, get_revents, s);

    /* What slirp wants to wait for next. */
    timeout = UINT32_MAX;
    s->npfds = 0;
    slirp_pollfds_fill(s->slirp, &timeout, add_poll, s);
    for (int i = 0; i < s->nwatched; i++) {
        bool keep = false;
        for (int j = 0; j < s->npfds; j++) {
            keep |= s->pfds[j].fd == s->watched[i];
        }
        if (!keep) {
            loop_set_fd(s->watched[i], NULL, NULL, NULL);
            s->watched[i--] = s->watched[--s->nwatched];
        }
    }
    s->watched = xrealloc(s->watched, (s->npfds + 1) * sizeof(int));
    s->nwatched = 0;
    for (int j = 0; j < s->npfds; j++) {
        short ev = s->pfds[j].events;
        if (ev) {
            loop_set_fd(s->pfds[j].fd, (ev & (POLLIN | POLLPRI)) ? fd_ready : NULL,
                        (ev & POLLOUT) ? fd_ready : NULL, s);
            s->watched[s->nwatched++] = s->pfds[j].fd;
        }
    }
    if (timeout > 1000) {
        timeout = 1000;
    }
    timer_mod_in(s->timeout, (int64_t)timeout * 1000000);
}

/* ---- the net client ---- */

static ssize_t user_receive(struct net_client *nc, const uint8_t *buf,
                            size_t len)
{
    struct slirp_nd *s = (struct slirp_nd *)nc;
    slirp_input(s->slirp, buf, (int)len);
    bh_schedule(s->bh);
    return len;
}

static void user_cleanup(struct net_client *nc)
{
    struct slirp_nd *s = (struct slirp_nd *)nc;
    while (s->fwds) {
        struct guestfwd *g = s->fwds;
        s->fwds = g->next;
        if (g->fe) {
            chr_fe_detach(g->fe);
        }
        free(g);
    }
    for (int i = 0; i < s->nwatched; i++) {
        loop_set_fd(s->watched[i], NULL, NULL, NULL);
    }
    if (s->slirp) {
        slirp_cleanup(s->slirp);
    }
    timer_free(s->timeout);
    if (s->bh) {
        bh_free(s->bh);
    }
    free(s->pfds);
    free(s->watched);
    for (size_t i = 0; i < ARRAY_SIZE(s->strings); i++) {
        free(s->strings[i]);
    }
    free(s->dnssearch);
}

static const struct net_client_ops user_ops = {
    .type = "user",
    .receive = user_receive,
    .cleanup = user_cleanup,
};

/* ---- options ---- */

static int parse_addr(const char *s, struct in_addr *a)
{
    return inet_pton(AF_INET, s, a) == 1 ? 0 : -1;
}

/* "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport" (add) or
 * "[tcp|udp]:[hostaddr]:hostport" (remove). */
static int parse_hostfwd(const char *rule, bool with_guest, int *is_udp,
                         struct in_addr *haddr, int *hport,
                         struct in_addr *gaddr, int *gport)
{
    char buf[256];
    if (strlen(rule) >= sizeof(buf)) {
        return -1;
    }
    strcpy(buf, rule);
    char *p = buf;
    char *colon = strchr(p, ':');
    if (!colon) {
        return -1;
    }
    *colon = 0;
    if (!strcmp(p, "") || !strcmp(p, "tcp")) {
        *is_udp = 0;
    } else if (!strcmp(p, "udp")) {
        *is_udp = 1;
    } else {
        return -1;
    }
    p = colon + 1;
    colon = strchr(p, ':');
    if (!colon) {
        return -1;
    }
    *colon = 0;
    haddr->s_addr = INADDR_ANY;
    if (*p && parse_addr(p, haddr) < 0) {
        return -1;
    }
    p = colon + 1;
    char *dash = strchr(p, '-');
    if (with_guest != (dash != NULL)) {
        return -1;
    }
    if (dash) {
        *dash = 0;
    }
    char *end;
    long v = strtol(p, &end, 10);
    if (!*p || *end || v < 0 || v > 65535) {
        return -1;
    }
    *hport = (int)v;
    if (!with_guest) {
        return 0;
    }
    p = dash + 1;
    colon = strchr(p, ':');
    if (!colon) {
        return -1;
    }
    *colon = 0;
    if (*p && parse_addr(p, gaddr) < 0) {
        return -1;
    }
    p = colon + 1;
    v = strtol(p, &end, 10);
    if (!*p || *end || v < 1 || v > 65535) {
        return -1;
    }
    *gport = (int)v;
    return 0;
}

static int add_hostfwd(struct slirp_nd *s, const char *rule, struct err **errp)
{
    int is_udp, hport, gport;
    struct in_addr haddr, gaddr = s->vdhcp;
    if (parse_hostfwd(rule, true, &is_udp, &haddr, &hport, &gaddr,
                      &gport) < 0) {
        err_setf(errp, "Invalid host forwarding rule '%s' (Bad protocol "
                 "name, address or port)", rule);
        return -1;
    }
    if (slirp_add_hostfwd(s->slirp, is_udp, haddr, hport, gaddr, gport) < 0) {
        err_setf(errp, "Could not set up host forwarding rule '%s'", rule);
        return -1;
    }
    bh_schedule(s->bh);
    return 0;
}

/* guestfwd: bytes the guest sends to addr:port go to the chardev. */
static ssize_t guestfwd_write(const void *buf, size_t len, void *opaque)
{
    struct guestfwd *g = opaque;
    return chr_fe_write(g->fe, buf, (int)len);
}

static int guestfwd_can_read(void *opaque)
{
    struct guestfwd *g = opaque;
    return (int)slirp_socket_can_recv(g->s->slirp, g->addr, g->port);
}

static void guestfwd_read(void *opaque, const uint8_t *buf, int len)
{
    struct guestfwd *g = opaque;
    slirp_socket_recv(g->s->slirp, g->addr, g->port, buf, len);
    bh_schedule(g->s->bh);
}

static const struct chr_fe_ops guestfwd_fe_ops = {
    .can_read = guestfwd_can_read,
    .read = guestfwd_read,
};

/* "[tcp]:server:port-dev" or "[tcp]:server:port-cmd:command" */
static int add_guestfwd(struct slirp_nd *s, const char *rule, int n,
                        struct err **errp)
{
    char buf[256];
    const char *bad = "Invalid guest forwarding rule '%s'";
    if (strlen(rule) >= sizeof(buf)) {
        err_setf(errp, bad, rule);
        return -1;
    }
    strcpy(buf, rule);
    char *p = buf;
    if (!strncmp(p, "tcp:", 4)) {
        p += 4;
    } else if (*p == ':') {
        p++;
    } else {
        err_setf(errp, bad, rule);
        return -1;
    }
    char *colon = strchr(p, ':');
    char *dash = colon ? strchr(colon, '-') : NULL;
    if (!colon || !dash) {
        err_setf(errp, bad, rule);
        return -1;
    }
    *colon = 0;
    *dash = 0;
    struct in_addr addr;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (parse_addr(p, &addr) < 0 || *end || port < 1 || port > 65535) {
        err_setf(errp, bad, rule);
        return -1;
    }
    const char *target = dash + 1;
    if (!strncmp(target, "cmd:", 4)) {
        if (slirp_add_exec(s->slirp, target + 4, &addr, (int)port) < 0) {
            err_setf(errp, "Conflicting/invalid host:port in guest "
                     "forwarding rule '%s'", rule);
            return -1;
        }
        return 0;
    }
    char *id = xasprintf("%s-guestfwd%d", s->nc.name, n);
    struct chardev *chr = chr_new_compat(id, target, NULL, errp);
    free(id);
    if (!chr) {
        err_prepend(errp, "Could not open guest forwarding device: ");
        return -1;
    }
    struct guestfwd *g = xzalloc(sizeof(*g));
    g->s = s;
    g->addr = addr;
    g->port = (int)port;
    g->chr = chr;
    if (slirp_add_guestfwd(s->slirp, guestfwd_write, g, &addr,
                           (int)port) < 0) {
        free(g);
        err_setf(errp, "Conflicting/invalid host:port in guest forwarding "
                 "rule '%s'", rule);
        return -1;
    }
    g->fe = chr_fe_attach(chr, &guestfwd_fe_ops, g, errp);
    if (!g->fe) {
        free(g);
        return -1;
    }
    g->next = s->fwds;
    s->fwds = g;
    return 0;
}

static int parse_net(const char *s, struct in_addr *net, struct in_addr *mask)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", s);
    char *slash = strchr(buf, '/');
    int bits = 24;
    if (slash) {
        *slash = 0;
        char *end;
        long v = strtol(slash + 1, &end, 10);
        if (*end == 0 && slash[1]) {
            if (v < 0 || v > 32) {
                return -1;
            }
            bits = (int)v;
        } else if (parse_addr(slash + 1, mask) == 0) {
            bits = -1;
        } else {
            return -1;
        }
    }
    if (parse_addr(buf, net) < 0) {
        return -1;
    }
    if (bits >= 0) {
        mask->s_addr = bits ? htonl(~0u << (32 - bits)) : 0;
    }
    return 0;
}

/* Host part n of the network (QEMU's defaults: .2 host, .3 dns, .15 dhcp). */
static struct in_addr in_net(struct in_addr net, struct in_addr mask,
                             uint32_t n)
{
    struct in_addr a;
    a.s_addr = (net.s_addr & mask.s_addr) | htonl(n);
    return a;
}

static bool inside(struct in_addr a, struct in_addr net, struct in_addr mask)
{
    return (a.s_addr & mask.s_addr) == (net.s_addr & mask.s_addr);
}

static struct net_client *user_init(struct kvlist *kv, const char *name,
                                    struct err **errp)
{
    struct err *e = NULL;
    SlirpConfig c = { .version = 4 };
    const char *v;

    for (const char *const *k = (const char *const[]){ "smb", "smbserver",
                                                        NULL }; *k; k++) {
        if (kv_has(kv, *k)) {
            err_setf(errp, "user network option '%s': not supported", *k);
            return NULL;
        }
    }
    bool ipv4 = kv_bool(kv, "ipv4", true, &e);
    bool ipv6 = kv_bool(kv, "ipv6", true, &e);
    /* restrict= takes on/off and also y/yes/n/no in QEMU. */
    const char *restrict_s = kv_str(kv, "restrict", "off");
    if (e) {
        err_propagate(errp, e);
        return NULL;
    }
    if (!strcmp(restrict_s, "on") || !strcmp(restrict_s, "y") ||
        !strcmp(restrict_s, "yes")) {
        c.restricted = 1;
    } else if (strcmp(restrict_s, "off") && strcmp(restrict_s, "n") &&
               strcmp(restrict_s, "no")) {
        err_setf(errp, "Parameter 'restrict' expects 'on' or 'off'");
        return NULL;
    }
    if (!ipv4 && !ipv6) {
        err_setf(errp, "IPv4 and IPv6 cannot both be disabled");
        return NULL;
    }
    c.in_enabled = ipv4;
    c.in6_enabled = ipv6;

    struct in_addr net, mask;
    parse_net("10.0.2.0/24", &net, &mask);
    if ((v = kv_str(kv, "net", NULL)) && parse_net(v, &net, &mask) < 0) {
        err_setf(errp, "Invalid network address '%s'", v);
        return NULL;
    }
    if ((net.s_addr & ~mask.s_addr) != 0 || mask.s_addr == 0 ||
        (~ntohl(mask.s_addr) < 7)) {
        err_setf(errp, "Invalid network or netmask '%s'",
                 v ? v : "10.0.2.0/24");
        return NULL;
    }
    c.vnetwork = net;
    c.vnetmask = mask;
    struct {
        const char *key;
        struct in_addr *dst;
        uint32_t def;
        const char *what;
    } addrs[] = {
        { "host", &c.vhost, 2, "host" },
        { "dhcpstart", &c.vdhcp_start, 15, "DHCP start" },
        { "dns", &c.vnameserver, 3, "DNS" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(addrs); i++) {
        *addrs[i].dst = in_net(net, mask, addrs[i].def);
        if ((v = kv_str(kv, addrs[i].key, NULL))) {
            if (parse_addr(v, addrs[i].dst) < 0) {
                err_setf(errp, "Failed to parse %s address '%s'",
                         addrs[i].what, v);
                return NULL;
            }
            if (!inside(*addrs[i].dst, net, mask)) {
                err_setf(errp, "%s address '%s' is not in the guest network",
                         addrs[i].what, v);
                return NULL;
            }
        }
    }

    /* IPv6: ipv6-net=addr[/len] (or the older ipv6-prefix/-prefixlen). */
    char pfx[64];
    snprintf(pfx, sizeof(pfx), "%s",
             kv_str(kv, "ipv6-net", kv_str(kv, "ipv6-prefix", "fec0::")));
    unsigned long plen = kv_uint(kv, "ipv6-prefixlen", 64, &e);
    if (e) {
        err_propagate(errp, e);
        return NULL;
    }
    char *slash = strchr(pfx, '/');
    if (slash) {
        *slash = 0;
        char *end;
        plen = strtoul(slash + 1, &end, 10);
        if (*end || !slash[1]) {
            plen = 999;
        }
    }
    if (plen > 126 || inet_pton(AF_INET6, pfx, &c.vprefix_addr6) != 1) {
        err_setf(errp, "Invalid IPv6 network '%s'", pfx);
        return NULL;
    }
    c.vprefix_len = (uint8_t)plen;
    c.vhost6 = c.vprefix_addr6;
    c.vhost6.s6_addr[15] |= 2;
    c.vnameserver6 = c.vprefix_addr6;
    c.vnameserver6.s6_addr[15] |= 3;
    if ((v = kv_str(kv, "ipv6-host", NULL)) &&
        inet_pton(AF_INET6, v, &c.vhost6) != 1) {
        err_setf(errp, "Failed to parse IPv6 host address '%s'", v);
        return NULL;
    }
    if ((v = kv_str(kv, "ipv6-dns", NULL)) &&
        inet_pton(AF_INET6, v, &c.vnameserver6) != 1) {
        err_setf(errp, "Failed to parse IPv6 DNS address '%s'", v);
        return NULL;
    }

    struct slirp_nd *s = (struct slirp_nd *)net_client_new(
        &user_ops, sizeof(*s), "user", name);
    const char *keys[] = { "hostname", "tftp-server-name", "tftp",
                           "bootfile", "domainname" };
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        v = kv_str(kv, keys[i], NULL);
        s->strings[i] = v ? xstrdup(v) : NULL;
    }
    c.vhostname = s->strings[0];
    c.tftp_server_name = s->strings[1];
    if (s->strings[2]) {
        /* slirp serves relative to the directory; QEMU passes it as is. */
        c.tftp_path = s->strings[2];
    }
    c.bootfile = s->strings[3];
    c.vdomainname = s->strings[4];
    if (c.vdomainname && !*c.vdomainname) {
        net_client_free(&s->nc);
        err_setf(errp, "'domainname' parameter cannot be empty");
        return NULL;
    }

    /* dnssearch=, hostfwd=, guestfwd= may repeat. */
    int nsearch = 0;
    for (int i = 0; i < kv->n; i++) {
        if (!strcmp(kv->v[i].key, "dnssearch")) {
            nsearch++;
        }
    }
    if (nsearch) {
        s->dnssearch = xzalloc((nsearch + 1) * sizeof(char *));
        nsearch = 0;
        for (int i = 0; i < kv->n; i++) {
            if (!strcmp(kv->v[i].key, "dnssearch")) {
                kv->v[i].used = true;
                s->dnssearch[nsearch++] = kv->v[i].val ? kv->v[i].val : "";
            }
        }
        c.vdnssearch = s->dnssearch;
    }

    s->vdhcp = c.vdhcp_start;
    s->bh = bh_new(cycle, s);
    s->timeout = timer_new(CLOCK_RT, cycle, s);
    s->slirp = slirp_new(&c, &callbacks, s);
    if (!s->slirp) {
        net_client_free(&s->nc);
        err_setf(errp, "user network: libslirp refused the configuration");
        return NULL;
    }
    /* slirp copies the dnssearch strings; the kv values die with kv. */
    free(s->dnssearch);
    s->dnssearch = NULL;

    int nfwd = 0;
    for (int i = 0; i < kv->n; i++) {
        int r = 0;
        if (!strcmp(kv->v[i].key, "hostfwd")) {
            kv->v[i].used = true;
            r = add_hostfwd(s, kv->v[i].val ? kv->v[i].val : "", errp);
        } else if (!strcmp(kv->v[i].key, "guestfwd")) {
            kv->v[i].used = true;
            r = add_guestfwd(s, kv->v[i].val ? kv->v[i].val : "", nfwd++,
                             errp);
        }
        if (r < 0) {
            net_client_free(&s->nc);
            return NULL;
        }
    }
    char netstr[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &net, netstr, sizeof(netstr));
    net_client_set_info(&s->nc, "net=%s,restrict=%s", netstr,
                        c.restricted ? "on" : "off");
    bh_schedule(s->bh);
    return &s->nc;
}

const struct netdev_type netdev_user = { "user", user_init };

/* ---- monitor ---- */

/* "[netdev_id] rule": the netdev is optional when there is one user
 * back end. */
static struct slirp_nd *find_user(const char *id, struct err **errp)
{
    for (struct net_client *nc = net_client_first(); nc; nc = nc->next) {
        if (nc->ops == &user_ops && (!id || !strcmp(nc->name, id))) {
            return (struct slirp_nd *)nc;
        }
    }
    if (id) {
        err_setf(errp, "unknown netdev '%s' (or not a user network)", id);
    } else {
        err_setf(errp, "no user network backend");
    }
    return NULL;
}

int net_slirp_hostfwd_add(const char *netdev, const char *rule,
                          struct err **errp)
{
    struct slirp_nd *s = find_user(netdev, errp);
    return s ? add_hostfwd(s, rule, errp) : -1;
}

int net_slirp_hostfwd_remove(const char *netdev, const char *rule,
                             struct err **errp)
{
    struct slirp_nd *s = find_user(netdev, errp);
    if (!s) {
        return -1;
    }
    int is_udp, hport, gport;
    struct in_addr haddr, gaddr;
    if (parse_hostfwd(rule, false, &is_udp, &haddr, &hport, &gaddr,
                      &gport) < 0) {
        err_setf(errp, "invalid format");
        return -1;
    }
    if (slirp_remove_hostfwd(s->slirp, is_udp, haddr, hport) < 0) {
        err_setf(errp, "host forwarding rule for %s not found", rule);
        return -1;
    }
    bh_schedule(s->bh);
    return 0;
}

char *net_slirp_connection_info(void)
{
    struct err *e = NULL;
    struct slirp_nd *s = find_user(NULL, &e);
    err_free(e);
    return s ? slirp_connection_info(s->slirp) : NULL;
}
