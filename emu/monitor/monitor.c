/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * monitor.c - monitors on chardevs: glue between a chardev front end and
 * a QMP session (qmp.c) or the human monitor (hmp.c + readline.c).  The
 * event handling mirrors QEMU 6.2's monitor: the QMP greeting on every
 * connection, the HMP banner and prompt, and on a mux chardev output held
 * while another front end has the focus and a fresh prompt when the focus
 * comes back (Ctrl-a c).
 */
#include "emu/osdep.h"

#include "emu/chardev/chardev.h"    /* chr_fe_attach, chr_fe_write */
#include "emu/monitor/hmp.h"
#include "emu/monitor/monitor.h"
#include "emu/monitor/qmp.h"
#include "emu/monitor/readline.h"
#include "emu/util/cutils.h"        /* xzalloc, sbuf */
#include "emu/util/err.h"

/* What a monitor out of focus may hold before dropping output. */
#define HELD_MAX (1u << 20)

struct monitor {
    struct chr_fe *fe;
    struct qmp_session *qmp;        /* QMP monitors */
    struct readline *rl;            /* HMP monitors */
    struct hmp hmp;
    bool mux_out;                   /* another mux front end has the focus */
    bool reset_seen;                /* the chardev has been opened */
    struct sbuf held;               /* output while mux_out */
    struct monitor *next;
};

static struct monitor *monitors;

static void write_out(void *opaque, const char *buf, size_t len)
{
    struct monitor *m = opaque;

    if (!m->fe) {
        return;
    }
    if (m->mux_out) {
        if (m->held.len + len <= HELD_MAX) {
            sbuf_addn(&m->held, buf, len);
        }
        return;
    }
    chr_fe_write(m->fe, (const uint8_t *)buf, (int)len);
}

/* ---------------------------------------------------------------------------
 * QMP
 */

static int qmp_can_read(void *opaque)
{
    return 4096;
}

static void qmp_read(void *opaque, const uint8_t *buf, int len)
{
    struct monitor *m = opaque;
    qmp_session_input(m->qmp, buf, (size_t)len);
}

static void qmp_event(void *opaque, enum chr_event ev)
{
    struct monitor *m = opaque;

    if (ev == CHR_EVENT_OPENED) {
        qmp_session_open(m->qmp);
    } else if (ev == CHR_EVENT_CLOSED) {
        qmp_session_close(m->qmp);
    }
}

static const struct chr_fe_ops qmp_ops = {
    .can_read = qmp_can_read,
    .read = qmp_read,
    .event = qmp_event,
};

/* ---------------------------------------------------------------------------
 * HMP
 */

static void hmp_line(void *opaque, const char *line)
{
    struct monitor *m = opaque;

    hmp_execute(&m->hmp, line);
    /* After quit QEMU suspends the monitor: no prompt, no more input. */
    if (!m->hmp.quit) {
        readline_show_prompt(m->rl);
    }
}

static void hmp_completion(void *opaque, const char *line,
                           void (*add)(void *ctx, const char *word), void *ctx)
{
    hmp_complete(line, add, ctx);
}

static int hmp_can_read(void *opaque)
{
    struct monitor *m = opaque;
    return m->hmp.quit || m->mux_out ? 0 : 4096;
}

static void hmp_read(void *opaque, const uint8_t *buf, int len)
{
    struct monitor *m = opaque;

    for (int i = 0; i < len && !m->hmp.quit; i++) {
        readline_feed(m->rl, buf[i]);
    }
}

static void flush_held(struct monitor *m)
{
    if (m->held.len) {
        chr_fe_write(m->fe, (const uint8_t *)m->held.s, (int)m->held.len);
        free(sbuf_steal(&m->held));
    }
}

static void hmp_event(void *opaque, enum chr_event ev)
{
    struct monitor *m = opaque;

    switch (ev) {
    case CHR_EVENT_OPENED:
        hmp_printf(&m->hmp, "QEMU %s monitor - type 'help' for more "
                   "information\n", HEMU_QEMU_VERSION);
        if (!m->mux_out) {
            readline_restart(m->rl);
            readline_show_prompt(m->rl);
        }
        m->reset_seen = true;
        break;
    case CHR_EVENT_MUX_IN:
        m->mux_out = false;
        flush_held(m);
        if (m->reset_seen && !m->hmp.quit) {
            readline_restart(m->rl);
            readline_show_prompt(m->rl);
        }
        chr_fe_accept_input(m->fe);
        break;
    case CHR_EVENT_MUX_OUT:
        /* End the prompt line so the next front end starts clean. */
        if (m->reset_seen && !m->hmp.quit) {
            write_out(m, "\r\n", 2);
        }
        m->mux_out = true;
        break;
    case CHR_EVENT_CLOSED:
    case CHR_EVENT_BREAK:
        break;
    }
}

static const struct chr_fe_ops hmp_ops = {
    .can_read = hmp_can_read,
    .read = hmp_read,
    .event = hmp_event,
};

/* ---------------------------------------------------------------------------
 * Life cycle
 */

static void monitor_free(struct monitor *m)
{
    if (m->fe) {
        chr_fe_detach(m->fe);
    }
    if (m->qmp) {
        qmp_session_free(m->qmp);
    }
    readline_free(m->rl);
    free(m->held.s);
    free(m);
}

int monitor_new(struct chardev *chr, bool qmp, bool pretty, struct err **errp)
{
    struct monitor *m = xzalloc(sizeof(*m));

    if (qmp) {
        m->qmp = qmp_session_new(pretty, write_out, m);
    } else {
        m->hmp.out = write_out;
        m->hmp.opaque = m;
        m->rl = readline_new("(qemu) ", write_out, hmp_line, hmp_completion, m);
    }
    m->fe = chr_fe_attach(chr, qmp ? &qmp_ops : &hmp_ops, m, errp);
    if (!m->fe) {
        monitor_free(m);
        return -1;
    }
    m->next = monitors;
    monitors = m;
    return 0;
}

void monitor_cleanup_all(void)
{
    while (monitors) {
        struct monitor *m = monitors;
        monitors = m->next;
        monitor_free(m);
    }
}
