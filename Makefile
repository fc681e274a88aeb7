# cygnet — one entry point. `make help` lists the targets.

CC       ?= gcc
FUZZ_CC  ?= clang
SANITIZE ?= 0
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 8
FUZZ_JOBS ?= 1
PREFIX   ?= /usr/local
DESTDIR  ?=

DEB_PKGS := build-essential pkg-config clang libclang-rt-14-dev libssl-dev \
	libevent-dev libnl-3-dev libnl-xfrm-3-dev libnl-route-3-dev \
	libnetfilter-queue-dev libsqlite3-dev check \
	strongswan-charon strongswan-swanctl strongswan-pki \
	libcharon-extra-plugins libstrongswan-standard-plugins libstrongswan-extra-plugins \
	iperf3 iptables iproute2 iputils-ping tcpdump procps python3 frr

PKG_MODS := libssl libcrypto libevent libevent_pthreads libnl-3.0 libnl-xfrm-3.0 \
	libnl-route-3.0 libnetfilter_queue sqlite3

ifeq ($(SANITIZE),1)
BUILD    := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      := -O1
else
BUILD    := build/rel
SANFLAGS :=
OPT      := -O2
endif

# Recursive (=) so pkg-config runs when used, i.e. after `make deps`.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKG_MODS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKG_MODS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes -Wvla
CFLAGS_ALL = -std=c17 $(WARN) $(OPT) -g -D_GNU_SOURCE -I. -Isrc $(SANFLAGS) $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread $(LDLIBS)

# The folders are the architecture; every .c in them belongs to the core library.
LIB_DIRS := src/lib src/crypto src/ike src/ike/tasks src/config src/pool \
	kernel kernel/userspace kernel/xfrm kernel/nfqueue ha src/control
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB      := $(BUILD)/libcygnet.a

DAEMON_SRCS   := $(wildcard src/daemon/*.c)
CYGNETCTL_SRCS := $(wildcard tools/cygnetctl/*.c)
IKELOAD_SRCS  := $(wildcard tools/ikeload/*.c)
BINS := $(if $(DAEMON_SRCS),$(BUILD)/cygnetd) \
	$(if $(CYGNETCTL_SRCS),$(BUILD)/cygnetctl) \
	$(if $(IKELOAD_SRCS),$(BUILD)/ikeload)

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BUILD := build/fuzz
FUZZ_BINS  := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_FLAGS := -std=c17 -g -O1 -D_GNU_SOURCE -I. -Isrc -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -DCYGNET_FUZZ

.PHONY: all check unit fuzz fuzz-build fuzz-replay integration demo bench deps \
	install clean help lib
.DEFAULT_GOAL := all
# keep objects of pattern chains (unit tests) between runs
.SECONDARY:

all: $(BINS) $(UNIT_BINS)

lib: $(LIB)

help:
	@echo "make deps         install the Debian packages cygnet needs (idempotent)"
	@echo "make all          build cygnetd, cygnetctl, ikeload and the unit tests"
	@echo "make check        deps + build + unit tests + fuzz replay + integration tests"
	@echo "make check SANITIZE=1   the same under ASan+UBSan"
	@echo "make fuzz FUZZ_SECONDS=N [FUZZ_JOBS=J]   run every libFuzzer target for N seconds, J at once"
	@echo "make demo         a road warrior connects to cygnetd in network namespaces"
	@echo "make bench        measure against strongSwan, write docs/bench.md"
	@echo "make install      install binaries into \$$(PREFIX) (default /usr/local)"

deps:
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/cygnetd: $(DAEMON_SRCS:%.c=$(BUILD)/obj/%.o) $(LIB)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/cygnetctl: $(CYGNETCTL_SRCS:%.c=$(BUILD)/obj/%.o) $(LIB)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/ikeload: $(IKELOAD_SRCS:%.c=$(BUILD)/obj/%.o) $(LIB)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $(filter-out $(LIB),$^) $(LIB) $(LDLIBS_ALL) $$(pkg-config --libs check)

# Tests of the tools' pure parts link the tools' own objects (tools are not
# in libcygnet).
$(BUILD)/tests/test_cygnetctl_render: $(BUILD)/obj/tools/cygnetctl/render_json.o \
	$(BUILD)/obj/tools/cygnetctl/render_table.o
$(BUILD)/tests/test_ikeload: $(BUILD)/obj/tools/ikeload/opts.o $(BUILD)/obj/tools/ikeload/stats.o
# the daemon's datapath glue is not in libcygnet either
$(BUILD)/tests/test_datapath: $(BUILD)/obj/src/daemon/datapath.o \
	$(BUILD)/obj/src/daemon/datapath_trap.o $(BUILD)/obj/src/daemon/datapath_stats.o

# check: install what is missing first, then build and test in a fresh make
# so that pkg-config sees the installed packages.
check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz-replay
	@$(MAKE) --no-print-directory integration

unit: $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

integration: all
	@BUILD=$(BUILD) tests/integration/run.sh

# Fuzzing: the whole library is rebuilt with clang and libFuzzer.
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/libcygnet.a: $(FUZZ_LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_BUILD)/libcygnet.a
	$(FUZZ_CC) $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $(filter-out %.a,$^) $(FUZZ_BUILD)/libcygnet.a $(LDLIBS_ALL)

$(FUZZ_BUILD)/fuzz_cygnetctl: $(FUZZ_BUILD)/obj/tools/cygnetctl/render_json.o

fuzz-build: $(FUZZ_BINS)

# Replay the committed corpus, then fuzz each target briefly: a crash fails.
fuzz-replay: fuzz-build
	@tests/fuzz/run.sh replay $(FUZZ_CHECK_SECONDS) $(FUZZ_BINS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run.sh long $(FUZZ_SECONDS) $(FUZZ_BINS)

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin
	$(if $(wildcard $(BUILD)/cygnetd),install -m 0755 $(BUILD)/cygnetd $(DESTDIR)$(PREFIX)/sbin/)
	$(if $(wildcard $(BUILD)/cygnetctl),install -m 0755 $(BUILD)/cygnetctl $(DESTDIR)$(PREFIX)/bin/)
	$(if $(wildcard $(BUILD)/ikeload),install -m 0755 $(BUILD)/ikeload $(DESTDIR)$(PREFIX)/bin/)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
