import type { Ctx } from "../../context";
import { AppError } from "../../lib/errors";
import type { ResolvedSite } from "../../lib/types";
import { isValidRpId, passkeyAllowedOrigins } from "./origins";
import type { RelyingParty } from "./types";

// The relying party a ceremony runs for: the RP ID and name from the configuration
// (WEBAUTHN_RP_ID, default the host of PUBLIC_BASE_URL; WEBAUTHN_RP_NAME), and the origins whose
// clientDataJSON is accepted: Auth2's own, plus the site's registered origins that share the RP ID's
// registrable domain (origins.ts). A site elsewhere sends its users to the hosted pages.

/** Whether the configured RP ID can be used at all (production-check.ts reports it when not). */
export function isRelyingPartyConfigured(config: Ctx["config"]): boolean {
  if (!isValidRpId(config.webauthn.rpId)) return false;
  try {
    passkeyAllowedOrigins({ rpId: config.webauthn.rpId, auth2Origin: new URL(config.publicBaseUrl).origin, siteOrigins: [] });
    return true;
  } catch {
    return false;
  }
}

/** The relying party for a ceremony started from `site` (503 not_configured when no browser could use the RP ID). */
export function relyingParty(ctx: Ctx, site: Pick<ResolvedSite, "allowed_origins">): RelyingParty {
  const { rpId, rpName } = ctx.config.webauthn;
  if (!isRelyingPartyConfigured(ctx.config)) throw new AppError("not_configured", { message: "Passkeys are not configured on this server." });
  const origins = passkeyAllowedOrigins({ rpId, auth2Origin: new URL(ctx.config.publicBaseUrl).origin, siteOrigins: site.allowed_origins });
  return { id: rpId, name: rpName, origins };
}
