import { applyD1Migrations, env } from "cloudflare:test";

// Each test file starts from empty storage; the schema comes from the same SQL wrangler applies.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
