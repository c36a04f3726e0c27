import { z } from "@hono/zod-openapi";

// The WebAuthn JSON that passkey routes exchange with browsers, as @simplewebauthn/browser (or
// PublicKeyCredential.toJSON / parse*OptionsFromJSON) produces and consumes it. Responses are checked
// only for their outline here; every field's encoding, size and content is checked by
// services/passkeys/response.ts, which answers 400 passkey_invalid for anything malformed.

const Base64Url = z.string().max(32768).openapi({ description: "base64url without padding" });
const Descriptor = z.object({ id: z.string(), type: z.literal("public-key"), transports: z.array(z.string()).optional() });

/** PublicKeyCredentialRequestOptionsJSON (startAuthentication's optionsJSON). */
export const PasskeyRequestOptionsSchema = z
  .object({
    challenge: z.string(),
    timeout: z.number().int().optional(),
    rpId: z.string().optional(),
    allowCredentials: z.array(Descriptor).optional(),
    userVerification: z.enum(["required", "preferred", "discouraged"]).optional(),
  })
  .passthrough()
  .openapi("PasskeyRequestOptions");

/** PublicKeyCredentialCreationOptionsJSON (startRegistration's optionsJSON). */
export const PasskeyCreationOptionsSchema = z
  .object({
    rp: z.object({ id: z.string().optional(), name: z.string() }),
    user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
    challenge: z.string(),
    pubKeyCredParams: z.array(z.object({ type: z.literal("public-key"), alg: z.number().int() })),
    timeout: z.number().int().optional(),
    excludeCredentials: z.array(Descriptor).optional(),
    authenticatorSelection: z.record(z.string(), z.unknown()).optional(),
    attestation: z.string().optional(),
  })
  .passthrough()
  .openapi("PasskeyCreationOptions");

const CredentialOutline = {
  id: Base64Url,
  rawId: Base64Url,
  type: z.string().openapi({ example: "public-key" }),
  clientExtensionResults: z.record(z.string(), z.unknown()).optional(),
  authenticatorAttachment: z.string().optional(),
};

/** AuthenticationResponseJSON (what startAuthentication resolves to). */
export const PasskeyAssertionSchema = z
  .object({
    ...CredentialOutline,
    response: z
      .object({ clientDataJSON: Base64Url, authenticatorData: Base64Url, signature: Base64Url, userHandle: Base64Url.nullable().optional() })
      .passthrough(),
  })
  .passthrough()
  .openapi("PasskeyAssertion", { description: "The browser's AuthenticationResponseJSON (@simplewebauthn/browser startAuthentication)" });

/** RegistrationResponseJSON (what startRegistration resolves to). */
export const PasskeyAttestationSchema = z
  .object({
    ...CredentialOutline,
    response: z.object({ clientDataJSON: Base64Url, attestationObject: Base64Url, transports: z.array(z.string()).max(16).optional() }).passthrough(),
  })
  .passthrough()
  .openapi("PasskeyAttestation", { description: "The browser's RegistrationResponseJSON (@simplewebauthn/browser startRegistration)" });

export const PasskeySchema = z
  .object({
    id: z.string().openapi({ description: "Auth2's id of the passkey (rename, delete)" }),
    name: z.string(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    transports: z.array(z.string()),
    aaguid: z.string().openapi({ description: "Authenticator model; all zeros when it does not say" }),
    provider_name: z.string().nullable().openapi({ example: "iCloud Keychain", description: "The provider's name where the AAGUID is known" }),
    backed_up: z.boolean().openapi({ description: "Synced (backed up) right now" }),
    device_type: z.enum(["singleDevice", "multiDevice"]),
    flagged_at: z.string().nullable().openapi({ description: "Set when a counter regression flagged it as possibly cloned: it is refused until removed" }),
  })
  .openapi("Passkey");

export const PasskeyIdField = z.string().min(1).max(64);
export const PasskeyNameField = z.string().trim().min(1).max(64).openapi({ example: "MacBook" });
