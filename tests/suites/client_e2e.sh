#!/bin/sh
# client_e2e.sh - examples/client (build/bcp-client) lives through what a device does:
# compile acme, install it as the installer hands it over, answer requests, take a
# newer push, refuse an older and a replayed one, fall back to last-known-good when
# the installed blob is damaged, deny everything once it expires (and when the clock
# is set back), rotate the signing key, and survive an install killed at every step.
B=${B:-build}
CLIENT=$B/bcp-client
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ulimit -c 0 2>/dev/null
acme=examples/acme/policy.bcl
T0=1767225600                      # 2026-01-01: every blob here is compiled then
DAY=86400
NOW=$((T0 + DAY))                  # the device's clock, unless a check says otherwise
export SOURCE_DATE_EPOCH=$T0

"$BCPC" keygen -o "$tmp/k1.pem" >/dev/null          # the current signing key
"$BCPC" keygen -o "$tmp/k2.pem" >/dev/null          # the next one
k1=$("$BCPC" thumbprint "$tmp/k1.pem")
k2=$("$BCPC" thumbprint "$tmp/k2.pem")
cc_() { out=$1 key=$2 serial=$3; shift 3
	"$BCPC" compile $acme -o "$tmp/$out.bcp" --key "$tmp/$key.pem" --serial "$serial" "$@" >/dev/null 2>&1; }
cc_ s100 k1 100
cc_ s101 k1 101
cc_ s99 k1 99
cc_ s101b k1 101 --valid-for 20d      # serial 101 again, other bytes
cc_ s102 k1 102
cc_ r103 k2 103                       # rotation: signed with the next key
cc_ r104 k2 104
cc_ old105 k1 105                     # the old key, after devices dropped it

cat >"$tmp/alice.json" <<'EOF'
{"saml": {"department": ["Finance"], "employeeType": ["employee"]},
 "scim": {"employeeType": ["employee"]}, "scim_groups": ["Finance", "All-Staff"],
 "idp": "okta", "platform": "windows", "posture": ["disk-encrypted"], "country": "DE"}
EOF
printf 'sap.acme.example:443\ngithub.com:443\nvoip.acme.example:5060/udp\n' >"$tmp/req"
st=$tmp/state

# client [OPTIONS...]: runs bcp-client on $st as alice with $tmp/req; output in
# $tmp/out, exit status in $tmp/rc. push BLOB [HASHES...] hands it a blob.
client() { "$CLIENT" --state-dir "$st" --user "$tmp/alice.json" --now "$NOW" "$@" \
	<"$tmp/req" >"$tmp/out" 2>&1; echo $? >"$tmp/rc"; }
push() { blob=$1; shift; [ $# -gt 0 ] || set -- "$k1"
	hashes=; for h; do hashes="$hashes --bcpMAPublicKeyHash $h"; done
	client --bcpConfigFilePath "$tmp/$blob.bcp" $hashes; }
rc() { [ "$(cat "$tmp/rc")" = "$1" ]; }
has() { grep -Eq -- "$1" "$tmp/out"; }
SAP_ALLOW='^sap.acme.example:443/tcp allow segment="SAP-Web" rule="Finance apps" reason=policy profile="Windows-Managed"$'

# ---- the installer's options ----
"$CLIENT" --bcpConfigFilePath "$tmp/s100.bcp" --state-dir "$st" --user "$tmp/alice.json" \
	</dev/null >"$tmp/out" 2>&1; echo $? >"$tmp/rc"
check "--bcpConfigFilePath without --bcpMAPublicKeyHash is refused (exit 2)" \
	"rc 2 && has 'requires --bcpMAPublicKeyHash'"
"$CLIENT" --bcpMAPublicKeyHash "$k1" --state-dir "$st" --user "$tmp/alice.json" \
	</dev/null >"$tmp/out" 2>&1; echo $? >"$tmp/rc"
check "--bcpMAPublicKeyHash without --bcpConfigFilePath is refused (exit 2)" \
	"rc 2 && has 'requires --bcpConfigFilePath'"
check "nothing was written by a refused command line" "[ ! -e '$st' ]"
client
check "no blob ever installed: none opens, every request denied (exit 1)" \
	"rc 1 && has '^policy: none opens' && has '^sap.acme.example:443/tcp deny reason=no_policy$'"

# ---- install and query ----
push s100
check "first push: installed, serial 100 from current.bcp" \
	"rc 0 && has '^install: installed$' && has '^policy: serial 100 from current.bcp, valid 2026-01-01T00:00:00Z .. 2026-01-31T00:00:00Z$'"
check "settings: controllers" "has '^bc: controller pcc1.bc.acme.example:443$' && has '^bc: controller pcc2.bc.acme.example:443$'"
check "settings: SNI names and domain" \
	"has '^bc: sni c2.bc.acme.example$' && has '^bc: sni_new_user c2site.bc.acme.example$' && has '^bc: domain bc.acme.example$'"
check "settings: timers and exit mode" \
	"has '^bc: timers enter_after 120s, exit_after 3600s, auth_max_age 604800s$' && has '^bc: exit_mode time_based$'"
check "the user's app profile" "has '^user: profile Windows-Managed$'"
check "decision: Finance user allowed to SAP, with rule, segment and reason" "has '$SAP_ALLOW'"
check "decision: a public host is not a private app" "has '^github.com:443/tcp none segment=- rule=- reason=policy'"
check "decision: udp" "has '^voip.acme.example:5060/udp allow segment=\"VoIP\"'"
client
check "no new blob pushed: the installed one opens" "rc 0 && ! has '^install:' && has '^policy: serial 100 from current.bcp' && has '$SAP_ALLOW'"

# ---- newer, older, replayed, the same ----
push s101
check "a newer blob (serial 101) is installed" "rc 0 && has '^install: installed$' && has '^policy: serial 101 from current.bcp'"
check "the replaced blob is kept as last-known-good" "cmp -s '$tmp/s100.bcp' '$st/previous.bcp'"
push s99
check "an older blob (serial 99) is refused" "rc 0 && has '^install: refused: .*rollback.*; keeping the installed policy$'"
check "... and the installed one stays" "has '^policy: serial 101 from current.bcp' && cmp -s '$tmp/s101.bcp' '$st/current.bcp'"
push s100
check "the last-known-good itself (serial 100) cannot be pushed back" "has '^install: refused: .*rollback'"
push s101b
check "the same serial with other bytes is refused (replay)" "has '^install: refused: .*same serial' && cmp -s '$tmp/s101.bcp' '$st/current.bcp'"
push s101
check "the same blob again changes nothing" "rc 0 && has '^install: unchanged' && has '^policy: serial 101 from current.bcp'"

# ---- a damaged installed blob: fall back to last-known-good ----
printf 'X' | dd of="$st/current.bcp" bs=1 seek=2000 conv=notrunc 2>/dev/null
client
check "a damaged current.bcp: falls back to last-known-good and says so" \
	"rc 0 && has '^policy: serial 100 from previous.bcp' && has '^policy: FALLBACK to last-known-good: current.bcp does not open: '"
check "... and still answers from it" "has '$SAP_ALLOW'"
"$BCPC" status --state-dir "$st" --now "$NOW" >"$tmp/out" 2>&1; echo $? >"$tmp/rc"
check "bcpc status says the same (exit 3)" "rc 3 && has '^open +previous.bcp \\(last-known-good\\)'"
push s100
check "while falling back, the last-known-good cannot be pushed as new" "has '^install: refused: .*rollback'"
push s102
check "a newer push repairs the device" "has '^install: installed$' && has '^policy: serial 102 from current.bcp' && ! has FALLBACK"
printf 'X' | dd of="$st/current.bcp" bs=1 seek=2000 conv=notrunc 2>/dev/null
printf 'X' | dd of="$st/previous.bcp" bs=1 seek=2000 conv=notrunc 2>/dev/null
client
check "both blobs damaged: none opens, every request denied (exit 1)" \
	"rc 1 && has '^policy: none opens: ' && has '^sap.acme.example:443/tcp deny reason=no_policy$'"

# ---- expiry, and a clock set back ----
st=$tmp/expiry
push s100
NOW=$((T0 + 31 * DAY)); client
check "past not_after: the policy opens expired and says so" \
	"rc 0 && has '^policy: EXPIRED at 2026-01-31T00:00:00Z'"
check "... its settings are still shown" "has '^bc: controller pcc1.bc.acme.example:443$'"
check "... and every request is denied with reason expired" \
	"has '^sap.acme.example:443/tcp deny segment=- rule=- reason=expired' && ! has ' allow '"
NOW=$((T0 + 29 * DAY)); client
check "the clock set back two days does not reopen the window" \
	"has '^policy: EXPIRED' && has 'reason=expired' && ! has ' allow '"
st=$tmp/tolerance
push s100
NOW=$((T0 + 30 * DAY + 100)); client
check "100 s past not_after: expired" "has 'reason=expired'"
NOW=$((T0 + 30 * DAY - 100)); client
check "the clock back 200 s (within the 300 s tolerance) is believed" "has '$SAP_ALLOW'"
st=$tmp/expiry
NOW=$((T0 + 31 * DAY))
cc_ late k1 106 --not-before $((T0 + 25 * DAY)) --valid-for 30d
push late
check "a newer blob with a later window restores access" "has '^install: installed$' && has '$SAP_ALLOW'"
NOW=$((T0 + DAY))

# ---- key rotation ----
st=$tmp/rotation
push s100
push r103 "$k1"
check "a blob signed by the next key is refused while only the current key is trusted" \
	"has '^install: refused: .*not trusted' && has '^policy: serial 100'"
push r103 "$k1" "$k2"
check "trusting current and next: the next key's blob is installed" \
	"has '^install: installed$' && has '^policy: serial 103 from current.bcp' && has '$SAP_ALLOW'"
push r104 "$k2"
check "the old key dropped: the next key's newer blob is installed" "has '^install: installed$' && has '^policy: serial 104'"
push old105 "$k2"
check "a blob signed by the dropped key is refused" "has '^install: refused: .*not trusted' && has '^policy: serial 104'"

# ---- an install killed at every step ----
# BCPC_INSTALL_ABORT_AFTER=N makes bcpc install abort() after its Nth write, fsync or
# rename. Whatever N, the folder must open the old blob (100) or the new one (101),
# and a second try must finish the install.
ok_all=1 steps=0 n=1
while [ $n -le 64 ]; do
	st=$tmp/crash$n
	push s100 >/dev/null
	BCPC_INSTALL_ABORT_AFTER=$n "$BCPC" install "$tmp/s101.bcp" --thumbprint "$k1" \
		--state-dir "$st" --now $NOW >"$tmp/crash.log" 2>&1
	r=$?
	[ $r -eq 0 ] && break              # N is past the last step: the install finished
	steps=$n
	step=$(sed -n "s/^bcpc install: step $n: //p" "$tmp/crash.log")
	client
	if [ $r -le 128 ] || ! grep -q aborting "$tmp/crash.log" ||
	   ! { has '^policy: serial 10[01] from current.bcp' && has "$SAP_ALLOW"; }; then
		ok_all=0
		echo "# killed after step $n ($step): exit $r; the client says:"
		sed 's/^/#   /' "$tmp/out" | head -5
	fi
	push s101
	if ! has '^install: (installed|unchanged)' || ! has '^policy: serial 101 from current.bcp'; then
		ok_all=0
		echo "# killed after step $n ($step): the next push did not finish the install"
		sed 's/^/#   /' "$tmp/out" | head -3
	fi
	n=$((n + 1))
done
check "an install killed after each of its $steps steps leaves serial 100 or 101 open" \
	"[ $ok_all = 1 ] && [ $steps -ge 4 ]"

# ---- hostile input ----
st=$tmp/expiry
NOW=$((T0 + 26 * DAY))
long=$(printf 'a%.0s' $(seq 1100))
printf '%s:443\n\033[2J\033]0;pwned\007:443\n::1:443\n[::1]:443\nexa mple.com:443\n:443\nsap.acme.example:99999\nsap.acme.example:443/sctp\nsap.acme.example:443\n' "$long" >"$tmp/req"
client
check "a request line over 1024 bytes is refused, not cut" "has '^a{80}\\.\\.\\. deny reason=bad_request'"
check "control characters are shown escaped, never sent to the terminal" \
	"has '^\\\\x1b\\[2J\\\\x1b\\]0;pwned\\\\x07:443/tcp deny' && ! grep -q \"\$(printf '\\033')\" '$tmp/out'"
check "an IPv6 literal needs brackets" "has '^::1:443 deny reason=bad_request' && has '^\\[::1\\]:443/tcp '"
check "a name with a space is denied as bad_host" "has '^exa mple.com:443/tcp deny .*reason=bad_host'"
check "no host, or a port out of range, or another protocol: bad_request" \
	"has '^:443 deny reason=bad_request' && has '^sap.acme.example:99999 deny reason=bad_request' && has '^sap.acme.example:443/sctp deny reason=bad_request'"
check "good lines after bad ones are still answered" "has '$SAP_ALLOW'"
printf '{"platform": 7}' >"$tmp/bad.json"
"$CLIENT" --state-dir "$st" --user "$tmp/bad.json" --now $NOW <"$tmp/req" >"$tmp/out" 2>&1; echo $? >"$tmp/rc"
check "a bad user file: every request denied (exit 1)" \
	"rc 1 && has 'platform must be a string' && has '^sap.acme.example:443/tcp deny reason=no_user$'"

# ---- an attribute without a field of bcp_user_info, passed by keyword ----
mg=$tmp/mg
"$BCPC" compile tests/golden/blob/machine-group.bcl -o "$tmp/mg.bcp" --key "$tmp/k1.pem" --serial 1 >/dev/null 2>&1
printf 'kiosk.example:443\nadmin.example:443\n' >"$tmp/mgreq"
mgclient() { printf '%s' "$1" >"$tmp/mguser.json"; shift
	"$CLIENT" --state-dir "$mg" --user "$tmp/mguser.json" --now "$NOW" "$@" <"$tmp/mgreq" \
		>"$tmp/out" 2>&1; echo $? >"$tmp/rc"; }
printf '{"machine_group": "Kiosks"}' >"$tmp/mguser.json"
"$CLIENT" --state-dir "$mg" --user "$tmp/mguser.json" --now "$NOW" --bcpConfigFilePath "$tmp/mg.bcp" \
	--bcpMAPublicKeyHash "$k1" <"$tmp/mgreq" >"$tmp/out" 2>&1; echo $? >"$tmp/rc"
check "machine_group by keyword: a kiosk reaches the kiosk app, not admin; its profile" \
	"rc 0 && has '^kiosk.example:443/tcp allow .*rule=\"kiosks\"' && has '^admin.example:443/tcp deny .*rule=\"rest\"' && has '^user: profile Kiosk$'"
mgclient '{"machine_group": "Desks", "idp": "okta"}'
check "machine_group by keyword: another group with okta reaches admin" \
	"rc 0 && has '^kiosk.example:443/tcp deny ' && has '^admin.example:443/tcp allow .*rule=\"admins\"'"
mgclient '{"machine_grp": "Kiosks"}'
check "an attribute keyword libbcp does not know: every request denied" \
	"rc 1 && has '^user: .*unknown.*every request is denied$' && has '^kiosk.example:443/tcp deny '"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
