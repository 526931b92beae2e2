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
# This script's own path, for the rebuild check after the cd below.
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
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

# The storage test (hemu.disk=1) loads the kernel's block drivers, which
# the cloud kernel builds as modules: taken from the same image package.
STORAGE_MODS="scsi_common scsi_mod libata ata_piix sd_mod cdrom sr_mod virtio_ring
virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk"
if [ ! -f storage-modules/done ]; then
    if ! ls linux-image-*-cloud-amd64_*.deb >/dev/null 2>&1; then
        apt-get -o APT::Sandbox::User=root download linux-image-cloud-amd64 >/dev/null
        img=$(dpkg-deb -f linux-image-cloud-amd64_*.deb Depends | cut -d, -f1 | cut -d' ' -f1)
        apt-get -o APT::Sandbox::User=root download "$img" >/dev/null
    fi
    rm -rf storage-modules mroot && mkdir storage-modules mroot
    deb=$(ls linux-image-*-cloud-amd64_*.deb | head -n 1)
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C mroot --wildcards \
        './lib/modules/*/kernel/drivers/ata/*.ko' \
        './lib/modules/*/kernel/drivers/scsi/*.ko' \
        './lib/modules/*/kernel/drivers/cdrom/*.ko' \
        './lib/modules/*/kernel/drivers/block/virtio_blk.ko' \
        './lib/modules/*/kernel/drivers/virtio/*.ko'
    for m in $STORAGE_MODS; do
        find mroot -name "$m.ko" -exec cp {} storage-modules/ \;
    done
    rm -rf mroot
    touch storage-modules/done
fi

if [ ! -f initrd.gz ] || [ "$self" -nt initrd.gz ] || \
   [ storage-modules/done -nt initrd.gz ]; then
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
    mkdir -p root/lib/storage
    cp storage-modules/*.ko root/lib/storage/
    echo "$STORAGE_MODS" > root/lib/storage/order
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
*" hemu.disk=1 "*)
    # Storage test (tests/integration/test_block_linux.py): writes a
    # pattern to each disk (IDE or virtio), tries to write the read-only
    # one (must fail), reads the CD-ROM's volume descriptor.
    for m in $(cat /lib/storage/order); do
        insmod /lib/storage/$m.ko 2>/dev/null
    done
    i=0
    while [ $i -lt 100 ] && [ ! -b /dev/sda ] && [ ! -b /dev/vda ]; do
        sleep 0.1
        i=$((i + 1))
    done
    sleep 2
    # Disks are told apart by size (probing order varies): the one of
    # hemu.rosize= sectors is the read-only one, the others get the pattern.
    ro=none
    for w in $cmdline; do
        case "$w" in hemu.rosize=*) ro=${w#hemu.rosize=} ;; esac
    done
    for d in /sys/block/sd? /sys/block/vd?; do
        [ -e "$d" ] || continue
        n=$(basename "$d")
        sz=$(cat "$d/size")
        if [ "$sz" = "$ro" ]; then
            echo "HEMU-TEST: ro-$sz=$(cat "$d/ro")"
            if dd if=/dev/zero of=/dev/$n bs=4096 count=1 oflag=direct conv=fsync 2>/dev/null; then
                echo "HEMU-TEST: rowrite-$sz=succeeded"
            else
                echo "HEMU-TEST: rowrite-$sz=failed"
            fi
            continue
        fi
        yes "HEMU-PATTERN-$sz" | head -c 1048576 > /tmp/p
        if dd if=/tmp/p of=/dev/$n bs=64k seek=16 oflag=direct conv=fsync 2>/dev/null; then
            echo "HEMU-TEST: write-$sz=ok"
        else
            echo "HEMU-TEST: write-$sz=failed"
        fi
        echo "HEMU-TEST: sha-$sz=$(dd if=/dev/$n bs=64k skip=16 count=16 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)"
    done
    if [ -b /dev/sr0 ]; then
        echo "HEMU-TEST: cd=$(dd if=/dev/sr0 bs=2048 skip=16 count=1 2>/dev/null | head -c 6 | tail -c 5)"
    fi
    echo "HEMU-TEST: done"
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
