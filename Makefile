# xsweep — top-level build.
#
#   make            build build/xsweep (BPF objects embedded as skeletons)
#   make deps       install the Debian 12 packages the build, tests and demo need
#   make test       deps + build + every test tier; ends with "N passed, N failed"
#   make demo       deps + build + the main job on the lab network
#   make bench      deps + build + side-by-side benchmarks (bench/compare, bench/sweep;
#                   BENCH_ARGS=--quick for the 2-minute version)
#   make SANITIZE=1 tests   the same with ASan+UBSan (clang), in build-san/
#   make fuzz       libFuzzer targets (tests/fuzz/, clang, build-fuzz/), FUZZ_SECONDS each
#
# Layout: bpf/*.bpf.c, bench/bpf/*.bpf.c -> build/<name>.skel.h (bpftool gen skeleton, embedded);
# user/*/*.c -> build/libxsweep.a, user/main.c -> build/xsweep; bench/*.c -> build/<name>;
# tests/unit/*.c and tests/bpf/*.c -> build/tests/<tier>/<name>.
# Quiet unless V=1.

# Sanitizer builds (tests/run.sh tiers san and fuzz), with clang: its one ASan+UBSan
# runtime honours log_path for UBSan reports too (GCC 12's separate libubsan prints them
# to stderr only), which the san tier relies on. SANITIZE=1: ASan+UBSan; SANITIZE=fuzz:
# the same plus libFuzzer's coverage. clang 14 warns on `{ NULL }` table ends.
SAN_BUILD  ?= build-san
FUZZ_BUILD ?= build-fuzz
SAN_FLAGS  :=
ifneq ($(filter 1 fuzz,$(SANITIZE)),)
CC        := clang
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	     -Wno-missing-field-initializers
endif
ifeq ($(SANITIZE),1)
BUILD     ?= $(SAN_BUILD)
else ifeq ($(SANITIZE),fuzz)
BUILD     ?= $(FUZZ_BUILD)
SAN_FLAGS += -fsanitize=fuzzer-no-link
endif
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

PKGS      := libbpf libxdp liburing libpcap libmnl json-c sqlite3 libmicrohttpd
pkgver     = $(shell pkg-config --modversion $(1) 2>/dev/null || echo unknown)

# CFLAGS/LDFLAGS are the user's (make CFLAGS=-O0 keeps the project's own flags below).
CFLAGS  ?= -O2 -g
XS_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -Iuser -I$(BUILD) \
	     $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -DXSWEEP_VERSION='"$(VERSION)"' \
	     -DLIBURING_PKGVER='"$(call pkgver,liburing)"' -DLIBXDP_PKGVER='"$(call pkgver,libxdp)"' \
	     $(SAN_FLAGS)
XS_LDLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lelf -lz -lm
DEPDIR    := $(BUILD)/.deps
DEPFLAGS   = -MMD -MP -MF $(DEPDIR)/$(subst /,__,$@).d
COMPILE    = $(CC) $(XS_CFLAGS) $(CFLAGS) $(DEPFLAGS)

ARCH      := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch)
BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -D__TARGET_ARCH_$(ARCH) -Iinclude -Ibench/lib \
	      -I/usr/include/$(MULTIARCH)

# Product BPF programs live in bpf/, the lab's in bench/bpf/; all become skeletons.
BPF_SRCS   := $(wildcard bpf/*.bpf.c bench/bpf/*.bpf.c)
SKELS      := $(patsubst %.bpf.c,$(BUILD)/%.skel.h,$(notdir $(BPF_SRCS)))
LIB_SRCS   := $(wildcard user/*/*.c)
LIB_OBJS   := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
LIB        := $(BUILD)/libxsweep.a
BLIB_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(wildcard bench/lib/*.c))
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/%,$(wildcard bench/*.c))
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/*.c))
BPFT_BINS  := $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%,$(wildcard tests/bpf/*.c))
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
PKG_OK     := $(BUILD)/.pkg-config-ok
MAN_PAGES  := $(patsubst man/%.scd,$(BUILD)/man/%,$(wildcard man/*.scd))

# make install: PREFIX and DESTDIR as usual; make setcap: the file capabilities that let
# any user run sweep, monitor and capture (README "Running as a user").
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
COMPDIR    ?= $(PREFIX)/share/bash-completion/completions
XS_CAPS    := cap_net_raw,cap_net_admin,cap_bpf,cap_perfmon+ep

vpath %.bpf.c bpf bench/bpf

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: bench-deps all deps test demo bench clean tests san-tests fuzzers fuzz man \
	install uninstall setcap

all: $(BUILD)/xsweep $(BENCH_BINS) $(MAN_PAGES)

# Manual pages: man/*.scd (scdoc) -> build/man/xsweep.1, build/man/xsweep-CMD.1.
man: $(MAN_PAGES)

$(BUILD)/man/%: man/%.scd
	$(call msg,SCDOC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)scdoc < $< > $@

install: $(BUILD)/xsweep $(MAN_PAGES)
	install -D -m 0755 $(BUILD)/xsweep $(DESTDIR)$(BINDIR)/xsweep
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -D -m 0644 completion/xsweep $(DESTDIR)$(COMPDIR)/xsweep

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/xsweep $(DESTDIR)$(COMPDIR)/xsweep \
	      $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN_PAGES)))

# As root, after install: sweep, monitor and capture for every user (see README).
setcap:
	setcap $(XS_CAPS) $(DESTDIR)$(BINDIR)/xsweep
	getcap $(DESTDIR)$(BINDIR)/xsweep

tests: all $(UNIT_BINS) $(BPFT_BINS)

# What the san tier runs (make SANITIZE=1 san-tests); fuzzers need SANITIZE=fuzz.
san-tests: $(BUILD)/xsweep $(UNIT_BINS) $(BPFT_BINS)
fuzzers: $(FUZZ_BINS)

# A missing library is named here, not as an undefined reference at link time.
$(PKG_OK): Makefile
	$(Q)mkdir -p $(@D) $(DEPDIR)
	$(Q)for p in $(PKGS); do pkg-config --exists $$p || { \
		echo "error: pkg-config module '$$p' not found (run 'make deps' as root)" >&2; exit 1; }; done
	$(Q)touch $@

$(BUILD)/%.bpf.o: %.bpf.c | $(PKG_OK)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# Skeletons first (order-only); -MMD then records which object includes which.
$(BUILD)/%.o: %.c | $(SKELS) $(PKG_OK)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/xsweep: $(BUILD)/user/main.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(XS_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(XS_LDLIBS)

$(BUILD)/%: bench/%.c $(BLIB_OBJS) $(LIB) | $(SKELS)
	$(call msg,LINK,$@)
	$(Q)$(COMPILE) -Ibench/lib $(LDFLAGS) -o $@ $< $(BLIB_OBJS) $(LIB) $(XS_LDLIBS)

$(BUILD)/bench/lib/%.o: bench/lib/%.c | $(SKELS) $(PKG_OK)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) -Ibench/lib -c $< -o $@

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB) | $(SKELS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB) $(XS_LDLIBS)

$(BUILD)/tests/bpf/%: tests/bpf/%.c $(LIB) | $(SKELS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) -Itests/unit -Ibench/lib $(LDFLAGS) -o $@ $< $(LIB) $(XS_LDLIBS)

$(BUILD)/tests/fuzz/%: tests/fuzz/%.c $(LIB) | $(SKELS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) -fsanitize=fuzzer -Itests/fuzz $(LDFLAGS) -o $@ $< $(LIB) $(XS_LDLIBS)

-include $(wildcard $(DEPDIR)/*.d)

# Debian 12 packages: toolchain, libraries (see README "Dependencies"), test peers.
# Idempotent: apt-get runs only when something is missing.
DEB_PKGS := clang llvm make gcc pkg-config bpftool libbpf-dev libxdp-dev xdp-tools \
	    libsqlite3-dev libmicrohttpd-dev prometheus \
	    liburing-dev libpcap-dev libmnl-dev libjson-c-dev libelf-dev zlib1g-dev \
	    iproute2 fping tcpdump procps util-linux nftables jq libcap2-bin socat \
	    libclang-rt-14-dev scdoc man-db python3
BENCH_PKGS := zmap masscan nmap gnuplot-nox time python3

deps:
	$(Q)missing=$$(for p in $(DEB_PKGS) $(EXTRA_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		bash tests/deps-services.sh $$missing; \
	fi

bench-deps:
	$(Q)$(MAKE) --no-print-directory deps EXTRA_PKGS="$(BENCH_PKGS)"

test: deps
	$(Q)$(MAKE) --no-print-directory tests
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 BUILD=$(SAN_BUILD) san-tests
	$(Q)$(MAKE) --no-print-directory SANITIZE=fuzz BUILD=$(FUZZ_BUILD) fuzzers
	$(Q)bash tests/run.sh

fuzz: deps
	$(Q)$(MAKE) --no-print-directory SANITIZE=fuzz BUILD=$(FUZZ_BUILD) fuzzers
	$(Q)bash tests/fuzz/run.sh $(FUZZ_SECONDS)

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash bench/demo

bench: bench-deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash bench/compare $(BENCH_ARGS)
	$(Q)bash bench/sweep $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD)
