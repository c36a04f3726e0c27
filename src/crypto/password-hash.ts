import { scrypt as scryptCallback } from "node:crypto";
import { argon2id } from "@noble/hashes/argon2.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import bcrypt from "bcryptjs";
import type { ScryptParams } from "../config";
import { fromBase64, toBase64, utf8 } from "./encoding";
import { randomBytes } from "./random";

// Passwords are stored as PHC strings: $scrypt$ln=14,r=8,p=5[,pepper=1]$<salt>$<hash>.
// Imported $2y$/$2a$/$2b$ bcrypt and $argon2id$ hashes verify as they are and are replaced by a
// scrypt hash on the next successful login (needsRehash).

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

export interface HashOptions {
  scrypt: ScryptParams;
  pepper?: string | undefined;
}

function scrypt(input: Uint8Array, salt: Uint8Array, params: ScryptParams, length: number): Promise<Uint8Array> {
  const N = 2 ** params.ln;
  // node's default maxmem (32 MiB) is too tight for r=8, ln≥15; allow what the parameters need.
  const maxmem = 128 * N * params.r * 2 + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scryptCallback(input, salt, length, { N, r: params.r, p: params.p, maxmem }, (err, key) => {
      if (err) reject(err);
      else resolve(new Uint8Array(key));
    });
  });
}

/** NFC-normalises and, when a pepper is configured, HMACs the password so the pepper never sits in D1. */
function passwordInput(password: string, pepper: string | undefined): Uint8Array {
  const normalised = utf8(password.normalize("NFC"));
  return pepper ? hmac(sha256, utf8(pepper), normalised) : normalised;
}

export async function hashPassword(password: string, options: HashOptions): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scrypt(passwordInput(password, options.pepper), salt, options.scrypt, KEY_LENGTH);
  const { ln, r, p } = options.scrypt;
  const params = `ln=${ln},r=${r},p=${p}${options.pepper ? ",pepper=1" : ""}`;
  return `$scrypt$${params}$${toBase64(salt, { pad: false })}$${toBase64(key, { pad: false })}`;
}

interface ScryptPhc {
  params: ScryptParams;
  peppered: boolean;
  salt: Uint8Array;
  hash: Uint8Array;
}

function parseScrypt(phc: string): ScryptPhc | null {
  const parts = phc.split("$");
  if (parts.length !== 5 || parts[1] !== "scrypt") return null;
  const fields = Object.fromEntries(parts[2]!.split(",").map((kv) => kv.split("=") as [string, string]));
  const ln = Number(fields.ln);
  const r = Number(fields.r);
  const p = Number(fields.p);
  if (![ln, r, p].every((n) => Number.isInteger(n) && n > 0) || ln > 20 || r > 32 || p > 16) return null;
  try {
    return { params: { ln, r, p }, peppered: fields.pepper === "1", salt: fromBase64(parts[3]!), hash: fromBase64(parts[4]!) };
  } catch {
    return null;
  }
}

interface Argon2Phc {
  m: number;
  t: number;
  p: number;
  version: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

function parseArgon2id(phc: string): Argon2Phc | null {
  const parts = phc.split("$");
  // $argon2id$v=19$m=65536,t=3,p=4$salt$hash
  if (parts.length !== 6 || parts[1] !== "argon2id") return null;
  const version = Number(parts[2]!.replace(/^v=/, ""));
  const fields = Object.fromEntries(parts[3]!.split(",").map((kv) => kv.split("=") as [string, string]));
  const m = Number(fields.m);
  const t = Number(fields.t);
  const p = Number(fields.p);
  // Refuse absurd parameters from an import rather than let one row exhaust the isolate.
  if (![m, t, p].every((n) => Number.isInteger(n) && n > 0) || m > 262144 || t > 16 || p > 16) return null;
  try {
    return { m, t, p, version, salt: fromBase64(parts[4]!), hash: fromBase64(parts[5]!) };
  } catch {
    return null;
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** The kind of stored hash, or null for anything we cannot verify. */
export function hashKind(stored: string): "scrypt" | "bcrypt" | "argon2id" | null {
  if (stored.startsWith("$scrypt$")) return "scrypt";
  if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(stored)) return "bcrypt";
  if (stored.startsWith("$argon2id$")) return "argon2id";
  return null;
}

/** Verifies a password against any supported stored hash. Unknown formats never verify. */
export async function verifyPassword(password: string, stored: string, options: HashOptions): Promise<boolean> {
  switch (hashKind(stored)) {
    case "scrypt": {
      const phc = parseScrypt(stored);
      if (!phc) return false;
      const key = await scrypt(passwordInput(password, phc.peppered ? options.pepper : undefined), phc.salt, phc.params, phc.hash.length);
      return bytesEqual(key, phc.hash);
    }
    case "bcrypt": {
      // PHP's $2y$ is the same algorithm as $2b$; bcryptjs expects $2a$/$2b$.
      const normalised = stored.replace(/^\$2y\$/, "$2b$");
      return bcrypt.compare(password.normalize("NFC"), normalised);
    }
    case "argon2id": {
      const phc = parseArgon2id(stored);
      if (!phc) return false;
      const key = argon2id(utf8(password.normalize("NFC")), phc.salt, {
        t: phc.t,
        m: phc.m,
        p: phc.p,
        dkLen: phc.hash.length,
        version: phc.version,
      });
      return bytesEqual(key, phc.hash);
    }
    default:
      return false;
  }
}

/** True when a stored hash should be replaced after a successful verify (legacy format or old parameters). */
export function needsRehash(stored: string, options: HashOptions): boolean {
  const phc = parseScrypt(stored);
  if (!phc) return true;
  const { ln, r, p } = options.scrypt;
  return phc.params.ln !== ln || phc.params.r !== r || phc.params.p !== p || phc.peppered !== Boolean(options.pepper);
}

const dummyHashes = new Map<string, Promise<string>>();

/**
 * Spends the same time as verifying a real password with the current parameters. Used when the
 * account does not exist (or cannot log in) so that timing does not reveal which emails exist.
 */
export async function burnPasswordTime(password: string, options: HashOptions): Promise<void> {
  const id = `${options.scrypt.ln},${options.scrypt.r},${options.scrypt.p},${Boolean(options.pepper)}`;
  let dummy = dummyHashes.get(id);
  if (!dummy) {
    dummy = hashPassword("auth2-dummy-password-for-timing", options);
    dummyHashes.set(id, dummy);
  }
  await verifyPassword(password, await dummy, options);
}
