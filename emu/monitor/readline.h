/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * readline.h - line editing for the human monitor on a terminal-like
 * chardev: echo, cursor movement, history and tab completion, driven one
 * byte at a time (the model is QEMU's util/readline.c as users see it).
 */
#ifndef HEMU_EMU_MONITOR_READLINE_H
#define HEMU_EMU_MONITOR_READLINE_H

#include "emu/osdep.h"

struct readline;

typedef void readline_out_fn(void *opaque, const char *buf, size_t len);
/* A line was entered (without its end-of-line). */
typedef void readline_line_fn(void *opaque, const char *line);
/* Offer completions of line: call add(ctx, word) for each candidate word
 * that may replace the last word of line. */
typedef void readline_complete_fn(void *opaque, const char *line,
                                  void (*add)(void *ctx, const char *word),
                                  void *ctx);

struct readline *readline_new(const char *prompt, readline_out_fn *out,
                              readline_line_fn *line,
                              readline_complete_fn *complete, void *opaque);
void readline_free(struct readline *rl);
void readline_feed(struct readline *rl, uint8_t c);
/* Print the prompt and the line being edited. */
void readline_show_prompt(struct readline *rl);
/* Forget the line being edited (a new session on the chardev). */
void readline_restart(struct readline *rl);

#endif
