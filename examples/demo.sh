#!/bin/sh
# demo.sh BUILDDIR - the tour `make demo` gives: check the acme example policy and
# show its checked model.
set -e
B=${1:-build}
BCPC=$B/bcpc
OUT=$B/demo
mkdir -p "$OUT"
echo "== bcpc check examples/acme/policy.bcl"
"$BCPC" check examples/acme/policy.bcl
echo
echo "== a throw-away signing key (not for production)"
rm -f "$OUT/demo-key.pem"
openssl genpkey -algorithm ed25519 -out "$OUT/demo-key.pem" 2>/dev/null
echo "$OUT/demo-key.pem"
echo
echo "== the checked model: patterns, most specific segments (bcpc dump --json)"
"$BCPC" dump --json examples/acme/policy.bcl 2>/dev/null |
	jq -r '.patterns[] | "  \(.pattern)\t\(.match)\t\(.segments | join(", "))"' 2>/dev/null ||
	"$BCPC" dump --json examples/acme/policy.bcl 2>/dev/null | head -40
