import type { SitePolicy } from "../lib/site-policy";
import { describePolicyFields } from "../lib/site-policy";
import { CheckField, Field, FormDialog, SelectField, TextareaField } from "./fields";

/**
 * One control per field of the site-policy schema (src/lib/site-policy.ts): a new policy flag
 * appears here by itself. The form carries the field list and the deployment's default policy
 * (data-policy-fields, data-policy-defaults) for the console script.
 */
function PolicyFields() {
  const fields = describePolicyFields();
  const controls = fields.filter((f) => f.control.kind !== "checkbox");
  return (
    <>
      <div class="grid">
        {controls.map((f) =>
          f.control.kind === "select" ? (
            <SelectField id={`site-p-${f.key}`} name={`policy.${f.key}`} label={f.label} hint={f.help} options={f.control.options.map(([v, l]) => [v, l] as [string, string])} />
          ) : f.control.kind === "number" ? (
            <Field id={`site-p-${f.key}`} name={`policy.${f.key}`} label={f.label} type="number" hint={f.help} min={f.control.min} max={f.control.max} />
          ) : null,
        )}
      </div>
      {fields
        .filter((f) => f.control.kind === "checkbox")
        .map((f) => (
          <CheckField id={`site-p-${f.key}`} name={`policy.${f.key}`} label={f.label} hint={f.help} />
        ))}
    </>
  );
}

/** The field list the console script reads: each policy field and how its value travels (text, number, boolean). */
export function policyFieldList(): { key: string; kind: "text" | "number" | "boolean" }[] {
  return describePolicyFields().map((f) => ({ key: f.key, kind: f.control.kind === "number" ? "number" : f.control.kind === "checkbox" ? "boolean" : "text" }));
}

export type { SitePolicy };

/** Create/edit a site: registry fields, branding with a live mail-header preview, every policy field. */
export function SiteDialog(props: { defaultPolicy: SitePolicy }) {
  return (
    <FormDialog id="site" title="Site" submit="Save site" wide data={{ "policy-fields": JSON.stringify(policyFieldList()), "policy-defaults": JSON.stringify(props.defaultPolicy) }}>
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
        <PolicyFields />
      </fieldset>
    </FormDialog>
  );
}
