/** "Name <email>" for providers that take one string; the name is quoted when RFC 5322 requires it. */
export function formatAddress(email: string, name: string): string {
  if (!name) return email;
  const display = /[()<>\[\]:;@\\,."]/.test(name) ? `"${name.replace(/["\\]/g, "")}"` : name;
  return `${display} <${email}>`;
}
