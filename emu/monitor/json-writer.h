/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json-writer.h - serialise json-c values the way QEMU's QMP server prints
 * them (qemu-6.2 qobject/json-writer.c behaviour, described in the QMP
 * specification): ASCII only, "key": value and ", " separators, or the
 * 4-space indented form of -qmp-pretty.
 */
#ifndef HEMU_EMU_MONITOR_JSON_WRITER_H
#define HEMU_EMU_MONITOR_JSON_WRITER_H

#include "emu/osdep.h"

struct json_object;
struct sbuf;

/* Append obj (NULL is JSON null) to b. */
void json_write(struct sbuf *b, struct json_object *obj, bool pretty);

#endif
