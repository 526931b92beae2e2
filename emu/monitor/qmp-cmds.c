/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-cmds.c - the QMP commands hemu implements and their table.  Reply
 * shapes follow the qemu-6.2 QMP reference (QEMU QMP Reference Manual);
 * query-commands lists exactly this table.
 */
#include "emu/osdep.h"

#include "emu/accel/tcg.h"      /* tcg_singlestep */
#include "emu/monitor/qmp-block.h"  /* the block commands */
#include "emu/monitor/qmp-blockjob.h"  /* block-commit, block jobs */

#include "emu/accel/vcpu.h"     /* vcpu_count, vcpu_get */
#include <json-c/json.h>

#include "emu/chardev/chardev.h"    /* chr_foreach, chr_filename */
#include "emu/monitor/hmp.h"        /* hmp_execute_capture */
#include "emu/monitor/net-cmds.h"   /* netdev_add, set_link, ... */
#include "emu/monitor/qmp.h"
#include "emu/monitor/qmp-display.h"
#include "emu/util/err.h"
#include "emu/vm/config.h"          /* cfg: name, uuid, -S */
#include "emu/vm/machine.h"         /* machine_types */
#include "emu/vm/runstate.h"        /* vm_start, vm_stop, requests */

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

/* ---------------------------------------------------------------------------
 * Protocol and identity
 */

static int qmp_capabilities(struct qmp_session *s, json_object *args,
                            json_object **ret, struct err **errp)
{
    json_object *enable = NULL;
    json_object_object_get_ex(args, "enable", &enable);
    return qmp_session_negotiate(s, enable, errp);
}

static int query_version(struct qmp_session *s, json_object *args,
                         json_object **ret, struct err **errp)
{
    json_object *v = json_object_new_object(), *q = json_object_new_object();
    ADD(q, "major", json_object_new_int(HEMU_QEMU_VERSION_MAJOR));
    ADD(q, "minor", json_object_new_int(HEMU_QEMU_VERSION_MINOR));
    ADD(q, "micro", json_object_new_int(HEMU_QEMU_VERSION_MICRO));
    ADD(v, "qemu", q);
    ADD(v, "package", json_object_new_string("hemu " HEMU_VERSION));
    *ret = v;
    return 0;
}

static int query_target(struct qmp_session *s, json_object *args,
                        json_object **ret, struct err **errp)
{
    *ret = json_object_new_object();
    ADD(*ret, "arch", json_object_new_string("x86_64"));
    return 0;
}

static int query_commands(struct qmp_session *s, json_object *args,
                          json_object **ret, struct err **errp)
{
    *ret = json_object_new_array();
    for (size_t i = 0; i < qmp_cmds_count; i++) {
        json_object *c = json_object_new_object();
        ADD(c, "name", json_object_new_string(qmp_cmds[i].name));
        json_object_array_add(*ret, c);
    }
    return 0;
}

static int query_name(struct qmp_session *s, json_object *args,
                      json_object **ret, struct err **errp)
{
    *ret = json_object_new_object();
    if (cfg.name) {
        ADD(*ret, "name", json_object_new_string(cfg.name));
    }
    return 0;
}

static int query_uuid(struct qmp_session *s, json_object *args,
                      json_object **ret, struct err **errp)
{
    static const uint8_t zero[16];
    char buf[37];

    /* QEMU answers the nil UUID when -uuid was not given. */
    config_uuid_format(cfg.uuid_set ? cfg.uuid : zero, buf);
    *ret = json_object_new_object();
    ADD(*ret, "UUID", json_object_new_string(buf));
    return 0;
}

static int query_kvm(struct qmp_session *s, json_object *args,
                     json_object **ret, struct err **errp)
{
    *ret = json_object_new_object();
    ADD(*ret, "enabled", json_object_new_boolean(0));
    ADD(*ret, "present", json_object_new_boolean(0));
    return 0;
}

/* ---------------------------------------------------------------------------
 * Machine, CPUs, chardevs
 */

static void add_chardev(struct chardev *chr, void *opaque)
{
    json_object *c = json_object_new_object();
    ADD(c, "label", json_object_new_string(chr_id(chr)));
    ADD(c, "filename", json_object_new_string(chr_filename(chr)));
    ADD(c, "frontend-open", json_object_new_boolean(chr_frontend_open(chr)));
    json_object_array_add(opaque, c);
}

static int query_chardev(struct qmp_session *s, json_object *args,
                         json_object **ret, struct err **errp)
{
    *ret = json_object_new_array();
    chr_foreach(add_chardev, *ret);
    return 0;
}

static int query_machines(struct qmp_session *s, json_object *args,
                          json_object **ret, struct err **errp)
{
    *ret = json_object_new_array();
    for (size_t i = 0; machine_types[i]; i++) {
        const struct machine_type *m = machine_types[i];
        json_object *o = json_object_new_object();
        ADD(o, "name", json_object_new_string(m->name));
        if (m->alias) {
            ADD(o, "alias", json_object_new_string(m->alias));
        }
        /* QAPI omits the optional is-default unless it is true. */
        if (m->is_default) {
            ADD(o, "is-default", json_object_new_boolean(1));
        }
        ADD(o, "cpu-max", json_object_new_int((int)m->max_cpus));
        ADD(o, "hotpluggable-cpus",
            json_object_new_boolean(m->hotpluggable_cpus));
        ADD(o, "numa-mem-supported",
            json_object_new_boolean(m->numa_mem_supported));
        ADD(o, "deprecated", json_object_new_boolean(m->deprecated));
        if (m->default_cpu_type) {
            ADD(o, "default-cpu-type",
                json_object_new_string(m->default_cpu_type));
        }
        if (m->default_ram_id) {
            ADD(o, "default-ram-id", json_object_new_string(m->default_ram_id));
        }
        json_object_array_add(*ret, o);
    }
    return 0;
}

static int query_cpus_fast(struct qmp_session *s, json_object *args,
                           json_object **ret, struct err **errp)
{
    /* One CpuInfoFast per vCPU (none on -machine none). */
    *ret = json_object_new_array();
    for (int i = 0; i < vcpu_count(); i++) {
        struct vcpu *v = vcpu_get(i);
        json_object *o = json_object_new_object();
        char path[64];
        snprintf(path, sizeof(path), "/machine/unattached/device[%d]", i);
        json_object_object_add(o, "cpu-index", json_object_new_int(i));
        json_object_object_add(o, "qom-path", json_object_new_string(path));
        json_object_object_add(o, "thread-id", json_object_new_int(v->tid));
        json_object *props = json_object_new_object();
        json_object_object_add(props, "core-id", json_object_new_int(0));
        json_object_object_add(props, "thread-id", json_object_new_int(0));
        json_object_object_add(props, "socket-id", json_object_new_int(i));
        json_object_object_add(o, "props", props);
        json_object_object_add(o, "target", json_object_new_string("x86_64"));
        json_object_array_add(*ret, o);
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Run control
 */

static int query_status(struct qmp_session *s, json_object *args,
                        json_object **ret, struct err **errp)
{
    *ret = json_object_new_object();
    ADD(*ret, "running", json_object_new_boolean(runstate_is_running()));
    ADD(*ret, "singlestep", json_object_new_boolean(tcg_singlestep));
    ADD(*ret, "status", json_object_new_string(runstate_name(runstate_get())));
    return 0;
}

static int cmd_stop(struct qmp_session *s, json_object *args,
                    json_object **ret, struct err **errp)
{
    enum run_state st = runstate_get();

    if (st == RUN_STATE_RUNNING) {
        vm_stop(RUN_STATE_PAUSED);
    } else if (st == RUN_STATE_PRELAUNCH || st == RUN_STATE_INMIGRATE) {
        /* QEMU stays in prelaunch and only cancels the pending autostart;
         * cfg.start_paused is hemu's autostart switch. */
        cfg.start_paused = true;
    }
    return 0;
}

static int cmd_cont(struct qmp_session *s, json_object *args,
                    json_object **ret, struct err **errp)
{
    switch (runstate_get()) {
    case RUN_STATE_INTERNAL_ERROR:
    case RUN_STATE_SHUTDOWN:
    case RUN_STATE_GUEST_PANICKED:
        err_setf(errp, "Resetting the Virtual Machine is required");
        return -1;
    case RUN_STATE_SUSPENDED:
        return 0;   /* QEMU: only a wakeup resumes a suspended guest */
    case RUN_STATE_FINISH_MIGRATE:
        err_setf(errp, "Migration is not finalized yet");
        return -1;
    case RUN_STATE_INMIGRATE:
        cfg.start_paused = false;   /* start once migration completes */
        return 0;
    default:
        return vm_start(errp) < 0 ? -1 : 0;
    }
}

static int cmd_system_reset(struct qmp_session *s, json_object *args,
                            json_object **ret, struct err **errp)
{
    vm_request_reset(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    return 0;
}

static int cmd_system_powerdown(struct qmp_session *s, json_object *args,
                                json_object **ret, struct err **errp)
{
    vm_request_powerdown();
    return 0;
}

static int cmd_quit(struct qmp_session *s, json_object *args,
                    json_object **ret, struct err **errp)
{
    /* The main loop acts on it after this reply has been written. */
    vm_request_shutdown(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    return 0;
}

static int human_monitor_command(struct qmp_session *s, json_object *args,
                                 json_object **ret, struct err **errp)
{
    json_object *line, *cpu;

    if (json_object_object_get_ex(args, "cpu-index", &cpu)) {
        /* There are no CPUs to select yet. */
        err_setf(errp, "Parameter 'cpu-index' expects a CPU number");
        return -1;
    }
    json_object_object_get_ex(args, "command-line", &line);
    char *out = hmp_execute_capture(json_object_get_string(line));
    *ret = json_object_new_string(out);
    free(out);
    return 0;
}

/* ---------------------------------------------------------------------------
 * The table
 */

static const struct qmp_arg caps_args[] = {
    { "enable", QMP_ARG_STR_LIST, true },
    { NULL },
};

static const struct qmp_arg hmc_args[] = {
    { "command-line", QMP_ARG_STR, false },
    { "cpu-index", QMP_ARG_INT, true },
    { NULL },
};

/* CPU models (emu/cpu/x86/qmp-cpu.c) */
qmp_handler qmp_query_cpu_definitions, qmp_query_cpu_model_expansion;
extern const struct qmp_arg qmp_cpu_model_expansion_args[];

const struct qmp_cmd qmp_cmds[] = {
    { "qmp_capabilities", qmp_capabilities, caps_args },
    { "query-version", query_version, NULL },
    { "query-target", query_target, NULL },
    { "query-commands", query_commands, NULL },
    { "query-status", query_status, NULL },
    { "query-name", query_name, NULL },
    { "query-uuid", query_uuid, NULL },
    { "query-chardev", query_chardev, NULL },
    { "query-kvm", query_kvm, NULL },
    { "query-machines", query_machines, NULL },
    { "query-cpus-fast", query_cpus_fast, NULL },
    { "query-cpu-definitions", qmp_query_cpu_definitions, NULL },
    { "query-cpu-model-expansion", qmp_query_cpu_model_expansion,
      qmp_cpu_model_expansion_args },
    { "stop", cmd_stop, NULL },
    { "cont", cmd_cont, NULL },
    { "system_reset", cmd_system_reset, NULL },
    { "system_powerdown", cmd_system_powerdown, NULL },
    { "quit", cmd_quit, NULL },
    { "human-monitor-command", human_monitor_command, hmc_args },
    { "netdev_add", qmp_netdev_add, netdev_add_args },
    { "netdev_del", qmp_netdev_del, netdev_del_args },
    { "set_link", qmp_set_link, set_link_args },
    { "query-rx-filter", qmp_query_rx_filter, rx_filter_args },
    /* block devices (qmp-block.c) */
    { "query-block", qmp_query_block, NULL },
    { "query-blockstats", qmp_query_blockstats, NULL },
    { "eject", qmp_eject, qmp_eject_args },
    { "blockdev-change-medium", qmp_blockdev_change_medium,
      qmp_change_medium_args },
    { "block_resize", qmp_block_resize, qmp_block_resize_args },
    { "block-commit", qmp_block_commit, qmp_block_commit_args },
    { "query-block-jobs", qmp_query_block_jobs, NULL },
    { "block-job-cancel", qmp_block_job_cancel, qmp_block_job_cancel_args },
    { "block-job-complete", qmp_block_job_complete,
      qmp_block_job_complete_args },
    { "block-job-set-speed", qmp_block_job_set_speed,
      qmp_block_job_set_speed_args },
    /* display and VNC: qmp-display.c */
    { "screendump", qmp_screendump, qmp_screendump_args },
    { "query-vnc", qmp_query_vnc, NULL },
    { "query-vnc-servers", qmp_query_vnc_servers, NULL },
    { "set_password", qmp_set_password, qmp_set_password_args },
    { "expire_password", qmp_expire_password, qmp_expire_password_args },
    { "change-vnc-password", qmp_change_vnc_password,
      qmp_change_vnc_password_args },
    { "query-spice", qmp_query_spice, NULL },
};

const size_t qmp_cmds_count = ARRAY_SIZE(qmp_cmds);
