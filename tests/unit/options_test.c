/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options_test.c - checks the option table (emu/cli/options.def) and the
 * argv walk of emu/cli/options.c: unique names, well-formed section and
 * alias entries, option_find, the options the foundation issue implements
 * have handlers, -h lists every documented option and marks the refused
 * ones, and cli_parse's messages and exit status for unknown options,
 * missing arguments and unsupported options (run in a child process, since
 * cli_parse exits).
 */
#include "emu/osdep.h"
#include <fcntl.h>
#include <sys/wait.h>

#include "emu/cli/options.h"
#include "emu/vm/config.h"
#include "tests/unit/test.h"

TEST(table_is_not_empty_and_starts_with_a_section)
{
    EXPECT(option_count > 100);
    EXPECT(option_table[0].name == NULL);
    EXPECT_STR(option_table[0].synopsis, "Standard options");
}

TEST(names_are_unique)
{
    for (size_t i = 0; i < option_count; i++) {
        const char *a = option_table[i].name;
        for (size_t j = i + 1; a && j < option_count; j++) {
            const char *b = option_table[j].name;
            if (b && !strcmp(a, b)) {
                printf("#   option -%s appears twice\n", a);
                test_failed_now = 1;
            }
        }
    }
}

TEST(names_are_well_formed)
{
    for (size_t i = 0; i < option_count; i++) {
        const char *n = option_table[i].name;
        if (!n) {
            continue;
        }
        bool ok = *n && *n != '-';
        for (const char *p = n; *p; p++) {
            ok &= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
        }
        if (!ok) {
            printf("#   bad option name \"%s\"\n", n);
            test_failed_now = 1;
        }
    }
}

TEST(sections_are_well_formed)
{
    static const char *const want[] = {
        "Standard options", "Block device options", "USB convenience options",
        "Display options", "i386 target only", "Network options",
        "Character device options", "TPM device options",
        "Linux/Multiboot boot specific", "Debug/Expert options",
        "Generic object creation",
    };
    size_t k = 0;
    for (size_t i = 0; i < option_count; i++) {
        const struct option_def *o = &option_table[i];
        if (o->name) {
            continue;
        }
        EXPECT(o->handler == NULL);
        EXPECT(!o->has_arg);
        EXPECT(o->synopsis != NULL);
        /* A section is followed by at least one option. */
        EXPECT(i + 1 < option_count && option_table[i + 1].name != NULL);
        if (k < ARRAY_SIZE(want)) {
            EXPECT_STR(o->synopsis, want[k]);
        }
        k++;
    }
    EXPECT_EQ(k, ARRAY_SIZE(want));
}

/* The entry before i that carries a synopsis (the alias's main entry). */
static const struct option_def *main_entry(size_t i)
{
    while (i-- > 0) {
        if (!option_table[i].name) {
            return NULL;
        }
        if (option_table[i].synopsis) {
            return &option_table[i];
        }
    }
    return NULL;
}

TEST(aliases_follow_their_main_entry)
{
    for (size_t i = 0; i < option_count; i++) {
        const struct option_def *o = &option_table[i];
        if (!o->name || o->synopsis) {
            continue;
        }
        const struct option_def *m = main_entry(i);
        if (!m) {
            printf("#   -%s has no synopsis and no main entry\n", o->name);
            test_failed_now = 1;
            continue;
        }
        if (m->has_arg != o->has_arg || m->handler != o->handler) {
            printf("#   alias -%s differs from -%s\n", o->name, m->name);
            test_failed_now = 1;
        }
    }
}

TEST(synopsis_names_its_option)
{
    for (size_t i = 0; i < option_count; i++) {
        const struct option_def *o = &option_table[i];
        if (!o->name || !o->synopsis) {
            continue;
        }
        char one[64], two[64];
        snprintf(one, sizeof(one), "-%s", o->name);
        snprintf(two, sizeof(two), "--%s", o->name);
        size_t n1 = strlen(one), n2 = strlen(two);
        bool ok = (!strncmp(o->synopsis, one, n1) &&
                   strchr(" /\n", o->synopsis[n1] ? o->synopsis[n1] : ' ')) ||
                  (!strncmp(o->synopsis, two, n2) &&
                   strchr(" /\n", o->synopsis[n2] ? o->synopsis[n2] : ' '));
        if (!ok) {
            printf("#   synopsis of -%s starts \"%.20s\"\n", o->name,
                   o->synopsis);
            test_failed_now = 1;
        }
    }
}

TEST(option_find_by_name)
{
    const struct option_def *m = option_find("m");
    EXPECT(m != NULL);
    EXPECT(m && m->has_arg);
    EXPECT(m && !strcmp(m->name, "m"));
    const struct option_def *machine = option_find("machine");
    const struct option_def *M = option_find("M");
    EXPECT(machine && M && machine->handler == M->handler);
    EXPECT(option_find("S") && !option_find("S")->has_arg);
    EXPECT(option_find("s") && option_find("s") != option_find("S"));
    EXPECT(option_find("preconfig") != NULL);
    EXPECT(option_find("fw_cfg") != NULL);
}

TEST(option_find_misses)
{
    /* The argv walk strips the dashes; the table holds bare names. */
    EXPECT(option_find("-m") == NULL);
    EXPECT(option_find("--m") == NULL);
    EXPECT(option_find("") == NULL);
    EXPECT(option_find("foo") == NULL);
    EXPECT(option_find("MACHINE") == NULL);
    EXPECT(option_find("mach") == NULL);
    EXPECT(option_find("machine ") == NULL);
}

TEST(implemented_options_have_handlers)
{
    static const char *const impl[] = {
        "h", "help", "version", "name", "uuid", "m", "smp", "machine", "M",
        "accel", "S", "no-reboot", "no-shutdown", "daemonize", "pidfile",
        "D", "d", "display", "nographic", "serial", "parallel", "monitor",
        "qmp", "qmp-pretty", "mon", "chardev", "object", "nodefaults", "L",
        "bios",
    };
    for (size_t i = 0; i < ARRAY_SIZE(impl); i++) {
        const struct option_def *o = option_find(impl[i]);
        if (!o || !o->handler) {
            printf("#   -%s is not implemented\n", impl[i]);
            test_failed_now = 1;
        }
    }
}

TEST(argument_flags)
{
    static const char *const with[] = {
        "m", "smp", "machine", "M", "accel", "pidfile", "D", "d", "display",
        "serial", "parallel", "monitor", "qmp", "qmp-pretty", "mon",
        "chardev", "object", "L", "bios", "name", "uuid", "cpu", "device",
        "drive", "netdev", "vnc", "spice", "echr", "action", "msg",
    };
    static const char *const without[] = {
        "h", "help", "version", "S", "s", "no-reboot", "no-shutdown",
        "daemonize", "nographic", "nodefaults", "snapshot", "enable-kvm",
        "no-user-config", "preconfig", "usb", "no-acpi", "singlestep",
    };
    for (size_t i = 0; i < ARRAY_SIZE(with); i++) {
        const struct option_def *o = option_find(with[i]);
        if (!o || !o->has_arg) {
            printf("#   -%s should take an argument\n", with[i]);
            test_failed_now = 1;
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(without); i++) {
        const struct option_def *o = option_find(without[i]);
        if (!o || o->has_arg) {
            printf("#   -%s should take no argument\n", without[i]);
            test_failed_now = 1;
        }
    }
}

/* cli_print_help's output, malloc'd. */
static char *help_buf;
static size_t help_len;
static char *help_text(void)
{
    FILE *f = open_memstream(&help_buf, &help_len);
    cli_print_help(f);
    fclose(f);
    return help_buf;
}

TEST(help_lists_every_synopsis)
{
    char *h = help_text();
    EXPECT(!strncmp(h, "QEMU emulator version 6.2.0", 27));
    for (size_t i = 0; i < option_count; i++) {
        const struct option_def *o = &option_table[i];
        if (!o->synopsis) {
            continue;
        }
        if (!strstr(h, o->synopsis)) {
            printf("#   -h lacks \"%.30s\"\n", o->synopsis);
            test_failed_now = 1;
        }
    }
    free(h);
}

TEST(help_marks_unsupported_options)
{
    char *h = help_text();
    for (size_t i = 0; i < option_count; i++) {
        const struct option_def *o = &option_table[i];
        if (!o->name || !o->synopsis) {
            continue;
        }
        const char *at = strstr(h, o->synopsis);
        if (!at) {
            continue;
        }
        size_t end = (size_t)(at - h) + strlen(o->synopsis);
        bool marked = !strncmp(h + end, "  [not supported]", 17);
        if (marked != !o->handler) {
            printf("#   -%s is %s but -h %s it\n", o->name,
                   o->handler ? "implemented" : "not supported",
                   marked ? "marks" : "does not mark");
            test_failed_now = 1;
        }
    }
    free(h);
}

TEST(version_text)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cli_print_version(f);
    fclose(f);
    EXPECT(!strncmp(buf, "QEMU emulator version 6.2.0", 27));
    EXPECT(strstr(buf, "hemu") != NULL);
    free(buf);
}

/* Run cli_parse on argv in a child; returns its exit status (-1 for a
 * signal) and its stderr in err (up to size-1 bytes). */
static int run_parse(const char *const *args, char *err, size_t size)
{
    int fds[2];
    if (pipe(fds) < 0) {
        return -2;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        int argc = 0;
        char *argv[32];
        argv[argc++] = "hemu";
        for (; args[argc - 1] && argc < 31; argc++) {
            argv[argc] = (char *)args[argc - 1];
        }
        argv[argc] = NULL;
        config_init();
        cli_parse(argc, argv);
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < size && (r = read(fds[0], err + n, size - 1 - n)) > 0) {
        n += r;
    }
    err[n] = 0;
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void expect_parse(const char *const *args, int want_status,
                         const char *want_err, int line)
{
    char err[4096];
    int st = run_parse(args, err, sizeof(err));
    /* Only the first lines are compared: a sanitizer build may add its
     * leak report after them. */
    if (st != want_status ||
        (want_err && strncmp(err, want_err, strlen(want_err)))) {
        printf("#   line %d: exit %d, stderr \"%s\"; want exit %d, \"%s\"\n",
               line, st, err, want_status, want_err ? want_err : "*");
        test_failed_now = 1;
    }
}
#define PARSE(want_status, want_err, ...)                             \
    expect_parse((const char *const[]){ __VA_ARGS__, NULL }, want_status, \
                 want_err, __LINE__)

TEST(parse_unknown_option)
{
    PARSE(1, "hemu: -foo: invalid option\n", "-foo");
    PARSE(1, "hemu: -machin: invalid option\n", "-machin", "none");
}

TEST(parse_unknown_double_dash_option)
{
    /* QEMU names the word as it was given: "qemu: --foo: invalid option". */
    PARSE(1, "hemu: --foo: invalid option\n", "--foo");
    PARSE(1, "hemu: --: invalid option\n", "--");
}

TEST(parse_missing_argument)
{
    PARSE(1, "hemu: -m: requires an argument\n", "-m");
    PARSE(1, "hemu: -machine: requires an argument\n", "-S", "-machine");
    PARSE(1, "hemu: -numa: requires an argument\n", "-numa");
}

TEST(parse_unsupported)
{
    PARSE(1, "hemu: -enable-kvm: not supported\n", "-enable-kvm");
    PARSE(1, "hemu: -mem-path: not supported\n", "-mem-path", "/dev/hugepages");
    PARSE(1, "hemu: -mtdblock: not supported\n", "--mtdblock", "x");
    PARSE(1, "hemu: -curses: not supported\n", "-S", "-curses");
}

TEST(parse_handler_error_names_option_and_argument)
{
    PARSE(1, "hemu: -uuid xyz: Fail to parse UUID string. Wrong format.\n",
          "-uuid", "xyz");
    PARSE(1, "hemu: -echr 300: Bad argument to echr\n", "-echr", "300");
}

TEST(parse_accepts_good_options)
{
    PARSE(0, "", "-S", "-m", "256", "--no-reboot", "-uuid",
          "12345678-1234-1234-1234-123456789abc", "-name", "vm0");
    PARSE(0, "", "-machine", "none", "-M", "none,accel=tcg", "-nodefaults");
}

TEST(parse_help_and_version_exit_zero)
{
    PARSE(0, "", "-version");
    PARSE(0, "", "--version");
    PARSE(0, "", "-h");
    PARSE(0, "", "-help");
    /* Options after -version are not looked at. */
    PARSE(0, "", "-version", "-bogus");
}

TEST(parse_bare_word)
{
    char err[4096];
    const char *const args[] = { "disk.img", NULL };
    EXPECT_EQ(run_parse(args, err, sizeof(err)), 1);
    EXPECT(!strncmp(err, "hemu: disk.img: ", 16));
}

TEST_MAIN()
