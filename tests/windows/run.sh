#!/bin/sh
# run.sh BUILDDIR [NPOLICIES] - the Windows tests (make windows-check). Makes the data on
# Linux with the Linux build (keys, blobs, random policies with this runtime's answers,
# the golden acme decisions), then runs under Wine, headless, with a prefix of its own
# under BUILDDIR/windows/wine:
#   - test_windows.exe: non-ASCII names, DACLs read back, the lock, sharing, the
#     install killed after each step, the decisions against Linux's answers;
#   - bcp-client.exe as the Client Connector installer would call it: a path with
#     spaces, \\?\ and \\.\ paths, a thumbprint with '+' and '/', the option pairing,
#     and the same output as the Linux bcp-client for the same folder and requests;
#   - embed.exe on libbcp.dll.
# Prints "N passed, M failed" as its last line.
B=${1:-build}
NPOL=${2:-200}
W=$B/windows
T=$W/check
BCPC=$B/bcpc
WINE=${WINE:-/usr/lib/wine/wine64}
export WINEPREFIX="$(cd "$W" && pwd)/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
# A Linux path as Wine's Z: drive names it.
winpath() { printf 'Z:%s' "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")" | tr / '\\'; }

# umask 077: Wine makes a new folder with mkdir(0777 & ~umask) whatever DACL
# CreateDirectoryW is given, and reads DACLs back from the mode bits, so with umask
# 022 a new state folder reads back as readable by Everyone and libbcp (rightly)
# refuses it. The wineserver, which makes the files, must be one started with it.
umask 077
"$(dirname "$WINE")/wineserver" -k 2>/dev/null
"$(dirname "$WINE")/wineserver" -w 2>/dev/null
rm -rf "$T"
mkdir -p "$T/data/diff" "$T/data/acme" "$T/work"
D=$T/data
T0=1800000000

# Keys: k0's thumbprint has a '+' and a '/', as real ones often do.
i=0
while :; do
	rm -f "$D/k0.pem" "$D/k0.pub.pem"
	"$BCPC" keygen -o "$D/k0.pem" >/dev/null || exit 1
	tp0=$("$BCPC" thumbprint "$D/k0.pem")
	case $tp0 in *+*/* | */*+*) break ;; esac
	i=$((i + 1))
	[ $i -lt 200 ] || { echo "no thumbprint with + and / in 200 keys" >&2; break; }
done
"$BCPC" keygen -o "$D/k1.pem" >/dev/null || exit 1
tp1=$("$BCPC" thumbprint "$D/k1.pem")
echo "$tp0" > "$D/tp0"
echo "$tp1" > "$D/tp1"
for s in 100 200 300; do
	"$BCPC" compile tests/windows/policy.bcl --key "$D/k0.pem" -o "$D/b$s.bcp" --serial $s \
		--not-before $((T0 - 86400)) --not-after $((T0 + 30 * 86400)) >/dev/null 2>&1 || exit 1
done
"$BCPC" compile tests/windows/policy.bcl --key "$D/k1.pem" -o "$D/b300k1.bcp" --serial 300 \
	--not-before $((T0 - 86400)) --not-after $((T0 + 30 * 86400)) >/dev/null 2>&1 || exit 1

# Random policies and this runtime's answers (test_diff's generator, its default seed).
BCP_DIFF_EXPORT=$D/diff "$B/tests/test_diff" 0xBC9C0FFEE2024 "$NPOL" > "$T/diff.log" 2>&1
check "test_diff exported $NPOL policies and this runtime's answers" \
	"tail -n 1 '$T/diff.log' | grep -q '^$NPOL passed, 0 failed'"

# The golden acme decisions: one user per request, the answers of the golden file.
"$BCPC" compile examples/acme/policy.bcl --key "$D/k0.pem" -o "$D/acme/p0000.bcp" --serial 1 \
	--not-before $((T0 - 86400)) --not-after $((T0 + 86400)) >/dev/null 2>&1 || exit 1
echo "$tp0" > "$D/acme/thumbprint"
jq -n -r --slurpfile e tests/golden/decisions/acme.expected.jsonl '
	def tok: if . == null then "!" else "=" + (tostring | @uri) end;
	def list: (. // []) | if type == "array" then . else [.] end |
		"\(length)" + (map(" " + tok) | join(""));
	def attrs: (. // {}) | to_entries | "\(length)" +
		(map(" " + (.key | tok) + " " + (.value | list)) | join(""));
	def known: ["saml","scim","scim_groups","idp","platform","client_type","posture",
		"trusted_networks","country"];
	[inputs] | to_entries[] | .key as $i | .value as $q | $e[$i] as $x | $q.user as $u |
	"U \($i) " + ($u.saml | attrs) + " " + ($u.scim | attrs) + " " + ($u.scim_groups | list) +
	" " + ($u.idp | tok) + " " + ($u.platform | tok) + " " + ($u.client_type | tok) + " " +
	($u.posture | list) + " " + ($u.trusted_networks | list) + " " + ($u.country | tok) + " " +
	($u | to_entries | map(select(.key as $k | known | index($k) | not)) |
		"\(length)" + (map(" " + (.key | tok) + " ! " + (.value | list)) | join(""))),
	"P \($i) " + ($x.profile | tok),
	"Q \($i) \($q.proto // "tcp") \($q.port) " + ($q.host | tok),
	"E * \($x.decision) " + ($x.segment | tok) + " " + ($x.rule | tok)
	' tests/golden/decisions/acme.requests.jsonl > "$D/acme/p0000.txt"

# Wine, headless; the prefix is made once.
if [ ! -f "$WINEPREFIX/system.reg" ]; then
	"$WINE" wineboot -i >/dev/null 2>&1
	"$(dirname "$WINE")/wineserver" -w 2>/dev/null || true
fi

echo "# test_windows.exe under $("$WINE" --version 2>/dev/null)"
"$WINE" "$W/test_windows.exe" "$(winpath "$D")" "$(winpath "$T/work")" > "$T/test_windows.log" 2>&1
rc=$?
tr -d '\r' < "$T/test_windows.log" | grep -v '^ok - ' | grep -v ' passed, [0-9]* failed$' | head -40
tr -d '\r' < "$T/test_windows.log" | grep '^ok - .*policies\|^ok - golden'
last=$(tail -n 1 "$T/test_windows.log" | tr -d '\r')
p=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p')
f=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p')
if [ -z "$p" ]; then
	bad "test_windows.exe printed no summary (exit $rc)"
	tail -n 5 "$T/test_windows.log"
else
	echo "# test_windows.exe: $last"
	pass=$((pass + p))
	fail=$((fail + f))
	[ "$rc" -eq 0 ] || [ "$f" -ne 0 ] || bad "test_windows.exe exit $rc"
fi

# bcp-client.exe, as the installer calls it.
C=$T/client
mkdir -p "$C/with spaces" "$C/user"
cp "$D/b100.bcp" "$C/with spaces/policy one.bcp"
cp "$D/b200.bcp" "$C/b200.bcp"
printf '{"scim_groups":["Staff"],"platform":"windows"}' > "$C/user/u.json"
printf 'app.example:443\napp.example:80\n10.9.1.2:443\n[::1]:443\nbad\n' > "$C/requests"
client() { "$WINE" "$W/bcp-client.exe" "$@" < "$C/requests" > "$C/out" 2>&1; echo $? > "$C/rc"
	tr -d '\r' < "$C/out"; }
U=$(winpath "$C/user/u.json")
out=$(client --bcpConfigFilePath "$(winpath "$C/with spaces/policy one.bcp")" \
	--bcpMAPublicKeyHash "$tp0" --state-dir "$(winpath "$C/state")" --user "$U" --now $T0)
check "bcp-client.exe: a path with spaces, a thumbprint with + and /" \
	"printf '%s\n' \"\$out\" | grep -q '^install: installed' && printf '%s\n' \"\$out\" | grep -q '^policy: serial 100 from current.bcp' && printf '%s\n' \"\$out\" | grep -q '^app.example:443/tcp allow'"
out=$(client --bcpConfigFilePath "\\\\?\\$(winpath "$C/b200.bcp")" --bcpMAPublicKeyHash "$tp0" \
	--state-dir "\\\\?\\$(winpath "$C/state")" --user "$U" --now $T0)
check "bcp-client.exe: \\\\?\\ paths (the long-path UNC form)" \
	"printf '%s\n' \"\$out\" | grep -q '^install: installed' && printf '%s\n' \"\$out\" | grep -q '^policy: serial 200 from current.bcp'"
out=$(client --state-dir "\\\\.\\$(winpath "$C/state")" --user "$U" --now $T0)
check "bcp-client.exe: a \\\\.\\ device-namespace path, no new blob" \
	"printf '%s\n' \"\$out\" | grep -q '^policy: serial 200 from current.bcp'"
out=$(client --bcpConfigFilePath "$(winpath "$C/b200.bcp")" --state-dir x --user "$U"; echo "exit=$(cat "$C/rc")")
check "bcp-client.exe: --bcpConfigFilePath requires --bcpMAPublicKeyHash" \
	"printf '%s\n' \"\$out\" | grep -q 'requires --bcpMAPublicKeyHash' && printf '%s\n' \"\$out\" | grep -q 'exit=2'"
out=$(client --bcpMAPublicKeyHash "$tp0" --state-dir x --user "$U"; echo "exit=$(cat "$C/rc")")
check "bcp-client.exe: --bcpMAPublicKeyHash requires --bcpConfigFilePath" \
	"printf '%s\n' \"\$out\" | grep -q 'requires --bcpConfigFilePath' && printf '%s\n' \"\$out\" | grep -q 'exit=2'"
out=$(client --bcpConfigFilePath "$(winpath "$D/b100.bcp")" --bcpMAPublicKeyHash "$tp0" \
	--state-dir "$(winpath "$C/state")" --user "$U" --now $T0)
check "bcp-client.exe: an older serial is refused, the installed policy stays" \
	"printf '%s\n' \"\$out\" | grep -q '^install: refused: serial below' && printf '%s\n' \"\$out\" | grep -q '^policy: serial 200'"
# Wine derives a new folder's DACL from its parent's mode too: ProgramData is
# SYSTEM's and Administrators' on Windows, so it is owner-only here.
rm -rf "$WINEPREFIX/drive_c/ProgramData/bcp-client"
chmod 700 "$WINEPREFIX/drive_c/ProgramData"
out=$(client --bcpConfigFilePath "$(winpath "$C/b200.bcp")" --bcpMAPublicKeyHash "$tp0" \
	--user "$U" --now $T0)
check "bcp-client.exe: the state folder defaults to %ProgramData%\\bcp-client" \
	"printf '%s\n' \"\$out\" | grep -q '^policy: serial 200 from current.bcp' && [ -f '$WINEPREFIX/drive_c/ProgramData/bcp-client/current.bcp' ]"
# The same answers as the Linux bcp-client, for the same blob and requests.
mkdir -p "$C/linux"
chmod 700 "$C/linux"
"$B/bcp-client" --bcpConfigFilePath "$D/b200.bcp" --bcpMAPublicKeyHash "$tp0" \
	--state-dir "$C/linux/state" --user "$C/user/u.json" --now $T0 < "$C/requests" \
	> "$C/linux.out" 2>&1
client --bcpConfigFilePath "$(winpath "$D/b200.bcp")" --bcpMAPublicKeyHash "$tp0" \
	--state-dir "$(winpath "$C/state2")" --user "$U" --now $T0 > "$C/windows.out"
check "bcp-client.exe prints byte for byte what the Linux bcp-client prints" \
	"cmp -s '$C/linux.out' '$C/windows.out' || { diff '$C/linux.out' '$C/windows.out' | head; false; }"

# The DLL exports the API of bcp.h and nothing else.
x86_64-w64-mingw32-objdump -p "$W/libbcp.dll" | sed -n 's/^[[:space:]]*\[ *[0-9]*\] \([A-Za-z_][A-Za-z0-9_]*\)$/\1/p' \
	| sort > "$T/exports"
grep -o 'bcp_[a-z0-9_]*(' runtime/bcp.h | tr -d '(' | sort -u > "$T/api"
check "libbcp.dll exports the $(wc -l < "$T/api") functions of bcp.h and nothing else" \
	"[ -s '$T/api' ] && cmp -s '$T/api' '$T/exports'"

# embed.exe, linked against libbcp.dll through its import library.
cp "$W/libbcp.dll" "$W/embed.exe" "$T/"
out=$("$WINE" "$T/embed.exe" "$(winpath "$D/acme/p0000.bcp")" "$tp0" sap.acme.example:443 2>&1 | tr -d '\r')
check "embed.exe on libbcp.dll refuses a blob outside its validity (now is not T0)" \
	"printf '%s\n' \"\$out\" | grep -q 'refusing'"
"$BCPC" compile examples/acme/policy.bcl --key "$D/k0.pem" -o "$T/acme-now.bcp" --valid-for 1d \
	>/dev/null 2>&1
out=$("$WINE" "$T/embed.exe" "$(winpath "$T/acme-now.bcp")" "$tp0" sap.acme.example:443 github.com:443 2>&1 | tr -d '\r')
check "embed.exe on libbcp.dll: opens, binds, decides" \
	"printf '%s\n' \"\$out\" | grep -q 'sap.acme.example:443 *allow *segment=SAP-Web'"

"$(dirname "$WINE")/wineserver" -k 2>/dev/null || true
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
