#!/bin/sh
# usbtest.sh - the USB checks in the network test guest (hemu.usb=1 on
# the kernel command line; scripts/build-demo-guest.sh DIR net puts it
# in the initramfs with the generic kernel's USB modules in /lib/usb and
# /bin/evread).  Prints HEMU-USB lines that tests/integration/test_usb.py
# reads: every USB device with its controller's and interface's drivers,
# the first 16 bytes of each USB disk, then evread's input events for
# hemu.evsecs= seconds.
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p"; }
for m in $(cat /lib/usb/order); do
    insmod "/lib/usb/$m.ko" 2>/dev/null
done
# Until hemu.usbdevs= devices (and hemu.disks= disks) show up, 60 s at most.
want=$(arg hemu.usbdevs); want=${want:-1}
disks=$(arg hemu.disks); disks=${disks:-0}
i=0
while [ $i -lt 120 ]; do
    n=$(ls /sys/bus/usb/devices | grep -c '^[0-9]*-[0-9.]*$')
    d=$(ls /sys/block | grep -c '^sd')
    [ "$n" -ge "$want" ] && [ "$d" -ge "$disks" ] && break
    sleep 0.5; i=$((i + 1))
done
for d in $(ls /sys/bus/usb/devices | grep '^[0-9]*-[0-9.]*$'); do
    p=/sys/bus/usb/devices/$d
    hc=$(basename "$(readlink $p/../../driver)")
    drv=$(basename "$(readlink $p/$d:1.0/driver)")
    echo "HEMU-USB: dev $d $(cat $p/idVendor):$(cat $p/idProduct) hc=$hc driver=$drv speed=$(cat $p/speed) product=$(cat $p/product | tr ' ' '_')"
done
for b in $(ls /sys/block | grep '^sd'); do
    echo "HEMU-USB: disk $b size=$(cat /sys/block/$b/size) head=$(dd if=/dev/$b bs=16 count=1 2>/dev/null)"
done
# hemu.diskwrite=1: a line into the first disk's sector 8 for the host.
if [ "$(arg hemu.diskwrite)" = 1 ] && [ -b /dev/sda ]; then
    echo HEMU-USB-WRITTEN | dd of=/dev/sda bs=512 seek=8 conv=sync,fsync 2>/dev/null
    echo "HEMU-USB: disk-written"
fi
echo "HEMU-USB: enumerated"
secs=$(arg hemu.evsecs)
[ -n "$secs" ] && /bin/evread "$secs"
echo "HEMU-USB: done"
