#!/bin/sh
# build-demo-guest.sh [DIR] - makes the demo guest from Debian packages:
# DIR/vmlinuz from linux-image-cloud-amd64 and DIR/initrd.gz, a busybox
# initramfs (busybox-static) whose /init prints a greeting and opens a
# shell on the console, or, with hemu.test=1 on the kernel command line,
# prints HEMU-TEST lines (CPUs, memory, date, a sha256) and powers off
# (reboots with hemu.reboot=1); with hemu.acpid=1 it loads the ACPI button
# and evdev modules from the kernel package, runs busybox acpid, prints
# HEMU-TEST: nproc= and HEMU-TEST: acpid-ready and powers off when the ACPI power button is
# pressed (QMP system_powerdown); with hemu.dmesg=1 it prints the kernel
# log between HEMU-DMESG-BEGIN and HEMU-DMESG-END lines and powers off.  Downloads are cached in DIR; nothing
# here is committed.
set -eu
# This script's own path, before the cd below: an edit rebuilds the initrd.
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
dir=${1:-build/demo}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cd "$dir"

if [ ! -f vmlinuz ]; then
    rm -f linux-image-*.deb
    apt-get -o APT::Sandbox::User=root download linux-image-cloud-amd64 >/dev/null
    # The meta package names the versioned image it depends on.
    img=$(dpkg-deb -f linux-image-cloud-amd64_*.deb Depends | cut -d, -f1 | cut -d' ' -f1)
    apt-get -o APT::Sandbox::User=root download "$img" >/dev/null
    rm -rf kroot && mkdir kroot
    dpkg-deb --fsys-tarfile "$img"_*.deb | tar -x -C kroot --wildcards './boot/vmlinuz*'
    cp kroot/boot/vmlinuz-* vmlinuz.tmp && mv vmlinuz.tmp vmlinuz
    rm -rf kroot
fi

# The ACPI power button and evdev drivers are modules in the cloud kernel:
# acpid needs them to see the power button.
if [ ! -f button.ko ] || [ ! -f evdev.ko ]; then
    if ! ls linux-image-[0-9]*.deb >/dev/null 2>&1; then
        rm -f linux-image-cloud-amd64_*.deb
        apt-get -o APT::Sandbox::User=root download linux-image-cloud-amd64 >/dev/null
        img=$(dpkg-deb -f linux-image-cloud-amd64_*.deb Depends | cut -d, -f1 | cut -d' ' -f1)
        apt-get -o APT::Sandbox::User=root download "$img" >/dev/null
    fi
    rm -rf mroot && mkdir mroot
    dpkg-deb --fsys-tarfile linux-image-[0-9]*.deb | tar -x -C mroot --wildcards \
        './lib/modules/*/kernel/drivers/acpi/button.ko' \
        './lib/modules/*/kernel/drivers/input/evdev.ko'
    cp mroot/lib/modules/*/kernel/drivers/acpi/button.ko button.ko
    cp mroot/lib/modules/*/kernel/drivers/input/evdev.ko evdev.ko
    rm -rf mroot
fi

if [ ! -f initrd.gz ] || [ "$self" -nt initrd.gz ] || [ button.ko -nt initrd.gz ]; then
    if [ ! -f busybox ]; then
        rm -f busybox-static_*.deb
        apt-get -o APT::Sandbox::User=root download busybox-static >/dev/null
        rm -rf bbroot && mkdir bbroot
        dpkg-deb -x busybox-static_*.deb bbroot
        cp bbroot/bin/busybox busybox
        rm -rf bbroot
    fi
    rm -rf root
    mkdir -p root/bin root/proc root/sys root/dev root/tmp root/lib/modules \
        root/etc/acpi/PWRF
    cp busybox root/bin/busybox
    cp button.ko evdev.ko root/lib/modules/
    # busybox acpid runs /etc/acpi/<ACTION>/<PARAMETER> for the button.
    printf '#!/bin/sh\necho "HEMU-TEST: power-button"\nsync\npoweroff -f\n' \
        > root/etc/acpi/PWRF/00000080
    chmod +x root/etc/acpi/PWRF/00000080
    cat > root/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
cmdline=" $(cat /proc/cmdline) "
case "$cmdline" in
*" hemu.test=1 "*)
    echo "HEMU-TEST: nproc=$(nproc)"
    echo "HEMU-TEST: memtotal=$(awk '/MemTotal/ {print $2}' /proc/meminfo)"
    echo "HEMU-TEST: date=$(date -u +%Y-%m-%d)"
    echo "HEMU-TEST: sha=$(echo hemu | sha256sum | cut -d' ' -f1)"
    echo "HEMU-TEST: done"
    case "$cmdline" in *" hemu.reboot=1 "*) reboot -f ;; esac
    poweroff -f
    ;;
*" hemu.dmesg=1 "*)
    echo "HEMU-DMESG-BEGIN"
    dmesg
    echo "HEMU-DMESG-END"
    poweroff -f
    ;;
*" hemu.acpid=1 "*)
    insmod /lib/modules/evdev.ko
    insmod /lib/modules/button.ko
    # acpid opens the event devices it finds at start: wait for the
    # power button's.
    for i in 1 2 3 4 5 6 7 8 9 10; do
        for e in /sys/class/input/event*; do
            if [ "$(cat "$e/device/name" 2>/dev/null)" = "Power Button" ] &&
               [ -e "/dev/input/${e##*/}" ]; then
                break 2
            fi
        done
        sleep 1
    done
    # In the foreground, logging to the console (the daemon would want
    # /var/run and /var/log).
    acpid -d &
    pid=$!
    # Ready once acpid holds an event device open.
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        ls -l "/proc/$pid/fd" 2>/dev/null | grep -q /dev/input/event && break
        sleep 1
    done
    echo "HEMU-TEST: nproc=$(nproc)"
    echo "HEMU-TEST: acpid-ready"
    while :; do sleep 1; done
    ;;
esac
echo
echo "hemu demo guest: Debian $(uname -r) with busybox; 'poweroff -f' ends it."
setsid cttyhack sh
poweroff -f
INIT
    chmod +x root/init
    (cd root && find . | cpio -o -H newc 2>/dev/null) | gzip -9 > initrd.tmp
    mv initrd.tmp initrd.gz
    rm -rf root
fi
echo "$dir/vmlinuz $dir/initrd.gz"
