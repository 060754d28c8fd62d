#!/bin/sh
# zpa_scale.sh BCPC [DIR] - the scale figure of `bcpc import zpa` (docs/BENCHMARKS.md):
# writes a synthetic export of 10,000 application segments (20 pages of 500, both port
# forms), 200 segment groups, 2,000 access rules (4 pages of 500; application,
# SAML, SCIM group, posture and client type conditions, some negated) and its lookups
# (2 IdPs, SAML attributes, 400 SCIM groups as JSON numbers, postures, networks) into
# DIR (default: a temporary folder), then times the import, three runs, and prints
# the best. Needs jq.
set -e
BCPC=${1:?usage: zpa_scale.sh BCPC [DIR]}
D=${2:-$(mktemp -d)}
mkdir -p "$D"

for p in $(seq 0 19); do
	jq -n --argjson p "$p" '{totalPages: "20", totalCount: "10000", list: [range($p * 500; $p * 500 + 500) as $i | {
		id: ("7200000000" + ($i + 100000 | tostring)), name: ("app-\($i)"), enabled: ($i % 97 != 0),
		domainNames: ["app\($i).corp\($i % 50).example", "*.svc\($i).example", "10.\($i / 256 | floor % 256).\($i % 256).0/24"],
		tcpPortRanges: ["443", "443", "8000", "\(8000 + $i % 100)"],
		tcpPortRange: [{from: "443", to: "443"}, {from: "8000", to: "\(8000 + $i % 100)"}],
		segmentGroupId: ("7200000000" + ($i % 200 + 900000 | tostring)),
		bypassType: (if $i % 50 == 0 then "ALWAYS" else "NEVER" end),
		matchStyle: (if $i % 10 == 0 then "INCLUSIVE" else "EXCLUSIVE" end)}]}' > "$D/application-$p.json"
done
jq -n '{totalPages: "1", list: [range(200) as $g | {id: ("7200000000" + ($g + 900000 | tostring)),
	name: ("group-\($g)"), enabled: true, configSpace: "DEFAULT", tcpKeepAliveEnabled: "0"}]}' > "$D/segmentGroup.json"
jq -n '{totalPages: "1", list: [
	{id: "216196257331285825", name: "Okta", ssoType: ["USER"], enableScimBasedPolicy: true, disableSamlBasedPolicy: false},
	{id: "216196257331285901", name: "Entra", ssoType: ["USER"], enableScimBasedPolicy: true, disableSamlBasedPolicy: false}]}' > "$D/idp.json"
jq -n '{totalPages: "1", list: [range(2) as $d | range(4) as $a | {id: ("72000000004\($d)\($a)"),
	name: "attr\($a)_\($d)", samlName: "attr\($a)", idpId: (["216196257331285825", "216196257331285901"][$d])}]}' > "$D/samlAttribute.json"
# SCIM groups come from the userconfig API with JSON numbers (idpId above 2^53).
printf '{"totalPages":1,"totalCount":400,"list":[' > "$D/scimgroup.json"
for i in $(seq 0 399); do
	[ "$i" -gt 0 ] && printf ','
	printf '{"id":%d,"name":"team-%d","idpId":216196257331285825}' $((3251000 + i)) "$i"
done >> "$D/scimgroup.json"
printf ']}\n' >> "$D/scimgroup.json"
jq -n '{totalPages: "1", list: [range(4) as $i | {id: "p\($i)", name: "posture-\($i) (zscalerthree.net)", postureUdid: "udid-\($i)", zscalerCloud: "zscalerthree.net"}]}' > "$D/posture.json"
jq -n '{totalPages: "1", list: [range(4) as $i | {id: "n\($i)", name: "net-\($i) (zscalerthree.net)", networkId: "nid-\($i)", zscalerCloud: "zscalerthree.net"}]}' > "$D/network.json"
for p in 0 1 2 3; do
	jq -n --argjson p "$p" '{totalPages: "4", list: [range($p * 500; $p * 500 + 500) as $r | {
		id: ("7200000000" + ($r + 500000 | tostring)), name: "rule-\($r)", ruleOrder: ("\($r + 1)"),
		policyType: "1", operator: "AND", action: (if $r % 5 == 0 then "DENY" else "ALLOW" end), disabled: "0",
		conditions: [
			{operator: "OR", negated: false, operands: ([range(5) as $k |
				{objectType: "APP", lhs: "id", rhs: ("7200000000" + (($r * 5 + $k) % 10000 + 100000 | tostring))}]
				+ [{objectType: "APP_GROUP", lhs: "id", rhs: ("7200000000" + ($r % 200 + 900000 | tostring))}])},
			{operator: "OR", negated: false, operands: [
				{objectType: "SAML", lhs: "720000000040\($r % 4)", rhs: "value-\($r % 7)"},
				{objectType: "SAML", lhs: "720000000040\($r % 4)", rhs: "value-\($r % 5)"}]},
			{operator: "OR", negated: ($r % 3 == 0), operands: [
				{objectType: "SCIM_GROUP", lhs: "216196257331285825", rhs: "\(3251000 + $r % 400)"}]},
			{operator: "AND", negated: false, operands: [
				{objectType: "POSTURE", lhs: "udid-\($r % 4)", rhs: (if $r % 2 == 0 then "true" else "false" end)},
				{objectType: "CLIENT_TYPE", lhs: "id", rhs: "zpn_client_type_zapp"}]}]}]}' > "$D/rules-$p.json"
done

best=
for run in 1 2 3; do
	t0=$(date +%s.%N)
	"$BCPC" import zpa "$D" -o "$D.bcl" --report "$D.report.json" 2>/dev/null || [ $? -eq 1 ]
	t1=$(date +%s.%N)
	t=$(echo "$t1 - $t0" | bc)
	if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
echo "segments $(jq .output.segments "$D.report.json"), rules $(jq .output.rules "$D.report.json"), untranslated $(jq '.untranslated | length' "$D.report.json"), input $(du -sh "$D" | cut -f1)"
echo "import seconds (best of 3, including the check of the output): $best"
