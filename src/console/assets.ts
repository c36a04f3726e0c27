import { CONSOLE_CSS } from "./static/console-css";
import { JS_ACCOUNT } from "./static/js-account";
import { JS_AUDIT } from "./static/js-audit";
import { JS_CORE } from "./static/js-core";
import { JS_KEYS } from "./static/js-keys";
import { JS_PASSKEYS } from "./static/js-passkeys";
import { JS_SITES } from "./static/js-sites";
import { JS_USERS } from "./static/js-users";

/** The console script, one part per view: they share one function scope (strict mode, nothing global). */
const CONSOLE_JS = ['"use strict";', "(function () {", JS_CORE, JS_USERS, JS_PASSKEYS, JS_SITES, JS_KEYS, JS_AUDIT, JS_ACCOUNT, "})();", ""].join("\n");

/** The console's files, kept in the Worker bundle: /admin/assets/<name>. */
export const CONSOLE_ASSETS: Record<string, { body: string; type: string }> = {
  "console.css": { body: CONSOLE_CSS, type: "text/css; charset=utf-8" },
  "console.js": { body: CONSOLE_JS, type: "text/javascript; charset=utf-8" },
};
