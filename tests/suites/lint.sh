#!/bin/sh
# lint.sh - `bcpc lint`: each tests/golden/lint/X.bcl (a finding and its near
# misses, which must not be reported) gives exactly X.out (output, then the exit
# status), linted from inside that folder; --json, --fail-on, usage. The randomized
# check of lint against the runtime is in test_diff.
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
g=tests/golden/lint
for f in $g/*.bcl; do
	name=$(basename "$f" .bcl)
	got=$(cd $g && { "$BCPC" lint "$name.bcl" 2>&1; echo "exit=$?"; })
	if [ "${BCPC_REGOLD:-}" = 1 ]; then printf '%s\n' "$got" > "$g/$name.out"; fi
	check "golden $name" "[ \"\$got\" = \"\$(cat $g/$name.out)\" ]" || printf '%s\n' "$got" | diff -u "$g/$name.out" - | head -20
done
kinds=$(sed -n 's/^.*X(LINT_[A-Z_]*, "\([a-z_]*\)".*$/\1/p' compiler/analysis/lint.h | grep -v '^not_decided$' | tr '\n' ' ')
check "every finding kind of lint.h but not_decided has a golden ($(echo $kinds | wc -w) kinds)" "[ \$(echo $kinds | wc -w) -ge 18 ] && for k in $kinds; do grep -q \"\\[\$k\\]\" $g/*.out || exit 1; done"
check "lint --json gives the findings as data" "'$BCPC' lint --json $g/never_decides.bcl 2>/dev/null | jq -e '.warnings == 3 and (.findings | map(.kind)) == [\"shadowed_by_opposite\", \"shadowed_by_opposite\", \"never_decides\"] and .findings[2].earlier_rules == [\"Windows or mac\", \"Engineers\"] and .findings[2].line == 13' >/dev/null"
# lint --json gives a witness for each live rule: bcpc query (libbcp on a blob) must
# decide that request for that user by that rule.
w=$(mktemp -d)
"$BCPC" lint --json examples/acme/policy.bcl 2>/dev/null | jq -c '.live_rules[]' > "$w/live"
"$BCPC" keygen -o "$w/k.pem" >/dev/null
"$BCPC" compile examples/acme/policy.bcl --key "$w/k.pem" -o "$w/a.bcp" >/dev/null 2>&1
tp=$("$BCPC" thumbprint "$w/k.pem")
n=0 bad=0
while IFS= read -r line; do
	n=$((n + 1))
	printf '%s' "$line" | jq -c .user > "$w/u.json"
	got=$("$BCPC" query "$w/a.bcp" --thumbprint "$tp" --user "$w/u.json" "$(printf '%s' "$line" | jq -r .request)" | jq -r .rule)
	[ "$got" = "$(printf '%s' "$line" | jq -r .rule)" ] || { bad=$((bad + 1)); echo "  witness $line: decided by $got"; }
done < "$w/live"
check "each of the $n acme witnesses is decided by its rule in libbcp" "[ $bad -eq 0 ] && [ $n -eq 14 ]"
rm -rf "$w"
check "--fail-on never exits 0 with findings" "'$BCPC' lint --fail-on never $g/scim.bcl >/dev/null 2>&1"
check "--fail-on note fails on a note" "! '$BCPC' lint --fail-on note $g/all_denied.bcl >/dev/null 2>&1"
check "a note alone passes the default --fail-on warning" "'$BCPC' lint $g/all_denied.bcl >/dev/null 2>&1"
check "a tiny --budget says not decided, never a finding" "'$BCPC' lint --budget 1 $g/never_decides.bcl 2>/dev/null | grep -q 'not_decided' && ! '$BCPC' lint --budget 1 $g/never_decides.bcl 2>/dev/null | grep -q 'never_decides\\]'"
check "lint of a broken policy fails" "'$BCPC' lint tests/golden/errors/top_level_misspelling.bcl >/dev/null 2>&1; [ \$? -eq 1 ]"
check "lint with no files is a usage error" "'$BCPC' lint >/dev/null 2>&1; [ \$? -eq 2 ]"
check "lint --fail-on with a bad level is a usage error" "'$BCPC' lint --fail-on loud $g/clean.bcl >/dev/null 2>&1; [ \$? -eq 2 ]"
# docs/ADMIN-GUIDE.md shows a finding: its lines must be the golden output's.
sed -n '/<!-- lint-example/,/^```$/p' docs/ADMIN-GUIDE.md | sed '1,3d;$d' | grep -vx '\.\.\.' > "${TMPDIR:-/tmp}/lint-doc.$$"
check "ADMIN-GUIDE's lint example is lint's output" "[ -s '${TMPDIR:-/tmp}/lint-doc.$$' ] && grep -qxF -f '${TMPDIR:-/tmp}/lint-doc.$$' $g/never_decides.out && [ \$(grep -cxF -f $g/never_decides.out '${TMPDIR:-/tmp}/lint-doc.$$') -eq \$(wc -l < '${TMPDIR:-/tmp}/lint-doc.$$') ]"
rm -f "${TMPDIR:-/tmp}/lint-doc.$$"
check "lint --help" "'$BCPC' lint --help | grep -q 'bcpc lint'"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
