import type { Env } from "../env";

/** The UserState object for an account name (auth_user_id, "admin:<id>" or "ghost:<digest>"). */
export function userStateStub(env: Env, name: string) {
  return env.USER_STATE.get(env.USER_STATE.idFromName(name));
}
