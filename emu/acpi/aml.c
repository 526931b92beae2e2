/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aml.c - ACPI Machine Language encoder: byte buffer, PkgLength, names,
 * integers, the handful of operators hemu's DSDT needs, and resource
 * descriptors (ACPI 6.4 sections 20.2 "AML Grammar Definition" and 6.4
 * "Resource Data Types for ACPI").
 */
#include "emu/osdep.h"

#include "emu/acpi/aml.h"   /* struct aml, the API */

/* Opcodes (ACPI 6.4 section 20.3, "AML Byte Stream Byte Values"). */
enum {
    AML_ZERO_OP = 0x00,
    AML_ONE_OP = 0x01,
    AML_NAME_OP = 0x08,
    AML_BYTE_PREFIX = 0x0a,
    AML_WORD_PREFIX = 0x0b,
    AML_DWORD_PREFIX = 0x0c,
    AML_STRING_PREFIX = 0x0d,
    AML_QWORD_PREFIX = 0x0e,
    AML_SCOPE_OP = 0x10,
    AML_BUFFER_OP = 0x11,
    AML_PACKAGE_OP = 0x12,
    AML_METHOD_OP = 0x14,
    AML_DUAL_NAME_PREFIX = 0x2e,
    AML_MULTI_NAME_PREFIX = 0x2f,
    AML_EXT_OP_PREFIX = 0x5b,
    AML_ROOT_CHAR = 0x5c,
    AML_PARENT_PREFIX = 0x5e,
    AML_LOCAL0_OP = 0x60,
    AML_ARG0_OP = 0x68,
    AML_STORE_OP = 0x70,
    AML_AND_OP = 0x7b,
    AML_OR_OP = 0x7d,
    AML_NOTIFY_OP = 0x86,
    AML_CREATE_DWORD_FIELD_OP = 0x8a,
    AML_LNOT_OP = 0x92,
    AML_LEQUAL_OP = 0x93,
    AML_LLESS_OP = 0x95,
    AML_IF_OP = 0xa0,
    AML_ELSE_OP = 0xa1,
    AML_RETURN_OP = 0xa4,
    AML_ONES_OP = 0xff,
    /* after AML_EXT_OP_PREFIX */
    AML_EXT_OPREGION = 0x80,
    AML_EXT_FIELD = 0x81,
    AML_EXT_DEVICE = 0x82,
};

/* ================================================================
 * Byte buffer
 * ================================================================ */

void aml_init(struct aml *a)
{
    a->data = NULL;
    a->len = 0;
    a->cap = 0;
}

void aml_free(struct aml *a)
{
    free(a->data);
    aml_init(a);
}

static void aml_grow(struct aml *a, size_t extra)
{
    if (a->len + extra <= a->cap) {
        return;
    }
    size_t cap = a->cap ? a->cap : 256;
    while (cap < a->len + extra) {
        cap *= 2;
    }
    uint8_t *p = realloc(a->data, cap);
    if (!p) {
        /* Tables are a few KiB; running out here is not recoverable. */
        fprintf(stderr, "hemu: out of memory building ACPI tables\n");
        abort();
    }
    a->data = p;
    a->cap = cap;
}

size_t aml_reserve(struct aml *a, size_t n)
{
    aml_grow(a, n);
    size_t off = a->len;
    memset(a->data + off, 0, n);
    a->len += n;
    return off;
}

void aml_byte(struct aml *a, uint8_t b)
{
    aml_grow(a, 1);
    a->data[a->len++] = b;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
    if (!n) {
        return;
    }
    aml_grow(a, n);
    memcpy(a->data + a->len, p, n);
    a->len += n;
}

void aml_put_le(struct aml *a, size_t off, uint64_t v, int size)
{
    for (int i = 0; i < size; i++) {
        a->data[off + i] = (uint8_t)(v >> (8 * i));
    }
}

static void aml_le(struct aml *a, uint64_t v, int size)
{
    size_t off = aml_reserve(a, size);
    aml_put_le(a, off, v, size);
}

void aml_le16(struct aml *a, uint16_t v)
{
    aml_le(a, v, 2);
}

void aml_le32(struct aml *a, uint32_t v)
{
    aml_le(a, v, 4);
}

void aml_le64(struct aml *a, uint64_t v)
{
    aml_le(a, v, 8);
}

void aml_align(struct aml *a, size_t align)
{
    if (align > 1 && a->len % align) {
        aml_reserve(a, align - a->len % align);
    }
}

/* ================================================================
 * PkgLength
 * ================================================================ */

/*
 * One byte holds values up to 63 in bits 0-5.  Longer values put the
 * count of following bytes in bits 6-7 of the lead byte, the low nibble
 * in bits 0-3, and the rest 8 bits per following byte (20.2.4).
 */
int aml_pkglen_encode(uint32_t total, uint8_t out[4])
{
    int n;

    if (total <= 0x3f) {
        out[0] = (uint8_t)total;
        return 1;
    }
    if (total <= 0xfff) {
        n = 2;
    } else if (total <= 0xfffff) {
        n = 3;
    } else if (total <= 0xfffffff) {
        n = 4;
    } else {
        return 0;
    }
    out[0] = (uint8_t)(((n - 1) << 6) | (total & 0xf));
    for (int i = 1; i < n; i++) {
        out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
    }
    return n;
}

uint32_t aml_pkglen_for_body(uint32_t body_len, int *nbytes)
{
    /* The value counts its own bytes, so the size class depends on it. */
    static const uint32_t limit[4] = { 0x3f, 0xfff, 0xfffff, 0xfffffff };
    for (int n = 1; n <= 4; n++) {
        if (body_len + n <= limit[n - 1]) {
            *nbytes = n;
            return body_len + n;
        }
    }
    *nbytes = 0;
    return 0;
}

void aml_close(struct aml *a, size_t h)
{
    uint8_t enc[4];
    int n;
    uint32_t total = aml_pkglen_for_body((uint32_t)(a->len - h), &n);

    if (!n || aml_pkglen_encode(total, enc) != n) {
        fprintf(stderr, "hemu: AML object too large\n");
        abort();
    }
    aml_grow(a, n);
    memmove(a->data + h + n, a->data + h, a->len - h);
    memcpy(a->data + h, enc, n);
    a->len += n;
}

/* ================================================================
 * Names
 * ================================================================ */

static bool aml_lead_char(char c)
{
    return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool aml_name_char(char c)
{
    return aml_lead_char(c) || (c >= '0' && c <= '9');
}

/* Parse one segment of up to 4 characters into seg (padded with '_');
 * returns its length in the path, or -1. */
static int aml_parse_seg(const char *p, char seg[4])
{
    int n = 0;
    while (p[n] && p[n] != '.') {
        if (n == 4 || !(n ? aml_name_char(p[n]) : aml_lead_char(p[n]))) {
            return -1;
        }
        seg[n] = p[n];
        n++;
    }
    if (!n) {
        return -1;
    }
    for (int i = n; i < 4; i++) {
        seg[i] = '_';
    }
    return n;
}

int aml_name(struct aml *a, const char *path)
{
    char segs[255][4];
    int nsegs = 0, prefix = 0;
    const char *p = path;

    if (*p == '\\') {
        prefix = -1;
        p++;
    } else {
        while (*p == '^') {
            prefix++;
            p++;
        }
    }
    while (*p) {
        if (nsegs == 255) {
            return -1;
        }
        int n = aml_parse_seg(p, segs[nsegs]);
        if (n < 0) {
            return -1;
        }
        nsegs++;
        p += n;
        if (*p == '.') {
            p++;
            if (!*p) {
                return -1;
            }
        }
    }
    if (prefix < 0) {
        aml_byte(a, AML_ROOT_CHAR);
    }
    for (int i = 0; i < prefix; i++) {
        aml_byte(a, AML_PARENT_PREFIX);
    }
    if (nsegs == 0) {
        aml_byte(a, 0x00);             /* NullName */
    } else if (nsegs == 2) {
        aml_byte(a, AML_DUAL_NAME_PREFIX);
    } else if (nsegs > 2) {
        aml_byte(a, AML_MULTI_NAME_PREFIX);
        aml_byte(a, (uint8_t)nsegs);
    }
    for (int i = 0; i < nsegs; i++) {
        aml_bytes(a, segs[i], 4);
    }
    return 0;
}

static int aml_hex(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/*
 * Three letters of 5 bits each (A = 1) then four hex digits; the bytes go
 * out in that order, so the little-endian DWord reads "backwards".
 */
uint32_t aml_eisaid_value(const char *id)
{
    uint8_t b[4];
    int c[3], h[4];

    if (strlen(id) != 7) {
        return 0;
    }
    for (int i = 0; i < 3; i++) {
        c[i] = (id[i] >= 'A' && id[i] <= 'Z') ? id[i] - 0x40 : 0;
    }
    for (int i = 0; i < 4; i++) {
        h[i] = aml_hex(id[3 + i]);
        if (h[i] < 0) {
            return 0;
        }
    }
    b[0] = (uint8_t)((c[0] << 2) | (c[1] >> 3));
    b[1] = (uint8_t)(((c[1] & 7) << 5) | c[2]);
    b[2] = (uint8_t)((h[0] << 4) | h[1]);
    b[3] = (uint8_t)((h[2] << 4) | h[3]);
    return b[0] | (b[1] << 8) | (b[2] << 16) | ((uint32_t)b[3] << 24);
}

/* ================================================================
 * Data objects
 * ================================================================ */

void aml_int(struct aml *a, uint64_t v)
{
    if (v == 0) {
        aml_byte(a, AML_ZERO_OP);
    } else if (v == 1) {
        aml_byte(a, AML_ONE_OP);
    } else if (v == UINT64_MAX) {
        aml_byte(a, AML_ONES_OP);
    } else if (v <= 0xff) {
        aml_byte(a, AML_BYTE_PREFIX);
        aml_byte(a, (uint8_t)v);
    } else if (v <= 0xffff) {
        aml_byte(a, AML_WORD_PREFIX);
        aml_le16(a, (uint16_t)v);
    } else if (v <= 0xffffffff) {
        aml_byte(a, AML_DWORD_PREFIX);
        aml_le32(a, (uint32_t)v);
    } else {
        aml_byte(a, AML_QWORD_PREFIX);
        aml_le64(a, v);
    }
}

void aml_string(struct aml *a, const char *s)
{
    aml_byte(a, AML_STRING_PREFIX);
    aml_bytes(a, s, strlen(s) + 1);
}

void aml_eisaid(struct aml *a, const char *id)
{
    /* Always a DWordConst: iasl and OSes recognise the id by its size. */
    aml_byte(a, AML_DWORD_PREFIX);
    aml_le32(a, aml_eisaid_value(id));
}

void aml_buffer(struct aml *a, const void *p, size_t n)
{
    aml_byte(a, AML_BUFFER_OP);
    size_t h = a->len;
    aml_int(a, n);
    aml_bytes(a, p, n);
    aml_close(a, h);
}

/* ================================================================
 * PkgLength objects
 * ================================================================ */

static size_t aml_open_named(struct aml *a, const uint8_t *op, int oplen,
                             const char *name)
{
    aml_bytes(a, op, oplen);
    size_t h = a->len;
    if (aml_name(a, name) < 0) {
        fprintf(stderr, "hemu: bad AML name \"%s\"\n", name);
        abort();
    }
    return h;
}

size_t aml_scope_open(struct aml *a, const char *name)
{
    static const uint8_t op[] = { AML_SCOPE_OP };
    return aml_open_named(a, op, 1, name);
}

size_t aml_device_open(struct aml *a, const char *name)
{
    static const uint8_t op[] = { AML_EXT_OP_PREFIX, AML_EXT_DEVICE };
    return aml_open_named(a, op, 2, name);
}

size_t aml_method_open(struct aml *a, const char *name, uint8_t flags)
{
    static const uint8_t op[] = { AML_METHOD_OP };
    size_t h = aml_open_named(a, op, 1, name);
    aml_byte(a, flags);
    return h;
}

size_t aml_if_open(struct aml *a)
{
    aml_byte(a, AML_IF_OP);
    return a->len;
}

size_t aml_else_open(struct aml *a)
{
    aml_byte(a, AML_ELSE_OP);
    return a->len;
}

size_t aml_package_open(struct aml *a, uint8_t nelems)
{
    aml_byte(a, AML_PACKAGE_OP);
    size_t h = a->len;
    aml_byte(a, nelems);
    return h;
}

size_t aml_field_open(struct aml *a, const char *region, uint8_t flags)
{
    static const uint8_t op[] = { AML_EXT_OP_PREFIX, AML_EXT_FIELD };
    size_t h = aml_open_named(a, op, 2, region);
    aml_byte(a, flags);
    return h;
}

void aml_field_entry(struct aml *a, const char *name, uint32_t bits)
{
    uint8_t enc[4];
    char seg[4];
    int n = aml_pkglen_encode(bits, enc);

    if (name && *name) {
        if (aml_parse_seg(name, seg) != (int)strlen(name)) {
            fprintf(stderr, "hemu: bad AML field name \"%s\"\n", name);
            abort();
        }
        aml_bytes(a, seg, 4);
    } else {
        aml_byte(a, 0x00);             /* ReservedField */
    }
    /* The bit count uses the PkgLength encoding but does not count
     * itself. */
    aml_bytes(a, enc, n);
}

/* ================================================================
 * Named objects and statements
 * ================================================================ */

void aml_name_decl(struct aml *a, const char *name)
{
    static const uint8_t op[] = { AML_NAME_OP };
    aml_open_named(a, op, 1, name);
}

void aml_opregion(struct aml *a, const char *name, uint8_t space,
                  uint64_t offset, uint64_t len)
{
    static const uint8_t op[] = { AML_EXT_OP_PREFIX, AML_EXT_OPREGION };
    aml_open_named(a, op, 2, name);
    aml_byte(a, space);
    aml_int(a, offset);
    aml_int(a, len);
}

void aml_create_dword_field(struct aml *a)
{
    aml_byte(a, AML_CREATE_DWORD_FIELD_OP);
}

void aml_return(struct aml *a)
{
    aml_byte(a, AML_RETURN_OP);
}

void aml_store(struct aml *a)
{
    aml_byte(a, AML_STORE_OP);
}

void aml_notify(struct aml *a)
{
    aml_byte(a, AML_NOTIFY_OP);
}

void aml_and(struct aml *a)
{
    aml_byte(a, AML_AND_OP);
}

void aml_or(struct aml *a)
{
    aml_byte(a, AML_OR_OP);
}

void aml_lequal(struct aml *a)
{
    aml_byte(a, AML_LEQUAL_OP);
}

void aml_lless(struct aml *a)
{
    aml_byte(a, AML_LLESS_OP);
}

void aml_lnot(struct aml *a)
{
    aml_byte(a, AML_LNOT_OP);
}

void aml_arg(struct aml *a, int n)
{
    aml_byte(a, (uint8_t)(AML_ARG0_OP + (n & 7)));
}

void aml_local(struct aml *a, int n)
{
    aml_byte(a, (uint8_t)(AML_LOCAL0_OP + (n & 7)));
}

void aml_null_target(struct aml *a)
{
    aml_byte(a, 0x00);
}

/* ================================================================
 * Resource descriptors (6.4.2 small, 6.4.3 large)
 * ================================================================ */

void aml_res_io(struct aml *r, uint16_t min, uint16_t max, uint8_t align,
                uint8_t len)
{
    aml_byte(r, 0x47);                 /* I/O Port, length 7 */
    aml_byte(r, 0x01);                 /* decodes 16 address bits */
    aml_le16(r, min);
    aml_le16(r, max);
    aml_byte(r, align);
    aml_byte(r, len);
}

void aml_res_irq_noflags(struct aml *r, uint16_t mask)
{
    aml_byte(r, 0x22);                 /* IRQ, length 2: edge, high */
    aml_le16(r, mask);
}

void aml_res_irq(struct aml *r, uint16_t mask, bool level, bool active_low,
                 bool shared)
{
    aml_byte(r, 0x23);                 /* IRQ, length 3 */
    aml_le16(r, mask);
    aml_byte(r, (uint8_t)((level ? 0 : 0x01) | (active_low ? 0x08 : 0) |
                          (shared ? 0x10 : 0)));
}

void aml_res_interrupt(struct aml *r, const uint32_t *irqs, int n,
                       bool level, bool active_low, bool shared)
{
    aml_byte(r, 0x89);                 /* Extended Interrupt */
    aml_le16(r, (uint16_t)(2 + 4 * n));
    /* bit 0: consumer; bit 1: edge; bit 2: active low; bit 3: shared */
    aml_byte(r, (uint8_t)(0x01 | (level ? 0 : 0x02) |
                          (active_low ? 0x04 : 0) | (shared ? 0x08 : 0)));
    aml_byte(r, (uint8_t)n);
    for (int i = 0; i < n; i++) {
        aml_le32(r, irqs[i]);
    }
}

void aml_res_mem32_fixed(struct aml *r, uint32_t base, uint32_t len,
                         bool writable)
{
    aml_byte(r, 0x86);                 /* 32-bit Fixed Memory Range */
    aml_le16(r, 9);
    aml_byte(r, writable ? 1 : 0);
    aml_le32(r, base);
    aml_le32(r, len);
}

/* Address space descriptors (6.4.3.5): producer, positive decode, min and
 * max fixed (general flags 0x0c), granularity 0, no translation. */
static void aml_res_addr(struct aml *r, uint8_t tag, int size, uint8_t type,
                         uint8_t tflags, uint64_t min, uint64_t max)
{
    aml_byte(r, tag);
    aml_le16(r, (uint16_t)(3 + 5 * size));
    aml_byte(r, type);
    aml_byte(r, 0x0c);
    aml_byte(r, tflags);
    aml_le(r, 0, size);                /* granularity */
    aml_le(r, min, size);
    aml_le(r, max, size);
    aml_le(r, 0, size);                /* translation offset */
    aml_le(r, max - min + 1, size);
}

void aml_res_word_bus(struct aml *r, uint16_t min, uint16_t max)
{
    aml_res_addr(r, 0x88, 2, 2, 0x00, min, max);
}

void aml_res_word_io(struct aml *r, uint16_t min, uint16_t max)
{
    /* type-specific flags: _RNG = 3, both ISA and non-ISA ranges */
    aml_res_addr(r, 0x88, 2, 1, 0x03, min, max);
}

/* Memory type-specific flags: bit 0 read-write, bits 1-2 _MEM
 * (0 non-cacheable, 1 cacheable). */
void aml_res_dword_mem(struct aml *r, uint32_t min, uint32_t max,
                       bool cacheable)
{
    aml_res_addr(r, 0x87, 4, 0, cacheable ? 0x03 : 0x01, min, max);
}

void aml_res_qword_mem(struct aml *r, uint64_t min, uint64_t max,
                       bool cacheable)
{
    aml_res_addr(r, 0x8a, 8, 0, cacheable ? 0x03 : 0x01, min, max);
}

void aml_res_end(struct aml *r)
{
    aml_byte(r, 0x79);
    aml_byte(r, 0x00);
}

void aml_res_template(struct aml *a, const struct aml *r)
{
    struct aml t;
    aml_init(&t);
    aml_bytes(&t, r->data, r->len);
    aml_res_end(&t);
    aml_buffer(a, t.data, t.len);
    aml_free(&t);
}
