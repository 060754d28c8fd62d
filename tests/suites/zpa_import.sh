#!/bin/sh
# zpa_import.sh - `bcpc import zpa` end to end: every public sample in
# ../shared/zpa/samples (read there at run time, never copied into the project) is
# imported, or refused with a message naming it when it is not a valid export; the
# Migrate2GSA folder; the synthetic tenant of tests/golden/zpa against its golden
# policy and report; byte-identical output; refusals and usage errors.
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
S=${ZPA_SAMPLES:-../shared/zpa/samples}

if [ ! -d "$S" ]; then
	echo "not ok - the samples folder $S is missing"
	echo "0 passed, 1 failed"
	exit 1
fi

# Not valid exports: invalid JSON, the documentation's typo'd objectType, and a request
# body (a bulk reorder) that is no response at all.
refused="docs_application_GET_list.verbatim.txt docs_segmentGroup_GET_id.verbatim.txt
docs_policySet_rules_ACCESS_POLICY_paginated.json cassette_bulk_reorder_PUT_request.json"
nimported=0 nrefused=0
for f in "$S"/*; do
	b=$(basename "$f")
	case $b in *.md) continue ;; esac
	"$BCPC" import zpa "$f" -o "$tmp/out.bcl" --report "$tmp/r.json" >"$tmp/err" 2>&1
	rc=$?
	if printf '%s\n' $refused | grep -qx "$b"; then
		nrefused=$((nrefused + 1))
		check "refuses $b, naming it" "[ $rc -eq 2 ] && grep -q '$b' '$tmp/err' && [ ! -e '$tmp/out.bcl' ]"
		continue
	fi
	nimported=$((nimported + 1))
	check "imports $b (exit $rc)" "[ $rc -le 1 ] && '$BCPC' check '$tmp/out.bcl' >/dev/null 2>&1"
	"$BCPC" import zpa "$f" -o "$tmp/again.bcl" >/dev/null 2>&1
	check "imports $b byte for byte the same twice" "cmp -s '$tmp/out.bcl' '$tmp/again.bcl'"
	rm -f "$tmp/out.bcl" "$tmp/again.bcl"
done
echo "# samples: $nimported imported, $nrefused refused"
check "every sample is either imported or refused ($nimported + $nrefused)" "[ $nimported -gt 60 ] && [ $nrefused -eq 4 ]"
check "the verbatim documentation example's error says where" \
	"'$BCPC' import zpa '$S/docs_segmentGroup_GET_id.verbatim.txt' -o '$tmp/x.bcl' 2>&1 | grep -q 'invalid JSON at line 41'"
check "the typo'd objectType is named" \
	"'$BCPC' import zpa '$S/docs_policySet_rules_ACCESS_POLICY_paginated.json' -o '$tmp/x.bcl' 2>&1 | grep -q 'unknown operand objectType \"TEST APP_GROUP\"'"

# The folder Migrate2GSA's Export-ZPAConfig writes (its four sample files).
mkdir "$tmp/ms"
cp "$S"/ms_migrate2gsa_*.json "$tmp/ms/"
echo "not an export" > "$tmp/ms/Export.log"
"$BCPC" import zpa "$tmp/ms" -o "$tmp/ms.bcl" --report "$tmp/ms.json" >/dev/null 2>&1
rc=$?
check "imports a Migrate2GSA export folder" "[ $rc -eq 0 ] && '$BCPC' check '$tmp/ms.bcl' >/dev/null"
check "Migrate2GSA: 17 segments, 12 rules" \
	"[ \$(jq .output.segments '$tmp/ms.json') = 17 ] && [ \$(jq .output.rules '$tmp/ms.json') = 12 ]"
check "Migrate2GSA: SCIM_GROUP with lhs \"id\" is scoped to the group's IdP" \
	"grep -q 'scim_group \"Portal-Users\", \"Portal-Admins\";' '$tmp/ms.bcl' && grep -q 'idp \"EntraID\";' '$tmp/ms.bcl'"

# Recorded responses together: a v2-created rule read back, the IdPs and the SCIM
# groups (JSON numbers, idpId above 2^53, joined exactly with the rule's string lhs).
"$BCPC" import zpa "$S/cassette_rule_GET_id_v2created.json" "$S/cassette_idp_v2_list.json" \
	"$S/cassette_scimgroup_idpId_list.json" "$S/cassette_segmentGroup_GET_list.json" \
	-o "$tmp/c.bcl" --report "$tmp/c.json" >/dev/null 2>&1
rc=$?
check "cassettes together: imported, nothing left out" "[ $rc -eq 0 ] && '$BCPC' check '$tmp/c.bcl' >/dev/null"
check "cassettes: SCIM groups found by exact 18-digit idpId" \
	"grep -q 'scim_group \"marmot-conda\", \"zscaler_Y000_subs\";' '$tmp/c.bcl' && grep -q 'client_type exporter, zapp;' '$tmp/c.bcl'"
check "cassettes: 29 segments from the segment groups' embedded copies" "[ \$(jq .output.segments '$tmp/c.json') = 29 ]"
check "cassettes: BC warns about the Web Browser client type" "jq -e '.warnings[] | select(.what | test(\"client type BC does not support\"))' '$tmp/c.json' >/dev/null"

# The synthetic tenant: golden policy and report (paths as given here).
"$BCPC" import zpa tests/golden/zpa/tenant -o "$tmp/t.bcl" --report "$tmp/t.json" >/dev/null 2>&1
rc=$?
check "synthetic tenant: exit 1 (items in the report)" "[ $rc -eq 1 ]"
check "synthetic tenant: the golden policy" "cmp -s tests/golden/zpa/tenant.bcl '$tmp/t.bcl' || { diff -u tests/golden/zpa/tenant.bcl '$tmp/t.bcl' | head -30; false; }"
check "synthetic tenant: the golden report" "cmp -s tests/golden/zpa/tenant.report.json '$tmp/t.json' || { diff -u tests/golden/zpa/tenant.report.json '$tmp/t.json' | head -30; false; }"
"$BCPC" import zpa $(ls -r tests/golden/zpa/tenant/*.json) -o "$tmp/t2.bcl" >/dev/null 2>&1
sed -n '/^segment_group/,$p' "$tmp/t.bcl" > "$tmp/t.body"
sed -n '/^segment_group/,$p' "$tmp/t2.bcl" > "$tmp/t2.body"
check "synthetic tenant: files in another order give the same policy" "cmp -s '$tmp/t.body' '$tmp/t2.body'"
check "the worked example in docs/IMPORT.md is this output" \
	"awk '/^<!-- example-output -->/{f=1;next} /^<!-- end-example-output -->/{f=0} f' docs/IMPORT.md | sed '1d;\$d' | cmp -s - tests/golden/zpa/example.bcl"
"$BCPC" import zpa tests/golden/zpa/example -o "$tmp/e.bcl" >/dev/null 2>&1
check "the worked example's golden output" "cmp -s tests/golden/zpa/example.bcl '$tmp/e.bcl' || { diff -u tests/golden/zpa/example.bcl '$tmp/e.bcl' | head; false; }"

# business_continuity: domain and timers from the BC settings export, the rest from
# the command line; checked like any policy.
"$BCPC" import zpa tests/golden/zpa/tenant -o "$tmp/bc.bcl" --controller pcc1.acme.example \
	--controller pcc2.acme.example:8443 --sni c2.acme.example --sni-new-user c2site.acme.example \
	--sp-url https://bcpsp.acme.example/saml --sp-ca-file examples/acme/bc-sp-ca.pem >/dev/null 2>&1
rc=$?
check "business_continuity from the BC export and the command line" \
	"[ $rc -eq 1 ] && grep -q '^    domain \"acme.zpa.zsbcs.net\";' '$tmp/bc.bcl' && grep -q '^    enter_after 2m;' '$tmp/bc.bcl' && grep -q '^    controller \"pcc2.acme.example:8443\";' '$tmp/bc.bcl' && '$BCPC' check '$tmp/bc.bcl' >/dev/null"
check "without a BC export, business_continuity needs --domain (else nothing is written)" \
	"'$BCPC' import zpa tests/golden/zpa/example -o '$tmp/nd.bcl' --controller p.example --sni s.example >/dev/null 2>&1; [ \$? -eq 2 ] && [ ! -e '$tmp/nd.bcl' ]"
check "--domain gives it" \
	"'$BCPC' import zpa tests/golden/zpa/example -o '$tmp/d.bcl' --controller p.example --sni s.example --domain bc.example >/dev/null 2>&1; [ \$? -eq 1 ] && grep -q 'domain \"bc.example\";' '$tmp/d.bcl'"
check "--controller without --sni is a usage error" \
	"'$BCPC' import zpa tests/golden/zpa/example -o '$tmp/u.bcl' --controller p.example >/dev/null 2>&1; [ \$? -eq 2 ]"

# business_continuity merged from an admin-written .bcl given next to the export:
# its lines as written (sp_ca_file made absolute), replacing the export's timers,
# listed with the inputs; the result checks.
mkdir -p "$tmp/admin"
cp examples/acme/bc-sp-ca.pem "$tmp/admin/ca.pem"
cat >"$tmp/admin/bc.bcl" <<'EOF_BC'
business_continuity {
    controller "pcc1.acme.example", "pcc2.acme.example:8443";
    sni "c2.acme.example";
    sni_new_user "c2site.acme.example";
    sp_url "https://bcpsp.acme.example/saml";
    sp_ca_file "ca.pem";
    enter_after 5m;
}
EOF_BC
"$BCPC" import zpa tests/golden/zpa/tenant "$tmp/admin/bc.bcl" -o "$tmp/abc.bcl" --report "$tmp/abc.json" >/dev/null 2>&1
rc=$?
check "admin .bcl: business_continuity merged, and it checks" \
	"[ $rc -eq 1 ] && grep -q '^    domain \"acme.zpa.zsbcs.net\";' '$tmp/abc.bcl' && grep -q '^    controller \"pcc1.acme.example\", \"pcc2.acme.example:8443\";' '$tmp/abc.bcl' && '$BCPC' check '$tmp/abc.bcl' >/dev/null 2>&1"
check "admin .bcl: sp_ca_file is made absolute" \
	"grep -q '^    sp_ca_file \"/.*/admin/ca.pem\";' '$tmp/abc.bcl'"
check "admin .bcl: its enter_after replaces the export's, and the report says so" \
	"grep -q '^    enter_after 5m;' '$tmp/abc.bcl' && ! grep -q 'enter_after 2m' '$tmp/abc.bcl' && grep -q 'enter_after 5m from .*replaces the export' '$tmp/abc.json'"
check "admin .bcl: listed with the inputs and their SHA-256" \
	"grep -q \"^#   \$(sha256sum '$tmp/admin/bc.bcl' | cut -c1-64)  .*admin/bc.bcl\" '$tmp/abc.bcl'"
check "admin .bcl: a key also on the command line is a usage error, nothing written" \
	"'$BCPC' import zpa tests/golden/zpa/tenant '$tmp/admin/bc.bcl' --sni x.example -o '$tmp/ac.bcl' 2>'$tmp/ac.err'; [ \$? -eq 2 ] && grep -q \"'sni' is given both\" '$tmp/ac.err' && [ ! -e '$tmp/ac.bcl' ]"
printf 'tenant "x";\nbusiness_continuity { sni "a.example"; controller "p.example"; }\n' >"$tmp/admin/other.bcl"
check "admin .bcl: anything but business_continuity is refused, located" \
	"'$BCPC' import zpa tests/golden/zpa/tenant '$tmp/admin/other.bcl' -o '$tmp/ao.bcl' 2>'$tmp/ao.err'; [ \$? -eq 2 ] && grep -q 'other.bcl:1:1: error: .* may hold only a business_continuity block' '$tmp/ao.err' && [ ! -e '$tmp/ao.bcl' ]"
printf 'business_continuity { sni "a.example"; }\n' >"$tmp/admin/nc.bcl"
check "admin .bcl: no controller anywhere is a usage error" \
	"'$BCPC' import zpa tests/golden/zpa/tenant '$tmp/admin/nc.bcl' -o '$tmp/an.bcl' >/dev/null 2>&1; [ \$? -eq 2 ] && [ ! -e '$tmp/an.bcl' ]"
printf 'business_continuity { sni "a.example" controller; }\n' >"$tmp/admin/syn.bcl"
check "admin .bcl: a syntax error is shown with its place" \
	"'$BCPC' import zpa tests/golden/zpa/tenant '$tmp/admin/syn.bcl' -o '$tmp/as.bcl' 2>'$tmp/as.err'; [ \$? -eq 2 ] && grep -q 'syn.bcl:1:' '$tmp/as.err' && [ ! -e '$tmp/as.bcl' ]"
check "admin .bcl: a missing file is an error" \
	"'$BCPC' import zpa tests/golden/zpa/tenant '$tmp/admin/none.bcl' -o '$tmp/am.bcl' 2>'$tmp/am.err'; [ \$? -eq 2 ] && grep -q 'cannot read' '$tmp/am.err'"
check "admin .bcl: two of them is a usage error" \
	"'$BCPC' import zpa tests/golden/zpa/tenant '$tmp/admin/bc.bcl' '$tmp/admin/nc.bcl' -o '$tmp/a2.bcl' >/dev/null 2>&1; [ \$? -eq 2 ]"

# Refusals.
printf '{"list":[{"id":"1","name":"A","domainNames":["a.example"],"tcpPortRanges":["443","443"],"tcpPortRange":[{"from":"80","to":"80"}]}]}' > "$tmp/ports.json"
check "refuses an export whose two port forms disagree" \
	"'$BCPC' import zpa '$tmp/ports.json' -o '$tmp/x.bcl' 2>&1 | grep -q 'tcpPortRanges and tcpPortRange disagree'; [ ! -e '$tmp/x.bcl' ]"
printf '{"list":[{"id":"1","name":"A","domainNames":["a.example"],"tcpPortRanges":["443"]}]}' > "$tmp/odd.json"
check "refuses an odd-length legacy port list" "'$BCPC' import zpa '$tmp/odd.json' -o '$tmp/x.bcl' >/dev/null 2>&1; [ \$? -eq 2 ]"
printf '{"list":[{"id":1.5,"name":"G","idpId":"1"}]}' > "$tmp/frac.json"
check "refuses an id that is not an exact integer" "'$BCPC' import zpa '$tmp/frac.json' -o '$tmp/x.bcl' 2>&1 | grep -q 'never as floating-point'"
printf '{"idpId":2161962573312858250000}' > "$tmp/big.json"
check "refuses an integer too large to keep exactly" "'$BCPC' import zpa '$tmp/big.json' -o '$tmp/x.bcl' >/dev/null 2>&1; [ \$? -eq 2 ]"
printf '{"hello":"world"}' > "$tmp/unknown.json"
check "refuses an unknown object, naming the file and its keys" \
	"'$BCPC' import zpa '$tmp/unknown.json' -o '$tmp/x.bcl' 2>&1 | grep -q 'unknown.json: not a recognized ZPA export: an object with the keys hello'"
printf '{"domainNames":["a.example"],"samlName":"x"}' > "$tmp/amb.json"
check "refuses an ambiguous object" "'$BCPC' import zpa '$tmp/amb.json' -o '$tmp/x.bcl' 2>&1 | grep -q ambiguous"
printf '{"list":[{"id":"1","name":"A","domainNames":["a.example\\u0000.evil"],"tcpPortRanges":["443","443"]}]}' > "$tmp/nul.json"
check "refuses a NUL inside a string (it would cut a name short)" "'$BCPC' import zpa '$tmp/nul.json' -o '$tmp/x.bcl' 2>&1 | grep -q 'nul.json: not a ZPA export: invalid JSON'"
printf '{"list":[{"id":"9","name":"R","ruleOrder":"1","action":"ALLOW","conditions":[{"operator":"OR","operands":[{"objectType":"SAML","lhs":"5","rhs":"a\\nb"}]}]}]}' > "$tmp/ctl-rules.json"
printf '{"list":[{"id":"5","name":"d_O","samlName":"d","idpId":"7"}]}' > "$tmp/ctl-saml.json"
printf '{"list":[{"id":"7","name":"O","ssoType":["USER"]}]}' > "$tmp/ctl-idp.json"
"$BCPC" import zpa "$tmp/ctl-rules.json" "$tmp/ctl-saml.json" "$tmp/ctl-idp.json" -o "$tmp/ctl.bcl" --report "$tmp/ctl.json" >/dev/null 2>&1
rc=$?
check "a value with a line break is not translated: the allow rule is left out" \
	"[ $rc -eq 1 ] && jq -e '.untranslated[0].why | test(\"control character\")' '$tmp/ctl.json' >/dev/null && ! grep -q 'rule \"R\"' '$tmp/ctl.bcl'"
printf '{"name":"V2","action":"ALLOW","conditions":[{"operator":"OR","operands":[{"objectType":"APP","values":[]}]}]}' > "$tmp/v2empty.json"
"$BCPC" import zpa "$tmp/v2empty.json" -o "$tmp/v2e.bcl" --report "$tmp/v2e.json" >/dev/null 2>&1
rc=$?
check "a v2 operand with an empty value list leaves its allow rule out" \
	"[ $rc -eq 1 ] && ! grep -q 'rule \"V2\"' '$tmp/v2e.bcl' && jq -e '.untranslated[0].why | test(\"without any value\")' '$tmp/v2e.json' >/dev/null"
check "a missing file is exit 2" "'$BCPC' import zpa '$tmp/none.json' -o '$tmp/x.bcl' >/dev/null 2>&1; [ \$? -eq 2 ]"
check "no -o is a usage error" "'$BCPC' import zpa '$S' >/dev/null 2>&1; [ \$? -eq 2 ]"
check "an unknown source is a usage error" "'$BCPC' import okta x -o y >/dev/null 2>&1; [ \$? -eq 2 ]"
check "--help says the command" "'$BCPC' import --help | grep -q 'import zpa'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
