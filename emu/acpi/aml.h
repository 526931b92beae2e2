/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aml.h - an encoder for ACPI Machine Language and resource descriptors
 * (ACPI 6.4 chapter 20 "ACPI Machine Language Specification" and section
 * 6.4 "Resource Data Types for ACPI").
 *
 * AML is prefix notation, so most helpers just append an opcode and the
 * caller appends the operands in order:
 *
 *     aml_store(a); aml_int(a, 5); aml_name(a, "PRQ0");
 *
 * Objects with a PkgLength (Scope, Device, Method, If, Else, Package,
 * Buffer, Field) are opened with an *_open() call that returns a handle and
 * closed with aml_close(), which inserts the PkgLength once the body size
 * is known.
 */
#ifndef HEMU_EMU_ACPI_AML_H
#define HEMU_EMU_ACPI_AML_H

#include "emu/osdep.h"

/* A growable byte buffer; aml_init() it (or zero it), aml_free() it. */
struct aml {
    uint8_t *data;
    size_t len;
    size_t cap;
};

void aml_init(struct aml *a);
void aml_free(struct aml *a);
/* Reserve n zero bytes at the end; returns their offset. */
size_t aml_reserve(struct aml *a, size_t n);
void aml_byte(struct aml *a, uint8_t b);
void aml_bytes(struct aml *a, const void *p, size_t n);
void aml_le16(struct aml *a, uint16_t v);
void aml_le32(struct aml *a, uint32_t v);
void aml_le64(struct aml *a, uint64_t v);
/* Pad with zero bytes up to a multiple of align. */
void aml_align(struct aml *a, size_t align);
/* Little-endian store into an existing position. */
void aml_put_le(struct aml *a, size_t off, uint64_t v, int size);

/* ---- package length (20.2.4) ---- */

/* Encode a PkgLength whose value (which counts the encoding itself) is
 * total; returns the number of bytes (1-4), 0 if total is too large. */
int aml_pkglen_encode(uint32_t total, uint8_t out[4]);
/* The PkgLength value for a body of body_len bytes following it. */
uint32_t aml_pkglen_for_body(uint32_t body_len, int *nbytes);

/* ---- names (20.2.2) ---- */

/* A NameString: "\\_SB.PCI0", "^FOO", "LNKA", "" (NullName).  Segments
 * shorter than 4 characters are padded with '_'.  Returns -1 (and appends
 * nothing) on a malformed path. */
int aml_name(struct aml *a, const char *path);
/* 32-bit compressed EISA id ("PNP0A03" -> 0x030ad041). */
uint32_t aml_eisaid_value(const char *id);

/* ---- data objects (20.2.3) ---- */

/* The shortest encoding: Zero, One, Ones, Byte/Word/DWord/QWordConst. */
void aml_int(struct aml *a, uint64_t v);
void aml_string(struct aml *a, const char *s);
/* DWordConst holding the EISA id. */
void aml_eisaid(struct aml *a, const char *id);
/* Buffer of n literal bytes. */
void aml_buffer(struct aml *a, const void *p, size_t n);

/* ---- PkgLength objects ---- */

/* Append the leading opcode(s); returns the handle for aml_close(). */
size_t aml_scope_open(struct aml *a, const char *name);
size_t aml_device_open(struct aml *a, const char *name);
/* flags: number of arguments (0-7) | AML_SERIALIZED. */
size_t aml_method_open(struct aml *a, const char *name, uint8_t flags);
#define AML_SERIALIZED 0x08
size_t aml_if_open(struct aml *a);     /* then the predicate, the body */
size_t aml_else_open(struct aml *a);
size_t aml_package_open(struct aml *a, uint8_t nelems);
/* Field (region, flags) { ... }: add entries with aml_field_entry(). */
size_t aml_field_open(struct aml *a, const char *region, uint8_t flags);
#define AML_FIELD_ANY_ACC 0x00
#define AML_FIELD_BYTE_ACC 0x01
#define AML_FIELD_WORD_ACC 0x02
#define AML_FIELD_DWORD_ACC 0x03
#define AML_FIELD_LOCK 0x10
#define AML_FIELD_PRESERVE 0x00
/* A named field of bits bits; name NULL or "" is a reserved gap. */
void aml_field_entry(struct aml *a, const char *name, uint32_t bits);
/* Fix up the PkgLength of the object opened at handle h. */
void aml_close(struct aml *a, size_t h);

/* ---- named objects and statements (20.2.5) ---- */

/* Name (name, ...): append the value next. */
void aml_name_decl(struct aml *a, const char *name);
/* OperationRegion (name, space, offset, length). */
void aml_opregion(struct aml *a, const char *name, uint8_t space,
                  uint64_t offset, uint64_t len);
#define AML_SYSTEM_MEMORY 0x00
#define AML_SYSTEM_IO 0x01
#define AML_PCI_CONFIG 0x02
/* CreateDWordField (source, index, name): append source, index, then
 * aml_name() the new field. */
void aml_create_dword_field(struct aml *a);
void aml_return(struct aml *a);      /* then the value */
void aml_store(struct aml *a);       /* then source, destination */
void aml_notify(struct aml *a);      /* then object, value */
void aml_and(struct aml *a);         /* then a, b, target */
void aml_or(struct aml *a);          /* then a, b, target */
void aml_lequal(struct aml *a);      /* then a, b */
void aml_lless(struct aml *a);       /* then a, b */
void aml_lnot(struct aml *a);        /* then a */
void aml_arg(struct aml *a, int n);  /* Arg0-Arg6 */
void aml_local(struct aml *a, int n); /* Local0-Local7 */
/* The empty Target operand. */
void aml_null_target(struct aml *a);

/* ---- resource descriptors (6.4) into a raw byte buffer ---- */

/* IO (Decode16, min, max, align, len) */
void aml_res_io(struct aml *r, uint16_t min, uint16_t max, uint8_t align,
                uint8_t len);
/* IRQNoFlags () {irq...}: mask of IRQs 0-15. */
void aml_res_irq_noflags(struct aml *r, uint16_t mask);
/* IRQ (Edge|Level, ActiveHigh|ActiveLow, Exclusive|Shared) {mask} */
void aml_res_irq(struct aml *r, uint16_t mask, bool level, bool active_low,
                 bool shared);
/* Interrupt (ResourceConsumer, ...) {irqs}. */
void aml_res_interrupt(struct aml *r, const uint32_t *irqs, int n,
                       bool level, bool active_low, bool shared);
/* Memory32Fixed (ReadWrite|ReadOnly, base, len) */
void aml_res_mem32_fixed(struct aml *r, uint32_t base, uint32_t len,
                         bool writable);
/* WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, ...) */
void aml_res_word_bus(struct aml *r, uint16_t min, uint16_t max);
/* WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange) */
void aml_res_word_io(struct aml *r, uint16_t min, uint16_t max);
/* DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, cache,
 * ReadWrite, ...) */
void aml_res_dword_mem(struct aml *r, uint32_t min, uint32_t max,
                       bool cacheable);
/* QWordMemory, same flags. */
void aml_res_qword_mem(struct aml *r, uint64_t min, uint64_t max,
                       bool cacheable);
/* EndTag with a zero checksum ("treated as valid"). */
void aml_res_end(struct aml *r);
/* ResourceTemplate () { r }: a Buffer of r's bytes plus the EndTag. */
void aml_res_template(struct aml *a, const struct aml *r);

#endif
