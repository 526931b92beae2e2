/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnc-none.c - the VNC entry points of a build without libvncserver:
 * -vnc is refused, queries answer "not enabled".
 */
#include "emu/osdep.h"

#include <json-c/json.h>

#include "emu/util/err.h"
#include "remote/keymap.h"
#include "remote/vnc.h"

int opt_vnc(const char *arg, struct err **errp)
{
    err_setf(errp, "not supported (hemu was built without libvncserver)");
    return -1;
}

int opt_k(const char *arg, struct err **errp)
{
    return keymap_select(arg, errp);
}

int vnc_start(struct err **errp)
{
    return 0;
}

bool vnc_configured(void)
{
    return false;
}

void vnc_stop(void)
{
}

struct json_object *vnc_query(void)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "enabled", json_object_new_boolean(false));
    return o;
}

struct json_object *vnc_query_servers(void)
{
    return json_object_new_array();
}

int vnc_set_password(const char *password)
{
    return -1;
}

int vnc_expire_password(const char *when)
{
    return -1;
}

int vnc_fuzz_client(const uint8_t *data, size_t len)
{
    return -1;
}
