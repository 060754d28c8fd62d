#!/bin/sh
# includes.sh - the include graph keeps the shape docs/ARCHITECTURE.md gives it:
#   runtime/  includes nothing outside runtime/ (it ships alone, inside a client);
#   support/  includes nothing of the tree outside support/;
#   grammar/  includes only grammar/ and support/ (and its generated parser.h, lexer.h);
#   compiler/ (with its capability folders, such as compiler/zpa/) includes compiler/,
#             grammar/, support/, and of runtime/ only bcp.h and bcp_format.h;
# every quoted include names a file of the tree, and no module (X.c with its X.h)
# reaches itself again through the modules it includes: compiler -> grammar ->
# support, one way. System headers (<...>) are not looked at.
# One check per file, and one for the cycles. INCLUDES_ROOT names another tree to
# check (by default the current folder), e.g. a copy with a planted violation.
root=${INCLUDES_ROOT:-.}
cd "$root" || exit 1

# "file<TAB>included name" for every quoted include of the four folders.
edges=$(for f in runtime/* support/* grammar/* compiler/* compiler/*/*; do
	case $f in *.c | *.h | *.y | *.l) ;; *) continue ;; esac
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
		while read -r inc; do printf '%s\t%s\n' "$f" "$inc"; done
	printf '%s\t\n' "$f"    # a file that includes nothing still gets its check
done)

printf '%s\n' "$edges" | awk -F '\t' '
function exists(p) { return (system("test -f \"" p "\"") == 0) }
function dir(p) { sub(/\/[^\/]*$/, "", p); return p }
# The top folder: a capability folder inside compiler/ (compiler/zpa) is compiler.
function top(p) { sub(/\/.*$/, "", p); return p }
function module(p) { sub(/\.[a-z]$/, "", p); return p }
# Resolves a quoted include as the compiler does: the including file'"'"'s folder
# first, then the -I folders of the Makefile in their order. The parser and the
# scanner headers are generated into the build folder, from grammar/.
function resolve(from, inc,    d, i, p) {
	d = dir(from)
	if (inc ~ /\//) {
		p = d "/" inc
		while (p ~ /[^\/.]+\/\.\.\//)
			sub(/[^\/.]+\/\.\.\//, "", p)
		return exists(p) ? p : ""
	}
	if (exists(d "/" inc))
		return d "/" inc
	for (i = 1; i <= nsearch; i++)
		if (exists(search[i] "/" inc))
			return search[i] "/" inc
	if (inc == "parser.h" || inc == "lexer.h")
		return "grammar/" inc
	return ""
}
function allowed(from, to,    a, b) {
	a = top(from); b = top(to)
	if (a == b) return 1
	if (a == "grammar") return b == "support"
	# compiler/ and its folders (compiler/analysis/, ...) are one module of the tree.
	if (a == "compiler" || a ~ /^compiler\//)
		return b == "compiler" || b ~ /^compiler\// || b == "grammar" || b == "support" ||
			to == "runtime/bcp.h" || to == "runtime/bcp_format.h"
	return 0    # runtime, support: nothing outside their own folder
}
# Depth-first search for a cycle through module m; prints it and counts it.
function visit(m,    i, n, list, k) {
	state[m] = 1
	stack[++depth] = m
	n = split(succ[m], list, " ")
	for (i = 1; i <= n; i++) {
		if (list[i] == "") continue
		if (state[list[i]] == 1) {
			printf "cycle:"
			for (k = 1; k <= depth; k++)
				if (k >= pos(list[i])) printf " %s", stack[k]
			printf " %s\n", list[i]
			ncycles++
		} else if (!state[list[i]]) {
			visit(list[i])
		}
	}
	depth--
	state[m] = 2
}
function pos(m,    k) { for (k = 1; k <= depth; k++) if (stack[k] == m) return k; return 0 }
BEGIN { nsearch = split("support compiler compiler/zpa runtime grammar", search, " ") }
{
	f = $1
	if (!(f in seen)) { seen[f] = 1; order[++nfiles] = f }
	if ($2 == "") next
	to = resolve(f, $2)
	if (to == "") { why[f] = why[f] "\n  " f ": \"" $2 "\" is no file of the tree"; next }
	if (!allowed(f, to)) why[f] = why[f] "\n  " f ": includes " to
	if (top(f) != top(to) && !((top(f) SUBSEP top(to)) in fedge)) {
		fedge[top(f), top(to)] = 1
		folders[top(f)] = folders[top(f)] " " top(to)
	}
	a = module(f); b = module(to)
	if (a != b && !((a SUBSEP b) in edge)) { edge[a, b] = 1; succ[a] = succ[a] " " b; mods[a] = 1 }
}
END {
	for (d in folders)
		print "# " d " includes" folders[d]
	for (i = 1; i <= nfiles; i++) {
		f = order[i]
		if (f in why) { print "not ok - " f why[f]; fail++ } else { print "ok - " f; pass++ }
	}
	for (m in mods)
		if (!state[m]) visit(m)
	if (ncycles) { print "not ok - module include cycles: " ncycles; fail++ }
	else { print "ok - no module include cycles"; pass++ }
	printf "%d passed, %d failed\n", pass, fail
	exit fail != 0
}'
