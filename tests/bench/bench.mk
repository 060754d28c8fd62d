# bench.mk - the benchmark (docs/BENCHMARKS.md), included by the Makefile.
#
#   make bench          all four sizes, several runs each (minutes): build/bench.json,
#                       a table, and the peer comparison's inputs in build/bench/peers/
#   make bench-smoke    one tiny size, one run, decisions still checked against the
#                       reference; asserts no timing, only that it works and the JSON is valid
#   make bench-quick    after `make bench`: the warm decision figures of its four blobs
#                       in seconds, one run, nothing checked (for trying a change)
#   make bench-open     after `make bench`: bcp_open_file and bcp_open_buffer on its
#                       blobs, median of 9 (BENCH_OPEN_BLOBS to name other blobs)
#
# Built into $(B)/bench/ with the project's flags, linked like the unit tests.

BENCH_DIR = $(B)/bench
BENCH_SRC = tests/bench/bench.c tests/bench/gen.c tests/bench/gen_write.c \
	tests/bench/gen_requests.c tests/bench/timing.c tests/bench/report.c \
	tests/bench/export.c tests/bench/tables.c
BENCH_OBJ = $(BENCH_SRC:tests/bench/%.c=$(BENCH_DIR)/obj/%.o)
BENCH_GEN_OBJ = $(BENCH_DIR)/obj/gen_main.o $(BENCH_DIR)/obj/gen.o $(BENCH_DIR)/obj/gen_write.o \
	$(BENCH_DIR)/obj/gen_requests.o $(B)/support/arena.o
BENCH_ARGS ?=
# What is measured, recorded in the JSON: the commit, "-dirty" with local changes.
BENCH_SOURCE = $(shell git describe --always --dirty 2>/dev/null || echo unknown)
# What bench-smoke requires of its JSON: one size, checked requests, figures present.
BENCH_SMOKE_JQ = (.sizes | length) == 1 and .sizes[0].verified_requests > 0 and \
	.sizes[0].decisions_per_s > 0 and .sizes[0].decide_ns_p50 > 0 and \
	.peers.bcp_decisions_per_s > 0 and (.peers | has("cedar_decisions_per_s"))

.PHONY: bench bench-smoke bench-quick bench-open

$(BENCH_DIR)/obj/%.o: tests/bench/%.c $(B)/grammar/parser.h $(B)/grammar/lexer.h
	@mkdir -p $(dir $@)
	$(CC) $(BCP_CFLAGS) -Itests/bench $(CFLAGS) -MMD -MP -c -o $@ $<

$(BENCH_DIR)/bench: $(BENCH_OBJ) $(LIB_OBJ) $(B)/libbcp.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(BENCH_OBJ) $(LIB_OBJ) $(B)/libbcp.a $(COMPILER_LIBS) -lm

$(BENCH_DIR)/bench-quick: $(BENCH_DIR)/obj/quick.o $(BENCH_DIR)/obj/gen.o \
		$(BENCH_DIR)/obj/gen_requests.o $(BENCH_DIR)/obj/timing.o $(B)/support/arena.o $(B)/libbcp.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(RUNTIME_LIBS) -lm

$(BENCH_DIR)/bench-open: tests/bench/open_time.c $(B)/libbcp.a
	@mkdir -p $(dir $@)
	$(CC) $(BCP_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libbcp.a $(RUNTIME_LIBS)

BENCH_OPEN_BLOBS ?= $(wildcard $(BENCH_DIR)/[0-9]*/tenant.bcp)
bench-open: $(BENCH_DIR)/bench-open
	$(BENCH_DIR)/bench-open $(BENCH_OPEN_BLOBS)

$(BENCH_DIR)/bench-gen: $(BENCH_GEN_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(BENCH_GEN_OBJ) -lm

bench: all $(BENCH_DIR)/bench $(BENCH_DIR)/bench-gen
	$(BENCH_DIR)/bench --dir $(BENCH_DIR) --out $(B)/bench.json --source "$(BENCH_SOURCE)" \
		$(BENCH_ARGS)
	@sh tests/bench/check_peers.sh $(B) $(BENCH_DIR)/peers

bench-smoke: all $(BENCH_DIR)/bench
	@$(BENCH_DIR)/bench --smoke --dir $(BENCH_DIR)/smoke --out $(BENCH_DIR)/smoke.json \
		--source "$(BENCH_SOURCE)" \
		> $(BENCH_DIR)/smoke.txt 2>&1 || { cat $(BENCH_DIR)/smoke.txt; exit 1; }
	@jq -e '$(BENCH_SMOKE_JQ)' $(BENCH_DIR)/smoke.json > /dev/null || { echo "bench-smoke: bad $(BENCH_DIR)/smoke.json"; exit 1; }
	@sh tests/bench/check_peers.sh $(B) $(BENCH_DIR)/smoke/peers
	@echo "bench-smoke: ok ($(BENCH_DIR)/smoke.json)"

# The blobs `make bench` left, whatever the sizes it ran (BENCH_QUICK_ARGS='-n 16'
# for a working set that stays in L1).
BENCH_QUICK_ARGS ?=
bench-quick: $(BENCH_DIR)/bench-quick
	@set -- $$(for d in $(BENCH_DIR)/[0-9]*; do [ -s $$d/tenant.bcp ] && \
		echo "$${d##*/}:$$d/tenant.bcp"; done | sort -n); \
	[ $$# -gt 0 ] || { echo "bench-quick: no blobs in $(BENCH_DIR)/N/; run make bench first"; exit 1; }; \
	$(BENCH_DIR)/bench-quick $(BENCH_QUICK_ARGS) "$$($(B)/bcpc thumbprint $(BENCH_DIR)/signer.pub.pem)" "$$@"

# The Cedar comparison (make bench-peers) reads what `make bench` writes in
# $(B)/bench/peers/; its rules live with its sources.
-include tests/bench/peers/peers.mk
