/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iscsi-opts.c - the -iscsi option (qemu-6.2 manual "-iscsi" and "Device
 * URL Syntax"): session settings recorded at parse time and resolved when
 * an iSCSI node opens.  A -iscsi with id=<target-iqn> applies to that
 * target, else the first -iscsi applies.  The default initiator name is
 * the manual's iqn.2008-11.org.linux-kvm, with ":<uuid>" (-uuid) or
 * ":<name>" (-name) appended when those are set.  Built without libiscsi
 * too, so that -iscsi is still parsed and the drive gives the clear error.
 */
#include "emu/osdep.h"

#include <limits.h>

#include "block-protocols/netblk.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/config.h"
#include "emu/vm/secret.h"

#define DEFAULT_INITIATOR "iqn.2008-11.org.linux-kvm"
#define MAX_ISCSI_OPTS 16

static struct kvlist *iscsi_opts[MAX_ISCSI_OPTS];
static int n_iscsi_opts;

static const char *const digest_names[] = {
    [NB_DIGEST_NONE] = "none", [NB_DIGEST_NONE_CRC32C] = "none-crc32c",
    [NB_DIGEST_CRC32C_NONE] = "crc32c-none", [NB_DIGEST_CRC32C] = "crc32c",
};

static const char *const known_keys[] = {
    "id", "user", "password", "password-secret", "header-digest",
    "initiator-name", "timeout",
};

int opt_iscsi(const char *arg, struct err **errp)
{
    struct kvlist *kv = kvlist_new();
    if (kvlist_parse(kv, arg, NULL, errp) < 0) {
        kvlist_free(kv);
        return -1;
    }
    for (int i = 0; i < kv->n; i++) {
        bool ok = false;
        for (size_t k = 0; k < ARRAY_SIZE(known_keys); k++) {
            ok |= !strcmp(kv->v[i].key, known_keys[k]);
        }
        if (!ok) {
            err_setf(errp, "Invalid parameter '%s'", kv->v[i].key);
            kvlist_free(kv);
            return -1;
        }
    }
    if (n_iscsi_opts == MAX_ISCSI_OPTS) {
        err_setf(errp, "too many -iscsi options");
        kvlist_free(kv);
        return -1;
    }
    iscsi_opts[n_iscsi_opts++] = kv;
    return 0;
}

void iscsi_opts_reset(void)
{
    for (int i = 0; i < n_iscsi_opts; i++) {
        kvlist_free(iscsi_opts[i]);
    }
    n_iscsi_opts = 0;
}

static struct kvlist *find_opts(const char *target)
{
    for (int i = 0; target && i < n_iscsi_opts; i++) {
        const char *id = kv_str(iscsi_opts[i], "id", NULL);
        if (id && !strcmp(id, target)) {
            return iscsi_opts[i];
        }
    }
    return n_iscsi_opts ? iscsi_opts[0] : NULL;
}

/* key from the node's own options first, then the -iscsi ones. */
static const char *pick(struct kvlist *node, struct kvlist *glob,
                        const char *key)
{
    const char *v = node ? kv_str(node, key, NULL) : NULL;
    return v ? v : glob ? kv_str(glob, key, NULL) : NULL;
}

int iscsi_params_get(const char *target, struct kvlist *node,
                     struct iscsi_params *p, struct err **errp)
{
    struct kvlist *g = find_opts(target);
    memset(p, 0, sizeof(*p));
    p->header_digest = NB_DIGEST_NONE_CRC32C;

    const char *name = pick(node, g, "initiator-name");
    if (name) {
        p->initiator_name = xstrdup(name);
    } else if (cfg.uuid_set) {
        char u[37];
        config_uuid_format(cfg.uuid, u);
        p->initiator_name = xasprintf("%s:%s", DEFAULT_INITIATOR, u);
    } else if (cfg.name) {
        p->initiator_name = xasprintf("%s:%s", DEFAULT_INITIATOR, cfg.name);
    } else {
        p->initiator_name = xstrdup(DEFAULT_INITIATOR);
    }

    const char *dig = pick(node, g, "header-digest");
    if (dig) {
        int found = -1;
        for (size_t i = 0; i < ARRAY_SIZE(digest_names); i++) {
            if (!strcasecmp(dig, digest_names[i])) {
                found = (int)i;
            }
        }
        if (found < 0) {
            err_setf(errp, "Invalid header-digest setting : %s", dig);
            goto fail;
        }
        p->header_digest = found;
    }

    const char *to = pick(node, g, "timeout");
    if (to) {
        uint64_t t;
        if (parse_uint64(to, 10, &t) < 0 || t > INT_MAX) {
            err_setf(errp, "Parameter 'timeout' expects a non-negative "
                     "number below 2^31");
            goto fail;
        }
        p->timeout = (int)t;
    }

    const char *user = pick(node, g, "user");
    if (user) {
        /* A node has no password= key (QAPI's BlockdevOptionsIscsi):
         * only -iscsi may hold one in clear. */
        const char *sec = pick(node, g, "password-secret");
        const char *pw = g ? kv_str(g, "password", NULL) : NULL;
        if (sec && pw) {
            err_setf(errp, "'password' and 'password-secret' are mutually "
                     "exclusive");
            goto fail;
        }
        if (sec) {
            p->password = secret_lookup_string(sec, errp);
            if (!p->password) {
                goto fail;
            }
        } else if (pw) {
            p->password = xstrdup(pw);
        } else {
            err_setf(errp, "CHAP username specified but no password was "
                     "given");
            goto fail;
        }
        p->user = xstrdup(user);
    }
    return 0;

fail:
    iscsi_params_free(p);
    return -1;
}

void iscsi_params_free(struct iscsi_params *p)
{
    free(p->initiator_name);
    free(p->user);
    if (p->password) {
        explicit_bzero(p->password, strlen(p->password));
    }
    free(p->password);
    memset(p, 0, sizeof(*p));
}
