/** Console script: the account view (password, TOTP) and start-up. */
export const JS_ACCOUNT = String.raw`
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
