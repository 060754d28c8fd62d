#!/bin/sh
# conformance.sh - runs every row of tests/conformance/scenarios.tsv: in a fresh state
# folder, the setup steps, then the action, whose exit status and output must match
# the row's expectation, then the row's follow-up check. tests/conformance/README.md
# defines the columns and the verbs; the fixtures (keys and blobs) are made here.
B=${B:-build}
CLIENT=$B/bcp-client
TABLE=${CONFORMANCE_TABLE:-tests/conformance/scenarios.tsv}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ulimit -c 0 2>/dev/null
set -f                              # steps are split on blanks, never globbed
T0=1767225600                       # 2026-01-01: every fixture is compiled then
export SOURCE_DATE_EPOCH=$T0
fx=$tmp/fixtures
mkdir -p "$fx"

# ---- fixtures ----
for k in k1 k2 evil; do
	"$BCPC" keygen -o "$fx/$k.pem" >/dev/null
	"$BCPC" thumbprint "$fx/$k.pem" >"$fx/$k.tp"
done
blob() { name=$1 key=$2 serial=$3; shift 3
	"$BCPC" compile examples/acme/policy.bcl --key "$fx/$key.pem" --serial "$serial" \
		-o "$fx/$name.bcp" "$@" >/dev/null 2>&1 || echo "# cannot compile fixture $name"; }
blob s99 k1 99
blob s100 k1 100
blob s100b k1 100 --valid-for 20d
blob s101 k1 101
blob s101b k1 101 --valid-for 20d
blob s102 k1 102
blob s103 k1 103
blob evil101 evil 101
blob future101 k1 101 --not-before $((T0 + 10 * 86400))
blob late106 k1 106 --not-before $((T0 + 25 * 86400)) --valid-for 30d
blob k2s101 k2 101
blob k2s102 k2 102
cp "$fx/s101.bcp" "$fx/flip101.bcp"
printf 'X' | dd of="$fx/flip101.bcp" bs=1 seek=3000 conv=notrunc 2>/dev/null
head -c $(($(wc -c <"$fx/s101.bcp") - 100)) "$fx/s101.bcp" >"$fx/trunc101.bcp"
{ cat "$fx/s101.bcp"; printf '\0'; } >"$fx/trail101.bcp"
: >"$fx/empty.bcp"
printf 'not a policy blob\n' >"$fx/text.bcp"
cat >"$fx/alice.json" <<'EOF'
{"saml": {"department": ["Finance"], "employeeType": ["employee"]},
 "scim": {"employeeType": ["employee"]}, "scim_groups": ["Finance", "All-Staff"],
 "idp": "okta", "platform": "windows", "posture": ["disk-encrypted"], "country": "DE"}
EOF

# ---- the verbs ----
# at @EXPR: T0 plus EXPR, a sum of numbers with units d, h, m, s ("30d-100s").
at() {
	e=$(printf '%s' "${1#@}" | sed -e 's/\([0-9][0-9]*\)d/(\1*86400)/g' \
		-e 's/\([0-9][0-9]*\)h/(\1*3600)/g' -e 's/\([0-9][0-9]*\)m/(\1*60)/g' \
		-e 's/\([0-9][0-9]*\)s/(\1)/g')
	echo $((T0 + $e))
}
# thumbprint options for a comma-separated list of key names
trust() {
	out=
	for k in $(printf '%s' "$1" | tr ',' ' '); do out="$out --thumbprint $(cat "$fx/$k.tp")"; done
	printf '%s' "$out"
}
# step VERB ARGS...: runs one step on $st; output in $tmp/out, exit status in $rc.
step() {
	verb=$1
	shift
	case $verb in
	install)   "$BCPC" install "$fx/$1.bcp" $(trust "$2") --state-dir "$st" --now "$(at "$3")" ;;
	status)    "$BCPC" status --state-dir "$st" --now "$(at "$1")" ;;
	client)    printf '%s\n' "${2:-}" | "$CLIENT" --state-dir "$st" --user "$fx/alice.json" \
			--now "$(at "$1")" ;;
	corrupt)   printf 'X' | dd of="$st/$1" bs=1 seek=2000 conv=notrunc 2>/dev/null ;;
	truncate)  head -c 2000 "$st/$1" >"$tmp/cut" && chmod 600 "$tmp/cut" && mv "$tmp/cut" "$st/$1" ;;
	remove)    rm -f "$st/$1" ;;
	garble)    printf 'garbage\n' >"$st/$1" ;;
	copy)      cp "$fx/$1.bcp" "$st/$2" ;;
	link)      rm -f "$st/$1" && ln -s previous.bcp "$st/$1" ;;
	setstate)  sed "s/^$1 .*/$1 $2/" "$st/state" >"$tmp/st" && cat "$tmp/st" >"$st/state" ;;
	mode)      stat -c %a "$st/$1" ;;
	same)      cmp "$st/$1" "$fx/$2.bcp" ;;
	signer)    tp=$("$BCPC" thumbprint "$st/$1") &&
		   for k in k1 k2 evil; do [ "$tp" != "$(cat "$fx/$k.tp")" ] || echo $k; done ;;
	*)         echo "conformance.sh: unknown verb '$verb'"; (exit 99) ;;
	esac >"$tmp/out" 2>&1
	rc=$?
}
# steps "A ; B ; C": runs them in order; stops at the first that fails (returns 1).
# status and client fail only on a usage error or a crash: what they report (a
# fallback, an expired blob, nothing open) is the point of the step, not a failure.
steps() {
	rest=$1
	while [ -n "$rest" ] && [ "$rest" != - ]; do
		case $rest in
		*" ; "*) one=${rest%% ; *}; rest=${rest#* ; } ;;
		*) one=$rest; rest= ;;
		esac
		step $one
		case $one:$rc in
		status*:[013]|install*:3|client*:[01]|*:0) ;;   # 3: installed, degraded
		*) false ;;
		esac || { echo "# setup step '$one' failed (exit $rc):"; sed 's/^/#   /' "$tmp/out"; return 1; }
	done
	return 0
}
# matches "RC /REGEX/": RC is a shell pattern for the exit status (0, [03], *), REGEX an
# extended regular expression one line of the output must match.
matches() {
	want_rc=${1%% *}
	re=${1#"$want_rc"}
	re=${re# }
	re=${re#/}
	re=${re%/}
	case $rc in $want_rc) ;; *) return 1 ;; esac
	[ -z "$re" ] || grep -Eq -- "$re" "$tmp/out"
}
# then "VERB ARGS => RC /REGEX/" or "-"
then_ok() {
	[ "$1" = - ] && return 0
	step ${1%% => *}
	matches "${1#* => }"
}
explain() {
	echo "#   $1: exit $rc; output:"
	sed 's/^/#     /' "$tmp/out" | head -8
}

# ---- the table ----
n=0
while IFS='	' read -r id desc setup action expect then_; do
	case $id in ''|'#'*|id) continue ;; esac
	n=$((n + 1))
	st=$tmp/state.$n
	ok=1
	case $action in
	crash-each\ install\ *)
		# The action killed after step 1, 2, ... until an install runs to the end. After
		# each kill, expect and then must hold; then a normal install must finish.
		args=${action#crash-each install }
		k=1 killed=0
		while [ $k -le 64 ]; do
			st=$tmp/state.$n.$k
			steps "$setup" || { ok=0; break; }
			export BCPC_INSTALL_ABORT_AFTER=$k
			step install $args
			unset BCPC_INSTALL_ABORT_AFTER
			if [ $rc -eq 0 ]; then
				[ $killed -ge 1 ] || { ok=0; echo "#   never killed"; }
				break
			fi
			killed=$k
			name=$(sed -n "s/^bcpc install: step $k: //p" "$tmp/out")
			matches "$expect" || { ok=0; explain "killed after step $k ($name)"; }
			then_ok "$then_" || { ok=0; explain "after step $k ($name): $then_"; }
			step install $args
			matches '0 /^(installed|unchanged)/' || { ok=0; explain "retry after step $k ($name)"; }
			k=$((k + 1))
		done
		[ $k -le 64 ] || { ok=0; echo "#   the install never finished"; }
		desc="$desc ($killed steps)"
		;;
	*)
		if ! steps "$setup"; then
			ok=0
		else
			step $action
			matches "$expect" || { ok=0; explain "$action (want $expect)"; }
			if [ $ok = 1 ] && ! then_ok "$then_"; then
				ok=0
				explain "then $then_"
			fi
		fi
		;;
	esac
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
		echo "ok - $id: $desc"
	else
		fail=$((fail + 1))
		echo "not ok - $id: $desc"
	fi
done <"$TABLE"
[ $n -gt 0 ] || { echo "not ok - no scenarios read from $TABLE"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
