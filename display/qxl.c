/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qxl.c - the QXL paravirtual display, what the guest's driver talks to
 * (layout from spice/qxl_dev.h; the PCI side and the two models are
 * qxl-dev.c):
 *   BAR 0  RAM: the primary surface area at its start (on qxl-vga also
 *          the embedded std VGA's vram), guest-managed memory after it,
 *          and the QXLRam header (command, cursor and release rings,
 *          interrupt bits, I/O arguments) in its last page;
 *   BAR 1  VRAM: surfaces;
 *   BAR 2  ROM: QXLRom and the mode list;
 *   BAR 3  I/O ports QXL_IO_*.
 * The guest's commands are executed by spice-server's QXL worker through
 * the card's own QXL interface instance (spice-server/spice-qxl.h; each
 * card is one display channel).  Until the guest's driver creates a
 * primary surface, qxl-vga is a std VGA (Debian's vgabios-qxl.bin) whose
 * console goes to SPICE as drawing commands (remote/spice-display.c),
 * and the secondary shows nothing; QXL_IO_RESET or a system reset goes
 * back to that.
 *
 * Guest addresses (QXLPHYSICAL) are slot id | generation | offset; a slot
 * is registered by QXL_IO_MEMSLOT_ADD and must lie inside BAR 0 or BAR 1.
 * Everything the guest hands over is checked here before hemu itself
 * reads it (ring indexes are masked, memory slots bounded by their BAR,
 * the primary surface bounded by its slot); what the worker reads through
 * the slots spice-server checks against the same slots.
 */
#include "emu/osdep.h"

#include "display/console.h"
#include "display/qxl-int.h"
#include "emu/loop/loop.h"
#include "emu/util/cutils.h"
#include "remote/spice-display.h"

/* ---------------------------------------------------------------------------
 * Interrupts: bits in QXLRam.int_pending, masked by int_mask; the line is
 * updated in the main loop (the worker thread raises bits too).
 */

static uint32_t *int_pending(struct qxl *d)
{
    return (uint32_t *)((uint8_t *)d->ram + offsetof(QXLRam, int_pending));
}

static void irq_update(struct qxl *d)
{
    uint32_t pending = __atomic_load_n(int_pending(d), __ATOMIC_SEQ_CST);
    uint32_t mask = d->ram->int_mask;
    if (!d->fuzz) {
        pci_set_irq(&d->pci, (pending & mask) != 0);
    }
}

void qxl_irq_bh(void *opaque)
{
    irq_update(opaque);
}

static void qxl_raise(struct qxl *d, uint32_t bits)
{
    __atomic_fetch_or(int_pending(d), bits, __ATOMIC_SEQ_CST);
    bh_schedule(d->irq_bh);
}

/* ---------------------------------------------------------------------------
 * Guest addresses
 */

uint8_t *qxl_translate(struct qxl *d, QXLPHYSICAL addr, uint64_t len)
{
    unsigned id = addr >> (64 - QXL_SLOT_ID_BITS);
    unsigned gen = (addr >> (64 - QXL_SLOT_ID_BITS - QXL_SLOT_GEN_BITS)) &
                   ((1u << QXL_SLOT_GEN_BITS) - 1);
    uint64_t off = addr & ((1ull << (64 - QXL_SLOT_ID_BITS -
                                     QXL_SLOT_GEN_BITS)) - 1);
    if (id >= QXL_NUM_SLOTS || !d->slots[id].active || gen != d->generation) {
        return NULL;
    }
    struct qxl_slot *s = &d->slots[id];
    if (off > s->size || len > s->size - off) {
        return NULL;
    }
    return s->host + off;
}

/* The guest-physical range [start, end) inside BAR 0 or 1: its host
 * memory, or NULL. */
static uint8_t *bar_range(struct qxl *d, uint64_t start, uint64_t end)
{
    for (int n = 0; n < 2; n++) {
        struct pci_bar *b = &d->pci.bars[n];
        if ((!b->map && !d->fuzz) || !b->mr || !b->mr->ram) {
            continue;
        }
        if (start >= b->addr && end <= b->addr + b->size && start < end) {
            return b->mr->ram + (start - b->addr);
        }
    }
    return NULL;
}

static void memslot_add(struct qxl *d, uint32_t id)
{
    uint64_t start = d->ram->mem_slot.mem_start;
    uint64_t end = d->ram->mem_slot.mem_end;
    if (id >= QXL_NUM_SLOTS) {
        qxl_raise(d, QXL_INTERRUPT_ERROR);
        return;
    }
    uint8_t *host = bar_range(d, start, end);
    if (!host) {
        /* Outside the card's memory: never given to the worker. */
        qxl_raise(d, QXL_INTERRUPT_ERROR);
        return;
    }
    if (!d->spice_up) {
        d->slots[id] = (struct qxl_slot){ true, host, end - start };
        return;
    }
    if (d->slots[id].active) {
        spice_qxl_del_memslot(&d->qxl, QXL_GUEST_GROUP, id);
    }
    d->slots[id] = (struct qxl_slot){ true, host, end - start };
    QXLDevMemSlot s = {
        .slot_group_id = QXL_GUEST_GROUP,
        .slot_id = id,
        .generation = d->generation,
        .virt_start = (uintptr_t)host,
        .virt_end = (uintptr_t)host + (end - start),
        /* Addresses are offsets into the slot. */
        .addr_delta = (uintptr_t)host,
        .qxl_ram_size = d->ram_header_offset,
    };
    spice_qxl_add_memslot(&d->qxl, &s);
}

static void memslot_del(struct qxl *d, uint32_t id)
{
    if (id >= QXL_NUM_SLOTS || !d->slots[id].active) {
        qxl_raise(d, QXL_INTERRUPT_ERROR);
        return;
    }
    if (d->spice_up) {
        spice_qxl_del_memslot(&d->qxl, QXL_GUEST_GROUP, id);
    }
    d->slots[id].active = false;
}

/* ---------------------------------------------------------------------------
 * Primary surface and modes
 */

/* What a card without VGA shows while its driver has no primary. */
static void blank(struct qxl *d)
{
    struct surface *s = console_surface(d->con);
    memset(s->data, 0, (size_t)s->stride * s->height);
    console_dirty(d->con, 0, 0, s->width, s->height);
}

static void enter_vga_mode(struct qxl *d)
{
    if (!d->vga_compat && !d->fuzz) {
        blank(d);
    }
    if (!d->spice_up) {
        __atomic_store_n(&d->native, false, __ATOMIC_RELEASE);
        d->have_primary = false;
        memset(d->slots, 0, sizeof(d->slots));
        return;
    }
    if (d->have_primary) {
        spice_qxl_destroy_primary_surface(&d->qxl, 0);
        d->have_primary = false;
    }
    if (d->native) {
        spice_qxl_destroy_surfaces(&d->qxl);
        spice_qxl_reset_memslots(&d->qxl);
        spice_qxl_reset_image_cache(&d->qxl);
        spice_qxl_reset_cursor(&d->qxl);
        if (d->vga_compat) {
            spice_display_add_host_memslot(&d->qxl);
        }
        __atomic_store_n(&d->native, false, __ATOMIC_RELEASE);
    }
    memset(d->slots, 0, sizeof(d->slots));
    if (d->vga_compat) {
        spice_display_attach(&d->qxl, d->con);
        console_invalidate(d->con);
    }
}

void qxl_spice_added(void *opaque)
{
    struct qxl *d = opaque;
    d->spice_up = true;
    /* The instance id spice-server numbers the display channel by is
     * also what the guest reads as the card's id. */
    d->rom->id = d->qxl.id;
    if (d->vga_compat) {
        spice_display_add_host_memslot(&d->qxl);
    }
    __atomic_store_n(&d->native, false, __ATOMIC_RELEASE);
    enter_vga_mode(d);
}


static int surface_bpp(uint32_t format)
{
    switch (format) {
    case SPICE_SURFACE_FMT_32_xRGB:
    case SPICE_SURFACE_FMT_32_ARGB:
        return 32;
    case SPICE_SURFACE_FMT_16_565:
    case SPICE_SURFACE_FMT_16_555:
        return 16;
    default:
        return 0;
    }
}

static void create_primary(struct qxl *d)
{
    QXLSurfaceCreate c = d->ram->create_surface;    /* one copy, then check */
    int bpp = surface_bpp(c.format);
    uint64_t abs_stride = c.stride < 0 ? -(int64_t)c.stride : c.stride;
    if (d->have_primary || !bpp || !c.width || !c.height ||
        c.width > QXL_MAX_DIM || c.height > QXL_MAX_DIM ||
        abs_stride < (uint64_t)c.width * bpp / 8 ||
        !qxl_translate(d, c.mem, abs_stride * c.height)) {
        qxl_raise(d, QXL_INTERRUPT_ERROR);
        return;
    }
    d->primary = c;
    if (!d->spice_up) {
        __atomic_store_n(&d->native, true, __ATOMIC_RELEASE);
        d->have_primary = true;
        return;
    }
    if (!d->native) {
        if (d->vga_compat) {
            spice_display_detach();
        }
        __atomic_store_n(&d->native, true, __ATOMIC_RELEASE);
    }
    QXLDevSurfaceCreate s = {
        .width = c.width, .height = c.height, .stride = c.stride,
        .format = c.format, .position = c.position,
        .mouse_mode = 1, .flags = c.flags, .type = c.type,
        .mem = c.mem, .group_id = QXL_GUEST_GROUP,
    };
    spice_qxl_create_primary_surface(&d->qxl, 0, &s);
    d->have_primary = true;
    console_resize(d->con, c.width, c.height);
    console_invalidate(d->con);
}

static void destroy_primary(struct qxl *d)
{
    if (!d->have_primary) {
        qxl_raise(d, QXL_INTERRUPT_ERROR);
        return;
    }
    spice_qxl_destroy_primary_surface(&d->qxl, 0);
    d->have_primary = false;
}

/* ---------------------------------------------------------------------------
 * Release ring: each ring entry heads a chain linked through
 * QXLReleaseInfo.next; while the ring is full, releases gather in a
 * chain that goes in as soon as there is room.
 */

static void release_publish_locked(struct qxl *d)
{
    if (!d->rel_last) {
        return;
    }
    QXLReleaseRing *r = &d->ram->release_ring;
    uint32_t prod = r->prod, cons = r->cons;
    if (prod - cons >= QXL_RELEASE_RING_SIZE) {
        return;
    }
    r->items[prod & (QXL_RELEASE_RING_SIZE - 1)].el = d->rel_head;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    r->prod = prod + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    d->rel_head = 0;
    d->rel_last = NULL;
    if (r->prod == r->notify_on_prod) {
        qxl_raise(d, QXL_INTERRUPT_DISPLAY);
    }
}

static void release_guest(struct qxl *d, QXLReleaseInfo *info)
{
    pthread_mutex_lock(&d->lock);
    uint64_t id = info->id;
    info->next = 0;
    if (d->rel_last) {
        d->rel_last->next = id;
    } else {
        d->rel_head = id;
    }
    d->rel_last = info;
    release_publish_locked(d);
    pthread_mutex_unlock(&d->lock);
}

static void release_flush(struct qxl *d)
{
    pthread_mutex_lock(&d->lock);
    release_publish_locked(d);
    pthread_mutex_unlock(&d->lock);
}

/* What the worker does with a command it is done with: the release info
 * heads every command structure (QXLDrawable, QXLSurfaceCmd, QXLCursorCmd,
 * ...). */
void qxl_release(struct qxl *d, QXLPHYSICAL cmd)
{
    uint8_t *p = qxl_translate(d, cmd, sizeof(QXLReleaseInfo));
    if (p) {
        release_guest(d, (QXLReleaseInfo *)p);
    }
}

/* ---------------------------------------------------------------------------
 * The command and cursor rings (worker thread)
 */

static int ring_pop(struct qxl *d, QXLCommandRing *r, QXLCommandExt *ext)
{
    uint32_t cons = r->cons;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (cons == r->prod) {
        return 0;
    }
    QXLCommand c = r->items[cons & (QXL_COMMAND_RING_SIZE - 1)].el;
    memset(ext, 0, sizeof(*ext));
    ext->cmd = c;
    ext->group_id = QXL_GUEST_GROUP;
    r->cons = cons + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (r->cons == r->notify_on_cons) {
        qxl_raise(d, QXL_INTERRUPT_DISPLAY);
    }
    return 1;
}

static int ring_wait(QXLCommandRing *r)
{
    if (r->cons != r->prod) {
        return 0;
    }
    r->notify_on_prod = r->prod + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return r->cons == r->prod;
}

/* The cursor ring has the command ring's layout and size. */
_Static_assert(sizeof(QXLCursorRing) == sizeof(QXLCommandRing),
               "cursor and command rings differ");

/* The worker thread's view of the mode, set by the vCPU or main thread
 * between the synchronous surface calls. */
static bool is_native(struct qxl *d)
{
    return __atomic_load_n(&d->native, __ATOMIC_ACQUIRE);
}

int qxl_get_command(struct qxl *d, QXLCommandExt *ext)
{
    if (!is_native(d)) {
        /* The secondary has nothing to show before its driver runs. */
        return d->vga_compat ? spice_display_get_command(ext) : 0;
    }
    return ring_pop(d, &d->ram->cmd_ring, ext);
}

int qxl_get_cursor_command(struct qxl *d, QXLCommandExt *ext)
{
    if (!is_native(d)) {
        return 0;
    }
    return ring_pop(d, (QXLCommandRing *)&d->ram->cursor_ring, ext);
}

static QXLInstance *inst_of(struct qxl **dp, QXLInstance *qin)
{
    *dp = container_of(qin, struct qxl, qxl);
    return qin;
}

static void if_attached(QXLInstance *qin)
{
}

static void if_set_compression_level(QXLInstance *qin, int level)
{
    struct qxl *d;
    inst_of(&d, qin);
    d->rom->compression_level = level;
}

static void if_get_init_info(QXLInstance *qin, QXLDevInitInfo *info)
{
    struct qxl *d;
    inst_of(&d, qin);
    memset(info, 0, sizeof(*info));
    info->num_memslots_groups = 2;
    info->num_memslots = QXL_NUM_SLOTS;
    info->memslot_gen_bits = QXL_SLOT_GEN_BITS;
    info->memslot_id_bits = QXL_SLOT_ID_BITS;
    info->internal_groupslot_id = SPICE_DISPLAY_GROUP;
    info->qxl_ram_size = d->ram_header_offset;
    info->n_surfaces = QXL_NUM_SURFACES;
}

static int if_get_command(QXLInstance *qin, struct QXLCommandExt *ext)
{
    struct qxl *d;
    inst_of(&d, qin);
    return qxl_get_command(d, ext);
}

static int if_req_cmd_notification(QXLInstance *qin)
{
    struct qxl *d;
    inst_of(&d, qin);
    if (!is_native(d)) {
        return d->vga_compat ? spice_display_req_notification() : 1;
    }
    return ring_wait(&d->ram->cmd_ring);
}

static void if_release_resource(QXLInstance *qin, struct QXLReleaseInfoExt r)
{
    struct qxl *d;
    inst_of(&d, qin);
    if (r.group_id == SPICE_DISPLAY_GROUP) {
        if (d->vga_compat) {
            spice_display_release(r);
        }
    } else if (r.info) {
        release_guest(d, r.info);
    }
}

static int if_get_cursor_command(QXLInstance *qin, struct QXLCommandExt *ext)
{
    struct qxl *d;
    inst_of(&d, qin);
    return qxl_get_cursor_command(d, ext);
}

static int if_req_cursor_notification(QXLInstance *qin)
{
    struct qxl *d;
    inst_of(&d, qin);
    if (!is_native(d)) {
        return 1;
    }
    return ring_wait((QXLCommandRing *)&d->ram->cursor_ring);
}

static void if_notify_update(QXLInstance *qin, uint32_t update_id)
{
}

static int if_flush_resources(QXLInstance *qin)
{
    struct qxl *d;
    inst_of(&d, qin);
    release_flush(d);
    return 0;
}

static void if_async_complete(QXLInstance *qin, uint64_t cookie)
{
    struct qxl *d;
    inst_of(&d, qin);
    qxl_raise(d, QXL_INTERRUPT_IO_CMD);
}

static void if_update_area_complete(QXLInstance *qin, uint32_t surface_id,
                                    struct QXLRect *rects, uint32_t n)
{
}

static void if_set_client_capabilities(QXLInstance *qin, uint8_t present,
                                       uint8_t caps[SPICE_CAPABILITIES_SIZE])
{
    struct qxl *d;
    inst_of(&d, qin);
    d->rom->client_present = present;
    memcpy(d->rom->client_capabilities, caps,
           MIN(sizeof(d->rom->client_capabilities),
               (size_t)SPICE_CAPABILITIES_SIZE));
}

static int if_client_monitors_config(QXLInstance *qin,
                                     VDAgentMonitorsConfig *mc)
{
    return 0;
}

const QXLInterface qxl_sif = {
    .base = {
        .type = SPICE_INTERFACE_QXL,
        .description = "hemu qxl",
        .major_version = SPICE_INTERFACE_QXL_MAJOR,
        .minor_version = SPICE_INTERFACE_QXL_MINOR,
    },
    .attached_worker = if_attached,
    .set_compression_level = if_set_compression_level,
    .get_init_info = if_get_init_info,
    .get_command = if_get_command,
    .req_cmd_notification = if_req_cmd_notification,
    .release_resource = if_release_resource,
    .get_cursor_command = if_get_cursor_command,
    .req_cursor_notification = if_req_cursor_notification,
    .notify_update = if_notify_update,
    .flush_resources = if_flush_resources,
    .async_complete = if_async_complete,
    .update_area_complete = if_update_area_complete,
    .set_client_capabilities = if_set_client_capabilities,
    .client_monitors_config = if_client_monitors_config,
};

/* ---------------------------------------------------------------------------
 * I/O ports
 */

static void update_area(struct qxl *d, uint32_t surface)
{
    QXLRect r = d->ram->update_area;
    if (surface >= QXL_NUM_SURFACES || r.left < 0 ||
        r.top < 0 || r.right <= r.left || r.bottom <= r.top ||
        r.right > QXL_MAX_DIM || r.bottom > QXL_MAX_DIM) {
        qxl_raise(d, QXL_INTERRUPT_ERROR);
        return;
    }
    if (d->spice_up) {
        spice_qxl_update_area(&d->qxl, surface, &r, NULL, 0, 1);
    }
}

void qxl_ram_init(struct qxl *d)
{
    memset(d->ram, 0, sizeof(*d->ram));
    d->ram->magic = QXL_RAM_MAGIC;
    d->ram->cmd_ring.num_items = QXL_COMMAND_RING_SIZE;
    d->ram->cmd_ring.notify_on_prod = 1;
    d->ram->cursor_ring.num_items = QXL_CURSOR_RING_SIZE;
    d->ram->cursor_ring.notify_on_prod = 1;
    d->ram->release_ring.num_items = QXL_RELEASE_RING_SIZE;
    d->ram->release_ring.notify_on_prod = 1;
    pthread_mutex_lock(&d->lock);
    d->rel_head = 0;
    d->rel_last = NULL;
    pthread_mutex_unlock(&d->lock);
}

void qxl_hard_reset(struct qxl *d)
{
    qxl_ram_init(d);
    enter_vga_mode(d);
    irq_update(d);
}

void qxl_io_write(struct qxl *d, unsigned port, uint32_t val)
{
    bool async = false;
    switch (port) {
    case QXL_IO_NOTIFY_CMD:
    case QXL_IO_NOTIFY_CURSOR:
        if (d->spice_up) {
            spice_qxl_wakeup(&d->qxl);
        }
        break;
    case QXL_IO_UPDATE_AREA_ASYNC:
        async = true;
        /* fall through */
    case QXL_IO_UPDATE_AREA:
        update_area(d, d->ram->update_surface);
        break;
    case QXL_IO_UPDATE_IRQ:
        irq_update(d);
        break;
    case QXL_IO_NOTIFY_OOM:
        release_flush(d);
        if (d->spice_up) {
            spice_qxl_oom(&d->qxl);
        }
        break;
    case QXL_IO_RESET:
        qxl_hard_reset(d);
        break;
    case QXL_IO_LOG:
        if (getenv("HEMU_QXL_DEBUG")) {
            char buf[QXL_LOG_BUF_SIZE + 1];
            memcpy(buf, d->ram->log_buf, QXL_LOG_BUF_SIZE);
            buf[QXL_LOG_BUF_SIZE] = 0;
            fprintf(stderr, "qxl guest: %s", buf);
        }
        break;
    case QXL_IO_MEMSLOT_ADD_ASYNC:
        async = true;
        /* fall through */
    case QXL_IO_MEMSLOT_ADD:
        if (d->spice_up) {
            memslot_add(d, val);
        }
        break;
    case QXL_IO_MEMSLOT_DEL:
        if (d->spice_up) {
            memslot_del(d, val);
        }
        break;
    case QXL_IO_CREATE_PRIMARY_ASYNC:
        async = true;
        /* fall through */
    case QXL_IO_CREATE_PRIMARY:
        create_primary(d);
        break;
    case QXL_IO_DESTROY_PRIMARY_ASYNC:
        async = true;
        /* fall through */
    case QXL_IO_DESTROY_PRIMARY:
        if (d->spice_up) {
            destroy_primary(d);
        } else {
            d->have_primary = false;
        }
        break;
    case QXL_IO_DESTROY_SURFACE_ASYNC:
        async = true;
        /* fall through */
    case QXL_IO_DESTROY_SURFACE_WAIT:
        if (!d->spice_up || val >= QXL_NUM_SURFACES) {
            qxl_raise(d, QXL_INTERRUPT_ERROR);
        } else {
            spice_qxl_destroy_surface_wait(&d->qxl, val);
        }
        break;
    case QXL_IO_DESTROY_ALL_SURFACES_ASYNC:
        async = true;
        /* fall through */
    case QXL_IO_DESTROY_ALL_SURFACES:
        if (d->spice_up) {
            spice_qxl_destroy_surfaces(&d->qxl);
            d->have_primary = false;
        }
        break;
    case QXL_IO_FLUSH_SURFACES_ASYNC:
        if (d->spice_up) {
            /* The worker answers with async_complete: IO_CMD then. */
            spice_qxl_flush_surfaces_async(&d->qxl, port);
            return;
        }
        async = true;
        break;
    case QXL_IO_FLUSH_RELEASE:
        release_flush(d);
        break;
    case QXL_IO_MONITORS_CONFIG_ASYNC:
        if (d->spice_up && d->native) {
            spice_qxl_monitors_config_async(&d->qxl, d->ram->monitors_config,
                                            QXL_GUEST_GROUP, port);
            return;
        }
        async = true;
        break;
    default:
        /* QXL_IO_SET_MODE (qxl-1), ATTACH/DETACH_PRIMARY: not offered
         * by revision 4 drivers. */
        qxl_raise(d, QXL_INTERRUPT_ERROR);
        break;
    }
    if (async) {
        qxl_raise(d, QXL_INTERRUPT_IO_CMD);
    }
}

static uint64_t io_read(void *opaque, uint64_t off, unsigned size)
{
    return 0xff;
}

static void io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    qxl_io_write(opaque, off, val);
}

const struct mem_ops qxl_io_ops = {
    .read = io_read, .write = io_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 1,
};

/* ---------------------------------------------------------------------------
 * The console: the VGA's picture, or the guest's primary surface as
 * spice-server rendered it.
 */

static void qxl_refresh(void *opaque)
{
    struct qxl *d = opaque;
    if (!d->native) {
        if (d->vga_compat) {
            vga_refresh(&d->vga);
        }
        return;
    }
    if (!d->have_primary) {
        return;
    }
    QXLSurfaceCreate *c = &d->primary;
    int w = c->width, h = c->height, bpp = surface_bpp(c->format);
    int64_t stride = c->stride;
    uint64_t abs_stride = stride < 0 ? -stride : stride;
    QXLRect all = { .top = 0, .left = 0, .bottom = h, .right = w };
    spice_qxl_update_area(&d->qxl, 0, &all, NULL, 0, 0);
    /* The slot may have gone since the surface was made. */
    uint8_t *mem = qxl_translate(d, c->mem, abs_stride * h);
    struct console *con = d->con;
    if (!mem) {
        return;
    }
    console_resize(con, w, h);
    struct surface *s = console_surface(con);
    int y0 = -1, y1 = -1;
    uint32_t line[QXL_MAX_DIM];
    for (int y = 0; y < h; y++) {
        const uint8_t *src = mem + (stride < 0 ? (uint64_t)(h - 1 - y) : y) *
                             abs_stride;
        if (bpp == 32) {
            memcpy(line, src, w * 4);
        } else {
            for (int x = 0; x < w; x++) {
                uint16_t p = src[2 * x] | src[2 * x + 1] << 8;
                uint32_t r, g, b;
                if (c->format == SPICE_SURFACE_FMT_16_565) {
                    r = (p >> 11) << 3, g = ((p >> 5) & 0x3f) << 2,
                    b = (p & 0x1f) << 3;
                } else {
                    r = ((p >> 10) & 0x1f) << 3, g = ((p >> 5) & 0x1f) << 3,
                    b = (p & 0x1f) << 3;
                }
                line[x] = r << 16 | g << 8 | b;
            }
        }
        uint32_t *dst = (uint32_t *)((uint8_t *)s->data + y * s->stride);
        for (int x = 0; x < w; x++) {
            line[x] &= 0xffffff;
        }
        if (memcmp(dst, line, w * 4)) {
            memcpy(dst, line, w * 4);
            if (y0 < 0) {
                y0 = y;
            }
            y1 = y;
        }
    }
    if (y0 >= 0) {
        console_dirty(con, 0, y0, w, y1 - y0 + 1);
    }
}

static void qxl_invalidate(void *opaque)
{
    struct qxl *d = opaque;
    if (d->vga_compat) {
        vga_invalidate(&d->vga);
    }
    if (d->native) {
        struct surface *s = console_surface(d->con);
        /* Make every line differ from what the next refresh copies. */
        memset(s->data, 0xff, (size_t)s->stride * s->height);
    }
}

const struct console_hw_ops qxl_console_ops = {
    .refresh = qxl_refresh,
    .invalidate = qxl_invalidate,
};
