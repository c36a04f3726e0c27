import { decodeCredentialPublicKey } from "@simplewebauthn/server/helpers";
import { toBase64Url } from "../../crypto/encoding";
import { type PasskeyResult, passkeyFailure, passkeyOk } from "./types";

// With attestation "none" nothing signs the authenticator data of a registration, so the library
// checks the key's algorithm but not that the key itself is usable. A key that cannot be imported
// would be stored and then fail every sign-in; it is refused here, at registration, instead.

const COSE = { kty: 1, alg: 3, crv: -1, x: -2, y: -3, n: -1, e: -2 } as const;

function bytesOf(value: unknown, length?: number): Uint8Array | null {
  if (!(value instanceof Uint8Array)) return null;
  return length === undefined || value.length === length ? value : null;
}

async function importable(jwkOrRaw: { format: "jwk"; key: JsonWebKey } | { format: "raw"; key: Uint8Array }, algorithm: Parameters<SubtleCrypto["importKey"]>[2]): Promise<boolean> {
  try {
    if (jwkOrRaw.format === "jwk") await crypto.subtle.importKey("jwk", jwkOrRaw.key, algorithm, false, ["verify"]);
    else await crypto.subtle.importKey("raw", jwkOrRaw.key, algorithm, false, ["verify"]);
    return true;
  } catch {
    return false;
  }
}

/** Whether a COSE_Key is an ES256 (P-256), Ed25519 or RS256 (≥ 2048-bit) key WebCrypto accepts. */
export async function checkCredentialPublicKey(cose: Uint8Array): Promise<PasskeyResult<null>> {
  let key: Map<number, unknown>;
  try {
    key = decodeCredentialPublicKey(new Uint8Array(cose)) as unknown as Map<number, unknown>;
    if (!(key instanceof Map)) return passkeyFailure("passkey_invalid", "credential public key is not a COSE map");
  } catch {
    return passkeyFailure("passkey_invalid", "credential public key is not CBOR");
  }
  const kty = key.get(COSE.kty);
  const alg = key.get(COSE.alg);
  let ok = false;
  if (kty === 2 && alg === -7 && key.get(COSE.crv) === 1) {
    const x = bytesOf(key.get(COSE.x), 32);
    const y = bytesOf(key.get(COSE.y), 32);
    ok = !!x && !!y && (await importable({ format: "jwk", key: { kty: "EC", crv: "P-256", x: toBase64Url(x), y: toBase64Url(y) } }, { name: "ECDSA", namedCurve: "P-256" }));
  } else if (kty === 1 && alg === -8 && key.get(COSE.crv) === 6) {
    const x = bytesOf(key.get(COSE.x), 32);
    ok = !!x && (await importable({ format: "raw", key: x }, { name: "Ed25519" }));
  } else if (kty === 3 && alg === -257) {
    const n = bytesOf(key.get(COSE.n));
    const e = bytesOf(key.get(COSE.e));
    ok = !!n && !!e && n.length >= 256 && (await importable({ format: "jwk", key: { kty: "RSA", n: toBase64Url(n), e: toBase64Url(e) } }, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }));
  }
  return ok ? passkeyOk(null) : passkeyFailure("passkey_invalid", `credential public key is unusable (kty ${String(kty)}, alg ${String(alg)})`);
}
