import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { type CborValue, encodeCbor } from "./cbor";

// A software authenticator that builds REAL WebAuthn objects with WebCrypto, the way a browser and
// a CTAP2 authenticator together would: clientDataJSON, authenticator data (RP ID hash, flags,
// counter, attested credential data), a CBOR attestation object ("none" or packed self-attestation)
// and assertion signatures over authenticatorData || SHA-256(clientDataJSON). Nothing here knows
// the verifier; tests change one thing at a time through the options (UV, counter, RP ID, origin…).

export type SoftAlgorithm = "ES256" | "EdDSA" | "RS256";

const COSE_ALG: Record<SoftAlgorithm, number> = { ES256: -7, EdDSA: -8, RS256: -257 };
const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

export interface SoftAuthenticatorOptions {
  algorithm?: SoftAlgorithm;
  /** 16 bytes; default a fixed test AAGUID. */
  aaguid?: Uint8Array;
  /** Set the UV flag (default true). */
  userVerification?: boolean;
  /** BE and BS flags (default true, true: a synced passkey). */
  backupEligible?: boolean;
  backedUp?: boolean;
  /** "increment": +1 per signature, starting at 0 on registration (default); "zero": always 0 like synced passkeys. */
  counter?: "increment" | "zero";
  attestation?: "none" | "packed-self";
  transports?: string[];
}

/** Per-ceremony changes: what a phishing page, a cloned key or a broken client would do differently. */
export interface CeremonyOverrides {
  /** The page's origin (default https:// + the RP ID). */
  origin?: string;
  /** Sign for this RP ID instead of the options' one. */
  rpId?: string;
  uv?: boolean;
  /** Use this counter value (and remember it). */
  counter?: number;
  /** Answer with this credential (default: from allowCredentials, else the RP's first). */
  credentialId?: string;
  /** null: omit the user handle; a string: send this one. */
  userHandle?: string | null;
  type?: string;
  challenge?: string;
  crossOrigin?: boolean;
  /** Registration: put this COSE_Key in the authenticator data instead of the real public key. */
  coseKey?: Uint8Array;
  /** Registration: send this attestation format and statement instead of the authenticator's own. */
  attestation?: { fmt: string; attStmt: Map<string, CborValue> };
}

interface SoftCredential {
  id: string;
  rpId: string;
  userHandle: string;
  keys: CryptoKeyPair;
  counter: number;
}

export function toB64u(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromB64u(text: string): Uint8Array {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

function uint32(n: number): Uint8Array {
  return Uint8Array.from([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** ASN.1 DER INTEGER of an unsigned big-endian number. */
function derInteger(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  const body = trimmed[0]! & 0x80 ? concat(Uint8Array.of(0), trimmed) : trimmed;
  return concat(Uint8Array.of(0x02, body.length), body);
}

/** WebCrypto's ECDSA signature is r || s; WebAuthn wants DER SEQUENCE { r INTEGER, s INTEGER }. */
export function rawEcdsaToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const body = concat(derInteger(raw.subarray(0, half)), derInteger(raw.subarray(half)));
  return concat(Uint8Array.of(0x30, body.length), body);
}

async function generateKeys(alg: SoftAlgorithm): Promise<CryptoKeyPair> {
  if (alg === "ES256") return (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  if (alg === "EdDSA") return (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  return (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
}

/** The credential public key as a COSE_Key (RFC 9053): EC2 P-256, OKP Ed25519 or RSA. */
async function coseKey(alg: SoftAlgorithm, publicKey: CryptoKey): Promise<Uint8Array> {
  if (alg === "ES256") {
    const raw = new Uint8Array((await crypto.subtle.exportKey("raw", publicKey)) as ArrayBuffer);
    return encodeCbor(new Map<number, CborValue>([[1, 2], [3, -7], [-1, 1], [-2, raw.slice(1, 33)], [-3, raw.slice(33, 65)]]));
  }
  if (alg === "EdDSA") {
    const raw = new Uint8Array((await crypto.subtle.exportKey("raw", publicKey)) as ArrayBuffer);
    return encodeCbor(new Map<number, CborValue>([[1, 1], [3, -8], [-1, 6], [-2, raw]]));
  }
  const jwk = (await crypto.subtle.exportKey("jwk", publicKey)) as JsonWebKey;
  return encodeCbor(new Map<number, CborValue>([[1, 3], [3, -257], [-1, fromB64u(jwk.n!)], [-2, fromB64u(jwk.e!)]]));
}

async function sign(alg: SoftAlgorithm, privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  if (alg === "ES256") return rawEcdsaToDer(new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, data)));
  if (alg === "EdDSA") return new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, privateKey, data));
  return new Uint8Array(await crypto.subtle.sign({ name: "RSASSA-PKCS1-v1_5" }, privateKey, data));
}

export const TEST_AAGUID = Uint8Array.from([0xa2, 0x4a, 0x57, 0x2e, 0x50, 0x61, 0x73, 0x73, 0x6b, 0x65, 0x79, 0x54, 0x65, 0x73, 0x74, 0x31]);

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  private readonly o: Required<SoftAuthenticatorOptions>;

  constructor(options: SoftAuthenticatorOptions = {}) {
    this.o = {
      algorithm: options.algorithm ?? "ES256",
      aaguid: options.aaguid ?? TEST_AAGUID,
      userVerification: options.userVerification ?? true,
      backupEligible: options.backupEligible ?? true,
      backedUp: options.backedUp ?? true,
      counter: options.counter ?? "increment",
      attestation: options.attestation ?? "none",
      transports: options.transports ?? ["hybrid", "internal"],
    };
  }

  private flags(uv: boolean, attested: boolean): number {
    return FLAG.UP | (uv ? FLAG.UV : 0) | (this.o.backupEligible ? FLAG.BE : 0) | (this.o.backedUp ? FLAG.BS : 0) | (attested ? FLAG.AT : 0);
  }

  private clientData(type: string, challenge: string, origin: string, crossOrigin: boolean | undefined): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ type, challenge, origin, crossOrigin: crossOrigin ?? false }));
  }

  /** navigator.credentials.create(): a new credential for options.rp.id and options.user. */
  async register(options: PublicKeyCredentialCreationOptionsJSON, overrides: CeremonyOverrides = {}): Promise<RegistrationResponseJSON> {
    const alg = this.o.algorithm;
    if (!options.pubKeyCredParams.some((p) => p.alg === COSE_ALG[alg])) throw new Error(`NotSupportedError: ${alg} not offered`);
    const rpId = overrides.rpId ?? options.rp.id ?? "";
    if (options.excludeCredentials?.some((c) => this.credentials.some((own) => own.id === c.id && own.rpId === rpId))) {
      throw new Error("InvalidStateError: this authenticator already holds an excluded credential");
    }
    const keys = await generateKeys(alg);
    const idBytes = crypto.getRandomValues(new Uint8Array(32));
    const id = toB64u(idBytes);
    const counter = overrides.counter ?? 0;
    const cose = overrides.coseKey ?? (await coseKey(alg, keys.publicKey));
    const authData = concat(
      await sha256(new TextEncoder().encode(rpId)),
      Uint8Array.of(this.flags(overrides.uv ?? this.o.userVerification, true)),
      uint32(counter),
      this.o.aaguid,
      Uint8Array.of(idBytes.length >> 8, idBytes.length & 0xff),
      idBytes,
      cose,
    );
    const clientDataJSON = this.clientData(overrides.type ?? "webauthn.create", overrides.challenge ?? options.challenge, overrides.origin ?? `https://${rpId}`, overrides.crossOrigin);
    const attStmt = new Map<string, CborValue>();
    if (this.o.attestation === "packed-self") {
      attStmt.set("alg", COSE_ALG[alg]);
      attStmt.set("sig", await sign(alg, keys.privateKey, concat(authData, await sha256(clientDataJSON))));
    }
    const fmt = overrides.attestation?.fmt ?? (this.o.attestation === "none" ? "none" : "packed");
    const attestationObject = encodeCbor(new Map<string, CborValue>([["fmt", fmt], ["attStmt", overrides.attestation?.attStmt ?? attStmt], ["authData", authData]]));
    this.credentials.push({ id, rpId, userHandle: options.user.id, keys, counter });
    return {
      id,
      rawId: id,
      type: "public-key",
      response: { clientDataJSON: toB64u(clientDataJSON), attestationObject: toB64u(attestationObject), transports: this.o.transports as never },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /**
   * A credential made without a ceremony, for seeding storage directly (the bench): its id and COSE
   * public key, to be written to the passkeys table; the authenticator keeps the private key.
   */
  async createCredential(rpId: string, userHandle: string): Promise<{ id: string; publicKey: Uint8Array }> {
    const keys = await generateKeys(this.o.algorithm);
    const id = toB64u(crypto.getRandomValues(new Uint8Array(32)));
    this.credentials.push({ id, rpId, userHandle, keys, counter: 0 });
    return { id, publicKey: await coseKey(this.o.algorithm, keys.publicKey) };
  }

  /** navigator.credentials.get(): an assertion from a listed credential, or any of the RP's (discoverable). */
  async authenticate(options: PublicKeyCredentialRequestOptionsJSON, overrides: CeremonyOverrides = {}): Promise<AuthenticationResponseJSON> {
    const rpId = overrides.rpId ?? options.rpId ?? "";
    const allowed = options.allowCredentials ?? [];
    const credential = overrides.credentialId
      ? this.credentials.find((c) => c.id === overrides.credentialId)
      : allowed.length > 0
        ? this.credentials.find((c) => allowed.some((a) => a.id === c.id))
        : this.credentials.find((c) => c.rpId === (options.rpId ?? rpId));
    if (!credential) throw new Error("NotAllowedError: no matching credential");
    if (overrides.counter !== undefined) credential.counter = overrides.counter;
    else if (this.o.counter === "increment") credential.counter += 1;
    const authData = concat(await sha256(new TextEncoder().encode(rpId)), Uint8Array.of(this.flags(overrides.uv ?? this.o.userVerification, false)), uint32(credential.counter));
    const clientDataJSON = this.clientData(overrides.type ?? "webauthn.get", overrides.challenge ?? options.challenge, overrides.origin ?? `https://${rpId}`, overrides.crossOrigin);
    const signature = await sign(this.o.algorithm, credential.keys.privateKey, concat(authData, await sha256(clientDataJSON)));
    const userHandle = overrides.userHandle === undefined ? credential.userHandle : overrides.userHandle;
    return {
      id: credential.id,
      rawId: credential.id,
      type: "public-key",
      response: {
        clientDataJSON: toB64u(clientDataJSON),
        authenticatorData: toB64u(authData),
        signature: toB64u(signature),
        ...(userHandle !== null && { userHandle }),
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
