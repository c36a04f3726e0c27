// A small CBOR encoder (RFC 8949) for the software authenticator: unsigned and negative integers,
// byte and text strings, arrays, maps (keys in insertion order) and booleans, all in their
// shortest form, which is what CTAP2 authenticators emit. Written here, not taken from the
// verifier's own CBOR library, so an encoding mistake on one side cannot hide one on the other.

export type CborValue = number | string | boolean | Uint8Array | CborValue[] | Map<number | string, CborValue>;

function header(major: number, length: number): number[] {
  if (!Number.isSafeInteger(length) || length < 0) throw new Error(`CBOR length ${length}`);
  const m = major << 5;
  if (length < 24) return [m | length];
  if (length < 0x100) return [m | 24, length];
  if (length < 0x10000) return [m | 25, length >> 8, length & 0xff];
  if (length < 0x1_0000_0000) return [m | 26, (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff];
  const hi = Math.floor(length / 0x1_0000_0000);
  const lo = length >>> 0;
  return [m | 27, (hi >>> 24) & 0xff, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff, (lo >>> 24) & 0xff, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff];
}

function encodeInto(value: CborValue, out: number[]): void {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error("CBOR floats are not needed here");
    if (value >= 0) out.push(...header(0, value));
    else out.push(...header(1, -1 - value));
  } else if (typeof value === "boolean") {
    out.push(value ? 0xf5 : 0xf4);
  } else if (typeof value === "string") {
    const bytes = new TextEncoder().encode(value);
    out.push(...header(3, bytes.length));
    for (const b of bytes) out.push(b);
  } else if (value instanceof Uint8Array) {
    out.push(...header(2, value.length));
    for (const b of value) out.push(b);
  } else if (Array.isArray(value)) {
    out.push(...header(4, value.length));
    for (const item of value) encodeInto(item, out);
  } else {
    out.push(...header(5, value.size));
    for (const [k, v] of value) {
      encodeInto(k, out);
      encodeInto(v, out);
    }
  }
}

export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = [];
  encodeInto(value, out);
  return Uint8Array.from(out);
}
