/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyval.h - QEMU's "key=value,key=value" option strings (QemuOpts syntax,
 * qemu-6.2 manual "Options"): ",," escapes a comma, the first element may
 * omit its key (the implied key: -drive file, -chardev backend, ...), a bare
 * "help" or "?" asks for help, a bare "key" means key=on and "nokey" means
 * key=off for booleans.  Each consumer reads the keys it knows; whatever is
 * left unread is an error ("Invalid parameter 'x'").
 */
#ifndef HEMU_EMU_CLI_KEYVAL_H
#define HEMU_EMU_CLI_KEYVAL_H

#include "emu/osdep.h"

struct err;

struct kv_pair {
    char *key;
    char *val;      /* NULL for the bare "key" form */
    bool used;
};

struct kvlist {
    struct kv_pair *v;
    int n, cap;
    bool help;      /* "help" or "?" appeared as an element */
};

/*
 * Parse s into l (appending).  implied_key names the key of a first element
 * without '=' (NULL: none).  Returns 0 or -1 with *errp set.
 */
int kvlist_parse(struct kvlist *l, const char *s, const char *implied_key,
                 struct err **errp);
struct kvlist *kvlist_new(void);
void kvlist_free(struct kvlist *l);
struct kvlist *kvlist_dup(const struct kvlist *l);
/* Append or replace (all earlier occurrences are dropped). */
void kv_set(struct kvlist *l, const char *key, const char *val);
void kv_unset(struct kvlist *l, const char *key);

/* The last value given for key (NULL if absent); marks it used. */
const char *kv_get(struct kvlist *l, const char *key);
bool kv_has(const struct kvlist *l, const char *key);
/* Typed getters: the default when absent; on a bad value, set *errp. */
const char *kv_str(struct kvlist *l, const char *key, const char *def);
bool kv_bool(struct kvlist *l, const char *key, bool def, struct err **errp);
uint64_t kv_uint(struct kvlist *l, const char *key, uint64_t def,
                 struct err **errp);
uint64_t kv_size(struct kvlist *l, const char *key, uint64_t def,
                 struct err **errp);
/* Error for the first key no getter asked for; 0 if all were used. */
int kv_check_used(const struct kvlist *l, struct err **errp);
/* Whether the list asks for help: a bare "help"/"?" or key=help (the
 * implied key's "-device help" form).  Marks nothing used. */
bool kv_asks_help(const struct kvlist *l, const char *key);
/* Marks key used without reading it (keys accepted and meaningless). */
void kv_mark_used(struct kvlist *l, const char *key);

/* QEMU's id rule: a letter, then letters, digits, '-', '.', '_'. */
bool kv_id_wellformed(const char *id);
/* Format back to "k=v,k=v" with commas escaped (for messages, info). */
char *kvlist_format(const struct kvlist *l);

#endif
