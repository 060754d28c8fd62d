#!/usr/bin/env node
/* translate.js - the access policy of a checked model (`bcpc dump --json`) as Cedar:
 * policy text, and the Cedar request (context, entities) of one request. It translates
 * step 4 of LANGUAGE.md section 6 only ("the first rule in order that applies to some
 * segment of S and whose user clauses all hold decides"); steps 1-3 are resolve.js.
 *
 * Two encodings of the same rules, both exact:
 *
 *   "ordered" - one permit policy whose condition is the rule list as a first-match
 *     chain: `if c_r then <r allows> else REST`, the end is `false`, and runs of one
 *     action share one `if`. Cedar's own Allow/Deny is the verdict; evaluation stops
 *     at the first rule that matches. Cedar runs out of stack on a chain some hundreds
 *     deep, so the chain is cut into blocks of about sqrt(n) rules:
 *     `if any(B1) then first(B1) else if any(B2) then first(B2) ... else first(Bk)`.
 *     The rule that decided is not recoverable from one policy.
 *
 *   "per-rule" - one permit policy per rule (policy id "r<index>", @rule annotation),
 *     c_r as its condition. Cedar reports every rule that matches in
 *     diagnostics.reason; the lowest index is the first match and decides, by its
 *     action. This is what a Cedar user writes first; it names the rule, so it checks
 *     rules and segments.
 *
 * c_r = app part && user clauses, in the rule's order. The app part tests the
 * segments and groups the rule applies to (4.7; with several app clauses, their
 * intersection, computed here). A user clause is `[!](atom || atom ...)`.
 *
 * What the request carries, "facts": each segment of S and its group, and every user
 * value a rule can test (one SAML value of one attribute, one SCIM group, the
 * platform...), with the two fixes the semantics prescribes: a missing client type is
 * "zapp", and the country is upper-cased (ASCII only). Two ways to hand them over:
 *
 *   "context" (the default, and the faster) - each fact is a key of the context
 *     record, and each atom value one `context has "<key>"`. Cedar unmarshals a
 *     record of booleans faster than entities, and `has` is its cheapest test.
 *   "entities" - the idiomatic hierarchy: the principal is a member of one entity per
 *     user fact, the resource has the segments of S as parents and each segment its
 *     group; a user clause is one `principal in [...]`, the app part one
 *     `resource in [...]`.
 *
 * CLI: node translate.js DUMP.json OUTDIR [--facts context|entities] writes
 * OUTDIR/ordered.cedar, OUTDIR/per-rule.cedar and OUTDIR/translation.json (counts). */
'use strict';

const FACT_MODELS = ['context', 'entities'];

/* ---- Cedar text ---- */

/* A Cedar string literal: escapes for \ and ", and \u{..} for control characters. */
function cstr(s) {
	let out = '"';
	for (const ch of s) {
		const c = ch.codePointAt(0);
		if (ch === '\\') out += '\\\\';
		else if (ch === '"') out += '\\"';
		else if (c < 0x20 || c === 0x7f) out += `\\u{${c.toString(16)}}`;
		else out += ch;
	}
	return out + '"';
}

const uidText = (type, id) => `${type}::${cstr(id)}`;

/* Balanced a || b || ... so the nesting stays logarithmic. */
function anyOf(exprs) {
	if (exprs.length === 0) return 'false';
	if (exprs.length === 1) return exprs[0];
	const mid = exprs.length >> 1;
	return `(${anyOf(exprs.slice(0, mid))} || ${anyOf(exprs.slice(mid))})`;
}

function allOf(exprs) {
	if (exprs.length === 0) return 'true';
	return exprs.length === 1 ? exprs[0] : `(${exprs.join(' && ')})`;
}

/* ---- facts ---- */

/* Per kind: the letter of its context keys and its entity type. An attribute fact
 * names its attribute with its length first, so no attribute or value can make two
 * facts look alike. */
const KINDS = {
	segment: ['S', 'Segment'], segment_group: ['G', 'SegmentGroup'],
	saml: ['a', 'SamlValue'], scim: ['m', 'ScimValue'], scim_group: ['g', 'ScimGroup'],
	idp: ['i', 'Idp'], platform: ['p', 'Platform'], client_type: ['c', 'ClientType'],
	posture: ['o', 'Posture'], trusted_network: ['t', 'TrustedNetwork'], country: ['n', 'Country'],
};

function factKey(kind, attr, value) {
	const k = KINDS[kind];
	if (!k) throw new Error(`unknown atom kind ${kind}`);
	return attr == null ? `${k[0]}:${value}` : `${k[0]}${attr.length}:${attr}=${value}`;
}

const factUid = (kind, attr, value) =>
	({ type: KINDS[kind][1], id: attr == null ? value : JSON.stringify([attr, value]) });

function asciiUpper(s) {
	return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/* Every user fact, as [kind, attr or null, value], calling add for each. */
function userFacts(u, add) {
	u = u || {};
	for (const [kind, rec] of [['saml', u.saml], ['scim', u.scim]])
		for (const attr in rec || {})
			for (const v of rec[attr]) add(kind, attr, v);
	for (const g of u.scim_groups || []) add('scim_group', null, g);
	if (u.idp != null) add('idp', null, u.idp);
	if (u.platform != null) add('platform', null, u.platform);
	add('client_type', null, u.client_type == null ? 'zapp' : u.client_type);
	for (const p of u.posture || []) add('posture', null, p);
	for (const t of u.trusted_networks || []) add('trusted_network', null, t);
	if (u.country != null) add('country', null, asciiUpper(u.country));
}

const PRINCIPAL = { type: 'User', id: 'user' };
const ACTION = { type: 'Action', id: 'access' };
const RESOURCE = { type: 'Request', id: 'request' };

/* One atom value as a Cedar test, and a list of them OR'd. */
function factTests(facts, model, subject) {
	if (model === 'context')
		return anyOf(facts.map(([kind, attr, v]) => `context has ${cstr(factKey(kind, attr, v))}`));
	const uids = facts.map(([kind, attr, v]) => {
		const u = factUid(kind, attr, v);
		return uidText(u.type, u.id);
	});
	return uids.length === 1 ? `${subject} in ${uids[0]}` : `${subject} in [${uids.join(', ')}]`;
}

/* ---- rules ---- */

/* One user clause: its atoms' values OR'd, then `not`. */
function userClause(clause, model) {
	const facts = [];
	for (const at of clause.any)
		for (const v of at.values) facts.push([at.kind, at.attr, at.kind === 'country' ? asciiUpper(v) : v]);
	const expr = factTests(facts, model, 'principal');
	return clause.not ? `!${wrap(expr)}` : expr;
}

/* The enabled segments a rule applies to, as segment and group names (4.7); null for
 * every segment (no app clause). With one app clause its atoms are used as written;
 * with several, their intersection is computed and written with whole groups where
 * a group is wholly in it. */
function appliesTo(rule, model) {
	const app = rule.clauses.filter((c) => c.type === 'app');
	if (app.length === 0) return null;
	const names = (c) => {
		const segs = [], groups = [];
		for (const at of c.any)
			for (const v of at.values) (at.kind === 'segment' ? segs : groups).push(v);
		return { segs, groups };
	};
	if (app.length === 1) return names(app[0]);
	const enabled = model.segments.filter((s) => s.enabled);
	const named = app.map((c) => {
		const n = names(c);
		return { segs: new Set(n.segs), groups: new Set(n.groups) };
	});
	const inAll = enabled.filter((s) => named.every((n) => n.segs.has(s.name) || n.groups.has(s.group)));
	const members = new Map();
	for (const s of enabled) {
		if (!members.has(s.group)) members.set(s.group, []);
		members.get(s.group).push(s.name);
	}
	const chosen = new Set(inAll.map((s) => s.name));
	const out = { segs: [], groups: [] };
	for (const [g, segs] of members)
		if (segs.every((n) => chosen.has(n))) {
			out.groups.push(g);
			for (const n of segs) chosen.delete(n);
		}
	out.segs = [...chosen];
	return out;
}

function appExpr(applies, model) {
	const facts = [...applies.segs.map((n) => ['segment', null, n]),
		...applies.groups.map((g) => ['segment_group', null, g])];
	return facts.length === 0 ? 'false' : factTests(facts, model, 'resource');
}

/* c_r: the app part first (cheap and selective), then the user clauses in order. */
function ruleCondition(rule, model, factModel) {
	const applies = appliesTo(rule, model);
	const parts = [];
	if (applies) {
		const app = appExpr(applies, factModel);
		if (app === 'false') return { expr: 'false', applies };   /* applies to no segment */
		parts.push(app);
	}
	for (const c of rule.clauses)
		if (c.type === 'user') parts.push(userClause(c, factModel));
	return { expr: allOf(parts), applies };
}

/* The first match of a block of rules: each run of rules with one action is one
 * balanced OR, and the runs nest as `if any(run) then <action> else REST`. Cedar
 * parses and evaluates some hundreds of nested ifs, but only about 120 nested
 * parentheses, so the chain is made of ifs. */
function firstMatch(rules) {
	let expr = 'false';
	for (let i = rules.length; i > 0;) {
		const allow = rules[i - 1].allow;
		let j = i;
		while (j > 0 && rules[j - 1].allow === allow) j--;
		const any = anyOf(rules.slice(j, i).map((r) => r.cond));
		expr = expr === 'false' ? (allow ? any : 'false') : `if ${any} then ${allow} else ${expr}`;
		i = j;
	}
	return expr;
}

const wrap = (e) => `(${e})`;

/* The "ordered" policy: if any(B1) then first(B1) else if any(B2) ... else false. */
function orderedPolicy(rules, blockSize) {
	const live = rules.filter((r) => r.cond !== 'false');
	const blocks = [];
	for (let i = 0; i < live.length; i += blockSize) blocks.push(live.slice(i, i + blockSize));
	let expr = 'false';
	for (let b = blocks.length - 1; b >= 0; b--) {
		const blk = blocks[b];
		const first = firstMatch(blk);
		/* In the last block, "if any then first else false" is just first. */
		expr = expr === 'false' ? first
			: `if ${anyOf(blk.map((r) => r.cond))} then ${first} else ${expr}`;
	}
	return '// Rules in order, first match decides (translate.js, "ordered" encoding).\n' +
		'permit (principal, action == Action::"access", resource)\n' +
		`when {\n  ${expr}\n};\n`;
}

/* The "per-rule" policies, by id: "r<index>" for rule index. */
function perRulePolicies(rules) {
	const set = {};
	for (const r of rules)
		set['r' + r.index] = `@rule(${cstr(r.name)})\n` +
			`permit (principal, action == Action::"access", resource)\nwhen { ${r.cond} };\n`;
	return set;
}

/* Everything the benchmark needs from one model. */
function translate(model, opts = {}) {
	const facts = opts.facts || 'context';
	if (!FACT_MODELS.includes(facts)) throw new Error(`unknown fact model ${facts}`);
	const rules = model.rules.map((r, index) => {
		const { expr, applies } = ruleCondition(r, model, facts);
		return { index, name: r.name, allow: r.action === 'allow', cond: expr, applies };
	});
	/* Cedar 4.13 evaluates about 300 nested ifs before its stack runs out; blocks of
	 * sqrt(n), at most 64, keep the two levels of ifs under 150 up to 5,000 rules. */
	const blockSize = opts.blockSize || Math.min(64, Math.max(8, Math.ceil(Math.sqrt(rules.length))));
	const groupOf = new Map(model.segments.map((s) => [s.name, s.group]));
	return {
		facts,
		blockSize,
		rules,
		ordered: orderedPolicy(rules, blockSize),
		perRule: perRulePolicies(rules),
		/* The Cedar request for user u and candidate segments S, without the policy
		 * set id. */
		request: facts === 'context' ? (u, S) => {
			const context = {};
			const add = (kind, attr, v) => { context[factKey(kind, attr, v)] = true; };
			for (const s of S) {
				add('segment', null, s.name);
				add('segment_group', null, groupOf.get(s.name));
			}
			userFacts(u, add);
			return { principal: PRINCIPAL, action: ACTION, resource: RESOURCE, context, entities: [] };
		} : (u, S) => {
			const parents = [];
			userFacts(u, (kind, attr, v) => parents.push(factUid(kind, attr, v)));
			const entities = [{ uid: PRINCIPAL, attrs: {}, parents }];
			const segs = [];
			for (const s of S) {
				const uid = factUid('segment', null, s.name);
				segs.push(uid);
				entities.push({ uid, attrs: {},
					parents: [factUid('segment_group', null, groupOf.get(s.name))] });
			}
			entities.push({ uid: RESOURCE, attrs: {}, parents: segs });
			return { principal: PRINCIPAL, action: ACTION, resource: RESOURCE, context: {}, entities };
		},
		/* Does rule (an element of rules) apply to segment s? For the segment of a
		 * per-rule answer: the first of S the deciding rule applies to. */
		applies(rule, s) {
			const a = rule.applies;
			return !a || a.segs.includes(s.name) || a.groups.includes(groupOf.get(s.name));
		},
	};
}

module.exports = { translate, cstr, FACT_MODELS };

if (require.main === module) {
	const fs = require('fs');
	const path = require('path');
	const args = process.argv.slice(2);
	const opts = {};
	const pos = [];
	for (let i = 0; i < args.length; i++) {
		if (args[i] === '--facts') opts.facts = args[++i];
		else pos.push(args[i]);
	}
	if (pos.length !== 2) {
		process.stderr.write('usage: node translate.js DUMP.json OUTDIR [--facts context|entities]\n');
		process.exit(2);
	}
	const model = JSON.parse(fs.readFileSync(pos[0], 'utf8'));
	const t = translate(model, opts);
	fs.mkdirSync(pos[1], { recursive: true });
	fs.writeFileSync(path.join(pos[1], 'ordered.cedar'), t.ordered);
	fs.writeFileSync(path.join(pos[1], 'per-rule.cedar'),
		Object.entries(t.perRule).map(([id, p]) => `// ${id}\n${p}`).join('\n'));
	fs.writeFileSync(path.join(pos[1], 'translation.json'), JSON.stringify({
		rules: t.rules.length, facts: t.facts, block_size: t.blockSize,
		ordered_bytes: Buffer.byteLength(t.ordered),
	}, null, 1) + '\n');
}
