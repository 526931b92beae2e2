/* SPDX-License-Identifier: GPL-2.0-or-later */
/* net-cmds.h - the network commands (net-cmds.c) for the monitor tables. */
#ifndef HEMU_EMU_MONITOR_NET_CMDS_H
#define HEMU_EMU_MONITOR_NET_CMDS_H

#include "emu/monitor/hmp.h"
#include "emu/monitor/qmp.h"

qmp_handler qmp_netdev_add, qmp_netdev_del, qmp_set_link,
    qmp_query_rx_filter;
extern const struct qmp_arg netdev_add_args[], netdev_del_args[],
    set_link_args[], rx_filter_args[];

void hmp_info_network(struct hmp *h, const char *arg);
void hmp_info_usernet(struct hmp *h, const char *arg);
void hmp_cmd_netdev_add(struct hmp *h, const char *arg);
void hmp_cmd_netdev_del(struct hmp *h, const char *arg);
void hmp_cmd_set_link(struct hmp *h, const char *arg);
void hmp_cmd_hostfwd_add(struct hmp *h, const char *arg);
void hmp_cmd_hostfwd_remove(struct hmp *h, const char *arg);

#endif
