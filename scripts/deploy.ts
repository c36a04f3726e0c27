// `npm run deploy [-- wrangler args]`: deploys [env.production] of wrangler.toml, and refuses while it
// is missing or still holds placeholders. A plain `wrangler deploy` would ship the top level, which
// is production mode that refuses to serve until configured; this is the way that is meant to work.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { findDeployProblems } from "./lib/deploy-check";

const problems = findDeployProblems(parse(readFileSync("wrangler.toml", "utf8")));
if (problems.length > 0) {
  console.error("npm run deploy: wrangler.toml is not ready for production. Fix these first (docs/operations.md, Deploying):");
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}
const args = ["deploy", "--env", "production", ...process.argv.slice(2)];
console.log(`wrangler ${args.join(" ")}`);
const result = spawnSync("wrangler", args, { stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
process.exit(result.status ?? 1);
