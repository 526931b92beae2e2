/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spice-display.c - any console over SPICE: a QXL instance
 * (spice-server/spice-qxl.h, SPICE_INTERFACE_QXL 3.3) whose command ring
 * is filled by hemu itself rather than by a guest driver.  Each dirty
 * rectangle the console reports becomes one QXL_DRAW_COPY drawable
 * (spice/qxl_dev.h: QXLDrawable, QXLImage with a direct, top-down 32-bit
 * bitmap) onto the primary surface; spice-server's worker thread takes
 * them with get_command() and gives them back with release_resource().
 *
 * Addresses: one memory slot spans the whole host address space with
 * slot id 0 and generation 0, so a QXLPHYSICAL here is simply a host
 * pointer (the slot id and generation bits sit above the 48-bit user
 * address range).
 *
 * Threads: the console side (update/resize) runs in the main loop; the
 * worker thread only pops the queue (under qlock) and frees what it
 * releases.  Primary surface create/destroy are synchronous calls into
 * the worker, made without holding qlock.
 */
#include "emu/osdep.h"

#include <pthread.h>

#include "display/console.h"
#include "emu/util/cutils.h"
#include "remote/spice-display.h"
#include "remote/spice-int.h"

/* Past this many drawables the worker is not keeping up (no client
 * reading, a slow link): replace them all by one full-screen copy. */
#define MAX_QUEUED 64

struct update {
    QXLDrawable drawable;
    QXLImage image;
    struct update *next;
    uint32_t pixels[];
};

static struct {
    QXLInstance qxl;            /* our own, when no QXL device exists */
    QXLInstance *inst;          /* the one the commands go to */
    struct console *con;
    struct console_listener listener;
    bool attached;
    bool attached_con;          /* the listener is in place */
    bool active;                /* a display channel is connected */

    /* The primary surface: spice-server draws into it (its canvas). */
    uint32_t *primary;
    /* What the queued commands leave on the canvas: a console update is
     * narrowed to the pixels that differ from it. */
    uint32_t *mirror;
    int width, height;
    bool have_primary;

    pthread_mutex_t qlock;
    struct update *head, **tail;
    unsigned queued;
    uint64_t images;        /* image ids for the client's cache */
} sd = { .qlock = PTHREAD_MUTEX_INITIALIZER };

static QXLPHYSICAL phys(const void *p)
{
    return (QXLPHYSICAL)(uintptr_t)p;
}

/* ---- the queue (main loop pushes, worker pops) ---- */

static void queue_clear_locked(void)
{
    while (sd.head) {
        struct update *u = sd.head;
        sd.head = u->next;
        free(u);
    }
    sd.tail = &sd.head;
    sd.queued = 0;
}

/* Copy the console's rectangle into the mirror. */
static void mirror_take(int x, int y, int w, int h)
{
    struct surface *s = console_surface(sd.con);
    for (int row = y; row < y + h; row++) {
        memcpy(sd.mirror + (size_t)row * sd.width + x,
               (uint8_t *)s->data + (size_t)row * s->stride + x * 4,
               (size_t)w * 4);
    }
}

static struct update *make_update(int x, int y, int w, int h)
{
    struct surface *s = console_surface(sd.con);
    struct update *u = xzalloc(sizeof(*u) + (size_t)w * h * 4);
    for (int row = 0; row < h; row++) {
        memcpy(u->pixels + (size_t)row * w,
               (uint8_t *)s->data + (size_t)(y + row) * s->stride + x * 4,
               (size_t)w * 4);
    }
    QXLDrawable *d = &u->drawable;
    d->release_info.id = (uintptr_t)u;
    d->surface_id = 0;
    d->effect = QXL_EFFECT_OPAQUE;
    d->type = QXL_DRAW_COPY;
    d->bbox = (QXLRect){ .left = x, .top = y, .right = x + w, .bottom = y + h };
    d->clip.type = SPICE_CLIP_TYPE_NONE;
    for (int i = 0; i < 3; i++) {
        d->surfaces_dest[i] = -1;
    }
    d->u.copy.src_bitmap = phys(&u->image);
    d->u.copy.src_area = (QXLRect){ .right = w, .bottom = h };
    d->u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;
    QXLImage *im = &u->image;
    /* A fresh id each time and no cache flag: the picture under a dirty
     * rectangle is new by definition. */
    im->descriptor.id = ++sd.images;
    im->descriptor.type = SPICE_IMAGE_TYPE_BITMAP;
    im->descriptor.width = w;
    im->descriptor.height = h;
    im->bitmap.format = SPICE_BITMAP_FMT_32BIT;
    im->bitmap.flags = QXL_BITMAP_DIRECT | QXL_BITMAP_TOP_DOWN;
    im->bitmap.x = w;
    im->bitmap.y = h;
    im->bitmap.stride = w * 4;
    im->bitmap.data = phys(u->pixels);
    return u;
}

static void push(struct update *u)
{
    pthread_mutex_lock(&sd.qlock);
    if (sd.queued >= MAX_QUEUED) {
        queue_clear_locked();
        pthread_mutex_unlock(&sd.qlock);
        free(u);
        u = make_update(0, 0, sd.width, sd.height);
        mirror_take(0, 0, sd.width, sd.height);
        pthread_mutex_lock(&sd.qlock);
    }
    *sd.tail = u;
    sd.tail = &u->next;
    sd.queued++;
    pthread_mutex_unlock(&sd.qlock);
}

/* ---- console listener (main loop) ---- */

static void create_primary(void)
{
    struct surface *s = console_surface(sd.con);
    if (!s || s->width <= 0 || s->height <= 0) {
        return;
    }
    sd.width = s->width;
    sd.height = s->height;
    sd.primary = xzalloc((size_t)sd.width * sd.height * 4);
    /* Both start black: the first update sends what is not. */
    sd.mirror = xzalloc((size_t)sd.width * sd.height * 4);
    QXLDevSurfaceCreate c = {
        .width = sd.width,
        .height = sd.height,
        .stride = sd.width * 4,
        .format = SPICE_SURFACE_FMT_32_xRGB,
        .position = 0,
        /* Client mouse mode is possible once an absolute pointer exists. */
        .mouse_mode = 1,
        .flags = 0,
        .type = QXL_SURF_TYPE_PRIMARY,
        .mem = phys(sd.primary),
        .group_id = SPICE_DISPLAY_GROUP,
    };
    spice_qxl_create_primary_surface(sd.inst, 0, &c);
    sd.have_primary = true;
}

static void destroy_primary(void)
{
    if (!sd.have_primary) {
        return;
    }
    pthread_mutex_lock(&sd.qlock);
    queue_clear_locked();
    pthread_mutex_unlock(&sd.qlock);
    spice_qxl_destroy_primary_surface(sd.inst, 0);
    sd.have_primary = false;
    free(sd.primary);
    sd.primary = NULL;
    free(sd.mirror);
    sd.mirror = NULL;
}

static void on_update(void *opaque, int x, int y, int w, int h)
{
    if (!sd.have_primary) {
        return;
    }
    /* The console clips to its surface; the primary has the same size
     * unless a resize is still to come. */
    if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > sd.width ||
        y + h > sd.height) {
        return;
    }
    /* Runs of changed rows, each as wide as its changed pixels (in
     * blocks of 16, so that a text line's gaps do not split it). */
    struct surface *s = console_surface(sd.con);
    int run_y = -1, run_x0 = 0, run_x1 = 0;
    for (int row = y; row <= y + h; row++) {
        int x0 = -1, x1 = -1;
        if (row < y + h) {
            const uint32_t *a = (const uint32_t *)((uint8_t *)s->data +
                                                   (size_t)row * s->stride);
            const uint32_t *m = sd.mirror + (size_t)row * sd.width;
            for (int bx = x; bx < x + w; bx += 16) {
                int n = MIN(16, x + w - bx);
                if (memcmp(a + bx, m + bx, (size_t)n * 4)) {
                    if (x0 < 0) {
                        x0 = bx;
                    }
                    x1 = bx + n;
                }
            }
        }
        if (x0 >= 0 && run_y < 0) {
            run_y = row, run_x0 = x0, run_x1 = x1;
        } else if (x0 >= 0) {
            run_x0 = MIN(run_x0, x0), run_x1 = MAX(run_x1, x1);
        } else if (run_y >= 0) {
            push(make_update(run_x0, run_y, run_x1 - run_x0, row - run_y));
            mirror_take(run_x0, run_y, run_x1 - run_x0, row - run_y);
            run_y = -1;
        }
    }
}

static void on_resize(void *opaque, struct surface *s)
{
    destroy_primary();
    create_primary();
}

static void on_refreshed(void *opaque)
{
    pthread_mutex_lock(&sd.qlock);
    bool any = sd.queued > 0;
    pthread_mutex_unlock(&sd.qlock);
    if (any) {
        spice_qxl_wakeup(sd.inst);
    }
}

void spice_display_set_active(bool active)
{
    sd.active = active;
    if (!sd.con || !sd.attached_con) {
        return;
    }
    if (active) {
        /* The server's canvas missed what changed while nobody looked. */
        console_invalidate(sd.con);
    }
    console_listener_set_active(sd.con, &sd.listener, active);
}

/* ---- the QXL interface (worker thread) ---- */

static void qxl_attached(QXLInstance *qin)
{
    sd.attached = true;
}

static void qxl_set_compression_level(QXLInstance *qin, int level)
{
}

static void qxl_get_init_info(QXLInstance *qin, QXLDevInitInfo *info)
{
    memset(info, 0, sizeof(*info));
    info->num_memslots_groups = 1;
    info->num_memslots = 1;
    info->memslot_gen_bits = 8;
    info->memslot_id_bits = 8;
    info->internal_groupslot_id = 0;
    info->qxl_ram_size = 16 << 20;
    info->n_surfaces = 1;
}

int spice_display_get_command(struct QXLCommandExt *ext)
{
    pthread_mutex_lock(&sd.qlock);
    struct update *u = sd.head;
    if (u) {
        sd.head = u->next;
        if (!sd.head) {
            sd.tail = &sd.head;
        }
        sd.queued--;
    }
    pthread_mutex_unlock(&sd.qlock);
    if (!u) {
        return 0;
    }
    memset(ext, 0, sizeof(*ext));
    ext->cmd.type = QXL_CMD_DRAW;
    ext->cmd.data = phys(&u->drawable);
    ext->group_id = SPICE_DISPLAY_GROUP;
    ext->flags = 0;
    return 1;
}

int spice_display_req_notification(void)
{
    pthread_mutex_lock(&sd.qlock);
    bool empty = !sd.head;
    pthread_mutex_unlock(&sd.qlock);
    /* With work waiting, say so (0); otherwise the main loop wakes the
     * worker after its next push. */
    return empty;
}

void spice_display_release(struct QXLReleaseInfoExt r)
{
    free((struct update *)(uintptr_t)r.info->id);
}

static int qxl_get_command(QXLInstance *qin, struct QXLCommandExt *ext)
{
    return spice_display_get_command(ext);
}

static int qxl_req_cmd_notification(QXLInstance *qin)
{
    return spice_display_req_notification();
}

static void qxl_release_resource(QXLInstance *qin, struct QXLReleaseInfoExt r)
{
    spice_display_release(r);
}

static int qxl_get_cursor_command(QXLInstance *qin, struct QXLCommandExt *ext)
{
    /* No cursor of our own: the guest draws its pointer into the
     * picture. */
    return 0;
}

static int qxl_req_cursor_notification(QXLInstance *qin)
{
    return 1;
}

static void qxl_notify_update(QXLInstance *qin, uint32_t update_id)
{
}

static int qxl_flush_resources(QXLInstance *qin)
{
    return 0;
}

static void qxl_async_complete(QXLInstance *qin, uint64_t cookie)
{
}

static void qxl_update_area_complete(QXLInstance *qin, uint32_t surface_id,
                                     struct QXLRect *rects, uint32_t n)
{
}

static void qxl_set_client_capabilities(QXLInstance *qin, uint8_t present,
                                        uint8_t caps[SPICE_CAPABILITIES_SIZE])
{
}

static int qxl_client_monitors_config(QXLInstance *qin,
                                      VDAgentMonitorsConfig *mc)
{
    /* The console's size is the guest's to choose. */
    return 0;
}

static const QXLInterface qxl_sif = {
    .base = {
        .type = SPICE_INTERFACE_QXL,
        .description = "hemu console display",
        .major_version = SPICE_INTERFACE_QXL_MAJOR,
        .minor_version = SPICE_INTERFACE_QXL_MINOR,
    },
    .attached_worker = qxl_attached,
    .set_compression_level = qxl_set_compression_level,
    .get_init_info = qxl_get_init_info,
    .get_command = qxl_get_command,
    .req_cmd_notification = qxl_req_cmd_notification,
    .release_resource = qxl_release_resource,
    .get_cursor_command = qxl_get_cursor_command,
    .req_cursor_notification = qxl_req_cursor_notification,
    .notify_update = qxl_notify_update,
    .flush_resources = qxl_flush_resources,
    .async_complete = qxl_async_complete,
    .update_area_complete = qxl_update_area_complete,
    .set_client_capabilities = qxl_set_client_capabilities,
    .client_monitors_config = qxl_client_monitors_config,
};

void spice_display_add_host_memslot(QXLInstance *qxl)
{
    QXLDevMemSlot slot = {
        .slot_group_id = SPICE_DISPLAY_GROUP,
        .slot_id = 0,
        .generation = 0,
        .virt_start = 0,
        .virt_end = ~(uintptr_t)0,
        .addr_delta = 0,
        .qxl_ram_size = 16 << 20,
    };
    spice_qxl_add_memslot(qxl, &slot);
}

void spice_display_attach(QXLInstance *qxl, struct console *con)
{
    if (sd.attached_con) {
        return;
    }
    sd.inst = qxl;
    sd.con = con;
    sd.tail = &sd.head;
    sd.listener = (struct console_listener){
        .update = on_update, .resize = on_resize, .refreshed = on_refreshed,
    };
    console_refresh(con);
    create_primary();
    console_add_listener(con, &sd.listener);
    sd.attached_con = true;
    console_invalidate(con);
    if (sd.active) {
        console_listener_set_active(con, &sd.listener, true);
    }
}

void spice_display_detach(void)
{
    if (!sd.attached_con) {
        return;
    }
    console_remove_listener(sd.con, &sd.listener);
    sd.attached_con = false;
    destroy_primary();
}

int spice_display_init(SpiceServer *s, struct console *con)
{
    sd.qxl.base.sif = &qxl_sif.base;
    sd.qxl.id = 0;
    if (spice_server_add_interface(s, &sd.qxl.base) < 0) {
        return -1;
    }
    spice_display_add_host_memslot(&sd.qxl);
    spice_display_attach(&sd.qxl, con);
    return 0;
}
