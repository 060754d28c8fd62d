#!/usr/bin/env node
/* bench.js - Cedar as the peer engine: the same policy (translated by translate.js),
 * the same requests, the same answers, then its speed.
 *
 * 1. Translates the checked model and preparses both encodings once
 *    (preparsePolicySet); every call after that is statefulIsAuthorized.
 * 2. Checks every request against expected.jsonl (the reference evaluator's answers)
 *    before timing anything: the verdict of the "ordered" encoding, and verdict, rule
 *    and segment of the "per-rule" encoding. Any difference stops the run (exit 1).
 * 3. Times, median of --runs runs, each over the same requests, answers checked
 *    again after each run (--runs 0: check only, write nothing):
 *      cedar only - statefulIsAuthorized on prepared calls, for the requests that
 *                   reach the access policy (step 4);
 *      full       - every request from its parsed JSON object to its decision:
 *                   segment resolution in JS, the Cedar request, and Cedar when needed.
 * 4. Prints a table and read-modify-writes the "peers" object of --bench-json.
 *
 * usage: node bench.js --cedar DIR --dump DUMP.json --requests REQS.jsonl
 *          --expected EXPECTED.jsonl [--out DIR] [--bench-json FILE] [--manifest FILE] [--runs N]
 *          [--max-requests N] [--per-rule-check N] [--per-rule-time N]
 *          [--facts context|entities] [--block-size N] */
'use strict';
const fs = require('fs');
const path = require('path');
const { Resolver } = require('./resolve.js');
const { translate } = require('./translate.js');

function parseArgs(argv) {
	const o = {
		cedar: null, dump: null, requests: null, expected: null, out: null, benchJson: null,
		manifest: null, runs: 7, maxRequests: 5000, perRuleCheck: 500, perRuleTime: 100,
		facts: 'context', blockSize: 0,
	};
	const names = {
		'--cedar': 'cedar', '--dump': 'dump', '--requests': 'requests', '--expected': 'expected',
		'--out': 'out', '--bench-json': 'benchJson', '--manifest': 'manifest', '--runs': 'runs',
		'--max-requests': 'maxRequests', '--per-rule-check': 'perRuleCheck',
		'--per-rule-time': 'perRuleTime', '--facts': 'facts', '--block-size': 'blockSize',
	};
	for (let i = 0; i < argv.length; i++) {
		const k = names[argv[i]];
		if (!k || i + 1 >= argv.length) usage(`bad argument '${argv[i]}'`);
		const v = argv[++i];
		o[k] = typeof o[k] === 'number' ? Number(v) : v;
	}
	for (const k of ['cedar', 'dump', 'requests', 'expected'])
		if (!o[k]) usage(`--${k} is required`);
	return o;
}

function usage(msg) {
	process.stderr.write(`bench.js: ${msg}\nusage: node bench.js --cedar DIR --dump DUMP.json ` +
		'--requests REQS.jsonl --expected EXPECTED.jsonl [--out DIR] [--bench-json FILE] ' +
		'[--manifest FILE] ' +
		'[--runs N] [--max-requests N] [--per-rule-check N] [--per-rule-time N] ' +
		'[--facts context|entities] [--block-size N]\n');
	process.exit(2);
}

function die(msg) {
	process.stderr.write(`bench-peers: FAIL: ${msg}\n`);
	process.exit(1);
}

function readLines(file, max) {
	const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
	return max > 0 ? lines.slice(0, max) : lines;
}

const median = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const now = () => process.hrtime.bigint();
const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

function main() {
	const o = parseArgs(process.argv.slice(2));
	const cedar = require(path.resolve(o.cedar, 'nodejs'));
	const cedarVersion = cedar.getCedarVersion();
	const sdkVersion = require(path.resolve(o.cedar, 'package.json')).version;

	/* ---- translate and preparse ---- */
	const model = JSON.parse(fs.readFileSync(o.dump, 'utf8'));
	const resolver = new Resolver(model);
	let t0 = now();
	const tr = translate(model, { facts: o.facts, blockSize: o.blockSize || undefined });
	const translateS = seconds(t0);
	if (o.out) {
		fs.mkdirSync(o.out, { recursive: true });
		fs.writeFileSync(path.join(o.out, 'ordered.cedar'), tr.ordered);
		fs.writeFileSync(path.join(o.out, 'per-rule.cedar'),
			Object.entries(tr.perRule).map(([id, p]) => `// ${id}\n${p}`).join('\n'));
	}
	const preparse = (id, set) => {
		const t = now();
		let r;
		try {
			r = cedar.preparsePolicySet(id, { staticPolicies: set });
		} catch (e) {   /* a stack overflow inside the WebAssembly */
			die(`Cedar could not parse the ${id} policy set (${e.message}); try a smaller --block-size`);
		}
		if (r.type !== 'success') die(`Cedar refused the ${id} policy set: ${JSON.stringify(r.errors).slice(0, 2000)}`);
		return seconds(t);
	};
	const preparseOrderedS = preparse('ordered', { ordered: tr.ordered });
	const preparsePerRuleS = preparse('per-rule', tr.perRule);

	const authorize = (setId, user, S) => {
		const call = tr.request(user, S);
		call.preparsedPolicySetId = setId;
		const a = cedar.statefulIsAuthorized(call);
		return checkAnswer(a, setId);
	};

	/* ---- requests and answers ---- */
	const reqLines = readLines(o.requests, o.maxRequests);
	const expLines = readLines(o.expected, reqLines.length);
	if (expLines.length !== reqLines.length)
		die(`${o.requests} has ${reqLines.length} requests but ${o.expected} ${expLines.length} answers`);
	const requests = [], expected = [];
	let skipped = 0;
	for (let i = 0; i < reqLines.length; i++) {
		const e = JSON.parse(expLines[i]);
		const r = JSON.parse(reqLines[i]);
		if (e.error !== undefined) {
			/* bcpc refused the line; ours must be refused too when it is the host. */
			const res = typeof r.host === 'string' ? resolver.resolve(r.host, r.port, r.proto || 'tcp', r.user) : null;
			if (/host/.test(e.error) && res && res.outcome !== 'refused')
				die(`request ${i + 1}: bcpc refused it (${e.error}) but resolve.js did not`);
			skipped++;
			continue;
		}
		r.proto = r.proto || 'tcp';
		r.line = i + 1;
		requests.push(r);
		expected.push(e);
	}

	/* ---- check every answer before timing ---- */
	t0 = now();
	const toCedar = [];   /* {user, S, verdict} for the requests that reach step 4 */
	let perRuleChecked = 0;
	const outcomes = { none: 0, drop: 0, bypass: 0, rules: 0 };
	for (let i = 0; i < requests.length; i++) {
		const r = requests[i], e = expected[i];
		const res = resolver.resolve(r.host, r.port, r.proto, r.user);
		const where = `request line ${r.line} (${r.host}:${r.port}/${r.proto})`;
		const same = (got, want, what) => {
			if (got !== want)
				die(`${where}: ${what} is ${JSON.stringify(got)}, the reference says ${JSON.stringify(want)}`);
		};
		if (res.outcome === 'refused') die(`${where}: resolve.js refused the host; the reference did not`);
		outcomes[res.outcome]++;
		if (res.outcome !== 'rules') {
			same(res.outcome, e.decision, 'decision');
			same(res.segment ? res.segment.name : null, e.segment, 'segment');
			same(null, e.rule, 'rule');
			continue;
		}
		const verdict = authorize('ordered', r.user, res.S).decision;
		same(verdict, e.decision, 'Cedar (ordered) decision');
		toCedar.push({ user: r.user, S: res.S, verdict });
		if (perRuleChecked < o.perRuleCheck) {
			const pr = perRuleAnswer(authorize('per-rule', r.user, res.S), tr, res.S);
			same(pr.decision, e.decision, 'Cedar (per-rule) decision');
			same(pr.rule, e.rule, 'Cedar (per-rule) rule');
			same(pr.segment, e.segment, 'Cedar (per-rule) segment');
			perRuleChecked++;
		}
	}
	const checkS = seconds(t0);
	if (toCedar.length === 0) die('no request reaches the access policy: nothing for Cedar to decide');
	const verdicts = requests.map((r, i) => expected[i].decision);
	if (o.runs <= 0) {
		process.stdout.write(`bench-peers: checked only: all ${requests.length} verdicts (ordered), ` +
			`${perRuleChecked} verdicts + rules + segments (per-rule) equal to the reference ` +
			`(${skipped} lines refused by bcpc left out), in ${checkS.toFixed(1)} s\n`);
		return;
	}

	/* ---- time ---- */
	const callFor = (c, setId) => Object.assign(tr.request(c.user, c.S), { preparsedPolicySetId: setId });
	const calls = toCedar.map((c) => callFor(c, 'ordered'));
	const cedarOnly = [], full = [];
	const got = new Array(Math.max(calls.length, requests.length));
	/* V8 compiles the WebAssembly in tiers; an untimed pass lets the hot code tier up. */
	for (let i = 0; i < calls.length; i++) cedar.statefulIsAuthorized(calls[i]);
	for (let run = 0; run < o.runs; run++) {
		t0 = now();
		for (let i = 0; i < calls.length; i++) got[i] = cedar.statefulIsAuthorized(calls[i]);
		cedarOnly.push(calls.length / seconds(t0));
		for (let i = 0; i < calls.length; i++)
			if (checkAnswer(got[i], 'ordered').decision !== toCedar[i].verdict)
				die(`timed run ${run + 1}: Cedar-only answer ${i} changed`);

		t0 = now();
		for (let i = 0; i < requests.length; i++) {
			const r = requests[i];
			const res = resolver.resolve(r.host, r.port, r.proto, r.user);
			if (res.outcome !== 'rules') {
				got[i] = res.outcome;
				continue;
			}
			const call = tr.request(r.user, res.S);
			call.preparsedPolicySetId = 'ordered';
			got[i] = cedar.statefulIsAuthorized(call).response.decision;
		}
		full.push(requests.length / seconds(t0));
		for (let i = 0; i < requests.length; i++)
			if (got[i] !== verdicts[i]) die(`timed run ${run + 1}: answer to line ${requests[i].line} changed`);
	}
	const prCalls = toCedar.slice(0, o.perRuleTime).map((c) => callFor(c, 'per-rule'));
	const perRule = [];
	for (let run = 0; run < Math.min(o.runs, 3) && prCalls.length; run++) {
		t0 = now();
		for (let i = 0; i < prCalls.length; i++) got[i] = cedar.statefulIsAuthorized(prCalls[i]);
		perRule.push(prCalls.length / seconds(t0));
		for (let i = 0; i < prCalls.length; i++)
			if (perRuleAnswer(checkAnswer(got[i], 'per-rule'), tr, toCedar[i].S).decision !== toCedar[i].verdict)
				die(`timed per-rule run ${run + 1}: answer ${i} changed`);
	}

	/* ---- report ---- */
	const res = {
		cedar_version: cedarVersion,
		cedar_wasm_package: `@cedar-policy/cedar-wasm@${sdkVersion}`,
		cedar_encoding: `ordered: one permit policy, the ${tr.rules.length} rules as a first-match ` +
			`chain in blocks of ${tr.blockSize}; segments resolved in JS; request facts as ` +
			(tr.facts === 'context' ? 'context keys tested with has' : 'entity parents tested with in'),
		cedar_rules: tr.rules.length,
		cedar_requests: requests.length,
		cedar_requests_authorized: calls.length,
		cedar_decisions_per_s: Math.round(median(full)),
		cedar_authorizations_per_s: Math.round(median(cedarOnly)),
		cedar_per_rule_authorizations_per_s: perRule.length ? Math.round(median(perRule)) : null,
		cedar_runs: o.runs,
	};
	const table = [
		['Cedar', `${cedarVersion} (@cedar-policy/cedar-wasm ${sdkVersion}, Node.js ${process.versions.node})`],
		['tenant', `${model.segments.length} segments, ${model.patterns.length} patterns, ` +
			`${tr.rules.length} rules`],
		['rules', `${tr.rules.length} (ordered policy ${(Buffer.byteLength(tr.ordered) / 1e6).toFixed(2)} MB, ` +
			`blocks of ${tr.blockSize}, facts in ${tr.facts})`],
		['translate + preparse', `${translateS.toFixed(2)} s + ordered ${preparseOrderedS.toFixed(2)} s, ` +
			`per-rule ${preparsePerRuleS.toFixed(2)} s`],
		['requests', `${requests.length} (${skipped} refused by bcpc, left out): none ${outcomes.none}, ` +
			`drop ${outcomes.drop}, bypass ${outcomes.bypass}, to Cedar ${outcomes.rules}`],
		['checked', `all ${requests.length} verdicts (ordered), ${perRuleChecked} verdicts + rules + ` +
			`segments (per-rule), in ${checkS.toFixed(1)} s: equal to the reference`],
		['full, decisions/s', `${fmt(res.cedar_decisions_per_s)}  (median of ${o.runs}: ${full.map(fmt).join(' ')})`],
		['Cedar only, authorizations/s', `${fmt(res.cedar_authorizations_per_s)}  (${cedarOnly.map(fmt).join(' ')})`],
		['per-rule, authorizations/s', perRule.length ? `${fmt(res.cedar_per_rule_authorizations_per_s)}  ` +
			`(${prCalls.length} calls; ${perRule.map(fmt).join(' ')})` : 'not timed'],
	];
	if (o.benchJson) {
		const doc = readJsonOr(o.benchJson, {});
		doc.peers = Object.assign(doc.peers || {}, res);
		if (doc.peers.rules === undefined) doc.peers.rules = tr.rules.length;
		const bcp = doc.peers.bcp_decisions_per_s;
		if (typeof bcp === 'number' && bcp > 0) {
			doc.peers.bcp_over_cedar = round3(bcp / res.cedar_decisions_per_s);
			doc.peers.bcp_over_cedar_authorizations = round3(bcp / res.cedar_authorizations_per_s);
			table.push(['bcp / Cedar', `${fmt(doc.peers.bcp_over_cedar)}x (bcp ${fmt(bcp)} decisions/s; ` +
				`${fmt(doc.peers.bcp_over_cedar_authorizations)}x Cedar only)`]);
			const m = o.manifest ? readJsonOr(o.manifest, {}) : {};
			if (typeof m.bcp_decisions_per_s === 'number' && Math.abs(m.bcp_decisions_per_s - bcp) > bcp * 0.01)
				table.push(['WARNING', `${o.manifest} says bcp ${fmt(m.bcp_decisions_per_s)} decisions/s: ` +
					`${o.benchJson} and these requests are from different runs`]);
		} else {
			table.push(['bcp / Cedar', `no peers.bcp_decisions_per_s in ${o.benchJson}: no ratio`]);
		}
		fs.mkdirSync(path.dirname(o.benchJson), { recursive: true });
		const tmp = `${o.benchJson}.tmp${process.pid}`;
		fs.writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n');
		fs.renameSync(tmp, o.benchJson);
		table.push(['written', `${o.benchJson} "peers"`]);
	}
	const w = Math.max(...table.map((r) => r[0].length));
	for (const [k, v] of table) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
}

/* The Cedar answer, or a loud stop: a policy that errors is skipped by Cedar and
 * would turn into a silent deny. */
function checkAnswer(a, setId) {
	if (a.type !== 'success') die(`Cedar failed (${setId}): ${JSON.stringify(a.errors).slice(0, 2000)}`);
	if (a.response.diagnostics.errors.length)
		die(`Cedar policy errors (${setId}): ${JSON.stringify(a.response.diagnostics.errors).slice(0, 2000)}`);
	return a.response;
}

/* Per-rule: every matching rule is a reason; the lowest index decides. */
function perRuleAnswer(resp, tr, S) {
	let best = -1;
	for (const id of resp.diagnostics.reason) {
		const k = Number(id.slice(1));
		if (best < 0 || k < best) best = k;
	}
	if (best < 0) return { decision: 'deny', rule: null, segment: S[0].name };
	const rule = tr.rules[best];
	const seg = S.find((s) => tr.applies(rule, s));
	return { decision: rule.allow ? 'allow' : 'deny', rule: rule.name, segment: seg ? seg.name : null };
}

function readJsonOr(file, dflt) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (e) {
		if (e.code === 'ENOENT') return dflt;
		die(`cannot read ${file}: ${e.message}`);
	}
}

const round3 = (x) => Math.round(x * 1000) / 1000;
const fmt = (x) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : String(round3(x)));

main();
