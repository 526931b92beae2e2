/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keydelay.h - -vnc key-delay-ms=: key events from VNC clients reach the
 * guest's keyboard at least that many milliseconds apart (QEMU 6.2
 * manual, -vnc key-delay-ms, default 10).
 */
#ifndef HEMU_REMOTE_KEYDELAY_H
#define HEMU_REMOTE_KEYDELAY_H

#include "emu/osdep.h"

/* 0: every event goes straight to the keyboard. */
void keydelay_set(unsigned ms);
/* A key (console_key_event's numbering), now or after the queue. */
void keydelay_key(unsigned keycode, bool down);
/* Events still waiting (for tests). */
unsigned keydelay_pending(void);

#endif
