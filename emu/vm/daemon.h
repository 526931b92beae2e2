/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon.h - -daemonize and -pidfile.  As QEMU does, the parent process
 * exits only when the child has finished initialising (its QMP socket
 * exists), with the child's success or failure as its exit status.
 */
#ifndef HEMU_EMU_VM_DAEMON_H
#define HEMU_EMU_VM_DAEMON_H

struct err;

/* Fork; returns in the child only.  The parent waits for daemon_ready(). */
void daemon_start(void);
/* Child: initialisation is done; detach stdio and let the parent exit 0. */
void daemon_ready(void);
/* Create and lock the pid file; removed again by pidfile_remove(). */
int pidfile_create(const char *path, struct err **errp);
void pidfile_remove(void);

#endif
