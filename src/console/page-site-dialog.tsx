import { CheckField, Field, FormDialog, SelectField, TextareaField } from "./fields";

/** Create/edit a site: registry fields, branding with a live mail-header preview, every policy field. */
export function SiteDialog() {
  return (
    <FormDialog id="site" title="Site" submit="Save site" wide>
      <fieldset>
        <legend>Site</legend>
        <div class="grid">
          <Field id="site-name" name="name" label="Name" required maxlength={200} />
          <Field id="site-site_key" name="site_key" label="site_key" hint="3–64 of a-z 0-9 _ -; empty generates one. Cannot change later." maxlength={64} />
          <SelectField id="site-status" name="status" label="Status" hint="Inactive sites are refused at login." options={[["active", "Active"], ["inactive", "Inactive"]]} />
        </div>
        <TextareaField id="site-allowed_origins" name="allowed_origins" label="Allowed origins" hint="One per line, exactly as the browser sends it: https://app.example.com (http only for localhost)." />
        <div class="grid">
          <Field id="site-reset_url" name="reset_url" label="Password reset URL" type="url" hint="The page your app shows for reset links (?token=…)." />
          <Field id="site-onboarding_url" name="onboarding_url" label="Onboarding URL" type="url" hint="The page new users open to set their password." />
        </div>
      </fieldset>
      <fieldset>
        <legend>Branding (mails and login screens)</legend>
        <div class="grid">
          <Field id="site-b-display_name" name="branding.display_name" label="Display name" maxlength={100} />
          <Field id="site-b-from_name" name="branding.from_name" label="Sender name" maxlength={100} />
          <Field id="site-b-support_email" name="branding.support_email" label="Support email" type="email" hint="Reply-To of mails." />
          <Field id="site-b-logo_url" name="branding.logo_url" label="Logo URL" type="url" hint="https only." />
          <Field id="site-b-primary_color" name="branding.primary_color" label="Primary colour" hint="#rrggbb" maxlength={7} placeholder="#2563eb" />
        </div>
        <div class="preview" aria-labelledby="site-preview-label">
          <p id="site-preview-label" class="muted">Email header preview</p>
          <div id="site-preview" class="mail-header">
            <span id="site-preview-name" class="mail-brand"></span>
            <span id="site-preview-logo" class="muted"></span>
          </div>
          <p id="site-preview-from" class="muted"></p>
        </div>
      </fieldset>
      <fieldset>
        <legend>Policy</legend>
        <div class="grid">
          <SelectField
            id="site-p-login_mode"
            name="policy.login_mode"
            label="Login mode"
            hint="How users prove who they are: password, a mailed one-time code, or either."
            options={[["password", "Password"], ["email_otp", "Email code"], ["password_or_otp", "Password or email code"]]}
          />
          <SelectField
            id="site-p-reset_mode"
            name="policy.reset_mode"
            label="Password reset"
            hint="What a reset mail contains: a link, a code, both, or no self-service reset."
            options={[["link", "Link"], ["otp", "Code"], ["both", "Link and code"], ["disabled", "Disabled"]]}
          />
          <SelectField
            id="site-p-twofa_mode"
            name="policy.twofa_mode"
            label="Two-factor"
            hint="Off, optional (users may enrol), or required for every login."
            options={[["off", "Off"], ["optional", "Optional"], ["required", "Required"]]}
          />
          <Field id="site-p-password_min_length" name="policy.password_min_length" label="Minimum password length" type="number" hint="Characters a new password needs at least." min={8} max={256} />
          <Field id="site-p-session_ttl_seconds" name="policy.session_ttl_seconds" label="Session lifetime (seconds)" type="number" hint="A session ends this long after login (300 s – 90 days)." min={300} />
          <Field id="site-p-idle_timeout_seconds" name="policy.idle_timeout_seconds" label="Idle timeout (seconds)" type="number" hint="A session ends after this long without use (≤ lifetime)." min={60} />
        </div>
        <CheckField id="site-p-allow_self_registration" name="policy.allow_self_registration" label="Allow self-registration" hint="Whether people can create their own account on this site." />
      </fieldset>
    </FormDialog>
  );
}
