#!/bin/sh
# install.sh - the device commands of bcpc: install (exit codes, messages, the trust
# set, owner-only files, the BCPC_INSTALL_ABORT_AFTER test hook), status (text, JSON,
# exit codes) and installer-args (MSI and EXE quoting for Windows, JSON, refusals).
# The scenarios of the trust lifecycle are in tests/conformance/; this is the CLI.
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ulimit -c 0 2>/dev/null
acme=examples/acme/policy.bcl
T0=1767225600                      # 2026-01-01, the compile time of every blob here
NOW=$((T0 + 86400))
export SOURCE_DATE_EPOCH=$T0

"$BCPC" keygen -o "$tmp/k.pem" >/dev/null
"$BCPC" keygen -o "$tmp/n.pem" >/dev/null
tp=$("$BCPC" thumbprint "$tmp/k.pem")
tpn=$("$BCPC" thumbprint "$tmp/n.pem")
for s in 100 101; do
	"$BCPC" compile $acme --key "$tmp/k.pem" -o "$tmp/s$s.bcp" --serial $s >/dev/null 2>&1
done
"$BCPC" compile $acme --key "$tmp/n.pem" -o "$tmp/n102.bcp" --serial 102 >/dev/null 2>&1
st=$tmp/state
inst() { "$BCPC" install "$@" --state-dir "$st" --now $NOW >"$tmp/out" 2>&1; echo $? >"$tmp/rc"; }
rc() { [ "$(cat "$tmp/rc")" = "$1" ]; }
has() { grep -Eq -- "$1" "$tmp/out"; }

# ---- install: usage ----
inst "$tmp/s100.bcp"
check "install without --thumbprint is a usage error (2)" "rc 2 && has 'need a blob, --thumbprint'"
"$BCPC" install "$tmp/s100.bcp" --thumbprint "$tp" >"$tmp/out" 2>&1; echo $? >"$tmp/rc"
check "install without --state-dir is a usage error (2)" "rc 2"
inst "$tmp/s100.bcp" --thumbprint "${tp%?}"
check "a 43-character thumbprint is a usage error" "rc 2 && has 'not a thumbprint'"
inst "$tmp/s100.bcp" --thumbprint "$(printf '%s' "$tp" | tr 'A-Za-z' 'a-zA-Z' | sed 's/^./!/')"
check "a thumbprint outside base64 is a usage error" "rc 2 && has 'not a thumbprint'"
# The 43rd character carries 4 bits; 'B' (000001) has a spare bit set: not canonical.
inst "$tmp/s100.bcp" --thumbprint "$(printf 'A%.0s' $(seq 42))B="
check "a non-canonical thumbprint is a usage error" "rc 2 && has 'not a thumbprint'"
"$BCPC" install "$tmp/s100.bcp" --thumbprint "$tp" --state-dir "$st" --now yesterday \
	>"$tmp/out" 2>&1; echo $? >"$tmp/rc"
check "a bad --now is a usage error" "rc 2 && has 'not a time'"
BCPC_INSTALL_ABORT_AFTER=x inst "$tmp/s100.bcp" --thumbprint "$tp"
check "a bad BCPC_INSTALL_ABORT_AFTER is a usage error" "rc 2 && has 'step number'"
check "usage errors create no state folder" "[ ! -e '$st' ]"
inst "$tmp/missing.bcp" --thumbprint "$tp"
check "an unreadable blob exits 1" "rc 1 && has 'cannot read'"

# ---- install: the lifecycle ----
inst "$tmp/s100.bcp" --thumbprint "$tp"
check "first install: exit 0, 'installed serial 100'" "rc 0 && has '^installed serial 100 in '"
check "first install: no last-known-good yet" "has '^last-known-good: none'"
check "the state folder is owner-only (0700)" "[ \"\$(stat -c %a '$st')\" = 700 ]"
check "the files in it are owner-only (0600)" \
	"[ -z \"\$(find '$st' -type f ! -perm 600)\" ] && [ -n \"\$(find '$st' -type f)\" ]"
check "the installed blob is byte-identical" "cmp -s '$tmp/s100.bcp' '$st/current.bcp'"
inst "$tmp/s100.bcp" --thumbprint "$tp"
check "the same blob again: exit 0, 'unchanged'" "rc 0 && has '^unchanged: serial 100 is already installed'"
inst "$tmp/s101.bcp" --thumbprint "$tp"
check "a newer blob: installed, the old one kept as last-known-good" \
	"rc 0 && has '^installed serial 101' && has '^last-known-good: serial 100 '"
inst "$tmp/s100.bcp" --thumbprint "$tp"
check "an older blob: exit 1, REFUSED with the runtime's reason" "rc 1 && has 'REFUSED: .*rollback'"
check "a refusal says what stays installed" "has '^still installed: serial 101'"
check "a refusal leaves no temporary file" "[ -z \"\$(ls '$st' | grep -v -x -e current.bcp -e previous.bcp -e trust -e state)\" ]"
inst "$tmp/n102.bcp" --thumbprint "$tp"
check "a blob signed by an untrusted key: exit 1, not trusted" "rc 1 && has 'REFUSED: .*not trusted'"
inst "$tmp/n102.bcp" --thumbprint "$tp" --thumbprint "$tpn"
check "trusting current and next keys installs the next key's blob" "rc 0 && has '^installed serial 102'"
check "the last-known-good signed by the old key still opens" "has '^last-known-good: serial 101 '"
# Dropping the old key in the same push as the first blob of the next key: installed,
# but previous.bcp no longer opens; said, and exit 3 (degraded), as status does.
"$BCPC" install "$tmp/s100.bcp" --thumbprint "$tp" --state-dir "$tmp/early-drop" --now $NOW >/dev/null 2>&1
"$BCPC" install "$tmp/n102.bcp" --thumbprint "$tpn" --state-dir "$tmp/early-drop" --now $NOW >"$tmp/out" 2>&1; echo $? >"$tmp/rc"
check "a rotation that drops the old key too early: exit 3, no fallback said" \
	"rc 3 && has '^installed serial 102' && has '^last-known-good: previous.bcp does not open' && has '^warning: this device has no fallback'"

# ---- the test hook ----
cp -r "$st" "$tmp/state.bak"
BCPC_INSTALL_ABORT_AFTER=1 "$BCPC" install "$tmp/s100.bcp" --thumbprint "$tp" --state-dir "$tmp/hook" \
	--now $NOW >"$tmp/out" 2>&1; echo $? >"$tmp/rc"
check "BCPC_INSTALL_ABORT_AFTER=1 aborts after the first step (SIGABRT)" \
	"[ \$(cat '$tmp/rc') -gt 128 ] && has '^bcpc install: step 1: ' && has 'aborting'"
BCPC_INSTALL_ABORT_AFTER=1000 "$BCPC" install "$tmp/s100.bcp" --thumbprint "$tp" \
	--state-dir "$tmp/hook2" --now $NOW >"$tmp/out" 2>&1; echo $? >"$tmp/rc"
check "with N past the last step the hook only names the steps" \
	"rc 0 && has '^bcpc install: step [0-9]+: (write|fsync|rename)' && ! has aborting"
check "the steps include write, fsync, rename and the folder's fsync" \
	"has ': write ' && has ': fsync ' && has ': rename ' && has 'fsync folder'"

# ---- status ----
stat_() { "$BCPC" status --state-dir "$@" >"$tmp/out" 2>&1; echo $? >"$tmp/rc"; }
stat_ "$st" --now $NOW
check "status of a good folder: exit 0, current.bcp, serial 102" \
	"rc 0 && has '^open +current.bcp' && has '^serial +102' && has '^expired +no'"
check "status names the signer" "grep -qxF 'signed by $tpn' '$tmp/out'"
stat_ "$st" --now $NOW --json
check "status --json" "rc 0 && jq -e '.open == \"current.bcp\" and .serial == 102 and .fallback == false and .expired == false and .effective_now == $NOW and .exit == 0' '$tmp/out' >/dev/null"
stat_ "$st" --now $((T0 + 31 * 86400))
check "status past not_after: exit 3, expired, decisions deny" "rc 3 && has '^expired +yes.*denied'"
stat_ "$tmp/nowhere" --now $NOW
check "status of a folder that does not exist: exit 1" "rc 1 && has '^open +nothing'"
stat_ "$tmp/nowhere" --now $NOW --json
check "status --json when nothing opens" "rc 1 && jq -e '.open == null and (.error | length) > 0 and .exit == 1' '$tmp/out' >/dev/null"
# A folder path that is not UTF-8 cannot go into JSON: said, exit 2, no partial object.
bad=$(printf '%s/st\377' "$tmp")
stat_ "$bad" --now $NOW --json
check "status --json of a path that is not UTF-8: exit 2, says so, prints no JSON" \
	"rc 2 && has 'not valid UTF-8' && ! has '[{}]'"
# A long path is said whole (messages hold 512 bytes; longer ones end in "...").
long="$tmp/$(printf 'a%.0s' $(seq 1 250))/state"
stat_ "$long" --now $NOW
check "a 300-byte state folder path is said whole" "rc 1 && grep -qF -- '$long: No such file or directory' '$tmp/out'"
# A clock stepped back behind the installed blob's not_before: deny, never the older.
"$BCPC" install "$tmp/s100.bcp" --thumbprint "$tp" --state-dir "$tmp/early" --now $T0 >/dev/null 2>&1
"$BCPC" install "$tmp/s101.bcp" --thumbprint "$tp" --state-dir "$tmp/early" --now $T0 >/dev/null 2>&1
stat_ "$tmp/early" --now $((T0 - 100))
check "status with the clock behind not_before: exit 3, not valid yet, serial 101 (no fallback)" \
	"rc 3 && has '^early +not valid yet: every request is denied' && has '^serial +101' && has '^open +current.bcp'"
stat_ "$tmp/early" --now $((T0 - 100)) --json
check "status --json says not_yet_valid" "rc 3 && jq -e '.not_yet_valid == true and .fallback == false and .serial == 101' '$tmp/out' >/dev/null"
# A step after the commit fails (a folder where trust.tmp goes): the new blob is in,
# and install says so (exit 3) rather than "refused"; running it again finishes.
"$BCPC" install "$tmp/s100.bcp" --thumbprint "$tp" --state-dir "$tmp/late" --now $NOW >/dev/null 2>&1
mkdir "$tmp/late/trust.tmp"
"$BCPC" install "$tmp/s101.bcp" --thumbprint "$tp" --state-dir "$tmp/late" --now $NOW >"$tmp/out" 2>&1; echo $? >"$tmp/rc"
check "install that fails after its commit: exit 3, INSTALLED, NOT FINISHED, what opens" \
	"rc 3 && has 'INSTALLED, NOT FINISHED: .*serial 101 is in current.bcp' && has '^opens now: serial 101' && ! has REFUSED"
rmdir "$tmp/late/trust.tmp"
"$BCPC" install "$tmp/s101.bcp" --thumbprint "$tp" --state-dir "$tmp/late" --now $NOW >"$tmp/out" 2>&1; echo $? >"$tmp/rc"
check "the same install again finishes it" "rc 0 && has '^unchanged: serial 101'"
# A folder others may read is refused by name, and left as it was.
mkdir -m 755 "$tmp/open755"
inst_dir() { "$BCPC" install "$@" --now $NOW >"$tmp/out" 2>&1; echo $? >"$tmp/rc"; }
inst_dir "$tmp/s100.bcp" --thumbprint "$tp" --state-dir "$tmp/open755"
check "install into a folder of mode 0755 is refused, naming it" \
	"rc 1 && has 'REFUSED: .*open755 has mode 0755' && [ -z \"\$(ls -A '$tmp/open755')\" ]"
printf 'X' | dd of="$st/current.bcp" bs=1 seek=1000 conv=notrunc 2>/dev/null
stat_ "$st" --now $NOW
check "status after current.bcp is damaged: exit 3, last-known-good and why" \
	"rc 3 && has '^open +previous.bcp \\(last-known-good\\)' && has '^fallback +current.bcp does not open: ' && has '^serial +101'"
stat_ "$st"
check "status without --now uses the system clock" "[ \$(cat '$tmp/rc') -ne 2 ]"
stat_ "$st" --bogus
check "status with an unknown option: exit 2" "rc 2"
"$BCPC" status >"$tmp/out" 2>&1; echo $? >"$tmp/rc"
check "status without --state-dir: exit 2" "rc 2 && has 'state-dir'"

# ---- installer-args ----
# Expected lines are written with single quotes, so that every backslash is literal.
ia() { "$BCPC" installer-args "$@" >"$tmp/out" 2>&1; echo $? >"$tmp/rc"; }
want() { printf '%s\n' "$1" >"$tmp/want"; }
is_want() { cmp -s "$tmp/want" "$tmp/out"; }
p='C:\ProgramData\Zscaler\bcp\acme.bcp'
ia "$p" --thumbprint "$tp" --format msi
want 'BCPCONFIGFILEPATH="C:\ProgramData\Zscaler\bcp\acme.bcp" BCPMAPUBKEYHASH="'"$tp"'"'
check "msi: the two properties, quoted" "rc 0 && is_want"
ia "$p" --thumbprint "$tp" --format exe
want '--bcpConfigFilePath "C:\ProgramData\Zscaler\bcp\acme.bcp" --bcpMAPublicKeyHash "'"$tp"'"'
check "exe: the two flags, quoted" "rc 0 && is_want"
ia 'C:\Program Files\Zscaler\BC Policy\acme.bcp' --thumbprint "$tp" --format exe
want '--bcpConfigFilePath "C:\Program Files\Zscaler\BC Policy\acme.bcp" --bcpMAPublicKeyHash "'"$tp"'"'
check "exe: a path with spaces stays one argument" "rc 0 && is_want"
# An embedded quote: msiexec doubles it; the C runtime wants it backslash-escaped.
ia '/Library/Application Support/a"b.bcp' --thumbprint "$tp" --format msi
want 'BCPCONFIGFILEPATH="/Library/Application Support/a""b.bcp" BCPMAPUBKEYHASH="'"$tp"'"'
check "msi: an embedded quote is doubled" "rc 0 && is_want"
ia '/Library/Application Support/a"b.bcp' --thumbprint "$tp" --format exe
want '--bcpConfigFilePath "/Library/Application Support/a\"b.bcp" --bcpMAPublicKeyHash "'"$tp"'"'
check "exe: an embedded quote is escaped with a backslash" "rc 0 && is_want"
# Backslashes before a quote: 2n+1 for n and the quote; backslashes elsewhere stay.
ia 'C:\odd\\"name\x.bcp' --thumbprint "$tp" --format exe
want '--bcpConfigFilePath "C:\odd\\\\\"name\x.bcp" --bcpMAPublicKeyHash "'"$tp"'"'
check "exe: backslashes before a quote are doubled, others kept" "rc 0 && is_want"
ia 'C:\odd\\"name\x.bcp' --thumbprint "$tp" --format msi
want 'BCPCONFIGFILEPATH="C:\odd\\""name\x.bcp" BCPMAPUBKEYHASH="'"$tp"'"'
check "msi: backslashes are not special" "rc 0 && is_want"
ia '/srv/bcp\' --thumbprint "$tp" --format exe
check "a path ending in a backslash names a folder: refused" "rc 2 && has 'names a folder'"
ia '\\fs01\bcp$\acme.bcp' --thumbprint "$tp" --format exe
want '--bcpConfigFilePath "\\fs01\bcp$\acme.bcp" --bcpMAPublicKeyHash "'"$tp"'"'
check "exe: a UNC path" "rc 0 && is_want"
p='C:\ProgramData\Zscaler\acme.bcp'
ia "$p" --thumbprint "$tp" --format json
check "json: raw values, both forms, argv and properties" "rc 0 && jq -e --arg p '$p' --arg t '$tp' '.bcpConfigFilePath == \$p and .bcpMAPublicKeyHash == \$t and .exe_args == [\"--bcpConfigFilePath\", \$p, \"--bcpMAPublicKeyHash\", \$t] and .msi_properties.BCPCONFIGFILEPATH == \$p and .msi_properties.BCPMAPUBKEYHASH == \$t' '$tmp/out' >/dev/null"
ia "$p" --thumbprint "$tp" --format exe
cp "$tmp/out" "$tmp/exe.txt"
ia "$p" --thumbprint "$tp" --format msi
cp "$tmp/out" "$tmp/msi.txt"
ia "$p" --thumbprint "$tp" --format json
check "json: its exe and msi lines are those of --format exe and msi" \
	"[ \"\$(jq -r .exe '$tmp/out')\" = \"\$(cat '$tmp/exe.txt')\" ] && [ \"\$(jq -r .msi '$tmp/out')\" = \"\$(cat '$tmp/msi.txt')\" ]"
ia "$p" --format exe
check "a path without a thumbprint is refused (each requires the other)" \
	"rc 2 && has 'requires --bcpMAPublicKeyHash'"
ia --thumbprint "$tp" --format exe
check "a thumbprint without a path is refused" "rc 2 && has 'requires --bcpMAPublicKeyHash'"
ia "$p" --thumbprint "${tp%?}A" --format exe
check "a malformed thumbprint is refused" "rc 2 && has 'not a thumbprint'"
ia "$p" --thumbprint "$tp" --thumbprint "$tpn" --format exe
check "the installer takes one thumbprint" "rc 2 && has 'one --thumbprint'"
ia "$p" --thumbprint "$tp"
check "the format must be said" "rc 2 && has 'msi, exe or json'"
ia "$p" --thumbprint "$tp" --format reg
check "an unknown format is refused" "rc 2 && has 'msi, exe or json'"
ia 'acme.bcp' --thumbprint "$tp" --format exe
check "a relative path is refused" "rc 2 && has 'absolute'"
ia 'C:\ProgramData\Zscaler\' --thumbprint "$tp" --format exe
check "a folder (trailing backslash) is refused" "rc 2 && has 'names a folder'"
ia "$(printf 'C:\\a\nb.bcp')" --thumbprint "$tp" --format msi
check "a control character is refused" "rc 2 && has 'control character'"
ia 'C:\%USERPROFILE%\acme.bcp' --thumbprint "$tp" --format exe
check "a %% in the path is printed as is, with a warning" "rc 0 && has 'warning: cmd.exe expands'"

# ---- help and the man page ----
"$BCPC" install --help >"$tmp/out"
check "install --help documents the exit codes and the test hook" \
	"has '0 installed or unchanged' && has '1 refused' && has '2 usage' && has BCPC_INSTALL_ABORT_AFTER"
"$BCPC" status --help >"$tmp/out"
check "status --help documents its exit codes" "has 'Exit status: 0' && has '3 a blob is open'"
"$BCPC" installer-args --help >"$tmp/out"
check "installer-args --help names the installer options" "has BCPCONFIGFILEPATH && has bcpMAPublicKeyHash"
check "the man page documents the new commands" \
	"grep -q 'installer\\\\-args' docs/bcpc.1 && grep -q 'BCPC_INSTALL_ABORT_AFTER' docs/bcpc.1 && grep -q '^.B bcpc status' docs/bcpc.1"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
