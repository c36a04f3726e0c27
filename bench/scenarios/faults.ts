import type { BenchContext, Scenario } from "../lib/types";

// Faults on the real runtime (one workerd, real local D1/KV/DO/Queues):
//   do_restart        the workerd process is restarted (ctx.restartWorker) with sessions issued, a login
//                     limiter half-way to its limit and a 2FA and a reset challenge pending; then auth_me is
//                     measured with the old tokens and each flow is checked to carry on exactly as before.
//   mail_outage       the mail provider (the harness's fake Resend) answers 503 while 20 reset mails are
//                     queued, until each has failed at least twice; then it recovers: every mail must be
//                     delivered exactly once (one accepted send per Idempotency-Key) and recorded `sent`.
//   mail_dead_letter  the provider stays down: 5 mails must exhaust their 6 attempts, land in
//                     auth2-mail-dlq and be recorded `dead`, never delivered (also not after recovery).
// The Worker runs with MAIL_RETRY_BASE_SECONDS=1 (bench/lib/worker.ts), so the whole scenario takes about
// a minute. D1/KV errors are injected per storage call in test/faults (vitest), where each step can be hit.

const SITE = "bench-faults";
const SITE_2FA = "bench-faults-2fa";
const OUTAGE_MAILS = 20;
const DEAD_MAILS = 5;

let email: (n: number) => string = () => "";
let tokens: string[] = [];
const pending = { limited: "", twofaToken: "", twofaCode: "", twofaEmail: "", resetToken: "" };

const ip = (block: number, i: number) => `198.18.${block}.${(i % 250) + 1}`;

/** The parts of an auth_login answer this scenario reads. */
interface LoginAnswer {
  session?: { token: string };
  challenge?: { token: string };
}

async function body(res: Response): Promise<LoginAnswer> {
  return (await res.json()) as LoginAnswer;
}

async function login(ctx: BenchContext, site: string, address: string, password: string, n: number) {
  return ctx.call("/api/auth_login", { json: { site_key: site, email: address, password }, headers: { "cf-connecting-ip": ip(1, n) } });
}

/** mail_log rows of these recipients' password_reset mails. */
async function mailRows(ctx: BenchContext, recipients: string[]) {
  const marks = recipients.map(() => "?").join(", ");
  return ctx.sql<{ id: string; recipient: string; status: string; attempts: number }>(
    `SELECT id, recipient, status, attempts FROM mail_log WHERE template = 'password_reset' AND recipient IN (${marks})`,
    ...recipients,
  );
}

/** Problems with delivery: every recipient has exactly one row; `status` as expected; accepted sends per key as expected. */
async function deliveryProblems(ctx: BenchContext, recipients: string[], status: "sent" | "dead"): Promise<string[]> {
  const problems: string[] = [];
  const rows = await mailRows(ctx, recipients);
  for (const r of recipients) {
    const mine = rows.filter((row) => row.recipient === r);
    if (mine.length !== 1) problems.push(`${r}: ${mine.length} mail_log rows (want 1: ${mine.length === 0 ? "lost" : "duplicated"})`);
  }
  for (const row of rows) {
    if (row.status !== status) problems.push(`${row.id}: ${row.status}, want ${status}`);
    const accepted = ctx.mail.deliveries.filter((d) => d.key === row.id).length;
    const want = status === "sent" ? 1 : 0;
    if (accepted !== want) problems.push(`${row.id}: accepted by the provider ${accepted}×, want ${want}`);
  }
  if (ctx.mail.unexpected.length > 0) problems.push(`unexpected outbound requests: ${ctx.mail.unexpected.slice(0, 3).join(", ")}`);
  return problems;
}

const scenario: Scenario = {
  name: "faults",
  description: "workerd restart mid-flow (sessions, limits, challenges persist); mail provider outage (retried, delivered once) and dead-lettering",
  order: 90,
  async setup(ctx) {
    await ctx.seedSite(SITE, { policy: { login_mode: "password", twofa_mode: "off", reset_mode: "link" } });
    await ctx.seedSite(SITE_2FA, { policy: { login_mode: "password", twofa_mode: "required" } });
    ({ email } = await ctx.seedUsers(100, { idPrefix: "usr_flt_", emailPrefix: "flt", domain: "faults.bench.test" }));
  },
  routes: [
    {
      label: "do_restart",
      async prepare(ctx) {
        tokens = [];
        for (let i = 0; i < 8; i++) {
          const res = await login(ctx, SITE, email(1 + (i % 2)), ctx.password, i);
          if (res.status !== 200) throw new Error(`login for the restart case answered ${res.status}`);
          const token = (await body(res)).session?.token;
          if (!token) throw new Error("login for the restart case answered no session token");
          tokens.push(token);
        }
        // 4 of the 5 failures that throttle an address; the 5th comes after the restart.
        pending.limited = email(3);
        for (let i = 0; i < 4; i++) await login(ctx, SITE, pending.limited, "not the password", 10 + i);
        // A pending second factor (its code mailed through the fake provider) and a pending reset link.
        pending.twofaEmail = email(4);
        const f = await body(await login(ctx, SITE_2FA, pending.twofaEmail, ctx.password, 20));
        pending.twofaToken = f.challenge?.token ?? "";
        await ctx.call("/api/auth_password_reset_request", { json: { site_key: SITE, email: email(5) }, headers: { "cf-connecting-ip": ip(1, 30) } });
        const mailed = await ctx.mail.waitFor(() => ctx.mail.lastCode(pending.twofaEmail) !== null && ctx.mail.to(email(5)).length > 0, 15_000);
        if (!mailed) throw new Error("the 2FA code or the reset link was not mailed before the restart");
        pending.twofaCode = ctx.mail.lastCode(pending.twofaEmail)!;
        pending.resetToken = /[?&]token=([A-Za-z0-9_-]+)/.exec(ctx.mail.to(email(5)).at(-1)!.text)?.[1] ?? "";
        ctx.log("restarting workerd (same storage) with 8 sessions, a limiter at 4/5, a 2FA and a reset challenge pending");
        const started = Date.now();
        await ctx.restartWorker();
        ctx.log(`workerd restarted in ${Date.now() - started} ms`);
      },
      // The sessions issued before the restart, measured after it.
      request: (i) => ({ path: "/api/auth_me", headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } }),
      mode: "sequential",
      samples: 40,
      warmupSamples: 0,
      floor: "do",
      async check(ctx) {
        const problems: string[] = [];
        const expect = (what: string, got: number, want: number) => got !== want && problems.push(`${what}: ${got}, want ${want}`);
        const me = async (t: string) => (await ctx.call("/api/auth_me", { headers: { authorization: `Bearer ${t}` } })).status;
        expect("logout with a pre-restart token", (await ctx.call("/api/auth_logout", { json: {}, headers: { authorization: `Bearer ${tokens[0]}` } })).status, 200);
        expect("auth_me after that logout", await me(tokens[0]!), 401);
        expect("auth_me with another pre-restart token", await me(tokens[1]!), 200);
        expect("5th wrong password after the restart", (await login(ctx, SITE, pending.limited, "not the password", 40)).status, 401);
        expect("right password after 5 failures (throttled)", (await login(ctx, SITE, pending.limited, ctx.password, 41)).status, 429);
        const verify = () => ctx.call("/api/auth_factor_verify", { json: { challenge_token: pending.twofaToken, code: pending.twofaCode }, headers: { "cf-connecting-ip": ip(1, 20) } });
        expect("pending 2FA code after the restart", (await verify()).status, 200);
        expect("the same 2FA code again", (await verify()).status, 410);
        const complete = () => ctx.call("/api/auth_password_reset_complete", { json: { site_key: SITE, token: pending.resetToken, new_password: "a fresh password after restart" }, headers: { "cf-connecting-ip": ip(1, 31) } });
        expect("pending reset link after the restart", (await complete()).status, 200);
        expect("the same reset link again", (await complete()).status, 410);
        return problems;
      },
    },
    {
      label: "mail_outage",
      prepare: async (ctx) => {
        ctx.mail.down = true;
        ctx.log("mail provider down");
      },
      // 20 reset requests while the provider is down (202 at once: mail goes out after the answer).
      request: (i) => ({ method: "POST", path: "/api/auth_password_reset_request", headers: { "cf-connecting-ip": ip(2, i) }, body: { site_key: SITE, email: email(20 + i) } }),
      mode: "sequential",
      samples: OUTAGE_MAILS,
      warmupSamples: 0,
      expectStatus: 202,
      floor: "d1",
      async check(ctx) {
        const recipients = Array.from({ length: OUTAGE_MAILS }, (_, i) => email(20 + i));
        // Down "for a while": until every mail has been refused at least twice (attempts 1 and 2).
        const failedTwice = await ctx.mail.waitFor(async () => {
          const rows = await mailRows(ctx, recipients);
          return rows.length === OUTAGE_MAILS && rows.every((r) => (ctx.mail.attempts.get(r.id) ?? 0) >= 2);
        }, 60_000);
        ctx.mail.down = false;
        const outage = failedTwice ? "" : " (not every mail was retried during the outage)";
        ctx.log(`mail provider up again${outage}`);
        const settled = await ctx.mail.waitFor(async () => (await mailRows(ctx, recipients)).filter((r) => r.status === "sent").length === OUTAGE_MAILS, 60_000);
        const problems = await deliveryProblems(ctx, recipients, "sent");
        if (!failedTwice) problems.push("the outage did not make every mail fail twice within 60 s");
        if (!settled && problems.length === 0) problems.push("not every mail was sent within 60 s of recovery");
        const attempts = (await mailRows(ctx, recipients)).map((r) => r.attempts);
        ctx.log(`mail_outage: ${ctx.mail.deliveries.length} accepted sends so far; attempts per mail ${Math.min(...attempts)}–${Math.max(...attempts)}`);
        return problems;
      },
    },
    {
      label: "mail_dead_letter",
      prepare: async (ctx) => {
        ctx.mail.down = true;
        ctx.log("mail provider down for good (dead-letter case; about 45 s)");
      },
      request: (i) => ({ method: "POST", path: "/api/auth_password_reset_request", headers: { "cf-connecting-ip": ip(3, i) }, body: { site_key: SITE, email: email(60 + i) } }),
      mode: "sequential",
      samples: DEAD_MAILS,
      warmupSamples: 0,
      expectStatus: 202,
      floor: "d1",
      async check(ctx) {
        const recipients = Array.from({ length: DEAD_MAILS }, (_, i) => email(60 + i));
        const dead = await ctx.mail.waitFor(async () => (await mailRows(ctx, recipients)).filter((r) => r.status === "dead").length === DEAD_MAILS, 120_000);
        const problems: string[] = [];
        if (!dead) problems.push("not every mail was dead-lettered within 120 s");
        const rows = await mailRows(ctx, recipients);
        for (const r of rows) {
          const tries = ctx.mail.attempts.get(r.id) ?? 0;
          if (tries !== 6) problems.push(`${r.id}: ${tries} attempts at the provider, want 6 (max_retries 5)`);
        }
        // Recovery afterwards must not resurrect dead mail.
        ctx.mail.down = false;
        await new Promise((r) => setTimeout(r, 3000));
        problems.push(...(await deliveryProblems(ctx, recipients, "dead")));
        return problems;
      },
    },
  ],
  summary: (results) => {
    const r = results.get("faults/do_restart");
    return r ? [`faults: after a workerd restart, auth_me with pre-restart tokens p50 ${r.stats.latency.p50.toFixed(1)} ms; see checks for sessions, limits, challenges and mail`] : [];
  },
};

export default scenario;
