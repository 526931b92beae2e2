/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyval_test.c - checks the QEMU key=value option parser (emu/cli/keyval.c):
 * implied first keys, ",," escapes, bare "key" (on) and "nokey" (off) for
 * booleans, "help" and "?", empty elements, last value wins, unused keys
 * reported as "Invalid parameter 'x'", typed getters and their errors, the
 * id rule, and kvlist_format round trips.
 */
#include "emu/osdep.h"

#include "emu/cli/keyval.h"
#include "emu/util/err.h"
#include "tests/unit/test.h"

/* Parse s; the test fails if parsing fails. */
static struct kvlist *P(const char *s, const char *implied)
{
    struct kvlist *l = kvlist_new();
    struct err *e = NULL;
    int r = kvlist_parse(l, s, implied, &e);
    if (r < 0) {
        printf("#   parsing \"%s\" failed: %s\n", s, e ? e->msg : "?");
        test_failed_now = 1;
        err_free(e);
    }
    return l;
}

/* The message of e (or "" when there is no error); frees e. */
static char msgbuf[512];
static const char *M(struct err *e)
{
    snprintf(msgbuf, sizeof(msgbuf), "%s", e ? e->msg : "");
    err_free(e);
    return msgbuf;
}

TEST(implied_key)
{
    struct kvlist *l = P("none,accel=tcg", "type");
    EXPECT_EQ(l->n, 2);
    EXPECT_STR(kv_get(l, "type"), "none");
    EXPECT_STR(kv_get(l, "accel"), "tcg");
    EXPECT(!l->help);
    kvlist_free(l);
}

TEST(implied_key_only_for_first_element)
{
    /* A later element without '=' is a bare key, not the implied key. */
    struct kvlist *l = P("a=1,foo", "type");
    EXPECT(!kv_has(l, "type"));
    EXPECT(kv_has(l, "foo"));
    EXPECT_STR(kv_get(l, "a"), "1");
    kvlist_free(l);
}

TEST(implied_key_given_explicitly)
{
    struct kvlist *l = P("type=none", "type");
    EXPECT_EQ(l->n, 1);
    EXPECT_STR(kv_get(l, "type"), "none");
    kvlist_free(l);
}

TEST(no_implied_key_first_element_is_bare_key)
{
    struct kvlist *l = P("foo,b=2", NULL);
    EXPECT_EQ(l->n, 2);
    EXPECT(kv_has(l, "foo"));
    EXPECT(l->v[0].val == NULL);
    kvlist_free(l);
}

TEST(comma_escape_in_value)
{
    struct kvlist *l = P("path=a,,b,x=1", NULL);
    EXPECT_EQ(l->n, 2);
    EXPECT_STR(kv_get(l, "path"), "a,b");
    EXPECT_STR(kv_get(l, "x"), "1");
    kvlist_free(l);
}

TEST(comma_escape_in_implied_value)
{
    struct kvlist *l = P("/tmp/a,,b,,c,id=x", "path");
    EXPECT_STR(kv_get(l, "path"), "/tmp/a,b,c");
    EXPECT_STR(kv_get(l, "id"), "x");
    kvlist_free(l);
}

TEST(comma_escape_at_end_of_value)
{
    /* "a=1,,,b=2": a escaped comma ends a's value, then b. */
    struct kvlist *l = P("a=1,,,b=2", NULL);
    EXPECT_EQ(l->n, 2);
    EXPECT_STR(kv_get(l, "a"), "1,");
    EXPECT_STR(kv_get(l, "b"), "2");
    kvlist_free(l);
}

TEST(equals_sign_inside_value)
{
    struct kvlist *l = P("data=a=b=c", NULL);
    EXPECT_STR(kv_get(l, "data"), "a=b=c");
    kvlist_free(l);
}

TEST(empty_value)
{
    struct kvlist *l = P("a=,b=2", NULL);
    EXPECT_STR(kv_get(l, "a"), "");
    EXPECT_STR(kv_get(l, "b"), "2");
    kvlist_free(l);
}

TEST(empty_key_is_an_error)
{
    struct kvlist *l = kvlist_new();
    struct err *e = NULL;
    EXPECT_EQ(kvlist_parse(l, "=5", NULL, &e), -1);
    EXPECT_STR(M(e), "Invalid parameter ''");
    kvlist_free(l);
}

TEST(empty_elements_are_skipped)
{
    struct kvlist *l = P("a=1,", NULL);
    EXPECT_EQ(l->n, 1);
    kvlist_free(l);
    l = P("", "type");
    EXPECT_EQ(l->n, 0);
    EXPECT(!l->help);
    kvlist_free(l);
    /* A leading comma: the first (empty) element used up the implied key. */
    l = P(",a=1", "type");
    EXPECT_EQ(l->n, 1);
    EXPECT(!kv_has(l, "type"));
    EXPECT_STR(kv_get(l, "a"), "1");
    kvlist_free(l);
}

TEST(help_as_implied_value)
{
    struct kvlist *l = P("help", "type");
    EXPECT(l->help);
    EXPECT_EQ(l->n, 0);
    kvlist_free(l);
    l = P("?", "driver");
    EXPECT(l->help);
    EXPECT_EQ(l->n, 0);
    kvlist_free(l);
}

TEST(help_after_implied_value)
{
    /* -device e1000,help */
    struct kvlist *l = P("e1000,help", "driver");
    EXPECT(l->help);
    EXPECT_STR(kv_get(l, "driver"), "e1000");
    EXPECT_EQ(l->n, 1);
    kvlist_free(l);
    l = P("e1000,?", "driver");
    EXPECT(l->help);
    kvlist_free(l);
}

TEST(help_without_implied_key)
{
    struct kvlist *l = P("a=1,help", NULL);
    EXPECT(l->help);
    EXPECT_EQ(l->n, 1);
    kvlist_free(l);
}

TEST(help_as_a_value_is_just_a_value)
{
    struct kvlist *l = P("accel=help", "type");
    EXPECT(!l->help);
    EXPECT_STR(kv_get(l, "accel"), "help");
    kvlist_free(l);
}

TEST(last_value_wins)
{
    struct kvlist *l = P("a=1,b=x,a=2", NULL);
    EXPECT_STR(kv_get(l, "a"), "2");
    EXPECT_STR(kv_str(l, "b", "def"), "x");
    EXPECT_STR(kv_str(l, "c", "def"), "def");
    kvlist_free(l);
}

TEST(parse_appends_to_a_list)
{
    struct kvlist *l = P("a=1", NULL);
    struct err *e = NULL;
    EXPECT_EQ(kvlist_parse(l, "a=2,b=3", NULL, &e), 0);
    EXPECT(e == NULL);
    EXPECT_STR(kv_get(l, "a"), "2");
    EXPECT_STR(kv_get(l, "b"), "3");
    kvlist_free(l);
}

TEST(bool_forms)
{
    struct err *e = NULL;
    struct kvlist *l = P("a,noc,d=on,f=off,g=yes,h=no,i=true,j=false", NULL);
    EXPECT_EQ(kv_bool(l, "a", false, &e), true);
    EXPECT_EQ(kv_bool(l, "b", true, &e), true);     /* absent: default */
    EXPECT_EQ(kv_bool(l, "b", false, &e), false);
    EXPECT_EQ(kv_bool(l, "c", true, &e), false);    /* nokey */
    EXPECT_EQ(kv_bool(l, "d", false, &e), true);
    EXPECT_EQ(kv_bool(l, "f", true, &e), false);
    EXPECT_EQ(kv_bool(l, "g", false, &e), true);
    EXPECT_EQ(kv_bool(l, "h", true, &e), false);
    EXPECT_EQ(kv_bool(l, "i", false, &e), true);
    EXPECT_EQ(kv_bool(l, "j", true, &e), false);
    EXPECT(e == NULL);
    EXPECT_EQ(kv_check_used(l, &e), 0);
    kvlist_free(l);
}

TEST(bool_last_form_wins)
{
    struct err *e = NULL;
    struct kvlist *l = P("wait=on,nowait", NULL);
    EXPECT_EQ(kv_bool(l, "wait", true, &e), false);
    kvlist_free(l);
    l = P("nowait,wait", NULL);
    EXPECT_EQ(kv_bool(l, "wait", false, &e), true);
    kvlist_free(l);
    l = P("wait=off,wait=on", NULL);
    EXPECT_EQ(kv_bool(l, "wait", false, &e), true);
    kvlist_free(l);
    EXPECT(e == NULL);
}

TEST(bool_bad_value)
{
    struct err *e = NULL;
    struct kvlist *l = P("server=maybe", NULL);
    kv_bool(l, "server", false, &e);
    EXPECT_STR(M(e), "Parameter 'server' expects 'on' or 'off'");
    kvlist_free(l);
}

TEST(nokey_with_value_is_not_a_negation)
{
    /* "nowait=on" is a key called nowait, not wait=off. */
    struct err *e = NULL;
    struct kvlist *l = P("nowait=on", NULL);
    EXPECT_EQ(kv_bool(l, "wait", true, &e), true);
    EXPECT_EQ(kv_check_used(l, &e), -1);
    EXPECT_STR(M(e), "Invalid parameter 'nowait'");
    kvlist_free(l);
}

TEST(bare_key_reads_as_on)
{
    struct kvlist *l = P("pretty", NULL);
    EXPECT_STR(kv_get(l, "pretty"), "on");
    kvlist_free(l);
}

TEST(unused_key_is_reported)
{
    struct err *e = NULL;
    struct kvlist *l = P("none,accel=tcg,bogus=1", "type");
    kv_get(l, "type");
    kv_get(l, "accel");
    EXPECT_EQ(kv_check_used(l, &e), -1);
    EXPECT_STR(M(e), "Invalid parameter 'bogus'");
    kvlist_free(l);
}

TEST(first_unused_key_is_reported)
{
    struct err *e = NULL;
    struct kvlist *l = P("x=1,y=2", NULL);
    EXPECT_EQ(kv_check_used(l, &e), -1);
    EXPECT_STR(M(e), "Invalid parameter 'x'");
    kvlist_free(l);
}

TEST(repeated_key_used_once_marks_all)
{
    struct err *e = NULL;
    struct kvlist *l = P("a=1,a=2", NULL);
    kv_get(l, "a");
    EXPECT_EQ(kv_check_used(l, &e), 0);
    EXPECT(e == NULL);
    kvlist_free(l);
}

TEST(mark_used)
{
    struct err *e = NULL;
    struct kvlist *l = P("id=m0", NULL);
    kv_mark_used(l, "id");
    EXPECT_EQ(kv_check_used(l, &e), 0);
    EXPECT(e == NULL);
    kvlist_free(l);
}

TEST(uint_getter)
{
    struct err *e = NULL;
    struct kvlist *l = P("a=42,b=0x10,c=010", NULL);
    EXPECT_EQ(kv_uint(l, "a", 0, &e), 42);
    EXPECT_EQ(kv_uint(l, "b", 0, &e), 16);
    EXPECT_EQ(kv_uint(l, "c", 0, &e), 8);
    EXPECT_EQ(kv_uint(l, "missing", 7, &e), 7);
    EXPECT(e == NULL);
    kvlist_free(l);
}

TEST(uint_getter_errors)
{
    static const char *const bad[] = { "n=abc", "n=-1", "n=", "n=1k",
                                       "n=99999999999999999999" };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct err *e = NULL;
        struct kvlist *l = P(bad[i], NULL);
        EXPECT_EQ(kv_uint(l, "n", 5, &e), 5);
        EXPECT_STR(M(e), "Parameter 'n' expects a number");
        kvlist_free(l);
    }
}

TEST(size_getter)
{
    struct err *e = NULL;
    struct kvlist *l = P("a=1G,b=512,c=4k", NULL);
    EXPECT_EQ(kv_size(l, "a", 0, &e), 1ULL << 30);
    EXPECT_EQ(kv_size(l, "b", 0, &e), 512);
    EXPECT_EQ(kv_size(l, "c", 0, &e), 4096);
    EXPECT_EQ(kv_size(l, "d", 99, &e), 99);
    EXPECT(e == NULL);
    kvlist_free(l);
    l = P("s=lots", NULL);
    kv_size(l, "s", 0, &e);
    EXPECT(e != NULL);
    EXPECT(strstr(M(e), "Parameter 's' expects a non-negative number") != NULL);
    kvlist_free(l);
}

TEST(set_and_unset)
{
    struct kvlist *l = P("a=1,b=2,a=3", NULL);
    kv_set(l, "a", "9");
    EXPECT_EQ(l->n, 2);
    EXPECT_STR(kv_get(l, "a"), "9");
    kv_unset(l, "b");
    EXPECT(!kv_has(l, "b"));
    EXPECT_EQ(l->n, 1);
    kv_set(l, "flag", NULL);
    EXPECT(kv_has(l, "flag"));
    EXPECT(l->v[l->n - 1].val == NULL);
    kvlist_free(l);
}

TEST(dup_is_deep)
{
    struct kvlist *l = P("a=1,help", "type");
    kv_get(l, "a");
    struct kvlist *d = kvlist_dup(l);
    EXPECT(d->help);
    EXPECT_EQ(d->n, 1);
    EXPECT(d->v[0].used);
    kv_set(l, "a", "2");
    EXPECT_STR(kv_get(d, "a"), "1");
    kvlist_free(l);
    kvlist_free(d);
}

TEST(id_wellformed)
{
    static const char *const good[] = { "a", "Z", "a1", "mon0", "a-b", "a.b",
                                        "a_b", "charserial0", "x-._9" };
    static const char *const bad[] = { "", "1a", "-a", "_a", ".a", "a b",
                                       "a,b", "a/b", "a:b", "a=b", "é" };
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        if (!kv_id_wellformed(good[i])) {
            printf("#   id \"%s\" refused\n", good[i]);
            test_failed_now = 1;
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        if (kv_id_wellformed(bad[i])) {
            printf("#   id \"%s\" accepted\n", bad[i]);
            test_failed_now = 1;
        }
    }
}

TEST(format_escapes_commas)
{
    struct kvlist *l = P("path=/a,,b,id=c0,flag", NULL);
    char *s = kvlist_format(l);
    EXPECT_STR(s, "path=/a,,b,id=c0,flag");
    free(s);
    kvlist_free(l);
}

TEST(format_round_trip)
{
    static const char *const inputs[] = {
        "a=1", "a=x,,y,b=,c", "k=v=w,,,z=1", "data=,,,,", "a=1,a=2",
    };
    for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
        struct kvlist *l = P(inputs[i], NULL);
        char *s = kvlist_format(l);
        struct kvlist *r = P(s, NULL);
        EXPECT_EQ(r->n, l->n);
        for (int k = 0; k < l->n && k < r->n; k++) {
            EXPECT_STR(r->v[k].key, l->v[k].key);
            if (l->v[k].val || r->v[k].val) {
                EXPECT_STR(r->v[k].val, l->v[k].val);
            }
        }
        free(s);
        kvlist_free(l);
        kvlist_free(r);
    }
}

TEST(format_empty_list)
{
    struct kvlist *l = kvlist_new();
    char *s = kvlist_format(l);
    EXPECT_STR(s, "");
    free(s);
    kvlist_free(l);
}

TEST(asks_help_bare_or_as_the_implied_value)
{
    struct kvlist *a = kvlist_new(), *b = kvlist_new(), *c = kvlist_new();
    EXPECT_EQ(kvlist_parse(a, "help", "type", NULL), 0);
    EXPECT_EQ(kvlist_parse(b, "type=help", "type", NULL), 0);
    EXPECT_EQ(kvlist_parse(c, "e1000,id=help", "type", NULL), 0);
    EXPECT(kv_asks_help(a, "type"));
    EXPECT(kv_asks_help(b, "type"));
    EXPECT(!kv_asks_help(c, "type"));
    /* Asking marks nothing used. */
    EXPECT_EQ(kv_check_used(b, NULL), -1);
    kvlist_free(a);
    kvlist_free(b);
    kvlist_free(c);
}

TEST_MAIN()
