/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slirp.h - the monitor's view of -netdev user (slirp.c). */
#ifndef HEMU_NETDEV_SLIRP_H
#define HEMU_NETDEV_SLIRP_H

struct err;

/* HMP hostfwd_add/hostfwd_remove; netdev NULL: the only user back end. */
int net_slirp_hostfwd_add(const char *netdev, const char *rule,
                          struct err **errp);
int net_slirp_hostfwd_remove(const char *netdev, const char *rule,
                             struct err **errp);
/* HMP info usernet (malloc'd, NULL without a user back end). */
char *net_slirp_connection_info(void);

#endif
