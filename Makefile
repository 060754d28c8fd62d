# bcpc - Business Continuity Policy Compiler and libbcp, its runtime.
# `make demo` and `make check` are the two commands a new user needs.

CC ?= cc
CFLAGS ?= -O2 -g
LDFLAGS ?=
BUILDDIR ?= build
PREFIX ?= /usr/local
DESTDIR ?=
FLEX ?= flex
BISON ?= bison

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifneq ($(CI),)
WARN += -Werror
endif
BCP_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
	-Isupport -Icompiler -Icompiler/zpa -Iruntime -Igrammar -I$(BUILDDIR)/grammar
B = $(BUILDDIR)

# Debian packages the build and the tests need; `make deps` installs the missing ones.
# faketime: tests/suites/docs.sh runs the documents' examples at the time they show.
# chromium: tests/suites/report.sh opens the report of `bcpc report` in a real browser.
DEBS = gcc make flex bison pkg-config openssl jq libssl-dev libmsgpack-dev libjansson-dev \
	clang libclang-rt-14-dev valgrind faketime libidn2-dev chromium

# support/: what both grammar/ and compiler/ stand on; it includes nothing else of the tree.
SUPPORT_SRC = support/arena.c support/diag.c support/errmsg.c support/file.c \
	support/strmap.c support/suggest.c
COMPILER_SRC = $(SUPPORT_SRC) grammar/parse.c \
	compiler/net.c compiler/check.c compiler/check_util.c compiler/check_limits.c \
	compiler/check_bc.c compiler/check_segments.c compiler/check_patterns.c compiler/idn.c \
	compiler/check_rules.c compiler/frontend.c compiler/dump.c compiler/lower.c \
	compiler/blob.c compiler/blob_model.c compiler/keys.c compiler/reference.c compiler/explain.c \
	compiler/policy_text.c \
	compiler/policy_test.c compiler/analysis/users.c compiler/analysis/lint.c compiler/analysis/lint_format.c \
	compiler/analysis/classes.c compiler/analysis/diff_struct.c compiler/analysis/diff.c \
	compiler/report/html.c compiler/report/report.c \
	compiler/report/report_checks.c compiler/report/report_diff.c compiler/request.c \
	compiler/cli.c compiler/cmd_policy.c compiler/cmd_blob.c compiler/cmd_query.c \
	compiler/cmd_explain.c compiler/cmd_test.c compiler/cmd_lint.c compiler/cmd_diff.c \
	compiler/cmd_device.c compiler/cmd_import.c compiler/cmd_report.c \
	compiler/zpa/zpa_read.c compiler/zpa/zpa_shape.c compiler/zpa/zpa_translate.c \
	compiler/zpa/zpa_segments.c compiler/zpa/zpa_operands.c compiler/zpa/zpa_rules.c \
	compiler/zpa/zpa_write.c compiler/zpa/zpa_import.c compiler/zpa/zpa_admin_bc.c \
	compiler/main.c
COMPILER_OBJ = $(COMPILER_SRC:%.c=$(B)/%.o) $(B)/grammar/parser.o $(B)/grammar/lexer.o
# libidn2: IDNA2008 checks of xn-- labels and Unicode names (compiler/idn.c).
COMPILER_LIBS = -ljansson -lcrypto -lmsgpackc -lidn2

# libbcp: what ships inside a client. It links only libcrypto and msgpack-c.
RUNTIME_SRC = $(filter-out runtime/os_win.c,$(wildcard runtime/*.c))
RUNTIME_OBJ = $(RUNTIME_SRC:%.c=$(B)/%.o)
RUNTIME_PIC = $(RUNTIME_SRC:%.c=$(B)/pic/%.o)
RUNTIME_LIBS = -lcrypto -lmsgpackc
SONAME = libbcp.so.$(BCP_MAJOR)
BCP_MAJOR = 0
BCP_VERSION = 0.1.0

.PHONY: all deps demo check test clean install lib
all: $(B)/bcpc lib $(B)/bcp-client
lib: $(B)/libbcp.a $(B)/$(SONAME)

deps:
	@sh tests/deps.sh $(DEBS)

$(B)/grammar/parser.c $(B)/grammar/parser.h &: grammar/parser.y
	@mkdir -p $(B)/grammar
	$(BISON) -Wall -Werror --header=$(B)/grammar/parser.h -o $(B)/grammar/parser.c $<

$(B)/grammar/lexer.c $(B)/grammar/lexer.h &: grammar/lexer.l
	@mkdir -p $(B)/grammar
	$(FLEX) --header-file=$(B)/grammar/lexer.h -o $(B)/grammar/lexer.c $<

# Generated code is not ours to keep warning-clean; only these few are muted.
GEN_CFLAGS = -Wno-unused-function -Wno-missing-prototypes -Wno-sign-compare -Wno-unused-parameter
$(B)/grammar/lexer.o: $(B)/grammar/lexer.c $(B)/grammar/parser.h
	$(CC) $(BCP_CFLAGS) $(GEN_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<
$(B)/grammar/parser.o: $(B)/grammar/parser.c
	$(CC) $(BCP_CFLAGS) $(GEN_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/%.o: %.c $(B)/grammar/parser.h $(B)/grammar/lexer.h
	@mkdir -p $(dir $@)
	$(CC) $(BCP_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BCP_CFLAGS) $(CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(B)/libbcp.a: $(RUNTIME_OBJ)
	rm -f $@
	$(AR) rcs $@ $(RUNTIME_OBJ)

$(B)/$(SONAME): $(RUNTIME_PIC) runtime/libbcp.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=runtime/libbcp.map -o $@ $(RUNTIME_PIC) $(RUNTIME_LIBS)

$(B)/bcpc: $(COMPILER_OBJ) $(B)/libbcp.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(COMPILER_OBJ) $(B)/libbcp.a $(COMPILER_LIBS)

# examples/client: a stand-in for the Client Connector, on libbcp and jansson only.
$(B)/bcp-client: examples/client/bcp-client.c runtime/bcp.h $(B)/libbcp.a
	$(CC) $(BCP_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libbcp.a -ljansson $(RUNTIME_LIBS)

# Unit tests: one program per file under tests/unit/, linked with the compiler's objects.
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
LIB_OBJ = $(filter-out $(B)/compiler/main.o $(B)/compiler/cmd_%.o,$(COMPILER_OBJ))
$(B)/tests/%: tests/unit/%.c $(LIB_OBJ) $(B)/libbcp.a
	@mkdir -p $(dir $@)
	$(CC) $(BCP_CFLAGS) $(CFLAGS) -o $@ $< $(LIB_OBJ) $(B)/libbcp.a $(COMPILER_LIBS)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh examples/demo.sh $(B)

check: deps
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory bench-smoke
	@$(MAKE) --no-print-directory fuzz-smoke

test: $(B)/bcpc lib $(B)/bcp-client $(UNIT_BIN)
	@CC='$(CC)' CFLAGS='$(CFLAGS)' LDFLAGS='$(LDFLAGS)' sh tests/run.sh $(B)

# Installs bcpc, libbcp (static and shared), bcp.h, libbcp.pc and the man page.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/doc/bcpc $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 755 $(B)/bcpc $(DESTDIR)$(PREFIX)/bin/bcpc
	install -m 644 $(B)/libbcp.a $(DESTDIR)$(PREFIX)/lib/libbcp.a
	install -m 755 $(B)/$(SONAME) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libbcp.so
	install -m 644 runtime/bcp.h $(DESTDIR)$(PREFIX)/include/bcp.h
	install -m 644 docs/bcpc.1 $(DESTDIR)$(PREFIX)/share/man/man1/bcpc.1
	install -m 644 docs/*.md $(DESTDIR)$(PREFIX)/share/doc/bcpc/
	install -m 644 docs/completion/bcpc.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/bcpc
	install -m 644 docs/completion/_bcpc $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_bcpc
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(BCP_VERSION)|g' runtime/libbcp.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/libbcp.pc

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# Benchmarks (make bench, make bench-peers) live with their sources.
-include tests/bench/bench.mk

# Fuzzing, sanitizer and valgrind targets (make fuzz, fuzz-smoke, asan, valgrind).
-include tests/fuzz/fuzz.mk

# Windows x64: MinGW-w64 cross build and tests under Wine (make windows, windows-check).
-include tests/windows/windows.mk
