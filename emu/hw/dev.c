/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dev.c - the device type registry, property parsing and instances. */
#include "emu/osdep.h"

#include "emu/chardev/chardev.h"   /* chr_find for PROP_CHR */
#include "emu/cli/keyval.h"
#include "emu/hw/dev.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

/* The linker collects every DEV_TYPE pointer between these symbols.  The
 * weak declarations keep a binary with no device types linkable. */
extern const struct dev_type *const __start_hemu_dev_types[] __attribute__((weak));
extern const struct dev_type *const __stop_hemu_dev_types[] __attribute__((weak));

static struct device *devices;

struct global {
    char *driver, *prop, *value;
    bool used;
    struct global *next;
};
static struct global *globals;

void dev_type_foreach(void (*fn)(const struct dev_type *t, void *opaque),
                      void *opaque)
{
    if (!__start_hemu_dev_types) {
        return;
    }
    for (const struct dev_type *const *p = __start_hemu_dev_types;
         p < __stop_hemu_dev_types; p++) {
        fn(*p, opaque);
    }
}

struct find_ctx {
    const char *name;
    const struct dev_type *found;
};

static void find_cb(const struct dev_type *t, void *opaque)
{
    struct find_ctx *c = opaque;
    if (!strcmp(t->name, c->name)) {
        c->found = t;
    }
}

const struct dev_type *dev_type_find(const char *name)
{
    struct find_ctx c = { name, NULL };
    dev_type_foreach(find_cb, &c);
    return c.found;
}

static int cmp_type(const void *a, const void *b)
{
    const struct dev_type *x = *(const struct dev_type *const *)a;
    const struct dev_type *y = *(const struct dev_type *const *)b;
    int c = strcmp(x->category, y->category);
    return c ? c : strcmp(x->name, y->name);
}

struct list_ctx {
    const struct dev_type **v;
    int n;
};

static void collect_cb(const struct dev_type *t, void *opaque)
{
    struct list_ctx *c = opaque;
    if (t->user_creatable) {
        c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
        c->v[c->n++] = t;
    }
}

void dev_print_types(FILE *f)
{
    static const char *const bus_names[] = { "System", "ISA", "PCI", "usb-bus" };
    struct list_ctx c = { NULL, 0 };
    dev_type_foreach(collect_cb, &c);
    qsort(c.v, c.n, sizeof(*c.v), cmp_type);
    const char *cat = NULL;
    for (int i = 0; i < c.n; i++) {
        if (!cat || strcmp(cat, c.v[i]->category)) {
            cat = c.v[i]->category;
            fprintf(f, "%s%s:\n", i ? "\n" : "", cat);
        }
        fprintf(f, "name \"%s\", bus %s", c.v[i]->name, bus_names[c.v[i]->bus]);
        if (c.v[i]->desc) {
            fprintf(f, ", desc \"%s\"", c.v[i]->desc);
        }
        fputc('\n', f);
    }
    if (!c.n) {
        fprintf(f, "(hemu has no user-creatable device types yet)\n");
    }
    free(c.v);
}

static const char *type_name(enum prop_type t)
{
    switch (t) {
    case PROP_BOOL: return "bool";
    case PROP_U8: return "uint8";
    case PROP_U16: return "uint16";
    case PROP_U32: return "uint32";
    case PROP_U64: return "uint64";
    case PROP_SIZE: return "size";
    case PROP_STR: return "str";
    case PROP_CHR: return "str";
    case PROP_PCI_ADDR: return "int32";
    case PROP_MAC: return "str";
    }
    return "str";
}

void dev_print_props(FILE *f, const struct dev_type *t)
{
    fprintf(f, "%s options:\n", t->name);
    for (const struct prop *p = t->props; p && p->name; p++) {
        char left[64];
        snprintf(left, sizeof(left), "  %s=<%s>", p->name, type_name(p->type));
        fprintf(f, "%-24s - %s%s%s%s\n", left, p->help ? p->help : "",
                p->def ? " (default: " : "", p->def ? p->def : "",
                p->def ? ")" : "");
    }
    if (t->bootable) {
        fprintf(f, "%-24s - %s\n", "  bootindex=<int32>",
                "position in the firmware's boot order (default: -1)");
    }
}

static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char tail;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &tail) != 6) {
        return -1;
    }
    for (int i = 0; i < 6; i++) {
        mac[i] = (uint8_t)v[i];
    }
    return 0;
}

static int parse_devfn(const char *s, int32_t *out)
{
    char *end;
    unsigned long slot = strtoul(s, &end, 16);
    unsigned long fn = 0;
    if (end == s || slot > 31) {
        return -1;
    }
    if (*end == '.') {
        const char *f = end + 1;
        fn = strtoul(f, &end, 16);
        if (end == f || fn > 7) {
            return -1;
        }
    }
    if (*end) {
        return -1;
    }
    *out = (int32_t)(slot << 3 | fn);
    return 0;
}

int dev_prop_set(struct device *dev, const struct prop *p, const char *val,
                 struct err **errp)
{
    char *field = (char *)dev + p->offset;
    uint64_t u;
    bool b;
    const char *tn = dev->type->name;

    switch (p->type) {
    case PROP_BOOL:
        if (parse_bool(val, &b) < 0) {
            err_setf(errp, "Parameter '%s' expects 'on' or 'off'", p->name);
            return -1;
        }
        *(bool *)field = b;
        return 0;
    case PROP_U8:
    case PROP_U16:
    case PROP_U32:
    case PROP_U64: {
        static const uint64_t max[] = { [PROP_U8] = 0xff, [PROP_U16] = 0xffff,
                                        [PROP_U32] = 0xffffffff,
                                        [PROP_U64] = UINT64_MAX };
        if (parse_uint64(val, 0, &u) < 0 || u > max[p->type]) {
            err_setf(errp, "Parameter '%s' expects %s", p->name,
                     type_name(p->type));
            return -1;
        }
        if (p->type == PROP_U8) {
            *(uint8_t *)field = (uint8_t)u;
        } else if (p->type == PROP_U16) {
            *(uint16_t *)field = (uint16_t)u;
        } else if (p->type == PROP_U32) {
            *(uint32_t *)field = (uint32_t)u;
        } else {
            *(uint64_t *)field = u;
        }
        return 0;
    }
    case PROP_SIZE:
        if (parse_size(val, 0, &u) < 0) {
            err_setf(errp, "Parameter '%s' expects a size", p->name);
            return -1;
        }
        *(uint64_t *)field = u;
        return 0;
    case PROP_STR:
        free(*(char **)field);
        *(char **)field = xstrdup(val);
        return 0;
    case PROP_CHR: {
        struct chardev *chr = chr_find(val);
        if (!chr) {
            err_setf(errp, "Property '%s.%s' can't find value '%s'", tn,
                     p->name, val);
            return -1;
        }
        *(struct chardev **)field = chr;
        return 0;
    }
    case PROP_PCI_ADDR:
        if (parse_devfn(val, (int32_t *)field) < 0) {
            err_setf(errp, "Property '%s.%s' doesn't take value '%s'", tn,
                     p->name, val);
            return -1;
        }
        return 0;
    case PROP_MAC:
        if (parse_mac(val, (uint8_t *)field) < 0) {
            err_setf(errp, "Property '%s.%s' doesn't take value '%s'", tn,
                     p->name, val);
            return -1;
        }
        return 0;
    }
    return -1;
}

static const struct prop *find_prop(const struct dev_type *t, const char *name)
{
    for (const struct prop *p = t->props; p && p->name; p++) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

int dev_global_add(const char *arg, struct err **errp)
{
    struct kvlist *kv = kvlist_new();
    char *driver = NULL, *prop = NULL, *value = NULL;
    int ret = -1;
    if (kvlist_parse(kv, arg, NULL, errp) < 0) {
        goto out;
    }
    if (kv_has(kv, "driver")) {
        driver = xstrdup(kv_str(kv, "driver", ""));
        prop = xstrdup(kv_str(kv, "property", ""));
        value = xstrdup(kv_str(kv, "value", ""));
        if (kv_check_used(kv, errp) < 0) {
            goto out;
        }
    } else {
        /* driver.prop=value: the last dot splits driver and property. */
        const char *eq = strchr(arg, '=');
        const char *dot = NULL;
        for (const char *p = arg; eq && p < eq; p++) {
            if (*p == '.') {
                dot = p;
            }
        }
        if (!eq || !dot || dot == arg || dot + 1 == eq) {
            err_setf(errp, "Invalid 'global' option: expected "
                     "driver.property=value");
            goto out;
        }
        driver = xstrndup(arg, dot - arg);
        prop = xstrndup(dot + 1, eq - dot - 1);
        value = xstrdup(eq + 1);
    }
    struct global *g = xzalloc(sizeof(*g));
    g->driver = driver;
    g->prop = prop;
    g->value = value;
    driver = prop = value = NULL;
    struct global **pp = &globals;
    while (*pp) {
        pp = &(*pp)->next;
    }
    *pp = g;
    ret = 0;
out:
    free(driver);
    free(prop);
    free(value);
    kvlist_free(kv);
    return ret;
}

struct device *dev_create(const struct dev_type *t, struct kvlist *opts,
                          struct err **errp)
{
    struct device *dev = xzalloc(t->size);
    dev->type = t;
    dev->bootindex = -1;
    for (const struct prop *p = t->props; p && p->name; p++) {
        if (p->type == PROP_PCI_ADDR) {
            *(int32_t *)((char *)dev + p->offset) = -1;
        }
        if (p->def && dev_prop_set(dev, p, p->def, errp) < 0) {
            goto fail;
        }
    }
    for (struct global *g = globals; g; g = g->next) {
        if (strcmp(g->driver, t->name)) {
            continue;
        }
        const struct prop *p = find_prop(t, g->prop);
        if (!p) {
            err_setf(errp, "can't apply global %s.%s=%s: Property '%s.%s' not "
                     "found", g->driver, g->prop, g->value, t->name, g->prop);
            goto fail;
        }
        g->used = true;
        if (dev_prop_set(dev, p, g->value, errp) < 0) {
            goto fail;
        }
    }
    if (opts) {
        for (int i = 0; i < opts->n; i++) {
            struct kv_pair *kp = &opts->v[i];
            if (!strcmp(kp->key, "driver")) {
                kp->used = true;
                continue;
            }
            if (!strcmp(kp->key, "id")) {
                kp->used = true;
                if (!kp->val || !kv_id_wellformed(kp->val)) {
                    err_setf(errp, "Parameter 'id' expects an identifier\n"
                             "Identifiers consist of letters, digits, '-', "
                             "'.', '_', starting with a letter.");
                    goto fail;
                }
                if (dev_find(kp->val)) {
                    err_setf(errp, "Duplicate device ID '%s'", kp->val);
                    goto fail;
                }
                free(dev->id);
                dev->id = xstrdup(kp->val);
                continue;
            }
            if (!strcmp(kp->key, "bootindex") && t->bootable) {
                char *end;
                long v = kp->val ? strtol(kp->val, &end, 0) : 0;
                kp->used = true;
                if (!kp->val || !*kp->val || *end || v < -1 || v > INT32_MAX) {
                    err_setf(errp, "Parameter 'bootindex' expects an int32 "
                             "value");
                    goto fail;
                }
                dev->bootindex = (int32_t)v;
                continue;
            }
            const struct prop *p = find_prop(t, kp->key);
            if (!p) {
                err_setf(errp, "Property '%s.%s' not found", t->name, kp->key);
                goto fail;
            }
            kp->used = true;
            if (dev_prop_set(dev, p, kp->val ? kp->val : "on", errp) < 0) {
                goto fail;
            }
        }
    }
    if (t->realize && t->realize(dev, errp) < 0) {
        goto fail;
    }
    struct device **pp = &devices;
    while (*pp) {
        pp = &(*pp)->next;
    }
    *pp = dev;
    return dev;
fail:
    for (const struct prop *p = t->props; p && p->name; p++) {
        if (p->type == PROP_STR) {
            free(*(char **)((char *)dev + p->offset));
        }
    }
    free(dev->id);
    free(dev);
    return NULL;
}

struct device *dev_find(const char *id)
{
    for (struct device *d = devices; d; d = d->next) {
        if (d->id && !strcmp(d->id, id)) {
            return d;
        }
    }
    return NULL;
}

void dev_reset_all(void)
{
    for (struct device *d = devices; d; d = d->next) {
        if (d->type->reset) {
            d->type->reset(d);
        }
    }
}
