#!/usr/bin/env node
/* mktenant.js - a small seeded tenant for testing the Cedar translation on its own,
 * before (or without) the benchmark's generator: DIR/policy.bcl and DIR/requests.jsonl.
 * It aims at the corners of LANGUAGE.md section 6 (inclusive chains, shared patterns
 * split by port, "*", nested prefixes, bypass, disabled segments, rules with several
 * app clauses, negations, missing attributes, odd host spellings), not at realism or
 * speed. It decides nothing: the answers come from `bcpc query --reference`.
 *
 * usage: node mktenant.js DIR [--rules N] [--segments N] [--requests N] [--seed N] */
'use strict';
const fs = require('fs');
const path = require('path');

function parseArgs(argv) {
	const o = { dir: null, rules: 2000, segments: 1500, requests: 4000, seed: 7 };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a.startsWith('--')) o[a.slice(2)] = Number(argv[++i]);
		else o.dir = a;
	}
	if (!o.dir) {
		process.stderr.write('usage: node mktenant.js DIR [--rules N] [--segments N] ' +
			'[--requests N] [--seed N]\n');
		process.exit(2);
	}
	return o;
}

/* splitmix32: small, seeded, the same everywhere. */
function rng(seed) {
	let s = seed >>> 0;
	const next = () => {
		s = (s + 0x9e3779b9) >>> 0;
		let z = s;
		z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
		z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
		return (z ^ (z >>> 16)) >>> 0;
	};
	const r = {
		u32: next,
		below: (n) => next() % n,
		chance: (p) => next() / 4294967296 < p,
		pick: (a) => a[next() % a.length],
		some: (a, lo, hi) => {
			const n = lo + (next() % (hi - lo + 1));
			const out = new Set();
			for (let i = 0; i < n * 3 && out.size < n; i++) out.add(r.pick(a));
			return [...out];
		},
	};
	return r;
}

const q = (s) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';

function main() {
	const o = parseArgs(process.argv.slice(2));
	const R = rng(o.seed);
	const NGROUPS = 40;

	/* Value pools: about 200 distinct user values in all. */
	const pools = {
		department: ['Finance', 'Engineering', 'Sales', 'HR', 'Legal', 'IT', 'Ops', 'R&D',
			'Support', 'Marketing', 'Zürich "Desk"'],
		employeeType: ['employee', 'contractor', 'intern', 'vendor', 'EMPLOYEE'],
		title: Array.from({ length: 30 }, (_, i) => 'title-' + i),
		costCenter: Array.from({ length: 40 }, (_, i) => 'CC' + (1000 + i * 7)),
		scim_groups: Array.from({ length: 60 }, (_, i) => 'grp-' + i),
		idp: ['okta', 'azure', 'ping', 'adfs'],
		platform: ['windows', 'mac', 'linux', 'ios', 'android'],
		client_type: ['zapp', 'zapp_partner', 'vdi', 'browser_isolation', 'machine_tunnel',
			'edge_connector', 'branch_connector', 'ip_anchoring', 'exporter'],
		posture: ['disk-encrypted', 'av-running', 'firewall-on', 'domain-joined', 'patched'],
		trusted_networks: ['HQ', 'Branch-1', 'Branch-2', 'DC'],
		country: ['US', 'DE', 'FR', 'GB', 'IN', 'CN', 'KP', 'IR', 'BR', 'JP'],
	};
	const samlAttrs = ['department', 'employeeType', 'title', 'costCenter'];

	let bcl = 'tenant "peers-selftest";\n\n';
	const groups = Array.from({ length: NGROUPS }, (_, i) => 'G' + String(i).padStart(3, '0'));
	for (const g of groups) bcl += `segment_group ${q(g)};\n`;
	bcl += '\n';

	/* Domains: a tree of zones, so wildcards share deep suffixes. */
	const zones = [];
	for (let a = 0; a < 12; a++) {
		const top = `z${a}.corp.example`;
		zones.push(top);
		for (let b = 0; b < 6; b++) {
			zones.push(`d${b}.${top}`);
			if (R.chance(0.5)) zones.push(`k${b}.d${b}.${top}`);
		}
	}
	const segs = [];
	const hostOwners = new Map();   /* pattern -> [{seg, ports}] so shared ones split ports */
	const exactNames = [], wildBases = [], v4Hits = [], v6Hits = [];
	const portPool = [443, 80, 22, 8443, 3389, 5432, 8080];
	for (let i = 0; i < o.segments; i++) {
		const name = 'S' + String(i).padStart(4, '0');
		const inclusive = R.chance(0.15);
		const s = { name, group: R.pick(groups), inclusive, domains: [], addresses: [],
			tcp: [], udp: [], bypass: 'never', enabled: true };
		if (R.chance(0.01)) s.bypass = 'always';
		else if (R.chance(0.02)) s.bypass = 'on_net';
		if (R.chance(0.01)) s.enabled = false;
		/* Ports: mostly one or two TCP ports; some ranges and UDP. */
		const base = R.pick(portPool);
		s.tcp.push(String(base));
		if (R.chance(0.3)) s.tcp.push(String(R.pick(portPool.filter((p) => p !== base))));
		if (R.chance(0.1)) { const lo = 9000 + R.below(50) * 10; s.tcp.push(`${lo}-${lo + 9}`); }
		if (R.chance(0.08)) s.udp.push(String(R.pick([53, 5060, 3478, 161])));
		const kind = R.below(10);
		if (kind < 8) {
			const n = 1 + R.below(3);
			for (let k = 0; k < n; k++) {
				const z = R.pick(zones);
				const d = R.chance(0.75) ? `h${R.below(400)}.${z}` : `*.${z}`;
				s.domains.push(d);
			}
		}
		if (kind >= 7 || s.domains.length === 0) {
			if (R.chance(0.8)) {
				const len = R.pick([8, 16, 20, 24, 28, 32]);
				const a = [10, R.below(4), R.below(8) * 32, R.below(4) * 64];
				s.addresses.push(maskV4(a, len));
			} else {
				const a = R.below(4), b = R.below(8) << 8;
				s.addresses.push(R.pick([`2001:db8:${(a << 8).toString(16)}::/40`,
					`2001:db8:${a.toString(16)}::/48`, `2001:db8:${a.toString(16)}:${b.toString(16)}::/56`,
					`2001:db8:${a.toString(16)}:${b.toString(16)}::/64`,
					`2001:db8:${a.toString(16)}::${(R.below(50) + 1).toString(16)}`]));
			}
		}
		segs.push(s);
	}
	/* The catch-all, and a few segments sharing a pattern split by port. */
	segs.push({ name: 'Everything-Web', group: groups[0], inclusive: true, domains: ['*'],
		addresses: [], tcp: ['80'], udp: [], bypass: 'never', enabled: true });

	/* Resolve conflicts the checker would refuse (4.5.7): a pattern keeps one style and
	 * its segments keep disjoint ports, by dropping the pattern from later segments. */
	const style = new Map(), used = new Map();
	for (const s of segs) {
		const keep = (p) => {
			if (!s.enabled) return true;
			const st = style.get(p);
			if (st !== undefined && st !== s.inclusive) return false;
			const ports = portsOf(s);
			const u = used.get(p) || [];
			if (u.some((x) => overlap(x, ports))) return false;
			style.set(p, s.inclusive);
			u.push(ports);
			used.set(p, u);
			return true;
		};
		s.domains = [...new Set(s.domains)].filter(keep);
		s.addresses = [...new Set(s.addresses)].filter(keep);
		if (!s.domains.length && !s.addresses.length) {
			s.domains.push(`solo${s.name.toLowerCase()}.corp.example`);
		}
		const hit = (list, v) => list.push({ v, s });
		for (const d of s.domains) {
			if (d === '*') continue;
			if (d.startsWith('*.')) hit(wildBases, d.slice(2)); else hit(exactNames, d);
		}
		for (const a of s.addresses) hit(a.includes(':') ? v6Hits : v4Hits, a);
	}

	for (const s of segs) {
		bcl += `segment ${q(s.name)} {\n    group ${q(s.group)};\n`;
		if (s.domains.length) bcl += `    domains ${s.domains.map(q).join(', ')};\n`;
		if (s.addresses.length) bcl += `    addresses ${s.addresses.join(', ')};\n`;
		if (s.tcp.length) bcl += `    tcp ${s.tcp.join(', ')};\n`;
		if (s.udp.length) bcl += `    udp ${s.udp.join(', ')};\n`;
		if (s.inclusive) bcl += '    match inclusive;\n';
		if (s.bypass !== 'never') bcl += `    bypass ${s.bypass};\n`;
		if (!s.enabled) bcl += '    enabled false;\n';
		bcl += '}\n';
	}

	/* Profiles are not part of the comparison but keep the file realistic. */
	bcl += '\napp_profile "Mobile" {\n    when platform ios, android;\n    set reauth_timeout = 4h;\n}\n';
	bcl += 'app_profile "Default" {\n    set reauth_timeout = 24h;\n}\n\n';

	/* Rules. */
	const userAtom = () => {
		const k = R.below(11);
		switch (k) {
		case 0: case 1: {
			const attr = R.pick(samlAttrs);
			return `saml ${q(attr)} = ${R.some(pools[attr], 1, 3).map(q).join(', ')}`;
		}
		case 2: {
			const attr = R.pick(samlAttrs);
			return `scim ${q(attr)} = ${R.some(pools[attr], 1, 2).map(q).join(', ')}`;
		}
		case 3: case 4: return `scim_group ${R.some(pools.scim_groups, 1, 4).map(q).join(', ')}`;
		case 5: return `idp ${R.some(pools.idp, 1, 2).map(q).join(', ')}`;
		case 6: return `platform ${R.some(pools.platform, 1, 3).join(', ')}`;
		case 7: return `client_type ${R.some(pools.client_type, 1, 3).join(', ')}`;
		case 8: return `posture ${R.some(pools.posture, 1, 2).map(q).join(', ')}`;
		case 9: return `trusted_network ${R.some(pools.trusted_networks, 1, 2).map(q).join(', ')}`;
		default: return `country ${R.some(pools.country, 1, 3).map((c) => q(R.chance(0.2) ? c.toLowerCase() : c)).join(', ')}`;
		}
	};
	const segNames = segs.map((s) => s.name);
	const appAtom = () => R.chance(0.6)
		? `segment ${R.some(segNames, 1, 3).map(q).join(', ')}`
		: `segment_group ${R.some(groups, 1, 2).map(q).join(', ')}`;
	bcl += 'access_policy {\n';
	for (let r = 0; r < o.rules; r++) {
		const allow = R.chance(0.6);
		bcl += `    rule ${q('R' + String(r).padStart(4, '0'))} ${allow ? 'allow' : 'deny'} {\n`;
		const napp = R.chance(0.02) ? 0 : R.chance(0.08) ? 2 : 1;
		for (let i = 0; i < napp; i++) {
			if (napp === 2 && i === 0) {
				/* A group and a segment that may or may not be in it. */
				bcl += `        segment_group ${q(R.pick(groups))};\n`;
				continue;
			}
			bcl += `        ${R.chance(0.15) ? appAtom() + ' or ' + appAtom() : appAtom()};\n`;
		}
		const nuser = (napp === 0 ? 2 : 0) + R.below(4);
		for (let i = 0; i < nuser; i++) {
			const atoms = R.chance(0.2) ? `${userAtom()} or ${userAtom()}` : userAtom();
			bcl += `        ${R.chance(0.15) ? 'not ' : ''}${atoms};\n`;
		}
		bcl += '    }\n';
	}
	bcl += '}\n';

	/* Users: every part may be missing. */
	const users = [];
	for (let i = 0; i < 100; i++) {
		const u = {};
		if (R.chance(0.9)) {
			u.saml = {};
			for (const a of samlAttrs) if (R.chance(0.7)) u.saml[a] = R.some(pools[a], 1, 2);
		}
		if (R.chance(0.6)) {
			u.scim = {};
			for (const a of samlAttrs) if (R.chance(0.5)) u.scim[a] = R.some(pools[a], 1, 2);
		}
		if (R.chance(0.9)) u.scim_groups = R.some(pools.scim_groups, 0, 8);
		if (R.chance(0.9)) u.idp = R.pick(pools.idp);
		if (R.chance(0.9)) u.platform = R.pick(pools.platform);
		if (R.chance(0.5)) u.client_type = R.pick(pools.client_type);
		if (R.chance(0.8)) u.posture = R.some(pools.posture, 0, 4);
		if (R.chance(0.4)) u.trusted_networks = R.some(pools.trusted_networks, 0, 2);
		if (R.chance(0.9)) {
			const c = R.pick(pools.country);
			u.country = R.chance(0.1) ? c.toLowerCase() : c;
		}
		users.push(u);
	}

	/* Requests: hits on names, wildcards, addresses; misses; port misses; odd hosts. */
	const lines = [];
	const ports = [443, 80, 22, 8443, 3389, 5432, 8080, 9005, 53, 5060, 3478, 161, 1];
	for (let i = 0; i < o.requests; i++) {
		const k = R.below(20);
		let host, target = null;
		const take = (list) => { const h = R.pick(list); target = h.s; return h.v; };
		if (k < 6) host = take(exactNames);
		else if (k < 11) {
			let h = take(wildBases);
			for (let n = 1 + R.below(3); n > 0; n--) h = `x${R.below(9)}.${h}`;
			host = h;
		} else if (k < 13) host = `h${R.below(500)}.${R.pick(zones)}`;
		else if (k < 14) host = R.pick(['nowhere.example', 'corp.example', 'a.b.c.d.e.f.example']);
		else if (k < 16) host = hostIn4(R, take(v4Hits));
		else if (k < 17) host = hostIn6(R, take(v6Hits), R.chance(0.3));
		else if (k < 18) host = R.pick(['10.255.255.255', '192.0.2.1', '2001:db8:ff::1', '::1', '0.0.0.0']);
		else if (k < 19) {
			host = take(exactNames);
			host = R.chance(0.5) ? host.toUpperCase() + '.' : host.replace(/^./, (c) => c.toUpperCase());
		} else {
			host = R.pick(['bad host', '*.corp.example', 'a..b', '[10.0.0.1]', 'x.123', '010.0.0.1',
				'-.corp.example', 'h1.z1.corp.example..', '[2001:db8::1]', '::ffff:10.0.0.1']);
		}
		let proto = R.chance(0.1) ? 'udp' : 'tcp', port = R.pick(ports);
		if (target && R.chance(0.8)) {
			/* Mostly a port the meant segment serves, so most requests reach the rules. */
			const served = portsOf(target);
			const [p, lo, hi] = R.pick(served);
			proto = p;
			port = lo + R.below(hi - lo + 1);
		}
		const req = { host, port, user: R.pick(users) };
		if (proto === 'udp' || R.chance(0.5)) req.proto = proto;
		lines.push(JSON.stringify(req));
	}

	fs.mkdirSync(o.dir, { recursive: true });
	fs.writeFileSync(path.join(o.dir, 'policy.bcl'), bcl);
	fs.writeFileSync(path.join(o.dir, 'requests.jsonl'), lines.join('\n') + '\n');
}

function maskV4(a, len) {
	const n = ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0;
	const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
	const v = (n & m) >>> 0;
	const txt = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
	return len === 32 ? txt : `${txt}/${len}`;
}

function hostIn4(R, net) {
	const [addr, len = '32'] = net.split('/');
	const p = addr.split('.').map(Number);
	const n = ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
	const free = 32 - Number(len);
	const v = (n + (free ? R.u32() % Math.min(2 ** free, 2 ** 31) : 0)) >>> 0;
	return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

function hostIn6(R, net, bracket) {
	const addr = net.split('/')[0];
	const h = addr.endsWith('::') ? addr + (R.below(0xffff) + 1).toString(16) : addr;
	return bracket ? `[${h}]` : h;
}

function portsOf(s) {
	const set = [];
	for (const [proto, list] of [['tcp', s.tcp], ['udp', s.udp]])
		for (const p of list) {
			const [lo, hi = lo] = p.split('-').map(Number);
			set.push([proto, lo, hi]);
		}
	return set;
}

function overlap(a, b) {
	return a.some(([p, lo, hi]) => b.some(([p2, lo2, hi2]) => p === p2 && lo <= hi2 && lo2 <= hi));
}

main();
