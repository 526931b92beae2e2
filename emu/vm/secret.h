/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * secret.h - "-object secret" (qemu-6.2 manual "Generic object creation"):
 * passwords and keys given inline (data=), from a file (file=), raw or
 * base64, optionally AES-256-CBC encrypted with another secret (keyid=,
 * iv=) as libvirt passes them.
 */
#ifndef HEMU_EMU_VM_SECRET_H
#define HEMU_EMU_VM_SECRET_H

#include "emu/osdep.h"

struct err;
struct kvlist;

/* Create from the -object options (qom-type=secret already checked). */
int secret_add(struct kvlist *kv, struct err **errp);
/* The secret's bytes (malloc'd copy); -1 with "No secret with id 'x'". */
int secret_lookup(const char *id, uint8_t **data, size_t *len,
                  struct err **errp);
/* The secret as a C string; fails if it holds a NUL byte. */
char *secret_lookup_string(const char *id, struct err **errp);
/* Strict base64 (RFC 4648) decoding; -1 on bad input. */
int base64_decode(const char *in, size_t inlen, uint8_t **out,
                  size_t *outlen);

#endif
