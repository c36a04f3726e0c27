/** Console script, part: the user's passkeys in the edit dialog (list, remove one with a confirmation). */
export const JS_PASSKEYS = String.raw`
function passkeyState(p) {
  if (p.flagged_at) return badge("flagged");
  return badge(p.backed_up ? "synced" : "device-bound");
}

function loadUserPasskeys(u) {
  var table = $("ue-passkeys");
  var tbody = table.querySelector("tbody");
  setMessage("ue-passkeys-message", "");
  emptyRow(table, 6, "Loading…");
  return api("GET", "user_passkeys_list", null, { auth_user_id: u.auth_user_id }).then(function (data) {
    tbody.textContent = "";
    if (!data.passkeys.length) emptyRow(table, 6, "No passkeys.");
    data.passkeys.forEach(function (p) {
      tbody.appendChild(el("tr", {}, [
        el("td", { "data-label": "Name", text: p.name }),
        el("td", { "data-label": "Provider", text: p.provider_name || "—" }),
        el("td", { "data-label": "Added", text: fmtTime(p.created_at) }),
        el("td", { "data-label": "Last used", text: fmtTime(p.last_used_at) }),
        el("td", { "data-label": "State" }, [passkeyState(p)]),
        el("td", {}, [el("div", { class: "row-actions" }, [actionButton("Remove", "passkey " + p.name, function () { removeUserPasskey(u, p); })])]),
      ]));
    });
  }, function (err) { emptyRow(table, 6, "—"); setMessage("ue-passkeys-message", err.message, true); });
}

function removeUserPasskey(u, p) {
  confirmThen("Remove passkey", "Remove the passkey " + p.name + " of " + userLabel(u) + "? It stops working at once; the account and its sessions stay.", "Remove passkey", function () {
    return api("POST", "user_passkeys_delete", { auth_user_id: u.auth_user_id, passkey_id: p.id }).then(function () {
      return loadUserPasskeys(u).then(function () { setMessage("ue-passkeys-message", "Removed passkey " + p.name + "."); });
    });
  });
}
`;
