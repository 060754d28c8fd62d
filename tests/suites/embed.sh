#!/bin/sh
# embed.sh - installs into a staging folder and builds examples/embed against it
# through pkg-config, as a client project would; then runs it on the acme blob.
B=${B:-build}
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
stage=$(cd "$B" && pwd)/stage
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$stage"' EXIT

check "make install into a staging folder" \
	"make -s install BUILDDIR='$B' DESTDIR='$stage' PREFIX=/usr >'$tmp/install.log' 2>&1"
for f in usr/bin/bcpc usr/include/bcp.h usr/lib/libbcp.a usr/lib/libbcp.so \
	usr/lib/pkgconfig/libbcp.pc usr/share/man/man1/bcpc.1 usr/share/doc/bcpc/LANGUAGE.md \
	usr/share/doc/bcpc/ADMIN-GUIDE.md usr/share/doc/bcpc/SECURITY.md \
	usr/share/bash-completion/completions/bcpc usr/share/zsh/site-functions/_bcpc; do
	check "installed $f" "[ -e '$stage/$f' ]"
done
# The installed bash completion, with the installed bcpc on PATH: commands, then a
# command's options as its --help lists them.
comp() { PATH="$stage/usr/bin:$PATH" bash -c ". '$stage/usr/share/bash-completion/completions/bcpc'
	COMP_WORDS=($1); COMP_CWORD=$2; _bcpc; echo \"\${COMPREPLY[*]}\""; }
check "bash completion: commands" "[ \"\$(comp 'bcpc ins' 1)\" = 'inspect install installer-args' ]"
check "bash completion: a command's options" "[ \"\$(comp 'bcpc status --' 2)\" = '--json --now --state-dir' ]"
if command -v zsh >/dev/null 2>&1; then
	check "zsh completion parses" "zsh -n '$stage/usr/share/zsh/site-functions/_bcpc'"
fi
export PKG_CONFIG_SYSROOT_DIR="$stage" PKG_CONFIG_PATH="$stage/usr/lib/pkgconfig"
check "pkg-config knows libbcp" "pkg-config --exists libbcp"
check "the embed example builds with pkg-config (shared)" \
	"\${CC:-cc} \${CFLAGS:-} -std=c11 -Wall -Wextra -Werror examples/embed/embed.c \$(pkg-config --cflags --libs libbcp) \${LDFLAGS:-} -o '$tmp/embed'"
check "the embed example builds with pkg-config (static)" \
	"\${CC:-cc} \${CFLAGS:-} -std=c11 -Wall -Wextra -Werror examples/embed/embed.c \$(pkg-config --cflags libbcp) '$stage/usr/lib/libbcp.a' -lcrypto -lmsgpackc \${LDFLAGS:-} -o '$tmp/embed-static'"
check "the shared library exports only bcp_ symbols" \
	"! nm -D --defined-only '$stage/usr/lib/libbcp.so' | awk '{print \$3}' | grep -v '^bcp_' | grep -q ."

"$BCPC" keygen -o "$tmp/k.pem" >/dev/null
tp=$("$BCPC" thumbprint "$tmp/k.pem")
"$BCPC" compile examples/acme/policy.bcl --key "$tmp/k.pem" -o "$tmp/acme.bcp" >/dev/null 2>&1
LD_LIBRARY_PATH="$stage/usr/lib" "$tmp/embed" "$tmp/acme.bcp" "$tp" sap.acme.example:443 github.com:443 >"$tmp/out" 2>&1
check "embed: Finance user allowed to SAP" "grep -q 'sap.acme.example:443 *allow *segment=SAP-Web' '$tmp/out'"
check "embed: unknown host is not a private app" "grep -q 'github.com:443 *none' '$tmp/out'"
"$tmp/embed-static" "$tmp/acme.bcp" "$tp" sap.acme.example:443 >"$tmp/out2" 2>&1
check "embed (static) gives the same answer" "grep -q 'allow *segment=SAP-Web' '$tmp/out2'"
other=$(printf 'A%.0s' $(seq 43))=
check "embed refuses a blob under another thumbprint" \
	"! '$tmp/embed-static' '$tmp/acme.bcp' '$other' sap.acme.example:443 >/dev/null 2>&1"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
