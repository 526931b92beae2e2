#!/bin/sh
# build-demo-guest.sh [DIR] - makes the demo guest from Debian packages:
# DIR/vmlinuz from linux-image-cloud-amd64 and DIR/initrd.gz, a busybox
# initramfs (busybox-static) whose /init prints a greeting and opens a
# shell on the console, or, with hemu.test=1 on the kernel command line,
# prints HEMU-TEST lines (CPUs, memory, date, a sha256) and powers off
# (reboots with hemu.reboot=1).  Downloads are cached in DIR; nothing here
# is committed.
set -eu
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

if [ ! -f initrd.gz ] || [ "$0" -nt initrd.gz ]; then
    if [ ! -f busybox ]; then
        rm -f busybox-static_*.deb
        apt-get -o APT::Sandbox::User=root download busybox-static >/dev/null
        rm -rf bbroot && mkdir bbroot
        dpkg-deb -x busybox-static_*.deb bbroot
        cp bbroot/bin/busybox busybox
        rm -rf bbroot
    fi
    rm -rf root
    mkdir -p root/bin root/proc root/sys root/dev root/tmp
    cp busybox root/bin/busybox
    cat > root/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
cmdline=" $(cat /proc/cmdline) "
case "$cmdline" in
*" hemu.vtshell=1 "*)
    # A shell on the VGA console (tty1) as well, for keyboard tests: what
    # is typed there can write to the serial port.
    setsid sh -c 'exec sh </dev/tty1 >/dev/tty1 2>&1' &
    sleep 1
    echo "HEMU-VT: ready"
    ;;
esac
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
