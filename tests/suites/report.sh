#!/bin/sh
# report.sh - `bcpc report` in a real browser: the page of examples/acme (a signed
# blob, its sources and its tests) is opened in headless Chromium, and the DOM after
# the page's script ran must hold every segment, rule and test (counted from `bcpc
# dump --json` and `bcpc test`, not written here), the diff against the previous
# version (as `bcpc diff --json` counts it), the blob's SHA-256, serial and
# signer, no script error, and a working search and sort. A policy whose names and
# values are made to break out of HTML must show them as text, with nothing
# injected. The screenshot stays in $B/report/acme.png for a person to look at.
# Without Chromium (Debian package chromium; `make deps` installs it) this fails.
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
B=${B:-build}
out=$(cd "$B" && pwd)/report
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
acme=examples/acme/policy.bcl
tests=examples/acme/policy.test.bcl

CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ]; then
	echo "not ok - Chromium is missing (Debian package chromium; make deps installs it as root)"
	echo "0 passed, 1 failed"
	exit 1
fi
sandbox=
[ "$(id -u)" = 0 ] && sandbox=--no-sandbox   # Chromium's sandbox refuses to run as root
# chrome FLAGS... URL: headless, its own profile, the script given time to run; at
# most 60 s so that a hung browser fails the test instead of hanging it.
chrome() {
	timeout 60 "$CHROMIUM" --headless $sandbox --disable-gpu --no-first-run \
		--user-data-dir="$tmp/profile" --virtual-time-budget=5000 "$@" 2>/dev/null
}
dom() { chrome --dump-dom "file://$1"; }
# The rows of table ID's body in a DOM dump (one table per line range).
rows() { sed -n "/<table id=\"$2\"/,/<\/table>/p" "$1" | grep -o '<tr[ >]' | sed 1d | wc -l; }

"$BCPC" keygen -o "$tmp/k.pem" >/dev/null
tp=$("$BCPC" thumbprint "$tmp/k.pem")
# The previous version: acme before an edit (8443 was open on the web segments).
cp examples/acme/bc-sp-ca.pem "$tmp/"
sed 's/tcp 443;/tcp 443, 8443;/' $acme > "$tmp/previous.bcl"
"$BCPC" compile "$tmp/previous.bcl" --key "$tmp/k.pem" --serial 1 -o "$tmp/previous.bcp" >/dev/null 2>&1
"$BCPC" compile $acme --key "$tmp/k.pem" --serial 2 -o "$tmp/acme.bcp" >/dev/null 2>&1
"$BCPC" report "$tmp/acme.bcp" --thumbprint "$tp" $acme --tests $tests --previous "$tmp/previous.bcp" \
	-o "$out/acme.html" >"$tmp/said" 2>&1
check "report of acme with its blob, tests and previous version is written" "[ \$? -eq 0 ] && [ -s '$out/acme.html' ]"
page="file://$out/acme.html"
dom "$out/acme.html" > "$tmp/acme.dom"
check "Chromium renders the page" "grep -q '</html>' '$tmp/acme.dom'"
check "the page's script ran to its end (body data-ok) and raised no error" \
	"grep -q '<body[^>]*data-ok=\"1\"' '$tmp/acme.dom' && ! grep -q '<body[^>]*data-errors' '$tmp/acme.dom' && grep -q '<pre id=\"js-errors\" hidden=\"\"></pre>' '$tmp/acme.dom'"

nseg=$("$BCPC" dump --json $acme 2>/dev/null | jq '.segments | length')
nrule=$("$BCPC" dump --json $acme 2>/dev/null | jq '.rules | length')
ntest=$("$BCPC" test $acme $tests 2>/dev/null | tail -n 1 | sed 's/ passed, 0 failed$//')
check "every segment has its row ($nseg)" "[ \$(rows '$tmp/acme.dom' segments) -eq $nseg ] && [ $nseg -gt 0 ]"
check "the script counted them: '$nseg of $nseg shown'" "grep -q 'id=\"segments-count\">$nseg of $nseg shown<' '$tmp/acme.dom'"
check "every rule has its row, in order ($nrule)" "[ \$(rows '$tmp/acme.dom' rules) -eq $nrule ] && [ \"\$(sed -n '/<table id=\"rules\"/,/<\/table>/p' '$tmp/acme.dom' | grep -o '<tr><td>[0-9]*</td><td>[^<]*' | sed 's/.*<td>//' | tr '\n' '|')\" = \"\$('$BCPC' dump --json $acme 2>/dev/null | jq -r '.rules[].name' | sed 's/&/\&amp;/g' | tr '\n' '|')\" ]"
check "every test has its row, each passed ($ntest)" "[ \$(rows '$tmp/acme.dom' test-results) -eq $ntest ] && [ \$(grep -o '<td class=\"pass\">pass</td>' '$tmp/acme.dom' | wc -l) -eq $ntest ] && grep -q 'id=\"tests-summary\" class=\"pass\">$ntest passed, 0 failed' '$tmp/acme.dom'"
lintline=$("$BCPC" lint $acme 2>/dev/null | tail -n 1)
check "lint's count as bcpc lint says it ($lintline)" "grep -q 'id=\"lint-summary\">$lintline' '$tmp/acme.dom'"
sha=$(sha256sum "$tmp/acme.bcp" | cut -d ' ' -f 1)
serial=$("$BCPC" inspect --json "$tmp/acme.bcp" | jq .serial)
check "the blob's SHA-256 is sha256sum's" "grep -q '<code id=\"sha256\">$sha</code>' '$tmp/acme.dom'"
check "its serial and signer are the blob's" "grep -q '<td id=\"serial\">$serial</td>' '$tmp/acme.dom' && grep -qF '<code id=\"signer\">$tp</code>' '$tmp/acme.dom'"
check "the blob is found to be its sources compiled" "grep -q 'id=\"blob-match\"' '$tmp/acme.dom' && ! grep -q 'blob-mismatch' '$tmp/acme.dom'"
"$BCPC" diff "$tmp/previous.bcp" "$tmp/acme.bcp" --thumbprint "$tp" --json > "$tmp/diff.json" 2>/dev/null
nclass=$(jq '.decision_changes' "$tmp/diff.json")
nstruct=$(jq '.structural | length' "$tmp/diff.json")
check "the diff against the previous version: a row per class bcpc diff reports ($nclass)" \
	"[ $nclass -gt 0 ] && [ \$(rows '$tmp/acme.dom' diff-classes) -eq $nclass ] && grep -q 'id=\"diff-decision-changes\">$nclass ' '$tmp/acme.dom'"
check "and a row per structural change ($nstruct)" "[ \$(rows '$tmp/acme.dom' diff-structural) -eq $nstruct ]"
w=$(jq -r '.classes[0].witness.request' "$tmp/diff.json")
check "the witnesses are shown ($w)" "grep -qF '$w' '$tmp/acme.dom'"
"$BCPC" report "$tmp/acme.bcp" --thumbprint "$tp" --previous "$tmp/previous.bcp" -o "$tmp/alone.html" >"$tmp/said" 2>&1
dom "$tmp/alone.html" > "$tmp/alone.dom"
nseg_blob=$("$BCPC" dump --json $acme 2>/dev/null | jq '[.segments[] | select(.enabled)] | length')
check "a blob alone: read back, its $nseg_blob segments, the same diff" \
	"grep -q 'id=\"blob-read\"' '$tmp/alone.dom' && [ \$(rows '$tmp/alone.dom' segments) -eq $nseg_blob ] && [ \$(rows '$tmp/alone.dom' diff-classes) -eq $nclass ] && grep -q '^no sources given' '$tmp/said'"
check "the page loads nothing: no src, no link, no url() outside the page" \
	"! grep -Eqi '(src|href|action)=\"[^#\"]|@import|url\\(' '$out/acme.html'"

# Search and sort, driven by the address (#segments=TEXT, #segments-sort=N).
q=sap.acme.example
want=$("$BCPC" dump --json $acme 2>/dev/null | jq "[.segments[] | select(.domains | any(contains(\"$q\")))] | length")
dom "$out/acme.html#segments=$q" > "$tmp/q.dom"
check "search '$q' shows the $want segments that hold it" "grep -q 'id=\"segments-count\">$want of $nseg shown<' '$tmp/q.dom' && [ \$(grep -o 'class=\"filtered-out\"' '$tmp/q.dom' | wc -l) -eq $((nseg - want)) ]"
first=$("$BCPC" dump --json $acme 2>/dev/null | jq -r '[.segments[] | {name, p: ((.tcp[0] | if type == "array" then .[0] else . end) // 0)}] | sort_by(.p) | .[0].name')
dom "$out/acme.html#segments-sort=7" > "$tmp/s.dom"
check "sorting by TCP port puts $first first" "sed -n '/<table id=\"segments\"/,/<\/table>/p' '$tmp/s.dom' | grep -o '<tr[^>]*><td>[^<]*' | head -n 1 | grep -q '>$first\$' && grep -q 'data-sort-dir=\"asc\"' '$tmp/s.dom'"

chrome --hide-scrollbars --window-size=1280,10000 --screenshot="$out/acme.png" "$page" >/dev/null
check "a screenshot is kept in $B/report/acme.png" "[ \"\$(head -c 4 '$out/acme.png' | od -An -tx1 | tr -d ' \\n')\" = 89504e47 ]"
chrome --print-to-pdf="$out/acme.pdf" --no-pdf-header-footer "$page" >/dev/null
check "it prints (to $B/report/acme.pdf)" "head -c 5 '$out/acme.pdf' | grep -q '%PDF-'"

# Escaping: names and values written to break out of HTML show as text.
h=tests/golden/report/hostile
"$BCPC" report $h.bcl --tests $h.test.bcl -o "$out/hostile.html" >/dev/null 2>&1
dom "$out/hostile.html" > "$tmp/h.dom"
check "hostile names: the page ran, nothing injected ran" "grep -q 'data-ok=\"1\"' '$tmp/h.dom' && ! grep -q '<body[^>]*\\(data-pwned\\|data-errors\\)' '$tmp/h.dom'"
check "hostile names: only the page's two scripts, no injected element" \
	"[ \$(grep -o '<script' '$tmp/h.dom' | wc -l) -eq 2 ] && ! grep -q '<img\\|<b>\\|<i>' '$tmp/h.dom'"
check "hostile names: shown as text" "grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' '$tmp/h.dom' && grep -q '&lt;/td&gt;&lt;td&gt;injected cell' '$tmp/h.dom' && grep -q '&lt;img src=x onerror=\"document.body.setAttribute(.data-pwned.,.1.)\"&gt;' '$tmp/h.dom' && grep -q '&lt;!-- ' '$tmp/h.dom'"
check "hostile names: every table row has its own cells (none injected)" \
	"[ \$(rows '$tmp/h.dom' rules) -eq 2 ] && [ \$(sed -n '/<table id=\"rules\"/,/<\/table>/p' '$tmp/h.dom' | grep -o '<td[ >]' | wc -l) -eq 12 ] && [ \$(rows '$tmp/h.dom' segments) -eq 2 ]"
check "hostile names: the title is text" "grep -q '<title>Policy report: &lt;script&gt;alert(1)&lt;/script&gt;</title>' '$tmp/h.dom'"

# Refusals: nothing written, the old file untouched.
echo old > "$tmp/keep.html"
"$BCPC" report "$tmp/acme.bcp" --thumbprint "$("$BCPC" keygen -o "$tmp/o.pem" | sed -n 's/^thumbprint //p')" $acme -o "$tmp/keep.html" >"$tmp/said" 2>&1
check "a blob signed by another key is refused, nothing written" "[ \$? -eq 1 ] && grep -q 'REFUSED' '$tmp/said' && [ \"\$(cat '$tmp/keep.html')\" = old ]"
"$BCPC" report "$tmp/acme.bcp" --pubkey "$tmp/k.pub.pem" $acme -o "$tmp/p.html" >"$tmp/said" 2>&1
check "the blob verified by --pubkey instead" "[ \$? -eq 0 ] && grep -q '^the blob is these sources compiled' '$tmp/said' && grep -qF '<code id=\"signer\">$tp</code>' '$tmp/p.html'"
sed 's/tcp 443, 8443;/tcp 443;/' $acme > "$tmp/edited.bcl"
"$BCPC" report "$tmp/acme.bcp" --thumbprint "$tp" "$tmp/edited.bcl" -o "$tmp/m.html" >"$tmp/said" 2>&1
check "a blob that is not its sources compiled: said, page written, exit 1" "[ \$? -eq 1 ] && grep -q 'not these sources compiled' '$tmp/said' && grep -q 'id=\"blob-mismatch\"' '$tmp/m.html'"
"$BCPC" report $acme --tests tests/golden/tests/fail.test.bcl -o "$tmp/f.html" >"$tmp/said" 2>&1
check "failing tests are listed as FAIL, exit 1" "[ \$? -eq 1 ] && [ \$(grep -o '<td class=\"fail\">FAIL</td>' '$tmp/f.html' | wc -l) -eq \$('$BCPC' test $acme tests/golden/tests/fail.test.bcl 2>/dev/null | tail -n 1 | sed 's/.* passed, \([0-9]*\) failed/\1/') ]"
"$BCPC" report $acme -o "$tmp/s.html" >"$tmp/said" 2>&1
check "from sources alone: says there is no blob" "grep -q 'id=\"no-blob\"' '$tmp/s.html' && ! grep -q 'id=\"sha256\"' '$tmp/s.html' && grep -q '^no blob given' '$tmp/said'"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
