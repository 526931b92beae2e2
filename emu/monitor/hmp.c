/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hmp.c - parsing and dispatch of human monitor command lines, "help",
 * and capture of output for QMP human-monitor-command.  Messages follow
 * QEMU 6.2's monitor ("unknown command: 'foo'", help lines
 * "name params -- text"), since scripts match on them.
 */
#include "emu/osdep.h"

#include "emu/monitor/hmp.h"
#include "emu/util/cutils.h"    /* sbuf, xvasprintf */

void hmp_printf(struct hmp *h, const char *fmt, ...)
{
    va_list ap;
    struct sbuf b = { 0 };

    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    /* A terminal in raw mode needs CR LF; QEMU adds the CR for every
     * monitor, human-monitor-command output included. */
    for (const char *p = s; *p; p++) {
        if (*p == '\n') {
            sbuf_addn(&b, "\r", 1);
        }
        sbuf_addn(&b, p, 1);
    }
    if (b.len) {
        h->out(h->opaque, b.s, b.len);
    }
    free(b.s);
    free(s);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *skip_space(const char *p)
{
    while (*p && is_space(*p)) {
        p++;
    }
    return p;
}

/* Does the word [name, name+len) match "cont|c"-style names? */
static bool name_matches(const char *names, const char *name, size_t len)
{
    const char *p = names;

    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == len && !memcmp(p, name, len)) {
            return true;
        }
        if (!bar) {
            break;
        }
        p = bar + 1;
    }
    return false;
}

static const struct hmp_cmd *find_cmd(const struct hmp_cmd *table,
                                      const char *name, size_t len)
{
    for (const struct hmp_cmd *c = table; c->name; c++) {
        if (name_matches(c->name, name, len)) {
            return c;
        }
    }
    return NULL;
}

/* The end of a command word: QEMU stops at white space and '/'. */
static const char *word_end(const char *p)
{
    while (*p && !is_space(*p) && *p != '/') {
        p++;
    }
    return p;
}

static void dispatch(struct hmp *h, const struct hmp_cmd *table,
                     const char *start, const char *p)
{
    p = skip_space(p);
    const char *name = p, *end = word_end(p);
    const struct hmp_cmd *cmd = find_cmd(table, name, end - name);

    if (!cmd) {
        hmp_printf(h, "unknown command: '%.*s'\n", (int)(end - start), start);
        return;
    }
    p = skip_space(end);
    if (cmd->sub && *p) {
        dispatch(h, cmd->sub, start, p);
        return;
    }
    if (!cmd->has_arg && *p) {
        hmp_printf(h, "%s: extraneous characters at the end of line\n",
                   cmd->name);
        return;
    }
    char *arg = NULL;
    if (*p) {
        size_t n = strlen(p);
        while (n && is_space(p[n - 1])) {
            n--;
        }
        arg = xstrndup(p, n);
    }
    cmd->fn(h, arg);
    free(arg);
}

void hmp_execute(struct hmp *h, const char *line)
{
    const char *p = skip_space(line);

    if (*p) {
        dispatch(h, hmp_cmds, p, p);
    }
}

static void capture_out(void *opaque, const char *buf, size_t len)
{
    sbuf_addn(opaque, buf, len);
}

char *hmp_execute_capture(const char *line)
{
    struct sbuf b = { 0 };
    struct hmp h = { .out = capture_out, .opaque = &b };

    hmp_execute(&h, line);
    return sbuf_steal(&b);
}

/* ---------------------------------------------------------------------------
 * help
 */

static void help_one(struct hmp *h, const char *prefix,
                     const struct hmp_cmd *c)
{
    hmp_printf(h, "%s%s %s -- %s\n", prefix, c->name, c->params, c->help);
}

void hmp_help(struct hmp *h, const char *arg)
{
    const struct hmp_cmd *table = hmp_cmds;
    struct sbuf prefix = { 0 };
    const char *p = skip_space(arg ? arg : "");

    sbuf_addn(&prefix, "", 0);
    for (;;) {
        const char *end = word_end(p);
        if (end == p) {
            /* No (more) words: the whole table. */
            for (const struct hmp_cmd *c = table; c->name; c++) {
                help_one(h, prefix.s, c);
            }
            break;
        }
        const struct hmp_cmd *c = find_cmd(table, p, end - p);
        if (!c) {
            hmp_printf(h, "unknown command: '%s%.*s'\n", prefix.s,
                       (int)(end - p), p);
            break;
        }
        if (!c->sub) {
            help_one(h, prefix.s, c);
            break;
        }
        sbuf_addf(&prefix, "%.*s ", (int)(end - p), p);
        table = c->sub;
        p = skip_space(end);
    }
    free(prefix.s);
}

/* ---------------------------------------------------------------------------
 * Completion of command names
 */

static int complete_in(const struct hmp_cmd *table, const char *word,
                       void (*fn)(void *opaque, const char *name),
                       void *opaque)
{
    size_t len = strlen(word);
    int n = 0;

    for (const struct hmp_cmd *c = table; c->name; c++) {
        /* Offer the first (long) name only, as QEMU does. */
        size_t nl = strcspn(c->name, "|");
        char name[64];
        if (nl >= sizeof(name) || nl < len || memcmp(c->name, word, len)) {
            continue;
        }
        memcpy(name, c->name, nl);
        name[nl] = 0;
        fn(opaque, name);
        n++;
    }
    return n;
}

int hmp_complete(const char *line, void (*fn)(void *opaque, const char *name),
                 void *opaque)
{
    const char *p = skip_space(line), *end = word_end(p);

    if (!*end) {
        return complete_in(hmp_cmds, p, fn, opaque);
    }
    const struct hmp_cmd *c = find_cmd(hmp_cmds, p, end - p);
    if (c && c->sub) {
        p = skip_space(end);
        if (!*word_end(p)) {
            return complete_in(c->sub, p, fn, opaque);
        }
    }
    return 0;
}
