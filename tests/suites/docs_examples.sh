#!/bin/sh
# docs_examples.sh - the `bcpc installer-args` examples of docs/ADMIN-GUIDE.md
# ("Hand it to MDM"): each `$ bcpc installer-args ...` line is run with the guide's
# thumbprint, and its output must be the lines the guide shows under it.
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); printf "ok - %s\n" "$1"; else fail=$((fail + 1)); printf "not ok - %s\n" "$1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
guide=docs/ADMIN-GUIDE.md

# The guide's thumbprint is the one its MSI line shows.
TP=$(sed -n 's/^BCPCONFIGFILEPATH=.* BCPMAPUBKEYHASH="\([^"]*\)"$/\1/p' "$guide" | head -n 1)
check "the guide shows the MSI form with a thumbprint" "[ \${#TP} -eq 44 ]"
# Split the console blocks: cmd.N holds a command, want.N the lines under it.
awk -v dir="$tmp" '
	/^```/ { inblock = !inblock; n += (cur != ""); cur = ""; next }
	inblock && /^\$ bcpc installer-args / { n++; cur = n; sub(/^\$ /, ""); print > (dir "/cmd." n); next }
	inblock && /^\$ / { cur = ""; next }
	inblock && cur != "" { print > (dir "/want." cur) }
' "$guide"
count=0
for c in "$tmp"/cmd.*; do
	[ -e "$c" ] || continue
	count=$((count + 1))
	n=${c##*.}
	cmd=$(cat "$c")
	# shellcheck disable=SC2016
	out=$(TP=$TP eval "\"\$BCPC\" ${cmd#bcpc }" 2>&1)
	printf '%s\n' "$out" > "$tmp/got.$n"
	check "ADMIN-GUIDE: $cmd" "cmp -s '$tmp/want.$n' '$tmp/got.$n' || { diff '$tmp/want.$n' '$tmp/got.$n' | head; false; }"
done
check "the guide has the msi, exe and json examples" "[ $count -ge 3 ] && grep -q -- '--format msi' '$tmp'/cmd.*"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
