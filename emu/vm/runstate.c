/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runstate.c - run states, shutdown/reset/power-down requests and their
 * events, following QEMU's softmmu/runstate.c behaviour as documented in
 * the QMP reference (events STOP, RESUME, RESET, SHUTDOWN, POWERDOWN).
 */
#include "emu/osdep.h"
#include <json-c/json.h>

#include "emu/loop/loop.h"      /* clock_virt_set_running, loop_wait */
#include "emu/monitor/event.h"  /* event_emit */
#include "emu/util/cutils.h"    /* xzalloc */
#include "emu/util/err.h"
#include "emu/vm/runstate.h"

bool vm_no_reboot;
bool vm_no_shutdown;

static enum run_state state = RUN_STATE_PRELAUNCH;

static const char *const state_names[RUN_STATE__MAX] = {
    [RUN_STATE_DEBUG] = "debug",
    [RUN_STATE_INMIGRATE] = "inmigrate",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
    [RUN_STATE_IO_ERROR] = "io-error",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_POSTMIGRATE] = "postmigrate",
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_FINISH_MIGRATE] = "finish-migrate",
    [RUN_STATE_RESTORE_VM] = "restore-vm",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_SAVE_VM] = "save-vm",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_SUSPENDED] = "suspended",
    [RUN_STATE_WATCHDOG] = "watchdog",
    [RUN_STATE_GUEST_PANICKED] = "guest-panicked",
    [RUN_STATE_COLO] = "colo",
};

static const char *const cause_names[SHUTDOWN_CAUSE__MAX] = {
    [SHUTDOWN_CAUSE_NONE] = "none",
    [SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
    [SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
    [SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
    [SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
    [SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
    [SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
    [SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
    [SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
    [SHUTDOWN_CAUSE_SUBSYSTEM_RESET] = "subsystem-reset",
};

const char *runstate_name(enum run_state s)
{
    return s < RUN_STATE__MAX ? state_names[s] : "unknown";
}

const char *shutdown_cause_name(enum shutdown_cause c)
{
    return c < SHUTDOWN_CAUSE__MAX ? cause_names[c] : "none";
}

enum run_state runstate_get(void)
{
    return state;
}

bool runstate_is_running(void)
{
    return state == RUN_STATE_RUNNING;
}

/* ---------------------------------------------------------------------------
 * Hook lists
 */

struct hook {
    void (*fn)(void *opaque);
    void (*state_fn)(void *opaque, bool running, enum run_state s);
    void *opaque;
    struct hook *next;
};

static struct hook *reset_hooks, *powerdown_hooks, *state_hooks;

static void hook_add(struct hook **list, struct hook *h)
{
    while (*list) {
        list = &(*list)->next;
    }
    *list = h;
}

void vm_register_reset(void (*fn)(void *opaque), void *opaque)
{
    struct hook *h = xzalloc(sizeof(*h));
    h->fn = fn;
    h->opaque = opaque;
    hook_add(&reset_hooks, h);
}

void vm_register_powerdown(void (*fn)(void *opaque), void *opaque)
{
    struct hook *h = xzalloc(sizeof(*h));
    h->fn = fn;
    h->opaque = opaque;
    hook_add(&powerdown_hooks, h);
}

void vm_register_state_change(void (*fn)(void *opaque, bool running,
                                         enum run_state s),
                              void *opaque)
{
    struct hook *h = xzalloc(sizeof(*h));
    h->state_fn = fn;
    h->opaque = opaque;
    hook_add(&state_hooks, h);
}

static void set_state(enum run_state s)
{
    state = s;
    bool running = s == RUN_STATE_RUNNING;
    clock_virt_set_running(running);
    for (struct hook *h = state_hooks; h; h = h->next) {
        h->state_fn(h->opaque, running, s);
    }
}

int vm_start(struct err **errp)
{
    if (state == RUN_STATE_RUNNING) {
        return 0;
    }
    if (state == RUN_STATE_INMIGRATE) {
        err_setf(errp, "Guest is waiting for an incoming migration");
        return -1;
    }
    set_state(RUN_STATE_RUNNING);
    event_emit("RESUME", NULL);
    return 0;
}

void vm_stop(enum run_state s)
{
    bool was_running = state == RUN_STATE_RUNNING;
    set_state(s);
    if (was_running) {
        event_emit("STOP", NULL);
    }
}

/* ---------------------------------------------------------------------------
 * Requests: recorded from any thread, acted on in the main loop.
 */

static int shutdown_req, reset_req, powerdown_req;

void vm_request_shutdown(enum shutdown_cause cause)
{
    __atomic_store_n(&shutdown_req, (int)cause, __ATOMIC_RELEASE);
    loop_notify();
}

void vm_request_reset(enum shutdown_cause cause)
{
    __atomic_store_n(&reset_req, (int)cause, __ATOMIC_RELEASE);
    loop_notify();
}

void vm_request_powerdown(void)
{
    __atomic_store_n(&powerdown_req, 1, __ATOMIC_RELEASE);
    loop_notify();
}

static bool cause_is_guest(enum shutdown_cause c)
{
    return c >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN;
}

static void emit_cause(const char *name, enum shutdown_cause c)
{
    json_object *d = json_object_new_object();
    json_object_object_add(d, "guest", json_object_new_boolean(cause_is_guest(c)));
    json_object_object_add(d, "reason",
                           json_object_new_string(shutdown_cause_name(c)));
    event_emit(name, d);
}

/* Tell the state hooks (the vCPU threads) to stop or go without changing
 * the visible run state: a reset must not race a running CPU. */
static void quiesce(bool stop)
{
    for (struct hook *h = state_hooks; h; h = h->next) {
        h->state_fn(h->opaque, !stop, stop ? RUN_STATE_PAUSED : state);
    }
}

static void do_reset(enum shutdown_cause cause)
{
    bool running = state == RUN_STATE_RUNNING;
    if (running) {
        quiesce(true);
    }
    for (struct hook *h = reset_hooks; h; h = h->next) {
        h->fn(h->opaque);
    }
    if (running) {
        quiesce(false);
    }
    emit_cause("RESET", cause);
}

/* Returns true when the main loop should end. */
static bool handle_requests(void)
{
    int c = __atomic_exchange_n(&shutdown_req, 0, __ATOMIC_ACQ_REL);
    if (c) {
        emit_cause("SHUTDOWN", (enum shutdown_cause)c);
        /* -no-shutdown keeps the process alive for guest shutdowns only;
         * a host request (quit, signal) always ends it. */
        if (vm_no_shutdown && cause_is_guest((enum shutdown_cause)c)) {
            vm_stop(RUN_STATE_SHUTDOWN);
        } else {
            return true;
        }
    }
    c = __atomic_exchange_n(&reset_req, 0, __ATOMIC_ACQ_REL);
    if (c) {
        if (vm_no_reboot && c == SHUTDOWN_CAUSE_GUEST_RESET) {
            /* -no-reboot: a guest reboot becomes a shutdown. */
            vm_request_shutdown(SHUTDOWN_CAUSE_GUEST_RESET);
        } else {
            do_reset((enum shutdown_cause)c);
            /* After a reset QEMU leaves "shutdown"/"guest-panicked" for
             * "paused" so that cont works. */
            if (state == RUN_STATE_SHUTDOWN || state == RUN_STATE_GUEST_PANICKED ||
                state == RUN_STATE_INTERNAL_ERROR) {
                set_state(RUN_STATE_PAUSED);
            }
        }
    }
    if (__atomic_exchange_n(&powerdown_req, 0, __ATOMIC_ACQ_REL)) {
        event_emit("POWERDOWN", NULL);
        for (struct hook *h = powerdown_hooks; h; h = h->next) {
            h->fn(h->opaque);
        }
    }
    return false;
}

void vm_main_loop(void)
{
    while (!handle_requests()) {
        loop_wait(-1);
    }
}
