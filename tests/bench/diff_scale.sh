#!/bin/sh
# diff_scale.sh BUILDDIR - `bcpc diff` at scale (docs/BENCHMARKS.md): the 100k-pattern
# bench tenant (2,000 rules, 6,000 segments) against a copy in which 1% of the
# segments (every 100th: one more TCP port) and 10 rules (every 200th: the action
# flipped) differ, both compiled and signed, diffed as blobs. Prints the wall time
# and peak memory (GNU time) and the diff's summary line. Not part of make check.
set -e
B=${1:-build}
BCPC=$B/bcpc
dir=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
make --no-print-directory -s "$B/bench/bench-gen" "$BCPC" >/dev/null
"$B/bench/bench-gen" -n 100000 -o "$dir" >/dev/null
# Segment n (every 100th) gains TCP port 10000 + n, a port no other segment has.
awk '
/^segment "/ { seg++; target = seg % 100 == 1; tcp = 0 }
target && /^    tcp / { sub(/;$/, ", " 10000 + seg ";"); tcp = 1; changed++ }
target && /^}/ && !tcp { print "    tcp " 10000 + seg ";"; changed++ }
/^    rule "/ { rule++; if (rule % 200 == 1) { flipped++; if (sub(/ allow \{$/, " deny {") == 0) sub(/ deny \{$/, " allow {") } }
{ print }
END { printf "segments changed: %d of %d, rules changed: %d of %d\n", changed, seg, flipped, rule > "/dev/stderr" }' \
	"$dir/tenant.bcl" > "$dir/changed.bcl"
"$BCPC" keygen -o "$dir/k.pem" >/dev/null
"$BCPC" compile "$dir/tenant.bcl" --key "$dir/k.pem" -o "$dir/old.bcp" >/dev/null 2>&1
"$BCPC" compile "$dir/changed.bcl" --key "$dir/k.pem" -o "$dir/new.bcp" >/dev/null 2>&1
tp=$("$BCPC" thumbprint "$dir/k.pem")
echo "== bcpc diff old.bcp new.bcp --thumbprint ..."
/usr/bin/time -f 'diff: %e s, %M KiB peak' "$BCPC" diff "$dir/old.bcp" "$dir/new.bcp" --thumbprint "$tp" \
	>"$dir/diff.out" 2>"$dir/diff.err" || [ $? -eq 1 ]
grep '^diff:' "$dir/diff.err"
grep -v '^diff:\|^Command exited' "$dir/diff.err" || true
tail -n 1 "$dir/diff.out"
awk '/^structural changes:/ { on = 1; next } on && /^[^ ]/ { exit } on && /^  [a-z]/ { n[$1 " " $NF]++ }
	END { for (k in n) printf "structural: %d %s\n", n[k], k }' "$dir/diff.out" | sort
echo "== bcpc diff old.bcp new.bcp --thumbprint ... --json"
/usr/bin/time -f 'diff --json: %e s, %M KiB peak' "$BCPC" diff "$dir/old.bcp" "$dir/new.bcp" --thumbprint "$tp" \
	--json >"$dir/diff.json" 2>"$dir/diff.err" || [ $? -eq 1 ]
grep '^diff' "$dir/diff.err" | grep -v '^Command exited'
echo "classes: $(jq '.decision_changes' "$dir/diff.json"), not decided: $(jq '.undecided | length' "$dir/diff.json")"
