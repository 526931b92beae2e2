/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cutils_test.c - checks the value parsers of emu/util/cutils.c against the
 * syntax of QEMU 6.2's qemu_strtosz/qapi_bool_parse: parse_size (suffixes
 * B K M G T P E in any case, fractions, hex, the default suffix, -ERANGE on
 * overflow, -EINVAL on garbage, negatives and empty strings), parse_bool,
 * parse_uint64 and parse_int64, plus the string buffer helpers.
 */
#include "emu/osdep.h"

#include "emu/util/cutils.h"
#include "tests/unit/test.h"

/* parse_size with a check of both the result code and the value. */
static void size_ok(const char *s, char def, uint64_t want, int line)
{
    uint64_t v = 0xdeadbeef;
    int r = parse_size(s, def, &v);
    if (r != 0 || v != want) {
        printf("#   line %d: parse_size(\"%s\", '%c') = %d, %" PRIu64
               "; want 0, %" PRIu64 "\n", line, s, def ? def : '0', r, v,
               want);
        test_failed_now = 1;
    }
}

static void size_err(const char *s, char def, int want, int line)
{
    uint64_t v = 0x5a5a;
    int r = parse_size(s, def, &v);
    if (r != want) {
        printf("#   line %d: parse_size(\"%s\", '%c') = %d, want %d\n", line,
               s, def ? def : '0', r, want);
        test_failed_now = 1;
    }
    if (v != 0x5a5a) {
        printf("#   line %d: parse_size(\"%s\") wrote %" PRIu64
               " on failure\n", line, s, v);
        test_failed_now = 1;
    }
}

#define SIZE_OK(s, def, want) size_ok(s, def, want, __LINE__)
#define SIZE_ERR(s, def, want) size_err(s, def, want, __LINE__)

TEST(size_plain_numbers)
{
    SIZE_OK("0", 0, 0);
    SIZE_OK("1", 0, 1);
    SIZE_OK("12345", 0, 12345);
    SIZE_OK("18446744073709551615", 0, UINT64_MAX);
}

TEST(size_suffixes_any_case)
{
    static const struct { char c; int shift; } sfx[] = {
        { 'B', 0 }, { 'K', 10 }, { 'M', 20 }, { 'G', 30 },
        { 'T', 40 }, { 'P', 50 }, { 'E', 60 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(sfx); i++) {
        char up[8], low[8];
        snprintf(up, sizeof(up), "3%c", sfx[i].c);
        snprintf(low, sizeof(low), "3%c", sfx[i].c + 32);
        SIZE_OK(up, 0, 3ULL << sfx[i].shift);
        SIZE_OK(low, 0, 3ULL << sfx[i].shift);
    }
    SIZE_OK("15E", 0, 15ULL << 60);
}

TEST(size_fractions)
{
    SIZE_OK("1.5G", 0, 3ULL << 29);
    SIZE_OK("0.5k", 0, 512);
    SIZE_OK("1.25M", 0, 1310720);
    SIZE_OK("2.0", 0, 2);                   /* a whole number of bytes */
    SIZE_OK("1.5", 'M', 1572864);           /* the default suffix applies */
    /* A fraction of a byte is refused. */
    SIZE_ERR("1.5", 0, -EINVAL);
    SIZE_ERR("1.5B", 0, -EINVAL);
    SIZE_ERR("1.5b", 'M', -EINVAL);
}

TEST(size_hex)
{
    SIZE_OK("0x10", 0, 16);
    SIZE_OK("0X1f", 0, 31);
    SIZE_OK("0x1B", 0, 27);                 /* B is a hex digit here */
    SIZE_OK("0xffffffffffffffff", 0, UINT64_MAX);
    SIZE_ERR("0x", 0, -EINVAL);
    SIZE_ERR("0x1.8", 0, -EINVAL);          /* no fractional hex */
    SIZE_ERR("0xg", 0, -EINVAL);
    SIZE_ERR("0x10000000000000000", 0, -ERANGE);
}

TEST(size_default_suffix)
{
    SIZE_OK("512", 'M', 512ULL << 20);
    SIZE_OK("512", 'K', 512ULL << 10);
    SIZE_OK("2", 'G', 2ULL << 30);
    SIZE_OK("512K", 'M', 512ULL << 10);     /* an explicit suffix wins */
    SIZE_OK("512B", 'M', 512);
}

TEST(size_overflow_is_erange)
{
    SIZE_ERR("18446744073709551616", 0, -ERANGE);
    SIZE_ERR("99999999999999999999999", 0, -ERANGE);
    SIZE_ERR("16E", 0, -ERANGE);
    SIZE_ERR("16384P", 0, -ERANGE);
    SIZE_ERR("17179869184G", 0, -ERANGE);
    SIZE_ERR("17179869184", 'G', -ERANGE);
    SIZE_ERR("16.5E", 0, -ERANGE);
    SIZE_ERR("18446744073709551615K", 0, -ERANGE);
}

TEST(size_garbage_is_einval)
{
    static const char *const bad[] = {
        "", "foo", "K", "1x", "1KB", "1 K", "1Q", "-1", "-0", "-1K", ".5",
        "1e3", "+", "1,5G", "10MiB", "1G1", "0x10Q",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        SIZE_ERR(bad[i], 0, -EINVAL);
    }
    SIZE_ERR("-5", 'M', -EINVAL);
    SIZE_ERR("", 'M', -EINVAL);
}

TEST(size_null_is_einval)
{
    uint64_t v;
    EXPECT_EQ(parse_size(NULL, 0, &v), -EINVAL);
}

/*
 * QEMU 6.2's do_strtosz accepts "1.k" and "1." (a '.' with no fraction
 * digits: "Make sure even 1.k works") and, with a deprecation warning, a
 * multiplier suffix on a hex number ("0x10k" = 16 KiB; refused only from
 * QEMU 8.0).
 */
TEST(size_qemu62_dot_without_digits)
{
    SIZE_OK("1.k", 0, 1024);
    SIZE_OK("1.", 0, 1);
    SIZE_OK("4.", 'M', 4ULL << 20);
}

TEST(size_qemu62_hex_with_suffix)
{
    SIZE_OK("0x10k", 0, 16384);
    SIZE_OK("0x1M", 0, 1ULL << 20);
}

TEST(bool_values)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        bool b = false;
        EXPECT_EQ(parse_bool(yes[i], &b), 0);
        EXPECT_EQ(b, true);
        b = true;
        EXPECT_EQ(parse_bool(no[i], &b), 0);
        EXPECT_EQ(b, false);
    }
}

TEST(bool_bad_values)
{
    static const char *const bad[] = { "", "1", "0", "ON", "On", "Yes",
                                       "enable", "onn", "of", " on", "on " };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        bool b = true;
        if (parse_bool(bad[i], &b) != -EINVAL) {
            printf("#   parse_bool(\"%s\") accepted\n", bad[i]);
            test_failed_now = 1;
        }
        EXPECT_EQ(b, true);     /* untouched on failure */
    }
}

TEST(uint64_values)
{
    uint64_t v;
    EXPECT_EQ(parse_uint64("0", 0, &v), 0);
    EXPECT_EQ(v, 0);
    EXPECT_EQ(parse_uint64("42", 10, &v), 0);
    EXPECT_EQ(v, 42);
    EXPECT_EQ(parse_uint64("0x2a", 0, &v), 0);
    EXPECT_EQ(v, 42);
    EXPECT_EQ(parse_uint64("052", 0, &v), 0);
    EXPECT_EQ(v, 42);
    EXPECT_EQ(parse_uint64("2a", 16, &v), 0);
    EXPECT_EQ(v, 42);
    EXPECT_EQ(parse_uint64("18446744073709551615", 0, &v), 0);
    EXPECT(v == UINT64_MAX);
}

TEST(uint64_errors)
{
    uint64_t v = 77;
    EXPECT_EQ(parse_uint64("18446744073709551616", 0, &v), -ERANGE);
    EXPECT_EQ(parse_uint64("", 0, &v), -EINVAL);
    EXPECT_EQ(parse_uint64("-1", 0, &v), -EINVAL);
    EXPECT_EQ(parse_uint64(" 1", 0, &v), -EINVAL);
    EXPECT_EQ(parse_uint64("1 ", 0, &v), -EINVAL);
    EXPECT_EQ(parse_uint64("12abc", 10, &v), -EINVAL);
    EXPECT_EQ(parse_uint64("1k", 0, &v), -EINVAL);
    EXPECT_EQ(parse_uint64("0x", 0, &v), -EINVAL);
    EXPECT_EQ(parse_uint64("09", 0, &v), -EINVAL);  /* not octal */
    EXPECT_EQ(parse_uint64(NULL, 0, &v), -EINVAL);
    EXPECT_EQ(v, 77);
}

TEST(int64_values)
{
    int64_t v;
    EXPECT_EQ(parse_int64("-5", 0, &v), 0);
    EXPECT_EQ(v, -5);
    EXPECT_EQ(parse_int64("0x10", 0, &v), 0);
    EXPECT_EQ(v, 16);
    EXPECT_EQ(parse_int64("9223372036854775807", 0, &v), 0);
    EXPECT(v == INT64_MAX);
    EXPECT_EQ(parse_int64("9223372036854775808", 0, &v), -ERANGE);
    EXPECT_EQ(parse_int64("-9223372036854775809", 0, &v), -ERANGE);
    EXPECT_EQ(parse_int64("", 0, &v), -EINVAL);
    EXPECT_EQ(parse_int64("x", 0, &v), -EINVAL);
    EXPECT_EQ(parse_int64("3z", 0, &v), -EINVAL);
}

TEST(str_start_rest)
{
    const char *rest = NULL;
    EXPECT(str_start("unix:/tmp/s", "unix:", &rest));
    EXPECT_STR(rest, "/tmp/s");
    EXPECT(!str_start("tcp:x", "unix:", &rest));
    EXPECT(str_start("abc", "", NULL));
    EXPECT(!str_start("ab", "abc", NULL));
}

TEST(sbuf_grows_and_steals)
{
    struct sbuf b = { 0 };
    char *empty = sbuf_steal(&b);
    EXPECT_STR(empty, "");
    free(empty);
    for (int i = 0; i < 1000; i++) {
        sbuf_addf(&b, "%d,", i % 10);
    }
    EXPECT_EQ(b.len, 2000);
    sbuf_addn(&b, "xyz", 2);
    char *s = sbuf_steal(&b);
    EXPECT_EQ(strlen(s), 2002);
    EXPECT(!strcmp(s + 1998, "9,xy"));
    EXPECT(b.s == NULL && b.len == 0);
    free(s);
}

TEST(xasprintf_formats)
{
    char *s = xasprintf("%s-%d-%05.1f", "a", 7, 2.25);
    EXPECT_STR(s, "a-7-002.2");
    free(s);
}

TEST_MAIN()
