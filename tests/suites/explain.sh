#!/bin/sh
# explain.sh - `bcpc explain`: golden explanations of the acme policy
# (tests/golden/explain/cases: name | user | target; NAME.out holds the text), the
# JSON form, explain on a blob, and that explain decides every acme golden request
# as the golden decisions say. (That explain's answer equals the runtime's on the
# whole differential corpus is checked by test_diff.)
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
acme=examples/acme/policy.bcl
g=tests/golden/explain

grep -v '^#' "$g/cases" | while IFS='|' read -r name user target; do
	name=$(echo $name) target=$(echo $target)
	printf '%s' "$user" > "$tmp/$name.json"
	"$BCPC" explain --reference $acme --user "$tmp/$name.json" "$target" > "$tmp/$name.out" 2>/dev/null
	echo "exit=$?" >> "$tmp/$name.out"
	if [ "${BCPC_REGOLD:-}" = 1 ]; then cp "$tmp/$name.out" "$g/$name.out"; fi
	if cmp -s "$tmp/$name.out" "$g/$name.out"; then echo "ok - explain $name"; else
		echo "not ok - explain $name"; diff -u "$g/$name.out" "$tmp/$name.out" | head -20; fi
done > "$tmp/golden.log"
cat "$tmp/golden.log"
pass=$((pass + $(grep -c '^ok' "$tmp/golden.log")))
fail=$((fail + $(grep -c '^not ok' "$tmp/golden.log")))

# Every golden request of the acme example: explain --json gives the golden answer.
req=tests/golden/decisions/acme.requests.jsonl
exp=tests/golden/decisions/acme.expected.jsonl
n=0 bad=0
while IFS= read -r line; do
	n=$((n + 1))
	printf '%s' "$line" | jq -c '.user // {}' > "$tmp/u.json"
	t=$(printf '%s' "$line" | jq -r '"\(.host | if test(":") and (startswith("[") | not) then "[\(.)]" else . end):\(.port)/\(.proto // "tcp")"')
	got=$("$BCPC" explain --reference $acme --user "$tmp/u.json" "$t" --json 2>/dev/null |
		jq -c '{decision, segment, rule, profile}')
	want=$(sed -n "${n}p" $exp | jq -c '{decision, segment, rule, profile}')
	[ "$got" = "$want" ] || { bad=$((bad + 1)); echo "  request $n: got $got, want $want"; }
done < "$req"
check "explain --json equals the $n golden acme decisions" "[ $bad -eq 0 ] && [ $n -gt 30 ]"

printf '{"scim_groups":["SRE"]}' > "$tmp/sre.json"
check "explain --json lists the rules tried" "'$BCPC' explain --reference $acme --user '$tmp/sre.json' git.acme.example:22 --json 2>/dev/null | jq -e '.rules[-1].outcome == \"decided\" and .selected_segments == [\"Git\"] and (.rules | length) > 1' >/dev/null"

"$BCPC" keygen -o "$tmp/k.pem" >/dev/null
tp=$("$BCPC" thumbprint "$tmp/k.pem")
"$BCPC" compile $acme --key "$tmp/k.pem" -o "$tmp/a.bcp" --serial 1 --not-before 2026-01-01 --allow-expired >/dev/null 2>&1
now=1767312000
check "explain on a blob gives libbcp's answer and reason" "'$BCPC' explain '$tmp/a.bcp' --thumbprint '$tp' --now $now --user '$tmp/sre.json' git.acme.example:22 --json | jq -e '.segment == \"Git\" and .rule == \"Default deny\" and .reason == \"policy\"' >/dev/null"
check "explain on a blob equals explain --reference" "[ \"\$('$BCPC' explain '$tmp/a.bcp' --thumbprint '$tp' --now $now --user '$tmp/sre.json' 10.42.7.9:22 --json | jq -c '[.decision,.segment,.rule,.profile]')\" = \"\$('$BCPC' explain --reference $acme --user '$tmp/sre.json' 10.42.7.9:22 --json 2>/dev/null | jq -c '[.decision,.segment,.rule,.profile]')\" ]"
# Explain on a blob traces the blob read back (blob_model.c): for each golden case,
# the text is --reference's after one header line, apart from the source locations
# (a blob has none) and how a failed app clause is spelled (a blob keeps the
# segments a rule applies to, not the groups it named them by). Cases with no
# failed app clause must be equal but for the locations.
unlocate() { sed -e 's/^[^ ]*:[0-9]*: rule "/rule "/' -e '/^exit=/d' "$1"; }
unclause() { sed -e 's/\(not for the selected segments: clause [0-9]* failed: \).*/\1(app clause)/' "$1"; }
nb=0 badb=0 nexact=0
grep -v '^#' "$g/cases" > "$tmp/cases"
while IFS='|' read -r name user target; do
	name=$(echo $name) target=$(echo $target)
	nb=$((nb + 1))
	printf '%s' "$user" > "$tmp/b.json"
	"$BCPC" explain "$tmp/a.bcp" --thumbprint "$tp" --now $now --user "$tmp/b.json" "$target" > "$tmp/blob.out" 2>&1 || badb=$((badb + 1))
	head -n 1 "$tmp/blob.out" | grep -Eq '^blob: .*/a\.bcp, serial 1, verified; libbcp decides as this trace does \(reason [a-z_]+\)$' || { badb=$((badb + 1)); echo "  $name: header $(head -n 1 "$tmp/blob.out")"; }
	sed 1d "$tmp/blob.out" > "$tmp/blob.body"
	unlocate "$g/$name.out" > "$tmp/ref.body"
	if grep -q 'not for the selected segments' "$tmp/ref.body"; then
		unclause "$tmp/ref.body" > "$tmp/ref.cmp"
		unclause "$tmp/blob.body" > "$tmp/blob.cmp"
	else
		nexact=$((nexact + 1))
		cp "$tmp/ref.body" "$tmp/ref.cmp"
		cp "$tmp/blob.body" "$tmp/blob.cmp"
	fi
	cmp -s "$tmp/blob.cmp" "$tmp/ref.cmp" || { badb=$((badb + 1)); diff -u "$tmp/ref.cmp" "$tmp/blob.cmp" | head -20; }
done < "$tmp/cases"
check "explain on a blob traces as --reference on the $nb golden cases ($nexact equal but for locations)" "[ $badb -eq 0 ] && [ $nb -ge 5 ] && [ $nexact -ge 3 ]"
check "explain --json on a blob: the reference's steps, libbcp's reason and the serial" "[ \"\$('$BCPC' explain '$tmp/a.bcp' --thumbprint '$tp' --now $now --user '$tmp/sre.json' git.acme.example:22 --json | jq -c '[.patterns, .selected_segments, [.rules[] | [.rule, .outcome, .segment]], .profiles, .decision, .segment, .rule, .profile, .reason, .serial]')\" = \"\$('$BCPC' explain --reference $acme --user '$tmp/sre.json' git.acme.example:22 --json 2>/dev/null | jq -c '[.patterns, .selected_segments, [.rules[] | [.rule, .outcome, .segment]], .profiles, .decision, .segment, .rule, .profile, \"policy\", 1]')\" ]"
check "explain on a blob without the trusted key fails and prints no trace" "! '$BCPC' explain '$tmp/a.bcp' --thumbprint 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' --now $now --user '$tmp/sre.json' git.acme.example:22 > '$tmp/untrusted.out' 2>/dev/null && [ ! -s '$tmp/untrusted.out' ]"
check "explain without a user is a usage error" "'$BCPC' explain --reference $acme sap.acme.example:443 >/dev/null 2>&1; [ \$? -eq 2 ]"
check "explain of a blob without a thumbprint is a usage error" "'$BCPC' explain '$tmp/a.bcp' --user '$tmp/sre.json' sap.acme.example:443 >/dev/null 2>&1; [ \$? -eq 2 ]"
check "explain with a bad target fails" "'$BCPC' explain --reference $acme --user '$tmp/sre.json' sap.acme.example >/dev/null 2>&1; [ \$? -eq 1 ]"
check "explain --help" "'$BCPC' explain --help | grep -q 'bcpc explain'"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
