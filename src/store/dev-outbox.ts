import { desc, eq, sql } from "drizzle-orm";
import { type Db, schema } from "./db";

export interface OutboxItem {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  template: string;
  site_key: string | null;
  created_at: number;
}

/** Stores one rendered mail; the mail id is the key, so a redelivered message is stored once. */
export async function insertOutboxMail(db: Db, item: OutboxItem): Promise<void> {
  await db
    .insert(schema.devOutbox)
    .values({
      id: item.id,
      recipient: item.to,
      subject: item.subject,
      text: item.text,
      html: item.html,
      template: item.template,
      siteKey: item.site_key,
      createdAt: item.created_at,
    })
    .onConflictDoNothing();
}

/** Newest first (insertion order breaks ties within one millisecond), optionally for one recipient. */
export async function listOutboxMail(db: Db, options: { to?: string | null; limit: number }): Promise<OutboxItem[]> {
  const t = schema.devOutbox;
  const rows = await db
    .select()
    .from(t)
    .where(options.to ? eq(t.recipient, options.to) : undefined)
    .orderBy(desc(t.createdAt), desc(sql`rowid`))
    .limit(options.limit);
  return rows.map((r) => ({
    id: r.id,
    to: r.recipient,
    subject: r.subject,
    text: r.text,
    html: r.html,
    template: r.template,
    site_key: r.siteKey,
    created_at: r.createdAt,
  }));
}
