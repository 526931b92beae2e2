/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net-cmds.c - the monitor's network commands (qemu-6.2 QMP reference:
 * netdev_add, netdev_del, set_link, query-rx-filter; HMP: info network,
 * info usernet, netdev_add, netdev_del, set_link, hostfwd_add,
 * hostfwd_remove), over the net layer (netdev/).
 */
#include "emu/osdep.h"

#include <json-c/json.h>

#include "emu/cli/keyval.h"
#include "emu/monitor/hmp.h"
#include "emu/monitor/net-cmds.h"
#include "emu/monitor/qmp.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "netdev/net.h"
#include "netdev/netdev.h"
#ifdef CONFIG_SLIRP
#include "netdev/slirp.h"
#endif

/* ---- QMP ---- */

/* netdev_add's members as -netdev keys: scalars as text, booleans as
 * on/off, arrays of strings or of {"str": ...} as repeated keys. */
static int json_to_kv(struct kvlist *kv, const char *key, json_object *v,
                      struct err **errp)
{
    switch (json_object_get_type(v)) {
    case json_type_boolean:
        kv_set(kv, key, json_object_get_boolean(v) ? "on" : "off");
        return 0;
    case json_type_int:
    case json_type_string:
    case json_type_double: {
        /* kv_set replaces; append so that repeated keys survive. */
        struct kvlist *one = kvlist_new();
        kv_set(one, key, json_object_get_string(v));
        for (int i = 0; i < one->n; i++) {
            if (kv->n == kv->cap) {
                kv->cap = kv->cap ? kv->cap * 2 : 8;
                kv->v = xrealloc(kv->v, kv->cap * sizeof(*kv->v));
            }
            kv->v[kv->n++] = (struct kv_pair){ xstrdup(one->v[i].key),
                                               xstrdup(one->v[i].val), false };
        }
        kvlist_free(one);
        return 0;
    }
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            json_object *el = json_object_array_get_idx(v, i), *str;
            if (json_object_is_type(el, json_type_object) &&
                json_object_object_get_ex(el, "str", &str)) {
                el = str;
            }
            if (json_to_kv(kv, key, el, errp) < 0) {
                return -1;
            }
        }
        return 0;
    default:
        err_setf(errp, "Invalid parameter type for '%s'", key);
        return -1;
    }
}

int qmp_netdev_add(struct qmp_session *s, json_object *args,
                          json_object **ret, struct err **errp)
{
    struct kvlist *kv = kvlist_new();
    json_object_object_foreach(args, key, val) {
        if (json_to_kv(kv, key, val, errp) < 0) {
            kvlist_free(kv);
            return -1;
        }
    }
    struct net_client *nc = netdev_add(kv, errp);
    kvlist_free(kv);
    return nc ? 0 : -1;
}

int qmp_netdev_del(struct qmp_session *s, json_object *args,
                          json_object **ret, struct err **errp)
{
    json_object *id;
    json_object_object_get_ex(args, "id", &id);
    return netdev_del(json_object_get_string(id), errp);
}

int qmp_set_link(struct qmp_session *s, json_object *args,
                        json_object **ret, struct err **errp)
{
    json_object *name, *up;
    json_object_object_get_ex(args, "name", &name);
    json_object_object_get_ex(args, "up", &up);
    struct net_client *nc = net_client_find(json_object_get_string(name));
    if (!nc) {
        err_set_class(errp, ERR_DEVICE_NOT_FOUND, "Device '%s' not found",
                      json_object_get_string(name));
        return -1;
    }
    net_set_link(nc, json_object_get_boolean(up));
    return 0;
}

int qmp_query_rx_filter(struct qmp_session *s, json_object *args,
                               json_object **ret, struct err **errp)
{
    json_object *namev = NULL;
    const char *name = json_object_object_get_ex(args, "name", &namev)
                       ? json_object_get_string(namev) : NULL;
    json_object *list = json_object_new_array();
    for (struct net_client *nc = net_client_first(); nc; nc = nc->next) {
        if (name && strcmp(nc->name, name)) {
            continue;
        }
        if (!nc->ops->is_nic) {
            if (name) {
                err_setf(errp, "net client(%s) isn't a NIC", name);
                json_object_put(list);
                return -1;
            }
            continue;
        }
        if (!nc->ops->rx_filter) {
            if (name) {
                err_setf(errp, "net client(%s) doesn't support rx-filter "
                         "querying", name);
                json_object_put(list);
                return -1;
            }
            continue;
        }
        json_object_array_add(list, nc->ops->rx_filter(nc));
    }
    if (name && json_object_array_length(list) == 0) {
        err_setf(errp, "invalid net client name: %s", name);
        json_object_put(list);
        return -1;
    }
    *ret = list;
    return 0;
}

const struct qmp_arg netdev_add_args[] = {
    { "type", QMP_ARG_STR, false },
    { "id", QMP_ARG_STR, false },
    { "*", QMP_ARG_STR, true },
    { NULL },
};
const struct qmp_arg netdev_del_args[] = {
    { "id", QMP_ARG_STR, false },
    { NULL },
};
const struct qmp_arg set_link_args[] = {
    { "name", QMP_ARG_STR, false },
    { "up", QMP_ARG_BOOL, false },
    { NULL },
};
const struct qmp_arg rx_filter_args[] = {
    { "name", QMP_ARG_STR, true },
    { NULL },
};

/* ---- HMP ---- */

static void print_client(struct hmp *h, const char *indent,
                         struct net_client *nc)
{
    hmp_printf(h, "%s%s: index=0,type=%s,%s%s\n", indent, nc->name,
               nc->ops->is_nic ? "nic" : nc->ops->type, nc->info,
               nc->link_down ? " [link=down]" : "");
}

/* QEMU's layout: hubs with their ports' peers, then NICs with their back
 * ends, then back ends with no NIC. */
void hmp_info_network(struct hmp *h, const char *arg)
{
    int max_hub = -1;
    for (struct net_client *nc = net_client_first(); nc; nc = nc->next) {
        max_hub = nc->hub_id > max_hub ? nc->hub_id : max_hub;
    }
    for (int hub = 0; hub <= max_hub; hub++) {
        if (!net_hub_count_ports(hub)) {
            continue;
        }
        hmp_printf(h, "hub %d\n", hub);
        for (struct net_client *nc = net_client_first(); nc; nc = nc->next) {
            if (nc->hub_id != hub) {
                continue;
            }
            if (nc->peer) {
                hmp_printf(h, " \\ %s: ", nc->name);
                print_client(h, "", nc->peer);
            } else {
                hmp_printf(h, " \\ %s: (no peer)\n", nc->name);
            }
        }
    }
    for (struct net_client *nc = net_client_first(); nc; nc = nc->next) {
        if (nc->hub_id >= 0 || (nc->peer && nc->peer->hub_id >= 0)) {
            continue;
        }
        if (nc->ops->is_nic) {
            print_client(h, "", nc);
            if (nc->peer) {
                print_client(h, " \\ ", nc->peer);
            }
        } else if (!nc->peer) {
            print_client(h, "", nc);
        }
    }
}

void hmp_info_usernet(struct hmp *h, const char *arg)
{
#ifdef CONFIG_SLIRP
    char *s = net_slirp_connection_info();
    if (s) {
        hmp_printf(h, "%s", s);
        free(s);
    }
#endif
}

static void report(struct hmp *h, struct err *e)
{
    if (e) {
        hmp_printf(h, "Error: %s\n", e->msg);
        err_free(e);
    }
}

void hmp_cmd_netdev_add(struct hmp *h, const char *arg)
{
    struct err *e = NULL;
    struct kvlist *kv = kvlist_new();
    if (kvlist_parse(kv, arg ? arg : "", "type", &e) == 0) {
        netdev_add(kv, &e);
    }
    kvlist_free(kv);
    report(h, e);
}

void hmp_cmd_netdev_del(struct hmp *h, const char *arg)
{
    struct err *e = NULL;
    netdev_del(arg ? arg : "", &e);
    report(h, e);
}

/* Split "a b" into two words; the first is optional for hostfwd_*. */
static int words(const char *arg, char *w1, char *w2, size_t n)
{
    w1[0] = w2[0] = 0;
    if (!arg) {
        return 0;
    }
    int got = sscanf(arg, "%255s %255s", w1, w2);
    (void)n;
    return got < 0 ? 0 : got;
}

void hmp_cmd_set_link(struct hmp *h, const char *arg)
{
    char name[256], state[256];
    if (words(arg, name, state, sizeof(name)) != 2 ||
        (strcmp(state, "on") && strcmp(state, "off"))) {
        hmp_printf(h, "Usage: set_link name on|off\n");
        return;
    }
    struct net_client *nc = net_client_find(name);
    if (!nc) {
        hmp_printf(h, "Error: Device '%s' not found\n", name);
        return;
    }
    net_set_link(nc, !strcmp(state, "on"));
}

static void cmd_hostfwd(struct hmp *h, const char *arg, bool add)
{
#ifdef CONFIG_SLIRP
    char a[256], b[256];
    struct err *e = NULL;
    int n = words(arg, a, b, sizeof(a));
    if (n == 0) {
        hmp_printf(h, "Usage: hostfwd_%s [netdev_id] rule\n",
                   add ? "add" : "remove");
        return;
    }
    const char *nd = n == 2 ? a : NULL;
    const char *rule = n == 2 ? b : a;
    if (add) {
        net_slirp_hostfwd_add(nd, rule, &e);
    } else {
        net_slirp_hostfwd_remove(nd, rule, &e);
    }
    if (e) {
        hmp_printf(h, "%s\n", e->msg);
        err_free(e);
    }
#else
    hmp_printf(h, "hostfwd: not supported (no libslirp)\n");
#endif
}

void hmp_cmd_hostfwd_add(struct hmp *h, const char *arg)
{
    cmd_hostfwd(h, arg, true);
}

void hmp_cmd_hostfwd_remove(struct hmp *h, const char *arg)
{
    cmd_hostfwd(h, arg, false);
}
