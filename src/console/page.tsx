import { raw } from "hono/html";
import { Field, FormDialog, SelectField } from "./fields";
import { AuditSection, KeySections, UserDialogs } from "./page-dialogs";
import type { SitePolicy } from "../lib/site-policy";
import { SiteDialog } from "./page-site-dialog";

const STATUS_FILTER: [string, string][] = [
  ["", "Any status"],
  ["pending", "Pending"],
  ["active", "Active"],
  ["disabled", "Disabled"],
];

/**
 * The admin console's single page: every view and dialog is in the markup (labelled, in the tab
 * order when visible); /admin/assets/console.js shows one view at a time and fills tables from the
 * admin API. Nothing inline, so the strict CSP holds.
 */
export function ConsolePage(props: { defaultPolicy: SitePolicy }) {
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="same-origin" />
          <title>Auth2 admin console</title>
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href="/admin/assets/console.css" />
          <script src="/admin/assets/console.js" defer></script>
        </head>
        <body>
          <a class="skip-link" href="#main">
            Skip to content
          </a>
          <header class="top">
            <div class="bar">
              <span class="brand">Auth2 admin</span>
              <nav id="nav" aria-label="Console" hidden>
                <ul>
                  <li><a href="#users">Users</a></li>
                  <li><a href="#sites">Sites</a></li>
                  <li><a href="#keys">Service keys</a></li>
                  <li><a href="#audit">Audit log</a></li>
                  <li><a href="#account">Account</a></li>
                </ul>
              </nav>
              <div id="who" class="who" hidden>
                <span id="who-email"></span>
                <button type="button" id="signout">Sign out</button>
              </div>
            </div>
          </header>
          <p id="status" class="status" role="status" aria-live="polite"></p>
          <main id="main" tabindex={-1}>
            <p id="loading" class="muted">Loading…</p>

            <section id="view-signin" class="view narrow" aria-labelledby="signin-title" hidden>
              <h1 id="signin-title">Sign in</h1>
              <p id="signin-message" class="notice" role="alert"></p>
              <form id="signin-form" novalidate>
                <Field id="signin-email" name="email" label="Email" type="email" autocomplete="username" required />
                <Field id="signin-password" name="password" label="Password" type="password" autocomplete="current-password" required />
                <div id="signin-totp" hidden>
                  <Field id="signin-code" name="totp" label="Authenticator code" hint="The 6-digit code from your authenticator app." inputmode="numeric" autocomplete="one-time-code" maxlength={6} />
                </div>
                <p class="form-error" role="alert" data-error-for="_form"></p>
                <div class="actions">
                  <button type="submit" class="primary">Sign in</button>
                </div>
              </form>
            </section>

            <section id="view-users" class="view" aria-labelledby="users-title" hidden>
              <div class="view-head">
                <h1 id="users-title">Users</h1>
                <button type="button" class="primary" id="user-new">New user</button>
              </div>
              <form id="users-filter" class="filters" role="search" aria-label="Filter users">
                <Field id="users-q" name="q" label="Search" type="search" hint="Email, name or surname starts with; @domain for an email domain" />
                <SelectField id="users-status" name="status" label="Status" options={STATUS_FILTER} />
                <div class="actions"><button type="submit">Search</button></div>
              </form>
              <p id="users-message" class="message" role="status"></p>
              <div class="table-wrap">
                <table id="users-table" class="stack">
                  <caption class="visually-hidden">Users</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Email</th>
                      <th scope="col">Status</th>
                      <th scope="col">Last sign-in</th>
                      <th scope="col">Actions</th>
                    </tr>
                  </thead>
                  <tbody></tbody>
                </table>
              </div>
              <nav class="pager" aria-label="Users pages">
                <button type="button" id="users-prev">Previous page</button>
                <span id="users-page" class="muted"></span>
                <button type="button" id="users-next">Next page</button>
              </nav>
            </section>

            <section id="view-sites" class="view" aria-labelledby="sites-title" hidden>
              <div class="view-head">
                <h1 id="sites-title">Sites</h1>
                <button type="button" class="primary" id="site-new">New site</button>
              </div>
              <p id="sites-message" class="message" role="status"></p>
              <div class="table-wrap">
                <table id="sites-table" class="stack">
                  <caption class="visually-hidden">Registered sites</caption>
                  <thead>
                    <tr>
                      <th scope="col">Site</th>
                      <th scope="col">Status</th>
                      <th scope="col">Policy</th>
                      <th scope="col">Allowed origins</th>
                      <th scope="col">Actions</th>
                    </tr>
                  </thead>
                  <tbody></tbody>
                </table>
              </div>
            </section>

            <KeySections />
            <AuditSection />

            <section id="view-account" class="view narrow" aria-labelledby="account-title" hidden>
              <h1 id="account-title">Account</h1>
              <dl id="account-info" class="facts"></dl>
              <h2>Change password</h2>
              <form id="password-form" novalidate>
                <Field id="pw-current" name="current_password" label="Current password" type="password" autocomplete="current-password" required />
                <Field id="pw-new" name="new_password" label="New password" type="password" autocomplete="new-password" hint="Your other sessions end; this one stays." required />
                <p class="form-error" role="alert" data-error-for="_form"></p>
                <p class="message" role="status" data-success></p>
                <div class="actions"><button type="submit" class="primary">Change password</button></div>
              </form>
              <h2>Two-factor authentication</h2>
              <p id="totp-state"></p>
              <button type="button" id="totp-start">Set up an authenticator app</button>
              <form id="totp-form" novalidate hidden>
                <p>Add this key to your authenticator app (it is shown only now), then enter the first code.</p>
                <p><code id="totp-secret" class="secret" tabindex={0}></code></p>
                <Field id="totp-code" name="code" label="Code from the app" inputmode="numeric" autocomplete="one-time-code" maxlength={6} required />
                <p class="form-error" role="alert" data-error-for="_form"></p>
                <div class="actions"><button type="submit" class="primary">Turn on two-factor</button></div>
              </form>
            </section>
          </main>

          <UserDialogs statusOptions={STATUS_FILTER.slice(1)} />
          <SiteDialog defaultPolicy={props.defaultPolicy} />
          <dialog id="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text">
            <form method="dialog" id="confirm-form">
              <h2 id="confirm-title">Are you sure?</h2>
              <p id="confirm-text"></p>
              <p class="form-error" role="alert" data-error-for="_form"></p>
              <div class="actions">
                <button type="submit" class="danger" id="confirm-ok">Confirm</button>
                <button type="button" data-close>Cancel</button>
              </div>
            </form>
          </dialog>
          <FormDialog id="key-create" title="New service key" submit="Create key">
            <Field id="key-name" name="name" label="Name" hint="Which backend uses it, e.g. billing-api." required maxlength={100} />
            <Field id="key-scopes" name="scopes" label="Scopes" hint="Comma-separated, e.g. user_resolve, api_key_verify, firebase_custom_token. Give the fewest that work." />
          </FormDialog>
        </body>
      </html>
    </>
  );
}
