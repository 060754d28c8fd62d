#!/bin/sh
# diff.sh - `bcpc diff` on hand-made pairs: each tests/golden/diff/X.old.bcl and
# X.new.bcl give exactly X.out (output, then the exit status), diffed from inside
# that folder (BCPC_REGOLD=1 rewrites the goldens); a budget too small says "not
# decided" and never drops a class. The randomized check is test_semdiff; the
# command-line cases are in cli.sh.
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
g=tests/golden/diff
for f in $g/*.old.bcl; do
	name=$(basename "$f" .old.bcl)
	got=$(cd $g && { "$BCPC" diff --old-source "$name.old.bcl" --new-source "$name.new.bcl" 2>&1; echo "exit=$?"; })
	if [ "${BCPC_REGOLD:-}" = 1 ]; then printf '%s\n' "$got" > "$g/$name.out"; fi
	check "golden $name" "[ \"\$got\" = \"\$(cat $g/$name.out)\" ]" || printf '%s\n' "$got" | diff -u "$g/$name.out" - | head -20
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BCPC" diff --old-source $g/basic.old.bcl --new-source $g/basic.new.bcl --json > "$tmp/j" 2>/dev/null
check "--json: the classes of the text, with the documented keys" "jq -e '.decision_changes == 13 and (.classes | length) == 13 and all(.classes[]; has(\"pattern\") and has(\"proto\") and has(\"ports\") and has(\"user\") and has(\"old\") and has(\"new\") and has(\"witness\")) and (.structural | map(.change)) == [\"changed\", \"renamed\", \"changed\", \"moved\"] and .structural[1].old_name == \"Lab\"' '$tmp/j' >/dev/null"
"$BCPC" diff --old-source $g/basic.old.bcl --new-source $g/basic.new.bcl --budget 1 --json > "$tmp/t" 2>/dev/null
check "a budget of 1 step: classes not decided, none dropped, exit 1" "jq -e '(.undecided | length) > 0 and all(.undecided[]; has(\"why\") and (has(\"witness\") | not))' '$tmp/t' >/dev/null && '$BCPC' diff --old-source $g/basic.old.bcl --new-source $g/basic.new.bcl --budget 1 >/dev/null 2>&1; [ \$? -eq 1 ]"
check "a budget of 1 step: every region and protocol of the full answer is still there" "jq -e -n --slurpfile a '$tmp/j' --slurpfile b '$tmp/t' '([\$a[0].classes[] | .pattern + \" \" + .proto] | unique) - ([\$b[0].classes[], \$b[0].undecided[] | .pattern + \" \" + .proto] | unique) == []' >/dev/null"
check "old and new swapped: as many classes" "'$BCPC' diff --old-source $g/basic.new.bcl --new-source $g/basic.old.bcl 2>/dev/null | tail -n 1 | grep -q '^13 classes'"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
