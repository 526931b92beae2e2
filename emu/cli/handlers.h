/* SPDX-License-Identifier: GPL-2.0-or-later */
/* handlers.h - the handlers that options.def names (see options.h). */
#ifndef HEMU_EMU_CLI_HANDLERS_H
#define HEMU_EMU_CLI_HANDLERS_H

#include "emu/cli/options.h"

option_handler opt_rtc, opt_boot, opt_help, opt_version, opt_machine, opt_cpu, opt_accel,
    opt_smp, opt_numa, opt_m, opt_device, opt_name, opt_uuid, opt_display,
    opt_nographic, opt_netdev, opt_net, opt_nic, opt_chardev, opt_serial, opt_debugcon, opt_parallel,
    opt_monitor, opt_qmp, opt_qmp_pretty, opt_mon, opt_pidfile, opt_S, opt_d,
    opt_D, opt_L, opt_bios, opt_singlestep, opt_no_reboot, opt_no_shutdown, opt_action,
    opt_daemonize, opt_echr, opt_nodefaults, opt_no_user_config, opt_msg,
    opt_object, opt_global, opt_kernel, opt_initrd, opt_append;
/* Block device options (emu/blk/drive.c does the work). */
option_handler opt_drive, opt_hda, opt_hdb, opt_hdc, opt_hdd, opt_cdrom,
    opt_blockdev, opt_snapshot, opt_fda, opt_fdb;
/* display/ and remote/ own these. */
option_handler opt_vga, opt_vnc, opt_k;
/* emu/hw/usb/usb-cli.c */
option_handler opt_usb, opt_usbdevice;
/* block-protocols/iscsi-opts.c */
option_handler opt_iscsi;
option_handler opt_spice;     /* remote/spice-opts.c */

#endif
