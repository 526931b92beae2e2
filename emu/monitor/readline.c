/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * readline.c - the monitor's line editor (see readline.h).  Keys: printable
 * bytes insert; Backspace/DEL and Ctrl-H erase; Ctrl-A/E or Home/End move
 * to the ends; Ctrl-B/F or arrows move by one; Ctrl-D or Delete erase
 * under the cursor; Ctrl-K and Ctrl-U kill to the end / the start; Ctrl-W
 * kills a word; Ctrl-P/N or Up/Down walk the history; Ctrl-L redraws; Tab
 * completes.  "\r", "\n" and "\r\n" (also telnet's "\r\0") each end one
 * line; QEMU would run an empty line for the "\n" of "\r\n".
 * The terminal is driven with the VT100 sequences QEMU also emits.
 */
#include "emu/osdep.h"

#include "emu/monitor/readline.h"
#include "emu/util/cutils.h"    /* xzalloc, xstrdup, sbuf */

#define LINE_MAX_LEN 4095       /* QEMU's READLINE_CMD_BUF_SIZE */
#define HISTORY_MAX 64          /* QEMU's READLINE_MAX_CMDS */
#define COMPLETIONS_MAX 256

enum esc_state { ESC_NONE, ESC_ESC, ESC_CSI, ESC_SS3 };

struct readline {
    char *prompt;
    readline_out_fn *out;
    readline_line_fn *line_fn;
    readline_complete_fn *complete;
    void *opaque;

    char buf[LINE_MAX_LEN + 1];
    int len, pos;
    enum esc_state esc;
    int esc_param;
    bool last_cr;

    char *hist[HISTORY_MAX];
    int hist_count;
    int hist_pos;               /* == hist_count: not browsing */

    char *cand[COMPLETIONS_MAX];
    int ncand;
};

static void put(struct readline *rl, const char *s, size_t n)
{
    if (n) {
        rl->out(rl->opaque, s, n);
    }
}

static void puts_(struct readline *rl, const char *s)
{
    put(rl, s, strlen(s));
}

static void cursor_left(struct readline *rl, int n)
{
    char seq[16];
    if (n > 0) {
        snprintf(seq, sizeof(seq), "\033[%dD", n);
        puts_(rl, seq);
    }
}

/* The cursor is at column `from` of the edited text: repaint from there to
 * the end, clear what a longer old line left, put the cursor at pos. */
static void repaint_from(struct readline *rl, int from)
{
    put(rl, rl->buf + from, rl->len - from);
    puts_(rl, "\033[K");
    cursor_left(rl, rl->len - rl->pos);
}

/* Replace the whole edited text. */
static void set_text(struct readline *rl, const char *s)
{
    cursor_left(rl, rl->pos);
    rl->len = (int)MIN(strlen(s), (size_t)LINE_MAX_LEN);
    memcpy(rl->buf, s, rl->len);
    rl->buf[rl->len] = 0;
    rl->pos = rl->len;
    repaint_from(rl, 0);
}

static void insert_text(struct readline *rl, const char *s, int n)
{
    n = MIN(n, LINE_MAX_LEN - rl->len);
    if (n <= 0) {
        return;
    }
    memmove(rl->buf + rl->pos + n, rl->buf + rl->pos, rl->len - rl->pos);
    memcpy(rl->buf + rl->pos, s, n);
    rl->len += n;
    rl->buf[rl->len] = 0;
    int from = rl->pos;
    rl->pos += n;
    if (rl->pos == rl->len) {
        put(rl, s, n);      /* the common case: plain echo */
    } else {
        repaint_from(rl, from);
    }
}

/* Delete [from, to) of the text; the cursor goes to from. */
static void delete_range(struct readline *rl, int from, int to)
{
    if (from >= to) {
        return;
    }
    cursor_left(rl, rl->pos - from);
    memmove(rl->buf + from, rl->buf + to, rl->len - to);
    rl->len -= to - from;
    rl->buf[rl->len] = 0;
    rl->pos = from;
    repaint_from(rl, from);
}

static void move_to(struct readline *rl, int pos)
{
    char seq[16];
    if (pos < rl->pos) {
        cursor_left(rl, rl->pos - pos);
    } else if (pos > rl->pos) {
        snprintf(seq, sizeof(seq), "\033[%dC", pos - rl->pos);
        puts_(rl, seq);
    }
    rl->pos = pos;
}

/* ---------------------------------------------------------------------------
 * History
 */

static void hist_add(struct readline *rl, const char *line)
{
    if (!*line) {
        return;
    }
    /* A repeated command moves to the end instead of filling the list. */
    for (int i = 0; i < rl->hist_count; i++) {
        if (!strcmp(rl->hist[i], line)) {
            char *s = rl->hist[i];
            memmove(rl->hist + i, rl->hist + i + 1,
                    (rl->hist_count - i - 1) * sizeof(char *));
            rl->hist[rl->hist_count - 1] = s;
            return;
        }
    }
    if (rl->hist_count == HISTORY_MAX) {
        free(rl->hist[0]);
        memmove(rl->hist, rl->hist + 1, (HISTORY_MAX - 1) * sizeof(char *));
        rl->hist_count--;
    }
    rl->hist[rl->hist_count++] = xstrdup(line);
}

static void hist_move(struct readline *rl, int dir)
{
    int p = rl->hist_pos + dir;
    if (p < 0 || p > rl->hist_count) {
        return;
    }
    rl->hist_pos = p;
    set_text(rl, p == rl->hist_count ? "" : rl->hist[p]);
}

/* ---------------------------------------------------------------------------
 * Completion
 */

static void add_candidate(void *ctx, const char *word)
{
    struct readline *rl = ctx;
    if (rl->ncand < COMPLETIONS_MAX) {
        rl->cand[rl->ncand++] = xstrdup(word);
    }
}

static void complete(struct readline *rl)
{
    char saved;
    int start = rl->pos;

    if (!rl->complete) {
        return;
    }
    while (start > 0 && rl->buf[start - 1] != ' ') {
        start--;
    }
    saved = rl->buf[rl->pos];
    rl->buf[rl->pos] = 0;
    rl->complete(rl->opaque, rl->buf, add_candidate, rl);
    rl->buf[rl->pos] = saved;

    if (rl->ncand == 1) {
        const char *w = rl->cand[0] + (rl->pos - start);
        insert_text(rl, w, (int)strlen(w));
        insert_text(rl, " ", 1);
    } else if (rl->ncand > 1) {
        /* Extend to the longest common prefix, else list the choices. */
        size_t common = strlen(rl->cand[0]);
        for (int i = 1; i < rl->ncand; i++) {
            size_t j = 0;
            while (j < common && rl->cand[i][j] == rl->cand[0][j]) {
                j++;
            }
            common = j;
        }
        if ((int)common > rl->pos - start) {
            insert_text(rl, rl->cand[0] + (rl->pos - start),
                        (int)common - (rl->pos - start));
        } else {
            puts_(rl, "\r\n");
            for (int i = 0; i < rl->ncand; i++) {
                puts_(rl, rl->cand[i]);
                puts_(rl, "\r\n");
            }
            readline_show_prompt(rl);
        }
    }
    for (int i = 0; i < rl->ncand; i++) {
        free(rl->cand[i]);
    }
    rl->ncand = 0;
}

/* ---------------------------------------------------------------------------
 * Keys
 */

static void enter(struct readline *rl)
{
    char line[LINE_MAX_LEN + 1];

    memcpy(line, rl->buf, rl->len + 1);
    puts_(rl, "\r\n");
    hist_add(rl, line);
    rl->hist_pos = rl->hist_count;
    rl->len = rl->pos = 0;
    rl->buf[0] = 0;
    rl->line_fn(rl->opaque, line);
}

static void word_back(struct readline *rl)
{
    int p = rl->pos;
    while (p > 0 && rl->buf[p - 1] == ' ') {
        p--;
    }
    while (p > 0 && rl->buf[p - 1] != ' ') {
        p--;
    }
    delete_range(rl, p, rl->pos);
}

static void csi_final(struct readline *rl, uint8_t c)
{
    switch (c) {
    case 'A': hist_move(rl, -1); break;
    case 'B': hist_move(rl, 1); break;
    case 'C': if (rl->pos < rl->len) move_to(rl, rl->pos + 1); break;
    case 'D': if (rl->pos > 0) move_to(rl, rl->pos - 1); break;
    case 'H': move_to(rl, 0); break;
    case 'F': move_to(rl, rl->len); break;
    case '~':
        switch (rl->esc_param) {
        case 1: case 7: move_to(rl, 0); break;
        case 4: case 8: move_to(rl, rl->len); break;
        case 3: delete_range(rl, rl->pos, MIN(rl->pos + 1, rl->len)); break;
        }
        break;
    }
}

static bool feed_escape(struct readline *rl, uint8_t c)
{
    switch (rl->esc) {
    case ESC_NONE:
        return false;
    case ESC_ESC:
        rl->esc_param = 0;
        rl->esc = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE;
        return true;
    case ESC_CSI:
        if (c >= '0' && c <= '9') {
            rl->esc_param = MIN(rl->esc_param * 10 + (c - '0'), 1000);
            return true;
        }
        if (c == ';') {
            return true;
        }
        rl->esc = ESC_NONE;
        csi_final(rl, c);
        return true;
    case ESC_SS3:
        rl->esc = ESC_NONE;
        csi_final(rl, c);
        return true;
    }
    return false;
}

void readline_feed(struct readline *rl, uint8_t c)
{
    bool after_cr = rl->last_cr;

    rl->last_cr = c == '\r';
    if (feed_escape(rl, c)) {
        return;
    }
    switch (c) {
    case '\r':
        enter(rl);
        break;
    case '\n':
    case 0:
        if (!after_cr && c == '\n') {
            enter(rl);
        }
        break;
    case 1: move_to(rl, 0); break;                              /* ^A */
    case 2: if (rl->pos > 0) move_to(rl, rl->pos - 1); break;   /* ^B */
    case 4: delete_range(rl, rl->pos, MIN(rl->pos + 1, rl->len)); break;
    case 5: move_to(rl, rl->len); break;                        /* ^E */
    case 6: if (rl->pos < rl->len) move_to(rl, rl->pos + 1); break;
    case 8:
    case 127:
        delete_range(rl, MAX(rl->pos - 1, 0), rl->pos);
        break;
    case 9: complete(rl); break;
    case 11: delete_range(rl, rl->pos, rl->len); break;         /* ^K */
    case 12:                                                    /* ^L */
        puts_(rl, "\033[2J\033[1;1H");
        readline_show_prompt(rl);
        break;
    case 14: hist_move(rl, 1); break;                           /* ^N */
    case 16: hist_move(rl, -1); break;                          /* ^P */
    case 21: delete_range(rl, 0, rl->pos); break;               /* ^U */
    case 23: word_back(rl); break;                              /* ^W */
    case 27: rl->esc = ESC_ESC; break;
    default:
        if (c >= 32) {
            char ch = (char)c;
            insert_text(rl, &ch, 1);
        }
        break;
    }
}

/* ---------------------------------------------------------------------------
 * Life cycle
 */

void readline_show_prompt(struct readline *rl)
{
    puts_(rl, rl->prompt);
    put(rl, rl->buf, rl->len);
    cursor_left(rl, rl->len - rl->pos);
}

void readline_restart(struct readline *rl)
{
    rl->len = rl->pos = 0;
    rl->buf[0] = 0;
    rl->esc = ESC_NONE;
    rl->last_cr = false;
    rl->hist_pos = rl->hist_count;
}

struct readline *readline_new(const char *prompt, readline_out_fn *out,
                              readline_line_fn *line,
                              readline_complete_fn *complete, void *opaque)
{
    struct readline *rl = xzalloc(sizeof(*rl));
    rl->prompt = xstrdup(prompt);
    rl->out = out;
    rl->line_fn = line;
    rl->complete = complete;
    rl->opaque = opaque;
    return rl;
}

void readline_free(struct readline *rl)
{
    if (!rl) {
        return;
    }
    for (int i = 0; i < rl->hist_count; i++) {
        free(rl->hist[i]);
    }
    free(rl->prompt);
    free(rl);
}
