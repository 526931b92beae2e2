/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.c - defaults of the VM configuration, UUIDs, firmware search. */
#include "emu/osdep.h"
#include <ctype.h>

#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/vm/config.h"

struct vm_config cfg;

/* Where Debian's seabios, ipxe-qemu and qemu packages put firmware. */
static const char *const default_data_dirs[] = {
    "/usr/share/seabios",
    "/usr/lib/ipxe/qemu",
    "/usr/share/qemu",
};

void config_init(void)
{
    memset(&cfg, 0, sizeof(cfg));
    cfg.ram_size = 128ULL << 20;
    cfg.hpet = true;
    cfg.boot_splash_time = cfg.boot_reboot_timeout = -1;
    cfg.default_serial = cfg.default_parallel = cfg.default_monitor = true;
}

struct deferred_opt *config_defer(struct deferred_opt **list, const char *opt,
                                  const char *arg, struct kvlist *kv)
{
    struct deferred_opt *d = xzalloc(sizeof(*d));
    d->opt = opt;
    d->arg = xstrdup(arg);
    d->kv = kv;
    while (*list) {
        list = &(*list)->next;
    }
    *list = d;
    return d;
}

void config_uuid_format(const uint8_t u[16], char out[37])
{
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
             u[10], u[11], u[12], u[13], u[14], u[15]);
}

int config_uuid_parse(const char *s, uint8_t uuid[16])
{
    static const int dash_at[] = { 8, 13, 18, 23 };
    if (strlen(s) != 36) {
        return -1;
    }
    int byte = 0;
    for (int i = 0; i < 36;) {
        bool dash = false;
        for (size_t k = 0; k < ARRAY_SIZE(dash_at); k++) {
            dash |= i == dash_at[k];
        }
        if (dash) {
            if (s[i] != '-') {
                return -1;
            }
            i++;
            continue;
        }
        if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1])) {
            return -1;
        }
        char hex[3] = { s[i], s[i + 1], 0 };
        uuid[byte++] = (uint8_t)strtoul(hex, NULL, 16);
        i += 2;
    }
    return 0;
}

char *config_find_datafile(const char *name)
{
    if (strchr(name, '/') && access(name, R_OK) == 0) {
        return xstrdup(name);
    }
    for (int i = 0; i < cfg.n_data_dirs; i++) {
        char *p = xasprintf("%s/%s", cfg.data_dirs[i], name);
        if (access(p, R_OK) == 0) {
            return p;
        }
        free(p);
    }
    for (size_t i = 0; i < ARRAY_SIZE(default_data_dirs); i++) {
        char *p = xasprintf("%s/%s", default_data_dirs[i], name);
        if (access(p, R_OK) == 0) {
            return p;
        }
        free(p);
    }
    return NULL;
}

void config_print_data_dirs(FILE *f)
{
    for (int i = 0; i < cfg.n_data_dirs; i++) {
        fprintf(f, "%s\n", cfg.data_dirs[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(default_data_dirs); i++) {
        fprintf(f, "%s\n", default_data_dirs[i]);
    }
}
