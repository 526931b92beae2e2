/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hmp-cmds.c - the human monitor commands and their tables (qemu-6.2
 * manual "QEMU Monitor", hmp-commands(-info).hx for names and help).  As
 * in QEMU they are thin layers over the QMP commands, so both monitors
 * report the same state; the output formats are QEMU's.
 */
#include "emu/osdep.h"

#include "emu/accel/vcpu.h"     /* vcpu_count, dump_state */
#include <json-c/json.h>

#include "emu/monitor/hmp.h"
#include "emu/monitor/net-cmds.h"
#include "emu/monitor/qmp-block.h"  /* info block, eject, change */
#include "emu/monitor/qmp.h"    /* qmp_call */
#include "emu/monitor/qmp-display.h"
#include "emu/util/err.h"

static const char *get_str(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v)
                                                 : NULL;
}

static int64_t get_int(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static bool get_bool(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* Run a QMP command; errors print as QEMU's hmp_handle_error does. */
static json_object *call(struct hmp *h, const char *name)
{
    struct err *e = NULL;
    json_object *r = qmp_call(name, NULL, &e);

    if (!r) {
        hmp_printf(h, "Error: %s\n", e->msg);
        err_free(e);
    }
    return r;
}

static void run(struct hmp *h, const char *name)
{
    json_object_put(call(h, name));
}

/* ---------------------------------------------------------------------------
 * info
 */

static void info_version(struct hmp *h, const char *arg)
{
    json_object *r = call(h, "query-version"), *q;

    if (r && json_object_object_get_ex(r, "qemu", &q)) {
        hmp_printf(h, "%" PRId64 ".%" PRId64 ".%" PRId64 " (%s)\n",
                   get_int(q, "major"), get_int(q, "minor"),
                   get_int(q, "micro"), get_str(r, "package"));
    }
    json_object_put(r);
}

static void info_status(struct hmp *h, const char *arg)
{
    json_object *r = call(h, "query-status");

    if (r) {
        bool running = get_bool(r, "running");
        const char *st = get_str(r, "status");
        hmp_printf(h, "VM status: %s%s", running ? "running" : "paused",
                   get_bool(r, "singlestep") ? " (single step mode)" : "");
        /* "paused" needs no detail; prelaunch, shutdown... do. */
        if (!running && st && strcmp(st, "paused")) {
            hmp_printf(h, " (%s)", st);
        }
        hmp_printf(h, "\n");
    }
    json_object_put(r);
}

static void info_chardev(struct hmp *h, const char *arg)
{
    json_object *r = call(h, "query-chardev");

    for (size_t i = 0; r && i < json_object_array_length(r); i++) {
        json_object *c = json_object_array_get_idx(r, i);
        hmp_printf(h, "%s: filename=%s\n", get_str(c, "label"),
                   get_str(c, "filename"));
    }
    json_object_put(r);
}

static void info_name(struct hmp *h, const char *arg)
{
    json_object *r = call(h, "query-name");
    const char *name = r ? get_str(r, "name") : NULL;

    if (name) {
        hmp_printf(h, "%s\n", name);
    }
    json_object_put(r);
}

static void info_uuid(struct hmp *h, const char *arg)
{
    json_object *r = call(h, "query-uuid");

    if (r) {
        hmp_printf(h, "%s\n", get_str(r, "UUID"));
    }
    json_object_put(r);
}

static void info_registers(struct hmp *h, const char *arg)
{
    if (vcpu_count() == 0) {
        /* QEMU's words when there is no CPU (e.g. -machine none). */
        hmp_printf(h, "No CPU available\n");
        return;
    }
    /* "-a" dumps every vCPU, a number one of them, nothing the first.
     * A running vCPU changes under the dump: stop the VM for a stable
     * picture, as with QEMU's TCG. */
    int first = 0, last = 0;
    if (arg && !strcmp(arg, "-a")) {
        last = vcpu_count() - 1;
    } else if (arg && *arg) {
        first = last = atoi(arg);
        if (!vcpu_get(first)) {
            hmp_printf(h, "CPU#%d not available\n", first);
            return;
        }
    }
    for (int i = first; i <= last; i++) {
        struct vcpu *v = vcpu_get(i);
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f) {
            return;
        }
        if (last > first) {
            fprintf(f, "\nCPU#%d\n", i);
        }
        if (v->ops->dump_state) {
            v->ops->dump_state(v, f);
        }
        fclose(f);
        hmp_printf(h, "%s", buf);
        free(buf);
    }
}

/* QEMU's list: "*" marks the monitor's current CPU (always the first). */
static void info_cpus(struct hmp *h, const char *arg)
{
    for (int i = 0; i < vcpu_count(); i++) {
        hmp_printf(h, "%c CPU #%d: thread_id=%d\n", i == 0 ? '*' : ' ', i,
                   vcpu_get(i)->tid);
    }
}

static void info_help(struct hmp *h, const char *arg)
{
    hmp_help(h, "info");
}

/* Sorted by name: QEMU sorts its tables before listing them. */
const struct hmp_cmd hmp_info_cmds[] = {
    { "block", "[device]", "show the block devices", true, hmp_info_block },
    { "chardev", "", "show the character devices", false, info_chardev },
    { "cpus", "", "show infos for each CPU", false, info_cpus },
    { "name", "", "show the current VM name", false, info_name },
    { "network", "", "show the network state", false, hmp_info_network },
    { "registers", "[-a|vcpu]",
      "show the cpu registers (-a: show register info for all cpus; "
      "vcpu: specific vCPU to query; show the current CPU's registers if "
      "omitted)", true, info_registers },
    { "status", "", "show the current VM status (running|paused)", false,
      info_status },
    { "usernet", "", "show user network stack connection states", false,
      hmp_info_usernet },
    { "spice", "", "show the spice server status", false, hmp_info_spice },
    { "uuid", "", "show the current VM UUID", false, info_uuid },
    { "version", "", "show the version of QEMU", false, info_version },
    { "vnc", "", "show the vnc server status", false, hmp_info_vnc },
    { NULL },
};

/* ---------------------------------------------------------------------------
 * Top level
 */

static void cmd_help(struct hmp *h, const char *arg)
{
    hmp_help(h, arg);
}

static void cmd_stop(struct hmp *h, const char *arg)
{
    run(h, "stop");
}

static void cmd_cont(struct hmp *h, const char *arg)
{
    run(h, "cont");
}

static void cmd_system_reset(struct hmp *h, const char *arg)
{
    run(h, "system_reset");
}

static void cmd_system_powerdown(struct hmp *h, const char *arg)
{
    run(h, "system_powerdown");
}

static void cmd_quit(struct hmp *h, const char *arg)
{
    h->quit = true;
    run(h, "quit");
}

const struct hmp_cmd hmp_cmds[] = {
    { "block_resize", "device size", "resize a block image", true,
      hmp_block_resize },
    { "change", "device filename [format]", "change a removable medium",
      true, hmp_change },
    { "commit", "device|all", "commit changes to the disk images (if "
      "-snapshot is used) or backing files", true, hmp_commit },
    { "cont|c", "", "resume emulation", false, cmd_cont },
    { "eject", "[-f] device", "eject a removable medium (use -f to force it)",
      true, hmp_eject },
    { "expire_password", "protocol time", "set the password expire time",
      true, hmp_expire_password },
    { "help|?", "[cmd]", "show the help", true, cmd_help },
    { "hostfwd_add", "[netdev_id] [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport",
      "redirect TCP or UDP connections from host to guest (requires -net user)",
      true, hmp_cmd_hostfwd_add },
    { "hostfwd_remove", "[netdev_id] [tcp|udp]:[hostaddr]:hostport",
      "remove host-to-guest TCP or UDP redirection", true,
      hmp_cmd_hostfwd_remove },
    { "info", "[subcommand]", "show various information about the system state",
      true, info_help, hmp_info_cmds },
    { "netdev_add", "[user|tap|socket|hubport],id=str[,prop=value][,...]",
      "add host network device", true, hmp_cmd_netdev_add },
    { "netdev_del", "id", "remove host network device", true,
      hmp_cmd_netdev_del },
    { "quit|q", "", "quit the emulator", false, cmd_quit },
    { "screendump", "filename [device [head]] [-f ppm|png]",
      "save the screen as an image", true, hmp_screendump },
    { "set_link", "name on|off", "change the link status of a network adapter",
      true, hmp_cmd_set_link },
    { "set_password", "protocol password [action-if-connected]",
      "set the spice/vnc password", true, hmp_set_password },
    { "stop|s", "", "stop emulation", false, cmd_stop },
    { "system_powerdown", "", "send system power down event", false,
      cmd_system_powerdown },
    { "system_reset", "", "reset the system", false, cmd_system_reset },
    { NULL },
};
