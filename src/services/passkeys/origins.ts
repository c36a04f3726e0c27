import { getDomain, parse } from "tldts";

// Which origins may run a passkey ceremony for our RP ID. Browsers decide the first half: a page may
// use an RP ID only when the RP ID equals its host or is a registrable-domain suffix of it (so
// https://app.example.com may use "example.com" but not "auth.example.com"). A page on the same
// registrable domain but outside the RP ID can use it only through WebAuthn Related Origin Requests
// (the RP ID's /.well-known/webauthn lists it; Chrome and Safari, not Firefox). The server decides
// the second half: which clientDataJSON.origin values it accepts. It accepts Auth2's own origin and
// registered site origins on the RP ID's registrable domain; any other site uses the hosted pages.

/** How an origin relates to the RP ID. */
export type PasskeyOriginKind =
  /** The host is the RP ID or under it: every browser runs the ceremony there. */
  | "rp"
  /** Same registrable domain, outside the RP ID: only with Related Origin Requests. */
  | "related"
  /** Another registrable domain, an IP address, plain http off localhost, or not an origin. */
  | "foreign";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// Private suffixes (github.io, pages.dev, ...) count: two tenants of one are different sites.
const PSL = { allowPrivateDomains: true } as const;

function isLocalhost(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

/** The registrable domain (eTLD+1) of a host name, or null (an IP, a public suffix, localhost). */
export function registrableDomain(host: string): string | null {
  if (isLocalhost(host)) return null;
  return getDomain(host, PSL);
}

/**
 * Whether `rpId` can be an RP ID: a lower-case DNS name without port or scheme, not an IP address
 * (browsers refuse those), and either localhost or a name with a registrable domain (not a public
 * suffix such as "com" or "github.io").
 */
export function isValidRpId(rpId: string): boolean {
  if (rpId.length === 0 || rpId.length > 253 || rpId !== rpId.toLowerCase()) return false;
  if (!rpId.split(".").every((label) => LABEL.test(label))) return false;
  if (parse(rpId).isIp) return false;
  return rpId === "localhost" || registrableDomain(rpId) !== null;
}

/** The host of `origin` when it is exactly an origin we could accept (https, or http on localhost). */
function originHost(origin: string): string | null {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return null;
  }
  // Exactly scheme://host[:port]: no path, query, credentials, trailing slash or default port.
  if (url.origin !== origin) return null;
  const host = url.hostname;
  if (parse(host).isIp || host.startsWith("[")) return null;
  if (url.protocol === "https:") return host;
  // Browsers treat http://localhost as a secure context, so development works without TLS.
  if (url.protocol === "http:" && isLocalhost(host)) return host;
  return null;
}

/** Classifies `origin` against `rpId` (see PasskeyOriginKind). */
export function classifyPasskeyOrigin(rpId: string, origin: string): PasskeyOriginKind {
  if (!isValidRpId(rpId)) return "foreign";
  const host = originHost(origin);
  if (host === null) return "foreign";
  if (host === rpId || host.endsWith(`.${rpId}`)) return "rp";
  const domain = registrableDomain(host);
  return domain !== null && domain === registrableDomain(rpId) ? "related" : "foreign";
}

/**
 * The origins accepted in clientDataJSON: Auth2's own origin first, then each site origin whose
 * registrable domain is the RP ID's ("rp" or "related"), without duplicates. Site origins on other
 * domains are left out: those sites send their users to the hosted pages. Throws when Auth2's own
 * origin cannot use the RP ID (a configuration error: no browser would run a ceremony there).
 */
export function passkeyAllowedOrigins(input: { rpId: string; auth2Origin: string; siteOrigins: readonly string[] }): string[] {
  if (classifyPasskeyOrigin(input.rpId, input.auth2Origin) !== "rp") {
    throw new Error(`WebAuthn RP ID "${input.rpId}" cannot be used from Auth2's origin ${input.auth2Origin}`);
  }
  const out = [input.auth2Origin];
  for (const origin of input.siteOrigins) {
    if (!out.includes(origin) && classifyPasskeyOrigin(input.rpId, origin) !== "foreign") out.push(origin);
  }
  return out;
}

/**
 * The RP ID: the configured one, else the host of Auth2's public base URL. Throws for an IP address
 * or an invalid name (development must serve on http://localhost, not http://127.0.0.1).
 */
export function resolvePasskeyRpId(publicBaseUrl: string, configured?: string | null): string {
  const rpId = configured && configured.length > 0 ? configured : new URL(publicBaseUrl).hostname;
  if (!isValidRpId(rpId)) throw new Error(`"${rpId}" cannot be a WebAuthn RP ID (an IP address, a public suffix or not a host name)`);
  return rpId;
}
