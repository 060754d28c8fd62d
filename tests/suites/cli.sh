#!/bin/sh
# cli.sh - the blob commands end to end: keygen, thumbprint (against the openssl
# command line), compile, verify and its refusals, inspect, query (runtime and
# reference) on the acme example's golden decisions.
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
acme=examples/acme/policy.bcl

check "keygen writes a key pair" "'$BCPC' keygen -o '$tmp/k.pem' >/dev/null && [ -f '$tmp/k.pub.pem' ]"
check "keygen key is owner-only" "[ \"\$(stat -c %a '$tmp/k.pem')\" = 600 ]"
check "keygen refuses to overwrite" "! '$BCPC' keygen -o '$tmp/k.pem' >/dev/null 2>&1"
tp=$("$BCPC" thumbprint "$tmp/k.pem")
want=$(openssl pkey -pubin -in "$tmp/k.pub.pem" -outform DER | openssl dgst -sha256 -binary | base64)
check "thumbprint equals the openssl command line" "[ '$tp' = '$want' ] && [ \${#tp} -eq 44 ]"
check "thumbprint of the public key is the same" "[ \"\$('$BCPC' thumbprint '$tmp/k.pub.pem')\" = '$tp' ]"
openssl genpkey -algorithm ed25519 -out "$tmp/o.pem" 2>/dev/null
openssl pkey -in "$tmp/o.pem" -pubout -out "$tmp/o.pub.pem" 2>/dev/null
tpo=$("$BCPC" thumbprint "$tmp/o.pem")

export SOURCE_DATE_EPOCH=1767225600   # 2026-01-01
check "compile acme" "'$BCPC' compile $acme --key '$tmp/k.pem' -o '$tmp/a.bcp' --serial 100 >/dev/null 2>&1"
check "compile is deterministic" "'$BCPC' compile $acme --key '$tmp/k.pem' -o '$tmp/b.bcp' --serial 100 >/dev/null 2>&1 && cmp -s '$tmp/a.bcp' '$tmp/b.bcp'"
check "thumbprint of the blob is the signer's" "[ \"\$('$BCPC' thumbprint '$tmp/a.bcp')\" = '$tp' ]"
check "compile with an openssl-made key" "'$BCPC' compile $acme --key '$tmp/o.pem' -o '$tmp/o.bcp' --serial 5 >/dev/null 2>&1"
now=1767312000   # a day after compile
check "verify by thumbprint" "'$BCPC' verify '$tmp/a.bcp' --thumbprint '$tp' --now $now >/dev/null"
check "verify by public key" "'$BCPC' verify '$tmp/a.bcp' --pubkey '$tmp/k.pub.pem' --now $now >/dev/null"
check "verify with several thumbprints (rotation)" "'$BCPC' verify '$tmp/o.bcp' --thumbprint '$tp' --thumbprint '$tpo' --now $now >/dev/null"
check "verify refuses another key" "'$BCPC' verify '$tmp/a.bcp' --thumbprint '$tpo' --now $now >'$tmp/v' ; [ \$? -eq 1 ] && grep -q 'not trusted' '$tmp/v'"
check "verify refuses an expired blob" "'$BCPC' verify '$tmp/a.bcp' --thumbprint '$tp' --now 2026-03-01 >'$tmp/v' ; [ \$? -eq 1 ] && grep -q expired '$tmp/v'"
check "verify refuses a blob not yet valid" "'$BCPC' verify '$tmp/a.bcp' --thumbprint '$tp' --now 2025-12-01 >'$tmp/v' ; [ \$? -eq 1 ] && grep -q 'not valid yet' '$tmp/v'"
check "verify refuses a serial below the minimum" "'$BCPC' verify '$tmp/a.bcp' --thumbprint '$tp' --now $now --min-serial 101 >'$tmp/v' ; [ \$? -eq 1 ] && grep -q 'serial' '$tmp/v'"
check "verify accepts the minimum serial itself" "'$BCPC' verify '$tmp/a.bcp' --thumbprint '$tp' --now $now --min-serial 100 >/dev/null"
check "dump without --json prints JSON (the only format)" "'$BCPC' dump $acme 2>/dev/null | jq -e '.tenant == \"acme\"' >/dev/null"
openssl genpkey -algorithm ed25519 -aes-256-cbc -pass pass:x -out "$tmp/enc.pem" 2>/dev/null
"$BCPC" thumbprint "$tmp/enc.pem" >"$tmp/v" 2>&1
check "thumbprint of an encrypted key names the file once" "[ \$(grep -o 'enc.pem' '$tmp/v' | wc -l) -eq 1 ] && grep -q 'is encrypted' '$tmp/v'"
printf '{}' > "$tmp/e.json"
"$BCPC" query --reference $acme --user "$tmp/e.json" https://sap.acme.example:443 >"$tmp/v" 2>&1
check "a URL as query target: says it is a URL and what to give" "grep -q \"is a URL; give HOST:PORT\" '$tmp/v'"
"$BCPC" check --json tests/golden/errors/or_between_values.bcl >"$tmp/v" 2>"$tmp/v.err"; rc=$?
check "check --json: one JSON line per diagnostic on stdout, nothing on stderr, exit 1" \
	"[ $rc -eq 1 ] && [ ! -s '$tmp/v.err' ] && jq -e -s 'length == 1 and .[0].line == 3 and .[0].column == 63 and .[0].severity == \"error\" and (.[0].hint | test(\"commas\"))' '$tmp/v' >/dev/null"
rm -f "$tmp/v.err"
check "check --json of a valid policy: its warning as JSON, no summary, exit 0" \
	"'$BCPC' check --json $acme >'$tmp/v' 2>/dev/null && jq -e -s 'length == 1 and .[0].severity == \"warning\"' '$tmp/v' >/dev/null"
# The window at the compile time (SOURCE_DATE_EPOCH here): expired is refused.
"$BCPC" compile $acme --key "$tmp/k.pem" -o "$tmp/exp.bcp" --not-before 2025-11-01 --not-after 2025-12-01 >"$tmp/v" 2>&1; rc=$?
check "compile refuses an already expired blob, writes nothing" \
	"[ $rc -eq 1 ] && grep -q 'would be expired already: not_after 2025-12-01T00:00:00Z' '$tmp/v' && [ ! -e '$tmp/exp.bcp' ]"
check "compile --allow-expired writes it" \
	"'$BCPC' compile $acme --key '$tmp/k.pem' -o '$tmp/exp.bcp' --not-before 2025-11-01 --not-after 2025-12-01 --allow-expired >/dev/null 2>&1 && [ -s '$tmp/exp.bcp' ]"
"$BCPC" compile $acme --key "$tmp/k.pem" -o "$tmp/short.bcp" --valid-for 6h >"$tmp/v" 2>&1; rc=$?
check "a window shorter than a day is written with a warning" "[ $rc -eq 0 ] && grep -q 'warning: the validity window is shorter than a day' '$tmp/v'"
"$BCPC" compile $acme --key "$tmp/k.pem" -o "$tmp/late.bcp" --not-before 2026-01-02 >"$tmp/v" 2>&1; rc=$?
check "a window starting after the compile time is written with a warning" "[ $rc -eq 0 ] && grep -q 'warning: the blob is not valid before 2026-01-02T00:00:00Z' '$tmp/v'"
"$BCPC" compile $acme --key "$tmp/k.pem" -o "$tmp/zero.bcp" --valid-for 0d >"$tmp/v" 2>&1; rc=$?
check "--valid-for 0d says it must be positive" "[ $rc -eq 2 ] && grep -q 'valid-for must be positive' '$tmp/v'"
# Settings that would take more memory to decode than a device allows for the blob's
# size (FORMAT.md #19): compile refuses to write a blob devices would refuse.
awk 'BEGIN { printf "segment_group \"G\";\nsegment \"S\" { group \"G\"; domains \"s.example\"; tcp 443; }\n";
	printf "access_policy { rule \"R\" allow { segment \"S\"; } }\napp_profile \"P\" {";
	for (s = 1; s <= 2; s++) { printf " set l%d = [", s;
		for (i = 1; i <= 65535; i++) printf "%s\"a\"", (i > 1 ? ", " : ""); printf "];" }
	print " }" }' > "$tmp/many.bcl"
"$BCPC" compile "$tmp/many.bcl" --key "$tmp/k.pem" -o "$tmp/many.bcp" >"$tmp/v" 2>&1
rc=$?
check "compile refuses settings past the runtime's memory bound, writes nothing" \
	"[ $rc -eq 1 ] && grep -q 'does not open in libbcp, so nothing was written: .*more msgpack values than a blob of' '$tmp/v' && [ ! -e '$tmp/many.bcp' ]"
cp "$tmp/a.bcp" "$tmp/c.bcp"
printf 'X' | dd of="$tmp/c.bcp" bs=1 seek=1000 conv=notrunc 2>/dev/null
check "verify refuses a changed byte" "! '$BCPC' verify '$tmp/c.bcp' --thumbprint '$tp' --now $now >/dev/null"
head -c 2000 "$tmp/a.bcp" > "$tmp/t.bcp"
check "verify refuses a truncated blob" "! '$BCPC' verify '$tmp/t.bcp' --thumbprint '$tp' --now $now >/dev/null"
cat "$tmp/a.bcp" > "$tmp/x.bcp"; printf '\0' >> "$tmp/x.bcp"
check "verify refuses trailing bytes" "! '$BCPC' verify '$tmp/x.bcp' --thumbprint '$tp' --now $now >/dev/null"
check "verify usage error exits 2" "'$BCPC' verify '$tmp/a.bcp' >/dev/null 2>&1; [ \$? -eq 2 ]"

# The signature checks with the openssl command line alone (docs/FORMAT.md).
len=$(($(stat -c %s "$tmp/a.bcp") - 64))
head -c "$len" "$tmp/a.bcp" > "$tmp/signed.bin"
tail -c 64 "$tmp/a.bcp" > "$tmp/sig.bin"
openssl dgst -sha256 -binary "$tmp/signed.bin" > "$tmp/digest.bin"
check "openssl pkeyutl verifies the signature" "openssl pkeyutl -verify -pubin -inkey '$tmp/k.pub.pem' -rawin -in '$tmp/digest.bin' -sigfile '$tmp/sig.bin' >/dev/null 2>&1"
printf x >> "$tmp/signed.bin"; openssl dgst -sha256 -binary "$tmp/signed.bin" > "$tmp/digest.bin"
check "openssl pkeyutl refuses it over other bytes" "! openssl pkeyutl -verify -pubin -inkey '$tmp/k.pub.pem' -rawin -in '$tmp/digest.bin' -sigfile '$tmp/sig.bin' >/dev/null 2>&1"

"$BCPC" inspect "$tmp/a.bcp" --json > "$tmp/i.json"
check "inspect --json has the header fields" "jq -e '.format_version == 4 and .serial == 100 and .thumbprint == \"$tp\" and .signed_offset == 0 and .signed_length == $len and (.signature_hex | length) == 128 and (.sections | length) == 17 and .not_before == 1767225600 and .not_after == (1767225600 + 30*86400)' '$tmp/i.json' >/dev/null"
check "inspect --json decodes settings and profiles" "jq -e '.business_continuity.domain == \"bc.acme.example\" and (.app_profiles | length) == 2 and .counts.segments == 20' '$tmp/i.json' >/dev/null"
check "inspect --raw-section settings is a msgpack map" "'$BCPC' inspect '$tmp/a.bcp' --raw-section settings > '$tmp/s.mp' && head -c 1 '$tmp/s.mp' | od -An -tx1 | grep -Eq '^ *(8[0-9a-f]|de|df)\$'"
check "inspect text form" "'$BCPC' inspect '$tmp/a.bcp' | grep -q 'serial *100'"

# A failed compile leaves no file, and an existing output untouched.
printf 'segment "x" {\n' > "$tmp/bad.bcl"
check "failed compile writes nothing" "! '$BCPC' compile '$tmp/bad.bcl' --key '$tmp/k.pem' -o '$tmp/n.bcp' 2>/dev/null && [ ! -e '$tmp/n.bcp' ]"
cp "$tmp/a.bcp" "$tmp/keep.bcp"
check "failed compile keeps the old output" "! '$BCPC' compile '$tmp/bad.bcl' --key '$tmp/k.pem' -o '$tmp/keep.bcp' 2>/dev/null && cmp -s '$tmp/a.bcp' '$tmp/keep.bcp'"
check "no temporary files left behind" "[ -z \"\$(ls '$tmp' | grep -v -E '\\.(bcp|pem|bin|json|mp|bcl)\$|^v\$')\" ]"
check "compile with a wrong key type fails" "openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out '$tmp/rsa.pem' 2>/dev/null; ! '$BCPC' compile $acme --key '$tmp/rsa.pem' -o '$tmp/r.bcp' 2>/dev/null && [ ! -e '$tmp/r.bcp' ]"

# Golden decisions of the acme example, by the runtime and by the reference.
req=tests/golden/decisions/acme.requests.jsonl
exp=tests/golden/decisions/acme.expected.jsonl
"$BCPC" query "$tmp/a.bcp" --thumbprint "$tp" --now $now --batch "$req" > "$tmp/q.out"
check "query (runtime) gives the golden acme decisions" "cmp -s '$exp' '$tmp/q.out' || { diff '$exp' '$tmp/q.out' | head; false; }"
"$BCPC" query --reference $acme --batch - < "$req" > "$tmp/r.out"
check "query --reference gives the golden acme decisions" "cmp -s '$exp' '$tmp/r.out' || { diff '$exp' '$tmp/r.out' | head; false; }"
printf '{"scim_groups":["Finance"],"platform":"windows","posture":["disk-encrypted"]}' > "$tmp/u.json"
check "single query" "'$BCPC' query '$tmp/a.bcp' --thumbprint '$tp' --now $now --user '$tmp/u.json' sap.acme.example:443 | grep -q '\"decision\":\"allow\",\"segment\":\"SAP-Web\",\"rule\":\"Finance apps\"'"
check "single query, udp" "'$BCPC' query '$tmp/a.bcp' --thumbprint '$tp' --now $now --user '$tmp/u.json' voip.acme.example:5060/udp | grep -q '\"segment\":\"VoIP\"'"
printf '{"host":"a.example","port":0}\nnot json\n{"host":"sap.acme.example","port":443}\n' > "$tmp/bad.jsonl"
"$BCPC" query "$tmp/a.bcp" --thumbprint "$tp" --now $now --batch "$tmp/bad.jsonl" > "$tmp/b.out"; rc=$?
check "bad request lines get errors, the rest go on, exit 1" "[ $rc -eq 1 ] && [ \$(grep -c '\"error\"' '$tmp/b.out') -eq 2 ] && sed -n 3p '$tmp/b.out' | grep -q decision"
check "batch errors name their input line" "sed -n 1p '$tmp/b.out' | grep -q '\"line 1: port' && sed -n 2p '$tmp/b.out' | grep -q '\"line 2: invalid JSON'"
# Outside its window the blob answers as a device does: deny, with the reason.
"$BCPC" query "$tmp/a.bcp" --thumbprint "$tp" --now 2027-06-01 --user "$tmp/u.json" sap.acme.example:443 > "$tmp/x.out"; rc=$?
check "query past not_after: exit 0, deny, reason expired" "[ $rc -eq 0 ] && grep -qx '{\"decision\":\"deny\",\"segment\":null,\"rule\":null,\"profile\":\"Windows-Managed\",\"reason\":\"expired\"}' '$tmp/x.out'"
"$BCPC" query "$tmp/a.bcp" --thumbprint "$tp" --now 2025-06-01 --user "$tmp/u.json" sap.acme.example:443 > "$tmp/x.out"; rc=$?
check "query before not_before: exit 0, deny, reason not_yet_valid" "[ $rc -eq 0 ] && grep -q '\"decision\":\"deny\".*\"reason\":\"not_yet_valid\"' '$tmp/x.out'"
printf '{"host":"a.example","port":443,"user":{"groups":["Finance"]}}\n' | "$BCPC" query --reference $acme --batch - > "$tmp/x.out" 2>/dev/null
check "an unknown user key suggests the nearest (groups: scim_groups)" "grep -q \"unknown key 'groups' in user; did you mean 'scim_groups'\" '$tmp/x.out'"
# The keys query --help lists (from the attribute table) are all documented.
missing=""
for k in $("$BCPC" query --help | sed -n '/^A user object/,$p' | sed -n 's/^  \([a-z_]*\) .*/\1/p'); do
	grep -q "^| \`$k\` |" docs/LANGUAGE.md || missing="$missing $k"
done
check "every user key of query --help is in docs/LANGUAGE.md 6.1 (missing:$missing)" "[ -z '$missing' ] && [ \$('$BCPC' query --help | grep -c '^  [a-z]') -ge 10 ]"
# README's query example: its request line, answered by a blob of examples/acme,
# gives exactly the answer README prints after it.
req_line=$(grep -m1 '^{"host":"sap.acme.example"' README.md)
ans_line=$(grep -m1 '^{"decision":' README.md)
printf '%s\n' "$req_line" | "$BCPC" query "$tmp/a.bcp" --thumbprint "$tp" --now $now --batch - > "$tmp/x.out"
check "README's query example gives README's answer" "[ -n '$req_line' ] && [ \"\$(cat '$tmp/x.out')\" = '$ans_line' ]"
# bcpc diff: usage, trust, identical, changed (a copy of acme with Payroll's 8443
# gone, "Payroll others" removed and "SAP developers" renamed), JSON.
cp examples/acme/bc-sp-ca.pem "$tmp/"
sed -e '/domains "payroll.acme.example";/{n;s/tcp 443, 8443;/tcp 443;/}' \
    -e 's/rule "SAP developers" allow/rule "SAP devs" allow/' $acme |
	awk '/rule "Payroll others" deny/ { skip = 3 } skip { skip--; next } { print }' > "$tmp/changed.bcl"
"$BCPC" compile "$tmp/changed.bcl" --key "$tmp/k.pem" -o "$tmp/c.bcp" --serial 101 >/dev/null 2>&1
check "diff: no arguments is a usage error" "'$BCPC' diff >/dev/null 2>&1; [ \$? -eq 2 ]"
check "diff: one side only is a usage error" "'$BCPC' diff '$tmp/a.bcp' --thumbprint '$tp' >/dev/null 2>&1; [ \$? -eq 2 ]"
check "diff: blobs need a trust anchor" "'$BCPC' diff '$tmp/a.bcp' '$tmp/c.bcp' 2>'$tmp/v' >/dev/null; [ \$? -eq 2 ] && grep -q 'needs --thumbprint' '$tmp/v'"
check "diff: a .bcl given as a blob says to use --new-source" "'$BCPC' diff '$tmp/a.bcp' '$tmp/changed.bcl' --thumbprint '$tp' 2>'$tmp/v' >/dev/null; [ \$? -eq 2 ] && grep -q 'new-source' '$tmp/v'"
check "diff: unknown option" "'$BCPC' diff --frobnicate 2>/dev/null; [ \$? -eq 2 ]"
check "diff: --budget 0 is refused" "'$BCPC' diff --old-source $acme --new-source $acme --budget 0 2>/dev/null; [ \$? -eq 2 ]"
check "diff: a blob under another key is refused (2)" "'$BCPC' diff '$tmp/a.bcp' '$tmp/c.bcp' --thumbprint '$tpo' 2>'$tmp/v' >/dev/null; [ \$? -eq 2 ] && grep -q 'REFUSED' '$tmp/v'"
check "diff: a malformed thumbprint is a usage error" "'$BCPC' diff '$tmp/a.bcp' '$tmp/c.bcp' --thumbprint nope 2>/dev/null >/dev/null; [ \$? -eq 2 ]"
check "diff: a policy with errors is refused (2)" "printf 'segment {' > '$tmp/bad.bcl'; '$BCPC' diff --old-source $acme --new-source '$tmp/bad.bcl' >/dev/null 2>&1; [ \$? -eq 2 ]"
check "diff: identical blobs, exit 0" "'$BCPC' diff '$tmp/a.bcp' '$tmp/b.bcp' --thumbprint '$tp' >'$tmp/v'; [ \$? -eq 0 ] && grep -q '^no decision changes' '$tmp/v'"
check "diff: identical sources, exit 0" "'$BCPC' diff --old-source $acme --new-source $acme >/dev/null 2>&1"
"$BCPC" diff "$tmp/a.bcp" "$tmp/c.bcp" --thumbprint "$tp" > "$tmp/d.txt"; rc=$?
check "diff: changed blobs, exit 1" "[ $rc -eq 1 ] && grep -q '^7 classes of requests change decision' '$tmp/d.txt'"
check "diff: the rename is listed" "grep -q 'rule \"SAP devs\" renamed (was \"SAP developers\")' '$tmp/d.txt'"
check "diff: serial and removed rule are listed" "grep -q 'serial: 100 -> 101' '$tmp/d.txt' && grep -q 'rule \"Payroll others\" removed' '$tmp/d.txt'"
"$BCPC" diff "$tmp/a.bcp" "$tmp/c.bcp" --thumbprint "$tp" --json > "$tmp/d.json"
check "diff --json parses, with a witness per class" "jq -e '.decision_changes == 7 and (.classes | length) == 7 and all(.classes[]; .witness.request | test(\"^payroll.acme.example:\")) and .old.kind == \"blob\" and (.new.sha256 | length) == 64' '$tmp/d.json' >/dev/null"
check "diff: a witness decides as the class says (bcpc query)" "jq -c '.classes[0] | {host: (.witness.request | split(\":\")[0]), port: (.witness.request | split(\":\")[1] | split(\"/\")[0] | tonumber), user: .witness.user}' '$tmp/d.json' | '$BCPC' query '$tmp/c.bcp' --thumbprint '$tp' --now $now --batch - | jq -e --argjson want \"\$(jq '.classes[0].new.verdict' '$tmp/d.json')\" '.decision == \$want' >/dev/null"
check "diff: a blob against a policy" "'$BCPC' diff '$tmp/a.bcp' --new-source '$tmp/changed.bcl' --thumbprint '$tp' 2>/dev/null | grep -q '^7 classes'"
check "diff: a policy against its own blob: no change at all, exit 0" "'$BCPC' diff --old-source $acme '$tmp/a.bcp' --thumbprint '$tp' 2>/dev/null >'$tmp/v' && grep -q '^no structural changes' '$tmp/v' && grep -q '^no decision changes' '$tmp/v'"
check "diff --help" "'$BCPC' diff --help | grep -q 'old-source'"
# A FIFO where a key or a blob should be is refused at once, never waited on.
mkfifo "$tmp/fifo"
check "thumbprint refuses a FIFO" "timeout 10 '$BCPC' thumbprint '$tmp/fifo' >/dev/null 2>&1; [ \$? -eq 1 ]"
check "compile refuses a FIFO key" "timeout 10 '$BCPC' compile $acme --key '$tmp/fifo' -o '$tmp/f.bcp' >/dev/null 2>&1; [ \$? -eq 1 ] && [ ! -e '$tmp/f.bcp' ]"
check "verify refuses a FIFO public key" "timeout 10 '$BCPC' verify '$tmp/a.bcp' --pubkey '$tmp/fifo' >/dev/null 2>&1; [ \$? -eq 2 ]"
check "diff refuses a FIFO blob" "timeout 10 '$BCPC' diff '$tmp/fifo' '$tmp/a.bcp' --thumbprint '$tp' >/dev/null 2>&1; [ \$? -eq 2 ]"
check "inspect refuses a FIFO" "timeout 10 '$BCPC' inspect '$tmp/fifo' >/dev/null 2>&1; [ \$? -eq 1 ]"
rm -f "$tmp/fifo"
# report: usage, refusals (nothing written), and a blob outside its window (shown, not refused).
"$BCPC" report $acme >"$tmp/v" 2>&1; rc=$?
check "report without -o: usage error naming -o" "[ $rc -eq 2 ] && grep -q -- '-o REPORT.html' '$tmp/v'"
"$BCPC" report $acme -o "$tmp/no/such/dir/r.html" >"$tmp/v" 2>&1; rc=$?
check "report into a missing folder: a clear error, exit 1, no file" "[ $rc -eq 1 ] && grep -q 'no/such/dir/r.html' '$tmp/v' && [ ! -e '$tmp/no' ]"
"$BCPC" report $acme -o "$tmp/a.bcp/r.html" >"$tmp/v" 2>&1; rc=$?
check "report under a file (unwritable path): a clear error, exit 1" "[ $rc -eq 1 ] && grep -q 'r.html' '$tmp/v' && [ -f '$tmp/a.bcp' ]"
check "report of a blob without --thumbprint is a usage error" "'$BCPC' report '$tmp/a.bcp' $acme -o '$tmp/r.html' >/dev/null 2>&1; [ \$? -eq 2 ] && [ ! -e '$tmp/r.html' ]"
check "report: --thumbprint without a blob is a usage error" "'$BCPC' report $acme --thumbprint '$tp' -o '$tmp/r.html' >/dev/null 2>&1; [ \$? -eq 2 ] && [ ! -e '$tmp/r.html' ]"
check "report: a blob alone is read back and reported" "'$BCPC' report '$tmp/a.bcp' --thumbprint '$tp' -o '$tmp/r.html' --now 2026-01-01 >'$tmp/v' 2>&1; [ \$? -eq 0 ] && grep -q 'id=\"blob-read\"' '$tmp/r.html' && grep -q '^no sources given' '$tmp/v'"
rm -f "$tmp/r.html"
check "report: --previous needs a thumbprint" "'$BCPC' report $acme --previous '$tmp/a.bcp' -o '$tmp/r.html' >'$tmp/v' 2>&1; [ \$? -eq 2 ] && grep -q 'previous blob needs --thumbprint' '$tmp/v' && [ ! -e '$tmp/r.html' ]"
check "report: a previous blob that does not verify: exit 1, nothing written" "'$BCPC' report $acme --previous '$acme' --thumbprint '$tp' -o '$tmp/r.html' >/dev/null 2>&1; [ \$? -eq 1 ] && [ ! -e '$tmp/r.html' ]"
check "report: an unknown option is a usage error" "'$BCPC' report $acme --frobnicate -o '$tmp/r.html' >/dev/null 2>&1; [ \$? -eq 2 ] && [ ! -e '$tmp/r.html' ]"
check "report --tests without test blocks: exit 1, nothing written" "'$BCPC' report $acme --tests $acme -o '$tmp/r.html' >/dev/null 2>&1; [ \$? -eq 1 ] && [ ! -e '$tmp/r.html' ]"
check "report of a policy with errors: exit 1, nothing written" "'$BCPC' report tests/golden/errors/or_between_values.bcl -o '$tmp/r.html' >/dev/null 2>&1; [ \$? -eq 1 ] && [ ! -e '$tmp/r.html' ]"
"$BCPC" report "$tmp/a.bcp" --thumbprint "$tp" $acme -o "$tmp/r.html" --now 2026-03-01 >"$tmp/v" 2>&1; rc=$?
check "report of an expired blob: written, the page says it is expired" "[ $rc -eq 0 ] && grep -q 'expired: devices deny every request' '$tmp/r.html' && grep -q '^blob .*serial 100,' '$tmp/v'"
check "report --help gives its usage" "'$BCPC' report --help | grep -q '^usage: bcpc report'"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
