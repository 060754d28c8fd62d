#!/bin/sh
# docs.sh - runs the examples of README.md and docs/ADMIN-GUIDE.md and checks that
# they print what the documents say, so that the documents stay true.
#
# In each document, in order:
#   ```console blocks (indented ones too): each "$ COMMAND" line is run (a line
#       ending in | or \ goes on to the next); the lines after it, up to the next
#       "$ " or the end of the block, are its expected output (standard output and
#       error). A line "..." stands for any number of lines. A command with no
#       output shown is run, and only has to run;
#   ```sh blocks of the ADMIN-GUIDE (the rotation steps): run, output not checked;
#   a block whose info string is "json FILE" (or "text FILE") is written to FILE.
# Everything runs in one shell per document, in a fresh folder holding
# examples/acme/policy.bcl as policy.bcl, its tests, the example files the guide
# names (tests/golden/tests/fail.test.bcl, tests/golden/lint/never_decides.bcl), and
# examples/acme/ and build/bcpc as in the source tree, with bcpc and bcp-client on PATH and
# /var/lib/bcp standing for a folder inside it. The clock is libfaketime's: the
# first command runs at 2026-11-26T23:05:57Z and each next one a second later, so
# serials and dates are those the documents show. Keys are made anew, so
# thumbprints are compared as "<TP>".
pass=0 fail=0
B=${B:-build}
BIN=$(cd "$B" && pwd)
ROOT=$(pwd)
# libfaketime cannot be preloaded into a sanitizer build (the two interpose the same
# clock calls at start-up and deadlock): the examples are checked by make check.
if grep -q __asan_init "$BIN/bcpc" 2>/dev/null; then
	echo "# skipped under AddressSanitizer: make check runs the documents' examples"
	echo "0 passed, 0 failed"
	exit 0
fi
LIBFAKETIME=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
if [ -z "$LIBFAKETIME" ]; then
	echo "not ok - libfaketime is missing (Debian package faketime; make deps installs it)"
	echo "0 passed, 1 failed"
	exit 1
fi
BASE=1795734357   # 2026-11-26T23:05:57Z

# doc.awk: the document on stdin -> the script (to run.sh) and the expectations
# (to expected, "@@ N" before the lines of command N).
cat > "${TMPDIR:-/tmp}/bcpc-docs.awk.$$" <<'EOF'
function flush_cmd() {
	if (cmd == "") return
	printf "export FAKETIME=\"$(date -u -d @$((BASE + %d)) '+%%Y-%%m-%%d %%H:%%M:%%S')\"\n", n > script
	if (cmd_mode == "console")
		printf "echo '@@ %d'\n{ %s\n} 2>&1\n", n, cmd > script
	else
		printf "{ %s\n} >/dev/null 2>&1\n", cmd > script
	cmd = ""
}
# A new command: its number, and (console) the heading of its expected output.
function start_cmd(text) {
	flush_cmd()
	n++
	cmd = text; cmd_mode = mode; cont = text ~ /[|\\] *$/
	if (mode == "console")
		printf "@@ %d %s\n", n, text > expect
}
function strip(s) { sub("^" indent, "", s); return s }
/^ *```/ {
	if (!infence) {
		infence = 1
		match($0, /^ */); indent = substr($0, 1, RLENGTH)
		info = $0; sub(/^ *```/, "", info)
		split(info, w, " ")
		mode = w[1] == "console" ? "console" : (w[1] == "sh" && run_sh) ? "sh" : \
			(w[2] != "" && (w[1] == "json" || w[1] == "text")) ? "file" : "skip"
		if (mode == "file") { file = w[2]; printf "cat > '%s' <<'DOC_EOF'\n", file > script }
		next
	}
	flush_cmd()
	if (mode == "file") printf "DOC_EOF\n" > script
	infence = 0; mode = ""
	next
}
!infence { next }
mode == "file" { print strip($0) > script; next }
mode == "skip" { next }
{
	line = strip($0)
	if (cont) { cmd = cmd "\n" line; cont = line ~ /[|\\] *$/; next }
	if (mode == "console" && line ~ /^\$ /) {
		start_cmd(substr(line, 3))
		next
	}
	if (mode == "sh") {
		if (line ~ /^ *#/ || line ~ /^ *$/) next
		start_cmd(line)
		next
	}
	print line > expect
}
END { flush_cmd() }
EOF

# Thumbprints of keys made here differ from the documents'; and the state folder.
normalize() { sed -E -e 's#[A-Za-z0-9+/]{43}=#<TP>#g' -e "s#$1/var/lib/bcp#/var/lib/bcp#g"; }

# compare DOC EXPECTED ACTUAL: an "ok" or "not ok" line per command with output shown.
compare() {
	awk -v doc="$1" -v exp_file="$2" '
	function check(k,    i, j) {
		i = 1; j = 1
		while (i <= ne[k]) {
			if (E[k, i] == "...") {
				if (i == ne[k]) return 1
				while (j <= na[k] && A[k, j] != E[k, i + 1]) j++
				if (j > na[k]) return 0
				i++
				continue
			}
			if (j > na[k] || A[k, j] != E[k, i]) return 0
			i++; j++
		}
		return j > na[k]
	}
	BEGIN {
		while ((getline l < exp_file) > 0) {
			if (l ~ /^@@ [0-9]+ /) {
				split(l, f, " "); k = f[2] + 0; ne[k] = 0; order[++nk] = k
				c = l; sub(/^@@ [0-9]+ /, "", c); text[k] = c
				continue
			}
			E[k, ++ne[k]] = l
		}
	}
	/^@@ [0-9]+$/ { k = substr($0, 4) + 0; na[k] = 0; seen[k] = 1; next }
	{ A[k, ++na[k]] = $0 }
	END {
		for (x = 1; x <= nk; x++) {
			k = order[x]
			if (ne[k] == 0) continue
			if ((k in seen) && check(k)) { printf "ok - %s: $ %s\n", doc, text[k]; continue }
			printf "not ok - %s: $ %s\n# expected\n", doc, text[k]
			for (i = 1; i <= ne[k]; i++) printf "#   %s\n", E[k, i]
			printf "# got%s\n", (k in seen) ? "" : " nothing: it never ran"
			for (i = 1; i <= na[k]; i++) printf "#   %s\n", A[k, i]
		}
	}' "$3"
}

for doc in README.md docs/ADMIN-GUIDE.md; do
	w=$(mktemp -d)
	mkdir -p "$w/bin" "$w/var/lib"
	ln -s "$BIN/bcpc" "$w/bin/bcpc"
	ln -s "$BIN/bcp-client" "$w/bin/bcp-client"
	cp examples/acme/policy.bcl examples/acme/policy.test.bcl examples/acme/bc-sp-ca.pem "$w/"
	# The example files the guide names by their place in the tree.
	cp tests/golden/tests/fail.test.bcl tests/golden/lint/never_decides.bcl "$w/"
	mkdir -p "$w/build" "$w/examples"
	ln -s "$BIN/bcpc" "$w/build/bcpc"
	cp -R examples/acme "$w/examples/acme"
	run_sh=0
	[ "$doc" = docs/ADMIN-GUIDE.md ] && run_sh=1
	{
		echo "cd '$w' || exit 1"
		echo "BASE=$BASE; DIR='$w/var/lib/bcp'"
		# README starts where the admin already has a key and a blob.
		if [ "$doc" = README.md ]; then
			echo "export FAKETIME=\"\$(date -u -d @\$BASE '+%Y-%m-%d %H:%M:%S')\""
			echo "bcpc keygen -o signer.pem >/dev/null && bcpc compile policy.bcl --key signer.pem -o acme.bcp >/dev/null 2>&1"
		fi
	} > "$w/run.sh"
	awk -v script="$w/run.sh.body" -v expect="$w/expected" -v run_sh=$run_sh \
		-f "${TMPDIR:-/tmp}/bcpc-docs.awk.$$" "$doc"
	sed "s#/var/lib/bcp#$w/var/lib/bcp#g" "$w/run.sh.body" >> "$w/run.sh"
	(
		export PATH="$w/bin:$PATH" TZ=UTC LD_PRELOAD="$LIBFAKETIME" FAKETIME_NO_CACHE=1
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
		unset SOURCE_DATE_EPOCH BCPC_KEY_PASSPHRASE BCPC_KEY_PASSPHRASE_FILE
		sh "$w/run.sh"
	) > "$w/actual.raw" 2>&1
	normalize "$w" < "$w/actual.raw" > "$w/actual"
	normalize "$w" < "$w/expected" > "$w/expected.n"
	compare "$doc" "$w/expected.n" "$w/actual" > "$w/result"
	cat "$w/result"
	p=$(grep -c '^ok ' "$w/result")
	f=$(grep -c '^not ok ' "$w/result")
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$p" -lt 2 ]; then
		fail=$((fail + 1))
		echo "not ok - $doc: fewer than 2 examples were checked"
	fi
	cd "$ROOT" || exit 1
	rm -rf "$w"
done
rm -f "${TMPDIR:-/tmp}/bcpc-docs.awk.$$"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
