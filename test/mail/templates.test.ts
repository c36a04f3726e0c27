import { env } from "cloudflare:test";
import { readConfig } from "../../src/env";
import { describe, expect, it } from "vitest";
import { DEFAULT_PRIMARY_COLOR, resolveMailBranding } from "../../src/mail/branding";
import { MAIL_TEMPLATES, type MailTemplate, type MailTemplateData, renderMail } from "../../src/mail/templates";

const HOSTILE = `<script>alert("x")</script>&'"`;
const hostileBranding = resolveMailBranding(
  {
    display_name: `Evil ${HOSTILE}`,
    logo_url: "https://cdn.example.com/logo.png?a=1&b=<2>",
    primary_color: "#ff0000",
    support_email: "help@example.com",
    from_name: `Evil "Corp" <x@y>\r\nBcc: victim@example.com`,
  },
  readConfig(env),
);

/** One valid data object per template; `satisfies` keeps it in step with the registry. */
const samples = {
  login_code: { code: "123456", expires_minutes: 10, name: HOSTILE },
  password_reset: { link: "https://app.example.com/reset?token=tok_ABC&x=<y>", code: "654321", expires_minutes: 30, name: HOSTILE },
  password_changed: { name: HOSTILE },
  onboarding_code: { code: "112233", link: "https://app.example.com/onboarding?email=a%40b.c", expires_minutes: 10, name: HOSTILE },
  welcome: { name: HOSTILE, login_url: "https://app.example.com/login" },
  registration_code: { code: "445566", expires_minutes: 10, name: HOSTILE },
  registration_exists: { name: HOSTILE, reset_link: "https://app.example.com/reset" },
  passkey_added: { name: HOSTILE, passkey_name: HOSTILE.slice(0, 64), provider: "iCloud Keychain" },
} satisfies { [K in MailTemplate]: MailTemplateData[K] };

function render(template: string, data: unknown, branding = hostileBranding) {
  const result = renderMail(template, data, branding);
  if (!result.ok) throw new Error(result.error);
  return result.mail;
}

describe("mail templates", () => {
  it("the registry is exactly the documented set", () => {
    expect([...MAIL_TEMPLATES].sort()).toEqual(Object.keys(samples).sort());
  });

  for (const template of MAIL_TEMPLATES) {
    describe(template, () => {
      const mail = render(template, samples[template]);

      it("has a subject, an HTML part and a text part, all branded", () => {
        expect(mail.subject.length).toBeGreaterThan(5);
        expect(mail.html).toMatch(/^<!doctype html>/);
        expect(mail.text.length).toBeGreaterThan(20);
        expect(mail.text).toContain("Evil");
        expect(mail.html).toContain("Evil");
        expect(mail.html).toContain("#ff0000");
        expect(mail.html).toContain("https://cdn.example.com/logo.png?a=1&amp;b=%3C2%3E");
        expect(mail.html).toContain("mailto:help@example.com");
      });

      it("escapes hostile branding and names in the HTML part", () => {
        expect(mail.html).not.toContain("<script>");
        expect(mail.html).not.toContain(`alert("x")`);
        expect(mail.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&quot;");
        // Only our own markup: every tag in the HTML is one the layout writes.
        const tags = new Set([...mail.html.matchAll(/<\/?([a-z0-9!]+)/gi)].map((m) => m[1]!.toLowerCase()));
        for (const tag of tags) expect(["!doctype", "html", "head", "meta", "title", "body", "table", "tr", "td", "img", "span", "h1", "p", "a", "br"]).toContain(tag);
        expect(mail.subject).not.toMatch(/[\r\n]/);
      });

      const data = samples[template] as Record<string, unknown>;
      if (typeof data.code === "string") {
        it("carries the code in both parts", () => {
          expect(mail.text).toMatch(new RegExp(`^${data.code}$`, "m"));
          expect(mail.html).toContain(`>${data.code}</p>`);
        });
      }
      const link = (data.link ?? data.login_url ?? data.reset_link) as string | undefined;
      if (link) {
        it("carries the link in both parts, attribute-escaped in HTML", () => {
          const url = new URL(link).toString();
          expect(mail.text).toContain(url);
          expect(mail.html).toContain(`href="${url.replace(/&/g, "&amp;")}"`);
        });
      }
    });
  }

  it("password_reset works with only a link, only a code, and refuses neither", () => {
    const linkOnly = render("password_reset", { link: "https://app.example.com/r?token=t1", expires_minutes: 30 });
    expect(linkOnly.text).toContain("https://app.example.com/r?token=t1");
    expect(linkOnly.text).not.toMatch(/^\d{6}$/m);
    const codeOnly = render("password_reset", { code: "987654", expires_minutes: 10 });
    expect(codeOnly.text).toMatch(/^987654$/m);
    expect(codeOnly.html).not.toContain("href=\"https://");
    expect(renderMail("password_reset", { expires_minutes: 10 }, hostileBranding)).toEqual({ ok: false, error: "invalid_data:link" });
  });

  it("refuses unknown templates and data that does not fit, naming fields but never values", () => {
    expect(renderMail("nope", {}, hostileBranding)).toEqual({ ok: false, error: "unknown_template" });
    expect(renderMail("__proto__", {}, hostileBranding)).toEqual({ ok: false, error: "unknown_template" });
    const bad = renderMail("login_code", { code: "12ab56<script>", expires_minutes: 10 }, hostileBranding);
    expect(bad).toEqual({ ok: false, error: "invalid_data:code" });
    const js = renderMail("onboarding_code", { code: "123456", link: "javascript:alert(1)", expires_minutes: 10 }, hostileBranding);
    expect(js).toEqual({ ok: false, error: "invalid_data:link" });
    expect(renderMail("login_code", null, hostileBranding)).toEqual({ ok: false, error: "invalid_data:code,expires_minutes" });
  });
});

describe("mail branding", () => {
  it("unknown sites get the deployment defaults", () => {
    const b = resolveMailBranding(null, readConfig(env));
    expect(b).toEqual({ displayName: "Auth2", logoUrl: null, primaryColor: DEFAULT_PRIMARY_COLOR, supportEmail: null, fromName: "Auth2" });
    const mail = render("login_code", { code: "123456", expires_minutes: 10 }, b);
    expect(mail.subject).toBe("Your Auth2 sign-in code");
    expect(mail.html).not.toContain("<img");
  });

  it("drops values that could break out of their context", () => {
    const b = resolveMailBranding(
      { primary_color: "red;background:url(https://evil.example/x)", logo_url: "http://insecure.example/logo.png", support_email: "a@b.c, evil@x.y" },
      readConfig(env),
    );
    expect(b.primaryColor).toBe(DEFAULT_PRIMARY_COLOR);
    expect(b.logoUrl).toBeNull();
    expect(b.supportEmail).toBeNull();
    expect(resolveMailBranding({ logo_url: "javascript:alert(1)" }, readConfig(env)).logoUrl).toBeNull();
  });

  it("keeps the From name to one header-safe line", () => {
    expect(hostileBranding.fromName).toBe("Evil Corp x@y Bcc: victim@example.com");
    expect(hostileBranding.fromName).not.toMatch(/[\r\n"<>]/);
  });

  it("falls back to MAIL_REPLY_TO for the support address", () => {
    expect(resolveMailBranding({}, readConfig({ ...env, MAIL_REPLY_TO: "Support@Example.com" })).supportEmail).toBe("support@example.com");
  });
});
