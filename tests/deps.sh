#!/bin/sh
# deps.sh PKG... - install the missing Debian packages (as root), or say the one
# apt-get line to run and stop. On a system without dpkg it trusts the caller.
command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "bcpc: missing Debian packages:$missing" >&2
	echo "bcpc: run as root:  apt-get install -y$missing" >&2
	exit 1
fi
echo "bcpc: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	{ echo "bcpc: apt-get install failed" >&2; exit 1; }
