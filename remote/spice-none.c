/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spice-none.c - -spice and the SPICE monitor commands in a build without
 * spice-server: the option is refused, query-spice says "disabled".
 */
#include "emu/osdep.h"

#include <json-c/json.h>

#include "emu/util/err.h"
#include "remote/spice.h"

int opt_spice(const char *arg, struct err **errp)
{
    err_setf(errp, "-spice: not supported (hemu was built without "
             "spice-server)");
    return -1;
}

int spice_start(struct err **errp)
{
    return 0;
}

bool spice_configured(void)
{
    return false;
}

json_object *spice_query(void)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "enabled", json_object_new_boolean(false));
    json_object_object_add(o, "migrated", json_object_new_boolean(false));
    json_object_object_add(o, "mouse-mode", json_object_new_string("client"));
    return o;
}

int spice_set_password(const char *password, const char *connected,
                       struct err **errp)
{
    err_set_class(errp, ERR_DEVICE_NOT_ACTIVE, "SPICE is not in use");
    return -1;
}

int spice_expire_password(const char *when, struct err **errp)
{
    err_set_class(errp, ERR_DEVICE_NOT_ACTIVE, "SPICE is not in use");
    return -1;
}
