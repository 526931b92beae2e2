/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * event.h - QMP events: {"event": NAME, "data": {...}, "timestamp":
 * {"seconds": S, "microseconds": U}} sent to every QMP monitor that has
 * finished capability negotiation.
 */
#ifndef HEMU_EMU_MONITOR_EVENT_H
#define HEMU_EMU_MONITOR_EVENT_H

struct json_object;

/* Emit NAME; takes ownership of data (NULL: no "data" member). */
void event_emit(const char *name, struct json_object *data);

#endif
