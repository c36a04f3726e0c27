import { CheckField, Field, FormDialog, SelectField } from "./fields";

/** The user's passkeys inside the edit dialog (filled by the console script's passkeys part). */
function UserPasskeys() {
  return (
    <section class="subsection" aria-labelledby="ue-passkeys-title">
      <h3 id="ue-passkeys-title">Passkeys</h3>
      <p id="ue-passkeys-message" class="message" role="status"></p>
      <div class="table-wrap">
        <table id="ue-passkeys" class="stack">
          <caption class="visually-hidden">Passkeys of this user</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Provider</th>
              <th scope="col">Added</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
      </div>
    </section>
  );
}

/** Profile inputs shared by the create and edit user dialogs (prefix keeps ids unique). */
function ProfileFields({ prefix }: { prefix: string }) {
  return (
    <>
      <Field id={`${prefix}-display_name`} name="display_name" label="Display name" maxlength={200} />
      <Field id={`${prefix}-phone`} name="phone" label="Phone" type="tel" maxlength={40} />
      <Field id={`${prefix}-job_title`} name="job_title" label="Job title" maxlength={200} />
      <Field id={`${prefix}-department`} name="department" label="Department" maxlength={200} />
      <Field id={`${prefix}-locale`} name="locale" label="Locale" hint="BCP 47 tag, e.g. en or de-CH." maxlength={35} />
      <Field id={`${prefix}-timezone`} name="timezone" label="Time zone" hint="IANA name, e.g. Europe/Zurich." maxlength={64} />
    </>
  );
}

export function UserDialogs({ statusOptions }: { statusOptions: [string, string][] }) {
  return (
    <>
      <FormDialog id="user-create" title="New user" submit="Create user" wide>
        <div class="grid">
          <Field id="uc-email" name="email" label="Email" type="email" required maxlength={254} />
          <Field id="uc-name" name="name" label="Name" required maxlength={200} />
          <ProfileFields prefix="uc" />
          <Field id="uc-site_key" name="site_key" label="Onboarding site (optional)" hint="site_key whose branding and onboarding URL the mail uses." maxlength={64} />
        </div>
        <CheckField id="uc-send_onboarding" name="send_onboarding" label="Send onboarding email" hint="The user gets a code to set a password and activate the account." />
      </FormDialog>
      <FormDialog id="user-edit" title="Edit user" submit="Save changes" wide>
        <p class="muted" id="ue-id"></p>
        <div class="grid">
          <Field id="ue-email" name="email" label="Email" type="email" required maxlength={254} />
          <Field id="ue-name" name="name" label="Name" required maxlength={200} />
          <ProfileFields prefix="ue" />
          <SelectField id="ue-status" name="status" label="Status" options={statusOptions} />
          <Field id="ue-password" name="password" label="Set password (optional)" type="password" autocomplete="new-password" hint="Leave empty to keep the current password." />
        </div>
        <UserPasskeys />
      </FormDialog>
    </>
  );
}

export function KeySections() {
  return (
    <>
      <section id="view-keys" class="view" aria-labelledby="keys-title" hidden>
        <div class="view-head">
          <h1 id="keys-title">Service keys</h1>
          <button type="button" class="primary" id="key-new">New service key</button>
        </div>
        <p class="muted">Backends send a service key as <code>X-Service-Key</code>. A secret is shown once, when the key is created.</p>
        <p id="keys-message" class="message" role="status"></p>
        <div class="table-wrap">
          <table id="keys-table" class="stack">
            <caption class="visually-hidden">Service keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody></tbody>
          </table>
        </div>
      </section>
      <dialog id="key-secret" aria-labelledby="key-secret-title">
        <form method="dialog">
          <h2 id="key-secret-title">Copy the new secret now</h2>
          <p>This is the only time the secret is shown. Store it in the backend's secret store.</p>
          <label for="key-secret-value">Secret</label>
          <input id="key-secret-value" class="secret" readonly autocomplete="off" spellcheck={false} />
          <p id="key-copy-status" class="message" role="status"></p>
          <div class="actions">
            <button type="button" id="key-copy" class="primary">Copy secret</button>
            <button type="submit">Done, I stored it</button>
          </div>
        </form>
      </dialog>
    </>
  );
}

const OUTCOMES: [string, string][] = [
  ["", "Any outcome"],
  ["success", "Success"],
  ["failure", "Failure"],
  ["denied", "Denied"],
];

export function AuditSection() {
  return (
    <>
      <section id="view-audit" class="view" aria-labelledby="audit-title" hidden>
        <h1 id="audit-title">Audit log</h1>
        <form id="audit-filter" class="filters" role="search" aria-label="Filter the audit log" novalidate>
          <Field id="audit-actor" name="actor" label="Actor" hint="Actor id, e.g. adm_… or usr_…" />
          <Field id="audit-action" name="action" label="Action" hint="e.g. admin.user_create" />
          <Field id="audit-target" name="target" label="Target" hint="Target id" />
          <Field id="audit-site" name="site_key" label="Site" />
          <SelectField id="audit-outcome" name="outcome" label="Outcome" options={OUTCOMES} />
          <Field id="audit-since" name="since" label="From" type="datetime-local" />
          <Field id="audit-until" name="until" label="Until" type="datetime-local" />
          <p class="form-error" role="alert" data-error-for="_form"></p>
          <div class="actions">
            <button type="submit">Apply filters</button>
            <button type="reset">Clear</button>
          </div>
        </form>
        <p id="audit-message" class="message" role="status"></p>
        <div class="table-wrap">
          <table id="audit-table" class="stack">
            <caption class="visually-hidden">Audit events</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Site</th>
                <th scope="col">Outcome</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody></tbody>
          </table>
        </div>
        <nav class="pager" aria-label="Audit log pages">
          <button type="button" id="audit-prev">Previous page</button>
          <span id="audit-page" class="muted"></span>
          <button type="button" id="audit-next">Next page</button>
        </nav>
      </section>
      <dialog id="audit-detail" class="wide" aria-labelledby="audit-detail-title">
        <form method="dialog">
          <h2 id="audit-detail-title">Audit event</h2>
          <dl id="audit-detail-facts" class="facts"></dl>
          <h3>Details</h3>
          <pre id="audit-detail-json" tabindex={0}></pre>
          <div class="actions">
            <button type="submit" class="primary">Close</button>
          </div>
        </form>
      </dialog>
    </>
  );
}
