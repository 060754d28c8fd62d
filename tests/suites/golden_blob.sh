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
# Version 3 is still read (version 4 added two-word atoms only, FORMAT.md 12): the
# acme blob as version 3 wrote it answers the acme requests as the version 4 one does.
tp=$("$BCPC" thumbprint "$dir/test-key.pub.pem")
now=2026-01-02T00:00:00Z
"$BCPC" query "$dir/v3/acme.bcp" --thumbprint "$tp" --now $now \
	--batch tests/golden/decisions/acme.requests.jsonl > "$tmp/v3.out" 2>&1
"$BCPC" query "$dir/acme.bcp" --thumbprint "$tp" --now $now \
	--batch tests/golden/decisions/acme.requests.jsonl > "$tmp/v4.out" 2>&1
check "the version 3 acme blob is read and decides as the version 4 one" \
	"[ -s '$tmp/v3.out' ] && cmp '$tmp/v3.out' '$tmp/v4.out' && ! grep -q error '$tmp/v3.out'"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
