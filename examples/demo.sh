#!/bin/sh
# demo.sh BUILDDIR - the tour `make demo` gives: check the acme example policy,
# compile it with a throw-away key, verify the blob as a device would, and ask a
# few access decisions through libbcp.
set -e
B=${1:-build}
BCPC=$B/bcpc
OUT=$B/demo
rm -rf "$OUT"
mkdir -p "$OUT"
say() { printf '\n== %s\n' "$*"; }

say "bcpc check examples/acme/policy.bcl"
"$BCPC" check examples/acme/policy.bcl 2>/dev/null

say "a throw-away signing key (keep real keys offline)"
"$BCPC" keygen -o "$OUT/demo-key.pem"
TP=$("$BCPC" thumbprint "$OUT/demo-key.pem")

say "bcpc compile ... --valid-for 7d"
"$BCPC" compile examples/acme/policy.bcl --key "$OUT/demo-key.pem" -o "$OUT/acme.bcp" \
	--valid-for 7d 2>/dev/null

say "bcpc verify, as the device will (thumbprint = --bcpMAPublicKeyHash)"
"$BCPC" verify "$OUT/acme.bcp" --thumbprint "$TP"

say "decisions (bcpc query, through libbcp)"
cat > "$OUT/requests.jsonl" <<'JSON'
{"host":"sap.acme.example","port":443,"user":{"scim_groups":["Finance"],"platform":"windows","posture":["disk-encrypted"],"country":"DE"}}
{"host":"erp01.sap.acme.example","port":3201,"user":{"scim_groups":["Finance"],"platform":"mac","posture":["disk-encrypted"],"country":"US"}}
{"host":"sap.acme.example","port":443,"user":{"saml":{"employeeType":["contractor"]},"scim_groups":["Finance"],"platform":"mac"}}
{"host":"wiki.acme.example","port":443,"user":{"scim_groups":["All-Staff"],"scim":{"employeeType":["employee"]},"platform":"mac"}}
{"host":"voip.acme.example","port":5060,"proto":"udp","user":{"trusted_networks":["HQ-LAN"]}}
{"host":"build.dev.sap.acme.example","port":3200,"user":{}}
{"host":"github.com","port":443,"user":{}}
JSON
"$BCPC" query "$OUT/acme.bcp" --thumbprint "$TP" --batch "$OUT/requests.jsonl" > "$OUT/answers.jsonl"
paste -d '\t' "$OUT/requests.jsonl" "$OUT/answers.jsonl" | while IFS="$(printf '\t')" read -r req ans; do
	host=$(printf '%s' "$req" | jq -r '"\(.host):\(.port)/\(.proto // "tcp")"')
	printf '  %-36s %s\n' "$host" "$(printf '%s' "$ans" | jq -r '"\(.decision)\tsegment=\(.segment // "-")\trule=\(.rule // "-")"')"
done
echo
echo "Blob: $OUT/acme.bcp   thumbprint: $TP"
echo "Next: README.md (install and embed), docs/LANGUAGE.md, docs/FORMAT.md."
