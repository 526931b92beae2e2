/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpumodel.c - the CPU models of -cpu and its feature modifiers.  A model
 * is what QEMU 6.2 under TCG reports for the CPU of that name (vendor,
 * family/model/stepping, brand string, highest leaves, feature bits), with
 * the features hemu does not implement removed: CPUID never advertises
 * what the CPU cannot do.  Modifiers use QEMU's feature names; asking for
 * a feature hemu lacks warns as QEMU does for TCG and leaves it off.
 * References: qemu-6.2 manual "-cpu" and "x86 CPU models"; QEMU's own
 * answers to CPUID (tests/guest/cpuid/, compared in test_cpuid.py);
 * Intel SDM vol. 2A "CPUID" for the bit names.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/cpuid.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

#define W1D(b) (1u << (b))      /* readability: a bit of a feature word */

/* What hemu's CPU implements (the instruction gate in cpuid.c, the CR4
   and EFER checks in sys.c and the MSRs follow these words). */
const uint32_t x86_feat_implemented[X86_FW_N] = {
    [X86_FW_1_EDX] = W1D(0) | W1D(2) | W1D(3) | W1D(4) | W1D(5) | W1D(6) |
                     W1D(7) | W1D(8) | W1D(9) | W1D(11) | W1D(12) | W1D(13) |
                     W1D(14) | W1D(15) | W1D(16) | W1D(17) | W1D(19) |
                     W1D(23) | W1D(24) | W1D(25) | W1D(26),
    [X86_FW_1_ECX] = W1D(0) | W1D(9) | W1D(13) | W1D(19) | W1D(20) |
                     W1D(22) | W1D(23) | W1D(26) | W1D(31),
    [X86_FW_8001_EDX] = W1D(11) | W1D(20) | W1D(26) | W1D(27) | W1D(29),
    [X86_FW_8001_ECX] = W1D(0) | W1D(5),
};

/* QEMU's feature names, bit by bit (NULL: none).  Aliases follow. */
static const char *const feat_names[X86_FW_N][32] = {
    [X86_FW_1_EDX] = {
        "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
        "cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov",
        "pat", "pse36", "pn", "clflush", NULL, "ds", "acpi", "mmx",
        "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe",
    },
    [X86_FW_1_ECX] = {
        "pni", "pclmulqdq", "dtes64", "monitor", "ds-cpl", "vmx", "smx",
        "est", "tm2", "ssse3", "cid", NULL, "fma", "cx16", "xtpr", "pdcm",
        NULL, "pcid", "dca", "sse4.1", "sse4.2", "x2apic", "movbe",
        "popcnt", "tsc-deadline", "aes", "xsave", NULL, "avx", "f16c",
        "rdrand", "hypervisor",
    },
    [X86_FW_7_0_EBX] = {
        "fsgsbase", "tsc-adjust", "sgx", "bmi1", "hle", "avx2", NULL,
        "smep", "bmi2", "erms", "invpcid", "rtm", NULL, NULL, "mpx", NULL,
        "avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma",
        "pcommit", "clflushopt", "clwb", "intel-pt", "avx512pf",
        "avx512er", "avx512cd", "sha-ni", "avx512bw", "avx512vl",
    },
    [X86_FW_7_0_ECX] = {
        NULL, "avx512vbmi", "umip", "pku", NULL, "waitpkg", "avx512vbmi2",
        NULL, "gfni", "vaes", "vpclmulqdq", "avx512vnni", "avx512bitalg",
        NULL, "avx512-vpopcntdq", NULL, "la57", NULL, NULL, NULL, NULL,
        NULL, "rdpid", NULL, "bus-lock-detect", "cldemote", NULL,
        "movdiri", "movdir64b", NULL, "sgxlc", "pks",
    },
    [X86_FW_7_0_EDX] = {
        [2] = "avx512-4vnniw", [3] = "avx512-4fmaps", [4] = "fsrm",
        [10] = "md-clear", [14] = "serialize", [16] = "tsx-ldtrk",
        [18] = "pconfig", [26] = "spec-ctrl", [27] = "stibp",
        [29] = "arch-capabilities", [30] = "core-capability", [31] = "ssbd",
    },
    [X86_FW_8001_EDX] = {
        [11] = "syscall", [19] = "mp", [20] = "nx", [22] = "mmxext",
        [25] = "fxsr-opt", [26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm",
        [30] = "3dnowext", [31] = "3dnow",
    },
    [X86_FW_8001_ECX] = {
        "lahf-lm", "cmp-legacy", "svm", "extapic", "cr8legacy", "abm",
        "sse4a", "misalignsse", "3dnowprefetch", "osvw", "ibs", "xop",
        "skinit", "wdt", NULL, "lwp", "fma4", "tce", NULL, "nodeid-msr",
        NULL, "tbm", "topoext", "perfctr-core", "perfctr-nb",
    },
    [X86_FW_D_1_EAX] = { "xsaveopt", "xsavec", "xgetbv1", "xsaves" },
};

static const struct { const char *alias, *name; } feat_aliases[] = {
    { "sse3", "pni" }, { "sse4-1", "sse4.1" }, { "sse4-2", "sse4.2" },
    { "xd", "nx" }, { "i64", "lm" }, { "ffxsr", "fxsr-opt" },
    { "lahf_lm", "lahf-lm" },
};

/* CPUID leaf and register of each word, for the TCG warning. */
static const char *const word_where[X86_FW_N] = {
    "01H:EDX", "01H:ECX", "07H:EBX", "07H:ECX", "07H:EDX",
    "80000001H:EDX", "80000001H:ECX", "0DH:EAX",
};

struct model {
    const char *name;
    const char *vendor;
    uint32_t family, model, stepping, level, xlevel;
    const char *model_id;
    uint32_t feat[X86_FW_N];
};

#define INTEL "GenuineIntel"
#define AMD "AuthenticAMD"
#define QEMU_ID "QEMU Virtual CPU version 2.5+"

/* The feature words below are QEMU's answers under TCG (its "hypervisor"
   bit included; checked against QEMU by tests/guest/test_cpuid.py);
   hemu's own are these AND x86_feat_implemented. */
static const struct model models[] = {
    { "qemu64", AMD, 15, 107, 1, 0xd, 0x8000000a, QEMU_ID,
      { [X86_FW_1_EDX] = 0x078bfbfd, [X86_FW_1_ECX] = 0x80002001,
        [X86_FW_8001_EDX] = 0x20100800, [X86_FW_8001_ECX] = 0x00000005 } },
    { "qemu32", INTEL, 6, 6, 3, 4, 0x80000004, QEMU_ID,
      { [X86_FW_1_EDX] = 0x0781abfd, [X86_FW_1_ECX] = 0x80000001 } },
    { "kvm64", INTEL, 15, 6, 1, 0xd, 0x80000008, "Common KVM processor",
      { [X86_FW_1_EDX] = 0x078bfbfd, [X86_FW_1_ECX] = 0x80002001,
        [X86_FW_8001_EDX] = 0x20100800 } },
    { "kvm32", INTEL, 15, 6, 1, 5, 0x80000008, "Common 32-bit KVM processor",
      { [X86_FW_1_EDX] = 0x078bfbfd, [X86_FW_1_ECX] = 0x80000001 } },
    { "486", INTEL, 4, 8, 0, 1, 0, "",
      { [X86_FW_1_EDX] = 0x00000009, [X86_FW_1_ECX] = 0x80000000 } },
    { "pentium", INTEL, 5, 4, 3, 1, 0, "",
      { [X86_FW_1_EDX] = 0x008003bd, [X86_FW_1_ECX] = 0x80000000 } },
    { "pentium2", INTEL, 6, 5, 2, 2, 0, "",
      { [X86_FW_1_EDX] = 0x0183fbfd, [X86_FW_1_ECX] = 0x80000000 } },
    { "pentium3", INTEL, 6, 7, 3, 3, 0, "",
      { [X86_FW_1_EDX] = 0x0383fbfd, [X86_FW_1_ECX] = 0x80000000 } },
};

/* What -cpu help says about the models that are not in the table. */
static const struct { const char *name, *desc; } specials[] = {
    { "base", "base CPU model type with no features enabled" },
    { "host", "processor with all supported host features " },
    { "max", "Enables all features supported by the accelerator in the "
             "current host" },
};

static struct x86_cpuid selected;
static const char *selected_name = "qemu64";
static bool selected_set;

static void copy_str(char *dst, size_t n, const char *src)
{
    size_t l = strlen(src);
    if (l >= n) {
        l = n - 1;
    }
    memcpy(dst, src, l);
    memset(dst + l, 0, n - l);
}

static void from_model(struct x86_cpuid *id, const struct model *m)
{
    memset(id, 0, sizeof(*id));
    copy_str(id->vendor, sizeof(id->vendor), m->vendor);
    copy_str(id->model_id, sizeof(id->model_id), m->model_id);
    id->family = m->family;
    id->model = m->model;
    id->stepping = m->stepping;
    id->level = m->level;
    id->xlevel = m->xlevel;
    for (int w = 0; w < X86_FW_N; w++) {
        id->feat[w] = m->feat[w] & x86_feat_implemented[w];
    }
    id->set = true;
}

/* "qemu64" or "qemu64-v1": the table entry, else NULL. */
static const struct model *find_model(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(models); i++) {
        size_t l = strlen(models[i].name);
        if (!strcmp(name, models[i].name) ||
            (!strncmp(name, models[i].name, l) && !strcmp(name + l, "-v1"))) {
            return &models[i];
        }
    }
    return NULL;
}

/* Fill id for a model name; false if unknown or refused (errp set). */
static bool base_model(const char *name, struct x86_cpuid *id,
                       struct err **errp)
{
    const struct model *m = find_model(name);

    if (m) {
        from_model(id, m);
        return true;
    }
    if (!strcmp(name, "max")) {
        /* QEMU's max under TCG: qemu64's identity with every feature the
           accelerator has */
        from_model(id, &models[0]);
        copy_str(id->model_id, sizeof(id->model_id),
                 "QEMU TCG CPU version 2.5+");
        memcpy(id->feat, x86_feat_implemented, sizeof(id->feat));
        return true;
    }
    if (!strcmp(name, "base")) {
        memset(id, 0, sizeof(*id));
        id->set = true;
        return true;
    }
    if (!strcmp(name, "host")) {
        err_setf(errp, "CPU model 'host' requires KVM or HVF");
        return false;
    }
    err_setf(errp, "unable to find CPU model '%s'", name);
    return false;
}

/* Feature number for a QEMU feature name (with its aliases and the
   underscore spelling), or -1. */
static int find_feature(const char *name)
{
    char n[64];
    size_t l = strlen(name);

    if (l >= sizeof(n)) {
        return -1;
    }
    for (size_t i = 0; i <= l; i++) {
        n[i] = name[i] == '_' ? '-' : name[i];
    }
    for (size_t i = 0; i < ARRAY_SIZE(feat_aliases); i++) {
        if (!strcmp(n, feat_aliases[i].alias)) {
            copy_str(n, sizeof(n), feat_aliases[i].name);
        }
    }
    for (int w = 0; w < X86_FW_N; w++) {
        for (int b = 0; b < 32; b++) {
            if (feat_names[w][b] && !strcmp(n, feat_names[w][b])) {
                return X86_F(w, b);
            }
        }
    }
    return -1;
}

const char *x86_feat_name(unsigned f)
{
    return f < X86_FW_N * 32 ? feat_names[f / 32][f % 32] : NULL;
}

static bool parse_u32(const char *s, uint32_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (!*s || *end || errno || x > 0xffffffffu || *s == '-') {
        return false;
    }
    *v = (uint32_t)x;
    return true;
}

/* One "prop=value" that is not a feature. */
static int set_prop(struct x86_cpuid *id, const char *model, const char *key,
                    const char *val, struct err **errp)
{
    uint32_t v;
    static const char *const ints[] = {
        "family", "model", "stepping", "level", "xlevel",
    };
    /* accepted and meaningless for a software CPU (QEMU's names);
       enforce is the caller's */
    static const char *const flags[] = {
        "check", "enforce", "migratable", "l3-cache", "pmu", "x-force-features",
    };

    for (size_t i = 0; i < ARRAY_SIZE(ints); i++) {
        if (strcmp(key, ints[i])) {
            continue;
        }
        if (!parse_u32(val, &v)) {
            err_setf(errp, "Parameter '%s' expects int64", key);
            return -1;
        }
        if ((i == 0 && v > 0xff + 0xf) || (i == 1 && v > 0xff) ||
            (i == 2 && v > 0xf)) {
            err_setf(errp, "Property '.%s' doesn't take value %u", key, v);
            return -1;
        }
        uint32_t *dst[] = { &id->family, &id->model, &id->stepping,
                            &id->level, &id->xlevel };
        *dst[i] = v;
        return 0;
    }
    if (!strcmp(key, "vendor")) {
        if (strlen(val) != 12) {
            err_setf(errp, "Property '.vendor' doesn't take value '%s'", val);
            return -1;
        }
        copy_str(id->vendor, sizeof(id->vendor), val);
        return 0;
    }
    if (!strcmp(key, "model-id")) {
        copy_str(id->model_id, sizeof(id->model_id), val);
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
        if (!strcmp(key, flags[i])) {
            if (strcmp(val, "on") && strcmp(val, "off")) {
                err_setf(errp, "Parameter '%s' expects 'on' or 'off'", key);
                return -1;
            }
            return 0;
        }
    }
    err_setf(errp, "Property '%s-x86_64-cpu.%s' not found", model, key);
    return -1;
}

/* Turn feature f on or off; want collects what was asked to be on. */
static void set_feature(struct x86_cpuid *id, uint32_t *want, int f, bool on)
{
    uint32_t bit = 1u << (f % 32);
    int w = f / 32;

    if (!on) {
        id->feat[w] &= ~bit;
        want[w] &= ~bit;
    } else {
        id->feat[w] |= bit & x86_feat_implemented[w];
        want[w] |= bit;
    }
}

/* Features asked for that hemu lacks stay off, with QEMU's warning for
   each, in feature-word order as QEMU prints them. */
static bool warn_missing(const uint32_t *want)
{
    bool missing = false;

    for (int w = 0; w < X86_FW_N; w++) {
        for (int b = 0; b < 32; b++) {
            if ((want[w] & ~x86_feat_implemented[w]) & (1u << b)) {
                warn_report("TCG doesn't support requested feature: "
                            "CPUID.%s.%s [bit %d]", word_where[w],
                            feat_names[w][b], b);
                missing = true;
            }
        }
    }
    return missing;
}

int x86_cpu_model_parse(const char *arg, struct x86_cpuid *id,
                        struct err **errp)
{
    char *copy = xstrdup(arg), *save = NULL;
    char *name = strtok_r(copy, ",", &save);
    uint32_t plus[X86_FW_N] = { 0 }, minus[X86_FW_N] = { 0 };
    uint32_t want[X86_FW_N] = { 0 };
    bool enforce = false;
    int ret = -1;

    if (!name || !base_model(name, id, errp)) {
        if (!name) {
            err_setf(errp, "unable to find CPU model ''");
        }
        goto out;
    }
    for (char *tok = strtok_r(NULL, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (tok[0] == '+' || tok[0] == '-') {
            int f = find_feature(tok + 1);
            if (f < 0) {
                err_setf(errp, "Property '%s-x86_64-cpu.%s' not found", name,
                         tok + 1);
                goto out;
            }
            (tok[0] == '+' ? plus : minus)[f / 32] |= 1u << (f % 32);
            continue;
        }
        char *eq = strchr(tok, '=');
        const char *val = "on";
        if (eq) {
            *eq = 0;
            val = eq + 1;
        }
        int f = find_feature(tok);
        if (f < 0) {
            if (!strcmp(tok, "enforce")) {
                enforce = !strcmp(val, "on");
            }
            if (set_prop(id, name, tok, val, errp) < 0) {
                goto out;
            }
            continue;
        }
        if (strcmp(val, "on") && strcmp(val, "off")) {
            err_setf(errp, "Parameter '%s' expects 'on' or 'off'", tok);
            goto out;
        }
        set_feature(id, want, f, !strcmp(val, "on"));
    }
    /* as QEMU: "+feat" and "-feat" win over feat=on|off, minus last */
    for (int w = 0; w < X86_FW_N; w++) {
        for (int b = 0; b < 32; b++) {
            if ((plus[w] >> b) & 1) {
                set_feature(id, want, X86_F(w, b), true);
            }
        }
    }
    for (int w = 0; w < X86_FW_N; w++) {
        id->feat[w] &= ~minus[w];
        want[w] &= ~minus[w];
    }
    if (warn_missing(want) && enforce) {
        err_setf(errp, "TCG doesn't support requested features");
        goto out;
    }
    ret = 0;
out:
    free(copy);
    return ret;
}

int x86_cpu_model_select(const char *arg, struct err **errp)
{
    struct x86_cpuid id;

    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        x86_cpu_model_help(stdout);
        return 1;
    }
    if (x86_cpu_model_parse(arg, &id, errp) < 0) {
        return -1;
    }
    static char name[64];
    size_t l = strcspn(arg, ",");
    snprintf(name, sizeof(name), "%.*s", (int)(l < 63 ? l : 63), arg);
    selected = id;
    selected_set = true;
    selected_name = name;
    return 0;
}

const struct x86_cpuid *x86_cpu_model_selected(void)
{
    if (!selected_set) {
        from_model(&selected, &models[0]);
        selected_set = true;
    }
    return &selected;
}

const char *x86_cpu_model_name(void)
{
    return selected_name;
}

bool x86_cpu_model_qemu_words(const char *name, uint32_t *feat)
{
    const struct model *m = find_model(name);
    if (!m) {
        return false;
    }
    memcpy(feat, m->feat, sizeof(m->feat));
    return true;
}

const char *x86_cpu_model_nth(unsigned i, const char **desc)
{
    if (i < ARRAY_SIZE(models)) {
        *desc = models[i].model_id;
        return models[i].name;
    }
    i -= ARRAY_SIZE(models);
    if (i < ARRAY_SIZE(specials)) {
        *desc = specials[i].desc;
        return specials[i].name;
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_model(const void *a, const void *b)
{
    return strcmp(((const struct model *)a)->name,
                  ((const struct model *)b)->name);
}

/* The layout of QEMU's list: models sorted by name, each with its -v1
   version, then the special ones, then the feature names wrapped. */
void x86_cpu_model_help(FILE *f)
{
    struct model sorted[ARRAY_SIZE(models)];
    const char *names[X86_FW_N * 32];
    size_t n = 0, col = 0;

    memcpy(sorted, models, sizeof(models));
    qsort(sorted, ARRAY_SIZE(sorted), sizeof(sorted[0]), cmp_model);
    fprintf(f, "Available CPUs:\n");
    for (size_t i = 0; i < ARRAY_SIZE(sorted); i++) {
        char v1[64];
        snprintf(v1, sizeof(v1), "%s-v1", sorted[i].name);
        fprintf(f, "x86 %-20s  %s\n", sorted[i].name,
                "(alias configured by machine type)");
        fprintf(f, "x86 %-20s  %s\n", v1, sorted[i].model_id);
    }
    for (size_t i = 0; i < ARRAY_SIZE(specials); i++) {
        fprintf(f, "x86 %-20s  %s\n", specials[i].name, specials[i].desc);
    }
    for (int w = 0; w < X86_FW_N; w++) {
        for (int b = 0; b < 32; b++) {
            if (feat_names[w][b]) {
                names[n++] = feat_names[w][b];
            }
        }
    }
    qsort(names, n, sizeof(names[0]), cmp_str);
    fprintf(f, "\nRecognized CPUID flags:\n");
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(names[i]);
        if (col && col + 1 + l > 75) {
            fprintf(f, "\n");
            col = 0;
        }
        fprintf(f, "%s%s", col ? " " : "  ", names[i]);
        col += (col ? 1 : 2) + l;
    }
    fprintf(f, "\n");
}
