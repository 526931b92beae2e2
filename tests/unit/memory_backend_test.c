/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory_backend_test.c - checks the memory back end objects
 * (emu/mem/memory-backend.c) and the fd-backed RAM regions they give
 * (emu/mem/mem.c): QEMU's size rules and messages, a memfd shared mapping
 * that another view of the fd sees, the flattened ranges vhost-user sends,
 * and the vhost-user reply checks (netdev/vhost-user-msg.c).
 */
#include "emu/osdep.h"

#include "emu/cli/keyval.h"
#include "emu/mem/mem.h"
#include "emu/mem/memory-backend.h"
#include "emu/util/err.h"
#include "netdev/vhost-user-msg.h"
#include "tests/unit/test.h"

static char msgbuf[512];

static int add(const char *type, const char *arg)
{
    struct kvlist *kv = kvlist_new();
    struct err *e = NULL;
    int r = kvlist_parse(kv, arg, NULL, &e);
    if (r == 0) {
        r = mem_backend_add(type, kv, &e);
    }
    snprintf(msgbuf, sizeof(msgbuf), "%s", e ? e->msg : "");
    err_free(e);
    kvlist_free(kv);
    return r;
}

struct ranges {
    int n;
    uint64_t base[8], len[8], off[8];
};

static void collect(void *opaque, uint64_t base, uint64_t len,
                    struct mem_region *mr, uint64_t off)
{
    struct ranges *r = opaque;
    if (r->n < 8) {
        r->base[r->n] = base;
        r->len[r->n] = len;
        r->off[r->n++] = off;
    }
}

/* One sequence: the module keeps the machine's choice in globals. */
TEST(memfd_ram_shared_and_sizes)
{
    EXPECT_EQ(add("memory-backend-memfd", "id=m,size=0"), -1);
    EXPECT_STR(msgbuf, "can't create backend with size 0");
    EXPECT_EQ(add("memory-backend-file", "id=f,size=1M"), -1);
    EXPECT_STR(msgbuf, "mem-path property not set");
    EXPECT_EQ(add("memory-backend-memfd", "id=m,size=2M"), 0);
    EXPECT_EQ(add("memory-backend-memfd", "id=m,size=2M"), -1);
    EXPECT_EQ(add("memory-backend-ram", "id=r,size=2M,policy=bind"), -1);

    struct err *e = NULL;
    uint64_t size = 4 << 20;
    mem_backend_set_machine("m", &e);
    EXPECT_EQ(mem_backend_resolve(&size, true, &e), -1);
    EXPECT_STR(e ? e->msg : NULL, "Size specified by -m option must match "
               "size of explicitly specified 'memory-backend' property");
    err_free(e);
    e = NULL;
    EXPECT_EQ(mem_backend_resolve(&size, false, &e), 0);
    EXPECT_EQ(size, 2 << 20);

    struct mem_region mr;
    EXPECT_EQ(mem_backend_init_ram(&mr, "ram", size, &e), 0);
    EXPECT(mr.has_fd && mr.shared);
    mr.ram[0x1234] = 0x5a;
    uint8_t b = 0;
    EXPECT_EQ(pread(mr.fd, &b, 1, 0x1234), 1);
    EXPECT_EQ(b, 0x5a);

    /* Two windows on the region, with a hole: two ranges. */
    struct addr_space *as = as_new("t", 1ULL << 32, 0);
    as_map(as, 0, &mr, 0, 0xa0000, 0);
    as_map(as, 0x100000, &mr, 0x100000, 0x100000, 0);
    struct ranges r = { 0 };
    as_foreach_range(as, collect, &r);
    EXPECT_EQ(r.n, 2);
    EXPECT_EQ(r.base[1], 0x100000);
    EXPECT_EQ(r.len[1], 0x100000);
    EXPECT_EQ(r.off[1], 0x100000);
    as_free(as);
    mem_region_destroy(&mr);
}

TEST(vhost_user_replies)
{
    uint8_t buf[VU_HDR_SIZE + VU_MAX_PAYLOAD];
    struct err *e = NULL;
    uint64_t v;
    size_t n = vu_encode_u64(buf, VU_GET_FEATURES, VU_FLAG_REPLY,
                             0x140000000ULL);
    EXPECT_EQ(n, 20);
    EXPECT_EQ(vu_parse_u64(buf, n, VU_GET_FEATURES, &v, &e), 0);
    EXPECT_EQ(v, 0x140000000ULL);
    /* Another request's reply, no reply flag, wrong size, short. */
    EXPECT_EQ(vu_parse_u64(buf, n, VU_GET_PROTOCOL_FEATURES, &v, &e), -1);
    err_free(e);
    e = NULL;
    n = vu_encode_u64(buf, VU_GET_FEATURES, 0, 1);
    EXPECT_EQ(vu_parse_u64(buf, n, VU_GET_FEATURES, &v, &e), -1);
    err_free(e);
    e = NULL;
    n = vu_encode_u64(buf, VU_GET_FEATURES, VU_FLAG_REPLY, 1);
    buf[8] = 4;
    EXPECT_EQ(vu_parse_u64(buf, n, VU_GET_FEATURES, &v, &e), -1);
    err_free(e);
    e = NULL;
    EXPECT_EQ(vu_parse_u64(buf, 12, VU_GET_FEATURES, &v, &e), -1);
    err_free(e);
    e = NULL;
    /* The memory table: nregions then 32 bytes a region. */
    struct vu_region reg[2] = { { 0, 0xa0000, 0x7f0000000000ULL, 0 },
                                { 0xc0000, 0x100000, 0x7f00000c0000ULL,
                                  0xc0000 } };
    n = vu_encode_mem(buf, 0, reg, 2);
    EXPECT_EQ(n, VU_HDR_SIZE + 8 + 64);
    EXPECT_EQ(buf[VU_HDR_SIZE], 2);
    EXPECT_EQ(buf[VU_HDR_SIZE + 8 + 32 + 2], 0x0c);   /* gpa 0xc0000 */
}

TEST_MAIN()
