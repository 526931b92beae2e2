/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcg.h - what a machine needs of the software-CPU accelerator beyond
 * the accelerator interface. */
#ifndef HEMU_EMU_ACCEL_TCG_H
#define HEMU_EMU_ACCEL_TCG_H

#include "emu/accel/accel.h"

struct vcpu;

extern const struct accel_ops tcg_accel_ops;
/* -singlestep: the software CPU runs one instruction per block. */
extern bool tcg_singlestep;
/* The A20 gate as the board drives it. */
void tcg_vcpu_set_a20(struct vcpu *v, bool on);

#endif
