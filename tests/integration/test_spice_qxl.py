# SPDX-License-Identifier: GPL-2.0-or-later
"""QXL with a Linux driver: Debian's generic kernel (the guest of
scripts/build-demo-guest.sh DIR net) boots with -vga qxl -device qxl (QEMU's
multi-head set-up: the primary card and a secondary one) and an initramfs
made here with the kernel package's qxl.ko and the DRM/TTM modules it
needs; the driver binds both cards (its dmesg lines, card0 and card1),
whose PCI identities are QEMU's, fbcon runs on the primary's qxldrmfb,
and remote-viewer, connected over SPICE from the start (VGA mode, then
the driver's primary surface), shows exactly what screendump shows: the
text the guest writes on the framebuffer console and a white band it
paints into /dev/fb0.  The guest paints a grey band into /dev/fb1 (the
secondary): `screendump device=qxl1` shows it and the primary's does
not, query-spice lists the client's two display channels and the
viewer's second window shows the secondary's screendump."""
import glob
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (QMP, ROOT, Fail, Hemu, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, free_port, run_tests, test, wait_for)
from rfb import read_ppm  # noqa: E402
from spiceview import Xvfb, find_picture  # noqa: E402

GUEST = os.path.join(ROOT, "build", "demo")
MODULES = ["drm", "drm_kms_helper", "ttm", "drm_ttm_helper", "qxl"]
BAND = 16   # rows the guest paints white
GREY = 0x5a     # the byte the guest fills the secondary's top rows with
BAND2 = 48

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in %s; do insmod /lib/qxl/$m.ko; done
for i in $(seq 1 50); do [ -e /dev/fb0 ] && [ -e /dev/fb1 ] && break; sleep 0.2; done
dmesg | grep -E "qxl|fb[01]" | sed 's/^/HEMU-QXL: /'
for d in /sys/bus/pci/devices/*; do
    case $(cat $d/class) in 0x03*)
        echo "HEMU-QXL: pci ${d##*/} $(cat $d/vendor) $(cat $d/device)" \
             "$(cat $d/class) $(cat $d/revision)" \
             "$(cat $d/subsystem_vendor) $(cat $d/subsystem_device)" \
             "rom=$([ -e $d/rom ] && echo yes || echo no)" \
             "drm=$(ls $d/drm 2>/dev/null | grep card | tr '\n' ' ')";;
    esac
done
# Quiet console, no blinking cursor: the screen must stay still.
dmesg -n 1
echo 0 > /sys/class/graphics/fbcon/cursor_blink
stride=$(cat /sys/class/graphics/fb0/stride)
echo "HEMU-QXL: fb $(cat /sys/class/graphics/fb0/virtual_size) $stride"
for i in 1 2 3 4 5 6 7 8; do
    echo "hemu qxl: the framebuffer console on qxldrmfb, line $i" > /dev/tty1
done
# Each band goes in one write(): one damage range for fbdev's deferred
# I/O, not one per pipe buffer.
head -c $((stride * %d)) /dev/zero | tr '\000' '\377' > /tmp/band0
paint0() { dd if=/tmp/band0 of=/dev/fb0 bs=$((stride * %d)) count=1 2>/dev/null; }
paint0
# No fbcon on fb1 and no client monitors config: nothing has set a mode
# on the secondary yet, and the driver ignores writes to a framebuffer
# that is not scanned out.  Make fbdev apply its mode (set_par).
/bin/fbforce /dev/fb1 | sed 's/^/HEMU-QXL: /'
stride1=$(cat /sys/class/graphics/fb1/stride)
echo "HEMU-QXL: fb1 $(cat /sys/class/graphics/fb1/virtual_size) $stride1"
head -c $((stride1 * %d)) /dev/zero | tr '\000' '\%03o' > /tmp/band1
paint1() { dd if=/tmp/band1 of=/dev/fb1 bs=$((stride1 * %d)) count=1 2>/dev/null; }
paint1
echo "HEMU-QXL: painted"
# Now and then a row of a single paint never reaches the screen (seen
# on either card, with the guest's fbdev deferred I/O under a loaded
# host): paint the same again, which changes nothing once it has.
while true; do sleep 5; paint0; paint1; done
""" % (" ".join(MODULES), BAND, BAND, BAND2, GREY, BAND2)


# FBIOPUT_VSCREENINFO with FB_ACTIVATE_FORCE: the fbdev emulation's
# set_par, which makes the driver scan the framebuffer out.
FBFORCE = r"""
#include <fcntl.h>
#include <linux/fb.h>
#include <stdio.h>
#include <sys/ioctl.h>

int main(int argc, char **argv)
{
    struct fb_var_screeninfo v;
    int fd = open(argv[1], O_RDWR);
    if (fd < 0 || ioctl(fd, FBIOGET_VSCREENINFO, &v) < 0) {
        perror(argv[1]);
        return 1;
    }
    v.activate = FB_ACTIVATE_NOW | FB_ACTIVATE_FORCE;
    if (ioctl(fd, FBIOPUT_VSCREENINFO, &v) < 0) {
        perror("FBIOPUT_VSCREENINFO");
        return 1;
    }
    printf("fbforce %s %ux%u\n", argv[1], v.xres, v.yres);
    return 0;
}
"""


def generic_debs():
    return [d for d in glob.glob(os.path.join(GUEST, "linux-image-*-amd64_*.deb"))
            if "cloud" not in d]


def guest(td):
    r = subprocess.run([os.path.join(ROOT, "scripts", "build-demo-guest.sh"),
                        GUEST, "net"], capture_output=True, text=True,
                       timeout=900)
    if r.returncode != 0:
        raise Fail("build-demo-guest.sh net failed: %s" % r.stderr)
    kernel = r.stdout.split()[0]
    debs = generic_debs()
    if not debs:
        # The demo build (run by "net" in a fresh directory) removes the
        # kernel packages it downloaded: fetch the generic image again.
        subprocess.run("apt-get -o APT::Sandbox::User=root download "
                       "linux-image-amd64 >/dev/null && img=$(dpkg-deb -f "
                       "linux-image-amd64_*.deb Depends | cut -d, -f1 | "
                       "cut -d' ' -f1) && apt-get -o APT::Sandbox::User=root "
                       "download \"$img\" >/dev/null", shell=True, cwd=GUEST,
                       check=True, timeout=600)
        debs = generic_debs()
    check(debs, "the generic kernel package in %s" % GUEST)
    root = td("root")
    os.makedirs(os.path.join(root, "lib", "qxl"))
    subprocess.run("gzip -dc %s | cpio -id 2>/dev/null" %
                   os.path.join(GUEST, "initrd.gz"), shell=True, cwd=root,
                   check=True)
    kx = td("kx")
    os.makedirs(kx)
    subprocess.run("dpkg-deb --fsys-tarfile '%s' | tar -x -C '%s' --wildcards "
                   "'*/gpu/drm/drm.ko' '*/gpu/drm/drm_kms_helper.ko' "
                   "'*/gpu/drm/drm_ttm_helper.ko' '*/gpu/drm/ttm/ttm.ko' "
                   "'*/gpu/drm/qxl/qxl.ko'" % (debs[0], kx), shell=True,
                   check=True)
    for m in MODULES:
        found = glob.glob(os.path.join(kx, "lib", "modules", "*", "kernel",
                                       "drivers", "gpu", "drm", "**",
                                       m + ".ko"), recursive=True)
        check(found, "%s.ko in the kernel package" % m)
        os.rename(found[0], os.path.join(root, "lib", "qxl", m + ".ko"))
    with open(td("fbforce.c"), "w") as f:
        f.write(FBFORCE)
    subprocess.run(["gcc", "-static", "-O2", "-o",
                    os.path.join(root, "bin", "fbforce"), td("fbforce.c")],
                   check=True)
    with open(os.path.join(root, "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(root, "init"), 0o755)
    initrd = td("initrd-qxl.gz")
    subprocess.run("find . | cpio -o -H newc 2>/dev/null | gzip -1 > '%s'"
                   % initrd, shell=True, cwd=root, check=True)
    return kernel, initrd


@test
def linux_qxl_driver_fbcon_over_spice():
    with TempDir() as td, Xvfb(td) as x:
        kernel, initrd = guest(td)
        port = free_port()
        qsock = td("q.sock")
        serial = td("serial.log")
        with Hemu(["-vga", "qxl", "-device", "qxl,id=qxl1",
                   "-m", "512", "-display", "none",
                   "-net", "none", "-serial", "file:" + serial,
                   "-qmp", "unix:%s,server=on,wait=off" % qsock,
                   "-kernel", kernel, "-initrd", initrd,
                   "-append", "console=tty0 console=ttyS0 quiet no_timer_check",
                   "-spice", "port=%d,addr=127.0.0.1,disable-ticketing=on,"
                   "jpeg-wan-compression=never,zlib-glz-wan-compression=never"
                   % port]) as hemu:
            q = QMP(connect_unix(qsock))
            q.cmd("qmp_capabilities")
            x.spawn(["remote-viewer", "spice://127.0.0.1:%d" % port])

            def text():
                try:
                    with open(serial, errors="replace") as f:
                        return f.read()
                except OSError:
                    return ""
            wait_for(lambda: "HEMU-QXL: painted" in text(), timeout=600,
                     what="the guest's qxl driver and its painting")
            log = text()
            check("[drm] Initialized qxl" in log, "qxl did not bind: %s"
                  % log[-2000:])
            check("fb0: qxldrmfb frame buffer device" in log,
                  "no qxldrmfb framebuffer")
            check(log.count("[drm] Initialized qxl") == 2,
                  "qxl did not bind both cards: %s" % log[-2000:])
            check("fb1: qxldrmfb frame buffer device" in log,
                  "no qxldrmfb framebuffer on the secondary")
            # QEMU's identities: Red Hat 1b36:0100 revision 5, subsystem
            # 1af4:1100; VGA class with the VGA BIOS at 00:02.0, the
            # secondary "other display" class without an option ROM.
            pci = sorted(ln.split()[2:] for ln in log.splitlines()
                         if "HEMU-QXL: pci " in ln)
            check_eq(pci, [
                ["0000:00:02.0", "0x1b36", "0x0100", "0x030000", "0x05",
                 "0x1af4", "0x1100", "rom=yes", "drm=card0"],
                ["0000:00:03.0", "0x1b36", "0x0100", "0x038000", "0x05",
                 "0x1af4", "0x1100", "rom=no", "drm=card1"]])
            fb = [ln for ln in log.splitlines() if "HEMU-QXL: fb " in ln][0]
            w, h = map(int, fb.split()[2].split(","))
            fb1 = [ln for ln in log.splitlines()
                   if "HEMU-QXL: fb1 " in ln][0]
            w1, h1 = map(int, fb1.split()[2].split(","))

            # The driver flushes its shadow framebuffer a little later
            # (deferred I/O): wait for the band, then for a still screen.
            last = {}

            def painted():
                # Each screendump makes the worker render the whole
                # surface: a few a second leave the CPU to the guest.
                time.sleep(0.25)
                q.cmd("screendump", {"filename": td("a.ppm")})
                sw, sh, px = read_ppm(td("a.ppm"))
                band = px[:sw * BAND * 3]
                last.update(size=(sw, sh), band=band)
                return (sw, sh) == (w, h) and band == b"\xff" * len(band)
            try:
                wait_for(painted, timeout=240,
                         what="a %dx%d screendump with the white band"
                         % (w, h))
            except Fail as e:
                band = last.get("band", b"")
                white = band.count(b"\xff")
                rows = [bytes(band[r * w * 3:(r + 1) * w * 3])
                        for r in range(BAND)]
                raise Fail("%s; the last one was %sx%s, %d of %d band bytes "
                           "0xff, band rows: %s" % (
                               e, *last.get("size", ("?", "?")), white,
                               len(band), " ".join(
                                   "%d:%s" % (i, r[:24].hex())
                                   for i, r in enumerate(rows)
                                   if r != b"\xff" * len(r))[:1500]))

            def settled():
                q.cmd("screendump", {"filename": td("a.ppm")})
                time.sleep(0.5)
                q.cmd("screendump", {"filename": td("b.ppm")})
                a, b = read_ppm(td("a.ppm")), read_ppm(td("b.ppm"))
                return a if a == b else None
            shot = wait_for(settled, timeout=120, what="a still screen")
            sw, sh, px = shot
            rest = px[w * BAND * 3:]
            lit = sum(1 for i in range(0, len(rest), 3) if rest[i] > 0x80)
            check(lit > 2000, "no text under the band (%d lit pixels)" % lit)

            # The secondary: its own surface, with the guest's grey band.
            grey = bytes([GREY]) * (w1 * BAND2 * 3)

            def second():
                time.sleep(0.25)
                q.cmd("screendump", {"filename": td("c.ppm"),
                                     "device": "qxl1", "head": 0})
                sw, sh, px = read_ppm(td("c.ppm"))
                last.update(size=(sw, sh), band=px[:len(grey)])
                return (sw, sh) == (w1, h1) and px[:len(grey)] == grey
            try:
                wait_for(second, timeout=120, what="a %dx%d screendump of "
                         "qxl1 with the grey band" % (w1, h1))
            except Fail as e:
                band = last.get("band", b"")
                bad = [r for r in range(BAND2) if band[r * w1 * 3:
                                                        (r + 1) * w1 * 3]
                       != grey[:w1 * 3]]
                raise Fail("%s; the last one was %sx%s, %d of %d band bytes "
                           "0x%02x, rows not grey: %s; hemu's stderr: %s" % (
                               e, *last.get("size", ("?", "?")),
                               band.count(bytes([GREY])), len(grey), GREY,
                               bad, hemu.stderr_so_far()[-2000:].decode(errors="replace")))
            shot2 = read_ppm(td("c.ppm"))
            check(bytes([GREY]) * (w * 3) not in px,
                  "the primary's screendump shows the secondary's band")
            # A bad id: QEMU's error class and message.
            r = q.cmd_raw("screendump", {"filename": td("d.ppm"),
                                         "device": "nosuch"})
            check_eq(r.get("error", {}).get("class"), "DeviceNotFound")
            check_eq(r["error"]["desc"], "Device 'nosuch' not found")

            # The client has a display channel per card.
            def two_displays():
                chans = q.cmd("query-spice")["channels"]
                return sorted(c["channel-id"] for c in chans
                              if c["channel-type"] == 2) == [0, 1]
            wait_for(two_displays, timeout=60,
                     what="remote-viewer's display channels 0 and 1")

            # Each window of the viewer in turn on top: one shows the
            # primary's picture, another the secondary's.
            def viewer_shows(pic):
                r = x.run(["xdotool", "search", "--onlyvisible", "--class",
                           "remote-viewer"])
                for win in r.stdout.split():
                    x.run(["xdotool", "windowraise", win])
                    if find_picture(x.screenshot(), pic):
                        return True
                return False
            wait_for(lambda: viewer_shows(shot), timeout=90,
                     what="remote-viewer to show the screendump")
            wait_for(lambda: viewer_shows(shot2), timeout=90,
                     what="remote-viewer to show qxl1's screendump")
            q.cmd("quit")


@test
def secondary_card_forms():
    """Without a guest: -device qxl next to -vga std, next to -vga qxl
    (twice) and alone; each card's screendump is its own console and the
    SPICE server has a display per console."""
    with TempDir() as td:
        for args, ids in (
                (["-vga", "std", "-device", "qxl,id=q1"], ["q1"]),
                (["-vga", "qxl", "-device", "qxl,id=q1",
                  "-device", "qxl,id=q2,ram_size_mb=32,vram_size_mb=16"],
                 ["q1", "q2"]),
                (["-nodefaults", "-device", "qxl,id=q1"], ["q1"])):
            qsock = td("f.sock")
            with Hemu(args + ["-S", "-display", "none", "-qmp",
                              "unix:%s,server=on,wait=off" % qsock,
                              "-spice", "port=%d,addr=127.0.0.1,"
                              "disable-ticketing=on" % free_port()]):
                q = QMP(connect_unix(qsock))
                q.cmd("qmp_capabilities")
                for dev in ids:
                    q.cmd("screendump", {"filename": td("f.ppm"),
                                         "device": dev})
                    sw, sh, px = read_ppm(td("f.ppm"))
                    check_eq((sw, sh), (640, 480), "%s's size" % dev)
                    check(px == b"\0" * len(px),
                          "%s shows something before its driver runs" % dev)
                r = q.cmd_raw("screendump", {"filename": td("f.ppm"),
                                             "device": ids[0], "head": 1})
                check_eq(r["error"]["desc"], "Device %s (head 1) is not "
                         "bound to a QemuConsole" % ids[0])
                check(q.cmd("query-spice")["enabled"], "spice is off")
                q.cmd("quit")


run_tests()
