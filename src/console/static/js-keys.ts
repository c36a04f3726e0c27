/** Console script: the service keys view (the secret is shown once). */
export const JS_KEYS = String.raw`
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
`;
