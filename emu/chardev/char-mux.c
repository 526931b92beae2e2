/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * char-mux.c - the multiplexer behind mux=on, "mon:" and -nographic: up to
 * four front ends share one back end.  Output from any of them goes out;
 * input goes to the focused one after the escape character (Ctrl-a, or
 * -echr) is interpreted: h help, x exit, s sync disks, t timestamps,
 * b break, c next front end, and the escape character twice for itself.
 * Reference: qemu-6.2 manual, "Keys in the character backend multiplexer"
 * and "-echr".
 */
#include "emu/osdep.h"

#include "emu/chardev/chardev-int.h"
#include "emu/util/cutils.h"    /* xzalloc, sbuf */
#include "emu/util/err.h"       /* err_setf */
#include "emu/vm/runstate.h"    /* vm_request_shutdown */

#define MUX_MAX 4

struct mux {
    struct chardev *chr;        /* the mux itself (the id front ends use) */
    struct chr_fe *base_fe;     /* our front end on the real back end */
    struct chr_fe *fes[MUX_MAX];
    int cnt;
    int focus;                  /* index into fes, -1 if none */
    bool got_escape;
    bool timestamps, linestart;
    int64_t ts_start;           /* ms of the first stamped line, -1 unset */
};

static struct mux *mux_of(const struct chardev *chr)
{
    return chr->opaque;
}

bool chr_is_mux(const struct chardev *chr)
{
    return chr->drv == &chr_mux_driver;
}

bool chr_mux_has_fe(const struct chardev *chr)
{
    return mux_of(chr)->cnt > 0;
}

static void fe_event(struct chr_fe *fe, enum chr_event ev)
{
    if (fe->ops->event) {
        fe->ops->event(fe->opaque, ev);
    }
}

static void mux_set_focus(struct mux *m, int focus)
{
    if (m->focus >= 0 && m->focus < m->cnt) {
        fe_event(m->fes[m->focus], CHR_EVENT_MUX_OUT);
    }
    m->focus = focus;
    if (focus >= 0) {
        m->fes[focus]->mux_in_pending = false;
        fe_event(m->fes[focus], CHR_EVENT_MUX_IN);
    }
}

/* ---------------------------------------------------------------------------
 * Output: optional "[hh:mm:ss.mmm] " stamps at line starts (Ctrl-a t)
 */

static int mux_write(struct chardev *chr, const uint8_t *buf, int len)
{
    struct mux *m = mux_of(chr);
    if (!m->timestamps) {
        int r = chr_fe_write(m->base_fe, buf, len);
        return r < 0 ? r : len;
    }
    struct sbuf b = { 0 };
    for (int i = 0; i < len; i++) {
        if (m->linestart) {
            int64_t now = clock_ns(CLOCK_RT) / 1000000;
            if (m->ts_start < 0) {
                m->ts_start = now;
            }
            int64_t t = now - m->ts_start;
            sbuf_addf(&b, "[%02d:%02d:%02d.%03d] ", (int)(t / 3600000),
                      (int)(t / 60000 % 60), (int)(t / 1000 % 60),
                      (int)(t % 1000));
            m->linestart = false;
        }
        sbuf_addn(&b, (const char *)buf + i, 1);
        if (buf[i] == '\n') {
            m->linestart = true;
        }
    }
    int r = chr_fe_write(m->base_fe, (const uint8_t *)b.s, b.len);
    free(b.s);
    return r < 0 ? r : len;
}

static void mux_puts(struct mux *m, const char *s)
{
    mux_write(m->chr, (const uint8_t *)s, strlen(s));
}

static void mux_print_help(struct mux *m)
{
    static const struct {
        char key;
        const char *what;
    } cmds[] = {
        { 'h', "print this help" },
        { 'x', "exit emulator" },
        { 's', "save disk data back to file (if -snapshot)" },
        { 't', "toggle console timestamps" },
        { 'b', "send break (magic sysrq)" },
        { 'c', "switch between console and monitor" },
    };
    char esc[16];
    struct sbuf b = { 0 };

    /* QEMU's wording and layout, "\n\r" line ends included (the terminal
     * is raw); Ctrl-z and above are shown by number. */
    if (chr_mux_escape_char > 0 && chr_mux_escape_char < 26) {
        snprintf(esc, sizeof(esc), "C-%c", 'a' + chr_mux_escape_char - 1);
        sbuf_addf(&b, "\n\r");
    } else {
        snprintf(esc, sizeof(esc), "Escape-Char");
        sbuf_addf(&b, "\n\rEscape-Char set to Ascii: 0x%02x\n\r\n\r",
                  chr_mux_escape_char & 0xff);
    }
    for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
        sbuf_addf(&b, "%s %c    %s\n\r", esc, cmds[i].key, cmds[i].what);
    }
    sbuf_addf(&b, "%s %s  sends %s\n\r", esc, esc, esc);
    mux_write(m->chr, (const uint8_t *)b.s, b.len);
    free(b.s);
}

/* ---------------------------------------------------------------------------
 * Input: escapes, then the focused front end (with a small hold buffer)
 */

static void mux_flush(struct chr_fe *fe)
{
    while (fe->mux_len > 0) {
        int n = fe->ops->can_read ? fe->ops->can_read(fe->opaque) : 0;
        if (n <= 0) {
            return;
        }
        n = MIN(n, fe->mux_len);
        fe->ops->read(fe->opaque, fe->mux_buf, n);
        memmove(fe->mux_buf, fe->mux_buf + n, fe->mux_len - n);
        fe->mux_len -= n;
    }
}

static void mux_deliver(struct mux *m, const uint8_t *buf, int len)
{
    if (m->focus < 0 || len <= 0) {
        return;
    }
    struct chr_fe *fe = m->fes[m->focus];
    mux_flush(fe);
    if (fe->mux_len == 0 && fe->ops->can_read) {
        int n = MIN(fe->ops->can_read(fe->opaque), len);
        if (n > 0) {
            fe->ops->read(fe->opaque, buf, n);
            buf += n;
            len -= n;
        }
    }
    /* can_read promised room for this; more is only possible right after
     * a focus switch inside one chunk, and is dropped. */
    int n = MIN(len, (int)sizeof(fe->mux_buf) - fe->mux_len);
    memcpy(fe->mux_buf + fe->mux_len, buf, n);
    fe->mux_len += n;
}

/* An escape command; true if c was consumed. */
static bool mux_escape(struct mux *m, uint8_t c)
{
    if (!m->got_escape) {
        if (c == chr_mux_escape_char) {
            m->got_escape = true;
            return true;
        }
        return false;
    }
    m->got_escape = false;
    if (c == chr_mux_escape_char) {
        return false;           /* doubled: the character itself */
    }
    switch (c) {
    case 'h':
    case '?':
        mux_print_help(m);
        break;
    case 'x':
        mux_puts(m, "QEMU: Terminated\n\r");
        vm_request_shutdown(SHUTDOWN_CAUSE_HOST_UI);
        break;
    case 's':
        /* Commit -snapshot disk data: there is no block layer yet, so
         * there is nothing to write back. */
        break;
    case 't':
        m->timestamps = !m->timestamps;
        m->ts_start = -1;
        m->linestart = false;
        break;
    case 'b':
        if (m->focus >= 0) {
            fe_event(m->fes[m->focus], CHR_EVENT_BREAK);
        }
        break;
    case 'c':
        if (m->cnt > 0) {
            mux_set_focus(m, (m->focus + 1) % m->cnt);
        }
        break;
    default:
        break;                  /* unknown commands are swallowed */
    }
    return true;
}

static int mux_can_read(void *opaque)
{
    struct mux *m = opaque;
    if (m->focus < 0) {
        return 0;
    }
    struct chr_fe *fe = m->fes[m->focus];
    int room = (int)sizeof(fe->mux_buf) - fe->mux_len;
    if (fe->mux_len == 0 && fe->ops->can_read) {
        int n = fe->ops->can_read(fe->opaque);
        if (n > room) {
            return n;
        }
    }
    return room;
}

static void mux_read(void *opaque, const uint8_t *buf, int len)
{
    struct mux *m = opaque;
    int start = 0;
    for (int i = 0; i < len; i++) {
        if (m->got_escape || buf[i] == chr_mux_escape_char) {
            mux_deliver(m, buf + start, i - start);
            if (!mux_escape(m, buf[i])) {
                mux_deliver(m, buf + i, 1);
            }
            start = i + 1;
        }
    }
    mux_deliver(m, buf + start, len - start);
}

static void mux_event(void *opaque, enum chr_event ev)
{
    struct mux *m = opaque;
    /* A repeated OPENED (the attach-time one after front ends already had
     * theirs) or CLOSED carries no news. */
    if ((ev == CHR_EVENT_OPENED && m->chr->be_open) ||
        (ev == CHR_EVENT_CLOSED && !m->chr->be_open)) {
        return;
    }
    if (ev == CHR_EVENT_OPENED) {
        m->chr->be_open = true;
    } else if (ev == CHR_EVENT_CLOSED) {
        m->chr->be_open = false;
    }
    for (int i = 0; i < m->cnt; i++) {
        if (ev == CHR_EVENT_OPENED || ev == CHR_EVENT_CLOSED) {
            m->fes[i]->open_pending = false;
        }
        fe_event(m->fes[i], ev);
    }
}

static const struct chr_fe_ops mux_base_ops = {
    .can_read = mux_can_read,
    .read = mux_read,
    .event = mux_event,
};

/* ---------------------------------------------------------------------------
 * Front ends of the mux
 */

/* Events owed to a front end since attach, delivered once the caller has
 * its handle (handlers often write back through it). */
static void mux_fe_bh(void *opaque)
{
    struct chr_fe *fe = opaque;
    struct mux *m = mux_of(fe->chr);
    if (fe->mux_in_pending) {
        fe->mux_in_pending = false;
        if (m->focus >= 0 && m->fes[m->focus] == fe) {
            fe_event(fe, CHR_EVENT_MUX_IN);
        }
    }
    if (fe->open_pending) {
        fe->open_pending = false;
        if (m->chr->be_open) {
            fe_event(fe, CHR_EVENT_OPENED);
        }
    }
}

struct chr_fe *chr_mux_attach(struct chardev *chr, const struct chr_fe_ops *ops,
                              void *opaque, struct err **errp)
{
    struct mux *m = mux_of(chr);
    if (m->cnt >= MUX_MAX) {
        err_setf(errp, "too many uses of multiplexed chardev '%s' "
                 "(maximum is %d)", chr->id, MUX_MAX);
        return NULL;
    }
    struct chr_fe *fe = xzalloc(sizeof(*fe));
    fe->chr = chr;
    fe->ops = ops;
    fe->opaque = opaque;
    fe->open_bh = bh_new(mux_fe_bh, fe);
    m->fes[m->cnt++] = fe;
    /* The newest front end takes the focus, as in QEMU: with "-serial
     * mon:stdio" the serial port attaches last and owns the console. */
    if (m->focus >= 0) {
        fe_event(m->fes[m->focus], CHR_EVENT_MUX_OUT);
    }
    m->focus = m->cnt - 1;
    fe->mux_in_pending = true;
    fe->open_pending = chr->be_open;
    bh_schedule(fe->open_bh);
    return fe;
}

void chr_mux_detach(struct chr_fe *fe)
{
    struct mux *m = mux_of(fe->chr);
    int idx = -1;
    for (int i = 0; i < m->cnt; i++) {
        if (m->fes[i] == fe) {
            idx = i;
        }
    }
    if (idx < 0) {
        return;
    }
    memmove(&m->fes[idx], &m->fes[idx + 1],
            (m->cnt - idx - 1) * sizeof(m->fes[0]));
    m->cnt--;
    if (m->focus > idx) {
        m->focus--;
    } else if (m->focus == idx) {
        m->focus = -1;
        if (m->cnt > 0) {
            mux_set_focus(m, m->cnt - 1);
        }
    }
}

void chr_mux_accept_input(struct chr_fe *fe)
{
    struct mux *m = mux_of(fe->chr);
    mux_flush(fe);
    chr_fe_accept_input(m->base_fe);
}

void chr_mux_take_focus(struct chr_fe *fe)
{
    struct mux *m = mux_of(fe->chr);
    for (int i = 0; i < m->cnt; i++) {
        if (m->fes[i] == fe && m->focus != i) {
            mux_set_focus(m, i);
        }
    }
}

struct chardev *chr_mux_new(const char *id, struct chardev *base,
                            struct err **errp)
{
    struct chardev *chr = chr_alloc(id, &chr_mux_driver);
    struct mux *m = xzalloc(sizeof(*m));
    m->chr = chr;
    m->focus = -1;
    m->ts_start = -1;
    chr->opaque = m;
    chr_set_filename(chr, xstrdup("mux"));
    m->base_fe = chr_fe_attach(base, &mux_base_ops, m, errp);
    if (!m->base_fe) {
        free(m);
        free(chr->filename);
        free(chr->id);
        timer_free(chr->in_retry);
        free(chr);
        return NULL;
    }
    /* Our own OPENED comes from the attach bottom half of base_fe;
     * meanwhile mirror its state so early front ends see it. */
    chr->be_open = base->be_open;
    chr_register(chr);
    return chr;
}

static int mux_open(struct chardev *chr, struct kvlist *opts,
                    struct err **errp)
{
    err_setf(errp, "'mux' is not a valid char driver name");
    return -1;
}

static void mux_close(struct chardev *chr)
{
    struct mux *m = mux_of(chr);
    if (m) {
        chr_fe_detach(m->base_fe);
        free(m);
        chr->opaque = NULL;
    }
}

const struct chr_driver chr_mux_driver = {
    .name = "mux",
    .open = mux_open,
    .write = mux_write,
    .close = mux_close,
};
