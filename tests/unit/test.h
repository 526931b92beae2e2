/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test.h - a tiny TAP-style harness for hemu's C unit tests (blink's
 * test/test.h in spirit).  Write TEST(name) { ... } functions using
 * EXPECT*(); main() is TEST_MAIN(), which runs every test in file order and
 * prints "ok N - name" / "not ok N - name" and "N passed, N failed".
 */
#ifndef HEMU_TESTS_UNIT_TEST_H
#define HEMU_TESTS_UNIT_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};

#define TEST_MAX 512
static struct test_case test_cases[TEST_MAX];
static int test_count;
static int test_failed_now;

#define TEST(name)                                                    \
    static void test_##name(void);                                    \
    __attribute__((constructor)) static void test_reg_##name(void)    \
    {                                                                 \
        if (test_count < TEST_MAX) {                                  \
            test_cases[test_count++] = (struct test_case){ #name,     \
                                                           test_##name }; \
        }                                                             \
    }                                                                 \
    static void test_##name(void)

#define EXPECT(cond)                                                  \
    do {                                                              \
        if (!(cond)) {                                                \
            printf("#   %s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
            test_failed_now = 1;                                      \
        }                                                             \
    } while (0)

#define EXPECT_EQ(got, want)                                          \
    do {                                                              \
        long long g_ = (long long)(got), w_ = (long long)(want);      \
        if (g_ != w_) {                                               \
            printf("#   %s:%d: %s is %lld, want %lld\n", __FILE__,    \
                   __LINE__, #got, g_, w_);                           \
            test_failed_now = 1;                                      \
        }                                                             \
    } while (0)

#define EXPECT_STR(got, want)                                         \
    do {                                                              \
        const char *g_ = (got), *w_ = (want);                         \
        if (!g_ || !w_ || strcmp(g_, w_)) {                           \
            printf("#   %s:%d: %s is \"%s\", want \"%s\"\n", __FILE__, \
                   __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
            test_failed_now = 1;                                      \
        }                                                             \
    } while (0)

#define TEST_MAIN()                                                   \
    int main(void)                                                    \
    {                                                                 \
        int pass = 0, fail = 0;                                       \
        for (int i = 0; i < test_count; i++) {                        \
            test_failed_now = 0;                                      \
            test_cases[i].fn();                                       \
            printf("%s %d - %s\n", test_failed_now ? "not ok" : "ok", \
                   i + 1, test_cases[i].name);                        \
            if (test_failed_now) {                                    \
                fail++;                                               \
            } else {                                                  \
                pass++;                                               \
            }                                                         \
        }                                                             \
        printf("%d passed, %d failed\n", pass, fail);                 \
        return fail ? 1 : 0;                                          \
    }

#endif
