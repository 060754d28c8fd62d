#!/bin/sh
# pathological.sh - hostile inputs for `bcpc check`: huge files, long tokens, deep
# nesting, random and NUL bytes, files that are not files. bcpc must never crash or
# hang (exit status 1 or 2, never 128+ or a timeout) and must say "error:".
# Run by tests/run.sh with $BCPC set and the repository as the working directory;
# prints "ok NAME" or "FAIL NAME: why" per case, then "N passed, M failed".
# Inputs are generated from fixed patterns and seeds, so every run is the same.
: "${BCPC:?set BCPC to the bcpc binary}"
LC_ALL=C
export LC_ALL
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
trap 'exit 1' HUP INT TERM
pass=0
fail=0

# expect_error NAME FILE: bcpc refuses FILE with an error and exit status 1 or 2.
expect_error() {
	timeout 30 "$BCPC" check "$2" >"$dir/out" 2>"$dir/err"
	rc=$?
	if [ "$rc" -eq 124 ]; then
		why="timed out"
	elif [ "$rc" -ne 1 ] && [ "$rc" -ne 2 ]; then
		why="exit status $rc"
	elif ! grep -q 'error:' "$dir/err"; then
		why="no error message"
	else
		pass=$((pass + 1))
		echo "ok $1"
		return
	fi
	fail=$((fail + 1))
	echo "FAIL $1: $why"
	head -c 2000 "$dir/err"
}

# 20,000 segments sharing one pattern, one of them overlapping and in another match
# style: the shared-pattern checks cost O(k log k), not O(k^2), and both are found.
awk 'BEGIN { print "segment_group \"G\";"
	for (i = 1; i <= 20000; i++)
		printf "segment \"s%d\" { group \"G\"; domains \"*.shared.example\"; tcp %d; }\n", i, i
	print "segment \"x\" { group \"G\"; domains \"*.shared.example\"; tcp 5-6; match inclusive; }" }' \
	>"$dir/shared.bcl"
expect_error "20000 segments share a pattern" "$dir/shared.bcl"
if grep -q 'both serve \*.shared.example on tcp port 5' "$dir/err" &&
	grep -q 'is exclusive in segment "s1" but inclusive in segment "x"' "$dir/err"; then
	pass=$((pass + 1))
	echo "ok shared pattern: overlap and match style both reported"
else
	fail=$((fail + 1))
	echo "FAIL shared pattern: overlap or match style not reported"
fi

# A file just over the 16 MiB limit for a source: refused before it is read.
head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' '#' >"$dir/huge.bcl"
expect_error "17 MiB file" "$dir/huge.bcl"
rm -f "$dir/huge.bcl"

# Tokens over the 4096-byte limit.
awk 'BEGIN { printf "tenant \""; for (i = 0; i < 5000; i++) printf "x"; print "\";" }' \
	>"$dir/long_string.bcl"
expect_error "5000-byte string" "$dir/long_string.bcl"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "a"; print " \"x\";" }' >"$dir/long_word.bcl"
expect_error "100k-char identifier" "$dir/long_word.bcl"
awk 'BEGIN { printf "segment_group \"G\";\nsegment \"S\" { group \"G\"; domains \"a.example\"; tcp ";
	for (i = 0; i < 100000; i++) printf "9"; print "; }" }' >"$dir/long_number.bcl"
expect_error "100k-digit number" "$dir/long_number.bcl"
awk 'BEGIN { printf "segment_group \"G\";\nsegment \"S\" { group \"G\"; addresses ";
	for (i = 0; i < 20000; i++) printf "1:"; print "; tcp 443; }" }' >"$dir/long_address.bcl"
expect_error "40k-char address" "$dir/long_address.bcl"

# Deep nesting, at the top level and inside a rule.
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; print "" }' >"$dir/brackets.bcl"
expect_error "100000 nested [" "$dir/brackets.bcl"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "{"; print "" }' >"$dir/braces.bcl"
expect_error "100000 nested {" "$dir/braces.bcl"
awk 'BEGIN { printf "access_policy { rule \"R\" allow { segment ";
	for (i = 0; i < 100000; i++) printf "{["; print "" }' >"$dir/rule_nest.bcl"
expect_error "100000 nested {[ in a rule" "$dir/rule_nest.bcl"

# Bytes that are not text: random ones from a fixed seed, then only NULs.
awk 'BEGIN { srand(42); for (i = 0; i < 65536; i++) printf "%c", int(rand() * 256) }' \
	>"$dir/random.bcl"
expect_error "64 KiB of random bytes" "$dir/random.bcl"
head -c 65536 /dev/zero >"$dir/nul.bcl"
expect_error "64 KiB of NUL bytes" "$dir/nul.bcl"

# Random sequences of the language's own tokens: deep into the parser's recovery.
awk 'BEGIN {
	n = split("tenant business_continuity segment_group segment app_profile access_policy " \
		"rule allow deny when set not or { } [ ] ; , = - \"x\" \"*.a.example\" word 443 " \
		"3200-3299 10.0.0.0/8 2001:db8::/32 5m 0 domains tcp udp group platform saml", t, " ")
	srand(42)
	for (i = 0; i < 50000; i++) printf "%s%s", t[int(rand() * n) + 1], i % 16 ? " " : "\n"
}' >"$dir/soup.bcl"
expect_error "50000 random tokens" "$dir/soup.bcl"

# Truncated and degenerate sources.
printf 'segment' >"$dir/segment.bcl"
expect_error "only \"segment\"" "$dir/segment.bcl"
printf 'tenant "unterminated\\' >"$dir/backslash.bcl"
expect_error "string ending in a backslash at end of file" "$dir/backslash.bcl"
mkdir "$dir/folder.bcl"
expect_error "a directory" "$dir/folder.bcl"
expect_error "a missing file" "$dir/no-such-file.bcl"

# The empty file is a valid (empty) policy.
: >"$dir/empty.bcl"
timeout 30 "$BCPC" check "$dir/empty.bcl" >"$dir/out" 2>"$dir/err"
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$dir/err" ]; then
	pass=$((pass + 1))
	echo "ok empty file"
else
	fail=$((fail + 1))
	echo "FAIL empty file: exit status $rc"
	head -c 2000 "$dir/err"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
