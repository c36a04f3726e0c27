import type { MailBranding } from "../branding";
import type { RenderedMail } from "../types";
import { escapeHtml, singleLine } from "./escape";

/** What one template says; the layout turns it into branded HTML and plain text. Every string is raw text. */
export interface MailContent {
  subject: string;
  heading: string;
  /** Paragraphs before the code/button. */
  intro: string[];
  /** A one-time code, shown large. */
  code?: string | undefined;
  /** A call-to-action link (already checked to be http(s)). */
  button?: { label: string; url: string } | undefined;
  /** Paragraphs after the code/button (expiry, "if this wasn't you"). */
  outro: string[];
}

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** The shared frame every Auth2 mail uses. Values are escaped here, once, so templates cannot forget. */
export function renderLayout(branding: MailBranding, content: MailContent): RenderedMail {
  const color = branding.primaryColor; // validated #rgb/#rrggbb, still escaped below
  const p = (text: string) => `<p style="margin:0 0 16px;font-size:15px;line-height:1.5;color:#1f2937">${escapeHtml(text)}</p>`;
  const logo = branding.logoUrl
    ? `<img src="${escapeHtml(branding.logoUrl)}" alt="${escapeHtml(branding.displayName)}" height="40" style="display:block;height:40px;max-width:200px;border:0">`
    : `<span style="font-size:18px;font-weight:600;color:${escapeHtml(color)}">${escapeHtml(branding.displayName)}</span>`;
  const code = content.code
    ? `<p style="margin:8px 0 24px;font-size:32px;font-weight:700;letter-spacing:6px;font-family:Menlo,Consolas,monospace;color:#111827">${escapeHtml(content.code)}</p>`
    : "";
  const button = content.button
    ? `<p style="margin:8px 0 24px"><a href="${escapeHtml(content.button.url)}" style="display:inline-block;padding:12px 20px;border-radius:6px;background:${escapeHtml(color)};color:#ffffff;font-weight:600;text-decoration:none">${escapeHtml(content.button.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;line-height:1.5;color:#6b7280">${escapeHtml("If the button does not work, copy this address into your browser:")}<br><span style="word-break:break-all">${escapeHtml(content.button.url)}</span></p>`
    : "";
  const support = branding.supportEmail
    ? `<p style="margin:0;font-size:12px;color:#6b7280">${escapeHtml("Questions? Contact")} <a href="mailto:${escapeHtml(branding.supportEmail)}" style="color:${escapeHtml(color)}">${escapeHtml(branding.supportEmail)}</a></p>`
    : "";

  const html = [
    `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(singleLine(content.subject))}</title></head>`,
    `<body style="margin:0;padding:0;background:#f3f4f6;font-family:${FONT}">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f4f6;padding:24px 0"><tr><td align="center">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;border-top:4px solid ${escapeHtml(color)}">`,
    `<tr><td style="padding:24px 32px 8px">${logo}</td></tr>`,
    `<tr><td style="padding:8px 32px 24px">`,
    `<h1 style="margin:0 0 16px;font-size:20px;line-height:1.3;color:#111827">${escapeHtml(content.heading)}</h1>`,
    content.intro.map(p).join(""),
    code,
    button,
    content.outro.map(p).join(""),
    `</td></tr>`,
    `<tr><td style="padding:16px 32px 24px;border-top:1px solid #e5e7eb">${support}<p style="margin:4px 0 0;font-size:12px;color:#9ca3af">${escapeHtml(`Sent by ${branding.displayName}.`)}</p></td></tr>`,
    `</table></td></tr></table></body></html>`,
  ].join("");

  const text = [
    branding.displayName,
    "",
    content.heading,
    "",
    ...content.intro.flatMap((t) => [t, ""]),
    ...(content.code ? [content.code, ""] : []),
    ...(content.button ? [`${content.button.label}: ${content.button.url}`, ""] : []),
    ...content.outro.flatMap((t) => [t, ""]),
    ...(branding.supportEmail ? [`Questions? Contact ${branding.supportEmail}`] : []),
    `Sent by ${branding.displayName}.`,
  ].join("\n");

  return { subject: singleLine(content.subject, 200), html, text };
}
