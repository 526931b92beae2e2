#!/bin/sh
# build-floppy-guest.sh [DIR] - the floppy test guest from Debian packages
# (tests/integration/test_floppy.py): DIR/vmlinuz from linux-image-amd64
# (the generic kernel: the cloud kernel has no floppy driver) and
# DIR/initrd.gz, a busybox-static initramfs with the kernel's floppy.ko
# whose /init loads it, prints the md5 of the whole of /dev/fd0, writes
# 64 KiB of "HEMU-FLOPPY-WRITE" lines at sector 100 with fsync (HEMU-TEST
# lines on the serial console) and powers off.  Downloads are cached in
# DIR; nothing here is committed.
set -eu
dir=${1:-build/floppy-guest}
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cd "$dir"
if [ ! -f vmlinuz ] || [ ! -f floppy.ko ]; then
    rm -f linux-image-*.deb
    apt-get -o APT::Sandbox::User=root download linux-image-amd64 >/dev/null
    img=$(dpkg-deb -f linux-image-amd64_*.deb Depends | cut -d, -f1 | cut -d' ' -f1)
    apt-get -o APT::Sandbox::User=root download "$img" >/dev/null
    rm -rf kroot && mkdir kroot
    dpkg-deb --fsys-tarfile "$img"_*.deb | tar -x -C kroot --wildcards \
        './boot/vmlinuz-*' './lib/modules/*/kernel/drivers/block/floppy.ko'
    find kroot -name floppy.ko -exec cp {} floppy.ko \;
    cp kroot/boot/vmlinuz-* vmlinuz.tmp && mv vmlinuz.tmp vmlinuz
    rm -rf kroot linux-image-*.deb
fi
if [ ! -f busybox ]; then
    rm -f busybox-static_*.deb
    apt-get -o APT::Sandbox::User=root download busybox-static >/dev/null
    rm -rf bbroot && mkdir bbroot
    dpkg-deb -x busybox-static_*.deb bbroot
    cp bbroot/bin/busybox busybox
    rm -rf bbroot busybox-static_*.deb
fi
if [ ! -f initrd.gz ] || [ "$self" -nt initrd.gz ]; then
    rm -rf root && mkdir -p root/bin root/proc root/sys root/dev root/tmp
    cp busybox root/bin/busybox
    cp floppy.ko root/floppy.ko
    cat > root/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
insmod /floppy.ko
i=0
while [ $i -lt 50 ] && [ ! -b /dev/fd0 ]; do sleep 0.1; i=$((i + 1)); done
echo "HEMU-TEST: fd0-md5=$(dd if=/dev/fd0 bs=18432 2>/dev/null | md5sum | cut -d' ' -f1)"
yes HEMU-FLOPPY-WRITE | head -c 65536 > /tmp/p
if dd if=/tmp/p of=/dev/fd0 bs=512 seek=100 conv=fsync 2>/dev/null; then
    echo "HEMU-TEST: fd0-write=ok"
else
    echo "HEMU-TEST: fd0-write=failed"
fi
echo "HEMU-TEST: done"
poweroff -f
INIT
    chmod +x root/init
    (cd root && find . | cpio -o -H newc 2>/dev/null) | gzip -9 > initrd.tmp
    mv initrd.tmp initrd.gz
    rm -rf root
fi
echo "$dir/vmlinuz $dir/initrd.gz"
