import type { ImportUser } from "./validate";

// The id map apps need after the move: Auth2 gives every imported user a new auth_user_id; an app that
// stored the PHP user id rewrites its column from this file (external_id = the PHP id).

const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** CSV `external_id,email,auth_user_id`, one line per user in the file, in file order. */
export function buildIdMap(users: ImportUser[], idsByEmail: Map<string, string>): string {
  const lines = ["external_id,email,auth_user_id"];
  for (const user of users) {
    const id = idsByEmail.get(user.email);
    if (id) lines.push([user.external_id ?? "", user.email, id].map(csvField).join(","));
  }
  return `${lines.join("\n")}\n`;
}
