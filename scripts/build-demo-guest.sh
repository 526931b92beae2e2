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
# With hemu.acpid=1 it loads the ACPI button
# and evdev modules from the kernel package, runs busybox acpid, prints
# HEMU-TEST: nproc= and HEMU-TEST: acpid-ready and powers off when the ACPI power button is
# pressed (QMP system_powerdown); with hemu.dmesg=1 it prints the kernel
# log between HEMU-DMESG-BEGIN and HEMU-DMESG-END lines and powers off.
#
# build-demo-guest.sh DIR net - the network test guest: Debian's generic
# kernel (the cloud kernel has no e1000 or rtl8139 driver) as
# DIR/vmlinuz-net, and DIR/initrd-net.gz, a busybox initramfs with the
# kernel's e1000.ko (and 8139too.ko + mii.ko) whose /init, given
# hemu.net=1, loads them and runs the network checks that
# tests/integration/test_net_user.py reads (HEMU-NET lines).  It also
# holds the generic kernel's USB modules and tests/guest-progs/usbtest.sh,
# which hemu.usb=1 runs (HEMU-USB lines for tests/integration/test_usb.py).
# build-demo-guest.sh DIR netbench - the same plus Debian's iperf3 and the
# libraries it links (from the installed packages) in DIR/initrd-netbench.gz
# for tests/bench/net (hemu.iperf=1: address, iperf3 -s, HEMU-NET lines).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build/demo}
mode=${2:-demo}
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cd "$dir"
# Tests run side by side may build at once: one builder at a time (the
# net variant calls this script again for the demo, under the same lock).
if [ -z "${HEMU_DEMO_LOCKED:-}" ]; then
    exec 9>"$dir/.build-lock"
    flock 9
    export HEMU_DEMO_LOCKED=1
fi

USB_MODS="usb-common usbcore uhci-hcd xhci-hcd xhci-pci hid usbhid hid-generic
evdev crc64 crc64_rocksoft_generic crc64-rocksoft crct10dif_common
crct10dif_generic crc-t10dif t10-pi scsi_common scsi_mod sd_mod usb-storage"
case "$mode" in
net|netbench)
    if [ ! -f vmlinuz-net ] || [ ! -f netmods/virtio_net.ko ] || [ ! -f usbmods/order ]; then
        rm -f linux-image-amd64_*.deb
        apt-get -o APT::Sandbox::User=root download linux-image-amd64 >/dev/null
        img=$(dpkg-deb -f linux-image-amd64_*.deb Depends | cut -d, -f1 | cut -d' ' -f1)
        [ -f "$img"_*.deb ] || apt-get -o APT::Sandbox::User=root download "$img" >/dev/null
        rm -rf kroot netmods && mkdir kroot netmods
        dpkg-deb --fsys-tarfile "$img"_*.deb | tar -x -C kroot --wildcards \
            './boot/vmlinuz*' '*/intel/e1000/e1000.ko' '*/realtek/8139too.ko' \
            '*/net/mii.ko' '*/usb/*.ko' '*/hid/*.ko' '*/input/evdev.ko' \
            '*/scsi/*.ko' '*/block/t10-pi.ko' '*/crc*.ko' \
            '*/virtio/virtio.ko' '*/virtio/virtio_ring.ko' \
            '*/virtio/virtio_pci*.ko' '*/net/core/failover.ko' \
            '*/net/net_failover.ko' '*/net/virtio_net.ko'
        rm -rf usbmods && mkdir usbmods
        # USB, HID, evdev and SCSI disk modules in load order (test_usb.py).
        for m in $USB_MODS; do
            find kroot -name "$m.ko" -exec cp {} usbmods/ \; -exec rm {} \;
        done
        echo "$USB_MODS" > usbmods/order
        find kroot -name '*.ko' \( -path '*/net/*' -o -path '*/virtio/*' \) \
            ! -path '*usb*' -exec cp {} netmods/ \;
        cp kroot/boot/vmlinuz-* vmlinuz-net.tmp && mv vmlinuz-net.tmp vmlinuz-net
        rm -rf kroot
    fi
    "$self" "$dir" >/dev/null
    if [ ! -f initrd-net.gz ] || [ "$self" -nt initrd-net.gz ] ||
       [ "$src/tests/guest-progs/usbtest.sh" -nt initrd-net.gz ] ||
       [ "$src/tests/guest-progs/evread.c" -nt initrd-net.gz ]; then
        rm -rf netroot && mkdir -p netroot/lib/modules netroot/www
        (cd netroot && gzip -dc ../initrd.gz | cpio -id 2>/dev/null)
        cp netmods/*.ko netroot/lib/modules/
        mkdir -p netroot/lib/usb && cp usbmods/* netroot/lib/usb/
        gcc -static -O2 -o netroot/bin/evread "$src/tests/guest-progs/evread.c"
        cp "$src/tests/guest-progs/usbtest.sh" netroot/usbtest.sh
        cat > netroot/udhcpc.sh <<'DHCP'
#!/bin/sh
# busybox udhcpc's hook: configure what the lease says.
case "$1" in
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route add default via "${router%% *}"
    echo "nameserver ${dns%% *}" > /etc/resolv.conf
    ;;
esac
exit 0
DHCP
        chmod +x netroot/udhcpc.sh
        cat > netroot/nettest.sh <<'NET'
#!/bin/sh
# The network checks; parameters from the kernel command line:
# hemu.http=PORT (host HTTP server at 10.0.2.2), hemu.file=NAME.
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p"; }
port=$(arg hemu.http); file=$(arg hemu.file)
mkdir -p /etc
insmod /lib/modules/e1000.ko 2>/dev/null
insmod /lib/modules/mii.ko 2>/dev/null
insmod /lib/modules/8139too.ko 2>/dev/null
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev \
         virtio_pci failover net_failover virtio_net; do
    insmod /lib/modules/$m.ko 2>/dev/null
done
ip link set lo up
ip link set eth0 up
# hemu.ping=PEER: a static address (hemu.ip=) and pings to a VM on the
# same wire (socket back ends), answering for hemu.stay= seconds more;
# hemu.ip1=/hemu.ping1= and hemu.ip2=/hemu.ping2= do the same on eth1/eth2.
# hemu.iperf=1 (tests/bench/net): an address (hemu.ip= or DHCP), then
# iperf3's server until the host is done.
if [ "$(arg hemu.iperf)" = 1 ]; then
    if [ -n "$(arg hemu.ip)" ]; then
        ip addr add "$(arg hemu.ip)/24" dev eth0
    else
        udhcpc -i eth0 -s /udhcpc.sh -q -t 10 -T 2 >/dev/null 2>&1
    fi
    echo "HEMU-NET: ip=$(ip -4 addr show eth0 | sed -n 's/.*inet \([0-9.]*\).*/\1/p')"
    iperf3 -s -D
    echo "HEMU-NET: iperf-ready"
    sleep 100000
fi
peer=$(arg hemu.ping)
if [ -n "$peer" ]; then
    ip addr add "$(arg hemu.ip)/24" dev eth0
    dd if=/dev/urandom of=/www/guest.bin bs=1k count=256 2>/dev/null
    echo "HEMU-NET: guest-md5=$(md5sum < /www/guest.bin | cut -d' ' -f1)"
    httpd -p 8080 -h /www
    # The peer may boot much later (hemu.wait= seconds at most).
    wait=$(arg hemu.wait); wait=${wait:-300}
    ping_wire() {   # PEER KEY: wait for the peer, then report KEY=ok|failed
        i=0
        until ping -c 1 -W 2 "$1" >/dev/null 2>&1; do
            i=$((i + 2)); [ $i -ge "$wait" ] && break
        done
        if ping -c 3 -W 5 "$1" >/dev/null 2>&1; then
            echo "HEMU-NET: $2=ok"
        else
            echo "HEMU-NET: $2=failed"
        fi
    }
    ping_wire "$peer" ping
    # More NICs, more wires: hemu.ipN=/hemu.pingN= for ethN (N = 1, 2).
    for n in 1 2; do
        [ -n "$(arg hemu.ip$n)" ] || continue
        ip addr add "$(arg hemu.ip$n)/24" dev "eth$n"
        ip link set "eth$n" up
        ping_wire "$(arg hemu.ping$n)" "ping$n"
    done
    # Interrupt lines of the virtio devices (MSI-X: one per queue).
    echo "HEMU-NET: virtio-irqs=$(awk '/virtio/ {print $NF}' /proc/interrupts | tr '\n' ' ')"
    sleep "$(arg hemu.stay)"
    echo "HEMU-NET: done"
    exit 0
fi
udhcpc -i eth0 -s /udhcpc.sh -q -t 10 -T 2 >/dev/null 2>&1
echo "HEMU-NET: ip=$(ip -4 addr show eth0 | sed -n 's/.*inet \([0-9.]*\).*/\1/p')"
echo "HEMU-NET: driver=$(basename "$(readlink /sys/class/net/eth0/device/driver)")"
wget -q -O /tmp/http.bin "http://10.0.2.2:$port/$file"
echo "HEMU-NET: http-md5=$(md5sum < /tmp/http.bin | cut -d' ' -f1)"
tftp -g -r "$file" -l /tmp/tftp.bin 10.0.2.2
echo "HEMU-NET: tftp-md5=$(md5sum < /tmp/tftp.bin | cut -d' ' -f1)"
# Serve a file for hostfwd; the host says when it is done by creating
# 'done' on its HTTP server.
dd if=/dev/urandom of=/www/guest.bin bs=1k count=512 2>/dev/null
echo "HEMU-NET: guest-md5=$(md5sum < /www/guest.bin | cut -d' ' -f1)"
httpd -p 8080 -h /www
echo "HEMU-NET: httpd-ready"
i=0
while [ $i -lt 300 ] && ! wget -q -O /dev/null "http://10.0.2.2:$port/done"; do
    sleep 1; i=$((i + 1))
done
echo "HEMU-NET: done"
NET
        chmod +x netroot/nettest.sh
        # The demo /init runs it first when asked.
        sed -i 's|^cmdline=" $(cat /proc/cmdline) "$|&\
case "$cmdline" in *" hemu.net=1 "*) /nettest.sh; poweroff -f ;; esac\
case "$cmdline" in *" hemu.usb=1 "*) /usbtest.sh; poweroff -f ;; esac|' netroot/init
        (cd netroot && find . | cpio -o -H newc 2>/dev/null) | gzip -9 > initrd-net.tmp
        mv initrd-net.tmp initrd-net.gz
        rm -rf netroot
    fi
    if [ "$mode" = netbench ]; then
        if [ ! -f initrd-netbench.gz ] || [ initrd-net.gz -nt initrd-netbench.gz ]; then
            command -v iperf3 >/dev/null || { echo "iperf3 not installed" >&2; exit 1; }
            rm -rf benchroot && mkdir -p benchroot/usr/bin
            (cd benchroot && gzip -dc ../initrd-net.gz | cpio -id 2>/dev/null)
            cp "$(command -v iperf3)" benchroot/usr/bin/iperf3
            for l in $(ldd "$(command -v iperf3)" | grep -o '/[^ ]*'); do
                mkdir -p "benchroot$(dirname "$l")"
                cp -L "$l" "benchroot$l"
            done
            ln -sf /usr/bin/iperf3 benchroot/bin/iperf3
            (cd benchroot && find . | cpio -o -H newc 2>/dev/null) | gzip -6 > initrd-netbench.tmp
            mv initrd-netbench.tmp initrd-netbench.gz
            rm -rf benchroot
        fi
        echo "$dir/vmlinuz-net $dir/initrd-netbench.gz"
        exit 0
    fi
    echo "$dir/vmlinuz-net $dir/initrd-net.gz"
    exit 0
    ;;
esac

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

if [ ! -f cpubench ] || [ "$src/tests/guest-progs/cpubench.c" -nt cpubench ] ||
   [ "$src/tests/guest-progs/cpubench-int.h" -nt cpubench ]; then
    gcc -static -O2 -o cpubench.tmp "$src/tests/guest-progs/cpubench.c" -lm
    mv cpubench.tmp cpubench
fi

# The ACPI power button and evdev drivers are modules in the cloud kernel:
# acpid needs them to see the power button.
if [ ! -f button.ko ] || [ ! -f evdev.ko ]; then
    if ! ls linux-image-[0-9]*-cloud-amd64_*.deb >/dev/null 2>&1; then
        rm -f linux-image-cloud-amd64_*.deb
        apt-get -o APT::Sandbox::User=root download linux-image-cloud-amd64 >/dev/null
        img=$(dpkg-deb -f linux-image-cloud-amd64_*.deb Depends | cut -d, -f1 | cut -d' ' -f1)
        apt-get -o APT::Sandbox::User=root download "$img" >/dev/null
    fi
    rm -rf mroot && mkdir mroot
    dpkg-deb --fsys-tarfile linux-image-[0-9]*-cloud-amd64_*.deb | tar -x -C mroot --wildcards \
        './lib/modules/*/kernel/drivers/acpi/button.ko' \
        './lib/modules/*/kernel/drivers/input/evdev.ko'
    cp mroot/lib/modules/*/kernel/drivers/acpi/button.ko button.ko
    cp mroot/lib/modules/*/kernel/drivers/input/evdev.ko evdev.ko
    rm -rf mroot
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

if [ ! -f initrd.gz ] || [ "$self" -nt initrd.gz ] || [ button.ko -nt initrd.gz ] ||
   [ cpubench -nt initrd.gz ] || [ storage-modules/done -nt initrd.gz ]; then
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
    cp cpubench root/bin/cpubench
    cp button.ko evdev.ko root/lib/modules/
    # busybox acpid runs /etc/acpi/<ACTION>/<PARAMETER> for the button.
    printf '#!/bin/sh\necho "HEMU-TEST: power-button"\nsync\npoweroff -f\n' \
        > root/etc/acpi/PWRF/00000080
    chmod +x root/etc/acpi/PWRF/00000080
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
    CPUBENCH_PREFIX="HEMU-BENCH: " /bin/cpubench "$scale"
    echo "HEMU-BENCH: done"
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
