/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhost-user.h - the vhost-user net back end (-netdev vhost-user) as
 * virtio-net-pci sees it: the device keeps its configuration space and
 * control queue, and hands its receive and transmit rings to the back-end
 * process (QEMU's docs/interop/vhost-user.rst).
 */
#ifndef HEMU_NETDEV_VHOST_USER_H
#define HEMU_NETDEV_VHOST_USER_H

#include "emu/osdep.h"

struct err;
struct net_client;
struct virtio_pci;
struct vhost_user;

/* The vhost-user back end peer is, or NULL. */
struct vhost_user *vhost_user_of(struct net_client *peer);
/* At realize: bind to the device; refuses guest RAM the back end cannot
 * map.  nvqs rings (from 0) go to the back end. */
int vhost_user_attach(struct vhost_user *vu, struct virtio_pci *vp,
                      unsigned nvqs, struct err **errp);
/* The back end's virtio feature bits (GET_FEATURES). */
uint64_t vhost_user_features(const struct vhost_user *vu);
/* DRIVER_OK: hand the rings over; device reset: take them back. */
void vhost_user_start(struct vhost_user *vu);
void vhost_user_stop(struct vhost_user *vu);
/* The driver notified ring q. */
void vhost_user_kick(struct vhost_user *vu, unsigned q);

#endif
