import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { toBase64Url, utf8 } from "../../crypto/encoding";
import type { PasskeyDescriptor, PasskeyTransport } from "./types";

// Sign-in options for an email answer the same way whether the address has passkeys, has none, or
// belongs to nobody: an address without passkeys gets a stand-in allowCredentials list derived from
// a keyed hash of the address. The same address always gets the same list (asking twice shows
// nothing), lists differ between addresses like real ones do, and no stand-in id can ever verify:
// it is in no table, so the assertion ends in passkey_not_found like a deleted passkey.

// Lengths real authenticators use (Google Password Manager 16, iCloud Keychain 20, Windows Hello 32,
// security keys up to 64+) and the transport sets browsers report for platform and roaming keys.
const ID_LENGTHS = [16, 20, 32, 64] as const;
const TRANSPORT_SETS: readonly PasskeyTransport[][] = [["hybrid", "internal"], ["internal"], ["nfc", "usb"], ["hybrid", "internal"]];

function derive(key: string, label: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let block = 0, offset = 0; offset < length; block++) {
    const chunk = hmac(sha256, utf8(key), utf8(`${label}#${block}`));
    out.set(chunk.subarray(0, Math.min(chunk.length, length - offset)), offset);
    offset += chunk.length;
  }
  return out;
}

/** One or two stand-in descriptors for `email` (normalised by the caller), stable under `key`. */
export function fakePasskeyDescriptors(key: string, email: string): PasskeyDescriptor[] {
  const seed = derive(key, `passkey-decoy:${email}`, 4);
  const count = 1 + (seed[0]! % 4 === 0 ? 1 : 0);
  const out: PasskeyDescriptor[] = [];
  for (let i = 0; i < count; i++) {
    const length = ID_LENGTHS[seed[1 + i]! % ID_LENGTHS.length]!;
    out.push({
      credentialId: toBase64Url(derive(key, `passkey-decoy:${email}:${i}`, length)),
      transports: [...TRANSPORT_SETS[seed[3]! % TRANSPORT_SETS.length]!],
    });
  }
  return out;
}

/** allowCredentials for a sign-in by email: the user's passkeys, or the stand-ins when there are none. */
export function allowCredentialsForEmail(real: readonly PasskeyDescriptor[], key: string, email: string): PasskeyDescriptor[] {
  return real.length > 0 ? [...real] : fakePasskeyDescriptors(key, email);
}
