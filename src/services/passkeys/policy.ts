import { AppError } from "../../lib/errors";
import type { ResolvedSite } from "../../lib/types";
import type { PasskeyFailure } from "./types";

/** Passkey sign-in and registration on a site whose passkey_mode is off: 403 passkeys_disabled. */
export function assertPasskeysEnabled(site: Pick<ResolvedSite, "policy">): void {
  if (site.policy.passkey_mode === "off") throw new AppError("passkeys_disabled");
}

/** Whether a second factor on this site may be a passkey. */
export function passkeysEnabled(site: Pick<ResolvedSite, "policy">): boolean {
  return site.policy.passkey_mode !== "off";
}

/** The client's error for a ceremony failure (its `reason` stays in the logs and audit rows). */
export function passkeyError(failure: PasskeyFailure): AppError {
  return new AppError(failure.code);
}
