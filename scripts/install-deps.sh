#!/bin/sh
# Installs the Debian packages hemu needs to build, run and test.
# Idempotent: asks dpkg first and only calls apt-get for what is missing.
set -eu

# libglib2.0-dev: slirp.pc requires glib-2.0 (libslirp itself is glib-free in its API)
BUILD="build-essential pkg-config clang libclang-rt-14-dev llvm
 libjson-c-dev libvncserver-dev libspice-server-dev libssl-dev
 libcurl4-openssl-dev libiscsi-dev libnfs-dev libslirp-dev zlib1g-dev
 libpng-dev libglib2.0-dev libglusterfs-dev libssh-dev liburing-dev nasm
 libcapstone-dev"
RUN="seabios ipxe-qemu"
TEST="python3 qemu-system-x86 qemu-utils socat acpica-tools"
# network tests: curl and ip (netns, tap) for test_net_*.py
TEST="$TEST curl iproute2"
# gvncviewer: gvnccapture, the VNC client of the display tests; openssl: DES
# for the tests' own RFB client
TEST="$TEST gvncviewer openssl chromium"
# test_vnc_tls.py: gvnccapture finds ~/.pki through getpwuid(), so a
# passwd entry with a temporary home comes from nss_wrapper; TigerVNC's
# viewer under Xvfb (xvfb, xdotool, imagemagick: below)
TEST="$TEST libnss-wrapper tigervnc-viewer"
# npm fetches noVNC for the web console (and playwright-core for its test);
# a Node.js that brings its own npm is fine too.
command -v npm >/dev/null 2>&1 || BUILD="$BUILD npm"
RUN="$RUN cpio"
# Storage tests: ISOs (xorriso, isolinux), bench arithmetic (bc).
TEST="$TEST xorriso isolinux syslinux-common bc"
# Network storage tests: iSCSI target, web server, FTP server, QEMU's
# iscsi/curl drivers for the reference and the bench.
TEST="$TEST tgt lighttpd lighttpd-mod-openssl python3-pyftpdlib qemu-block-extra
openssh-server openssh-client nfs-ganesha nfs-ganesha-vfs
glusterfs-server glusterfs-common"
# Network: PXE (pxelinux, the Debian installer's netboot images, dnsmasq
# on a tap) and the network benchmark (iperf3).
TEST="$TEST pxelinux debian-installer-12-netboot-amd64 dnsmasq iperf3 iproute2"
# tap br=/helper= and -netdev bridge: /usr/lib/qemu/qemu-bridge-helper.
TEST="$TEST qemu-system-common"
# NBD tests: servers (qemu-nbd is in qemu-utils).
TEST="$TEST nbdkit qemu-utils"
# SPICE tests: remote-viewer under Xvfb, xdotool to find and type into its
# window, ImageMagick's import for screenshots
TEST="$TEST virt-viewer xvfb xdotool imagemagick"
# vhost-user test: DPDK's testpmd (dpdk-testpmd is in dpdk-dev).
TEST="$TEST dpdk dpdk-dev"

missing=""
for p in $BUILD $RUN $TEST; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run as root (or: sudo $0)" >&2
    exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# A stale or absent package list makes apt-get install fail; refresh once.
apt-get update -qq || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
