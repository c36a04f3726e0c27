/** The console's stylesheet (/admin/assets/console.css). System fonts only: nothing is fetched. */
export const CONSOLE_CSS = `
:root {
  --fg: #1b1f24; --muted: #57606a; --bg: #ffffff; --panel: #f6f8fa; --line: #d0d7de;
  --accent: #0a58ca; --accent-fg: #ffffff; --danger: #b42318; --ok: #1a7f37; --focus: #ffbf47;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: var(--bg); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
[hidden] { display: none !important; }
code, pre, .secret { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip-link { position: absolute; left: -9999px; top: 0; background: var(--accent); color: var(--accent-fg); padding: 0.5rem 1rem; z-index: 10; }
.skip-link:focus { left: 0.5rem; top: 0.5rem; }
.top { background: #0d1b2a; color: #fff; }
.top .bar { max-width: 80rem; margin: 0 auto; padding: 0.6rem 1rem; display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: center; }
.brand { font-weight: 700; font-size: 1.1rem; }
.top nav { flex: 1 1 auto; }
.top nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; }
.top nav a { color: #dbe7ff; text-decoration: none; padding: 0.25rem 0; display: inline-block; }
.top nav a:hover, .top nav a[aria-current="page"] { color: #fff; text-decoration: underline; }
.who { display: flex; gap: 0.75rem; align-items: center; flex-wrap: wrap; overflow-wrap: anywhere; }
.who button { background: transparent; color: #fff; border-color: #9fb3c8; }
main { max-width: 80rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
main:focus { outline: none; }
.view.narrow { max-width: 32rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 0.75rem; }
.view-head { display: flex; justify-content: space-between; align-items: center; gap: 1rem; flex-wrap: wrap; }
.muted { color: var(--muted); }
.status { position: sticky; top: 0; z-index: 5; margin: 0; padding: 0; text-align: center; }
.status:not(:empty) { background: #dafbe1; color: #0f5323; padding: 0.5rem 1rem; border-bottom: 1px solid #aceebb; }
.status.error:not(:empty) { background: #ffebe9; color: var(--danger); border-color: #ffcecb; }
.notice:not(:empty) { background: #fff8c5; border: 1px solid #d4a72c; padding: 0.5rem 0.75rem; border-radius: 6px; }
.message:not(:empty) { color: var(--ok); font-weight: 600; }
.message.error:not(:empty) { color: var(--danger); }
.field { display: flex; flex-direction: column; gap: 0.2rem; margin: 0 0 0.9rem; min-width: 0; }
.field label { font-weight: 600; }
.field.check { flex-direction: row; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
.field.check .hint, .field.check .field-error { flex-basis: 100%; }
.hint { margin: 0; color: var(--muted); font-size: 0.875rem; }
.field-error, .form-error { margin: 0; color: var(--danger); font-size: 0.9rem; font-weight: 600; }
.field-error:empty, .form-error:empty { display: none; }
input, select, textarea, button { font: inherit; }
input, select, textarea { width: 100%; padding: 0.45rem 0.55rem; border: 1px solid #8c959f; border-radius: 6px; background: #fff; color: var(--fg); }
input[type="checkbox"] { width: 1.2rem; height: 1.2rem; }
[aria-invalid="true"] { border-color: var(--danger); box-shadow: 0 0 0 1px var(--danger); }
button { padding: 0.45rem 0.9rem; border-radius: 6px; border: 1px solid #8c959f; background: #fff; color: var(--fg); cursor: pointer; min-height: 2.5rem; }
button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-fg); }
button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
button.link { border: 0; background: none; color: var(--accent); text-decoration: underline; padding: 0.25rem; min-height: 0; }
button:disabled { opacity: 0.55; cursor: not-allowed; }
.actions { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; margin-top: 0.5rem; }
.filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 0 1rem; align-items: end; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 0.75rem 1rem 0; margin-bottom: 1rem; }
.filters .actions { margin: 0 0 0.9rem; }
.filters .form-error { grid-column: 1 / -1; margin-bottom: 0.5rem; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.55rem 0.7rem; border-top: 1px solid var(--line); }
thead th { background: var(--panel); border-top: 0; white-space: nowrap; }
td.empty { color: var(--muted); text-align: center; padding: 1.5rem; }
td .row-actions { display: flex; flex-wrap: wrap; gap: 0.25rem 0.5rem; }
td { overflow-wrap: anywhere; }
.badge { display: inline-block; border-radius: 999px; padding: 0 0.55rem; font-size: 0.85rem; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.badge.active, .badge.success { color: var(--ok); }
.badge.pending { color: #7d4e00; }
.badge.disabled, .badge.inactive, .badge.revoked, .badge.failure, .badge.denied, .badge.flagged { color: var(--danger); }
.subsection { margin-top: 1.25rem; }
.subsection h3 { margin: 0 0 0.5rem; font-size: 1rem; }
#ue-passkeys .row-actions button, #ue-passkeys .badge { white-space: nowrap; }
tr.clickable { cursor: pointer; }
tr.clickable:hover { background: var(--panel); }
.pager { display: flex; gap: 1rem; align-items: center; justify-content: space-between; margin-top: 0.75rem; }
dialog { border: 1px solid var(--line); border-radius: 10px; padding: 1.25rem; width: min(34rem, calc(100vw - 1rem)); max-height: calc(100vh - 2rem); overflow: auto; }
dialog.wide { width: min(56rem, calc(100vw - 1rem)); }
dialog::backdrop { background: rgba(13, 27, 42, 0.55); }
dialog h2 { margin-top: 0; }
fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 0 0 1rem; padding: 0.75rem 1rem 0; min-width: 0; }
legend { font-weight: 700; padding: 0 0.25rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 0 1rem; }
.preview { margin: 0 0 1rem; }
.preview p { margin: 0.25rem 0; }
.mail-header { display: flex; justify-content: space-between; align-items: center; gap: 1rem; padding: 1rem 1.25rem; border-radius: 8px 8px 0 0; background: #2563eb; color: #fff; flex-wrap: wrap; }
.mail-header .muted { color: inherit; opacity: 0.9; font-size: 0.85rem; overflow-wrap: anywhere; }
.mail-brand { font-size: 1.2rem; font-weight: 700; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0 0 1rem; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem; overflow: auto; max-height: 20rem; }
.secret { background: #fff8c5; }
@media (max-width: 40rem) {
  main { padding: 0.75rem 0.75rem 2rem; }
  h1 { font-size: 1.35rem; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack tr { border-top: 1px solid var(--line); padding: 0.4rem 0; }
  table.stack td { border: 0; padding: 0.2rem 0.7rem; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; }
  .facts { grid-template-columns: 1fr; }
}
`;
