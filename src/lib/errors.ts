/**
 * The one error family. Every error a client can see has a stable snake_case code listed here and
 * in docs/errors.md (a test keeps the two in step). Messages are written for clients: never SQL,
 * stack traces or internal details.
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, message: "The request is invalid." },
  field_not_allowed: { status: 400, message: "A field in the request may not be changed here." },
  factor_not_allowed: { status: 400, message: "This second factor is not available for this sign-in." },
  unknown_action: { status: 400, message: "Unknown or missing action." },
  password_too_short: { status: 400, message: "The password is too short." },
  password_too_long: { status: 400, message: "The password is too long." },
  password_too_common: { status: 400, message: "The password is too common; choose another." },
  unauthenticated: { status: 401, message: "Authentication is required." },
  invalid_credentials: { status: 401, message: "The email or password is incorrect." },
  invalid_code: { status: 401, message: "The code is incorrect." },
  invalid_service_key: { status: 401, message: "A valid service key is required." },
  forbidden: { status: 403, message: "This action is not allowed." },
  scope_denied: { status: 403, message: "The service key does not have the scope this route needs." },
  site_inactive: { status: 403, message: "This site is inactive." },
  unknown_site: { status: 403, message: "This site is not registered." },
  origin_not_allowed: { status: 403, message: "Requests from this origin are not allowed." },
  reset_disabled: { status: 403, message: "Password reset is disabled for this site." },
  registration_disabled: { status: 403, message: "Self-registration is disabled for this site." },
  not_found: { status: 404, message: "Not found." },
  user_not_found: { status: 404, message: "User not found." },
  session_not_found: { status: 404, message: "No live session with this id." },
  method_not_allowed: { status: 405, message: "Method not allowed." },
  email_taken: { status: 409, message: "A user with this email already exists." },
  conflict: { status: 409, message: "The request conflicts with the current state." },
  challenge_expired: { status: 410, message: "The challenge has expired or was already used." },
  payload_too_large: { status: 413, message: "The request body is too large." },
  unsupported_media_type: { status: 415, message: "Unsupported content type." },
  rate_limited: { status: 429, message: "Too many attempts. Try again later." },
  resend_too_soon: { status: 429, message: "Please wait before requesting another code." },
  totp_required: { status: 401, message: "A TOTP code is required." },
  totp_enrollment_required: { status: 403, message: "Enrol TOTP before using the admin API." },
  site_not_found: { status: 404, message: "Site not found." },
  site_key_taken: { status: 409, message: "A site with this site_key already exists." },
  csrf_token_invalid: { status: 403, message: "The CSRF token is missing or does not match this session. Reload the page." },
  api_key_limit_reached: { status: 409, message: "You have reached the maximum number of active API keys." },
  user_inactive: { status: 403, message: "The user is not active." },
  firebase_not_configured: { status: 503, message: "Firebase custom tokens are not configured." },
  unsupported_image: { status: 415, message: "Only PNG, JPEG and WebP images are accepted." },
  image_too_large: { status: 400, message: "The image is larger than 1024×1024 pixels." },
  reauthentication_required: { status: 403, message: "Confirm it is you: sign in again or re-authenticate, then retry within 10 minutes." },
  passkeys_disabled: { status: 403, message: "Passkeys are turned off for this site." },
  passkey_invalid: { status: 400, message: "The passkey response is invalid." },
  passkey_challenge_invalid: { status: 400, message: "The passkey challenge has expired or was already used. Start again." },
  passkey_origin_invalid: { status: 400, message: "This passkey response was made for another site." },
  passkey_not_found: { status: 404, message: "This passkey is not registered." },
  passkey_counter_regressed: { status: 403, message: "This passkey cannot be used. Remove it and add it again, or contact support." },
  passkey_user_verification_required: { status: 403, message: "This needs a passkey that verifies you (PIN or biometrics)." },
  internal_error: { status: 500, message: "Something went wrong." },
  not_configured: { status: 503, message: "Auth2 is not configured for production yet. The operator's log names what is missing." },
  service_unavailable: { status: 503, message: "A storage service is unavailable. Try again shortly." },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields?: Record<string, string> | undefined;
  /** Extra top-level fields of the error body (e.g. attempts_remaining, retry_after). */
  readonly extra?: Record<string, unknown> | undefined;
  /** Response headers to add (e.g. Retry-After). */
  readonly headers?: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    options: {
      status?: number;
      message?: string;
      fields?: Record<string, string>;
      extra?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ) {
    const base = ERROR_CODES[code];
    super(options.message ?? base.message);
    this.name = "AppError";
    this.code = code;
    this.status = options.status ?? base.status;
    this.fields = options.fields;
    this.extra = options.extra;
    this.headers = options.headers;
  }
}

export interface ErrorBody {
  ok: false;
  error: { code: string; message: string; fields?: Record<string, string> } & Record<string, unknown>;
  request_id: string;
}

export function errorBody(err: AppError, requestId: string): ErrorBody {
  const error: ErrorBody["error"] = { code: err.code, message: err.message };
  if (err.fields) error.fields = err.fields;
  if (err.extra) Object.assign(error, err.extra);
  return { ok: false, error, request_id: requestId };
}
