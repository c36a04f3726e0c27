import type { PasskeyRecord } from "../../store/passkeys";
import { aaguidName } from "./aaguid-names";
import { knownTransports } from "./types";

/** A passkey as the list routes show it: never the public key or the counter. */
export interface PasskeyView {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  transports: string[];
  aaguid: string;
  /** The provider's name where the AAGUID is known ("iCloud Keychain"), else null. */
  provider_name: string | null;
  /** The key is backed up (synced) right now (the BS flag, refreshed on every sign-in). */
  backed_up: boolean;
  /** "multiDevice": may be synced; "singleDevice": bound to one authenticator. */
  device_type: "singleDevice" | "multiDevice";
  /** Set when a counter regression flagged it: it is refused until removed. */
  flagged_at: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toPasskeyView(p: PasskeyRecord): PasskeyView {
  return {
    id: p.id,
    name: p.name,
    created_at: new Date(p.createdAt).toISOString(),
    last_used_at: iso(p.lastUsedAt),
    transports: knownTransports(p.transports),
    aaguid: p.aaguid,
    provider_name: aaguidName(p.aaguid),
    backed_up: p.backedUp,
    device_type: p.deviceType,
    flagged_at: iso(p.flaggedAt),
  };
}
