# hemu - one non-recursive Makefile.  Each directory lists its objects in an
# objs.mk; the build goes to $(BUILDDIR) (build/, build-asan/ for the
# sanitizer variant).
#
#   make            build build/hemu
#   make run        install what is missing, build, boot the demo
#   make check      install what is missing, build, run every test
#   make check-asan every test against an ASan/UBSan build
#   make check-fuzz run the libFuzzer targets for a bounded time
#   make bench      hemu against QEMU TCG on the demo guest (not a test)
#   make bench-block hemu-img against qemu-img (part of make bench)

BUILDDIR ?= build
SHELL := /bin/sh

ifeq ($(filter help clean distclean deps,$(MAKECMDGOALS)),)
ifeq ($(wildcard $(BUILDDIR)/config.mk),)
$(shell ./configure --builddir=$(BUILDDIR) $(CONFIGURE_FLAGS) >&2)
endif
include $(BUILDDIR)/config.mk
endif

WARN := -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
        -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(CFLAGS) $(WARN) -I. -I$(BUILDDIR) -pthread \
              -MMD -MP $(CONFIG_CFLAGS)
ALL_LDFLAGS := $(LDFLAGS) $(CONFIG_LDFLAGS) -pthread -Wl,--as-needed
LIBS := $(CONFIG_LIBS) -lm -lutil

hemu-y :=
include emu/objs.mk
include emu/chardev/objs.mk
include emu/monitor/objs.mk
include emu/hw/objs.mk
include emu/acpi/objs.mk
include emu/cpu/x86/objs.mk
include netdev/objs.mk
include block-protocols/objs.mk
include display/objs.mk
include remote/objs.mk

HEMU_OBJS := $(addprefix $(BUILDDIR)/,$(hemu-y))
MAIN_OBJ := $(BUILDDIR)/emu/vm/main.o
LIBHEMU := $(BUILDDIR)/libhemu.a

UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNIT_BINS := $(patsubst %.c,$(BUILDDIR)/%,$(UNIT_SRCS))

.PHONY: bench-vnc
# Benchmarks against QEMU; each part has its own target that bench chains.
bench: bench-vnc

bench-vnc: all
	python3 tests/bench/vnc/bench_vnc.py $(BUILDDIR)/hemu

.PHONY: bench-spice
bench: bench-spice
bench-spice: all
	python3 tests/bench/spice/bench_spice.py $(BUILDDIR)/hemu

.PHONY: all asan run bench bench-block check check-unit check-cmdline check-integration check-asan \
        check-fuzz fuzz deps clean distclean help
.DEFAULT_GOAL := all

# The web console of the VNC websocket port: hemu's page and noVNC from
# the npm registry (with its licence files), fetched at build time.
NOVNC_VERSION := 1.7.0
WEB_DIR := $(BUILDDIR)/web
WEB_TARGET := $(if $(filter y,$(CONFIG_VNC)),$(if $(shell command -v npm),$(WEB_DIR)/index.html))

all: $(BUILDDIR)/hemu $(BUILDDIR)/hemu-img $(WEB_TARGET)

$(WEB_DIR)/index.html: remote/web/index.html $(WEB_DIR)/novnc/LICENSE.txt
	cp remote/web/index.html $@

$(WEB_DIR)/novnc/LICENSE.txt:
	@rm -rf $(BUILDDIR)/web-dl $(WEB_DIR)/novnc
	@mkdir -p $(BUILDDIR)/web-dl $(WEB_DIR)/novnc
	cd $(BUILDDIR)/web-dl && npm pack --silent @novnc/novnc@$(NOVNC_VERSION) >/dev/null
	tar -xzf $(BUILDDIR)/web-dl/novnc-novnc-$(NOVNC_VERSION).tgz \
	    -C $(WEB_DIR)/novnc --strip-components=1 package/core package/vendor \
	    package/AUTHORS package/docs package/LICENSE.txt
	@touch $@

$(BUILDDIR)/%.o: %.c $(BUILDDIR)/config.mk
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The loader option ROMs (emu/hw/roms/*.asm): assembled with nasm and
# embedded as C arrays NAME_rom[] / NAME_rom_len; no binary is committed.
$(BUILDDIR)/emu/hw/roms/%.bin: emu/hw/roms/%.asm emu/hw/roms/fwcfg.inc
	@mkdir -p $(dir $@)
	nasm -f bin -I emu/hw/roms/ -o $@ $<

$(BUILDDIR)/emu/hw/roms/%-rom.c: $(BUILDDIR)/emu/hw/roms/%.bin
	@{ printf '/* generated from emu/hw/roms/$*.asm */\n'; \
	  printf 'const unsigned char $*_rom[] = {\n'; \
	  od -An -v -tx1 $< | sed -e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  printf '};\nconst unsigned int $*_rom_len = sizeof($*_rom);\n'; \
	} > $@.tmp && mv $@.tmp $@

$(BUILDDIR)/emu/hw/roms/%-rom.o: $(BUILDDIR)/emu/hw/roms/%-rom.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBHEMU): $(HEMU_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Linked from the objects, not the archive: device types register through
# a linker section and would be dropped from an archive.
$(BUILDDIR)/hemu: $(MAIN_OBJ) $(HEMU_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(HEMU_OBJS) $(LIBS)

# The image tool: block layer only, from the same archive.
HEMU_IMG_OBJ := $(BUILDDIR)/block-protocols/hemu-img.o
$(BUILDDIR)/hemu-img: $(HEMU_IMG_OBJ) $(LIBHEMU)
	$(CC) $(ALL_LDFLAGS) -o $@ $(HEMU_IMG_OBJ) $(LIBHEMU) $(LIBS)

$(BUILDDIR)/tests/unit/%: tests/unit/%.c tests/unit/test.h $(LIBHEMU)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBHEMU) $(LIBS)

deps:
	@./scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	./scripts/run-demo.sh $(BUILDDIR)/hemu

bench: deps
	@$(MAKE) --no-print-directory all
	HEMU=$(BUILDDIR)/hemu python3 tests/bench/bench.py

# The sanitizer variant lives in its own build directory; "asan" is a
# name of its own so that it never matches $(BUILDDIR)/hemu.
ASAN_MAKE = $(MAKE) --no-print-directory BUILDDIR=build-asan \
	    CONFIGURE_FLAGS="$(filter-out --sanitize,$(CONFIGURE_FLAGS)) --sanitize" \
	    CFLAGS="-O1 -g"

asan:
	@$(ASAN_MAKE) all

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS)
	@$(ASAN_MAKE) all
	@./tests/run-suites.sh --build $(BUILDDIR) --asan build-asan

check-asan: deps
	@$(ASAN_MAKE) all $(patsubst $(BUILDDIR)/%,build-asan/%,$(UNIT_BINS))
	@./tests/run-suites.sh --build build-asan --asan build-asan

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 60

fuzz: deps
	@$(MAKE) --no-print-directory BUILDDIR=build-fuzz \
	    CONFIGURE_FLAGS="--cc=clang --disable-werror" \
	    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" \
	    build-fuzz/libhemu.a
	@set -e; for s in $(FUZZ_SRCS); do \
	    b=build-fuzz/$$(basename $$s .c); \
	    echo "  FUZZ-LD $$b"; \
	    clang -std=gnu11 -O1 -g -I. -Ibuild-fuzz $(CONFIG_CFLAGS) \
	        -fsanitize=fuzzer,address,undefined -o $$b $$s \
	        build-fuzz/libhemu.a $(CONFIG_LIBS) -lm -lutil -pthread; \
	done

# Block benchmarks (tests/bench/block): hemu-img against qemu-img; part
# of "make bench".
bench-block: all
	@./tests/bench/block/run.sh $(BUILDDIR)

bench: bench-block

.PHONY: bench-netblk
# iSCSI, HTTP and NBD: guest reads (sequential, 4 KiB random) and
# convert, hemu vs QEMU (tests/bench/netblk)
bench-netblk: all
	python3 tests/bench/netblk/bench_netblk.py $(BUILDDIR)
bench: bench-netblk
# Network benchmarks (tests/bench/net): hemu against QEMU TCG with
# e1000/virtio-net on user and tap; part of "make bench".
.PHONY: bench-net
bench-net: all
	python3 tests/bench/net/bench_net.py $(BUILDDIR)/hemu
bench: bench-net
# NBD alone (qemu-nbd): the NBD rows of bench-netblk.
.PHONY: bench-nbd
bench-nbd: all
	python3 tests/bench/netblk/bench_netblk.py $(BUILDDIR) nbd

check-fuzz: fuzz
	@./tests/fuzz/run-fuzzers.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

clean:
	rm -rf build build-asan build-fuzz

distclean: clean

help:
	@sed -n '2,11p' Makefile | sed 's/^# \{0,1\}//'


-include $(HEMU_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(HEMU_IMG_OBJ:.o=.d)
