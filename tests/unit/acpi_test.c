/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * acpi_test.c - the pc machine's ACPI tables (emu/acpi/tables.c, dsdt.c)
 * and their loader script (emu/acpi/loader.c): checksums and lengths
 * (ACPI 6.4 5.2), RSDP checksums (5.2.5.3), MADT entries (5.2.12), FADT
 * fields (5.2.9), the loader commands as SeaBIOS would run them, and
 * `iasl -d` from Debian's acpica-tools disassembling every table without
 * errors or warnings.
 */
#include "emu/osdep.h"

#include <sys/wait.h>

#include "emu/acpi/loader.h"
#include "emu/acpi/tables.h"
#include "emu/hw/fw_cfg.h"
#include "emu/mem/mem.h"
#include "tests/unit/test.h"

static uint32_t rd32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--) {
        s += *p++;
    }
    return s;
}

static void config(struct acpi_config *c, unsigned ncpus)
{
    acpi_config_init(c, ncpus, 0x80000000ull, 0x40000000ull);
}

/* Every table in the blob, with its expected signature. */
static void check_table(const struct acpi_build *b, size_t off, size_t len,
                        const char *sig)
{
    const uint8_t *t = b->tables.data + off;
    EXPECT(off + len <= b->tables.len);
    EXPECT(!memcmp(t, sig, 4));
    EXPECT_EQ(rd32(t + 4), len);
    EXPECT_EQ(sum(t, len), 0);
}

static void check_all(const struct acpi_config *c)
{
    struct acpi_build b;
    EXPECT_EQ(acpi_build(c, &b), 0);
    check_table(&b, b.dsdt, b.dsdt_len, "DSDT");
    check_table(&b, b.fadt, b.fadt_len, "FACP");
    check_table(&b, b.madt, b.madt_len, "APIC");
    if (c->hpet) {
        check_table(&b, b.hpet, b.hpet_len, "HPET");
    }
    check_table(&b, b.rsdt, b.rsdt_len, "RSDT");
    check_table(&b, b.xsdt, b.xsdt_len, "XSDT");
    EXPECT_EQ(sum(b.rsdp.data, 20), 0);
    EXPECT_EQ(sum(b.rsdp.data, 36), 0);
    acpi_build_free(&b);
}

TEST(checksums_many_configs)
{
    struct acpi_config c;
    static const unsigned cpus[] = { 1, 2, 4, 8, 9, 64, 255 };
    for (size_t i = 0; i < ARRAY_SIZE(cpus); i++) {
        for (int hpet = 0; hpet < 2; hpet++) {
            config(&c, cpus[i]);
            c.hpet = hpet;
            c.com[1] = c.com[3] = (i & 1);
            c.pwrbtn_method = hpet;
            c.pwrbtn_gpe = 1;
            c.s3 = c.s4 = (i & 2);
            c.lnks = !(i & 4);
            check_all(&c);
        }
    }
}

TEST(rsdp)
{
    struct acpi_config c;
    struct acpi_build b;
    config(&c, 2);
    EXPECT_EQ(acpi_build(&c, &b), 0);
    const uint8_t *r = b.rsdp.data;
    EXPECT_EQ(b.rsdp.len, 36);
    EXPECT(!memcmp(r, "RSD PTR ", 8));
    EXPECT_EQ(r[15], 2);
    EXPECT_EQ(rd32(r + 16), b.rsdt);
    EXPECT_EQ(rd32(r + 20), 36);
    EXPECT_EQ(rd64(r + 24), b.xsdt);
    EXPECT_EQ(sum(r, 20), 0);
    EXPECT_EQ(sum(r, 36), 0);
    acpi_build_free(&b);
}

TEST(lengths_and_sdt_entries)
{
    struct acpi_config c;
    struct acpi_build b;
    config(&c, 4);
    EXPECT_EQ(acpi_build(&c, &b), 0);
    const uint8_t *t = b.tables.data;
    EXPECT_EQ(b.facs, 0);
    EXPECT(!memcmp(t, "FACS", 4));
    EXPECT_EQ(rd32(t + 4), 64);
    EXPECT_EQ(b.fadt_len, 244);
    EXPECT_EQ(t[b.fadt + 8], 3);
    EXPECT_EQ(b.hpet_len, 56);
    EXPECT_EQ(b.rsdt_len, 36 + 3 * 4);
    EXPECT_EQ(b.xsdt_len, 36 + 3 * 8);
    EXPECT_EQ(rd32(t + b.rsdt + 36), b.fadt);
    EXPECT_EQ(rd32(t + b.rsdt + 40), b.madt);
    EXPECT_EQ(rd32(t + b.rsdt + 44), b.hpet);
    EXPECT_EQ(rd64(t + b.xsdt + 36), b.fadt);
    EXPECT_EQ(rd64(t + b.xsdt + 44), b.madt);
    EXPECT_EQ(rd64(t + b.xsdt + 52), b.hpet);
    acpi_build_free(&b);

    c.hpet = false;
    EXPECT_EQ(acpi_build(&c, &b), 0);
    EXPECT_EQ(b.rsdt_len, 36 + 2 * 4);
    EXPECT_EQ(b.xsdt_len, 36 + 2 * 8);
    EXPECT_EQ(b.hpet_len, 0);
    acpi_build_free(&b);
}

TEST(fadt_fields)
{
    struct acpi_config c;
    struct acpi_build b;
    config(&c, 2);
    EXPECT_EQ(acpi_build(&c, &b), 0);
    const uint8_t *f = b.tables.data + b.fadt;
    EXPECT_EQ(rd32(f + 36), b.facs);                   /* FIRMWARE_CTRL */
    EXPECT_EQ(rd32(f + 40), b.dsdt);
    EXPECT_EQ(f[46] | (f[47] << 8), 9);                /* SCI_INT */
    EXPECT_EQ(rd32(f + 48), 0xb2);
    EXPECT_EQ(f[52], 0xf1);
    EXPECT_EQ(f[53], 0xf0);
    EXPECT_EQ(rd32(f + 56), 0x600);                    /* PM1a_EVT */
    EXPECT_EQ(rd32(f + 64), 0x604);                    /* PM1a_CNT */
    EXPECT_EQ(rd32(f + 76), 0x608);                    /* PM_TMR */
    EXPECT_EQ(rd32(f + 80), 0xafe0);                   /* GPE0 */
    EXPECT_EQ(f[88], 4);
    EXPECT_EQ(f[89], 2);
    EXPECT_EQ(f[91], 4);
    EXPECT_EQ(f[92], 4);
    uint32_t flags = rd32(f + 112);
    EXPECT(flags & (1u << 10));                        /* RESET_REG_SUP */
    EXPECT(!(flags & (1u << 4)));                      /* fixed PWR_BUTTON */
    EXPECT(!(flags & (1u << 8)));                      /* 24-bit timer */
    EXPECT_EQ(f[116], 1);                              /* RESET_REG: I/O */
    EXPECT_EQ(f[117], 8);
    EXPECT_EQ(rd64(f + 120), 0xcf9);
    EXPECT_EQ(f[128], 0x06);
    EXPECT_EQ(rd64(f + 132), 0);                       /* X_FIRMWARE_CTRL */
    EXPECT_EQ(rd64(f + 140), b.dsdt);                  /* X_DSDT */
    EXPECT_EQ(f[148], 1);                              /* X_PM1a_EVT */
    EXPECT_EQ(f[149], 32);
    EXPECT_EQ(rd64(f + 152), 0x600);
    EXPECT_EQ(rd64(f + 212), 0x608);                   /* X_PM_TMR */
    EXPECT_EQ(rd64(f + 224), 0xafe0);                  /* X_GPE0 */
    acpi_build_free(&b);

    c.pwrbtn_method = true;
    c.pwrbtn_gpe = 1;
    c.ncpus = 9;
    EXPECT_EQ(acpi_build(&c, &b), 0);
    flags = rd32(b.tables.data + b.fadt + 112);
    EXPECT(flags & (1u << 4));
    EXPECT(flags & (1u << 19));                        /* physical dest */
    acpi_build_free(&b);
}

/* Walk the MADT: count entries per type and check the CPUs. */
static void check_madt(unsigned ncpus, const uint8_t *apic_ids)
{
    struct acpi_config c;
    struct acpi_build b;
    int count[8] = { 0 };
    config(&c, ncpus);
    c.apic_ids = apic_ids;
    EXPECT_EQ(acpi_build(&c, &b), 0);
    const uint8_t *m = b.tables.data + b.madt;
    EXPECT_EQ(b.madt_len, 44 + 8 * ncpus + 12 + 5 * 10 + 6);
    EXPECT_EQ(rd32(m + 36), 0xfee00000);
    EXPECT_EQ(rd32(m + 40), 1);
    for (size_t off = 44; off < b.madt_len;) {
        const uint8_t *e = m + off;
        EXPECT(e[1] >= 2);
        if (e[1] < 2) {
            break;
        }
        if (e[0] < 8) {
            count[e[0]]++;
        }
        if (e[0] == 0) {
            unsigned uid = e[2];
            EXPECT_EQ(uid, count[0] - 1);
            EXPECT_EQ(e[3], apic_ids ? apic_ids[uid] : uid);
            EXPECT_EQ(rd32(e + 4), 1);
        } else if (e[0] == 1) {
            EXPECT_EQ(e[2], 0);
            EXPECT_EQ(rd32(e + 4), 0xfec00000);
            EXPECT_EQ(rd32(e + 8), 0);
        } else if (e[0] == 2) {
            unsigned irq = e[3], flags = e[8] | (e[9] << 8);
            if (irq == 0) {
                EXPECT_EQ(rd32(e + 4), 2);
                EXPECT_EQ(flags, 0);
            } else {
                EXPECT(irq == 5 || irq == 9 || irq == 10 || irq == 11);
                EXPECT_EQ(rd32(e + 4), irq);
                EXPECT_EQ(flags, 0x0d);
            }
        } else if (e[0] == 4) {
            EXPECT_EQ(e[2], 0xff);
            EXPECT_EQ(e[5], 1);                        /* LINT1 */
        }
        off += e[1];
    }
    EXPECT_EQ(count[0], ncpus);
    EXPECT_EQ(count[1], 1);
    EXPECT_EQ(count[2], 5);
    EXPECT_EQ(count[4], 1);
    acpi_build_free(&b);
}

TEST(madt_per_cpu_count)
{
    static const uint8_t ids[4] = { 0, 2, 4, 6 };
    check_madt(1, NULL);
    check_madt(4, NULL);
    check_madt(4, ids);
    check_madt(255, NULL);
}

/* Decode one AML integer (the forms aml_int() writes); returns its size. */
static int aml_read_int(const uint8_t *p, uint64_t *v)
{
    switch (p[0]) {
    case 0x00: *v = 0; return 1;
    case 0x01: *v = 1; return 1;
    case 0x0a: *v = p[1]; return 2;
    case 0x0b: *v = p[1] | (p[2] << 8); return 3;
    case 0x0c: *v = rd32(p + 1); return 5;
    default: *v = ~0ull; return 1;
    }
}

static const uint8_t *find_bytes(const uint8_t *h, size_t hn, const void *n,
                                 size_t nn)
{
    return memmem(h, hn, n, nn);
}

/* Walk _PRT's 128 entries: slot s pin p -> LNK[(p + s - 1) mod 4], and
 * slot 1 INTA -> LNKS. */
TEST(dsdt_prt_swizzle)
{
    struct acpi_config c;
    struct acpi_build b;
    config(&c, 1);
    EXPECT_EQ(acpi_build(&c, &b), 0);
    const uint8_t *d = b.tables.data + b.dsdt;
    const uint8_t *p = find_bytes(d, b.dsdt_len, "_PRT", 4);
    EXPECT(p != NULL);
    if (!p) {
        acpi_build_free(&b);
        return;
    }
    /* Package (0x80): opcode, 2-byte PkgLength, count */
    EXPECT_EQ(p[4], 0x12);
    EXPECT_EQ(p[7], 0x80);
    p += 8;
    for (int i = 0; i < 128; i++) {
        int slot = i / 4, pin = i % 4;
        uint64_t addr, v;
        EXPECT_EQ(p[0], 0x12);
        EXPECT_EQ(p[2], 4);
        const uint8_t *q = p + 3;
        q += aml_read_int(q, &addr);
        EXPECT_EQ(addr, ((uint64_t)slot << 16) | 0xffff);
        q += aml_read_int(q, &v);
        EXPECT_EQ(v, pin);
        char want[5] = "LNKA";
        if (slot == 1 && pin == 0) {
            want[3] = 'S';
        } else {
            want[3] = (char)('A' + ((pin + slot - 1) & 3));
        }
        if (memcmp(q, want, 4)) {
            printf("#   slot %d pin %d: %.4s, want %s\n", slot, pin,
                   (const char *)q, want);
            test_failed_now = 1;
        }
        EXPECT_EQ(q[4], 0x00);
        p += 1 + p[1];                 /* one-byte PkgLength */
    }
    acpi_build_free(&b);
}

/* \_S5 is Package (4) { 0, 0, 0, 0 }: PIIX4 SLP_TYP 0 is soft-off. */
TEST(dsdt_sleep_states)
{
    static const uint8_t s5[] = { 0x08, 0x5c, '_', 'S', '5', '_',
                                  0x12, 0x06, 0x04, 0, 0, 0, 0 };
    static const uint8_t s3[] = { 0x08, 0x5c, '_', 'S', '3', '_',
                                  0x12, 0x06, 0x04, 1, 1, 0, 0 };
    struct acpi_config c;
    struct acpi_build b;
    config(&c, 1);
    EXPECT_EQ(acpi_build(&c, &b), 0);
    const uint8_t *d = b.tables.data + b.dsdt;
    EXPECT(find_bytes(d, b.dsdt_len, s5, sizeof(s5)) != NULL);
    EXPECT(find_bytes(d, b.dsdt_len, s3, sizeof(s3)) != NULL);
    acpi_build_free(&b);
    c.s3 = false;
    EXPECT_EQ(acpi_build(&c, &b), 0);
    d = b.tables.data + b.dsdt;
    EXPECT(find_bytes(d, b.dsdt_len, s5, sizeof(s5)) != NULL);
    EXPECT(find_bytes(d, b.dsdt_len, s3, sizeof(s3)) == NULL);
    acpi_build_free(&b);
}

TEST(bad_configs)
{
    struct acpi_config c;
    struct acpi_build b;
    config(&c, 0);
    EXPECT_EQ(acpi_build(&c, &b), -EINVAL);
    acpi_build_free(&b);
    config(&c, 256);
    EXPECT_EQ(acpi_build(&c, &b), -EINVAL);
    acpi_build_free(&b);
    config(&c, 1);
    c.pci_hole_start = 0xf0000000;
    c.pci_hole_end = 0xe0000000;
    EXPECT_EQ(acpi_build(&c, &b), -EINVAL);
    acpi_build_free(&b);
}

/* ================================================================
 * The loader script, run as SeaBIOS would
 * ================================================================ */

struct sim_file {
    const char *name;
    uint8_t *data;
    size_t len;
    uint64_t addr;
    bool allocated;
};

static struct sim_file *sim_find(struct sim_file *f, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        if (!strncmp(f[i].name, name, LOADER_FILE_LEN)) {
            return &f[i];
        }
    }
    return NULL;
}

TEST(loader_commands)
{
    struct acpi_config c;
    struct acpi_build b;
    config(&c, 4);
    EXPECT_EQ(acpi_build(&c, &b), 0);
    struct sim_file files[2] = {
        { "etc/acpi/tables", malloc(b.tables.len), b.tables.len,
          0x7ffe0000, false },
        { "etc/acpi/rsdp", malloc(b.rsdp.len), b.rsdp.len, 0xf5a40, false },
    };
    memcpy(files[0].data, b.tables.data, b.tables.len);
    memcpy(files[1].data, b.rsdp.data, b.rsdp.len);
    EXPECT_EQ(b.loader.len % LOADER_CMD_SIZE, 0);

    int nalloc = 0, nptr = 0, nsum = 0;
    for (size_t off = 0; off < b.loader.len; off += LOADER_CMD_SIZE) {
        const uint8_t *cmd = b.loader.data + off;
        uint32_t type = rd32(cmd);
        struct sim_file *f = sim_find(files, 2, (const char *)cmd + 4);
        EXPECT(f != NULL);
        if (!f) {
            break;
        }
        if (type == LOADER_ALLOCATE) {
            uint32_t align = rd32(cmd + 60);
            EXPECT(!f->allocated);
            f->allocated = true;
            EXPECT_EQ(f->addr % align, 0);
            if (f == &files[0]) {
                EXPECT_EQ(align, 64);
                EXPECT_EQ(cmd[64], LOADER_ZONE_HIGH);
            } else {
                EXPECT_EQ(align, 16);
                EXPECT_EQ(cmd[64], LOADER_ZONE_FSEG);
            }
            nalloc++;
        } else if (type == LOADER_ADD_POINTER) {
            struct sim_file *src = sim_find(files, 2, (const char *)cmd + 60);
            uint32_t at = rd32(cmd + 116);
            uint8_t size = cmd[120];
            EXPECT(src && src->allocated && f->allocated);
            EXPECT(size == 4 || size == 8);
            EXPECT(at + size <= f->len);
            if (!src || at + size > f->len) {
                break;
            }
            uint64_t v = size == 4 ? rd32(f->data + at) : rd64(f->data + at);
            v += src->addr;
            for (int i = 0; i < size; i++) {
                f->data[at + i] = (uint8_t)(v >> (8 * i));
            }
            nptr++;
        } else if (type == LOADER_ADD_CHECKSUM) {
            uint32_t res = rd32(cmd + 60), start = rd32(cmd + 64);
            uint32_t len = rd32(cmd + 68);
            EXPECT(start + len <= f->len && res >= start &&
                   res < start + len);
            if (start + len > f->len) {
                break;
            }
            f->data[res] -= sum(f->data + start, len);
            nsum++;
        } else {
            EXPECT(0);
        }
    }
    EXPECT_EQ(nalloc, 2);
    /* FADT 3, RSDT 3, XSDT 3, RSDP 2 */
    EXPECT_EQ(nptr, 11);
    /* DSDT, FADT, MADT, HPET, RSDT, XSDT, RSDP x2 */
    EXPECT_EQ(nsum, 8);

    /* After relocation: every pointer is an address, every sum 0. */
    const uint8_t *t = files[0].data, *r = files[1].data;
    uint64_t base = files[0].addr;
    EXPECT_EQ(sum(r, 20), 0);
    EXPECT_EQ(sum(r, 36), 0);
    EXPECT_EQ(rd32(r + 16), base + b.rsdt);
    EXPECT_EQ(rd64(r + 24), base + b.xsdt);
    EXPECT_EQ(sum(t + b.rsdt, b.rsdt_len), 0);
    EXPECT_EQ(sum(t + b.xsdt, b.xsdt_len), 0);
    EXPECT_EQ(sum(t + b.fadt, b.fadt_len), 0);
    EXPECT_EQ(sum(t + b.dsdt, b.dsdt_len), 0);
    EXPECT_EQ(rd32(t + b.rsdt + 36), base + b.fadt);
    EXPECT_EQ(rd64(t + b.xsdt + 44), base + b.madt);
    EXPECT_EQ(rd32(t + b.fadt + 36), base + b.facs);
    EXPECT_EQ(rd32(t + b.fadt + 40), base + b.dsdt);
    EXPECT_EQ(rd64(t + b.fadt + 140), base + b.dsdt);

    /* loader_execute() gives the same bytes as this simulation. */
    struct loader_blob blobs[2] = {
        { ACPI_TABLES_FILE, b.tables.data, b.tables.len, files[0].addr },
        { ACPI_RSDP_FILE, b.rsdp.data, b.rsdp.len, files[1].addr },
    };
    EXPECT_EQ(loader_execute(b.loader.data, b.loader.len, blobs, 2), 0);
    EXPECT(!memcmp(b.tables.data, files[0].data, b.tables.len));
    EXPECT(!memcmp(b.rsdp.data, files[1].data, b.rsdp.len));
    free(files[0].data);
    free(files[1].data);
    acpi_build_free(&b);
}

TEST(loader_execute_rejects)
{
    struct acpi_config c;
    struct acpi_build b;
    config(&c, 1);
    EXPECT_EQ(acpi_build(&c, &b), 0);
    struct loader_blob blobs[2] = {
        { ACPI_TABLES_FILE, b.tables.data, b.tables.len, 0x100040 },
        { ACPI_RSDP_FILE, b.rsdp.data, b.rsdp.len, 0xf0000 },
    };
    /* misaligned tables (64 wanted) */
    EXPECT_EQ(loader_execute(b.loader.data, b.loader.len, blobs, 2), 0);
    blobs[0].addr = 0x100020;
    EXPECT_EQ(loader_execute(b.loader.data, b.loader.len, blobs, 2),
              -EINVAL);
    /* RSDP outside the F segment */
    blobs[0].addr = 0x100000;
    blobs[1].addr = 0x200000;
    EXPECT_EQ(loader_execute(b.loader.data, b.loader.len, blobs, 2),
              -EINVAL);
    /* a file the script names is missing */
    blobs[1].addr = 0xf0000;
    EXPECT_EQ(loader_execute(b.loader.data, b.loader.len, blobs, 1),
              -EINVAL);
    /* a truncated command */
    EXPECT_EQ(loader_execute(b.loader.data, b.loader.len - 1, blobs, 2),
              -EINVAL);
    acpi_build_free(&b);

    /* a pointer into a file that was never allocated, out of range */
    struct aml l = { 0 };
    uint8_t buf[16] = { 0 };
    struct loader_blob one[2] = { { "a", buf, sizeof(buf), 0x1000 },
                                  { "b", buf, sizeof(buf), 0x2000 } };
    loader_allocate(&l, "a", 16, LOADER_ZONE_HIGH);
    loader_add_pointer(&l, "a", "b", 0, 4);
    EXPECT_EQ(loader_execute(l.data, l.len, one, 2), -EINVAL);
    aml_free(&l);
    loader_allocate(&l, "a", 16, LOADER_ZONE_HIGH);
    loader_add_pointer(&l, "a", "a", 12, 8);
    EXPECT_EQ(loader_execute(l.data, l.len, one, 2), -EINVAL);
    aml_free(&l);
    loader_allocate(&l, "a", 16, LOADER_ZONE_HIGH);
    loader_add_pointer(&l, "a", "a", 8, 8);
    loader_add_checksum(&l, "a", 0, 0, 16);
    EXPECT_EQ(loader_execute(l.data, l.len, one, 2), 0);
    EXPECT_EQ(rd64(buf + 8), 0x1000);
    EXPECT_EQ(sum(buf, 16), 0);
    aml_free(&l);
}

TEST(loader_command_layout)
{
    struct aml l = { 0 };
    loader_allocate(&l, "etc/acpi/rsdp", 16, LOADER_ZONE_FSEG);
    loader_add_pointer(&l, "a", "b", 0x1234, 8);
    loader_add_checksum(&l, "c", 9, 0x40, 0x100);
    EXPECT_EQ(l.len, 3 * 128);
    const uint8_t *p = l.data;
    EXPECT_EQ(rd32(p), 1);
    EXPECT_STR((const char *)p + 4, "etc/acpi/rsdp");
    EXPECT_EQ(rd32(p + 60), 16);
    EXPECT_EQ(p[64], 2);
    p += 128;
    EXPECT_EQ(rd32(p), 2);
    EXPECT_STR((const char *)p + 4, "a");
    EXPECT_STR((const char *)p + 60, "b");
    EXPECT_EQ(rd32(p + 116), 0x1234);
    EXPECT_EQ(p[120], 8);
    p += 128;
    EXPECT_EQ(rd32(p), 3);
    EXPECT_STR((const char *)p + 4, "c");
    EXPECT_EQ(rd32(p + 60), 9);
    EXPECT_EQ(rd32(p + 64), 0x40);
    EXPECT_EQ(rd32(p + 68), 0x100);
    for (int i = 72; i < 128; i++) {
        EXPECT_EQ(p[i], 0);
    }
    aml_free(&l);
}

TEST(fw_cfg_files)
{
    struct addr_space *io = as_new("io", 0x10000, ~0ULL);
    struct addr_space *mem = as_new("mem", 1ULL << 32, 0);
    struct fw_cfg *fw = fw_cfg_new(io, 0x510, mem);
    struct acpi_config c;
    size_t len;

    config(&c, 2);
    EXPECT_EQ(acpi_setup_fw_cfg(fw, &c), 0);
    EXPECT(fw_cfg_file(fw, "etc/acpi/tables", &len) != NULL);
    EXPECT(len > 1000);
    EXPECT(fw_cfg_file(fw, "etc/acpi/rsdp", &len) != NULL);
    EXPECT_EQ(len, 36);
    const uint8_t *l = fw_cfg_file(fw, "etc/table-loader", &len);
    EXPECT(l != NULL);
    EXPECT_EQ(len % 128, 0);
    fw_cfg_free(fw);
    as_free(mem);
    as_free(io);
}

/* ================================================================
 * iasl -d (Debian acpica-tools)
 * ================================================================ */

/* Run cmd through the shell; its output (stdout and stderr) goes to out.
 * Returns the exit status, -1 if it did not run. */
static int run(const char *cmd, char *out, size_t outlen)
{
    FILE *p = popen(cmd, "r");
    size_t n = 0;
    if (!p) {
        return -1;
    }
    while (n + 1 < outlen) {
        size_t got = fread(out + n, 1, outlen - 1 - n, p);
        if (!got) {
            break;
        }
        n += got;
    }
    out[n] = 0;
    /* drain anything beyond the buffer */
    char sink[512];
    while (fread(sink, 1, sizeof(sink), p) > 0) {
    }
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc(n + 1);
    if (s && fread(s, 1, n, f) != (size_t)n) {
        n = 0;
    }
    if (s) {
        s[n] = 0;
    }
    fclose(f);
    return s;
}

static bool write_file(const char *dir, const char *name, const void *p,
                       size_t n)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        return false;
    }
    bool ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* iasl prints problems as "Error ####", "Warning ####" (or ACPI Error /
 * ACPI Warning from the table walker) and puts "Invalid" or "****" marks
 * in data-table disassemblies.  The DSDT header's "**** 32-bit table
 * (V1)" note is information, not a problem. */
static bool iasl_clean(const char *text)
{
    const char *bad[] = { "Error", "error", "Warning", "warning", "Invalid",
                          "does not contain", "unknown", "Unknown" };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        if (strstr(text, bad[i])) {
            printf("#   iasl output contains \"%s\"\n", bad[i]);
            return false;
        }
    }
    return true;
}

static bool have_iasl(void)
{
    char out[256];
    return run("command -v iasl 2>&1", out, sizeof(out)) == 0;
}

/* Disassemble dir/name.dat; returns the .dsl text or NULL on any problem. */
static char *iasl_disassemble(const char *dir, const char *name)
{
    static char out[65536];
    char cmd[1024], path[512];
    snprintf(cmd, sizeof(cmd), "cd '%s' && iasl -d %s.dat 2>&1", dir, name);
    int st = run(cmd, out, sizeof(out));
    if (st != 0 || !iasl_clean(out)) {
        printf("#   iasl -d %s.dat: status %d\n%s\n", name, st, out);
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/%s.dsl", dir, name);
    char *dsl = read_all(path);
    if (!dsl) {
        printf("#   iasl -d %s.dat wrote no %s.dsl\n", name, name);
        return NULL;
    }
    /* Data tables: the decoder's own complaints live in the output. */
    const char *p = strstr(dsl, "*/");
    if (!iasl_clean(p ? p : dsl)) {
        printf("#   in %s.dsl\n", name);
        free(dsl);
        return NULL;
    }
    return dsl;
}

static void expect_in(const char *text, const char *what)
{
    if (!text || !strstr(text, what)) {
        printf("#   disassembly lacks \"%s\"\n", what);
        test_failed_now = 1;
    }
}

static void iasl_check(const struct acpi_config *c, bool method_button)
{
    static const struct {
        const char *name;
        int which;
    } tabs[] = {
        { "dsdt", 0 }, { "facp", 1 }, { "apic", 2 }, { "hpet", 3 },
        { "rsdt", 4 }, { "xsdt", 5 }, { "facs", 6 },
    };
    char dir[] = "/tmp/hemu-acpi-XXXXXX";
    struct acpi_build b;
    char *dsl[7] = { 0 };

    if (!have_iasl()) {
        printf("#   iasl not found: install Debian's acpica-tools "
               "(scripts/install-deps.sh)\n");
        test_failed_now = 1;
        return;
    }
    EXPECT(mkdtemp(dir) != NULL);
    EXPECT_EQ(acpi_build(c, &b), 0);
    const size_t off[7] = { b.dsdt, b.fadt, b.madt, b.hpet, b.rsdt, b.xsdt,
                            b.facs };
    const size_t len[7] = { b.dsdt_len, b.fadt_len, b.madt_len, b.hpet_len,
                            b.rsdt_len, b.xsdt_len, 64 };
    for (size_t i = 0; i < ARRAY_SIZE(tabs); i++) {
        char file[32];
        int w = tabs[i].which;
        if (!len[w]) {
            continue;
        }
        snprintf(file, sizeof(file), "%s.dat", tabs[i].name);
        EXPECT(write_file(dir, file, b.tables.data + off[w], len[w]));
        dsl[w] = iasl_disassemble(dir, tabs[i].name);
        EXPECT(dsl[w] != NULL);
    }

    /* The DSDT's devices. */
    expect_in(dsl[0], "Device (PCI0)");
    expect_in(dsl[0], "EisaId (\"PNP0A03\")");
    expect_in(dsl[0], "Name (_PRT, Package (0x80)");
    expect_in(dsl[0], "Device (LNKA)");
    expect_in(dsl[0], "Device (LNKD)");
    expect_in(dsl[0], "Method (_SRS, 1");
    expect_in(dsl[0], "Device (COM1)");
    expect_in(dsl[0], "EisaId (\"PNP0501\")");
    expect_in(dsl[0], "Device (RTC)");
    expect_in(dsl[0], "Device (KBD)");
    expect_in(dsl[0], "Device (MOU)");
    if (c->hpet) {
        expect_in(dsl[0], "Device (HPET)");
        expect_in(dsl[3], "Address : 00000000FED00000");
    } else {
        EXPECT(!dsl[0] || !strstr(dsl[0], "Device (HPET)"));
    }
    expect_in(dsl[0], "Device (C000)");
    expect_in(dsl[0], "Name (\\_S5, Package (0x04)");
    expect_in(dsl[0], "0x0CF7,             // Range Maximum");
    expect_in(dsl[0], "0xFEBFFFFF,         // Range Maximum");
    if (method_button) {
        expect_in(dsl[0], "Device (PWRB)");
        expect_in(dsl[0], "EisaId (\"PNP0C0C\")");
        expect_in(dsl[0], "Notify (\\_SB.PWRB, 0x80)");
        expect_in(dsl[1], "Control Method Power Button (V1) : 1");
    } else {
        /* The fixed-feature power button: the FADT flag stays clear. */
        expect_in(dsl[1], "Control Method Power Button (V1) : 0");
    }
    expect_in(dsl[1], "Reset Register Supported (V2) : 1");
    expect_in(dsl[1], "Address : 0000000000000CF9");
    expect_in(dsl[2], "Subtable Type : 00 [Processor Local APIC]");
    expect_in(dsl[2], "Subtable Type : 02 [Interrupt Source Override]");
    expect_in(dsl[2], "Subtable Type : 04 [Local APIC NMI]");

    /* The disassembly must also compile back without errors or
     * warnings (remarks are fine). */
    if (dsl[0]) {
        static char out[65536];
        char cmd[1024];
        snprintf(cmd, sizeof(cmd),
                 "cd '%s' && cp dsdt.dsl re.dsl && iasl re.dsl 2>&1", dir);
        int st = run(cmd, out, sizeof(out));
        if (st != 0 || !strstr(out, "0 Errors, 0 Warnings")) {
            printf("#   recompiling the DSDT: status %d\n%s\n", st, out);
            test_failed_now = 1;
        }
    }

    for (int i = 0; i < 7; i++) {
        free(dsl[i]);
    }
    acpi_build_free(&b);
    char cmd[600], out[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    run(cmd, out, sizeof(out));
}

TEST(iasl_disassembles_tables)
{
    struct acpi_config c;
    config(&c, 4);
    c.com[1] = true;
    iasl_check(&c, false);
}

TEST(iasl_method_power_button)
{
    struct acpi_config c;
    config(&c, 16);
    c.com[0] = c.com[1] = c.com[2] = c.com[3] = true;
    c.pwrbtn_method = true;
    c.pwrbtn_gpe = 1;
    c.s3 = c.s4 = false;
    iasl_check(&c, true);
}

TEST(iasl_no_hpet_one_cpu)
{
    struct acpi_config c;
    acpi_config_init(&c, 1, 128 << 20, 0);
    c.hpet = false;
    c.lnks = false;
    iasl_check(&c, false);
}

TEST_MAIN()
