# peers.mk - `make bench-peers`: Cedar against the same policy and requests as the
# benchmark (tests/bench/peers/README.md). Included by tests/bench/bench.mk.
#
#   make bench-peers                       after `make bench`, which writes the inputs
#   make bench-peers PEERS_DIR=build/bench/smoke/peers   after `make bench-smoke`
#   make bench-peers PEERS_ARGS='--runs 9 --facts entities'   see bench.js for options
#
# Cedar (@cedar-policy/cedar-wasm, the version pinned in package.json and
# package-lock.json) is installed with npm ci under $(B)/bench/peers/node_modules;
# nothing is installed globally. Needs Node.js 18 or later and npm.

PEERS_DIR ?= $(B)/bench/peers
PEERS_ARGS ?=
BENCH_JSON ?= $(B)/bench.json
PEERS_NODE_DIR = $(B)/bench/peers
CEDAR_WASM = $(PEERS_NODE_DIR)/node_modules/@cedar-policy/cedar-wasm
# npm gives installed files a fixed old mtime, so a stamp of our own marks the install.
CEDAR_STAMP = $(PEERS_NODE_DIR)/node_modules/.bcp-installed
PEERS_JS = tests/bench/peers/bench.js tests/bench/peers/translate.js tests/bench/peers/resolve.js

.PHONY: bench-peers

$(CEDAR_STAMP): tests/bench/peers/package.json tests/bench/peers/package-lock.json
	@mkdir -p $(PEERS_NODE_DIR)
	cp tests/bench/peers/package.json tests/bench/peers/package-lock.json $(PEERS_NODE_DIR)/
	npm ci --prefix $(PEERS_NODE_DIR) --no-audit --no-fund --loglevel=error
	@touch $@

bench-peers: $(B)/bcpc $(CEDAR_STAMP) $(PEERS_JS)
	@test -s $(PEERS_DIR)/requests.jsonl && test -s $(PEERS_DIR)/expected.jsonl || \
		{ echo "bench-peers: no requests.jsonl and expected.jsonl in $(PEERS_DIR);" \
			"run 'make bench' first (or set PEERS_DIR)"; exit 1; }
	@files=$$(ls $(PEERS_DIR)/policy*.bcl | sort -V) && \
		$(B)/bcpc dump --json $$files > $(PEERS_DIR)/dump.json 2> $(PEERS_DIR)/dump.log || \
		{ cat $(PEERS_DIR)/dump.log; echo "bench-peers: bcpc dump failed"; exit 1; }
	node tests/bench/peers/bench.js --cedar $(CEDAR_WASM) --dump $(PEERS_DIR)/dump.json \
		--requests $(PEERS_DIR)/requests.jsonl --expected $(PEERS_DIR)/expected.jsonl \
		--manifest $(PEERS_DIR)/manifest.json --out $(PEERS_DIR)/cedar \
		--bench-json $(BENCH_JSON) $(PEERS_ARGS)
