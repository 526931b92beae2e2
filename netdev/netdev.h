/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netdev.h - back-end types and the command-line/QMP side of the net
 * layer: -netdev, -net, -nic, -object filter-dump, netdev_add/netdev_del,
 * and the NICs that -net nic/-nic (or the machine's default) ask for.
 * QEMU 6.2 manual, "Network options".
 */
#ifndef HEMU_NETDEV_NETDEV_H
#define HEMU_NETDEV_NETDEV_H

#include "emu/osdep.h"

struct err;
struct kvlist;
struct net_client;
struct net_client_ops;

struct netdev_type {
    const char *name;
    /* Create the back end from kv (its own keys; the layer has read
     * type/id), named name.  NULL with *errp set on failure. */
    struct net_client *(*init)(struct kvlist *kv, const char *name,
                               struct err **errp);
};

/* Back ends (each in its own file). */
extern const struct netdev_type netdev_user, netdev_socket, netdev_hubport,
    netdev_tap, netdev_bridge, netdev_l2tpv3, netdev_vhost_user;

/* Option handlers: record (and check the shape of) the option. */
int net_opt_netdev(const char *arg, struct err **errp);
int net_opt_net(const char *arg, struct err **errp);
int net_opt_nic(const char *arg, struct err **errp);
int net_opt_filter(const char *arg, struct kvlist *kv, struct err **errp);

/* After the command line: create the back ends and the filters (exits
 * with the option's location on error). */
void net_init_clients(bool nodefaults);
/* From the machine: the NICs of -net nic/-nic (and the default NIC),
 * default_model when no model= is given.  0 or -1. */
int net_create_nics(const char *default_model, struct err **errp);

/* After the machine: warn about NICs it did not create (machine none). */
void net_check_nics(void);

/* netdev_add: kv holds type, id and the back end's keys. */
struct net_client *netdev_add(struct kvlist *kv, struct err **errp);
int netdev_del(const char *id, struct err **errp);

/* For NIC front ends: connect nc (embedded, ops set) to the back end
 * named netdev (NULL: unconnected); name is the NIC's id or NULL. */
int net_nic_init(struct net_client *nc, const struct net_client_ops *ops,
                 const char *model, const char *name, const char *netdev,
                 struct err **errp);
/* The properties every PCI NIC model checks the same way: bootindex= (the
 * string as given, NULL: -1), mac= (all zero: a fresh default address;
 * multicast refused); model names the device in the messages. */
int net_nic_props(const char *model, const char *bootindex_str,
                  int32_t *bootindex, const uint8_t mac_prop[6],
                  uint8_t macaddr[6], struct err **errp);

#endif
