/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_keyval.c - libFuzzer target for the key=value option parser
 * (emu/cli/keyval.c) and the value parsers it feeds (sizes, booleans,
 * numbers): any byte string must parse or fail cleanly, and a parsed list
 * must format back to a string that parses to the same pairs.
 */
#include "emu/osdep.h"

#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xstrndup((const char *)data, size);
    struct kvlist *l = kvlist_new();
    struct err *e = NULL;

    if (kvlist_parse(l, s, size & 1 ? "type" : NULL, &e) == 0) {
        /* Exercise the typed getters on whatever keys appeared. */
        for (int i = 0; i < l->n; i++) {
            struct err *ge = NULL;
            kv_bool(l, l->v[i].key, false, &ge);
            err_free(ge);
            ge = NULL;
            kv_size(l, l->v[i].key, 0, &ge);
            err_free(ge);
            ge = NULL;
            kv_uint(l, l->v[i].key, 0, &ge);
            err_free(ge);
            kv_id_wellformed(l->v[i].key);
        }
        /* Round trip: format, parse again, compare. Bare keys come back as
         * bare keys; the implied key comes back explicit. */
        char *f = kvlist_format(l);
        struct kvlist *l2 = kvlist_new();
        struct err *e2 = NULL;
        if (kvlist_parse(l2, f, NULL, &e2) != 0) {
            abort();
        }
        if (l2->n != l->n) {
            abort();
        }
        for (int i = 0; i < l->n; i++) {
            if (strcmp(l->v[i].key, l2->v[i].key)) {
                abort();
            }
            if (!l->v[i].val != !l2->v[i].val ||
                (l->v[i].val && strcmp(l->v[i].val, l2->v[i].val))) {
                abort();
            }
        }
        kvlist_free(l2);
        free(f);
    }
    err_free(e);
    kvlist_free(l);

    uint64_t u;
    bool b;
    parse_size(s, 0, &u);
    parse_size(s, 'M', &u);
    parse_bool(s, &b);
    free(s);
    return 0;
}
