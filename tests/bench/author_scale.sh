#!/bin/sh
# author_scale.sh BUILDDIR - the policy author's commands at scale (docs/BENCHMARKS.md):
# `bcpc lint` of the 100k-pattern, 2,000-rule bench tenant, and `bcpc test` of 10,000
# tests against it. The tests are made here: 10,000 exact host names of the tenant,
# each with a user, expecting what libbcp answers (so all pass), checked again by
# bcpc test through libbcp and the reference evaluator. Prints wall time and peak
# memory (GNU time) of each.
set -e
B=${1:-build}
BCPC=$B/bcpc
dir=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
make --no-print-directory -s "$B/bench/bench-gen" "$BCPC" >/dev/null
"$B/bench/bench-gen" -n 100000 -o "$dir" >/dev/null
t="$dir/tenant.bcl"
grep '^ *domains' "$t" | grep -o '"[^"]*"' | grep -v '[*]' | tr -d '"' | awk 'NR % 8 == 1' | head -n 10000 > "$dir/hosts"
awk '{ u = NR % 4; user = "{}"
	if (u == 0) user = "{\"saml\":{\"department\":[\"Sales\"]},\"platform\":\"windows\"}"
	if (u == 1) user = "{\"scim_groups\":[\"eng-admins\"],\"posture\":[\"secure-boot\"]}"
	if (u == 2) user = "{\"saml\":{\"title\":[\"VP\"]},\"idp\":\"okta\"}"
	printf "{\"host\":\"%s\",\"port\":443,\"user\":%s}\n", $1, user }' "$dir/hosts" > "$dir/req.jsonl"
"$BCPC" keygen -o "$dir/k.pem" >/dev/null
"$BCPC" compile "$t" --key "$dir/k.pem" -o "$dir/t.bcp" >/dev/null 2>&1
"$BCPC" query "$dir/t.bcp" --thumbprint "$("$BCPC" thumbprint "$dir/k.pem")" --batch "$dir/req.jsonl" > "$dir/ans.jsonl" || true   # a bad line answers {"error"}
paste -d '\t' "$dir/req.jsonl" "$dir/ans.jsonl" | awk -F '\t' '
function words(user,    s) {
	s = ""
	if (user ~ /Sales/) s = s " saml \"department\" = \"Sales\"; platform windows;"
	if (user ~ /eng-admins/) s = s " scim_group \"eng-admins\"; posture \"secure-boot\";"
	if (user ~ /VP/) s = s " saml \"title\" = \"VP\"; idp \"okta\";"
	return s
}
{
	match($1, /"host":"[^"]*"/); host = substr($1, RSTART + 8, RLENGTH - 9)
	if (!match($2, /"decision":"[a-z]*"/)) next
	d = substr($2, RSTART + 12, RLENGTH - 13)
	seg = "none"; if (match($2, /"segment":"[^"]*"/)) seg = "\"" substr($2, RSTART + 11, RLENGTH - 12) "\""
	rule = "none"; if (match($2, /"rule":"[^"]*"/)) rule = "\"" substr($2, RSTART + 8, RLENGTH - 9) "\""
	printf "test \"t%05d\" {\n    request \"%s:443\";\n    user {%s }\n    expect %s segment %s rule %s;\n}\n", NR, host, words($1), d, seg, rule
}' > "$dir/tenant.test.bcl"
echo "tests: $(grep -c '^test ' "$dir/tenant.test.bcl")"
echo "== bcpc lint $t"
/usr/bin/time -f 'lint: %e s, %M KiB peak' "$BCPC" lint "$t" 2>&1 >"$dir/lint.out" | grep '^lint:'
tail -n 1 "$dir/lint.out"
echo "== bcpc test $t tenant.test.bcl"
/usr/bin/time -f 'test: %e s, %M KiB peak' "$BCPC" test "$t" "$dir/tenant.test.bcl" 2>"$dir/test.err" | tail -n 1
grep '^test:' "$dir/test.err"
