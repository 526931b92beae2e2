/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keyval.c - parser for QEMU's key=value option strings (see keyval.h). */
#include "emu/osdep.h"
#include <ctype.h>

#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"  /* xmalloc, parse_* */
#include "emu/util/err.h"     /* err_setf */

struct kvlist *kvlist_new(void)
{
    return xzalloc(sizeof(struct kvlist));
}

void kvlist_free(struct kvlist *l)
{
    if (!l) {
        return;
    }
    for (int i = 0; i < l->n; i++) {
        free(l->v[i].key);
        free(l->v[i].val);
    }
    free(l->v);
    free(l);
}

static void kv_append(struct kvlist *l, char *key, char *val)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = (struct kv_pair){ key, val, false };
}

struct kvlist *kvlist_dup(const struct kvlist *l)
{
    struct kvlist *d = kvlist_new();
    for (int i = 0; i < l->n; i++) {
        kv_append(d, xstrdup(l->v[i].key),
                  l->v[i].val ? xstrdup(l->v[i].val) : NULL);
        d->v[d->n - 1].used = l->v[i].used;
    }
    d->help = l->help;
    return d;
}

/* Copy up to the next unescaped stop character, undoing ",," escapes. */
static char *take(const char **pp, const char *stops)
{
    struct sbuf b = { 0 };
    const char *p = *pp;
    for (;;) {
        if (*p == ',' && p[1] == ',') {
            sbuf_addn(&b, ",", 1);
            p += 2;
            continue;
        }
        if (!*p || strchr(stops, *p)) {
            break;
        }
        sbuf_addn(&b, p, 1);
        p++;
    }
    *pp = p;
    return sbuf_steal(&b);
}

int kvlist_parse(struct kvlist *l, const char *s, const char *implied_key,
                 struct err **errp)
{
    const char *p = s;
    bool first = true;

    while (*p) {
        if (*p == ',') {
            /* An empty element ("a=1,,"-style escapes are handled by take)
             * or a leading comma: QEMU skips empty elements. */
            p++;
            first = false;
            continue;
        }
        /* Does this element have an '=' before its end? */
        const char *q = p;
        bool has_eq = false;
        while (*q) {
            if (*q == ',' && q[1] == ',') {
                q += 2;
                continue;
            }
            if (*q == ',') {
                break;
            }
            if (*q == '=') {
                has_eq = true;
                break;
            }
            q++;
        }
        if (first && implied_key && !has_eq) {
            char *val = take(&p, ",");
            if (!strcmp(val, "help") || !strcmp(val, "?")) {
                l->help = true;
                free(val);
            } else {
                kv_append(l, xstrdup(implied_key), val);
            }
        } else if (has_eq) {
            char *key = take(&p, "=");
            if (!*key) {
                err_setf(errp, "Invalid parameter ''");
                free(key);
                return -1;
            }
            p++;    /* the '=' */
            kv_append(l, key, take(&p, ","));
        } else {
            char *key = take(&p, ",");
            if (!strcmp(key, "help") || !strcmp(key, "?")) {
                l->help = true;
                free(key);
            } else {
                kv_append(l, key, NULL);
            }
        }
        first = false;
        if (*p == ',') {
            p++;
        }
    }
    return 0;
}

static struct kv_pair *find_last(const struct kvlist *l, const char *key)
{
    for (int i = l->n - 1; i >= 0; i--) {
        if (!strcmp(l->v[i].key, key)) {
            return &l->v[i];
        }
    }
    return NULL;
}

void kv_unset(struct kvlist *l, const char *key)
{
    int j = 0;
    for (int i = 0; i < l->n; i++) {
        if (!strcmp(l->v[i].key, key)) {
            free(l->v[i].key);
            free(l->v[i].val);
        } else {
            l->v[j++] = l->v[i];
        }
    }
    l->n = j;
}

void kv_set(struct kvlist *l, const char *key, const char *val)
{
    kv_unset(l, key);
    kv_append(l, xstrdup(key), val ? xstrdup(val) : NULL);
}

bool kv_has(const struct kvlist *l, const char *key)
{
    return find_last(l, key) != NULL;
}

bool kv_asks_help(const struct kvlist *l, const char *key)
{
    const struct kv_pair *p = find_last(l, key);
    return l->help || (p && p->val && !strcmp(p->val, "help"));
}

void kv_mark_used(struct kvlist *l, const char *key)
{
    for (int i = 0; i < l->n; i++) {
        if (!strcmp(l->v[i].key, key)) {
            l->v[i].used = true;
        }
    }
}

const char *kv_get(struct kvlist *l, const char *key)
{
    struct kv_pair *p = find_last(l, key);
    if (!p) {
        return NULL;
    }
    kv_mark_used(l, key);
    /* The bare form of a non-boolean key means an empty string to QEMU's
     * string options ("on" for booleans is handled by kv_bool). */
    return p->val ? p->val : "on";
}

const char *kv_str(struct kvlist *l, const char *key, const char *def)
{
    const char *v = kv_get(l, key);
    return v ? v : def;
}

bool kv_bool(struct kvlist *l, const char *key, bool def, struct err **errp)
{
    /* Find the last of "key=..", "key" or "nokey" (QEMU's short form). */
    char *nokey = xasprintf("no%s", key);
    bool val = def;
    for (int i = 0; i < l->n; i++) {
        struct kv_pair *p = &l->v[i];
        if (!strcmp(p->key, key)) {
            p->used = true;
            if (!p->val) {
                val = true;
            } else if (parse_bool(p->val, &val) < 0) {
                err_setf(errp, "Parameter '%s' expects 'on' or 'off'", key);
                val = def;
                break;
            }
        } else if (!p->val && !strcmp(p->key, nokey)) {
            p->used = true;
            val = false;
        }
    }
    free(nokey);
    return val;
}

uint64_t kv_uint(struct kvlist *l, const char *key, uint64_t def,
                 struct err **errp)
{
    const char *v = kv_get(l, key);
    uint64_t n;
    if (!v) {
        return def;
    }
    if (parse_uint64(v, 0, &n) < 0) {
        err_setf(errp, "Parameter '%s' expects a number", key);
        return def;
    }
    return n;
}

uint64_t kv_size(struct kvlist *l, const char *key, uint64_t def,
                 struct err **errp)
{
    const char *v = kv_get(l, key);
    uint64_t n;
    if (!v) {
        return def;
    }
    if (parse_size(v, 0, &n) < 0) {
        err_setf(errp, "Parameter '%s' expects a non-negative number below "
                 "2^64\nOptional suffix k, M, G, T, P or E means kilo-, "
                 "mega-, giga-, tera-, peta-\nand exabytes, respectively.",
                 key);
        return def;
    }
    return n;
}

int kv_check_used(const struct kvlist *l, struct err **errp)
{
    for (int i = 0; i < l->n; i++) {
        if (!l->v[i].used) {
            err_setf(errp, "Invalid parameter '%s'", l->v[i].key);
            return -1;
        }
    }
    return 0;
}

bool kv_id_wellformed(const char *id)
{
    if (!isalpha((unsigned char)id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!isalnum((unsigned char)*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

static void add_escaped(struct sbuf *b, const char *s)
{
    for (; *s; s++) {
        sbuf_addn(b, s, 1);
        if (*s == ',') {
            sbuf_addn(b, ",", 1);
        }
    }
}

char *kvlist_format(const struct kvlist *l)
{
    struct sbuf b = { 0 };
    for (int i = 0; i < l->n; i++) {
        if (i) {
            sbuf_addn(&b, ",", 1);
        }
        add_escaped(&b, l->v[i].key);
        if (l->v[i].val) {
            sbuf_addn(&b, "=", 1);
            add_escaped(&b, l->v[i].val);
        }
    }
    return sbuf_steal(&b);
}
