# xsweep — top-level build.
#
#   make            build build/xsweep (BPF objects embedded as skeletons)
#   make deps       install the Debian 12 packages the build, tests and demo need
#   make test       deps + build + every test tier; ends with "N passed, N failed"
#   make demo       deps + build + the main job on the lab network
#   make bench      deps + build + side-by-side benchmarks (bench/compare, bench/sweep;
#                   BENCH_ARGS=--quick for the 2-minute version)
#
# Layout: bpf/*.bpf.c -> build/<name>.skel.h (bpftool gen skeleton, embedded);
# user/*.c -> build/libxsweep.a + build/xsweep; bench/*.c -> build/<name>;
# tests/unit/*.c and tests/bpf/*.c -> build/tests/<tier>/<name>.
# Quiet unless V=1.

BUILD    ?= build
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
VERSION  := 0.1.0

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

PKGS      := libbpf libxdp liburing libpcap libmnl json-c
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
pkgver     = $(shell pkg-config --modversion $(1) 2>/dev/null || echo unknown)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -Iuser -I$(BUILD) \
	   $(PKG_CFLAGS) -DXSWEEP_VERSION='"$(VERSION)"' \
	   -DLIBURING_PKGVER='"$(call pkgver,liburing)"' -DLIBXDP_PKGVER='"$(call pkgver,libxdp)"'
LDLIBS  += $(PKG_LIBS) -lelf -lz -lm

ARCH      := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -dumpmachine)
BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -D__TARGET_ARCH_$(ARCH) -Iinclude \
	      -I/usr/include/$(MULTIARCH)

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS      := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
LIB_SRCS   := $(filter-out user/main.c,$(wildcard user/*.c))
LIB_OBJS   := $(patsubst user/%.c,$(BUILD)/user/%.o,$(LIB_SRCS))
LIB        := $(BUILD)/libxsweep.a
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/%,$(wildcard bench/*.c))
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/*.c))
BPFT_BINS  := $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%,$(wildcard tests/bpf/*.c))
HEADERS    := $(wildcard include/*.h user/*.h)

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: bench-deps all deps test demo bench clean tests

all: $(BUILD)/xsweep $(BENCH_BINS)

tests: all $(UNIT_BINS) $(BPFT_BINS)

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(HEADERS) | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(BUILD)/user/%.o: user/%.c $(HEADERS) $(SKELS) | $(BUILD)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/xsweep: $(BUILD)/user/main.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%: bench/%.c $(LIB) $(HEADERS) $(SKELS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/unit.h $(LIB) $(HEADERS) | $(BUILD)/tests/unit
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/bpf/%: tests/bpf/%.c tests/unit/unit.h $(wildcard tests/bpf/*.h) $(LIB) $(HEADERS) $(SKELS) | $(BUILD)/tests/bpf
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB) $(LDLIBS)

$(BUILD) $(BUILD)/user $(BUILD)/tests/unit $(BUILD)/tests/bpf:
	$(Q)mkdir -p $@

# Debian 12 packages: toolchain, libraries (see README "Dependencies"), test peers.
# Idempotent: apt-get runs only when something is missing.
DEB_PKGS := clang llvm make gcc pkg-config bpftool libbpf-dev libxdp-dev xdp-tools \
	    liburing-dev libpcap-dev libmnl-dev libjson-c-dev libelf-dev zlib1g-dev \
	    iproute2 fping tcpdump procps util-linux nftables jq libcap2-bin socat
BENCH_PKGS := zmap masscan nmap gnuplot-nox time python3

deps:
	$(Q)missing=$$(for p in $(DEB_PKGS) $(EXTRA_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

bench-deps:
	$(Q)$(MAKE) --no-print-directory deps EXTRA_PKGS="$(BENCH_PKGS)"

test: deps
	$(Q)$(MAKE) --no-print-directory tests
	$(Q)bash tests/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash bench/demo

bench: bench-deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash bench/compare $(BENCH_ARGS)
	$(Q)bash bench/sweep $(BENCH_ARGS)

clean:
	rm -rf $(BUILD)
