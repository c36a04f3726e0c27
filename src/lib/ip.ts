/**
 * Client addresses as limiter keys see them. One client must land in one bucket however its address
 * is spelt: IPv4-mapped (`::ffff:198.51.100.7`, `::ffff:c633:6407`) and IPv4-compatible
 * (`::198.51.100.7`) IPv6 addresses are the IPv4 address they carry, so switching spelling neither
 * doubles a client's budget nor puts every mapped client into the one /64 `0:0:0:0`
 * (GHSA-p6v2-xcpg-h6xw class). IPv6 clients are grouped by /64: one subscriber usually holds a whole
 * /64, so counting single addresses would let a client rotate through 2^64 of them.
 */
export type ClientAddress = { kind: "ipv4"; address: string } | { kind: "ipv6"; prefix64: string };

/** The address as one canonical key, or null when it is neither IPv4 nor IPv6. */
export function parseClientAddress(ip: string): ClientAddress | null {
  const value = ip.trim().toLowerCase();
  if (!value.includes(":")) {
    const v4 = canonicalIpv4(value);
    return v4 ? { kind: "ipv4", address: v4 } : null;
  }
  const groups = expandIpv6(value);
  if (!groups) return null;
  const embedded = embeddedIpv4(groups);
  if (embedded) return { kind: "ipv4", address: embedded };
  return { kind: "ipv6", prefix64: groups.slice(0, 4).map((g) => g.toString(16)).join(":") };
}

/**
 * The canonical spelling of a client address for logs and audit rows: dotted IPv4 (also for the
 * IPv4 inside a mapped or compatible IPv6 address), otherwise the input trimmed and lower-cased.
 */
export function canonicalIp(ip: string): string {
  const parsed = parseClientAddress(ip);
  return parsed?.kind === "ipv4" ? parsed.address : ip.trim().toLowerCase();
}

/** The /64 prefix of an IPv6 address as its first four groups ("2001:db8:aa:bb"); null for IPv4 (mapped ones too). */
export function ipv6Prefix64(ip: string): string | null {
  const parsed = parseClientAddress(ip);
  return parsed?.kind === "ipv6" ? parsed.prefix64 : null;
}

/** Four decimal octets 0–255 (leading zeros dropped, so `010.0.0.1` and `10.0.0.1` are one client). */
function canonicalIpv4(text: string): string | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((n) => n <= 255) ? octets.join(".") : null;
}

/** `::ffff:a.b.c.d` (mapped) and `::a.b.c.d` (compatible; not `::` or `::1`) as dotted IPv4. */
function embeddedIpv4(groups: number[]): string | null {
  const zeroHead = groups.slice(0, 5).every((g) => g === 0);
  const mapped = zeroHead && groups[5] === 0xffff;
  const compatible = zeroHead && groups[5] === 0 && (groups[6]! !== 0 || groups[7]! > 1);
  if (!mapped && !compatible) return null;
  const hi = groups[6]!;
  const lo = groups[7]!;
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join(".");
}

/** Eight 16-bit groups of an IPv6 address in any spelling (compression, brackets, zone id, IPv4 tail). */
function expandIpv6(ip: string): number[] | null {
  let text = ip.replace(/^\[|\]$/g, "").split("%")[0]!;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const dotted = canonicalIpv4(v4[1]!);
    if (!dotted) return null;
    const [a, b, c, d] = dotted.split(".").map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== 8)) return null;
  const groups = [...head, ...Array<string>(fill).fill("0"), ...tail];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}
