# emu/hw/usb: the USB core (ports, endpoint 0), the UHCI controller, the
# HID devices (tablet, mouse, keyboard), usb-storage, and -usb/-usbdevice.
hemu-y += emu/hw/usb/usb-core.o emu/hw/usb/uhci.o emu/hw/usb/usb-hid.o \
          emu/hw/usb/usb-cli.o emu/hw/usb/usb-storage.o emu/hw/usb/xhci.o
