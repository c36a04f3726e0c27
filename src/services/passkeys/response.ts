import { decodeAttestationObject } from "@simplewebauthn/server/helpers";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { fromBase64 } from "../../crypto/encoding";
import { type PasskeyResult, type PasskeyTransport, knownTransports, passkeyFailure, passkeyOk } from "./types";

// Parses the JSON a browser sends back (navigator.credentials.* → toJSON / @simplewebauthn/browser)
// before anything else sees it: every field is checked for type, encoding and size here, so a
// malformed response becomes a typed failure instead of an exception deep inside the verifier.

/** Size caps in base64url characters. A credential id is at most 1023 bytes (WebAuthn §7.1). */
const MAX = { credentialId: 1364, clientDataJSON: 8192, attestationObject: 32768, authenticatorData: 4096, signature: 1024, userHandle: 88 };

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface ClientData {
  type: string;
  challenge: string;
  origin: string;
  crossOrigin: boolean;
  topOrigin: string | null;
}

export interface AuthenticatorFlags {
  up: boolean;
  uv: boolean;
  be: boolean;
  bs: boolean;
}

export interface ParsedRegistration {
  /** Only the validated fields, for the verifier. */
  json: RegistrationResponseJSON;
  clientData: ClientData;
  rpIdHash: Uint8Array;
  transports: PasskeyTransport[];
}

export interface ParsedAuthentication {
  json: AuthenticationResponseJSON;
  clientData: ClientData;
  rpIdHash: Uint8Array;
  flags: AuthenticatorFlags;
  counter: number;
  userHandle: string | null;
}

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Unpadded base64url of at most `max` characters (length ≡ 1 mod 4 never decodes). */
function isBase64Url(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length <= max && BASE64URL.test(value) && value.length % 4 !== 1;
}

function decodeClientData(encoded: string): PasskeyResult<ClientData> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(fromBase64(encoded)));
  } catch {
    return passkeyFailure("passkey_invalid", "clientDataJSON is not UTF-8 JSON");
  }
  if (!isObject(parsed)) return passkeyFailure("passkey_invalid", "clientDataJSON is not an object");
  const { type, challenge, origin, crossOrigin, topOrigin } = parsed;
  if (typeof type !== "string" || typeof challenge !== "string" || typeof origin !== "string") {
    return passkeyFailure("passkey_invalid", "clientDataJSON lacks type, challenge or origin");
  }
  if (crossOrigin !== undefined && typeof crossOrigin !== "boolean") return passkeyFailure("passkey_invalid", "clientDataJSON.crossOrigin is not a boolean");
  if (topOrigin !== undefined && typeof topOrigin !== "string") return passkeyFailure("passkey_invalid", "clientDataJSON.topOrigin is not a string");
  return passkeyOk({ type, challenge, origin, crossOrigin: crossOrigin === true, topOrigin: topOrigin ?? null });
}

/** The credential envelope shared by both ceremonies: id === rawId, type "public-key". */
function parseEnvelope(input: unknown): PasskeyResult<{ id: string; response: Fields; attachment: "platform" | "cross-platform" | undefined }> {
  if (!isObject(input)) return passkeyFailure("passkey_invalid", "credential is not an object");
  const { id, rawId, type, response, authenticatorAttachment } = input;
  if (!isBase64Url(id, MAX.credentialId)) return passkeyFailure("passkey_invalid", "credential id is not base64url");
  if (rawId !== id) return passkeyFailure("passkey_invalid", "rawId differs from id");
  if (type !== "public-key") return passkeyFailure("passkey_invalid", "credential type is not public-key");
  if (!isObject(response)) return passkeyFailure("passkey_invalid", "credential response is not an object");
  const attachment = authenticatorAttachment === "platform" || authenticatorAttachment === "cross-platform" ? authenticatorAttachment : undefined;
  return passkeyOk({ id, response, attachment });
}

/** Validates a registration response and decodes its clientDataJSON and attestation object (CBOR). */
export function parseRegistrationResponse(input: unknown): PasskeyResult<ParsedRegistration> {
  const envelope = parseEnvelope(input);
  if (!envelope.ok) return envelope;
  const { clientDataJSON, attestationObject, transports } = envelope.value.response;
  if (!isBase64Url(clientDataJSON, MAX.clientDataJSON)) return passkeyFailure("passkey_invalid", "clientDataJSON is not base64url");
  if (!isBase64Url(attestationObject, MAX.attestationObject)) return passkeyFailure("passkey_invalid", "attestationObject is not base64url");
  const clientData = decodeClientData(clientDataJSON);
  if (!clientData.ok) return clientData;
  let authData: unknown;
  try {
    const decoded: unknown = decodeAttestationObject(new Uint8Array(fromBase64(attestationObject)));
    if (!(decoded instanceof Map)) return passkeyFailure("passkey_invalid", "attestationObject is not a CBOR map");
    if (typeof decoded.get("fmt") !== "string" || !(decoded.get("attStmt") instanceof Map)) {
      return passkeyFailure("passkey_invalid", "attestationObject lacks fmt or attStmt");
    }
    authData = decoded.get("authData");
  } catch {
    return passkeyFailure("passkey_invalid", "attestationObject is not valid CBOR");
  }
  if (!(authData instanceof Uint8Array) || authData.length < 37) return passkeyFailure("passkey_invalid", "authData is missing or too short");
  const parsedTransports = knownTransports(transports);
  const json: RegistrationResponseJSON = {
    id: envelope.value.id,
    rawId: envelope.value.id,
    type: "public-key",
    response: { clientDataJSON, attestationObject, transports: parsedTransports },
    clientExtensionResults: {},
    ...(envelope.value.attachment && { authenticatorAttachment: envelope.value.attachment }),
  };
  return passkeyOk({ json, clientData: clientData.value, rpIdHash: authData.slice(0, 32), transports: parsedTransports });
}

/** Validates an authentication response and reads its authenticator data (RP ID hash, flags, counter). */
export function parseAuthenticationResponse(input: unknown): PasskeyResult<ParsedAuthentication> {
  const envelope = parseEnvelope(input);
  if (!envelope.ok) return envelope;
  const { clientDataJSON, authenticatorData, signature, userHandle } = envelope.value.response;
  if (!isBase64Url(clientDataJSON, MAX.clientDataJSON)) return passkeyFailure("passkey_invalid", "clientDataJSON is not base64url");
  if (!isBase64Url(authenticatorData, MAX.authenticatorData)) return passkeyFailure("passkey_invalid", "authenticatorData is not base64url");
  if (!isBase64Url(signature, MAX.signature)) return passkeyFailure("passkey_invalid", "signature is not base64url");
  if (userHandle !== undefined && userHandle !== null && !isBase64Url(userHandle, MAX.userHandle)) {
    return passkeyFailure("passkey_invalid", "userHandle is not base64url");
  }
  const clientData = decodeClientData(clientDataJSON);
  if (!clientData.ok) return clientData;
  const authData = fromBase64(authenticatorData);
  if (authData.length < 37) return passkeyFailure("passkey_invalid", "authenticatorData is too short");
  const flagByte = authData[32]!;
  const flags = { up: (flagByte & 0x01) !== 0, uv: (flagByte & 0x04) !== 0, be: (flagByte & 0x08) !== 0, bs: (flagByte & 0x10) !== 0 };
  const counter = new DataView(authData.buffer, authData.byteOffset, authData.byteLength).getUint32(33, false);
  const handle = typeof userHandle === "string" ? userHandle : null;
  const json: AuthenticationResponseJSON = {
    id: envelope.value.id,
    rawId: envelope.value.id,
    type: "public-key",
    response: { clientDataJSON, authenticatorData, signature, ...(handle !== null && { userHandle: handle }) },
    clientExtensionResults: {},
    ...(envelope.value.attachment && { authenticatorAttachment: envelope.value.attachment }),
  };
  return passkeyOk({ json, clientData: clientData.value, rpIdHash: authData.slice(0, 32), flags, counter, userHandle: handle });
}
