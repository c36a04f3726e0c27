/**
 * Whether a signature counter went backwards (WebAuthn §6.1.1, §7.2 step 21): when either the
 * stored or the presented counter is non-zero, the presented one must be greater. Equal or lower
 * means the authenticator may have been cloned, so the assertion is refused and audited. Two zeros
 * are fine: synced passkeys (iCloud Keychain, Google Password Manager) never count.
 */
export function isSignCounterRegression(stored: number, presented: number): boolean {
  return (stored !== 0 || presented !== 0) && presented <= stored;
}
