/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * machine.c - the machine types and the resolution of -machine, -accel,
 * -smp and -m against them (QEMU 6.2 manual "Standard options"; the -smp
 * topology rules are those of QEMU 6.2 machines, which prefer cores over
 * sockets when filling in what is missing).
 */
#include "emu/osdep.h"

#include "emu/blk/drive.h"   /* -M none refuses if=ide drives */

#include "emu/cli/keyval.h"
#include "emu/mem/memory-backend.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/config.h"
#include "emu/vm/machine.h"

/* ---------------------------------------------------------------------------
 * Machine types
 */

static int none_init(struct err **errp)
{
    /* The empty machine: no CPU, no devices.  Management stacks start it to
     * probe the emulator over QMP.  -drive if=none nodes are fine. */
    return drive_init_machine_without_storage(errp);
}

static const struct machine_type machine_none = {
    .name = "none",
    .desc = "empty machine",
    .max_cpus = 1,
    .min_cpus = 1,
    .default_ram_size = 0,
    .init = none_init,
};

extern const struct machine_type machine_pc;     /* emu/hw/pc-machine.c */

const struct machine_type *const machine_types[] = {
    &machine_pc,
    &machine_none,
    NULL,
};

const struct machine_type *current_machine;

const struct machine_type *machine_find(const char *name)
{
    /* Every pc-i440fx-X.Y version answers with hemu's one pc machine. */
    if (!strncmp(name, "pc-i440fx-", 10) && name[10]) {
        return &machine_pc;
    }
    for (int i = 0; machine_types[i]; i++) {
        const struct machine_type *m = machine_types[i];
        if (!strcmp(m->name, name) || (m->alias && !strcmp(m->alias, name))) {
            return m;
        }
    }
    return NULL;
}

void machine_print_help(FILE *f)
{
    fprintf(f, "Supported machines are:\n");
    for (int i = 0; machine_types[i]; i++) {
        const struct machine_type *m = machine_types[i];
        if (m->alias) {
            fprintf(f, "%-20s %s (alias of %s)\n", m->alias, m->desc, m->name);
        }
        fprintf(f, "%-20s %s%s%s\n", m->name, m->desc,
                m->is_default ? " (default)" : "",
                m->deprecated ? " (deprecated)" : "");
    }
}

static const struct machine_type *default_machine(void)
{
    for (int i = 0; machine_types[i]; i++) {
        if (machine_types[i]->is_default) {
            return machine_types[i];
        }
    }
    return NULL;
}

/* Machine properties QEMU's x86 machines have and hemu does not yet. */
static const char *const qemu_machine_props[] = {
    "kernel", "initrd", "append", "dtb", "dumpdtb", "phandle-start",
    "dt-compatible", "dump-guest-core", "mem-merge", "usb", "graphics",
    "firmware", "suppress-vmdesc", "memory-encryption",
    "confidential-guest-support", "nvdimm", "nvdimm-persistence", "hmat",
    "smm", "vmport", "kernel-irqchip", "kvm-shadow-mem", "sata", "pit",
    "max-ram-below-4g", "acpi", "smbus", "x-oem-id",
    "x-oem-table-id", "pcspk-audiodev", "i8042", "default-bus-bypass-iommu",
    "sgx-epc", "bus-lock-ratelimit", "pflash0", "pflash1",
};

/* ---------------------------------------------------------------------------
 * -machine accel= and -accel
 */

static int resolve_accel(const char *list, struct err **errp)
{
    char *copy = xstrdup(list), *save = NULL;
    int ret = -1;
    for (char *a = strtok_r(copy, ":", &save); a; a = strtok_r(NULL, ":", &save)) {
        if (!strcmp(a, "tcg")) {
            free(cfg.accel);
            cfg.accel = xstrdup("tcg");
            ret = 0;
            break;
        }
        if (!strcmp(a, "kvm") || !strcmp(a, "xen") || !strcmp(a, "hax") ||
            !strcmp(a, "hvf") || !strcmp(a, "nvmm") || !strcmp(a, "whpx") ||
            !strcmp(a, "qtest")) {
            /* As QEMU does when an accelerator fails to initialise: say so
             * and try the next one. */
            warn_report("accelerator %s not supported (hemu runs guests on "
                        "its software CPU)", a);
            continue;
        }
        err_setf(errp, "invalid accelerator %s", a);
        goto out;
    }
    if (ret) {
        err_setf(errp, "no accelerator found");
    }
out:
    free(copy);
    return ret;
}

/* ---------------------------------------------------------------------------
 * -smp
 */

static int resolve_smp(const struct machine_type *mt, struct err **errp)
{
    struct kvlist *kv = cfg.smp_opts;
    struct smp_config s = { 0 };
    bool zero = false;
    if (kv) {
        static const char *const keys[] = { "cpus", "maxcpus", "sockets",
                                            "dies", "cores", "threads" };
        unsigned *dst[] = { &s.cpus, &s.maxcpus, &s.sockets, &s.dies,
                            &s.cores, &s.threads };
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
            if (!kv_has(kv, keys[i])) {
                continue;
            }
            uint64_t v = kv_uint(kv, keys[i], 0, errp);
            if (errp && *errp) {
                return -1;
            }
            if (v > 4096) {
                err_setf(errp, "Invalid SMP CPUs %" PRIu64 ". The max CPUs "
                         "supported by machine '%s' is %u", v, mt->name,
                         mt->max_cpus);
                return -1;
            }
            zero |= v == 0;
            *dst[i] = (unsigned)v;
        }
        if (kv_check_used(kv, errp) < 0) {
            return -1;
        }
    }
    if (zero) {
        /* QEMU 6.2 deprecates an explicit 0 and treats it as omitted. */
        warn_report("Deprecated CPU topology (considered invalid): CPU "
                    "topology parameters must be greater than zero");
    }
    if (s.dies > 1) {
        /* Only the pc machine's CPUs know about dies. */
        err_setf(errp, "dies not supported by this machine's CPU topology");
        return -1;
    }
    s.dies = 1;
    /* Fill in what is missing, preferring cores over sockets as QEMU 6.2
     * machines do. */
    if (!s.cpus && !s.maxcpus) {
        s.sockets = s.sockets ? s.sockets : 1;
        s.cores = s.cores ? s.cores : 1;
        s.threads = s.threads ? s.threads : 1;
    } else {
        s.maxcpus = s.maxcpus ? s.maxcpus : s.cpus;
        if (!s.cores) {
            s.sockets = s.sockets ? s.sockets : 1;
            s.threads = s.threads ? s.threads : 1;
            s.cores = s.maxcpus / (s.sockets * s.dies * s.threads);
        } else if (!s.sockets) {
            s.threads = s.threads ? s.threads : 1;
            s.sockets = s.maxcpus / (s.dies * s.cores * s.threads);
        }
        if (!s.threads) {
            s.threads = s.maxcpus / (s.sockets * s.dies * s.cores);
        }
    }
    unsigned product = s.sockets * s.dies * s.cores * s.threads;
    s.maxcpus = s.maxcpus ? s.maxcpus : product;
    s.cpus = s.cpus ? s.cpus : s.maxcpus;
    if (product != s.maxcpus) {
        err_setf(errp, "Invalid CPU topology: product of the hierarchy must "
                 "match maxcpus: sockets (%u) * dies (%u) * cores (%u) * "
                 "threads (%u) != maxcpus (%u)", s.sockets, s.dies, s.cores,
                 s.threads, s.maxcpus);
        return -1;
    }
    if (s.maxcpus < s.cpus) {
        err_setf(errp, "Invalid CPU topology: maxcpus must be equal to or "
                 "greater than smp: sockets (%u) * dies (%u) * cores (%u) * "
                 "threads (%u) == maxcpus (%u) < smp_cpus (%u)", s.sockets,
                 s.dies, s.cores, s.threads, s.maxcpus, s.cpus);
        return -1;
    }
    if (s.cpus < mt->min_cpus) {
        err_setf(errp, "Invalid SMP CPUs %u. The min CPUs supported by "
                 "machine '%s' is %u", s.cpus, mt->name, mt->min_cpus);
        return -1;
    }
    if (s.maxcpus > mt->max_cpus) {
        err_setf(errp, "Invalid SMP CPUs %u. The max CPUs supported by "
                 "machine '%s' is %u", s.maxcpus, mt->name, mt->max_cpus);
        return -1;
    }
    cfg.smp = s;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Putting it together
 */

int machine_configure(struct err **errp)
{
    struct kvlist *kv = cfg.machine_opts;
    const struct machine_type *mt;

    if (cfg.machine_loc) {
        err_loc_set_cmdline("machine", cfg.machine_loc);
    }
    const char *type = kv ? kv_str(kv, "type", NULL) : NULL;
    if (type) {
        mt = machine_find(type);
        if (!mt) {
            if (!strcmp(type, "pc") || !strncmp(type, "pc-", 3) ||
                !strcmp(type, "q35") || !strcmp(type, "microvm") ||
                !strcmp(type, "isapc") || !strcmp(type, "x-remote")) {
                err_setf(errp, "machine type '%s': not supported yet "
                         "(-machine help lists what hemu has)", type);
            } else {
                err_setf(errp, "unsupported machine type\nUse -machine help "
                         "to list supported machines");
            }
            return -1;
        }
    } else {
        mt = default_machine();
        if (!mt) {
            err_loc_clear();
            err_setf(errp, "No machine specified, and there is no default\n"
                     "Use -machine help to list supported machines");
            return -1;
        }
    }

    if (kv) {
        const char *accel = kv_str(kv, "accel", NULL);
        if (accel) {
            if (cfg.accel) {
                err_setf(errp, "The -accel and \"-machine accel=\" options "
                         "are incompatible");
                return -1;
            }
            if (resolve_accel(accel, errp) < 0) {
                return -1;
            }
        }
        const char *memdev = kv_str(kv, "memory-backend", NULL);
        if (memdev && mem_backend_set_machine(memdev, errp) < 0) {
            return -1;
        }
        if (mt->buses && kv_has(kv, "hpet")) {
            /* pc's HPET switch */
            cfg.hpet = kv_bool(kv, "hpet", true, errp);
            if (errp && *errp) {
                return -1;
            }
        }
        for (int i = 0; i < kv->n; i++) {
            if (kv->v[i].used) {
                continue;
            }
            for (size_t k = 0; k < ARRAY_SIZE(qemu_machine_props); k++) {
                if (!strcmp(kv->v[i].key, qemu_machine_props[k])) {
                    err_setf(errp, "machine property '%s': not supported",
                             kv->v[i].key);
                    return -1;
                }
            }
            err_setf(errp, "Property '%s-machine.%s' not found", mt->name,
                     kv->v[i].key);
            return -1;
        }
    }
    if (!cfg.accel) {
        cfg.accel = xstrdup("tcg");
    }

    err_loc_clear();
    if (mem_backend_resolve(&cfg.ram_size, cfg.ram_size_given, errp) < 0) {
        return -1;
    }
    if (resolve_smp(mt, errp) < 0) {
        err_prepend(errp, "-smp: ");
        return -1;
    }
    current_machine = mt;
    return 0;
}
