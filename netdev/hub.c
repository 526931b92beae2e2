/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hub.c - hubs: every frame one port receives from its peer goes out of
 * all other ports, as QEMU's legacy "VLANs" (-net nic -net user share hub
 * 0) and -netdev hubport,hubid= (QEMU 6.2 manual, "-netdev hubport").
 * A port never blocks: frames wait in the queues of the receivers behind
 * the other ports.
 */
#include "emu/osdep.h"

#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/cli/keyval.h"
#include "netdev/net.h"
#include "netdev/netdev.h"

static ssize_t hubport_receive(struct net_client *nc, const uint8_t *buf,
                               size_t len)
{
    for (struct net_client *p = net_client_first(); p; p = p->next) {
        if (p != nc && p->hub_id == nc->hub_id && p->peer) {
            net_send(p, buf, len);
        }
    }
    return len;
}

static const struct net_client_ops hubport_ops = {
    .type = "hubport",
    .receive = hubport_receive,
};

int net_hub_count_ports(int hub_id)
{
    int n = 0;
    for (struct net_client *p = net_client_first(); p; p = p->next) {
        n += p->hub_id == hub_id;
    }
    return n;
}

struct net_client *net_hub_add_port(int hub_id, const char *name,
                                    struct err **errp)
{
    if (hub_id < 0) {
        err_setf(errp, "Parameter 'hubid' expects a non-negative number");
        return NULL;
    }
    char *auto_name = NULL;
    if (!name) {
        auto_name = xasprintf("hub%dport%d", hub_id,
                              net_hub_count_ports(hub_id));
        name = auto_name;
    }
    struct net_client *nc = net_client_new(&hubport_ops, sizeof(*nc), "hub",
                                           name);
    free(auto_name);
    nc->hub_id = hub_id;
    net_client_set_info(nc, "hub %d", hub_id);
    return nc;
}

/* -netdev hubport,id=,hubid=[,netdev=] */
static struct net_client *hubport_init(struct kvlist *kv, const char *name,
                                       struct err **errp)
{
    struct err *e = NULL;
    if (!kv_has(kv, "hubid")) {
        err_setf(errp, "Parameter 'hubid' is missing");
        return NULL;
    }
    uint64_t hubid = kv_uint(kv, "hubid", 0, &e);
    if (e) {
        err_propagate(errp, e);
        return NULL;
    }
    if (hubid > INT32_MAX) {
        err_setf(errp, "Parameter 'hubid' expects an int32 value");
        return NULL;
    }
    const char *netdev = kv_str(kv, "netdev", NULL);
    struct net_client *peer = NULL;
    if (netdev) {
        peer = net_client_find(netdev);
        if (!peer || peer->ops->is_nic) {
            err_setf(errp, "Device '%s' not found", netdev);
            return NULL;
        }
        if (peer->peer) {
            err_setf(errp, "Device '%s' is already in use", netdev);
            return NULL;
        }
    }
    struct net_client *nc = net_hub_add_port((int)hubid, name, errp);
    if (nc && peer) {
        net_client_set_peer(nc, peer);
    }
    return nc;
}

const struct netdev_type netdev_hubport = { "hubport", hubport_init };
