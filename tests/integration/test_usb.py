# SPDX-License-Identifier: GPL-2.0-or-later
"""USB in a Linux guest: the network test guest (scripts/build-demo-guest.sh
DIR net, Debian's generic kernel with its USB modules; hemu.usb=1 runs
tests/guest-progs/usbtest.sh) enumerates hemu's USB devices on the UHCI
and the xHCI and reads and writes usb-storage disks, and input
sent by an RFB client reaches the guest's evdev devices (read by
tests/guest-progs/evread.c): a VNC pointer event at (x, y) arrives at the
tablet as (x, y) scaled to 0..0x7fff over the screen, keys go to the USB
keyboard instead of the PS/2 one, relative motion to the USB mouse."""
import os
import re
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (ROOT, Fail, Hemu, TempDir, check, check_eq,  # noqa: E402
                      run_tests, test, wait_for, demo_guest)
import rfb  # noqa: E402
from rfb import free_display  # noqa: E402

GUEST = os.path.join(ROOT, "build", "demo")


def guest():
    return demo_guest("net")


def boot(td, usb_args, usbdevs, evsecs, vnc=None, extra=""):
    kernel, initrd = guest()
    serial = td("serial.log")
    args = ["-display", "none", "-m", "256", "-nodefaults", "-vga", "std",
            "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0 hemu.usb=1 hemu.usbdevs=%d "
                       "hemu.evsecs=%d %s" % (usbdevs, evsecs, extra),
            "-serial", "file:" + serial] + usb_args
    if vnc is not None:
        args += ["-vnc", "127.0.0.1:%d" % vnc]
    return Hemu(args), serial


def boot_vnc(td, usb_args, usbdevs, evsecs, extra=""):
    """boot() on a free VNC display; another process may take the port
    between the check and hemu's bind, so try a few."""
    for attempt in range(5):
        d = free_display()
        h, serial = boot(td, usb_args, usbdevs, evsecs, vnc=d, extra=extra)
        try:
            h.proc.wait(1)
        except subprocess.TimeoutExpired:
            return h, serial, d
        err = h.stderr()
        h.kill()
        if "Address already in use" not in err:
            raise Fail("hemu exited: %s" % err)
    raise Fail("no free VNC display")


def reader(serial):
    def log():
        try:
            with open(serial, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""
    return log


def wait_line(log, text, timeout, h):
    def seen():
        if h.proc.poll() is not None:
            raise Fail("hemu exited (%s): %s; serial ends %r"
                       % (h.proc.returncode, h.stderr()[-300:], log()[-600:]))
        return text in log()
    try:
        wait_for(seen, timeout=timeout, what=text)
    except Fail as e:
        raise Fail("%s; serial log ends %r" % (e, log()[-800:]))


def devices(log):
    """{product: (hc, driver)} from the HEMU-USB: dev lines."""
    out = {}
    for m in re.finditer(r"HEMU-USB: dev \S+ 0627:0001 hc=(\S+) driver=(\S+) "
                         r"speed=\S+ product=(\S+)", log):
        out[m.group(3)] = (m.group(1), m.group(2))
    return out


@test
def uhci_tablet_and_keyboard_from_vnc():
    with TempDir() as td:
        h, serial, d = boot_vnc(td, ["-usb", "-device", "usb-tablet",
                                     "-device", "usb-kbd,bus=usb-bus.0,port=2"],
                                2, 60)
        log = reader(serial)
        with h:
            wait_line(log, "HEMU-USB: evread-ready", 300, h)
            devs = devices(log())
            check_eq(devs.get("QEMU_USB_Tablet"), ("uhci_hcd", "usbhid"),
                     "tablet on the UHCI")
            check_eq(devs.get("QEMU_USB_Keyboard"), ("uhci_hcd", "usbhid"),
                     "keyboard on the UHCI")
            check("QEMU_QEMU_USB_Tablet absmax=32767" in log(),
                  "the tablet's evdev device with ABS_X up to 0x7fff")
            c = rfb.RFBClient(socket.create_connection(("127.0.0.1", 5900 + d)))
            c.refresh()
            w, hgt = c.width, c.height
            for x, y in ((100, 200), (w - 1, hgt - 1), (3, 7)):
                c.pointer(x, y)
                want = "HEMU-USB: abs QEMU_QEMU_USB_Tablet %d %d\r\n" % (
                    x * 0x7fff // (w - 1), y * 0x7fff // (hgt - 1))
                wait_line(log, want, 30, h)
            # A click: left button down and up at the same place.
            c.pointer(3, 7, 1)
            c.pointer(3, 7, 0)
            wait_line(log, "HEMU-USB: key QEMU_QEMU_USB_Tablet 272 0 ", 30, h)
            # The wheel turned away from the user (RFB button 4): REL_WHEEL
            # (8) +1, as Linux counts it.
            c.pointer(3, 7, 8)
            c.pointer(3, 7, 0)
            wait_line(log, "HEMU-USB: rel QEMU_QEMU_USB_Tablet 8 1 ", 30, h)
            # 'a' (set 1 0x1e) arrives as KEY_A (30) from the USB keyboard.
            c.ext_key_event(0x1e, True)
            c.ext_key_event(0x1e, False)
            wait_line(log, "HEMU-USB: key QEMU_QEMU_USB_Keyboard 30 0 ", 30, h)
            check("HEMU-USB: key QEMU_QEMU_USB_Keyboard 30 1 " in log(),
                  "key press seen")
            check("AT_Translated_Set_2_keyboard 30" not in log(),
                  "the PS/2 keyboard got no key")
            c.close()
            h.kill()


DISK_HEADS = (b"HEMU-USB-DISK-01", b"HEMU-USB-DISK-02")


@test
def xhci_all_devices_uhci_mouse_and_disk():
    """The board's UHCI (-usbdevice mouse, a usb-storage disk) and a
    qemu-xhci with a tablet, keyboard, mouse and a second disk: Linux
    binds xhci_hcd and uhci_hcd, reads both disks' known first bytes and
    writes a sector; VNC motion goes to the xHCI mouse (the pointer added
    last) as relative motion, keys to the xHCI keyboard."""
    with TempDir() as td:
        disks = []
        for i, head in enumerate(DISK_HEADS):
            disks.append(td("disk%d.raw" % i))
            with open(disks[-1], "wb") as f:
                f.write(head + bytes(4 * 1024 * 1024 - len(head)))
        h, serial, d = boot_vnc(td, [
            "-usbdevice", "mouse",
            "-drive", "if=none,id=d0,format=raw,file=" + disks[0],
            "-device", "usb-storage,drive=d0,port=2",
            "-device", "qemu-xhci,id=xhci",
            "-device", "usb-tablet,bus=usb-bus.1",
            "-device", "usb-kbd,bus=usb-bus.1,port=3",
            "-drive", "if=none,id=d1,format=raw,file=" + disks[1],
            "-device", "usb-storage,drive=d1,bus=usb-bus.1",
            "-device", "usb-mouse,bus=usb-bus.1"],
            6, 60, extra="hemu.disks=2 hemu.diskwrite=1")
        log = reader(serial)
        with h:
            wait_line(log, "HEMU-USB: evread-ready", 300, h)
            found = re.findall(r"HEMU-USB: dev \S+ (\S+) hc=(\S+) "
                               r"driver=(\S+) speed=\S+ product=(\S+)", log())
            check_eq(sorted((hc, drv, prod) for _, hc, drv, prod in found), [
                ("uhci_hcd", "usb-storage", "QEMU_USB_HARDDRIVE"),
                ("uhci_hcd", "usbhid", "QEMU_USB_Mouse"),
                ("xhci_hcd", "usb-storage", "QEMU_USB_HARDDRIVE"),
                ("xhci_hcd", "usbhid", "QEMU_USB_Keyboard"),
                ("xhci_hcd", "usbhid", "QEMU_USB_Mouse"),
                ("xhci_hcd", "usbhid", "QEMU_USB_Tablet")],
                "devices, their controllers and drivers")
            for head in DISK_HEADS:
                check(re.search(r"HEMU-USB: disk sd. size=8192 head=%s"
                                % head.decode(), log()),
                      "disk %s read in the guest" % head.decode())
            check("HEMU-USB: disk-written" in log(), "the guest wrote")
            written = []
            for path in disks:
                with open(path, "rb") as f:
                    f.seek(8 * 512)
                    written.append(f.read(17) == b"HEMU-USB-WRITTEN\n")
            check_eq(sorted(written), [False, True], "sector 8 of sda only")
            c = rfb.RFBClient(socket.create_connection(("127.0.0.1", 5900 + d)))
            c.refresh()
            c.pointer(10, 10)
            c.pointer(30, 15)
            # REL_X (0) +20, REL_Y (1) +5 from the xHCI's mouse (the one
            # added last; the UHCI's is usb-0000:00:01.2-1).
            wait_line(log, "HEMU-USB: rel QEMU_QEMU_USB_Mouse 0 20 ", 30, h)
            wait_line(log, "HEMU-USB: rel QEMU_QEMU_USB_Mouse 1 5 ", 30, h)
            phys = set(re.findall(r"HEMU-USB: rel QEMU_QEMU_USB_Mouse \d+ "
                                  r"-?\d+ (\S+)", log()))
            check(len(phys) == 1 and not list(phys)[0].startswith(
                "usb-0000:00:01.2"), "motion from the xHCI mouse: %r" % phys)
            check("HEMU-USB: abs QEMU_QEMU_USB_Tablet" not in log(),
                  "the tablet added before the mouse got nothing")
            c.ext_key_event(0x30, True)         # b: KEY_B (48)
            c.ext_key_event(0x30, False)
            wait_line(log, "HEMU-USB: key QEMU_QEMU_USB_Keyboard 48 0 ", 30, h)
            c.close()
            h.kill()


def boot_sector(msg):
    """A boot sector that prints msg on COM1 and halts."""
    code = bytes([0xfa, 0x31, 0xc0, 0x8e, 0xd8,     # cli; xor ax,ax; mov ds,ax
                  0xba, 0xf8, 0x03,                 # mov dx, 0x3f8
                  0xbe, 0x00, 0x00,                 # mov si, msg (patched)
                  0xac,                             # lodsb
                  0x84, 0xc0, 0x74, 0x03,           # test al,al; jz +3
                  0xee, 0xeb, 0xf8,                 # out dx,al; jmp lodsb
                  0xf4, 0xeb, 0xfd])                # hlt; jmp hlt
    at = 0x7c00 + len(code)
    code = code[:9] + bytes([at & 0xff, at >> 8]) + code[11:]
    sec = code + msg + b"\0"
    return sec + bytes(510 - len(sec)) + b"\x55\xaa"


@test
def seabios_boots_from_usb_storage():
    """SeaBIOS's UHCI and xHCI drivers find the disk at the path its
    bootindex= names (strict boot order) and boot its sector."""
    for ctrl in (["-usb"], ["-device", "qemu-xhci"]):
        with TempDir() as td:
            disk = td("boot.raw")
            with open(disk, "wb") as f:
                f.write(boot_sector(b"HEMU-USB-BOOTED\r\n") +
                        bytes(1024 * 1024))
            serial = td("serial.log")
            h = Hemu(["-display", "none", "-nodefaults"] + ctrl +
                     ["-drive", "if=none,id=b0,format=raw,file=" + disk,
                      "-device", "usb-storage,drive=b0,bootindex=1",
                      "-boot", "strict=on",
                      "-serial", "file:" + serial])
            with h:
                wait_line(reader(serial), "HEMU-USB-BOOTED", 120, h)
                h.kill()


@test
def usb_command_line_errors():
    for args, msg in (
            (["-device", "usb-tablet"],
             "No 'usb-bus' bus found for device 'usb-tablet'"),
            (["-usb", "-device", "usb-tablet,port=3"],
             "usb port 3 (bus usb-bus.0) not found"),
            (["-usb", "-device", "usb-tablet,bus=usb-bus.7"],
             "Bus 'usb-bus.7' not found"),
            (["-usb", "-device", "usb-mouse,port=1",
              "-device", "usb-kbd,port=1"],
             "usb port 1 (bus usb-bus.0) is in use"),
            (["-usbdevice", "braille"], "-usbdevice braille: 'braille': "
                                        "not supported")):
        h = Hemu(["-display", "none", "-S", "-nodefaults"] + args)
        with h:
            rc = h.wait(30)
            err = h.stderr()
            check(rc == 1 and msg in err,
                  "%s: exit %s, stderr %r" % (args, rc, err))


run_tests()
