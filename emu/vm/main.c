/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c - hemu's start-up: read the command line, build what it asks for
 * in QEMU's order (secrets, chardevs, serial ports, monitors, the machine),
 * start or stay in prelaunch (-S), run the main loop, clean up.
 */
#include "emu/osdep.h"
#include <signal.h>
#include <sys/prctl.h>

#include "emu/chardev/chardev.h"
#include "emu/cli/keyval.h"
#include "emu/cli/options.h"     /* cli_parse */
#include "emu/hw/dev.h"
#include "emu/hw/isa.h"          /* isa_debugcon_type (-debugcon) */
#include "emu/hw/usb/usb.h"      /* usb_requested */
#include "emu/loop/loop.h"
#include "emu/monitor/monitor.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/config.h"
#include "emu/vm/daemon.h"
#include "emu/vm/machine.h"
#include "emu/vm/runstate.h"
#include "netdev/netdev.h"        /* net_init_clients */
#include "remote/vnc.h"          /* vnc_start */
#include "remote/spice.h"        /* spice_start */

/* ---------------------------------------------------------------------------
 * Signals: SIGINT/SIGTERM/SIGHUP end the VM through the main loop.
 */

static volatile sig_atomic_t sig_num, sig_pid;

static void on_term_signal(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    sig_num = sig;
    sig_pid = si ? si->si_pid : 0;
    vm_request_shutdown(SHUTDOWN_CAUSE_HOST_SIGNAL);
}

static void setup_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_term_signal;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* ---------------------------------------------------------------------------
 * Chardev front ends from the command line
 */

static void die_at(struct deferred_opt *d, struct err *e)
{
    err_loc_set_cmdline(d->opt, d->arg);
    fatal_err(e);
}

static void create_chardevs(void)
{
    struct err *e = NULL;
    for (struct deferred_opt *d = cfg.chardevs; d; d = d->next) {
        err_loc_set_cmdline(d->opt, d->arg);
        if (!chr_new(d->kv, &e)) {
            die_at(d, e);
        }
    }
    err_loc_clear();
}

static void add_monitor_on(struct chardev *chr, bool qmp, bool pretty,
                           struct deferred_opt *d)
{
    struct err *e = NULL;
    if (monitor_new(chr, qmp, pretty, &e) < 0) {
        die_at(d, e);
    }
}

static void create_serials(void)
{
    struct err *e = NULL;
    for (struct deferred_opt *d = cfg.serials; d; d = d->next) {
        if (cfg.n_serial == (int)ARRAY_SIZE(cfg.serial_chr)) {
            err_loc_set_cmdline(d->opt, d->arg);
            fatal("too many serial ports");
        }
        char id[16];
        bool is_mon = false;
        snprintf(id, sizeof(id), "serial%d", cfg.n_serial);
        err_loc_set_cmdline(d->opt, d->arg);
        struct chardev *chr = chr_new_compat(id, d->arg, &is_mon, &e);
        if (!chr) {
            die_at(d, e);
        }
        cfg.serial_chr[cfg.n_serial++] = chr;
        if (is_mon) {
            add_monitor_on(chr, false, false, d);
        }
    }
    err_loc_clear();
}

static void create_monitors(void)
{
    struct err *e = NULL;
    int n = 0;
    for (struct deferred_opt *d = cfg.monitors; d; d = d->next) {
        bool qmp = !strcmp(kv_str(d->kv, "mode", "readline"), "control");
        bool pretty = kv_bool(d->kv, "pretty", false, NULL);
        struct chardev *chr;
        err_loc_set_cmdline(d->opt, d->arg);
        if (!strcmp(d->opt, "mon")) {
            const char *id = kv_str(d->kv, "chardev", "");
            chr = chr_find(id);
            if (!chr) {
                err_setf(&e, "chardev \"%s\" not found", id);
                die_at(d, e);
            }
        } else {
            char id[32];
            bool is_mon = false;
            snprintf(id, sizeof(id), "compat_monitor%d", n++);
            chr = chr_new_compat(id, d->arg, &is_mon, &e);
            if (!chr) {
                die_at(d, e);
            }
        }
        add_monitor_on(chr, qmp, pretty, d);
    }
    err_loc_clear();
}

/* -debugcon dev: what "-chardev dev,id=debugcon -device
   isa-debugcon,iobase=0xe9,chardev=debugcon" would make. */
static void create_debugcons(void)
{
    struct err *e = NULL;
    for (struct deferred_opt *d = cfg.debugcons; d; d = d->next) {
        bool is_mon = false;
        err_loc_set_cmdline(d->opt, d->arg);
        struct chardev *chr = chr_new_compat("debugcon", d->arg, &is_mon, &e);
        if (!chr) {
            die_at(d, e);
        }
        if (is_mon) {
            add_monitor_on(chr, false, false, d);
        }
        struct kvlist *kv = kvlist_new();
        kv_set(kv, "chardev", "debugcon");
        kv_set(kv, "iobase", "0xe9");
        if (!dev_create(&isa_debugcon_type, kv, &e)) {
            kvlist_free(kv);
            die_at(d, e);
        }
        kvlist_free(kv);
    }
    err_loc_clear();
}

static void reset_devices(void *opaque)
{
    dev_reset_all();
}

static void create_devices(void)
{
    static const char *const bus_names[] = { "System", "ISA", "PCI", "usb-bus" };
    struct err *e = NULL;
    for (struct deferred_opt *d = cfg.devices; d; d = d->next) {
        const struct dev_type *t = dev_type_find(kv_str(d->kv, "driver", ""));
        err_loc_set_cmdline(d->opt, d->arg);
        if (!(current_machine->buses & (1u << t->bus))) {
            fatal("No '%s' bus found for device '%s'", bus_names[t->bus],
                  t->name);
        }
        if (!dev_create(t, d->kv, &e)) {
            die_at(d, e);
        }
    }
    err_loc_clear();
}

/* QEMU's defaults: -nographic puts the serial port and the monitor on a
 * mux over stdio; without -nographic hemu has no local console, so the
 * default serial port and monitor (QEMU's "vc") do not exist. */
static void add_defaults(void)
{
    if (!cfg.nographic) {
        return;
    }
    if (cfg.default_serial && cfg.default_monitor) {
        config_defer(&cfg.serials, "nographic", "mon:stdio", NULL);
    } else if (cfg.default_serial) {
        config_defer(&cfg.serials, "nographic", "stdio", NULL);
    } else if (cfg.default_monitor) {
        struct kvlist *kv = kvlist_new();
        kv_set(kv, "mode", "readline");
        config_defer(&cfg.monitors, "monitor", "stdio", kv);
    }
}

static bool uses_stdio(void)
{
    for (struct deferred_opt *d = cfg.serials; d; d = d->next) {
        if (strstr(d->arg, "stdio")) {
            return true;
        }
    }
    for (struct deferred_opt *d = cfg.debugcons; d; d = d->next) {
        if (strstr(d->arg, "stdio")) {
            return true;
        }
    }
    for (struct deferred_opt *d = cfg.monitors; d; d = d->next) {
        if (strcmp(d->opt, "mon") && strstr(d->arg, "stdio")) {
            return true;
        }
    }
    for (struct deferred_opt *d = cfg.chardevs; d; d = d->next) {
        const char *be = kv_str(d->kv, "backend", "");
        if (!strcmp(be, "stdio")) {
            return true;
        }
    }
    return false;
}

static void cleanup(void)
{
    monitor_cleanup_all();
    chr_cleanup_all();
    pidfile_remove();
}

int main(int argc, char **argv)
{
    struct err *e = NULL;

    config_init();
    loop_init();
    bql_lock();
    cli_parse(argc, argv);

    if (machine_configure(&e) < 0) {
        fatal_err(e);
    }
    if (cfg.initrd && !cfg.kernel) {
        fatal("-initrd only allowed with -kernel option");
    }
    if (cfg.append && !cfg.kernel) {
        fatal("-append only allowed with -kernel option");
    }
    if (cfg.kernel && !current_machine->buses) {
        /* Only a machine with a firmware path can boot one; never ignore. */
        fatal("-kernel: machine '%s' cannot boot a kernel",
              current_machine->name);
    }
    if (usb_requested() && !(current_machine->buses & (1u << BUS_USB))) {
        fatal("Property '%s-machine.usb' not found", current_machine->name);
    }
    if (cfg.name) {
        err_guest_name = cfg.name;
    }
    if (cfg.process_name) {
        prctl(PR_SET_NAME, cfg.process_name);
    }
    add_defaults();
    if (cfg.daemonize) {
        /* As QEMU: -nographic is only a conflict when it would put a
         * default port or monitor on stdio (libvirt passes -nographic
         * -nodefaults -daemonize). */
        if (cfg.nographic && (cfg.default_serial || cfg.default_parallel ||
                              cfg.default_monitor)) {
            fatal("-nographic cannot be used with -daemonize");
        }
        if (uses_stdio()) {
            fatal("cannot use stdio with -daemonize");
        }
        daemon_start();
    }
    if (cfg.pidfile && pidfile_create(cfg.pidfile, &e) < 0) {
        err_loc_set_cmdline("pidfile", cfg.pidfile);
        fatal_err(e);
    }
    atexit(cleanup);
    setup_signals();

    create_chardevs();
    create_serials();
    create_monitors();
    net_init_clients(cfg.nodefaults);

    if (current_machine->init(&e) < 0) {
        fatal_err(e);
    }
    create_devices();
    create_debugcons();
    net_check_nics();
    if (vnc_start(&e) < 0) {
        fatal_err(e);
    }
    if (spice_start(&e) < 0) {
        fatal_err(e);
    }
    if (current_machine->done && current_machine->done(&e) < 0) {
        fatal_err(e);
    }
    vm_register_reset(reset_devices, NULL);
    daemon_ready();

    if (!cfg.start_paused && vm_start(&e) < 0) {
        fatal_err(e);
    }
    vm_main_loop();

    if (sig_num) {
        err_report("terminating on signal %d from pid %d", (int)sig_num,
                   (int)sig_pid);
    }
    exit(0);
}
