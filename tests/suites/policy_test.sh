#!/bin/sh
# policy_test.sh - `bcpc test` and `bcpc compile --test`: the acme example's tests
# pass and cover every segment and rule; failing tests and errors in test files
# give their golden output (tests/golden/tests/X.test.bcl next to X.out, run from
# inside that folder against the acme policy); JUnit XML; compile refuses to write
# a blob while a test fails; test blocks never go into a policy.
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
acme=examples/acme/policy.bcl
tests=examples/acme/policy.test.bcl

"$BCPC" test $acme $tests --coverage --junit "$tmp/j.xml" > "$tmp/out" 2>/dev/null; rc=$?
check "the acme tests pass" "[ $rc -eq 0 ] && tail -n 1 '$tmp/out' | grep -q '^[0-9]* passed, 0 failed\$'"
check "the acme tests reach every segment and rule" "grep -q '^coverage: \\([0-9]*\\) of \\1 segments, \\([0-9]*\\) of \\2 rules\$' '$tmp/out' && ! grep -q 'coverage: no test' '$tmp/out'"
check "the acme tests cover every rule by name" "[ \$(grep -c '^    rule \"' $acme) -eq \$(grep -o 'rule \"[^\"]*\"' $tests | sort -u | wc -l) ]"
check "JUnit XML has every test" "grep -q '<testsuite name=\"bcpc test\" tests=\"25\" failures=\"0\"' '$tmp/j.xml' && [ \$(grep -c '<testcase ' '$tmp/j.xml') -eq 25 ]"

for f in tests/golden/tests/*.test.bcl tests/golden/tests/mixed.bcl; do
	name=$(basename "$f" .bcl)
	got=$(cd tests/golden/tests && { "$BCPC" test ../../../$acme "$(basename "$f")" 2>&1; echo "exit=$?"; } | grep -v -e 'segment "Staging" is disabled' -e '^segment "Staging" {$' -e '^        ^~~~~~~~~$')
	if [ "${BCPC_REGOLD:-}" = 1 ]; then printf '%s\n' "$got" > "tests/golden/tests/$name.out"; fi
	check "golden $name" "[ \"\$got\" = \"\$(cat tests/golden/tests/$name.out)\" ]" || printf '%s\n' "$got" | diff -u "tests/golden/tests/$name.out" - | head -20
done

(cd tests/golden/tests && "$BCPC" test ../../../$acme fail.test.bcl --junit "$tmp/f.xml" >/dev/null 2>&1)
check "JUnit XML has the failures" "grep -q 'tests=\"4\" failures=\"3\"' '$tmp/f.xml' && [ \$(grep -c '<failure ' '$tmp/f.xml') -eq 3 ] && grep -q 'reference evaluator: deny' '$tmp/f.xml'"

"$BCPC" keygen -o "$tmp/k.pem" >/dev/null
check "compile --test writes the blob when the tests pass" "'$BCPC' compile $acme --key '$tmp/k.pem' -o '$tmp/a.bcp' --test $tests >/dev/null 2>&1 && [ -s '$tmp/a.bcp' ]"
check "compile --test refuses when a test fails, writes nothing" "'$BCPC' compile $acme --key '$tmp/k.pem' -o '$tmp/b.bcp' --test $tests tests/golden/tests/fail.test.bcl > '$tmp/c.out' 2>&1; [ \$? -eq 1 ] && [ ! -e '$tmp/b.bcp' ] && grep -q 'a test failed; $tmp/b.bcp not written' '$tmp/c.out'"
check "compile --test takes policy files after the tests" "'$BCPC' compile --test $tests --key '$tmp/k.pem' $acme -o '$tmp/d.bcp' >/dev/null 2>&1 && [ -s '$tmp/d.bcp' ]"
check "a test block in a policy is an error of check" "'$BCPC' check tests/golden/tests/errors.test.bcl 2>&1 | grep -q 'a test block among the policy'"
check "compile without --test refuses test blocks" "! '$BCPC' compile $acme $tests --key '$tmp/k.pem' -o '$tmp/e.bcp' >/dev/null 2>&1 && [ ! -e '$tmp/e.bcp' ]"
check "test without test files fails" "'$BCPC' test $acme >/dev/null 2>&1; [ \$? -eq 1 ]"
check "test with no files is a usage error" "'$BCPC' test >/dev/null 2>&1; [ \$? -eq 2 ]"
check "test with an unknown option is a usage error" "'$BCPC' test $acme $tests --colour >/dev/null 2>&1; [ \$? -eq 2 ]"
# docs/ADMIN-GUIDE.md shows these runs: its lines must be what the runs print.
check "ADMIN-GUIDE shows the acme run's output" "grep -qxF \"\$(grep '^coverage:' '$tmp/out')\" docs/ADMIN-GUIDE.md && grep -qxF \"\$(tail -n 1 '$tmp/out')\" docs/ADMIN-GUIDE.md"
check "ADMIN-GUIDE shows a failure as it is printed" "grep -qxF \"\$(grep 'wrong rule' tests/golden/tests/fail.test.out)\" docs/ADMIN-GUIDE.md"
check "ADMIN-GUIDE's test example is in the acme tests" "grep -qF 'expect allow segment \"SAP-Web\" rule \"Finance apps\" profile \"Windows-Managed\";' $tests"
check "test --help" "'$BCPC' test --help | grep -q 'bcpc test'"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
