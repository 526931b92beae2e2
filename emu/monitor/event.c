/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * event.c - QMP events (QMP specification "Asynchronous events"): the
 * event name, its data and the wall-clock timestamp, broadcast to every
 * QMP session that finished capabilities negotiation.
 */
#include "emu/osdep.h"
#include <json-c/json.h>

#include "emu/monitor/event.h"
#include "emu/monitor/qmp.h"    /* qmp_broadcast */
#include "emu/util/cutils.h"    /* clock_wall_ns */

void event_emit(const char *name, json_object *data)
{
    int64_t now = clock_wall_ns();
    json_object *ev = json_object_new_object();
    json_object *ts = json_object_new_object();

    json_object_object_add(ts, "seconds",
                           json_object_new_int64(now / 1000000000));
    json_object_object_add(ts, "microseconds",
                           json_object_new_int64(now / 1000 % 1000000));
    json_object_object_add(ev, "timestamp", ts);
    json_object_object_add(ev, "event", json_object_new_string(name));
    if (data) {
        json_object_object_add(ev, "data", data);
    }
    qmp_broadcast(ev);
    json_object_put(ev);
}
