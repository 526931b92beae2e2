/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * screendump.c - the surface to a PPM (Netpbm P6: "P6\n<w> <h>\n255\n" and
 * RGB bytes) or PNG (libpng, 8-bit RGB) file.  The device is refreshed
 * first so that the file shows the screen as it is now.  device= and
 * head= pick a console by the display device's id, with the messages of
 * QEMU's qmp_screendump (ui/console.c).
 */
#include "emu/osdep.h"

#include "display/console.h"
#include "display/screendump.h"
#include "emu/hw/dev.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

#ifdef CONFIG_PNG
#include <png.h>
#endif

static void row_rgb(const struct surface *s, int y, uint8_t *out)
{
    const uint32_t *p = (const uint32_t *)((const uint8_t *)s->data +
                                           (size_t)y * s->stride);
    for (int x = 0; x < s->width; x++) {
        out[3 * x] = p[x] >> 16;
        out[3 * x + 1] = p[x] >> 8;
        out[3 * x + 2] = p[x];
    }
}

static int write_ppm(FILE *f, const struct surface *s)
{
    uint8_t *row = xmalloc((size_t)s->width * 3);
    int ret = fprintf(f, "P6\n%d %d\n255\n", s->width, s->height) < 0 ? -1 : 0;
    for (int y = 0; y < s->height && ret == 0; y++) {
        row_rgb(s, y, row);
        if (fwrite(row, 3, s->width, f) != (size_t)s->width) {
            ret = -1;
        }
    }
    free(row);
    return ret;
}

#ifdef CONFIG_PNG
static int write_png(FILE *f, const struct surface *s)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
                                              NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    uint8_t *volatile row = NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        free(row);
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, s->width, s->height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    row = xmalloc((size_t)s->width * 3);
    for (int y = 0; y < s->height; y++) {
        row_rgb(s, y, row);
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    free(row);
    png_destroy_write_struct(&png, &info);
    return 0;
}
#endif

struct console *screendump_console(const char *device, bool has_head,
                                   int64_t head, struct err **errp)
{
    if (!device) {
        if (has_head) {
            err_setf(errp, "'head' must be specified together with 'device'");
        }
        return NULL;
    }
    struct device *dev = dev_find(device);
    if (!dev) {
        err_set_class(errp, ERR_DEVICE_NOT_FOUND, "Device '%s' not found",
                      device);
        return NULL;
    }
    struct console *con = head >= 0 && head <= INT_MAX
                          ? console_by_device(dev, (int)head) : NULL;
    if (!con) {
        err_setf(errp, "Device %s (head %" PRId64 ") is not bound to a "
                 "QemuConsole", device, head);
    }
    return con;
}

int screendump(struct console *con, const char *filename, const char *format,
               struct err **errp)
{
    if (!format) {
        format = "ppm";
    }
    bool png = !strcmp(format, "png");
    if (!png && strcmp(format, "ppm")) {
        err_setf(errp, "Parameter 'format' does not accept value '%s'", format);
        return -1;
    }
#ifndef CONFIG_PNG
    if (png) {
        err_setf(errp, "png: not supported (hemu was built without libpng)");
        return -1;
    }
#endif
    if (!con) {
        con = console_default();
    }
    if (!con) {
        err_setf(errp, "There is no console to take a screendump from");
        return -1;
    }
    console_refresh(con);
    FILE *f = fopen(filename, "wb");
    if (!f) {
        err_setf(errp, "failed to open file '%s': %s", filename, strerror(errno));
        return -1;
    }
    const struct surface *s = console_surface(con);
    int ret;
#ifdef CONFIG_PNG
    ret = png ? write_png(f, s) : write_ppm(f, s);
#else
    ret = write_ppm(f, s);
#endif
    if (fclose(f) != 0) {
        ret = -1;
    }
    if (ret < 0) {
        err_setf(errp, "failed to write file '%s'", filename);
        unlink(filename);
    }
    return ret;
}
