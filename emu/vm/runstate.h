/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runstate.h - the VM's run state with QEMU's names (qapi RunState):
 * prelaunch (-S), running, paused, shutdown, ...; requests for shutdown,
 * reset and power-down that the main loop carries out; the STOP, RESUME,
 * RESET, SHUTDOWN and POWERDOWN events.
 */
#ifndef HEMU_EMU_VM_RUNSTATE_H
#define HEMU_EMU_VM_RUNSTATE_H

#include "emu/osdep.h"

enum run_state {
    RUN_STATE_DEBUG,
    RUN_STATE_INMIGRATE,
    RUN_STATE_INTERNAL_ERROR,
    RUN_STATE_IO_ERROR,
    RUN_STATE_PAUSED,
    RUN_STATE_POSTMIGRATE,
    RUN_STATE_PRELAUNCH,
    RUN_STATE_FINISH_MIGRATE,
    RUN_STATE_RESTORE_VM,
    RUN_STATE_RUNNING,
    RUN_STATE_SAVE_VM,
    RUN_STATE_SHUTDOWN,
    RUN_STATE_SUSPENDED,
    RUN_STATE_WATCHDOG,
    RUN_STATE_GUEST_PANICKED,
    RUN_STATE_COLO,
    RUN_STATE__MAX
};

/* qapi ShutdownCause */
enum shutdown_cause {
    SHUTDOWN_CAUSE_NONE,
    SHUTDOWN_CAUSE_HOST_ERROR,
    SHUTDOWN_CAUSE_HOST_QMP_QUIT,
    SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET,
    SHUTDOWN_CAUSE_HOST_SIGNAL,
    SHUTDOWN_CAUSE_HOST_UI,
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
    SHUTDOWN_CAUSE_GUEST_RESET,
    SHUTDOWN_CAUSE_GUEST_PANIC,
    SHUTDOWN_CAUSE_SUBSYSTEM_RESET,
    SHUTDOWN_CAUSE__MAX
};

const char *runstate_name(enum run_state s);
enum run_state runstate_get(void);
bool runstate_is_running(void);
const char *shutdown_cause_name(enum shutdown_cause c);

/* Start or resume the guest (RESUME event); error if it cannot run. */
int vm_start(struct err **errp);
/* Stop the guest and enter state s (STOP event if it was running). */
void vm_stop(enum run_state s);

/* Requests, carried out by the main loop (safe from any thread). */
void vm_request_shutdown(enum shutdown_cause cause);
void vm_request_reset(enum shutdown_cause cause);
void vm_request_powerdown(void);

/* Hooks for devices: reset handlers run on every system reset; power-down
 * notifiers deliver the ACPI power button. */
void vm_register_reset(void (*fn)(void *opaque), void *opaque);
void vm_register_powerdown(void (*fn)(void *opaque), void *opaque);
/* Called with (running, new state) on every change. */
void vm_register_state_change(void (*fn)(void *opaque, bool running,
                                         enum run_state s),
                              void *opaque);

/* Policy from -no-reboot / -no-shutdown / -action. */
extern bool vm_no_reboot;    /* guest reset => shutdown */
extern bool vm_no_shutdown;  /* guest shutdown => stop in "shutdown" */

/* Run the main loop until a shutdown request ends the VM. */
void vm_main_loop(void);

#endif
