#!/bin/sh
# build-demo-guest.sh [DIR] - makes the demo guest from Debian packages:
# DIR/vmlinuz from linux-image-cloud-amd64 and DIR/initrd.gz, a busybox
# initramfs (busybox-static) whose /init prints a greeting and opens a
# shell on the console, or, with hemu.test=1 on the kernel command line,
# prints HEMU-TEST lines (CPUs, memory, date, a sha256) and powers off
# (reboots with hemu.reboot=1).  It also holds /bin/cpubench, built here
# with gcc -static from tests/guest-progs/cpubench.c: hemu.prog=1 runs it
# once and prints HEMU-PROG lines (make check compares them with the
# host's run); hemu.bench=1 prints HEMU-BENCH lines for make bench (boot
# marker, sha256sum and gzip of hemu.benchmb=N MiB made in the guest,
# cpubench at hemu.benchscale=N).  Downloads are cached in DIR; nothing
# here is committed.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
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

if [ ! -f cpubench ] || [ "$src/tests/guest-progs/cpubench.c" -nt cpubench ]; then
    gcc -static -O2 -o cpubench.tmp "$src/tests/guest-progs/cpubench.c" -lm
    mv cpubench.tmp cpubench
fi

if [ ! -f initrd.gz ] || [ "$0" -nt initrd.gz ] || [ cpubench -nt initrd.gz ]; then
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
    cp cpubench root/bin/cpubench
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
*" hemu.prog=1 "*)
    /bin/cpubench 1 | sed 's/^/HEMU-PROG: /'
    echo "HEMU-PROG: done"
    poweroff -f
    ;;
*" hemu.bench=1 "*)
    echo "HEMU-BENCH: booted"
    arg() { echo "$cmdline" | sed -n "s/.* hemu\.$1=\([0-9]*\) .*/\1/p"; }
    mb=$(arg benchmb); mb=${mb:-64}
    scale=$(arg benchscale); scale=${scale:-10}
    /bin/cpubench gen "$mb" > /tmp/data
    for w in sha256sum gzip; do
        t0=$(/bin/cpubench now)
        if [ $w = gzip ]; then gzip -c /tmp/data > /dev/null
        else sha256sum /tmp/data > /dev/null; fi
        t1=$(/bin/cpubench now)
        echo "HEMU-BENCH: time $w $((t1 - t0))"
    done
    rm -f /tmp/data
    /bin/cpubench "$scale" | sed 's/^/HEMU-BENCH: /'
    echo "HEMU-BENCH: done"
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
