/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clients.c - creating back ends and NICs from -netdev, -net, -nic,
 * -object filter-dump and QMP netdev_add/netdev_del, with QEMU 6.2's rules
 * (manual "Network options"): -net entries share hub 0, -net nic without
 * netdev= gets a hub port, -nic TYPE,model=,mac= is a back end named
 * __org.qemu.nicN plus a NIC, and a VM given none of -net, -nic or
 * -netdev (and not -nodefaults) has "-net nic -net user".
 */
#include "emu/osdep.h"

#include "emu/cli/keyval.h"
#include "emu/hw/dev.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "netdev/net.h"
#include "netdev/netdev.h"
#include "netdev/vhost-user.h"

static const struct netdev_type *const types[] = {
    &netdev_socket,
    &netdev_hubport,
    &netdev_tap,
    &netdev_bridge,
    &netdev_l2tpv3,
    &netdev_vhost_user,
#ifdef CONFIG_SLIRP
    &netdev_user,
#endif
};

/* Back ends of the manual that hemu does not have (yet). */
static const char *const unsupported[] = {
    "vde", "netmap", "vhost-vdpa",
#ifndef CONFIG_SLIRP
    "user",
#endif
};

enum opt_kind { OPT_NETDEV, OPT_NET, OPT_NIC, OPT_FILTER };

struct net_opt {
    enum opt_kind kind;
    const char *opt;
    char *arg;
    struct kvlist *kv;
    struct net_opt *next;
};

static struct net_opt *opts;
static bool any_net_option;

/* A NIC asked for by -net nic, -nic or the default. */
struct nic_spec {
    char *model;        /* NULL: the machine's default */
    char *mac;
    char *netdev;       /* NULL: a new port on hub 0 */
    char *addr;
    char *name;
    char *romfile;
    const char *opt;
    char *arg;
    struct nic_spec *next;
};

static struct nic_spec *nics, **nics_tail = &nics;
static int nic_netdev_count;
static bool nics_created;

static const struct netdev_type *find_type(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        if (!strcmp(types[i]->name, name)) {
            return types[i];
        }
    }
    return NULL;
}

static bool is_unsupported(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++) {
        if (!strcmp(unsupported[i], name)) {
            return true;
        }
    }
    return false;
}

static void print_types(void)
{
    printf("Available netdev backend types:\n");
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        printf("%s\n", types[i]->name);
    }
}

static int check_type(const char *type, bool allow_nic, struct err **errp)
{
    if (!type) {
        err_setf(errp, "Parameter 'type' is missing");
        return -1;
    }
    if (find_type(type) || (allow_nic && (!strcmp(type, "nic") ||
                                          !strcmp(type, "none")))) {
        return 0;
    }
    if (is_unsupported(type)) {
        err_setf(errp, "network backend '%s': not supported", type);
        return -1;
    }
    err_setf(errp, "Parameter 'type' expects a netdev backend type");
    return -1;
}

static struct kvlist *parse(const char *arg, struct err **errp)
{
    struct kvlist *kv = kvlist_new();
    if (kvlist_parse(kv, arg, "type", errp) < 0) {
        kvlist_free(kv);
        return NULL;
    }
    return kv;
}

static void record(enum opt_kind kind, const char *opt, const char *arg,
                   struct kvlist *kv)
{
    struct net_opt *o = xzalloc(sizeof(*o));
    o->kind = kind;
    o->opt = opt;
    o->arg = xstrdup(arg);
    o->kv = kv;
    struct net_opt **pp = &opts;
    while (*pp) {
        pp = &(*pp)->next;
    }
    *pp = o;
}

int net_opt_netdev(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, errp);
    if (!kv) {
        return -1;
    }
    if (kv_asks_help(kv, "type")) {
        kvlist_free(kv);
        print_types();
        return 1;
    }
    if (check_type(kv_str(kv, "type", NULL), false, errp) < 0) {
        kvlist_free(kv);
        return -1;
    }
    any_net_option = true;
    record(OPT_NETDEV, "netdev", arg, kv);
    return 0;
}

static void print_models(void)
{
    printf("Available NIC models:\n");
    printf("e1000\nrtl8139\nvirtio-net-pci\n");
}

int net_opt_net(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, errp);
    if (!kv) {
        return -1;
    }
    if (kv_asks_help(kv, "type")) {
        kvlist_free(kv);
        print_types();
        return 1;
    }
    const char *model = kv_str(kv, "model", NULL);
    if (model && (!strcmp(model, "help") || !strcmp(model, "?"))) {
        kvlist_free(kv);
        print_models();
        return 1;
    }
    if (check_type(kv_str(kv, "type", NULL), true, errp) < 0) {
        kvlist_free(kv);
        return -1;
    }
    any_net_option = true;
    record(OPT_NET, "net", arg, kv);
    return 0;
}

int net_opt_nic(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, errp);
    if (!kv) {
        return -1;
    }
    if (kv_asks_help(kv, "type")) {
        kvlist_free(kv);
        print_types();
        return 1;
    }
    const char *model = kv_str(kv, "model", NULL);
    if (model && (!strcmp(model, "help") || !strcmp(model, "?"))) {
        kvlist_free(kv);
        print_models();
        return 1;
    }
    const char *type = kv_str(kv, "type", NULL);
    if (type && !strcmp(type, "none")) {
        kvlist_free(kv);
        any_net_option = true;
        return 0;
    }
    if (check_type(type, false, errp) < 0) {
        kvlist_free(kv);
        return -1;
    }
    any_net_option = true;
    record(OPT_NIC, "nic", arg, kv);
    return 0;
}

int net_opt_filter(const char *arg, struct kvlist *kv, struct err **errp)
{
    record(OPT_FILTER, "object", arg, kvlist_dup(kv));
    return 0;
}

/* ---- creating back ends ---- */

static struct net_client *create_backend(struct kvlist *kv, const char *name,
                                         struct err **errp)
{
    const char *type = kv_str(kv, "type", NULL);
    if (check_type(type, false, errp) < 0) {
        return NULL;
    }
    if (!name) {
        err_setf(errp, "Parameter 'id' is missing");
        return NULL;
    }
    /* -nic's own back ends are named __org.qemu.nicN on purpose. */
    if (strncmp(name, "__org.qemu.", 11) && !kv_id_wellformed(name)) {
        err_setf(errp, "Parameter 'id' expects an identifier");
        return NULL;
    }
    if (net_client_find(name)) {
        err_setf(errp, "Duplicate ID '%s' for netdev", name);
        return NULL;
    }
    return find_type(type)->init(kv, name, errp);
}

struct net_client *netdev_add(struct kvlist *kv, struct err **errp)
{
    const char *id = kv_str(kv, "id", NULL);
    struct net_client *nc = create_backend(kv, id, errp);
    if (nc && kv_check_used(kv, errp) < 0) {
        net_client_free(nc);
        return NULL;
    }
    return nc;
}

int netdev_del(const char *id, struct err **errp)
{
    struct net_client *nc = net_client_find(id);
    if (!nc || nc->ops->is_nic) {
        err_set_class(errp, ERR_DEVICE_NOT_FOUND, "Device '%s' not found", id);
        return -1;
    }
    if (nc->peer && nc->peer->ops->is_nic) {
        /* QEMU keeps it until the NIC goes; hemu has no device_del yet,
         * so the NIC just loses its back end. */
    }
    net_client_free(nc);
    return 0;
}

static void add_nic(const char *opt, const char *arg, const char *model,
                    const char *mac, const char *netdev, const char *addr,
                    const char *name)
{
    struct nic_spec *n = xzalloc(sizeof(*n));
    n->model = model ? xstrdup(model) : NULL;
    n->mac = mac ? xstrdup(mac) : NULL;
    n->netdev = netdev ? xstrdup(netdev) : NULL;
    n->addr = addr ? xstrdup(addr) : NULL;
    n->name = name ? xstrdup(name) : NULL;
    n->opt = opt;
    n->arg = arg ? xstrdup(arg) : NULL;
    *nics_tail = n;
    nics_tail = &n->next;
}

static int process(struct net_opt *o, struct err **errp)
{
    struct kvlist *kv = o->kv;
    const char *type = kv_str(kv, "type", NULL);
    struct net_client *nc;

    switch (o->kind) {
    case OPT_NETDEV:
        return netdev_add(kv, errp) ? 0 : -1;
    case OPT_NIC: {
        char *model = kv_has(kv, "model") ? xstrdup(kv_str(kv, "model", ""))
                                          : NULL;
        char *mac = kv_has(kv, "mac") ? xstrdup(kv_str(kv, "mac", "")) : NULL;
        /* id= names the back end, as QEMU's -nic user,id=n0. */
        char *id = kv_has(kv, "id") ? xstrdup(kv_str(kv, "id", ""))
                   : xasprintf("__org.qemu.nic%d", nic_netdev_count++);
        kv_unset(kv, "id");
        kv_unset(kv, "model");
        kv_unset(kv, "mac");
        nc = create_backend(kv, id, errp);
        if (nc && kv_check_used(kv, errp) < 0) {
            net_client_free(nc);
            nc = NULL;
        }
        if (nc) {
            add_nic(o->opt, o->arg, model, mac, id, NULL, NULL);
        }
        free(id);
        free(model);
        free(mac);
        return nc ? 0 : -1;
    }
    case OPT_NET:
        if (!strcmp(type, "none")) {
            return kv_check_used(kv, errp);
        }
        if (!strcmp(type, "nic")) {
            const char *model = kv_str(kv, "model", NULL);
            const char *mac = kv_str(kv, "macaddr", NULL);
            const char *netdev = kv_str(kv, "netdev", NULL);
            const char *addr = kv_str(kv, "addr", NULL);
            const char *name = kv_str(kv, "name", NULL);
            kv_mark_used(kv, "vectors");
            if (kv_check_used(kv, errp) < 0) {
                return -1;
            }
            add_nic(o->opt, o->arg, model, mac, netdev, addr, name);
            return 0;
        } else {
            /* A back end on hub 0; name= is its id. */
            const char *name = kv_str(kv, "name", NULL);
            char *auto_name = NULL;
            if (!name) {
                for (int i = 0;; i++) {
                    auto_name = xasprintf("%s.%d", type, i);
                    if (!net_client_find(auto_name)) {
                        break;
                    }
                    free(auto_name);
                }
            }
            nc = create_backend(kv, name ? name : auto_name, errp);
            free(auto_name);
            if (nc && kv_check_used(kv, errp) < 0) {
                net_client_free(nc);
                return -1;
            }
            if (!nc) {
                return -1;
            }
            if (vhost_user_of(nc)) {
                /* On a hub no NIC could take the rings. */
                err_setf(errp, "-net vhost-user: not supported (use -netdev "
                         "vhost-user with -device virtio-net-pci)");
                net_client_free(nc);
                return -1;
            }
            struct net_client *port = net_hub_add_port(0, NULL, errp);
            net_client_set_peer(port, nc);
            return 0;
        }
    case OPT_FILTER:
        return net_filter_dump_add(kv, errp);
    }
    return -1;
}

void net_init_clients(bool nodefaults)
{
    if (!any_net_option && !nodefaults) {
        add_nic("net", "nic", NULL, NULL, NULL, NULL, NULL);
#ifdef CONFIG_SLIRP
        struct err *e = NULL;
        struct kvlist *kv = kvlist_new();
        kv_set(kv, "type", "user");
        struct net_client *nc = create_backend(kv, "user.0", &e);
        if (!nc) {
            fatal_err(e);
        }
        net_client_set_peer(net_hub_add_port(0, NULL, NULL), nc);
        kvlist_free(kv);
#endif
    }
    /* Back ends first (filters name them), in command-line order. */
    for (int pass = 0; pass < 2; pass++) {
        for (struct net_opt *o = opts; o; o = o->next) {
            if ((o->kind == OPT_FILTER) != (pass == 1)) {
                continue;
            }
            struct err *e = NULL;
            err_loc_set_cmdline(o->opt, o->arg);
            if (process(o, &e) < 0) {
                fatal_err(e);
            }
            err_loc_clear();
        }
    }
}

void net_check_nics(void)
{
    if (nics_created) {
        return;
    }
    for (struct nic_spec *n = nics; n; n = n->next) {
        warn_report("requested NIC (%s, model %s) was not created (not "
                    "supported by this machine?)", n->name ? n->name
                    : "anonymous", n->model ? n->model : "unspecified");
    }
}

int net_create_nics(const char *default_model, struct err **errp)
{
    nics_created = true;
    for (struct nic_spec *n = nics; n; n = n->next) {
        const char *model = n->model ? n->model : default_model;
        if (!strcmp(model, "virtio")) {
            model = "virtio-net-pci";   /* QEMU's -nic/-net model name */
        }
        const struct dev_type *t = dev_type_find(model);
        if (!t || !t->category || strcmp(t->category, "Network devices")) {
            err_setf(errp, "Unsupported NIC model: %s", model);
            return -1;
        }
        struct kvlist *kv = kvlist_new();
        kv_set(kv, "driver", model);
        if (n->mac) {
            kv_set(kv, "mac", n->mac);
        }
        if (n->addr) {
            kv_set(kv, "addr", n->addr);
        }
        if (n->name) {
            kv_set(kv, "id", n->name);
        }
        if (n->netdev) {
            kv_set(kv, "netdev", n->netdev);
        } else {
            struct net_client *port = net_hub_add_port(0, NULL, errp);
            if (!port) {
                kvlist_free(kv);
                return -1;
            }
            kv_set(kv, "netdev", port->name);
        }
        err_loc_set_cmdline(n->opt, n->arg);
        struct device *d = dev_create(t, kv, errp);
        err_loc_clear();
        kvlist_free(kv);
        if (!d) {
            return -1;
        }
    }
    return 0;
}

int net_nic_props(const char *model, const char *bootindex_str,
                  int32_t *bootindex, const uint8_t mac_prop[6],
                  uint8_t macaddr[6], struct err **errp)
{
    static const uint8_t zero[6];

    *bootindex = -1;
    if (bootindex_str) {
        char *end;
        long v = strtol(bootindex_str, &end, 10);
        if (!*bootindex_str || *end || v < -1 || v > INT32_MAX) {
            err_setf(errp, "Parameter 'bootindex' expects an int32 value");
            return -1;
        }
        *bootindex = (int32_t)v;
    }
    if (!memcmp(mac_prop, zero, 6)) {
        net_default_mac(macaddr);
    } else {
        memcpy(macaddr, mac_prop, 6);
    }
    if (macaddr[0] & 1) {
        err_setf(errp, "Property '%s.mac' doesn't take value: "
                 "multicast addresses are not allowed", model);
        return -1;
    }
    return 0;
}

int net_nic_init(struct net_client *nc, const struct net_client_ops *ops,
                 const char *model, const char *name, const char *netdev,
                 struct err **errp)
{
    struct net_client *peer = NULL;
    if (netdev) {
        peer = net_client_find(netdev);
        if (!peer || peer->ops->is_nic) {
            err_setf(errp, "Property '%s.netdev' can't find value '%s'",
                     model, netdev);
            return -1;
        }
        if (peer->peer) {
            err_setf(errp, "Property '%s.netdev' can't take value '%s', "
                     "it's in use", model, netdev);
            return -1;
        }
        /* The back end owns the rings: only virtio-net has them to give
         * (QEMU refuses the same way). */
        if (vhost_user_of(peer) && strncmp(model, "virtio-net", 10)) {
            err_setf(errp, "vhost-user requires frontend driver virtio-net-*");
            return -1;
        }
    }
    nc->embedded = true;
    net_client_init(nc, ops, model, name);
    if (peer) {
        net_client_set_peer(nc, peer);
    }
    return 0;
}
