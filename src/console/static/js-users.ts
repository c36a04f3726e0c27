/** Console script, part 2: the Users view (list with search, status filter and cursor paging; dialogs). */
export const JS_USERS = String.raw`
var PROFILE = ["display_name", "phone", "job_title", "department", "locale", "timezone"];
var users = { cursors: [null], page: 0, editing: null };

function userLabel(u) { return (u.display_name || u.name || u.email) + " (" + u.email + ")"; }

function badge(text) { return el("span", { class: "badge " + text, text: text }); }

function emptyRow(table, cols, text) {
  var tbody = table.querySelector("tbody");
  tbody.textContent = "";
  tbody.appendChild(el("tr", {}, [el("td", { colspan: cols, class: "empty", text: text })]));
}

loaders.users = function () {
  var v = formValues($("users-filter"));
  var tbody = $("users-table").querySelector("tbody");
  return api("GET", "user_list", null, { q: v.q, status: v.status, cursor: users.cursors[users.page], limit: 20 }).then(function (data) {
    tbody.textContent = "";
    if (!data.items.length) emptyRow($("users-table"), 5, "No users match.");
    data.items.forEach(function (u) {
      var label = userLabel(u);
      var actions = [actionButton("Edit", label, function () { editUser(u); })];
      if (u.status === "pending") actions.push(actionButton("Resend onboarding", label, function () { resendOnboarding(u); }));
      if (u.status !== "disabled") actions.push(actionButton("Disable", label, function () { disableUser(u); }));
      actions.push(actionButton("Delete", label, function () { deleteUser(u); }));
      tbody.appendChild(el("tr", {}, [
        el("td", { "data-label": "Name", text: u.display_name ? u.display_name + " · " + u.name : u.name }),
        el("td", { "data-label": "Email", text: u.email }),
        el("td", { "data-label": "Status" }, [badge(u.status)]),
        el("td", { "data-label": "Last sign-in", text: fmtTime(u.last_login_at) }),
        el("td", {}, [el("div", { class: "row-actions" }, actions)]),
      ]));
    });
    users.cursors[users.page + 1] = data.next_cursor;
    $("users-next").disabled = !data.next_cursor;
    $("users-prev").disabled = users.page === 0;
    $("users-page").textContent = "Page " + (users.page + 1);
  }, function (err) { setMessage("users-message", err.message, true); });
};

$("users-filter").addEventListener("submit", function (event) {
  event.preventDefault();
  users.cursors = [null];
  users.page = 0;
  setMessage("users-message", "");
  loaders.users();
});
$("users-next").addEventListener("click", function () { users.page += 1; loaders.users(); });
$("users-prev").addEventListener("click", function () { users.page = Math.max(0, users.page - 1); loaders.users(); });

function afterUserAction(text) {
  setMessage("users-message", text);
  setStatus(text);
  return loaders.users();
}

$("user-new").addEventListener("click", function () {
  var form = $("user-create-form");
  form.reset();
  $("uc-send_onboarding").checked = true;
  openDialog($("user-create"));
  $("uc-email").focus();
});

onSubmit($("user-create-form"), function () {
  var v = formValues($("user-create-form"));
  var body = { email: v.email, name: v.name, send_onboarding: v.send_onboarding };
  PROFILE.forEach(function (k) { if (v[k]) body[k] = v[k]; });
  if (v.site_key) body.site_key = v.site_key;
  return api("POST", "user_create", body).then(function (data) {
    closeDialog($("user-create"));
    return afterUserAction("Created " + data.user.email + (v.send_onboarding ? "; onboarding email sent." : "."));
  });
});

function editUser(u) {
  var form = $("user-edit-form");
  form.reset();
  users.editing = u;
  $("ue-id").textContent = "ID " + u.auth_user_id;
  ["email", "name", "status"].concat(PROFILE).forEach(function (k) { setValue(form, k, u[k]); });
  openDialog($("user-edit"));
  $("ue-email").focus();
  loadUserPasskeys(u);
}

onSubmit($("user-edit-form"), function () {
  var u = users.editing;
  var v = formValues($("user-edit-form"));
  var body = { auth_user_id: u.auth_user_id, name: v.name, status: v.status };
  PROFILE.forEach(function (k) { body[k] = v[k] ? v[k] : null; });
  if (v.email !== u.email) body.email = v.email;
  if (v.password) body.password = v.password;
  return api("POST", "user_update", body).then(function (data) {
    closeDialog($("user-edit"));
    return afterUserAction("Saved " + data.user.email + (v.password ? " (password set)." : "."));
  });
});

function disableUser(u) {
  confirmThen("Disable user", "Disable " + userLabel(u) + "? Their sessions end and they cannot sign in until re-activated.", "Disable user", function () {
    return api("POST", "user_disable", { auth_user_id: u.auth_user_id }).then(function () { return afterUserAction("Disabled " + u.email + "."); });
  });
}

function deleteUser(u) {
  confirmThen("Delete user", "Delete " + userLabel(u) + " permanently? Their sessions, API keys and avatar are removed; the audit log keeps its entries.", "Delete user", function () {
    return api("POST", "user_delete", { auth_user_id: u.auth_user_id }).then(function () { return afterUserAction("Deleted " + u.email + "."); });
  });
}

function resendOnboarding(u) {
  api("POST", "user_onboarding_resend", { auth_user_id: u.auth_user_id }).then(function () {
    afterUserAction("Onboarding email sent again to " + u.email + ".");
  }, function (err) { setMessage("users-message", err.message, true); });
}
`;
