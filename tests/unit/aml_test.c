/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aml_test.c - byte-exact checks of the AML encoder (emu/acpi/aml.c)
 * against the encodings of ACPI 6.4 sections 20.2 (AML grammar) and 6.4
 * (resource descriptors): PkgLength size boundaries, integer prefixes,
 * NameString forms, EISA ids, the statements the DSDT uses.
 */
#include "emu/osdep.h"

#include "emu/acpi/aml.h"
#include "tests/unit/test.h"

/* Compare the whole buffer with want and reset it. */
static int aml_check(struct aml *a, const uint8_t *want, size_t n,
                     int line)
{
    int ok = a->len == n && !memcmp(a->data, want, n);
    if (!ok) {
        printf("#   line %d: got", line);
        for (size_t i = 0; i < a->len; i++) {
            printf(" %02x", a->data[i]);
        }
        printf("\n#   want");
        for (size_t i = 0; i < n; i++) {
            printf(" %02x", want[i]);
        }
        printf("\n");
    }
    aml_free(a);
    return ok;
}

#define CHECK(a, ...)                                                 \
    do {                                                              \
        static const uint8_t want_[] = { __VA_ARGS__ };               \
        EXPECT(aml_check((a), want_, sizeof(want_), __LINE__));       \
    } while (0)

static void pkglen_is(uint32_t total, int n, const uint8_t *want)
{
    uint8_t out[4] = { 0 };
    EXPECT_EQ(aml_pkglen_encode(total, out), n);
    EXPECT(!memcmp(out, want, n));
}

TEST(pkglen_encode_boundaries)
{
    pkglen_is(0, 1, (const uint8_t[]){ 0x00 });
    pkglen_is(63, 1, (const uint8_t[]){ 0x3f });
    pkglen_is(64, 2, (const uint8_t[]){ 0x40, 0x04 });
    pkglen_is(65, 2, (const uint8_t[]){ 0x41, 0x04 });
    pkglen_is(4095, 2, (const uint8_t[]){ 0x4f, 0xff });
    pkglen_is(4096, 3, (const uint8_t[]){ 0x80, 0x00, 0x01 });
    pkglen_is(0xfffff, 3, (const uint8_t[]){ 0x8f, 0xff, 0xff });
    pkglen_is(0x100000, 4, (const uint8_t[]){ 0xc0, 0x00, 0x00, 0x01 });
    pkglen_is(0xfffffff, 4, (const uint8_t[]){ 0xcf, 0xff, 0xff, 0xff });
    uint8_t out[4];
    EXPECT_EQ(aml_pkglen_encode(0x10000000, out), 0);
}

TEST(pkglen_counts_itself)
{
    int n;
    EXPECT_EQ(aml_pkglen_for_body(0, &n), 1);
    EXPECT_EQ(n, 1);
    EXPECT_EQ(aml_pkglen_for_body(62, &n), 63);
    EXPECT_EQ(n, 1);
    /* 63 + 1 would be 64, which no longer fits one byte */
    EXPECT_EQ(aml_pkglen_for_body(63, &n), 65);
    EXPECT_EQ(n, 2);
    EXPECT_EQ(aml_pkglen_for_body(4093, &n), 4095);
    EXPECT_EQ(n, 2);
    EXPECT_EQ(aml_pkglen_for_body(4094, &n), 4097);
    EXPECT_EQ(n, 3);
}

/* Scope (ABCD) { filler }: the PkgLength in front grows at the bounds. */
static void scope_with_body(struct aml *a, size_t filler)
{
    size_t h = aml_scope_open(a, "ABCD");
    for (size_t i = 0; i < filler; i++) {
        aml_byte(a, 0xa3);             /* Noop */
    }
    aml_close(a, h);
}

TEST(scope_pkglen_at_boundaries)
{
    struct aml a = { 0 };

    scope_with_body(&a, 58);           /* body 62 = name 4 + 58 */
    EXPECT_EQ(a.len, 1 + 1 + 62);
    EXPECT_EQ(a.data[1], 0x3f);
    EXPECT(!memcmp(a.data + 2, "ABCD", 4));
    aml_free(&a);

    scope_with_body(&a, 59);           /* body 63: two bytes, 65 */
    EXPECT_EQ(a.len, 1 + 2 + 63);
    EXPECT_EQ(a.data[1], 0x41);
    EXPECT_EQ(a.data[2], 0x04);
    EXPECT(!memcmp(a.data + 3, "ABCD", 4));
    aml_free(&a);

    scope_with_body(&a, 4089);         /* body 4093: 4095 */
    EXPECT_EQ(a.len, 1 + 2 + 4093);
    EXPECT_EQ(a.data[1], 0x4f);
    EXPECT_EQ(a.data[2], 0xff);
    aml_free(&a);

    scope_with_body(&a, 4090);         /* body 4094: 3 bytes, 4097 */
    EXPECT_EQ(a.len, 1 + 3 + 4094);
    EXPECT_EQ(a.data[1], 0x81);
    EXPECT_EQ(a.data[2], 0x00);
    EXPECT_EQ(a.data[3], 0x01);
    EXPECT(!memcmp(a.data + 4, "ABCD", 4));
    aml_free(&a);
}

TEST(integers_shortest)
{
    struct aml a = { 0 };
    aml_int(&a, 0);
    CHECK(&a, 0x00);
    aml_int(&a, 1);
    CHECK(&a, 0x01);
    aml_int(&a, 2);
    CHECK(&a, 0x0a, 0x02);
    aml_int(&a, 0xff);
    CHECK(&a, 0x0a, 0xff);
    aml_int(&a, 0x100);
    CHECK(&a, 0x0b, 0x00, 0x01);
    aml_int(&a, 0xffff);
    CHECK(&a, 0x0b, 0xff, 0xff);
    aml_int(&a, 0x10000);
    CHECK(&a, 0x0c, 0x00, 0x00, 0x01, 0x00);
    aml_int(&a, 0xffffffff);
    CHECK(&a, 0x0c, 0xff, 0xff, 0xff, 0xff);
    aml_int(&a, 0x100000000ull);
    CHECK(&a, 0x0e, 0, 0, 0, 0, 1, 0, 0, 0);
    aml_int(&a, 0xfffffffffffffffeull);
    CHECK(&a, 0x0e, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    aml_int(&a, UINT64_MAX);
    CHECK(&a, 0xff);
}

TEST(name_paths)
{
    struct aml a = { 0 };
    EXPECT_EQ(aml_name(&a, "PCI0"), 0);
    CHECK(&a, 'P', 'C', 'I', '0');
    EXPECT_EQ(aml_name(&a, "_SB"), 0);
    CHECK(&a, '_', 'S', 'B', '_');
    EXPECT_EQ(aml_name(&a, "\\_SB"), 0);
    CHECK(&a, 0x5c, '_', 'S', 'B', '_');
    EXPECT_EQ(aml_name(&a, "\\_SB.PCI0"), 0);
    CHECK(&a, 0x5c, 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0');
    EXPECT_EQ(aml_name(&a, "PCI0.ISA.P40C"), 0);
    CHECK(&a, 0x2f, 0x03, 'P', 'C', 'I', '0', 'I', 'S', 'A', '_',
          'P', '4', '0', 'C');
    EXPECT_EQ(aml_name(&a, "^^FOO"), 0);
    CHECK(&a, 0x5e, 0x5e, 'F', 'O', 'O', '_');
    EXPECT_EQ(aml_name(&a, "\\"), 0);
    CHECK(&a, 0x5c, 0x00);
    EXPECT_EQ(aml_name(&a, ""), 0);
    CHECK(&a, 0x00);
}

TEST(name_rejects_bad_paths)
{
    struct aml a = { 0 };
    EXPECT_EQ(aml_name(&a, "1ABC"), -1);
    EXPECT_EQ(aml_name(&a, "ABCDE"), -1);
    EXPECT_EQ(aml_name(&a, "abcd"), -1);
    EXPECT_EQ(aml_name(&a, "AB..CD"), -1);
    EXPECT_EQ(aml_name(&a, "AB."), -1);
    EXPECT_EQ(aml_name(&a, "\\^AB"), -1);
    EXPECT_EQ(a.len, 0);
    aml_free(&a);
}

TEST(eisaid)
{
    struct aml a = { 0 };
    EXPECT_EQ(aml_eisaid_value("PNP0A03"), 0x030ad041);
    EXPECT_EQ(aml_eisaid_value("PNP0C0F"), 0x0f0cd041);
    EXPECT_EQ(aml_eisaid_value("PNP0501"), 0x0105d041);
    EXPECT_EQ(aml_eisaid_value("PNP0103"), 0x0301d041);
    EXPECT_EQ(aml_eisaid_value("PNP0A0"), 0);
    EXPECT_EQ(aml_eisaid_value("PNP0A0G"), 0);
    aml_eisaid(&a, "PNP0303");
    CHECK(&a, 0x0c, 0x41, 0xd0, 0x03, 0x03);
}

TEST(strings_buffers_packages)
{
    struct aml a = { 0 };
    aml_string(&a, "ab");
    CHECK(&a, 0x0d, 'a', 'b', 0x00);
    aml_buffer(&a, (const uint8_t[]){ 1, 2, 3 }, 3);
    CHECK(&a, 0x11, 0x06, 0x0a, 0x03, 1, 2, 3);
    size_t h = aml_package_open(&a, 2);
    aml_int(&a, 1);
    aml_string(&a, "x");
    aml_close(&a, h);
    CHECK(&a, 0x12, 0x06, 0x02, 0x01, 0x0d, 'x', 0x00);
}

TEST(named_objects)
{
    struct aml a = { 0 };
    size_t h;

    aml_name_decl(&a, "_UID");
    aml_int(&a, 0);
    CHECK(&a, 0x08, '_', 'U', 'I', 'D', 0x00);

    h = aml_device_open(&a, "LNKA");
    aml_close(&a, h);
    CHECK(&a, 0x5b, 0x82, 0x05, 'L', 'N', 'K', 'A');

    h = aml_method_open(&a, "_STA", 0);
    aml_return(&a);
    aml_int(&a, 0x0f);
    aml_close(&a, h);
    CHECK(&a, 0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0f);

    h = aml_method_open(&a, "_SRS", 1 | AML_SERIALIZED);
    aml_close(&a, h);
    CHECK(&a, 0x14, 0x06, '_', 'S', 'R', 'S', 0x09);

    aml_opregion(&a, "P40C", AML_PCI_CONFIG, 0x60, 4);
    CHECK(&a, 0x5b, 0x80, 'P', '4', '0', 'C', 0x02, 0x0a, 0x60, 0x0a, 0x04);

    h = aml_field_open(&a, "P40C", AML_FIELD_BYTE_ACC);
    aml_field_entry(&a, "PRQ0", 8);
    aml_field_entry(&a, NULL, 64);
    aml_close(&a, h);
    CHECK(&a, 0x5b, 0x81, 0x0e, 'P', '4', '0', 'C', 0x01,
          'P', 'R', 'Q', '0', 0x08, 0x00, 0x40, 0x04);
}

TEST(statements)
{
    struct aml a = { 0 };
    size_t h;

    /* If (LEqual (Arg0, One)) { Return (One) } Else { Return (Zero) } */
    h = aml_if_open(&a);
    aml_lequal(&a);
    aml_arg(&a, 0);
    aml_int(&a, 1);
    aml_return(&a);
    aml_int(&a, 1);
    aml_close(&a, h);
    h = aml_else_open(&a);
    aml_return(&a);
    aml_int(&a, 0);
    aml_close(&a, h);
    CHECK(&a, 0xa0, 0x06, 0x93, 0x68, 0x01, 0xa4, 0x01,
          0xa1, 0x03, 0xa4, 0x00);

    /* Notify (\_SB.PWRB, 0x80) */
    aml_notify(&a);
    aml_name(&a, "\\_SB.PWRB");
    aml_int(&a, 0x80);
    CHECK(&a, 0x86, 0x5c, 0x2e, '_', 'S', 'B', '_', 'P', 'W', 'R', 'B',
          0x0a, 0x80);

    /* Store (Local0, Arg1); And (0x80, Arg0, ); Or (X, 0x80, X) */
    aml_store(&a);
    aml_local(&a, 0);
    aml_arg(&a, 1);
    aml_and(&a);
    aml_int(&a, 0x80);
    aml_arg(&a, 0);
    aml_null_target(&a);
    aml_or(&a);
    aml_name(&a, "X");
    aml_int(&a, 0x80);
    aml_name(&a, "X");
    CHECK(&a, 0x70, 0x60, 0x69, 0x7b, 0x0a, 0x80, 0x68, 0x00,
          0x7d, 'X', '_', '_', '_', 0x0a, 0x80, 'X', '_', '_', '_');

    /* LLess (Arg0, 0x80), LNot (Local7), CreateDWordField (Arg0, 5, F) */
    aml_lless(&a);
    aml_arg(&a, 0);
    aml_int(&a, 0x80);
    aml_lnot(&a);
    aml_local(&a, 7);
    aml_create_dword_field(&a);
    aml_arg(&a, 0);
    aml_int(&a, 5);
    aml_name(&a, "PRRI");
    CHECK(&a, 0x95, 0x68, 0x0a, 0x80, 0x92, 0x67,
          0x8a, 0x68, 0x0a, 0x05, 'P', 'R', 'R', 'I');
}

TEST(small_resource_descriptors)
{
    struct aml r = { 0 };
    aml_res_io(&r, 0x60, 0x60, 1, 1);
    CHECK(&r, 0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01);
    aml_res_irq_noflags(&r, 1u << 1);
    CHECK(&r, 0x22, 0x02, 0x00);
    aml_res_irq(&r, 1u << 9, true, false, true);
    CHECK(&r, 0x23, 0x00, 0x02, 0x10);
    aml_res_irq(&r, 1u << 4, false, true, false);
    CHECK(&r, 0x23, 0x10, 0x00, 0x09);
    aml_res_end(&r);
    CHECK(&r, 0x79, 0x00);
}

TEST(large_resource_descriptors)
{
    struct aml r = { 0 };
    static const uint32_t irqs[] = { 5, 10, 11 };

    aml_res_interrupt(&r, irqs, 3, true, false, true);
    CHECK(&r, 0x89, 0x0e, 0x00, 0x09, 0x03, 5, 0, 0, 0, 10, 0, 0, 0,
          11, 0, 0, 0);
    aml_res_interrupt(&r, irqs, 1, false, true, false);
    CHECK(&r, 0x89, 0x06, 0x00, 0x07, 0x01, 5, 0, 0, 0);
    aml_res_mem32_fixed(&r, 0xfed00000, 0x400, false);
    CHECK(&r, 0x86, 0x09, 0x00, 0x00, 0x00, 0x00, 0xd0, 0xfe,
          0x00, 0x04, 0x00, 0x00);
    aml_res_word_bus(&r, 0, 0xff);
    CHECK(&r, 0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0, 0, 0x00, 0x00,
          0xff, 0x00, 0, 0, 0x00, 0x01);
    aml_res_word_io(&r, 0x0d00, 0xffff);
    CHECK(&r, 0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0, 0, 0x00, 0x0d,
          0xff, 0xff, 0, 0, 0x00, 0xf3);
    aml_res_dword_mem(&r, 0xa0000, 0xbffff, true);
    CHECK(&r, 0x87, 0x17, 0x00, 0x00, 0x0c, 0x03, 0, 0, 0, 0,
          0x00, 0x00, 0x0a, 0x00, 0xff, 0xff, 0x0b, 0x00, 0, 0, 0, 0,
          0x00, 0x00, 0x02, 0x00);
    aml_res_qword_mem(&r, 0x100000000ull, 0x17fffffffull, false);
    EXPECT_EQ(r.len, 46);
    EXPECT_EQ(r.data[0], 0x8a);
    EXPECT_EQ(r.data[1], 0x2b);
    EXPECT_EQ(r.data[5], 0x01);
    EXPECT_EQ(r.data[6 + 8 + 4], 0x01);        /* min bit 32 */
    EXPECT_EQ(r.data[6 + 32 + 3], 0x80);       /* length 0x80000000 */
    aml_free(&r);
}

TEST(resource_template)
{
    struct aml a = { 0 }, r = { 0 };
    aml_res_irq_noflags(&r, 1u << 12);
    aml_res_template(&a, &r);
    aml_free(&r);
    CHECK(&a, 0x11, 0x08, 0x0a, 0x05, 0x22, 0x00, 0x10, 0x79, 0x00);
}

TEST(buffer_helpers)
{
    struct aml a = { 0 };
    aml_le16(&a, 0x1234);
    aml_le32(&a, 0x56789abc);
    aml_le64(&a, 0x0102030405060708ull);
    aml_byte(&a, 0xee);
    aml_align(&a, 8);
    EXPECT_EQ(a.len, 16);
    aml_put_le(&a, 14, 0xbeef, 2);
    CHECK(&a, 0x34, 0x12, 0xbc, 0x9a, 0x78, 0x56, 8, 7, 6, 5, 4, 3, 2, 1,
          0xef, 0xbe);
}

TEST_MAIN()
