/**
 * The /64 prefix of an IPv6 address as its first four groups ("2001:db8:aa:bb"), whatever the
 * spelling (zero compression, leading zeros, upper case, brackets, zone id, embedded IPv4); null
 * when it is not an IPv6 address. One subscriber usually holds a whole /64, so per-client limits
 * count the prefix: otherwise a client could rotate through 2^64 addresses.
 */
export function ipv6Prefix64(ip: string): string | null {
  const value = ip.trim().toLowerCase();
  if (!value.includes(":")) return null;
  const expanded = expandIpv6(value);
  return expanded ? expanded.slice(0, 4).join(":") : null;
}

function expandIpv6(ip: string): string[] | null {
  let text = ip.replace(/^\[|\]$/g, "").split("%")[0]!;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== 8)) return null;
  const groups = [...head, ...Array(fill).fill("0"), ...tail];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => g.replace(/^0+(?=.)/, ""));
}
