/** Console script, part 4: service keys (secret shown once), the audit log, the account view, start-up. */
export const JS_MORE = String.raw`
loaders.keys = function () {
  var tbody = $("keys-table").querySelector("tbody");
  return api("GET", "service_key_list").then(function (data) {
    tbody.textContent = "";
    var items = data.items || data.keys || [];
    if (!items.length) emptyRow($("keys-table"), 7, "No service keys yet.");
    items.forEach(function (k) {
      var revoked = !!k.revoked_at;
      var label = k.name + " (" + k.prefix + ")";
      tbody.appendChild(el("tr", {}, [
        el("td", { "data-label": "Name", text: k.name }),
        el("td", { "data-label": "Prefix" }, [el("code", { text: k.prefix || "" })]),
        el("td", { "data-label": "Scopes", text: (k.scopes || []).join(", ") || "none" }),
        el("td", { "data-label": "Created", text: fmtTime(k.created_at) }),
        el("td", { "data-label": "Last used", text: fmtTime(k.last_used_at) }),
        el("td", { "data-label": "State" }, [badge(revoked ? "revoked" : "active")]),
        el("td", {}, revoked ? [] : [actionButton("Revoke", label, function () { revokeKey(k); })]),
      ]));
    });
  }, function (err) { setMessage("keys-message", err.message, true); });
};

$("key-new").addEventListener("click", function () {
  $("key-create-form").reset();
  openDialog($("key-create"));
  $("key-name").focus();
});

onSubmit($("key-create-form"), function () {
  var v = formValues($("key-create-form"));
  var scopes = v.scopes.split(/[\s,]+/).filter(Boolean);
  return api("POST", "service_key_create", { name: v.name, scopes: scopes }).then(function (data) {
    closeDialog($("key-create"));
    var key = data.service_key || data.key || {};
    $("key-secret-value").value = data.secret;
    setMessage("key-copy-status", "");
    openDialog($("key-secret"));
    $("key-secret-value").select();
    setMessage("keys-message", "Created service key " + (key.name || v.name) + ".");
    loaders.keys();
  });
});

$("key-copy").addEventListener("click", function () {
  var input = $("key-secret-value");
  var done = function () { setMessage("key-copy-status", "Secret copied to the clipboard."); };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(input.value).then(done, function () { input.select(); document.execCommand("copy"); done(); });
  } else { input.select(); document.execCommand("copy"); done(); }
});
// The secret leaves the page as soon as its dialog closes: it is never shown twice.
function forgetSecret() { $("key-secret-value").value = ""; setMessage("key-copy-status", ""); }
$("key-secret").querySelector("form").addEventListener("submit", forgetSecret);
$("key-secret").addEventListener("close", forgetSecret);

function revokeKey(k) {
  confirmThen("Revoke service key", "Revoke " + k.name + " (" + k.prefix + ")? Backends using it get 401 from the next request on.", "Revoke key", function () {
    return api("POST", "service_key_revoke", { id: k.id }).then(function () {
      setMessage("keys-message", "Revoked service key " + k.name + ".");
      setStatus("Revoked service key " + k.name + ".");
      return loaders.keys();
    });
  });
}

var audit = { cursors: [null], page: 0 };

function party(item, kind) {
  var obj = item[kind];
  if (obj && typeof obj === "object") return [obj.type, obj.id].filter(Boolean).join(" ");
  return [item[kind + "_type"], item[kind + "_id"] || (typeof obj === "string" ? obj : null)].filter(Boolean).join(" ");
}

function auditQuery() {
  var v = formValues($("audit-filter"));
  var q = { actor: v.actor, action: v.action, target: v.target, site_key: v.site_key, outcome: v.outcome, cursor: audit.cursors[audit.page], limit: 25 };
  ["since", "until"].forEach(function (k) { if (v[k]) { var d = new Date(v[k]); q[k] = isNaN(d.getTime()) ? v[k] : d.toISOString(); } });
  return q;
}

loaders.audit = function () {
  var tbody = $("audit-table").querySelector("tbody");
  var form = $("audit-filter");
  clearErrors(form);
  return api("GET", "audit_list", null, auditQuery()).then(function (data) {
    tbody.textContent = "";
    if (!data.items.length) emptyRow($("audit-table"), 7, "No events match.");
    data.items.forEach(function (item) {
      var when = fmtTime(item.at || item.time || item.created_at);
      var open = function () { showAuditItem(item); };
      var row = el("tr", { class: "clickable" }, [
        el("td", { "data-label": "Time", text: when }),
        el("td", { "data-label": "Actor", text: party(item, "actor") || "—" }),
        el("td", { "data-label": "Action" }, [el("code", { text: item.action })]),
        el("td", { "data-label": "Target", text: party(item, "target") || "—" }),
        el("td", { "data-label": "Site", text: item.site_key || "—" }),
        el("td", { "data-label": "Outcome" }, [badge(item.outcome)]),
        el("td", {}, [actionButton("View", item.action + " at " + when, open)]),
      ]);
      row.addEventListener("click", function (event) { if (!(event.target instanceof HTMLButtonElement)) open(); });
      tbody.appendChild(row);
    });
    audit.cursors[audit.page + 1] = data.next_cursor;
    $("audit-next").disabled = !data.next_cursor;
    $("audit-prev").disabled = audit.page === 0;
    $("audit-page").textContent = "Page " + (audit.page + 1);
  }, function (err) { showErrors(form, err); });
};

function showAuditItem(item) {
  var facts = $("audit-detail-facts");
  facts.textContent = "";
  [["Time", fmtTime(item.at || item.time || item.created_at)], ["Action", item.action], ["Outcome", item.outcome], ["Actor", party(item, "actor")],
    ["Target", party(item, "target")], ["Site", item.site_key], ["IP", item.ip], ["User agent", item.user_agent], ["Request id", item.request_id]]
    .forEach(function (pair) { facts.appendChild(el("dt", { text: pair[0] })); facts.appendChild(el("dd", { text: pair[1] || "—" })); });
  var details = item.details;
  if (typeof details === "string") { try { details = JSON.parse(details); } catch (e) { /* shown as text */ } }
  $("audit-detail-json").textContent = JSON.stringify(details || {}, null, 2);
  openDialog($("audit-detail"));
}

$("audit-filter").addEventListener("submit", function (event) { event.preventDefault(); audit.cursors = [null]; audit.page = 0; loaders.audit(); });
$("audit-filter").addEventListener("reset", function () { setTimeout(function () { audit.cursors = [null]; audit.page = 0; loaders.audit(); }, 0); });
$("audit-next").addEventListener("click", function () { audit.page += 1; loaders.audit(); });
$("audit-prev").addEventListener("click", function () { audit.page = Math.max(0, audit.page - 1); loaders.audit(); });

loaders.account = function () {
  return api("GET", "me").then(function (data) {
    state.admin = data.admin;
    state.csrf = data.csrf_token;
    var facts = $("account-info");
    facts.textContent = "";
    [["Email", data.admin.email], ["Name", data.admin.name], ["Last sign-in", fmtTime(data.admin.last_login_at)], ["Password changed", fmtTime(data.admin.password_changed_at)],
      ["Session ends", fmtTime(data.session.expires_at)]].forEach(function (pair) { facts.appendChild(el("dt", { text: pair[0] })); facts.appendChild(el("dd", { text: pair[1] || "—" })); });
    $("totp-state").textContent = data.admin.totp_enabled ? "An authenticator app is required at sign-in." : "Not set up: sign-in needs only the password.";
    $("totp-start").hidden = !!data.admin.totp_enabled;
  });
};

onSubmit($("password-form"), function () {
  var form = $("password-form");
  var v = formValues(form);
  form.querySelector("[data-success]").textContent = "";
  return api("POST", "change_password", { current_password: v.current_password, new_password: v.new_password }).then(function () {
    form.reset();
    form.querySelector("[data-success]").textContent = "Password changed. Your other sessions have ended.";
    setStatus("Password changed.");
  }, function (err) {
    if (err.code === "invalid_credentials") err.fields = { current_password: err.message };
    throw err;
  });
});

$("totp-start").addEventListener("click", function () {
  api("POST", "totp_enroll", {}).then(function (data) {
    $("totp-secret").textContent = data.secret;
    $("totp-form").hidden = false;
    $("totp-start").hidden = true;
    $("totp-code").focus();
  }, function (err) { setStatus(err.message, true); });
});

onSubmit($("totp-form"), function () {
  return api("POST", "totp_confirm", { code: formValues($("totp-form")).code }).then(function (data) {
    if (data.csrf_token) state.csrf = data.csrf_token;
    $("totp-secret").textContent = "";
    $("totp-form").reset();
    $("totp-form").hidden = true;
    setStatus("Two-factor authentication is on.");
    return loaders.account();
  }, function (err) {
    if (err.code === "invalid_code") err.fields = { code: err.message };
    throw err;
  });
});

boot();
`;
