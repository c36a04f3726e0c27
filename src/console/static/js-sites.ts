/** Console script, part 3: the Sites view (table, create/edit modal with branding preview, delete). */
export const JS_SITES = String.raw`
var BRANDING = ["display_name", "from_name", "support_email", "logo_url", "primary_color"];
// The policy fields and the deployment's default policy come with the page (from the site-policy schema).
var POLICY = JSON.parse($("site-form").dataset.policyFields || "[]");
var POLICY_DEFAULTS = JSON.parse($("site-form").dataset.policyDefaults || "{}");
function policyKeys(kind) { return POLICY.filter(function (f) { return f.kind === kind; }).map(function (f) { return f.key; }); }
var POLICY_TEXT = policyKeys("text");
var POLICY_NUM = policyKeys("number");
var POLICY_BOOL = policyKeys("boolean");
var sites = { editing: null };

function duration(seconds) {
  if (seconds % 86400 === 0) return seconds / 86400 + " d";
  if (seconds % 3600 === 0) return seconds / 3600 + " h";
  if (seconds % 60 === 0) return seconds / 60 + " min";
  return seconds + " s";
}

function policySummary(p) {
  return "Login " + p.login_mode.replace(/_/g, " ") + " · reset " + p.reset_mode + " · 2FA " + p.twofa_mode +
    " · min " + p.password_min_length + " chars · session " + duration(p.session_ttl_seconds) + ", idle " + duration(p.idle_timeout_seconds) +
    " · self-registration " + (p.allow_self_registration ? "on" : "off");
}

loaders.sites = function () {
  var tbody = $("sites-table").querySelector("tbody");
  return api("GET", "site_list").then(function (data) {
    tbody.textContent = "";
    if (!data.items.length) emptyRow($("sites-table"), 5, "No sites registered yet.");
    data.items.forEach(function (s) {
      var label = s.name + " (" + s.site_key + ")";
      tbody.appendChild(el("tr", {}, [
        el("td", { "data-label": "Site" }, [el("strong", { text: s.name }), el("br"), el("code", { text: s.site_key })]),
        el("td", { "data-label": "Status" }, [badge(s.status)]),
        el("td", { "data-label": "Policy", text: policySummary(s.policy) }),
        el("td", { "data-label": "Allowed origins", text: s.allowed_origins.length ? s.allowed_origins.join(", ") : "none" }),
        el("td", {}, [el("div", { class: "row-actions" }, [
          actionButton("Edit", label, function () { editSite(s); }),
          actionButton("Delete", label, function () { deleteSite(s); }),
        ])]),
      ]));
    });
  }, function (err) { setMessage("sites-message", err.message, true); });
};

function updatePreview() {
  var form = $("site-form");
  var v = formValues(form);
  var color = /^#[0-9a-fA-F]{6}$/.test(v["branding.primary_color"]) ? v["branding.primary_color"] : "#2563eb";
  $("site-preview").style.backgroundColor = color;
  $("site-preview").style.color = contrastText(color);
  $("site-preview-name").textContent = v["branding.display_name"] || v.name || "Auth2";
  $("site-preview-logo").textContent = v["branding.logo_url"] ? "Logo: " + v["branding.logo_url"] : "";
  var from = v["branding.from_name"] || v["branding.display_name"] || "Auth2";
  $("site-preview-from").textContent = "From: " + from + (v["branding.support_email"] ? " · Reply-To: " + v["branding.support_email"] : "");
}

/** Black or white text, whichever reads better on the colour (WCAG relative luminance). */
function contrastText(hex) {
  var rgb = [1, 3, 5].map(function (i) {
    var c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  });
  var lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  return lum > 0.179 ? "#000000" : "#ffffff";
}
$("site-form").addEventListener("input", updatePreview);

function openSite(s) {
  var form = $("site-form");
  form.reset();
  sites.editing = s;
  $("site-title").textContent = s ? "Edit site " + s.name : "New site";
  $("site-site_key").readOnly = !!s;
  if (s) {
    ["name", "site_key", "status", "reset_url", "onboarding_url"].forEach(function (k) { setValue(form, k, s[k]); });
    setValue(form, "allowed_origins", s.allowed_origins.join("\n"));
    BRANDING.forEach(function (k) { setValue(form, "branding." + k, s.branding[k]); });
    POLICY.forEach(function (f) { setValue(form, "policy." + f.key, s.policy[f.key]); });
  } else {
    POLICY.forEach(function (f) { setValue(form, "policy." + f.key, POLICY_DEFAULTS[f.key]); });
  }
  updatePreview();
  openDialog($("site"));
  $("site-name").focus();
}

$("site-new").addEventListener("click", function () { openSite(null); });
function editSite(s) { openSite(s); }

onSubmit($("site-form"), function () {
  var v = formValues($("site-form"));
  var body = {
    name: v.name,
    status: v.status,
    allowed_origins: v.allowed_origins.split(/\s+/).filter(Boolean),
    reset_url: v.reset_url || null,
    onboarding_url: v.onboarding_url || null,
    branding: {},
    policy: {},
  };
  POLICY_BOOL.forEach(function (k) { body.policy[k] = v["policy." + k]; });
  BRANDING.forEach(function (k) { if (v["branding." + k]) body.branding[k] = v["branding." + k]; });
  POLICY_TEXT.forEach(function (k) { body.policy[k] = v["policy." + k]; });
  // Numbers go as numbers; text that is not one goes as is, so the API names the field.
  POLICY_NUM.forEach(function (k) { var raw = v["policy." + k]; if (raw !== "") body.policy[k] = /^[0-9]+$/.test(raw) ? Number(raw) : raw; });
  var editing = sites.editing;
  if (editing) body.site_key = editing.site_key;
  else if (v.site_key) body.site_key = v.site_key;
  return api("POST", editing ? "site_update" : "site_create", body).then(function (data) {
    closeDialog($("site"));
    var text = (editing ? "Saved site " : "Created site ") + data.site.name + " (" + data.site.site_key + ").";
    setMessage("sites-message", text);
    setStatus(text);
    return loaders.sites();
  });
});

function deleteSite(s) {
  confirmThen("Delete site", "Delete the site " + s.name + " (" + s.site_key + ")? Its policy and branding are removed; apps using this site_key stop being recognised.", "Delete site", function () {
    return api("POST", "site_delete", { site_key: s.site_key }).then(function () {
      var text = "Deleted site " + s.site_key + ".";
      setMessage("sites-message", text);
      setStatus(text);
      return loaders.sites();
    });
  });
}
`;
