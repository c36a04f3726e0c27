import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../middleware/app-env";
import { requireUserSession } from "../middleware/session";
import { finishPasskeyEnrolment, startPasskeyEnrolment } from "../services/passkeys/enrolment";
import { deleteOwnPasskey, listOwnPasskeys, renameOwnPasskey } from "../services/passkeys/manage";
import { errorResponses, jsonBody, jsonResponse, validationHook } from "./common";
import { PasskeyAttestationSchema, PasskeyCreationOptionsSchema, PasskeyIdField, PasskeyNameField, PasskeySchema } from "./passkey-schemas";
import { EmptyOkSchema } from "./schemas";

// The signed-in user's passkeys (Staff): add (options + verify, with a recent proof), list, rename, remove.

const RECENT = "Needs a recent proof in this session: a password, code or passkey within the last 10 minutes (the sign-in, or auth_reauthenticate), else 403 `reauthentication_required`.";

const registerOptionsRoute = createRoute({
  method: "post",
  path: "/api/auth_passkey_register_options",
  tags: ["Staff"],
  summary: "Starts adding a passkey: creation options for the browser",
  description:
    `Account security screens ("Add a passkey"). ${RECENT} Pass \`options\` to @simplewebauthn/browser \`startRegistration({ optionsJSON })\` ` +
    "(or navigator.credentials.create after PublicKeyCredential.parseCreationOptionsFromJSON), then send the result to auth_passkey_register_verify " +
    "within 5 minutes. Attestation `none`, resident keys and user verification preferred; the user's passkeys are in `excludeCredentials`. " +
    "403 `passkeys_disabled` where the site's passkey_mode is off; 409 `conflict` at 20 passkeys.",
  middleware: [requireUserSession] as const,
  request: { body: { content: { "application/json": { schema: z.object({}) } }, required: false } },
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), options: PasskeyCreationOptionsSchema })), ...errorResponses(401, 403, 409, 413, 415, 503) },
});

const registerVerifyRoute = createRoute({
  method: "post",
  path: "/api/auth_passkey_register_verify",
  tags: ["Staff"],
  summary: "Finishes adding a passkey: verifies and stores the browser's response",
  description:
    `\`credential\`: what startRegistration resolved to; \`name\`: the user's label (default: the provider's name where known, e.g. "iCloud Keychain"). ${RECENT} ` +
    "The owner gets a notice mail. Errors: 400 `passkey_invalid` (malformed, or does not verify), `passkey_challenge_invalid` (expired, used, " +
    "another user's or site's), `passkey_origin_invalid` (another origin or RP ID); 409 `conflict` for a credential already registered.",
  middleware: [requireUserSession] as const,
  request: { body: jsonBody(z.object({ credential: PasskeyAttestationSchema, name: PasskeyNameField.optional() })) },
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), passkey: PasskeySchema })), ...errorResponses(400, 401, 403, 409, 413, 415, 503) },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/auth_passkeys_list",
  tags: ["Staff"],
  summary: "Lists the signed-in user's passkeys",
  description: "Name, created, last used, transports, the provider's name where the AAGUID is known, backed-up (synced) state, and `flagged_at` for a passkey refused after a counter regression. Oldest first.",
  middleware: [requireUserSession] as const,
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), passkeys: z.array(PasskeySchema) })), ...errorResponses(401) },
});

const renameRoute = createRoute({
  method: "post",
  path: "/api/auth_passkeys_rename",
  tags: ["Staff"],
  summary: "Renames one of the signed-in user's passkeys",
  description: "404 `passkey_not_found` for an id that is not one of the user's passkeys.",
  middleware: [requireUserSession] as const,
  request: { body: jsonBody(z.object({ id: PasskeyIdField, name: PasskeyNameField })) },
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true), passkey: PasskeySchema })), ...errorResponses(400, 401, 403, 404, 413, 415) },
});

const deleteRoute = createRoute({
  method: "post",
  path: "/api/auth_passkeys_delete",
  tags: ["Staff"],
  summary: "Removes one of the signed-in user's passkeys",
  description: "The passkey stops working at once (the authenticator keeps its copy; it is simply refused). 404 `passkey_not_found` for an id that is not one of the user's passkeys.",
  middleware: [requireUserSession] as const,
  request: { body: jsonBody(z.object({ id: PasskeyIdField })) },
  responses: { 200: jsonResponse(EmptyOkSchema), ...errorResponses(400, 401, 403, 404, 413, 415) },
});

const sessionActor = (c: Context<AppEnv>) => ({ userId: c.var.auth.principalId, siteKey: c.var.auth.siteKey, authenticatedAt: c.var.auth.authenticatedAt });

export const passkeyRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(registerOptionsRoute, async (c) => {
    const options = await startPasskeyEnrolment(c.var.ctx, sessionActor(c));
    return c.json({ ok: true as const, options }, 200);
  })
  .openapi(registerVerifyRoute, async (c) => {
    const body = c.req.valid("json");
    const passkey = await finishPasskeyEnrolment(c.var.ctx, sessionActor(c), { response: body.credential, name: body.name });
    return c.json({ ok: true as const, passkey }, 200);
  })
  .openapi(listRoute, async (c) => {
    const passkeys = await listOwnPasskeys(c.var.ctx, c.var.auth.principalId);
    return c.json({ ok: true as const, passkeys }, 200);
  })
  .openapi(renameRoute, async (c) => {
    const body = c.req.valid("json");
    const passkey = await renameOwnPasskey(c.var.ctx, { userId: c.var.auth.principalId, siteKey: c.var.auth.siteKey, id: body.id, name: body.name });
    return c.json({ ok: true as const, passkey }, 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteOwnPasskey(c.var.ctx, { userId: c.var.auth.principalId, siteKey: c.var.auth.siteKey, id: c.req.valid("json").id });
    return c.json({ ok: true as const }, 200);
  });
