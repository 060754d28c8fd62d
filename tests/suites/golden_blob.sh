#!/bin/sh
# golden_blob.sh - recompiles each tests/golden/blob/NAME.src's policy with the
# committed test key, a fixed SOURCE_DATE_EPOCH and serial, and compares the blob
# byte for byte with the committed NAME.bcp (tests/golden/blob/README.md).
# GOLDEN_UPDATE=1 rewrites the committed blobs instead.
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=tests/golden/blob
export SOURCE_DATE_EPOCH=1767225600   # 2026-01-01
for src in "$dir"/*.src; do
	name=$(basename "$src" .src)
	policy=$(head -n 1 "$src")
	out=$tmp/$name.bcp
	[ -n "$GOLDEN_UPDATE" ] && out=$dir/$name.bcp
	check "$name compiles" "'$BCPC' compile '$policy' --key '$dir/test-key.pem' --serial 7 -o '$out' >/dev/null 2>&1"
	check "$name is byte-identical to the golden blob" "cmp '$dir/$name.bcp' '$out'"
done

# One format version: the public header's (bcp_format.h takes it from there), the
# one the compiler writes, and the one docs/FORMAT.md specifies.
public=$(sed -n 's/^#define BCP_FORMAT_VERSION \([0-9][0-9]*\).*/\1/p' runtime/bcp.h)
written=$("$BCPC" inspect "$dir/acme.bcp" --json | jq -r .format_version)
spec=$(sed -n '1s/^# The policy blob format, version \([0-9][0-9]*\)$/\1/p' docs/FORMAT.md)
check "bcp.h's BCP_FORMAT_VERSION ($public) is the written version ($written)" "[ -n '$public' ] && [ '$public' = '$written' ]"
check "docs/FORMAT.md specifies version $spec, the same" "[ '$spec' = '$public' ]"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
