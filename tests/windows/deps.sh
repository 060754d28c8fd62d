#!/bin/sh
# deps.sh PREFIX WORK - builds, once, the Windows x64 (MinGW-w64) libraries libbcp and
# bcp-client.exe link: libcrypto (OpenSSL 3), msgpack-c and jansson, static, installed
# under PREFIX. The sources are Debian's own source packages of the versions the Linux
# build uses, fetched with `apt-get source` through a private apt configuration under
# WORK (a deb-src list of its own): the machine's apt configuration is never changed.
# Nothing prebuilt is downloaded. A second run finds PREFIX/.done-* and returns at once.
set -e
PREFIX=$1
WORK=$2
[ -n "$PREFIX" ] && [ -n "$WORK" ] || { echo "usage: deps.sh PREFIX WORK" >&2; exit 2; }
HOST=x86_64-w64-mingw32
JOBS=${JOBS:-2}
# Run from make, the builds below must not join its jobserver (they would run -j1).
unset MAKEFLAGS MFLAGS MAKELEVEL
mkdir -p "$PREFIX" "$WORK"
PREFIX=$(cd "$PREFIX" && pwd)
WORK=$(cd "$WORK" && pwd)

# The Debian versions the Linux build links, so both builds run the same code.
ver() { dpkg-query -W -f='${source:Version}' "$1" 2>/dev/null; }

apt_private() {
	a=$WORK/apt
	[ -f "$a/.updated-2" ] && return 0
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/parts" "$a/prefs"
	# The same mirrors the machine uses for binaries, as source entries.
	cat > "$a/sources.list" <<-EOF
	deb-src http://deb.debian.org/debian bookworm main
	deb-src http://deb.debian.org/debian bookworm-updates main
	EOF
	APT="-o Dir::Etc::SourceList=$a/sources.list -o Dir::Etc::SourceParts=$a/parts \
		-o Dir::Etc::PreferencesParts=$a/prefs -o Dir::State::Lists=$a/lists \
		-o Dir::Cache=$a/cache -o Debug::NoLocking=1"
	# shellcheck disable=SC2086
	apt-get $APT -qq update
	touch "$a/.updated-2"
}

fetch() { # fetch SRCPKG VERSION -> WORK/src/SRCPKG-*/ (unpacked, Debian patches applied)
	[ -d "$WORK/src/$1" ] && return 0
	apt_private
	a=$WORK/apt
	APT="-o Dir::Etc::SourceList=$a/sources.list -o Dir::Etc::SourceParts=$a/parts \
		-o Dir::Etc::PreferencesParts=$a/prefs -o Dir::State::Lists=$a/lists \
		-o Dir::Cache=$a/cache -o Debug::NoLocking=1"
	rm -rf "$WORK/dl/$1" && mkdir -p "$WORK/dl/$1"
	# shellcheck disable=SC2086
	# The mirror keeps only a suite's current version: when the installed one is gone
	# (the machine was set up from an older point of bookworm), take bookworm's current.
	(cd "$WORK/dl/$1" && { apt-get $APT -qq source "$1=$2" >/dev/null 2>&1 || {
		echo "bcpc: $1 $2 is no longer on the mirror; using bookworm's $1"
		apt-get $APT -qq source "$1/bookworm" >/dev/null 2>&1; }; })
	d=$(find "$WORK/dl/$1" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	mkdir -p "$WORK/src"
	mv "$d" "$WORK/src/$1"
}

need() { command -v "$1" >/dev/null 2>&1 || { echo "bcpc: $1 is missing" >&2; exit 1; }; }
need $HOST-gcc
need dpkg-source

if [ ! -f "$PREFIX/.done-openssl" ]; then
	v=$(ver libssl-dev); echo "bcpc: building OpenSSL $v for $HOST (libcrypto only)"
	fetch openssl "$v"
	rm -rf "$WORK/build/openssl" && cp -a "$WORK/src/openssl" "$WORK/build-openssl.tmp" &&
		mkdir -p "$WORK/build" && mv "$WORK/build-openssl.tmp" "$WORK/build/openssl"
	(cd "$WORK/build/openssl" &&
		./Configure mingw64 --cross-compile-prefix=$HOST- --prefix="$PREFIX" \
			--libdir=lib no-shared no-asm no-tests no-engine no-legacy \
			no-module no-ssl no-tls no-dtls no-srp no-psk no-comp no-ocsp \
			no-cms no-ts no-ct no-sock no-dso no-ui-console no-deprecated no-autoload-config \
			>/dev/null &&
		make -j"$JOBS" build_libs >/dev/null 2>&1 &&
		make install_dev >/dev/null)
	touch "$PREFIX/.done-openssl"
fi

if [ ! -f "$PREFIX/.done-msgpack" ]; then
	v=$(ver libmsgpack-dev); echo "bcpc: building msgpack-c $v for $HOST"
	fetch msgpack-c "$v"
	s=$WORK/src/msgpack-c
	o=$WORK/build/msgpack && rm -rf "$o" && mkdir -p "$o" "$PREFIX/include/msgpack" "$PREFIX/lib"
	# The C library is five files and two headers CMake would configure; this target
	# is little-endian.
	cp -r "$s/include/." "$PREFIX/include/"
	for h in sysdep pack_template; do
		sed -e 's/@MSGPACK_ENDIAN_BIG_BYTE@/0/' -e 's/@MSGPACK_ENDIAN_LITTLE_BYTE@/1/' \
			"$s/cmake/$h.h.in" > "$PREFIX/include/msgpack/$h.h"
	done
	for f in objectc unpack version vrefbuffer zone; do
		$HOST-gcc -O2 -std=c99 -I"$PREFIX/include" -c -o "$o/$f.o" "$s/src/$f.c"
	done
	$HOST-ar rcs "$PREFIX/lib/libmsgpackc.a" "$o"/*.o
	touch "$PREFIX/.done-msgpack"
fi

if [ ! -f "$PREFIX/.done-jansson" ]; then
	v=$(ver libjansson-dev); echo "bcpc: building jansson $v for $HOST"
	fetch jansson "$v"
	s=$WORK/src/jansson/src
	o=$WORK/build/jansson && rm -rf "$o" && mkdir -p "$o" "$PREFIX/include" "$PREFIX/lib"
	# Without autotools: the one configured header, and the sources compiled as its
	# Makefile.am lists them (the hash seed from the Windows crypto API).
	sed -e 's/@json_inline@/inline/' -e 's/@json_have_long_long@/1/' \
		-e 's/@json_have_localeconv@/1/' -e 's/@json_have_atomic_builtins@/1/' \
		-e 's/@json_have_sync_builtins@/1/' "$s/jansson_config.h.in" > "$o/jansson_config.h"
	printf '%s\n' '#define HAVE_STDINT_H 1' '#define USE_WINDOWS_CRYPTOAPI 1' \
		'#define HAVE_ATOMIC_BUILTINS 1' '#define HAVE_SYNC_BUILTINS 1' \
		'#define INITIAL_HASHTABLE_ORDER 3' > "$o/jansson_private_config.h"
	for f in dump error hashtable hashtable_seed load memory pack_unpack strbuffer \
		strconv utf value version; do
		$HOST-gcc -O2 -std=c99 -DHAVE_CONFIG_H -I"$o" -I"$s" -c -o "$o/$f.o" "$s/$f.c"
	done
	$HOST-ar rcs "$PREFIX/lib/libjansson.a" "$o"/*.o
	cp "$s/jansson.h" "$o/jansson_config.h" "$PREFIX/include/"
	touch "$PREFIX/.done-jansson"
fi
