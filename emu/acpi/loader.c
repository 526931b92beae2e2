/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loader.c - the "etc/table-loader" command file that SeaBIOS executes to
 * place hemu's ACPI blobs in guest memory, relocate the pointers between
 * them and fix their checksums (QEMU's BIOS linker/loader interface as
 * SeaBIOS src/fw/romfile_loader.c reads it; the RSDP it places is ACPI 6.4
 * section 5.2.5.3).
 *
 * Each command is 128 bytes.  The firmware runs them in order, so a file
 * is allocated before anything points into it, and a table's checksum is
 * fixed after every pointer inside it has been patched.  loader_execute()
 * runs a script the same way for a guest started without firmware.
 */
#include "emu/osdep.h"

#include "emu/acpi/loader.h"   /* the API */
#include "emu/acpi/tables.h"   /* acpi_build */
#include "emu/hw/fw_cfg.h"     /* fw_cfg_add_file */

/* Copy a file name into a zero-padded 56-byte field; the names hemu uses
 * are constants well under the limit, so a longer one is a bug. */
static void loader_put_name(struct aml *l, size_t off, const char *name)
{
    size_t n = strlen(name);
    if (n >= LOADER_FILE_LEN) {
        fprintf(stderr, "hemu: loader file name too long: %s\n", name);
        abort();
    }
    memcpy(l->data + off, name, n);
}

static size_t loader_cmd(struct aml *l, uint32_t cmd)
{
    size_t off = aml_reserve(l, LOADER_CMD_SIZE);
    aml_put_le(l, off, cmd, 4);
    return off;
}

void loader_allocate(struct aml *l, const char *file, uint32_t align,
                     uint8_t zone)
{
    size_t off = loader_cmd(l, LOADER_ALLOCATE);
    loader_put_name(l, off + 4, file);
    aml_put_le(l, off + 4 + LOADER_FILE_LEN, align, 4);
    l->data[off + 8 + LOADER_FILE_LEN] = zone;
}

void loader_add_pointer(struct aml *l, const char *dest, const char *src,
                        uint32_t offset, uint8_t size)
{
    size_t off = loader_cmd(l, LOADER_ADD_POINTER);
    loader_put_name(l, off + 4, dest);
    loader_put_name(l, off + 4 + LOADER_FILE_LEN, src);
    aml_put_le(l, off + 4 + 2 * LOADER_FILE_LEN, offset, 4);
    l->data[off + 8 + 2 * LOADER_FILE_LEN] = size;
}

void loader_add_checksum(struct aml *l, const char *file, uint32_t offset,
                         uint32_t start, uint32_t len)
{
    size_t off = loader_cmd(l, LOADER_ADD_CHECKSUM);
    loader_put_name(l, off + 4, file);
    aml_put_le(l, off + 4 + LOADER_FILE_LEN, offset, 4);
    aml_put_le(l, off + 8 + LOADER_FILE_LEN, start, 4);
    aml_put_le(l, off + 12 + LOADER_FILE_LEN, len, 4);
}

/* ================================================================
 * The script for hemu's tables
 * ================================================================ */

/* Pointers inside one table of the tables blob, then its checksum: the
 * checksum has to come after every pointer it covers. */
static void loader_link_table(struct aml *l, size_t table, size_t len,
                              const uint32_t (*ptrs)[2], int nptrs)
{
    for (int i = 0; i < nptrs; i++) {
        loader_add_pointer(l, ACPI_TABLES_FILE, ACPI_TABLES_FILE,
                           (uint32_t)(table + ptrs[i][0]),
                           (uint8_t)ptrs[i][1]);
    }
    loader_add_checksum(l, ACPI_TABLES_FILE, (uint32_t)(table + 9),
                        (uint32_t)table, (uint32_t)len);
}

void acpi_build_loader(struct aml *l, const struct acpi_build *b)
{
    static const uint32_t fadt_ptrs[3][2] = {
        { FADT_FIRMWARE_CTRL, 4 }, { FADT_DSDT, 4 }, { FADT_X_DSDT, 8 },
    };
    int n = b->hpet_len ? 3 : 2;       /* RSDT/XSDT entries */
    uint32_t rsdt_ptrs[3][2], xsdt_ptrs[3][2];

    for (int i = 0; i < n; i++) {
        rsdt_ptrs[i][0] = ACPI_HEADER_SIZE + 4 * i;
        rsdt_ptrs[i][1] = 4;
        xsdt_ptrs[i][0] = ACPI_HEADER_SIZE + 8 * i;
        xsdt_ptrs[i][1] = 8;
    }
    /* Tables anywhere in RAM (64-aligned for the FACS at offset 0); SeaBIOS
     * reserves them in the e820 map. */
    loader_allocate(l, ACPI_TABLES_FILE, 64, LOADER_ZONE_HIGH);
    loader_link_table(l, b->dsdt, b->dsdt_len, NULL, 0);
    loader_link_table(l, b->fadt, b->fadt_len, fadt_ptrs, 3);
    loader_link_table(l, b->madt, b->madt_len, NULL, 0);
    if (b->hpet_len) {
        loader_link_table(l, b->hpet, b->hpet_len, NULL, 0);
    }
    loader_link_table(l, b->rsdt, b->rsdt_len, rsdt_ptrs, n);
    loader_link_table(l, b->xsdt, b->xsdt_len, xsdt_ptrs, n);
    /* The RSDP where the OS searches for it (5.2.5.1): the BIOS area.
     * Its first checksum covers 20 bytes, the extended one all 36. */
    loader_allocate(l, ACPI_RSDP_FILE, 16, LOADER_ZONE_FSEG);
    loader_add_pointer(l, ACPI_RSDP_FILE, ACPI_TABLES_FILE, 16, 4);
    loader_add_pointer(l, ACPI_RSDP_FILE, ACPI_TABLES_FILE, 24, 8);
    loader_add_checksum(l, ACPI_RSDP_FILE, 8, 0, 20);
    loader_add_checksum(l, ACPI_RSDP_FILE, 32, 0, 36);
}

/* ================================================================
 * Running a script
 * ================================================================ */

static uint64_t loader_get(const uint8_t *p, int size)
{
    uint64_t v = 0;
    for (int i = size - 1; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* The blob a name field refers to; NULL if unknown or not terminated. */
static struct loader_blob *loader_find(struct loader_blob *blobs, int n,
                                       const uint8_t *field)
{
    if (!memchr(field, 0, LOADER_FILE_LEN)) {
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        if (!strcmp(blobs[i].name, (const char *)field)) {
            return &blobs[i];
        }
    }
    return NULL;
}

static int loader_exec_one(const uint8_t *cmd, struct loader_blob *blobs,
                           int n, bool *placed)
{
    struct loader_blob *f = loader_find(blobs, n, cmd + 4);
    uint32_t type = (uint32_t)loader_get(cmd, 4);
    uint64_t v;

    if (!f) {
        return -EINVAL;
    }
    switch (type) {
    case LOADER_ALLOCATE: {
        uint32_t align = (uint32_t)loader_get(cmd + 60, 4);
        uint8_t zone = cmd[64];
        if ((align & (align - 1)) || (align && f->addr % align)) {
            return -EINVAL;
        }
        if (zone == LOADER_ZONE_FSEG &&
            (f->addr < 0xe0000 || f->addr + f->len > 0x100000)) {
            return -EINVAL;
        }
        if (zone != LOADER_ZONE_FSEG && zone != LOADER_ZONE_HIGH) {
            return -EINVAL;
        }
        placed[f - blobs] = true;
        return 0;
    }
    case LOADER_ADD_POINTER: {
        struct loader_blob *src = loader_find(blobs, n, cmd + 60);
        uint32_t off = (uint32_t)loader_get(cmd + 116, 4);
        uint8_t size = cmd[120];
        if (!src || !placed[f - blobs] || !placed[src - blobs] ||
            (size != 1 && size != 2 && size != 4 && size != 8) ||
            off > f->len || f->len - off < size) {
            return -EINVAL;
        }
        v = loader_get(f->data + off, size) + src->addr;
        for (int i = 0; i < size; i++) {
            f->data[off + i] = (uint8_t)(v >> (8 * i));
        }
        return 0;
    }
    case LOADER_ADD_CHECKSUM: {
        uint32_t res = (uint32_t)loader_get(cmd + 60, 4);
        uint32_t start = (uint32_t)loader_get(cmd + 64, 4);
        uint32_t len = (uint32_t)loader_get(cmd + 68, 4);
        uint8_t sum = 0;
        if (!placed[f - blobs] || res >= f->len || start > f->len ||
            f->len - start < len) {
            return -EINVAL;
        }
        for (uint32_t i = 0; i < len; i++) {
            sum += f->data[start + i];
        }
        f->data[res] -= sum;
        return 0;
    }
    default:
        /* SeaBIOS skips commands it does not know; hemu writes none. */
        return -EINVAL;
    }
}

int loader_execute(const uint8_t *script, size_t len,
                   struct loader_blob *blobs, int n)
{
    bool placed[16] = { false };

    if (n < 0 || n > (int)ARRAY_SIZE(placed) || len % LOADER_CMD_SIZE) {
        return -EINVAL;
    }
    for (size_t off = 0; off < len; off += LOADER_CMD_SIZE) {
        int ret = loader_exec_one(script + off, blobs, n, placed);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

/* ================================================================
 * fw_cfg
 * ================================================================ */

int acpi_setup_fw_cfg(struct fw_cfg *f, const struct acpi_config *c)
{
    struct acpi_build b;
    int ret = acpi_build(c, &b);

    if (ret < 0) {
        return ret;
    }
    /* The loader script references the other two, but SeaBIOS looks them
     * up by name when it runs, so the order here does not matter. */
    if (fw_cfg_add_file(f, ACPI_TABLES_FILE, b.tables.data,
                        b.tables.len) < 0 ||
        fw_cfg_add_file(f, ACPI_RSDP_FILE, b.rsdp.data, b.rsdp.len) < 0 ||
        fw_cfg_add_file(f, ACPI_LOADER_FILE, b.loader.data,
                        b.loader.len) < 0) {
        ret = -ENOSPC;
    }
    acpi_build_free(&b);
    return ret;
}
