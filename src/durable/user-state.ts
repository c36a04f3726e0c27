import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

// One object per auth_user_id (and, under the "admin:" name prefix, per admin). It holds what must be
// strongly consistent for that account: the canonical identity snapshot that session checks answer
// from without touching D1, and (login issue) sessions, challenge attempts and the TOTP replay guard.

const IDENTITY_KEY = "identity";

export class UserState extends DurableObject<Env> {
  /** Replaces the identity snapshot; called after every change to the user's D1 row. */
  putIdentity(identity: Record<string, unknown> | null): void {
    if (identity === null) this.ctx.storage.kv.delete(IDENTITY_KEY);
    else this.ctx.storage.kv.put(IDENTITY_KEY, identity);
  }

  getIdentity(): Record<string, unknown> | null {
    return (this.ctx.storage.kv.get(IDENTITY_KEY) as Record<string, unknown> | undefined) ?? null;
  }
}
