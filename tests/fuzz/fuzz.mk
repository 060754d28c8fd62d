# fuzz.mk - fuzzing, sanitizer and valgrind targets (issue 6). Included at the end of
# the Makefile; it uses its variables (B, BCP_CFLAGS, COMPILER_SRC, RUNTIME_SRC, ...).
#
#   make fuzz            builds the libFuzzer targets into $(B)/fuzz/ and runs each for
#                        FUZZ_SECONDS on its corpus ($(B)/fuzz/corpus/, seeded by
#                        tests/fuzz/seeds.sh); `make -j2 fuzz` runs two at a time
#   make fuzz-smoke      the same for FUZZ_SMOKE_SECONDS each; fails on any crash
#   make fuzz-build      only builds them
#   make fuzz-replay     runs each target once over its saved crashes (FUZZ_CRASHES)
#   make asan            builds everything in $(B)-asan with ASan and UBSan and runs
#                        the whole test suite there
#   make valgrind        unit tests and bcpc commands under valgrind memcheck
#
# A crash leaves its input in FUZZ_CRASHES as <target>-crash-<sha1> (or leak-,
# timeout-, oom-); rerun it with `$(B)/fuzz/<target> FILE`. The targets read files
# relative to the repository root: run them from there. FUZZ_IGNORE="id ..." passes
# over the checks with those ids (known open findings, e.g. utf8-names) so that a
# long run can go on to find others.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 30
FUZZ_TIMEOUT ?= 10
FUZZ_RSS_MB ?= 2048
FUZZ_CRASHES ?= tests/fuzz/crashes
FUZZ_ARGS ?=
FUZZ_IGNORE ?=
export FUZZ_IGNORE
FZ = $(B)/fuzz

FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = $(BCP_CFLAGS) -Itests/fuzz -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_LINK = $(FUZZ_CC) -g $(FUZZ_SAN) -fsanitize=fuzzer

FUZZ_TARGETS = fuzz_blob fuzz_blob_refuse fuzz_policy fuzz_request fuzz_keys fuzz_state fuzz_zpa
FUZZ_BIN = $(FUZZ_TARGETS:%=$(FZ)/%)

# Everything a target links, compiled again with the fuzzing flags. fuzz_blob and
# fuzz_state get their own runtime, built with -DBCP_FUZZ_SKIP_SIGNATURE
# (runtime/open.c, checks #5 and #6).
FUZZ_RUNTIME = $(RUNTIME_SRC:%.c=$(FZ)/obj/%.o)
FUZZ_RUNTIME_NOSIG = $(RUNTIME_SRC:%.c=$(FZ)/nosig/%.o)
FUZZ_COMPILER = $(patsubst %.c,$(FZ)/obj/%.o,$(filter-out compiler/main.c compiler/cmd_%.c,$(COMPILER_SRC))) \
	$(FZ)/obj/gen/parser.o $(FZ)/obj/gen/lexer.o
FUZZ_COMMON = $(FZ)/obj/tests/fuzz/fuzz_common.o

# Per target: the longest input, the corpus folders (new inputs go to the first one),
# the dictionary.
FUZZ_MAXLEN_fuzz_blob = 16384
FUZZ_MAXLEN_fuzz_blob_refuse = 16384
FUZZ_MAXLEN_fuzz_policy = 16384
FUZZ_MAXLEN_fuzz_request = 4096
FUZZ_MAXLEN_fuzz_keys = 8192
FUZZ_MAXLEN_fuzz_state = 65536
FUZZ_MAXLEN_fuzz_zpa = 16384
FUZZ_CORPUS_fuzz_blob = blob
FUZZ_CORPUS_fuzz_blob_refuse = blob_refuse blob
FUZZ_CORPUS_fuzz_policy = policy
FUZZ_CORPUS_fuzz_request = request
FUZZ_CORPUS_fuzz_keys = keys
FUZZ_CORPUS_fuzz_state = state
FUZZ_CORPUS_fuzz_zpa = zpa
FUZZ_DICT_fuzz_policy = tests/fuzz/bcl.dict
FUZZ_DICT_fuzz_request = tests/fuzz/request.dict

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-replay fuzz-toolchain asan valgrind

fuzz-build: fuzz-toolchain $(FUZZ_BIN)

fuzz: $(FUZZ_TARGETS:%=fuzz-run-%)
fuzz-smoke: $(FUZZ_TARGETS:%=fuzz-smoke-%)
fuzz-replay: $(FUZZ_TARGETS:%=fuzz-replay-%)

# Says what is missing instead of failing on a link error.
fuzz-toolchain:
	@printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
		| $(FUZZ_CC) -x c -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null || { \
		echo "fuzz: '$(FUZZ_CC) -fsanitize=fuzzer' does not link. Install clang and its"; \
		echo "fuzz: libFuzzer runtime (Debian: apt-get install clang libclang-rt-14-dev)."; \
		exit 1; }

$(FZ)/obj/%.o: %.c $(B)/grammar/parser.h $(B)/grammar/lexer.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<
$(FZ)/nosig/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DBCP_FUZZ_SKIP_SIGNATURE -MMD -MP -c -o $@ $<
$(FZ)/obj/gen/parser.o: $(B)/grammar/parser.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(GEN_CFLAGS) -c -o $@ $<
$(FZ)/obj/gen/lexer.o: $(B)/grammar/lexer.c $(B)/grammar/parser.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(GEN_CFLAGS) -c -o $@ $<

$(FZ)/fuzz_blob: $(FZ)/nosig/tests/fuzz/fuzz_blob.o $(FUZZ_RUNTIME_NOSIG)
	$(FUZZ_LINK) -o $@ $^ $(RUNTIME_LIBS)
$(FZ)/fuzz_blob_refuse: $(FZ)/obj/tests/fuzz/fuzz_blob.o $(FUZZ_RUNTIME)
	$(FUZZ_LINK) -o $@ $^ $(RUNTIME_LIBS)
$(FZ)/fuzz_state: $(FZ)/nosig/tests/fuzz/fuzz_state.o $(FUZZ_RUNTIME_NOSIG)
	$(FUZZ_LINK) -o $@ $^ $(RUNTIME_LIBS)
$(FZ)/fuzz_policy $(FZ)/fuzz_request $(FZ)/fuzz_keys $(FZ)/fuzz_zpa: $(FZ)/%: $(FZ)/obj/tests/fuzz/%.o \
		$(FUZZ_COMMON) $(FUZZ_COMPILER) $(FUZZ_RUNTIME)
	$(FUZZ_LINK) -o $@ $^ $(COMPILER_LIBS)

$(FZ)/corpus/.seeded: tests/fuzz/seeds.sh $(B)/bcpc $(wildcard tests/fuzz/seeds/*/*)
	sh tests/fuzz/seeds.sh $(B) $(FZ)/corpus
	@touch $@

# fuzz_run TARGET SECONDS: one run, its log in $(FZ)/logs/TARGET.log; on failure the
# end of the log and where the reproducer is; else the final line of statistics.
define fuzz_run
	@mkdir -p $(FUZZ_CRASHES) $(FZ)/logs $(addprefix $(FZ)/corpus/,$(FUZZ_CORPUS_$(1)))
	@echo "fuzz: $(1) for $(2) s (log $(FZ)/logs/$(1).log)"
	@$(FZ)/$(1) -max_total_time=$(2) -max_len=$(FUZZ_MAXLEN_$(1)) -timeout=$(FUZZ_TIMEOUT) \
		-rss_limit_mb=$(FUZZ_RSS_MB) -print_final_stats=1 \
		$(if $(FUZZ_DICT_$(1)),-dict=$(FUZZ_DICT_$(1))) -artifact_prefix=$(FUZZ_CRASHES)/$(1)- \
		$(FUZZ_ARGS) $(addprefix $(FZ)/corpus/,$(FUZZ_CORPUS_$(1))) >$(FZ)/logs/$(1).log 2>&1 || { \
		tail -n 60 $(FZ)/logs/$(1).log; \
		echo "fuzz: $(1) FAILED; the input is in $(FUZZ_CRASHES)/$(1)-*"; exit 1; }
	@printf 'fuzz: %s: %s; %s\n' $(1) "$$(grep -E '^#[0-9]+' $(FZ)/logs/$(1).log | tail -n 1 | tr -s ' \t' ' ')" \
		"$$(grep -E '^Done ' $(FZ)/logs/$(1).log)"
endef

fuzz-run-%: $(FZ)/% $(FZ)/corpus/.seeded fuzz-toolchain
	$(call fuzz_run,$*,$(FUZZ_SECONDS))
fuzz-smoke-%: $(FZ)/% $(FZ)/corpus/.seeded fuzz-toolchain
	$(call fuzz_run,$*,$(FUZZ_SMOKE_SECONDS))
fuzz-replay-%: $(FZ)/% fuzz-toolchain
	@set -- $(wildcard $(FUZZ_CRASHES)/$*-*); [ $$# -eq 0 ] || $(FZ)/$* -runs=1 "$$@"

# Sanitizers: the whole suite, built with clang (or ASAN_CC=gcc) in its own folder.
# BCP_NO_SIMD makes the runtime take its portable paths (the SSE2 name split is
# what the normal build tests), so CI runs the suite through both.
ASAN_CC ?= clang
ASAN_BUILDDIR ?= $(B)-asan
ASAN_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
	-DBCP_NO_SIMD
asan:
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	$(MAKE) --no-print-directory BUILDDIR=$(ASAN_BUILDDIR) CC=$(ASAN_CC) \
		CFLAGS="$(ASAN_CFLAGS)" LDFLAGS="$(ASAN_CFLAGS)" test

valgrind: $(B)/bcpc $(UNIT_BIN)
	@sh tests/fuzz/valgrind.sh $(B)
