import type { Child } from "hono/jsx";

export interface FieldProps {
  /** Element id; the label, hint and error ids derive from it. */
  id: string;
  /** The API field this input carries (error.fields keys map to it). */
  name: string;
  label: string;
  type?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: "numeric" | "email" | "text";
  placeholder?: string;
  maxlength?: number;
  min?: number;
  max?: number;
  pattern?: string;
}

/** Describedby ids: the hint (when present) and the error slot the console fills from error.fields. */
function describedBy(id: string, hint?: string): string {
  return hint ? `${id}-hint ${id}-error` : `${id}-error`;
}

/** A labelled input with its hint and error slot. */
export function Field(p: FieldProps) {
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      <input
        id={p.id}
        name={p.name}
        type={p.type ?? "text"}
        required={p.required}
        autocomplete={p.autocomplete ?? "off"}
        inputmode={p.inputmode}
        placeholder={p.placeholder}
        maxlength={p.maxlength}
        min={p.min}
        max={p.max}
        pattern={p.pattern}
        aria-describedby={describedBy(p.id, p.hint)}
      />
      <p class="field-error" id={`${p.id}-error`} data-error-for={p.name}></p>
    </div>
  );
}

/** A labelled select. */
export function SelectField(p: { id: string; name: string; label: string; hint?: string; options: [string, string][] }) {
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      <select id={p.id} name={p.name} aria-describedby={describedBy(p.id, p.hint)}>
        {p.options.map(([value, text]) => (
          <option value={value}>{text}</option>
        ))}
      </select>
      <p class="field-error" id={`${p.id}-error`} data-error-for={p.name}></p>
    </div>
  );
}

/** A labelled checkbox. */
export function CheckField(p: { id: string; name: string; label: string; hint?: string }) {
  return (
    <div class="field check">
      <input id={p.id} name={p.name} type="checkbox" aria-describedby={describedBy(p.id, p.hint)} />
      <label for={p.id}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      <p class="field-error" id={`${p.id}-error`} data-error-for={p.name}></p>
    </div>
  );
}

/** A labelled textarea. */
export function TextareaField(p: { id: string; name: string; label: string; hint?: string; rows?: number }) {
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      <textarea id={p.id} name={p.name} rows={p.rows ?? 3} aria-describedby={describedBy(p.id, p.hint)}></textarea>
      <p class="field-error" id={`${p.id}-error`} data-error-for={p.name}></p>
    </div>
  );
}

/** A modal dialog holding one form: title, fields, a form-level error slot, actions. */
export function FormDialog(p: { id: string; title: string; submit: string; wide?: boolean; data?: Record<string, string>; children?: Child }) {
  const data = Object.fromEntries(Object.entries(p.data ?? {}).map(([k, v]) => [`data-${k}`, v]));
  return (
    <dialog id={p.id} class={p.wide ? "wide" : undefined} aria-labelledby={`${p.id}-title`}>
      <form method="dialog" id={`${p.id}-form`} novalidate {...data}>
        <h2 id={`${p.id}-title`}>{p.title}</h2>
        {p.children}
        <p class="form-error" role="alert" data-error-for="_form"></p>
        <div class="actions">
          <button type="submit" class="primary" value="submit">
            {p.submit}
          </button>
          <button type="button" data-close>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
