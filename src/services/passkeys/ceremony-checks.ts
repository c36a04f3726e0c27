import { sha256 } from "@noble/hashes/sha2.js";
import { utf8 } from "../../crypto/encoding";
import type { ClientData } from "./response";
import { type PasskeyResult, type RelyingParty, passkeyFailure, passkeyOk } from "./types";

/** The same bytes in the same order (length first; the RP ID hash is public, no timing concern). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The checks we run ourselves, before the library verifies signatures, so each mismatch has its own
 * code: the ceremony type, the origin (one we accept, not inside a cross-origin frame: our pages
 * refuse framing, so a cross-origin ceremony is someone else's page) and the RP ID hash.
 */
export function checkCeremony(rp: RelyingParty, clientData: ClientData, rpIdHash: Uint8Array, type: "webauthn.create" | "webauthn.get"): PasskeyResult<null> {
  if (clientData.type !== type) return passkeyFailure("passkey_invalid", `clientDataJSON.type is ${JSON.stringify(clientData.type)}, expected ${type}`);
  if (clientData.crossOrigin || clientData.topOrigin !== null) return passkeyFailure("passkey_origin_invalid", "ceremony ran in a cross-origin frame");
  if (!rp.origins.includes(clientData.origin)) return passkeyFailure("passkey_origin_invalid", `origin ${clientData.origin} is not accepted`);
  if (!sameBytes(rpIdHash, sha256(utf8(rp.id)))) return passkeyFailure("passkey_origin_invalid", "authenticator data is for another RP ID");
  return passkeyOk(null);
}
