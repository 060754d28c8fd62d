#!/bin/sh
# run.sh BUILDDIR - runs every test of `make check` and prints one summary line,
# "N passed, M failed". Each suite is a script or program that prints its own lines.
B=${1:-build}
BCPC=$(cd "$B" && pwd)/bcpc
export BCPC B
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# Golden diagnostics: each tests/golden/errors/X.bcl is checked from inside its folder;
# X.out holds the exact output (stderr then stdout) and the exit status.
for f in tests/golden/errors/*.bcl; do
	[ -e "$f" ] || continue
	name=${f%.bcl}
	got=$(cd tests/golden/errors && "$BCPC" check "$(basename "$f")" 2>&1; echo "exit=$?")
	if [ "$got" = "$(cat "$name.out")" ]; then ok; else
		bad "$f"
		printf '%s\n' "$got" | diff -u "$name.out" - | head -20
	fi
done

# Golden dumps: tests/golden/dump/X.json is `bcpc dump --json` of the file X.bcl
# names on its first line (a path relative to the repository).
for f in tests/golden/dump/*.json; do
	src=$(head -n 1 "${f%.json}.src")
	got=$("$BCPC" dump --json $src 2>/dev/null)
	if [ "$got" = "$(cat "$f")" ]; then ok; else
		bad "$f"
		printf '%s\n' "$got" | diff -u "$f" - | head -20
	fi
done

# Unit test programs and shell suites print "N passed, M failed" as their last line.
for t in "$B"/tests/test_* tests/suites/*.sh; do
	[ -e "$t" ] || continue
	case $t in *.sh) out=$(sh "$t" 2>&1) ;; *) out=$("$t" 2>&1) ;; esac
	rc=$?
	last=$(printf '%s\n' "$out" | tail -n 1)
	p=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1/p')
	f=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\2/p')
	if [ -z "$p" ]; then
		bad "$t (no summary line, exit $rc)"
		printf '%s\n' "$out" | tail -n 20
		continue
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
		echo "FAIL: $t"
		printf '%s\n' "$out" | grep -v '^ok' | tail -n 20
		[ "$f" -eq 0 ] && fail=$((fail + 1))
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
