import type { Env } from "../env";
import { type AdminsStore, createAdminsStore } from "./admins";
import { type ApiKeysStore, createApiKeysStore } from "./api-keys";
import { type AuditStore, createAuditStore } from "./audit";
import { type AvatarsStore, createAvatarsStore } from "./avatars";
import { type ChallengesStore, createChallengesStore } from "./challenges";
import { type Read, type Statement, createDb, runRead } from "./db";
import { type HealthStore, createHealthStore } from "./health";
import { type LimitsStore, createLimitsStore } from "./limits";
import { type MailStore, createMailStore } from "./mail";
import { type PasskeyChallengesStore, createPasskeyChallengesStore } from "./passkey-challenges";
import { type PasskeysStore, createPasskeysStore } from "./passkeys";
import { type ServiceKeysStore, createServiceKeysStore } from "./service-keys";
import { type SessionsStore, type TotpStateStore, createSessionsStore, createTotpStateStore } from "./sessions";
import { type SitesStore, createSitesStore } from "./sites";
import { type UsersStore, createUsersStore } from "./users";

export type { Read, Statement } from "./db";

/**
 * The storage ports: the only way services reach D1, KV, R2, the Queue and the Durable Objects.
 * Each port says what it does; the names (tables, KV keys, R2 paths, object names, limiter keys)
 * stay inside src/store/. Writes that must commit together go through `batch`.
 */
export interface Store {
  readonly users: UsersStore;
  readonly admins: AdminsStore;
  readonly sites: SitesStore;
  readonly sessions: SessionsStore;
  readonly totp: TotpStateStore;
  readonly challenges: ChallengesStore;
  readonly limits: LimitsStore;
  readonly audit: AuditStore;
  readonly apiKeys: ApiKeysStore;
  readonly serviceKeys: ServiceKeysStore;
  readonly mail: MailStore;
  readonly avatars: AvatarsStore;
  readonly health: HealthStore;
  readonly passkeys: PasskeysStore;
  readonly passkeyChallenges: PasskeyChallengesStore;
  /** Runs statements in one D1 transaction (all or none); results in order. */
  batch<const T extends readonly [Statement, ...Statement[]]>(statements: T): Promise<BatchResults<T>>;
  /** Runs a one-row Read (one D1 round trip): its row, or null. */
  run<T>(read: Read<T>): Promise<T | null>;
}

type BatchResults<T extends readonly Statement[]> = { [K in keyof T]: Awaited<T[K]> };

const stores = new WeakMap<Env, Store>();

/** The ports for `env`, built once per env object (they hold no per-request state). */
export function createStore(env: Env, secrets: { codeKey(): string }): Store {
  let store = stores.get(env);
  if (!store) {
    const db = createDb(env.DB);
    const codeKey = () => secrets.codeKey();
    store = {
      users: createUsersStore(db),
      admins: createAdminsStore(db),
      sites: createSitesStore(db),
      sessions: createSessionsStore(env),
      totp: createTotpStateStore(env),
      challenges: createChallengesStore(env, codeKey),
      limits: createLimitsStore(env, codeKey),
      audit: createAuditStore(db),
      apiKeys: createApiKeysStore(db),
      serviceKeys: createServiceKeysStore(db),
      mail: createMailStore(env, db),
      avatars: createAvatarsStore(env.AVATARS),
      health: createHealthStore(env),
      passkeys: createPasskeysStore(db),
      passkeyChallenges: createPasskeyChallengesStore(env),
      batch: ((statements: readonly Statement[]) => db.batch(statements as [Statement, ...Statement[]])) as Store["batch"],
      run: (read) => runRead(db, read),
    };
    stores.set(env, store);
  }
  return store;
}
