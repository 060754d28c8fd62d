/* resolve.js - steps 1 to 3 of LANGUAGE.md section 6 in JavaScript, over the checked
 * model that `bcpc dump --json` prints: from (host, port, proto, user) to "none",
 * "drop", "bypass", a refused host, or the ordered candidate segments S that the
 * access policy (step 4, done by Cedar) decides on.
 *
 * This is what an application embedding Cedar would do itself: matching a host name
 * against the most specific pattern is a lookup, not an authorization policy. It
 * must follow the reference evaluator (compiler/reference.c) exactly, including the
 * host-name checks of compiler/net.c; it must not decide any rule. */
'use strict';

/* ---- IP literals, as glibc's inet_pton reads them ---- */

/* inet_pton(AF_INET): four decimal parts 0..255, no leading zeros. Returns the four
 * bytes or null. */
function parseIPv4(s) {
	const out = [];
	let val = 0, digits = 0;
	for (let i = 0; i <= s.length; i++) {
		const c = i < s.length ? s.charCodeAt(i) : 46;   /* the end closes a part like '.' */
		if (c >= 48 && c <= 57) {
			if (digits > 0 && val === 0) return null;   /* a leading zero */
			val = val * 10 + (c - 48);
			if (val > 255) return null;
			digits++;
		} else if (c === 46) {
			if (digits === 0 || out.length === 4) return null;
			out.push(val);
			val = 0;
			digits = 0;
		} else {
			return null;
		}
	}
	return out.length === 4 ? out : null;
}

function hexValue(c) {
	if (c >= 48 && c <= 57) return c - 48;
	if (c >= 97 && c <= 102) return c - 87;
	if (c >= 65 && c <= 70) return c - 55;
	return -1;
}

/* inet_pton(AF_INET6), ported from glibc's inet_pton6. Returns 16 bytes or null. */
function parseIPv6(s) {
	const tmp = new Array(16).fill(0);
	let tp = 0, colonp = -1, i = 0, curtok, xdigits = 0, val = 0;
	const end = s.length;
	if (end === 0) return null;
	if (s[0] === ':') {
		i++;
		if (i === end || s[i] !== ':') return null;
	}
	curtok = i;
	while (i < end) {
		const ch = s.charCodeAt(i++);
		const d = hexValue(ch);
		if (d >= 0) {
			if (xdigits === 4) return null;
			val = (val << 4) | d;
			xdigits++;
			continue;
		}
		if (ch === 58) {   /* ':' */
			curtok = i;
			if (xdigits === 0) {
				if (colonp >= 0) return null;
				colonp = tp;
				continue;
			} else if (i === end) {
				return null;
			}
			if (tp + 2 > 16) return null;
			tmp[tp++] = (val >> 8) & 255;
			tmp[tp++] = val & 255;
			xdigits = 0;
			val = 0;
			continue;
		}
		if (ch === 46 && tp + 4 <= 16) {   /* '.': a dotted quad ends the address */
			const v4 = parseIPv4(s.slice(curtok));
			if (!v4) return null;
			for (const b of v4) tmp[tp++] = b;
			xdigits = 0;
			break;
		}
		return null;
	}
	if (xdigits > 0) {
		if (tp + 2 > 16) return null;
		tmp[tp++] = (val >> 8) & 255;
		tmp[tp++] = val & 255;
	}
	if (colonp >= 0) {
		if (tp === 16) return null;   /* "::" would stand for no group at all */
		const n = tp - colonp;
		const moved = tmp.slice(colonp, tp);
		for (let k = colonp; k < 16; k++) tmp[k] = 0;
		for (let k = 0; k < n; k++) tmp[16 - n + k] = moved[k];
		tp = 16;
	}
	return tp === 16 ? tmp : null;
}

/* addr_parse_host: an IPv4 literal, or an IPv6 one with or without brackets.
 * Returns {family, bytes} or null. */
function parseAddressHost(host) {
	let s = host, bracketed = false;
	if (s.length >= 2 && s[0] === '[' && s[s.length - 1] === ']') {
		bracketed = true;
		s = s.slice(1, -1);
	}
	if (s.length === 0 || s.length >= 46 || s.includes('\0')) return null;
	if (!bracketed) {
		const v4 = parseIPv4(s);
		if (v4) return { family: 4, bytes: v4 };
	}
	const v6 = parseIPv6(s);
	return v6 ? { family: 6, bytes: v6 } : null;
}

/* ---- host names, as host_normalize reads them ---- */

const HOST_MAX = 253, LABEL_MAX = 63;

function isHostChar(c) {
	return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
		c === 45 || c === 95;
}

/* The normalized name, or null when the host is not a valid name (section 6.1: the
 * request is refused). A wildcard is never a valid request host. */
function normalizeHost(host) {
	for (let i = 0; i < host.length; i++)
		if (host.charCodeAt(i) >= 0x80) return null;
	let n = host.length;
	if (n > 0 && host[n - 1] === '.') n--;
	if (n === 0) return null;
	const h = host.slice(0, n);
	const slash = h.indexOf('/');
	if (parseAddressHost(slash >= 0 ? h.slice(0, slash) : h)) return null;
	let start = 0, last = 0;
	for (let i = 0; i <= n; i++) {
		if (i < n && h[i] !== '.') {
			if (!isHostChar(h.charCodeAt(i))) return null;   /* '*' included */
			continue;
		}
		if (i === start || i - start > LABEL_MAX) return null;
		last = start;
		start = i + 1;
	}
	if (n > HOST_MAX) return null;
	if (/^[0-9]+$/.test(h.slice(last))) return null;   /* reads as an IPv4 number */
	return h.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/* ---- the resolver ---- */

function portRanges(list) {
	return list.map((p) => (Array.isArray(p) ? p : [p, p]));
}

function bytesOfPrefix(text) {
	const [addr, len] = text.split('/');
	const a = parseAddressHost(addr);
	if (!a) throw new Error(`bad address pattern in the model: ${text}`);
	return { family: a.family, bytes: a.bytes, len: Number(len) };
}

/* The first len bits of bytes, as a lookup key. */
function prefixKey(bytes, len) {
	let key = '';
	const full = len >> 3, rest = len & 7;
	for (let i = 0; i < full; i++) key += String.fromCharCode(bytes[i]);
	if (rest) key += String.fromCharCode(bytes[full] & (0xff << (8 - rest)) & 0xff);
	return key;
}

class Resolver {
	constructor(model) {
		this.segments = model.segments.map((s) => ({
			name: s.name,
			group: s.group,
			enabled: s.enabled,
			bypass: s.bypass,
			ports: { tcp: portRanges(s.tcp), udp: portRanges(s.udp) },
		}));
		const byName = new Map(this.segments.map((s) => [s.name, s]));
		this.hosts = new Map();
		this.addrs = { 4: new Map(), 6: new Map() };   /* len -> key -> pattern */
		for (const p of model.patterns) {
			/* Disabled segments take no part in matching (4.5.6). */
			const segs = p.segments.map((n) => byName.get(n)).filter((s) => s && s.enabled);
			if (segs.length === 0) continue;
			const pat = { exclusive: p.match === 'exclusive', segs };
			if (p.kind === 'host') {
				this.hosts.set(p.pattern, pat);
			} else {
				const pr = bytesOfPrefix(p.pattern);
				const byLen = this.addrs[pr.family];
				if (!byLen.has(pr.len)) byLen.set(pr.len, new Map());
				byLen.get(pr.len).set(prefixKey(pr.bytes, pr.len), pat);
			}
		}
		this.lens = {};
		for (const f of [4, 6]) this.lens[f] = [...this.addrs[f].keys()].sort((a, b) => b - a);
	}

	/* Step 1: the patterns of the host that appear in some segment, most specific
	 * first; null for a refused host. */
	patternsOf(host) {
		const out = [];
		const a = parseAddressHost(host);
		if (a) {
			const byLen = this.addrs[a.family];
			for (const len of this.lens[a.family]) {
				const p = byLen.get(len).get(prefixKey(a.bytes, len));
				if (p) out.push(p);
			}
			return out;
		}
		const h = normalizeHost(host);
		if (h === null) return null;
		let p = this.hosts.get(h);
		if (p) out.push(p);
		for (let dot = h.indexOf('.'); dot >= 0; dot = h.indexOf('.', dot + 1)) {
			p = this.hosts.get('*.' + h.slice(dot + 1));
			if (p) out.push(p);
		}
		p = this.hosts.get('*');
		if (p) out.push(p);
		return out;
	}

	/* Steps 1-3. Returns {outcome, segment?, S?}: outcome is "refused", "none",
	 * "drop", "bypass" (with its segment), or "rules" with S, the candidate segments
	 * in order, for step 4. */
	resolve(host, port, proto, user) {
		const pats = this.patternsOf(host);
		if (pats === null) return { outcome: 'refused' };
		if (pats.length === 0) return { outcome: 'none' };
		const S = [];
		for (const p of pats) {
			for (const s of p.segs) {
				if (serves(s, proto, port)) {
					S.push(s);
					break;
				}
			}
			if (p.exclusive) break;
		}
		if (S.length === 0) return { outcome: 'drop' };
		const onNet = !!(user && user.trusted_networks && user.trusted_networks.length > 0);
		for (const s of S)
			if (s.bypass === 'always' || (s.bypass === 'on_net' && onNet))
				return { outcome: 'bypass', segment: s };
		return { outcome: 'rules', S };
	}
}

function serves(s, proto, port) {
	for (const [lo, hi] of s.ports[proto === 'udp' ? 'udp' : 'tcp'])
		if (lo <= port && port <= hi) return true;
	return false;
}

module.exports = { Resolver, parseIPv4, parseIPv6, parseAddressHost, normalizeHost };
