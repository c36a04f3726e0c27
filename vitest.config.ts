import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          // wrangler.toml's top level is production mode; the suite runs in development mode with
          // the log mail provider (mail lands in dev_outbox) and public test secrets.
          ENVIRONMENT: "development",
          MAIL_PROVIDER: "log",
          ADMIN_REQUIRE_TOTP: "false",
          PUBLIC_BASE_URL: "https://auth.test",
          // Cheap hashing for the suite (code in the vitest pool runs ~10x slower); one test uses production parameters.
          PASSWORD_SCRYPT_LN: "10",
          PASSWORD_SCRYPT_R: "8",
          PASSWORD_SCRYPT_P: "1",
          DEFAULT_RESET_URL: "https://app.test/reset-password",
          DEFAULT_ONBOARDING_URL: "https://app.test/onboarding",
          PASSWORD_PEPPER: "test-pepper",
          CODE_HMAC_KEY: "test-code-hmac-key",
          TOTP_ENCRYPTION_KEY: "dGVzdC10b3RwLWtleS0zMi1ieXRlcy1ub3Qtc2VjciE=",
          SERVICE_BOOTSTRAP_KEY: "a2s_test_bootstrap_key_000000000000000000",
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
        },
        // Same queues as wrangler.toml, but a batch is handed to the consumer at once instead of after
        // max_batch_timeout (1 s), so tests that read mailed codes (test/helpers.ts waitForMail) do not wait.
        queueConsumers: {
          "auth2-mail": { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 5, deadLetterQueue: "auth2-mail-dlq" },
          "auth2-mail-dlq": { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 3 },
        },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
}));
