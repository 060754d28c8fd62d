#!/bin/sh
# valgrind.sh BUILDDIR - valgrind memcheck over the unit test programs and a
# representative set of bcpc commands: check and dump of the example, every golden
# error file, keygen, thumbprint, compile, verify and its refusals, inspect, install
# and status on a state folder, query through libbcp and through the reference
# evaluator. A case passes when memcheck
# finds nothing (no invalid access, no use of uninitialised memory, no definite or
# possible leak) and the exit status is the expected one. Run from the repository
# root on a normal build (not a sanitizer build); `make valgrind` does. Prints
# "ok NAME" or "FAIL NAME: why" per case, then "N passed, M failed".
B=${1:-build}
BCPC=$(cd "$B" && pwd)/bcpc
VG="valgrind -q --error-exitcode=99 --leak-check=full --track-origins=yes --num-callers=30"
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }
[ -x "$BCPC" ] || { echo "valgrind.sh: no $BCPC; build first" >&2; exit 2; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
pass=0
fail=0

# vg NAME WANT CMD...: runs CMD under memcheck. WANT is an exit status, or "nz" for
# any refusal (1..98); 99 is memcheck's own.
vg() {
	name=$1 want=$2
	shift 2
	$VG "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 99 ]; then
		why="memcheck errors"
	elif [ "$want" = nz ] && { [ "$rc" -eq 0 ] || [ "$rc" -gt 98 ]; }; then
		why="exit status $rc, want a refusal"
	elif [ "$want" != nz ] && [ "$rc" -ne "$want" ]; then
		why="exit status $rc, want $want"
	else
		pass=$((pass + 1))
		echo "ok $name"
		return 0
	fi
	fail=$((fail + 1))
	echo "FAIL $name: $why"
	grep -E '^==[0-9]+==' "$tmp/err" | head -n 40
	return 1
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] && vg "$(basename "$t")" 0 "$t"
done

acme=examples/acme/policy.bcl
vg "check acme" 0 "$BCPC" check "$acme"
vg "dump acme" 0 "$BCPC" dump --json "$acme"
vg "check a missing file" nz "$BCPC" check "$tmp/missing.bcl"
vg "check a folder" nz "$BCPC" check examples
vg "usage error" 2 "$BCPC" check

# Golden errors, from inside their folder as tests/run.sh runs them; the expected
# status is the last line of each .out file ("exit=N").
for f in tests/golden/errors/*.bcl; do
	[ -e "$f" ] || continue
	want=$(tail -n 1 "${f%.bcl}.out" | sed -n 's/^exit=\([0-9]*\)$/\1/p')
	(cd tests/golden/errors && vg "check $f" "${want:-nz}" "$BCPC" check "$(basename "$f")")
	case $? in 0) pass=$((pass + 1)) ;; *) fail=$((fail + 1)) ;; esac
done

export SOURCE_DATE_EPOCH=1767225600   # 2026-01-01
now=1767312000                        # a day later
vg "keygen" 0 "$BCPC" keygen -o "$tmp/k.pem"
tp=$("$BCPC" thumbprint "$tmp/k.pem")
vg "thumbprint of a private key" 0 "$BCPC" thumbprint "$tmp/k.pem"
vg "thumbprint of a public key" 0 "$BCPC" thumbprint "$tmp/k.pub.pem"
vg "compile acme" 0 "$BCPC" compile "$acme" --key "$tmp/k.pem" -o "$tmp/a.bcp" --serial 7
vg "thumbprint of a blob" 0 "$BCPC" thumbprint "$tmp/a.bcp"
openssl genpkey -algorithm ed25519 -aes-256-cbc -pass pass:secret -out "$tmp/enc.pem" 2>/dev/null
BCPC_KEY_PASSPHRASE=secret vg "compile with an encrypted key" 0 \
	"$BCPC" compile "$acme" --key "$tmp/enc.pem" -o "$tmp/e.bcp"
vg "compile with an encrypted key, no passphrase" nz \
	"$BCPC" compile "$acme" --key "$tmp/enc.pem" -o "$tmp/e2.bcp"
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out "$tmp/rsa.pem" 2>/dev/null
vg "compile with an RSA key" nz "$BCPC" compile "$acme" --key "$tmp/rsa.pem" -o "$tmp/r.bcp"
vg "verify by thumbprint" 0 "$BCPC" verify "$tmp/a.bcp" --thumbprint "$tp" --now $now
vg "verify by public key" 0 "$BCPC" verify "$tmp/a.bcp" --pubkey "$tmp/k.pub.pem" --now $now
"$BCPC" keygen -o "$tmp/other.pem" >/dev/null
vg "verify refuses another key" 1 "$BCPC" verify "$tmp/a.bcp" \
	--thumbprint "$("$BCPC" thumbprint "$tmp/other.pem")" --now $now
vg "verify refuses a malformed thumbprint" nz "$BCPC" verify "$tmp/a.bcp" --thumbprint abc --now $now
vg "verify refuses an expired blob" 1 "$BCPC" verify "$tmp/a.bcp" --thumbprint "$tp" --now 2027-01-01
vg "verify refuses a low serial" 1 "$BCPC" verify "$tmp/a.bcp" --thumbprint "$tp" --now $now \
	--min-serial 8
head -c 2000 "$tmp/a.bcp" >"$tmp/t.bcp"
vg "verify refuses a truncated blob" 1 "$BCPC" verify "$tmp/t.bcp" --thumbprint "$tp" --now $now
cp "$tmp/a.bcp" "$tmp/c.bcp"
printf 'X' | dd of="$tmp/c.bcp" bs=1 seek=1000 conv=notrunc 2>/dev/null
vg "verify refuses a changed byte" 1 "$BCPC" verify "$tmp/c.bcp" --thumbprint "$tp" --now $now
vg "inspect" 0 "$BCPC" inspect "$tmp/a.bcp"
vg "inspect --json" 0 "$BCPC" inspect "$tmp/a.bcp" --json
vg "inspect a changed blob (not self-consistent)" 1 "$BCPC" inspect "$tmp/c.bcp" --json
vg "inspect --raw-section" 0 "$BCPC" inspect "$tmp/a.bcp" --raw-section settings

# The device's state folder (libbcp's bcp_state_install and bcp_open_state).
st=$tmp/state
vg "install" 0 "$BCPC" install "$tmp/a.bcp" --thumbprint "$tp" --state-dir "$st" --now $now
vg "install the same blob again" 0 "$BCPC" install "$tmp/a.bcp" --thumbprint "$tp" \
	--state-dir "$st" --now $now
"$BCPC" compile "$acme" --key "$tmp/k.pem" -o "$tmp/old.bcp" --serial 3 >/dev/null 2>&1
vg "install refuses a lower serial" 1 "$BCPC" install "$tmp/old.bcp" --thumbprint "$tp" \
	--state-dir "$st" --now $now
vg "status" 0 "$BCPC" status --state-dir "$st" --now $now
vg "status --json" 0 "$BCPC" status --state-dir "$st" --now $now --json
cp "$tmp/c.bcp" "$st/current.bcp"
vg "status with a damaged current.bcp" nz "$BCPC" status --state-dir "$st" --now $now
vg "installer-args" 0 "$BCPC" installer-args 'C:\bc\policy.bcp' --thumbprint "$tp" --format json

reqs=tests/golden/decisions/acme.requests.jsonl
vg "query --batch (libbcp)" 0 "$BCPC" query "$tmp/a.bcp" --thumbprint "$tp" --now $now --batch "$reqs"
if cmp -s "$tmp/out" tests/golden/decisions/acme.expected.jsonl; then
	pass=$((pass + 1)); echo "ok query answers match the golden file"
else
	fail=$((fail + 1)); echo "FAIL query answers differ from tests/golden/decisions/acme.expected.jsonl"
fi
vg "query --batch --reference" 0 "$BCPC" query --reference "$acme" --batch "$reqs"
printf '%s\n' '{"host":"sap.acme.example","port":443}' 'not json' '{"host":"x","port":0}' \
	'{"host":"a..b","port":1,"user":{"country":"zz"}}' >"$tmp/bad.jsonl"
vg "query with bad requests" nz "$BCPC" query "$tmp/a.bcp" --thumbprint "$tp" --now $now \
	--batch "$tmp/bad.jsonl"
printf '{"scim_groups":["Finance"],"platform":"windows","posture":["disk-encrypted"]}\n' >"$tmp/u.json"
vg "query one target" 0 "$BCPC" query "$tmp/a.bcp" --thumbprint "$tp" --now $now \
	--user "$tmp/u.json" sap.acme.example:443
vg "query a bad target" nz "$BCPC" query "$tmp/a.bcp" --thumbprint "$tp" --now $now \
	--user "$tmp/u.json" '[::1:443'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
