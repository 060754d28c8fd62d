#!/bin/sh
# seeds.sh BUILDDIR CORPUS - writes the seed inputs of each fuzz target into
# CORPUS/<target>/ (files named seed-*; libFuzzer adds its own next to them).
# Run from the repository root with BUILDDIR/bcpc built. Keys are made fresh and
# thrown away: a blob seed only needs to be well-formed, not trusted.
#   policy:  examples/*.bcl, tests/golden/**/*.bcl, tests/fuzz/seeds/policy/*
#   blob:    examples/acme and every golden .bcl that compiles, compiled with a
#            throw-away key; the acme blob again with a tail of hosts to decide
#   request: each line of tests/golden/decisions/*.requests.jsonl, whole files,
#            tests/fuzz/seeds/request/*
#   keys:    PEM keys and a certificate made with openssl, thumbprints,
#            tests/fuzz/seeds/keys/*
#   zpa:     tests/golden/zpa/*/*.json, tests/fuzz/seeds/zpa/*
#   state:   state folders made by bcpc install (trust, state, current.bcp and
#            previous.bcp joined by "\n%%\n"), and the same with files missing
set -e
B=${1:?usage: seeds.sh BUILDDIR CORPUS}
C=${2:?usage: seeds.sh BUILDDIR CORPUS}
BCPC=$B/bcpc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in policy blob request keys state zpa; do
	mkdir -p "$C/$t"
	rm -f "$C/$t"/seed-*
done

# Seeds are named after their source so that reruns replace rather than pile up.
name() { printf '%s' "$1" | tr '/ ' '__'; }
copy_dir() {   # copy_dir TARGET DIR: checked-in seeds
	for f in "$2"/*; do
		[ -f "$f" ] && cp "$f" "$C/$1/seed-$(basename "$f")"
	done
	return 0
}

# zpa: the synthetic tenants' response bodies and tests/fuzz/seeds/zpa/*
for f in tests/golden/zpa/*/*.json; do
	[ -f "$f" ] && cp "$f" "$C/zpa/seed-$(name "$f")"
done
copy_dir zpa tests/fuzz/seeds/zpa

# policy
for f in examples/*/*.bcl tests/golden/*/*.bcl; do
	[ -f "$f" ] && cp "$f" "$C/policy/seed-$(name "$f")"
done
copy_dir policy tests/fuzz/seeds/policy

# blob (SOURCE_DATE_EPOCH keeps the header stable; the key is new each run)
"$BCPC" keygen -o "$tmp/key.pem" >/dev/null
export SOURCE_DATE_EPOCH=1767225600   # 2026-01-01
for f in examples/*/*.bcl tests/golden/*/*.bcl tests/fuzz/seeds/policy/*.bcl; do
	[ -f "$f" ] || continue
	if "$BCPC" compile "$f" --key "$tmp/key.pem" -o "$tmp/out.bcp" --valid-for 3650d \
		>/dev/null 2>&1; then
		cp "$tmp/out.bcp" "$C/blob/seed-$(name "$f").bcp"
	fi
done
acme="$C/blob/seed-$(name examples/acme/policy.bcl).bcp"
if [ ! -f "$acme" ]; then
	echo "seeds.sh: cannot compile examples/acme/policy.bcl" >&2
	exit 1
fi
{ cat "$acme"; printf 'sap.acme.example\nerp01.sap.acme.example\n10.42.7.9\n[2001:db8:20::5]\n'; } \
	>"$C/blob/seed-acme-hosts"
# Hosts for each path of the decision's parsers: names longer than 16 bytes (the
# 16-byte split), upper case, a trailing dot, IPv6 forms with and without "::" or
# an IPv4 tail, and a dotted quad.
{ cat "$acme"; printf 'A-Very-Long-Label-Name.Eu-West.SAP.acme.example.\n2001:db8:20:0:0:0:0:5\n'
  printf '2001:DB8:20::\n::ffff:10.42.7.9\n::\n1:2:3:4:5:6:7:8::\n10.42.7.255\nh_1.x-2.example\n'; } \
	>"$C/blob/seed-acme-parsers"
{ cat "$acme"; printf '!wiki.acme.example\n'; } >"$C/blob/seed-acme-expired"

# request
for f in tests/golden/decisions/*.requests.jsonl; do
	[ -f "$f" ] || continue
	cp "$f" "$C/request/seed-$(name "$f")"
	i=0
	while IFS= read -r line; do
		i=$((i + 1))
		printf '%s\n' "$line" >"$C/request/seed-$(name "$f")-$i"
	done <"$f"
done
copy_dir request tests/fuzz/seeds/request

# keys
k=$C/keys/seed
openssl genpkey -algorithm ed25519 -out "$k-ed25519.pem" 2>/dev/null
openssl pkey -in "$k-ed25519.pem" -pubout -out "$k-ed25519.pub.pem" 2>/dev/null
openssl pkey -in "$k-ed25519.pem" -aes-256-cbc -passout pass:fuzz -out "$k-ed25519-enc.pem" 2>/dev/null
openssl pkey -in "$k-ed25519.pem" -outform DER -out "$k-ed25519.der" 2>/dev/null
openssl genpkey -algorithm ed448 -out "$k-ed448.pem" 2>/dev/null
openssl genpkey -algorithm x25519 -out "$k-x25519.pem" 2>/dev/null
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out "$k-p256.pem" 2>/dev/null
openssl pkey -in "$k-p256.pem" -pubout -out "$k-p256.pub.pem" 2>/dev/null
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out "$k-rsa.pem" 2>/dev/null
openssl pkey -in "$k-rsa.pem" -traditional -aes128 -passout pass:fuzz -out "$k-rsa-legacy-enc.pem" 2>/dev/null
cp examples/acme/bc-sp-ca.pem "$k-certificate.pem"
"$BCPC" thumbprint "$k-ed25519.pem" | tr -d '\n' >"$k-thumbprint"
{ "$BCPC" thumbprint "$k-ed25519.pem"; "$BCPC" thumbprint "$tmp/key.pem"; } | tr -d '\n' \
	>"$k-thumbprints"
copy_dir keys tests/fuzz/seeds/keys

# state: a folder after two installs of acme (serials 1 and 2), as fuzz_state reads it.
tp=$("$BCPC" thumbprint "$tmp/key.pem")
for serial in 1 2; do
	"$BCPC" compile examples/acme/policy.bcl --key "$tmp/key.pem" -o "$tmp/s$serial.bcp" \
		--serial $serial --valid-for 3650d >/dev/null 2>&1
	"$BCPC" install "$tmp/s$serial.bcp" --thumbprint "$tp" --state-dir "$tmp/state" \
		--now 1767225600 >/dev/null
done
part() { if [ -f "$tmp/state/$1" ]; then cat "$tmp/state/$1"; else printf -- '-'; fi; }
state_seed() {   # state_seed NAME FILE...: those files of the folder, the others missing
	out="$C/state/seed-$1"
	shift
	: >"$out"
	for f in trust state current.bcp previous.bcp; do
		[ "$f" = trust ] || printf '\n%%%%\n' >>"$out"
		case " $* " in *" $f "*) part "$f" >>"$out" ;; *) printf -- '-' >>"$out" ;; esac
	done
}
state_seed full trust state current.bcp previous.bcp
state_seed first-install trust - current.bcp -
state_seed no-current trust state previous.bcp
state_seed no-trust state current.bcp previous.bcp

for t in policy blob request keys state zpa; do
	printf '%s: %s seeds\n' "$t" "$(ls "$C/$t" | grep -c '^seed-')"
done
