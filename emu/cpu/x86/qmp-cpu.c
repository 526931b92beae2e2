/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-cpu.c - the QMP commands about CPU models that libvirt probes:
 * query-cpu-definitions (each model, its versioned name, and the features
 * of QEMU's model that hemu cannot provide as unavailable-features) and
 * query-cpu-model-expansion (a model with props expanded to every
 * feature flag and identification property; "static" expands over the
 * base model).  Reference: QEMU 6.2 QMP reference, "CpuDefinitionInfo",
 * "query-cpu-model-expansion", "CpuModelExpansionType".
 */
#include "emu/osdep.h"

#include <json-c/json.h>

#include "emu/cpu/x86/cpuid.h"
#include "emu/monitor/qmp.h"
#include "emu/util/err.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

qmp_handler qmp_query_cpu_definitions, qmp_query_cpu_model_expansion;

static json_object *definition(const char *name, const char *alias_of,
                               const uint32_t *unavail, bool migration_safe,
                               bool is_static)
{
    json_object *o = json_object_new_object(), *u = json_object_new_array();
    char type[80];

    ADD(o, "name", json_object_new_string(name));
    if (alias_of) {
        ADD(o, "alias-of", json_object_new_string(alias_of));
    }
    for (unsigned f = 0; unavail && f < X86_FW_N * 32; f++) {
        if (((unavail[f / 32] >> (f % 32)) & 1) && x86_feat_name(f)) {
            json_object_array_add(u, json_object_new_string(x86_feat_name(f)));
        }
    }
    ADD(o, "unavailable-features", u);
    snprintf(type, sizeof(type), "%s-x86_64-cpu", name);
    ADD(o, "typename", json_object_new_string(type));
    ADD(o, "static", json_object_new_boolean(is_static));
    ADD(o, "migration-safe", json_object_new_boolean(migration_safe));
    ADD(o, "deprecated", json_object_new_boolean(false));
    return o;
}

int qmp_query_cpu_definitions(struct qmp_session *s, json_object *args,
                              json_object **ret, struct err **errp)
{
    const char *desc, *name;

    *ret = json_object_new_array();
    for (unsigned i = 0; (name = x86_cpu_model_nth(i, &desc)); i++) {
        uint32_t words[X86_FW_N], unavail[X86_FW_N];
        char v1[64];

        if (!strcmp(name, "host")) {
            continue;               /* KVM only */
        }
        if (!x86_cpu_model_qemu_words(name, words)) {
            bool base = !strcmp(name, "base");
            json_object_array_add(*ret, definition(name, NULL, NULL, base,
                                                   base));
            continue;
        }
        for (int w = 0; w < X86_FW_N; w++) {
            unavail[w] = words[w] & ~x86_feat_implemented[w];
        }
        snprintf(v1, sizeof(v1), "%s-v1", name);
        json_object_array_add(*ret, definition(name, v1, unavail, true,
                                               false));
        json_object_array_add(*ret, definition(v1, NULL, unavail, true,
                                               false));
    }
    return 0;
}

const struct qmp_arg qmp_cpu_model_expansion_args[] = {
    { "type", QMP_ARG_STR, false },
    { "model", QMP_ARG_OBJ, false },
    { NULL },
};

/* model {name, props} as a -cpu string; false with errp set. */
static bool model_string(json_object *model, char *buf, size_t n,
                         struct err **errp)
{
    json_object *name = NULL, *props = NULL;
    size_t len;

    if (!json_object_object_get_ex(model, "name", &name) ||
        !json_object_is_type(name, json_type_string)) {
        err_setf(errp, "Parameter 'model.name' is missing");
        return false;
    }
    json_object_object_get_ex(model, "props", &props);
    if (props && !json_object_is_type(props, json_type_object)) {
        err_setf(errp, "Invalid parameter type for 'model.props', "
                 "expected: object");
        return false;
    }
    len = (size_t)snprintf(buf, n, "%s", json_object_get_string(name));
    json_object_object_foreach(model, key, val) {
        (void)val;
        if (strcmp(key, "name") && strcmp(key, "props")) {
            err_setf(errp, "Parameter 'model.%s' is unexpected", key);
            return false;
        }
    }
    if (props) {
        json_object_object_foreach(props, k, v) {
            const char *sv;
            if (json_object_is_type(v, json_type_boolean)) {
                sv = json_object_get_boolean(v) ? "on" : "off";
            } else if (json_object_is_type(v, json_type_string) ||
                       json_object_is_type(v, json_type_int)) {
                sv = json_object_get_string(v);
            } else {
                err_setf(errp, "Invalid parameter type for 'model.props.%s'",
                         k);
                return false;
            }
            if (strchr(k, ',') || strchr(sv, ',')) {
                err_setf(errp, "Property '%s' doesn't take value '%s'", k, sv);
                return false;
            }
            len += (size_t)snprintf(buf + (len < n ? len : n),
                                    len < n ? n - len : 0, ",%s=%s", k, sv);
        }
    }
    if (len >= n) {
        err_setf(errp, "CPU model description too long");
        return false;
    }
    if (strchr(buf, ',') && strchr(buf, ',') == buf) {
        err_setf(errp, "unable to find CPU model ''");
        return false;
    }
    return true;
}

int qmp_query_cpu_model_expansion(struct qmp_session *s, json_object *args,
                                  json_object **ret, struct err **errp)
{
    json_object *type = NULL, *model = NULL;
    struct x86_cpuid id;
    char str[1024];

    json_object_object_get_ex(args, "type", &type);
    json_object_object_get_ex(args, "model", &model);
    const char *t = json_object_get_string(type);
    if (strcmp(t, "static") && strcmp(t, "full")) {
        err_setf(errp, "Parameter 'type' does not accept value '%s'", t);
        return -1;
    }
    if (!model_string(model, str, sizeof(str), errp)) {
        return -1;
    }
    if (!strncmp(str, "host", 4) && (!str[4] || str[4] == ',')) {
        err_setf(errp, "CPU model 'host' requires KVM or HVF");
        return -1;
    }
    if (x86_cpu_model_parse(str, &id, errp) < 0) {
        return -1;
    }

    json_object *props = json_object_new_object(), *m = json_object_new_object();
    for (unsigned f = 0; f < X86_FW_N * 32; f++) {
        if (x86_feat_name(f)) {
            ADD(props, x86_feat_name(f),
                json_object_new_boolean(x86_feat(&id, f)));
        }
    }
    ADD(props, "vendor", json_object_new_string(id.vendor));
    ADD(props, "model-id", json_object_new_string(id.model_id));
    ADD(props, "family", json_object_new_int64(id.family));
    ADD(props, "model", json_object_new_int64(id.model));
    ADD(props, "stepping", json_object_new_int64(id.stepping));
    ADD(props, "level", json_object_new_int64(id.level));
    ADD(props, "xlevel", json_object_new_int64(id.xlevel));
    if (!strcmp(t, "static")) {
        ADD(m, "name", json_object_new_string("base"));
    } else {
        size_t l = strcspn(str, ",");
        str[l] = 0;
        ADD(m, "name", json_object_new_string(str));
    }
    ADD(m, "props", props);
    *ret = json_object_new_object();
    ADD(*ret, "model", m);
    return 0;
}
