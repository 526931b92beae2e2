/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * handlers.c - what each implemented option of options.def does, with the
 * syntax and error wording of the QEMU 6.2 manual.  Most options only record
 * into cfg (emu/vm/config.h); main.c acts on the record once the whole
 * command line is read, as QEMU does.
 */
#include "emu/osdep.h"
#include <time.h>             /* timegm for -rtc base= */

#include "emu/accel/tcg.h"        /* tcg_singlestep */
#include "emu/blk/drive.h"        /* -drive, -hda.., -cdrom, -blockdev */
#include "emu/chardev/chardev.h"  /* chr_print_help, chr_mux_escape_char */
#include "emu/cli/handlers.h"
#include "emu/cli/keyval.h"
#include "emu/hw/dev.h"          /* dev_print_types, dev_global_add */
#include "emu/mem/memory-backend.h" /* -object memory-backend-*, -numa */
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/cpu/x86/cpuid.h"   /* -cpu */
#include "emu/util/log.h"
#include "emu/vm/config.h"
#include "emu/vm/machine.h"       /* machine_print_help */
#include "emu/vm/runstate.h"      /* vm_no_reboot, vm_no_shutdown */
#include "emu/vm/secret.h"
#include "emu/vm/tls-creds.h"
#include "netdev/netdev.h"         /* net_opt_* */

/* Parse arg into a new list; NULL with *errp set on a syntax error. */
static struct kvlist *parse(const char *arg, const char *implied,
                            struct err **errp)
{
    struct kvlist *kv = kvlist_new();
    if (kvlist_parse(kv, arg, implied, errp) < 0) {
        kvlist_free(kv);
        return NULL;
    }
    return kv;
}

/* Merge src into *dst (later values win), as QEMU merges -machine. */
static void merge(struct kvlist **dst, struct kvlist *src)
{
    if (!*dst) {
        *dst = src;
        return;
    }
    for (int i = 0; i < src->n; i++) {
        kv_set(*dst, src->v[i].key, src->v[i].val);
    }
    kvlist_free(src);
}

int opt_help(const char *arg, struct err **errp)
{
    cli_print_help(stdout);
    return 1;
}

int opt_version(const char *arg, struct err **errp)
{
    cli_print_version(stdout);
    return 1;
}

int opt_machine(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, "type", errp);
    if (!kv) {
        return -1;
    }
    const char *accel = NULL;
    if (kv_asks_help(kv, "type")) {
        kvlist_free(kv);
        machine_print_help(stdout);
        return 1;
    }
    for (int i = 0; i < kv->n; i++) {
        if (!strcmp(kv->v[i].key, "accel")) {
            accel = kv->v[i].val;
        }
    }
    if (accel && !strcmp(accel, "help")) {
        kvlist_free(kv);
        printf("Accelerators supported in QEMU binary:\ntcg\n");
        return 1;
    }
    merge(&cfg.machine_opts, kv);
    free(cfg.machine_loc);
    cfg.machine_loc = xstrdup(arg);
    return 0;
}

int opt_cpu(const char *arg, struct err **errp)
{
    /* the models and their modifiers: emu/cpu/x86/cpumodel.c */
    return x86_cpu_model_select(arg, errp);
}

int opt_accel(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, "accel", errp);
    if (!kv) {
        return -1;
    }
    const char *name = kv_str(kv, "accel", NULL);
    if (kv_asks_help(kv, "accel")) {
        kvlist_free(kv);
        printf("Accelerators supported in QEMU binary:\ntcg\n");
        return 1;
    }
    if (!name) {
        kvlist_free(kv);
        err_setf(errp, "Parameter 'accel' is missing");
        return -1;
    }
    if (strcmp(name, "tcg")) {
        static const char *const known[] = { "kvm", "xen", "hax", "hvf",
                                             "nvmm", "whpx", "qtest" };
        for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
            if (!strcmp(name, known[i])) {
                err_setf(errp, "accelerator '%s': not supported (hemu runs "
                         "guests on its software CPU: use tcg)", name);
                kvlist_free(kv);
                return -1;
            }
        }
        err_setf(errp, "invalid accelerator %s", name);
        kvlist_free(kv);
        return -1;
    }
    /* tcg's properties: accepted with their QEMU values; hemu's soft CPU
     * has no translation cache, so tb-size only needs to be valid. */
    const char *thread = kv_str(kv, "thread", "multi");
    if (strcmp(thread, "single") && strcmp(thread, "multi")) {
        err_setf(errp, "Invalid 'thread' setting %s", thread);
        kvlist_free(kv);
        return -1;
    }
    kv_uint(kv, "tb-size", 0, errp);
    kv_bool(kv, "split-wx", false, errp);
    if (errp && *errp) {
        kvlist_free(kv);
        return -1;
    }
    for (int i = 0; i < kv->n; i++) {
        if (!kv->v[i].used) {
            err_setf(errp, "Property 'tcg-accel.%s' not found", kv->v[i].key);
            kvlist_free(kv);
            return -1;
        }
    }
    kvlist_free(kv);
    free(cfg.accel);
    cfg.accel = xstrdup("tcg");
    return 0;
}

int opt_smp(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, "cpus", errp);
    if (!kv) {
        return -1;
    }
    merge(&cfg.smp_opts, kv);
    return 0;
}

int opt_numa(const char *arg, struct err **errp)
{
    return mem_backend_numa_opt(arg, errp);
}

int opt_m(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, "size", errp);
    uint64_t size = cfg.ram_size, maxmem = 0, slots = 0;
    int ret = -1;
    if (!kv) {
        return -1;
    }
    const char *s = kv_get(kv, "size");
    if (s) {
        if (parse_size(s, 'M', &size) < 0) {
            err_setf(errp, "Parameter 'size' expects a non-negative number "
                     "below 2^64\nOptional suffix k, M, G, T, P or E means "
                     "kilo-, mega-, giga-, tera-, peta-\nand exabytes, "
                     "respectively.");
            goto out;
        }
        if (size == 0) {
            err_setf(errp, "ram size can't be 0");
            goto out;
        }
    } else if (kv_has(kv, "slots") || kv_has(kv, "maxmem")) {
        /* -m slots=..,maxmem=.. keeps the default size. */
    } else {
        err_setf(errp, "missing 'size' option value");
        goto out;
    }
    /* QEMU rounds the RAM size up to 8 KiB. */
    size = (size + 8191) & ~(uint64_t)8191;
    if (size > (1ULL << 42)) {
        err_setf(errp, "ram size too large");
        goto out;
    }
    bool have_slots = kv_has(kv, "slots"), have_max = kv_has(kv, "maxmem");
    slots = kv_uint(kv, "slots", 0, errp);
    maxmem = kv_size(kv, "maxmem", size, errp);
    if ((errp && *errp) || kv_check_used(kv, errp) < 0) {
        goto out;
    }
    if (have_slots && !have_max) {
        err_setf(errp, "invalid -m option value: missing 'maxmem' option");
        goto out;
    }
    if (have_max) {
        if (maxmem < size) {
            err_setf(errp, "invalid value of -m option maxmem: maximum memory "
                     "size (0x%" PRIx64 ") must be at least the initial "
                     "memory size (0x%" PRIx64 ")", maxmem, size);
            goto out;
        }
        if (maxmem > size && !slots) {
            err_setf(errp, "invalid value of -m option: maxmem was specified, "
                     "but no hotplug slots were specified");
            goto out;
        }
        if (slots > 256) {
            err_setf(errp, "unsupported number of slots: %" PRIu64 ", max "
                     "supported number of slots: 256", slots);
            goto out;
        }
    }
    cfg.ram_size = size;
    cfg.ram_size_given |= s != NULL;
    cfg.maxmem = maxmem;
    cfg.ram_slots = slots;
    ret = 0;
out:
    kvlist_free(kv);
    return ret;
}

int opt_device(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, "driver", errp);
    if (!kv) {
        return -1;
    }
    const char *drv = kv_str(kv, "driver", NULL);
    if (!drv || !strcmp(drv, "help")) {
        bool help = kv_asks_help(kv, "driver");
        kvlist_free(kv);
        if (help) {
            dev_print_types(stdout);
            return 1;
        }
        err_setf(errp, "Parameter 'driver' is missing");
        return -1;
    }
    const struct dev_type *t = dev_type_find(drv);
    if (!t || !t->user_creatable) {
        err_setf(errp, "'%s' is not a valid device model name", drv);
        kvlist_free(kv);
        return -1;
    }
    if (kv->help) {
        dev_print_props(stdout, t);
        kvlist_free(kv);
        return 1;
    }
    config_defer(&cfg.devices, "device", arg, kv);
    return 0;
}

int opt_global(const char *arg, struct err **errp)
{
    return dev_global_add(arg, errp);
}

/* -netdev, -net, -nic: the net layer records them (netdev/clients.c). */
int opt_netdev(const char *arg, struct err **errp)
{
    return net_opt_netdev(arg, errp);
}

int opt_net(const char *arg, struct err **errp)
{
    return net_opt_net(arg, errp);
}

int opt_nic(const char *arg, struct err **errp)
{
    return net_opt_nic(arg, errp);
}

int opt_name(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, "guest", errp);
    if (!kv) {
        return -1;
    }
    const char *guest = kv_str(kv, "guest", NULL);
    const char *proc = kv_str(kv, "process", NULL);
    bool dbg = kv_bool(kv, "debug-threads", false, errp);
    if ((errp && *errp) || kv_check_used(kv, errp) < 0) {
        kvlist_free(kv);
        return -1;
    }
    free(cfg.name);
    free(cfg.process_name);
    cfg.name = guest ? xstrdup(guest) : NULL;
    cfg.process_name = proc ? xstrdup(proc) : NULL;
    cfg.debug_threads = dbg;
    kvlist_free(kv);
    return 0;
}

int opt_uuid(const char *arg, struct err **errp)
{
    if (config_uuid_parse(arg, cfg.uuid) < 0) {
        err_setf(errp, "Fail to parse UUID string. Wrong format.");
        return -1;
    }
    cfg.uuid_set = true;
    return 0;
}

/* Boot device letters as QEMU checks them for the PC: a-p, each once,
 * then only a/b (floppy), c (disk), d (CD-ROM), n (network), at most 3. */
static int boot_letters(const char *s, struct err **errp)
{
    unsigned seen = 0;
    for (const char *p = s; *p; p++) {
        if (*p < 'a' || *p > 'p') {
            err_setf(errp, "Invalid boot device '%c'", *p);
            return -1;
        }
        if (seen & (1u << (*p - 'a'))) {
            err_setf(errp, "Boot device '%c' was given twice", *p);
            return -1;
        }
        seen |= 1u << (*p - 'a');
    }
    if (strlen(s) > 3) {
        err_setf(errp, "Too many boot devices for PC");
        return -1;
    }
    for (const char *p = s; *p; p++) {
        if (!strchr("abcdn", *p)) {
            err_setf(errp, "Invalid boot device for PC: '%c'", *p);
            return -1;
        }
    }
    return 0;
}

/* A -boot number in [lo, 65535], or *errp with QEMU's message. */
static int boot_number(struct kvlist *kv, const char *key, int lo, int *out,
                       const char *range_msg, struct err **errp)
{
    const char *v = kv_str(kv, key, NULL);
    if (!v) {
        return 0;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 0);
    if (!*v || *end || errno) {
        err_setf(errp, "Parameter '%s' expects a number", key);
        return -1;
    }
    if (n < lo || n > 0xffff) {
        err_setf(errp, "%s", range_msg);
        return -1;
    }
    *out = (int)n;
    return 0;
}

/* -boot [order=]drives,once=,menu=,splash=,splash-time=,reboot-timeout=,
 * strict= */
int opt_boot(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, "order", errp);
    if (!kv) {
        return -1;
    }
    int r = -1;
    struct err *e = NULL;
    const char *order = kv_str(kv, "order", NULL);
    const char *once = kv_str(kv, "once", NULL);
    if (order && boot_letters(order, errp) < 0) {
        goto out;
    }
    if (once && boot_letters(once, errp) < 0) {
        goto out;
    }
    if (kv_str(kv, "splash", NULL)) {
        err_setf(errp, "splash: not supported");
        goto out;
    }
    bool menu = kv_bool(kv, "menu", cfg.boot_menu, &e);
    bool strict = e ? false : kv_bool(kv, "strict", cfg.boot_strict, &e);
    if (e) {
        err_propagate(errp, e);
        goto out;
    }
    if (boot_number(kv, "splash-time", 0, &cfg.boot_splash_time,
                    "splash-time is invalid,it should be a value between 0 "
                    "and 65535", errp) < 0 ||
        boot_number(kv, "reboot-timeout", -1, &cfg.boot_reboot_timeout,
                    "reboot timeout is invalid,it should be a value between "
                    "-1 and 65535", errp) < 0) {
        goto out;
    }
    if (kv_check_used(kv, errp) < 0) {
        goto out;
    }
    cfg.boot_menu = menu;
    cfg.boot_strict = strict;
    if (order) {
        free(cfg.boot_order);
        cfg.boot_order = xstrdup(order);
    }
    if (once) {
        free(cfg.boot_once);
        cfg.boot_once = xstrdup(once);
    }
    r = 0;
out:
    kvlist_free(kv);
    return r;
}

/* -rtc base=utc|localtime|DATE,clock=host|rt|vm,driftfix=none */
int opt_rtc(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, NULL, errp);
    if (!kv) {
        return -1;
    }
    int r = -1;
    const char *base = kv_str(kv, "base", NULL);
    const char *clock = kv_str(kv, "clock", NULL);
    const char *drift = kv_str(kv, "driftfix", NULL);
    if (base) {
        int y, mo, d, h = 0, mi = 0, sec = 0;
        char end;
        cfg.rtc_localtime = false;
        cfg.rtc_date_set = false;
        if (!strcmp(base, "utc")) {
            /* the default */
        } else if (!strcmp(base, "localtime")) {
            cfg.rtc_localtime = true;
        } else if (sscanf(base, "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi,
                          &sec, &end) == 6 ||
                   sscanf(base, "%d-%d-%d%c", &y, &mo, &d, &end) == 3) {
            struct tm tm = {
                .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                .tm_hour = h, .tm_min = mi, .tm_sec = sec,
            };
            if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
                mi > 59 || sec > 60 || h < 0 || mi < 0 || sec < 0) {
                err_setf(errp, "invalid date format");
                goto out;
            }
            cfg.rtc_date = (int64_t)timegm(&tm);
            cfg.rtc_date_set = true;
        } else {
            err_setf(errp, "invalid datetime format\nvalid formats: "
                     "'2006-06-17T16:01:21' or '2006-06-17'");
            goto out;
        }
    }
    if (clock) {
        static const char *const names[] = { "host", "rt", "vm" };
        int i;
        for (i = 0; i < 3 && strcmp(clock, names[i]); i++) {
        }
        if (i == 3) {
            err_setf(errp, "invalid option value '%s'", clock);
            goto out;
        }
        cfg.rtc_clock = i;
    }
    if (drift && strcmp(drift, "none")) {
        if (!strcmp(drift, "slew")) {
            err_setf(errp, "not supported");
        } else {
            err_setf(errp, "invalid option value '%s'", drift);
        }
        goto out;
    }
    r = kv_check_used(kv, errp);
out:
    kvlist_free(kv);
    return r;
}

int opt_display(const char *arg, struct err **errp)
{
    if (!strncmp(arg, "vnc=", 4)) {
        return opt_vnc(arg + 4, errp);      /* -display vnc=X is -vnc X */
    }
    struct kvlist *kv = parse(arg, "type", errp);
    if (!kv) {
        return -1;
    }
    const char *type = kv_str(kv, "type", NULL);
    if (kv_asks_help(kv, "type")) {
        kvlist_free(kv);
        printf("Available display backend types:\nnone\nvnc\n");
        return 1;
    }
    if (!type || strcmp(type, "none")) {
        err_setf(errp, "display '%s': not supported (hemu is headless; the "
                 "screen leaves over VNC or SPICE)", type ? type : "");
        kvlist_free(kv);
        return -1;
    }
    if (kv_check_used(kv, errp) < 0) {
        kvlist_free(kv);
        return -1;
    }
    kvlist_free(kv);
    cfg.display_none = true;
    return 0;
}

int opt_nographic(const char *arg, struct err **errp)
{
    cfg.nographic = true;
    cfg.display_none = true;
    return 0;
}

int opt_chardev(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, "backend", errp);
    if (!kv) {
        return -1;
    }
    if (kv_asks_help(kv, "backend")) {
        kvlist_free(kv);
        chr_print_help(stdout);
        return 1;
    }
    config_defer(&cfg.chardevs, "chardev", arg, kv);
    return 0;
}

int opt_serial(const char *arg, struct err **errp)
{
    cfg.default_serial = false;
    if (strcmp(arg, "none")) {
        config_defer(&cfg.serials, "serial", arg, NULL);
    }
    return 0;
}

/* -debugcon dev: a chardev "debugcon" and an isa-debugcon on port 0xe9
   (created with the -device list, main.c). */
int opt_debugcon(const char *arg, struct err **errp)
{
    if (cfg.debugcons) {
        err_setf(errp, "too many debug consoles");
        return -1;
    }
    if (strcmp(arg, "none")) {
        config_defer(&cfg.debugcons, "debugcon", arg, NULL);
    }
    return 0;
}

int opt_parallel(const char *arg, struct err **errp)
{
    cfg.default_parallel = false;
    if (strcmp(arg, "none")) {
        err_setf(errp, "parallel ports: not supported");
        return -1;
    }
    return 0;
}

static int add_monitor(const char *opt, const char *arg, const char *mode,
                       bool pretty)
{
    cfg.default_monitor = false;
    if (!strcmp(arg, "none")) {
        return 0;
    }
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "mode", mode);
    kv_set(kv, "pretty", pretty ? "on" : "off");
    config_defer(&cfg.monitors, opt, arg, kv);
    return 0;
}

int opt_monitor(const char *arg, struct err **errp)
{
    return add_monitor("monitor", arg, "readline", false);
}

int opt_qmp(const char *arg, struct err **errp)
{
    return add_monitor("qmp", arg, "control", false);
}

int opt_qmp_pretty(const char *arg, struct err **errp)
{
    return add_monitor("qmp-pretty", arg, "control", true);
}

int opt_mon(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, "chardev", errp);
    if (!kv) {
        return -1;
    }
    const char *chr = kv_str(kv, "chardev", NULL);
    const char *mode = kv_str(kv, "mode", "readline");
    bool pretty = kv_bool(kv, "pretty", false, errp);
    if (errp && *errp) {
        goto fail;
    }
    if (!chr) {
        err_setf(errp, "Parameter 'chardev' is missing");
        goto fail;
    }
    if (strcmp(mode, "readline") && strcmp(mode, "control")) {
        err_setf(errp, "unknown monitor mode \"%s\"", mode);
        goto fail;
    }
    if (pretty && !strcmp(mode, "readline")) {
        warn_report("'pretty' is deprecated for HMP monitors, it has no "
                    "effect and will be removed in future versions");
    }
    kv_mark_used(kv, "id");     /* -mon id= names the monitor; no use yet */
    if (kv_check_used(kv, errp) < 0) {
        goto fail;
    }
    cfg.default_monitor = false;
    struct kvlist *m = kvlist_new();
    kv_set(m, "chardev", chr);
    kv_set(m, "mode", mode);
    kv_set(m, "pretty", pretty ? "on" : "off");
    config_defer(&cfg.monitors, "mon", arg, m);
    kvlist_free(kv);
    return 0;
fail:
    kvlist_free(kv);
    return -1;
}

int opt_pidfile(const char *arg, struct err **errp)
{
    free(cfg.pidfile);
    cfg.pidfile = xstrdup(arg);
    return 0;
}

int opt_S(const char *arg, struct err **errp)
{
    cfg.start_paused = true;
    return 0;
}

int opt_d(const char *arg, struct err **errp)
{
    bool help;
    if (log_set_items(arg, &help, errp) < 0) {
        return -1;
    }
    if (help) {
        log_print_help(stdout);
        return 1;
    }
    return 0;
}

int opt_D(const char *arg, struct err **errp)
{
    return log_set_file(arg, errp);
}

int opt_L(const char *arg, struct err **errp)
{
    if (!strcmp(arg, "help")) {
        config_print_data_dirs(stdout);
        return 1;
    }
    cfg.data_dirs = xrealloc(cfg.data_dirs,
                             (cfg.n_data_dirs + 1) * sizeof(char *));
    cfg.data_dirs[cfg.n_data_dirs++] = xstrdup(arg);
    return 0;
}

int opt_bios(const char *arg, struct err **errp)
{
    free(cfg.bios);
    cfg.bios = xstrdup(arg);
    return 0;
}

/* -kernel, -initrd, -append: recorded; the pc machine loads them (and
 * refuses -initrd or -append without -kernel, as QEMU does). */
static int set_path(char **dst, const char *arg)
{
    free(*dst);
    *dst = xstrdup(arg);
    return 0;
}

int opt_kernel(const char *arg, struct err **errp)
{
    return set_path(&cfg.kernel, arg);
}

int opt_initrd(const char *arg, struct err **errp)
{
    return set_path(&cfg.initrd, arg);
}

int opt_append(const char *arg, struct err **errp)
{
    return set_path(&cfg.append, arg);
}

int opt_singlestep(const char *arg, struct err **errp)
{
    tcg_singlestep = true;
    return 0;
}

int opt_no_reboot(const char *arg, struct err **errp)
{
    vm_no_reboot = true;
    return 0;
}

int opt_no_shutdown(const char *arg, struct err **errp)
{
    vm_no_shutdown = true;
    return 0;
}

int opt_action(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, NULL, errp);
    int ret = -1;
    if (!kv) {
        return -1;
    }
    const char *reboot = kv_str(kv, "reboot", NULL);
    const char *shutdown = kv_str(kv, "shutdown", NULL);
    const char *panic = kv_str(kv, "panic", NULL);
    const char *watchdog = kv_str(kv, "watchdog", NULL);
    if (kv_check_used(kv, errp) < 0) {
        goto out;
    }
    if (reboot) {
        if (!strcmp(reboot, "reset")) {
            vm_no_reboot = false;
        } else if (!strcmp(reboot, "shutdown")) {
            vm_no_reboot = true;
        } else {
            err_setf(errp, "Parameter 'reboot' does not accept value '%s'", reboot);
            goto out;
        }
    }
    if (shutdown) {
        if (!strcmp(shutdown, "poweroff")) {
            vm_no_shutdown = false;
        } else if (!strcmp(shutdown, "pause")) {
            vm_no_shutdown = true;
        } else {
            err_setf(errp, "Parameter 'shutdown' does not accept value '%s'",
                     shutdown);
            goto out;
        }
    }
    /* Panic and watchdog actions need a pvpanic or watchdog device, which
     * hemu does not have yet. */
    if (panic || watchdog) {
        err_setf(errp, "%s actions: not supported", panic ? "panic" : "watchdog");
        goto out;
    }
    ret = 0;
out:
    kvlist_free(kv);
    return ret;
}

int opt_daemonize(const char *arg, struct err **errp)
{
    cfg.daemonize = true;
    return 0;
}

int opt_echr(const char *arg, struct err **errp)
{
    int64_t v;
    if (parse_int64(arg, 0, &v) < 0 || v < 0 || v > 255) {
        err_setf(errp, "Bad argument to echr");
        return -1;
    }
    chr_mux_escape_char = (int)v;
    return 0;
}

int opt_nodefaults(const char *arg, struct err **errp)
{
    cfg.nodefaults = true;
    cfg.default_serial = cfg.default_parallel = cfg.default_monitor = false;
    return 0;
}

int opt_no_user_config(const char *arg, struct err **errp)
{
    /* hemu reads no user configuration files, so there is nothing to skip. */
    return 0;
}

int opt_msg(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, NULL, errp);
    if (!kv) {
        return -1;
    }
    bool ts = kv_bool(kv, "timestamp", false, errp);
    bool gn = kv_bool(kv, "guest-name", false, errp);
    if ((errp && *errp) || kv_check_used(kv, errp) < 0) {
        kvlist_free(kv);
        return -1;
    }
    err_timestamps = ts;
    err_with_guest_name = gn;
    kvlist_free(kv);
    return 0;
}

int opt_object(const char *arg, struct err **errp)
{
    struct kvlist *kv = parse(arg, "qom-type", errp);
    if (!kv) {
        return -1;
    }
    const char *type = kv_str(kv, "qom-type", NULL);
    if (kv_asks_help(kv, "qom-type")) {
        kvlist_free(kv);
        printf("List of user creatable objects:\n  filter-dump\n  memory-backend-file\n"
               "  memory-backend-memfd\n  memory-backend-ram\n  secret\n"
               "  tls-creds-anon\n  tls-creds-psk\n  tls-creds-x509\n");
        return 1;
    }
    if (!type) {
        err_setf(errp, "Parameter 'qom-type' is missing");
        kvlist_free(kv);
        return -1;
    }
    if (mem_backend_is_type(type)) {
        int r = mem_backend_add(type, kv, errp);
        kvlist_free(kv);
        return r;
    }
    if (!strcmp(type, "filter-dump")) {
        int r = net_opt_filter(arg, kv, errp);
        kvlist_free(kv);
        return r;
    }
    if (tls_creds_type_known(type)) {
        int r = tls_creds_add(type, kv, errp);
        kvlist_free(kv);
        return r;
    }
    if (strcmp(type, "secret")) {
        err_setf(errp, "object type '%s': not supported", type);
        kvlist_free(kv);
        return -1;
    }
    int r = secret_add(kv, errp);
    kvlist_free(kv);
    return r;
}

/* Block device options: recorded now, opened by drive_init_all(). */
int opt_drive(const char *arg, struct err **errp)
{
    return drive_add_option(arg, errp);
}

int opt_hda(const char *arg, struct err **errp)
{
    return drive_add_legacy("hda", 0, arg, false, errp);
}

int opt_hdb(const char *arg, struct err **errp)
{
    return drive_add_legacy("hdb", 1, arg, false, errp);
}

int opt_hdc(const char *arg, struct err **errp)
{
    return drive_add_legacy("hdc", 2, arg, false, errp);
}

int opt_hdd(const char *arg, struct err **errp)
{
    return drive_add_legacy("hdd", 3, arg, false, errp);
}

int opt_cdrom(const char *arg, struct err **errp)
{
    return drive_add_legacy("cdrom", 2, arg, true, errp);
}

int opt_fda(const char *arg, struct err **errp)
{
    return drive_add_floppy("fda", 0, arg, errp);
}

int opt_fdb(const char *arg, struct err **errp)
{
    return drive_add_floppy("fdb", 1, arg, errp);
}

int opt_blockdev(const char *arg, struct err **errp)
{
    return blockdev_add_option(arg, errp);
}

int opt_snapshot(const char *arg, struct err **errp)
{
    drive_snapshot_all = true;
    return 0;
}
