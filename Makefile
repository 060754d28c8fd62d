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
	-Icompiler -Iruntime -Igrammar -I$(BUILDDIR)/grammar
B = $(BUILDDIR)

# Debian packages the build and the tests need; `make deps` installs the missing ones.
DEBS = gcc make flex bison pkg-config openssl jq libssl-dev libmsgpack-dev libjansson-dev

COMPILER_SRC = compiler/arena.c compiler/diag.c compiler/net.c compiler/strmap.c \
	compiler/source.c compiler/check.c compiler/check_rules.c compiler/check_bc.c \
	compiler/frontend.c \
	compiler/dump.c compiler/cli.c compiler/cmd_policy.c compiler/main.c grammar/parse.c
COMPILER_OBJ = $(COMPILER_SRC:%.c=$(B)/%.o) $(B)/grammar/parser.o $(B)/grammar/lexer.o
COMPILER_LIBS = -ljansson -lcrypto -lmsgpackc

.PHONY: all deps demo check test clean
all: $(B)/bcpc

deps:
	@sh tests/deps.sh $(DEBS)

$(B)/grammar/parser.c $(B)/grammar/parser.h: grammar/parser.y
	@mkdir -p $(B)/grammar
	$(BISON) -Wall -Werror --header=$(B)/grammar/parser.h -o $(B)/grammar/parser.c $<

$(B)/grammar/lexer.c $(B)/grammar/lexer.h: grammar/lexer.l
	@mkdir -p $(B)/grammar
	$(FLEX) --header-file=$(B)/grammar/lexer.h -o $(B)/grammar/lexer.c $<

# Generated code is not ours to keep warning-clean; only these few are muted.
GEN_CFLAGS = -Wno-unused-function -Wno-missing-prototypes -Wno-sign-compare -Wno-unused-parameter
$(B)/grammar/lexer.o: $(B)/grammar/lexer.c $(B)/grammar/parser.h
	$(CC) $(BCP_CFLAGS) $(GEN_CFLAGS) $(CFLAGS) -c -o $@ $<
$(B)/grammar/parser.o: $(B)/grammar/parser.c
	$(CC) $(BCP_CFLAGS) $(GEN_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/%.o: %.c $(B)/grammar/parser.h $(B)/grammar/lexer.h
	@mkdir -p $(dir $@)
	$(CC) $(BCP_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/bcpc: $(COMPILER_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(COMPILER_OBJ) $(COMPILER_LIBS)

# Unit tests: one program per file under tests/unit/, linked with the compiler's objects.
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
LIB_OBJ = $(filter-out $(B)/compiler/main.o,$(COMPILER_OBJ))
$(B)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(BCP_CFLAGS) $(CFLAGS) -o $@ $< $(LIB_OBJ) $(COMPILER_LIBS)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh examples/demo.sh $(B)

check: deps
	@$(MAKE) --no-print-directory test

test: $(B)/bcpc $(UNIT_BIN)
	@sh tests/run.sh $(B)

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
