#!/bin/sh
# check_peers.sh BUILDDIR PEERSDIR - the peer comparison's inputs agree with bcpc
# itself: `bcpc query` on the blob and `bcpc query --reference` on the sources both
# answer requests.jsonl exactly as expected.jsonl says. This checks the JSON form of
# the requests (what a peer engine reads) end to end, through the command line.
B=$1
P=$2
BCPC=$B/bcpc
set -e
files=$(ls "$P"/policy*.bcl | sort -V)
tp=$(cat "$P/thumbprint")
# expected.jsonl has what a peer engine answers: the decision, segment, rule and
# profile; query's "reason" (bcpc's own explanation) is left out of the comparison.
"$BCPC" query "$P/policy.bcp" --thumbprint "$tp" --batch "$P/requests.jsonl" |
	jq -c 'del(.reason)' > "$P/got.runtime.jsonl"
# shellcheck disable=SC2086 # one word per file
"$BCPC" query --reference $files --batch "$P/requests.jsonl" |
	jq -c 'del(.reason)' > "$P/got.reference.jsonl"
for got in "$P/got.runtime.jsonl" "$P/got.reference.jsonl"; do
	if ! cmp -s "$got" "$P/expected.jsonl"; then
		echo "check_peers: $got differs from $P/expected.jsonl:"
		diff "$P/expected.jsonl" "$got" | head -n 10
		exit 1
	fi
done
rm -f "$P/got.runtime.jsonl" "$P/got.reference.jsonl"
echo "peers: $(wc -l < "$P/requests.jsonl") requests in $P answer as expected.jsonl through bcpc query (blob and --reference)"
