/**
 * Console script, part 1: API calls (cookie + X-CSRF-Token), form errors from `error.fields`,
 * dialogs, views and sign-in. Plain browser JavaScript kept as text: the Worker serves it as
 * /admin/assets/console.js (CSP script-src 'self'). All text reaches the page via textContent.
 */
export const JS_CORE = String.raw`
var state = { csrf: null, admin: null, view: null };
var VIEWS = ["users", "sites", "keys", "audit", "account"];
var TITLES = { signin: "Sign in", users: "Users", sites: "Sites", keys: "Service keys", audit: "Audit log", account: "Account" };
var loaders = {};

function $(id) { return document.getElementById(id); }

function el(tag, props, children) {
  var node = document.createElement(tag);
  Object.keys(props || {}).forEach(function (key) {
    var value = props[key];
    if (value === null || value === undefined || value === false) return;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else if (key === "onclick") node.addEventListener("click", value);
    else node.setAttribute(key, value === true ? "" : String(value));
  });
  (children || []).forEach(function (child) {
    if (child === null || child === undefined) return;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  });
  return node;
}

/** A button whose visible text is completed by a visually hidden name for screen readers. */
function actionButton(text, hidden, onClick, cls) {
  return el("button", { type: "button", class: cls || "link", onclick: onClick }, [text, el("span", { class: "visually-hidden", text: " " + hidden })]);
}

function setStatus(text, isError) {
  var node = $("status");
  node.className = isError ? "status error" : "status";
  node.textContent = text || "";
  if (text && !isError) setTimeout(function () { if (node.textContent === text) node.textContent = ""; }, 6000);
}

function setMessage(id, text, isError) {
  var node = $(id);
  if (!node) return;
  node.className = isError ? "message error" : "message";
  node.textContent = text || "";
}

function fmtTime(value) {
  if (value === null || value === undefined || value === "") return "—";
  var d = new Date(typeof value === "number" ? value : String(value));
  if (isNaN(d.getTime())) return String(value);
  return d.toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

function ApiError(status, error) {
  this.status = status;
  this.code = (error && error.code) || "network_error";
  this.message = (error && error.message) || "The server could not be reached. Try again.";
  this.fields = (error && error.fields) || {};
}

/** Calls the admin API. A 401 on any call but login means the session ended: back to sign-in. */
function api(method, path, body, query) {
  var url = "/api/admin/" + path;
  if (query) {
    var params = new URLSearchParams();
    Object.keys(query).forEach(function (k) { if (query[k] !== "" && query[k] !== null && query[k] !== undefined) params.set(k, String(query[k])); });
    var qs = params.toString();
    if (qs) url += "?" + qs;
  }
  var headers = { Accept: "application/json" };
  var init = { method: method, headers: headers, credentials: "same-origin", cache: "no-store" };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    if (state.csrf) headers["X-CSRF-Token"] = state.csrf;
    init.body = JSON.stringify(body || {});
  }
  return fetch(url, init).then(function (res) {
    return res.json().catch(function () { return null; }).then(function (data) {
      if (res.ok && data && data.ok) return data;
      var err = new ApiError(res.status, data && data.error);
      if (err.code === "unauthenticated" && path !== "login" && state.admin) sessionEnded("Your session has ended. Sign in again.");
      throw err;
    });
  }, function () { throw new ApiError(0, null); });
}

function clearErrors(form) {
  form.querySelectorAll("[data-error-for]").forEach(function (node) { node.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
}

/**
 * Puts each error.fields message next to its input (the longest input name that prefixes the
 * field path, so "allowed_origins.0" lands on allowed_origins); the rest goes to the form slot.
 */
function showErrors(form, err, prefix) {
  clearErrors(form);
  var rest = [];
  var fields = err.fields || {};
  var keys = Object.keys(fields);
  keys.forEach(function (path) {
    var parts = (prefix ? prefix + path : path).split(".");
    var slot = null;
    while (parts.length && !slot) {
      slot = form.querySelector('[data-error-for="' + parts.join(".") + '"]');
      if (!slot) parts.pop();
    }
    if (!slot) { rest.push(path + ": " + fields[path]); return; }
    slot.textContent = fields[path];
    var input = form.querySelector('[name="' + parts.join(".") + '"]');
    if (input) input.setAttribute("aria-invalid", "true");
  });
  var general = form.querySelector('[data-error-for="_form"]');
  var text = keys.length && !rest.length ? "Check the highlighted fields: " + err.message : err.message + (rest.length ? " " + rest.join("; ") : "");
  if (general) general.textContent = text;
  var first = form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
}

function formValues(form) {
  var out = {};
  Array.prototype.forEach.call(form.elements, function (input) {
    if (!input.name) return;
    out[input.name] = input.type === "checkbox" ? input.checked : input.value.trim();
  });
  return out;
}

function setValue(form, name, value) {
  var input = form.elements.namedItem(name);
  if (!input) return;
  if (input.type === "checkbox") input.checked = !!value;
  else input.value = value === null || value === undefined ? "" : String(value);
}

function openDialog(dialog) {
  var form = dialog.querySelector("form");
  if (form) clearErrors(form);
  dialog.returnFocus = document.activeElement;
  dialog.showModal();
}

function closeDialog(dialog) {
  if (dialog.open) dialog.close();
}

document.addEventListener("click", function (event) {
  var target = event.target instanceof Element ? event.target.closest("[data-close]") : null;
  if (target) closeDialog(target.closest("dialog"));
});
document.addEventListener("close", function (event) {
  var dialog = event.target;
  if (dialog.returnFocus && document.contains(dialog.returnFocus)) dialog.returnFocus.focus();
}, true);

/** A submit handler that disables the form's buttons while the call runs and shows its errors. */
function onSubmit(form, run) {
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors(form);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    Promise.resolve().then(run).catch(function (err) {
      if (err instanceof ApiError) { if (err.code !== "unauthenticated") showErrors(form, err); }
      else throw err;
    }).finally(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  });
}

var confirmAction = null;
function confirmThen(title, text, okLabel, action) {
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = okLabel;
  confirmAction = action;
  openDialog($("confirm"));
  $("confirm").querySelector("[data-close]").focus();
}
onSubmit($("confirm-form"), function () {
  return confirmAction().then(function () { closeDialog($("confirm")); });
});

function showView(name) {
  state.view = name;
  $("loading").hidden = true;
  document.querySelectorAll(".view").forEach(function (v) { v.hidden = v.id !== "view-" + name; });
  var signedIn = name !== "signin";
  $("nav").hidden = !signedIn;
  $("who").hidden = !signedIn;
  document.querySelectorAll("#nav a").forEach(function (a) {
    if (a.getAttribute("href") === "#" + name) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  document.title = TITLES[name] + " · Auth2 admin console";
}

function route() {
  if (!state.admin) return;
  var name = location.hash.replace(/^#/, "");
  if (VIEWS.indexOf(name) < 0) name = "users";
  var changed = state.view !== name;
  showView(name);
  if (loaders[name]) loaders[name]();
  if (changed) $("main").focus();
}
window.addEventListener("hashchange", route);

function signedIn(data) {
  state.admin = data.admin;
  state.csrf = data.csrf_token;
  $("who-email").textContent = data.admin.email;
  $("signin-form").reset();
  $("signin-totp").hidden = true;
  route();
}

function showSignin(message) {
  state.admin = null;
  state.csrf = null;
  document.querySelectorAll("dialog[open]").forEach(function (d) { d.close(); });
  showView("signin");
  $("signin-message").textContent = message || "";
  $("signin-email").focus();
}

function sessionEnded(message) {
  showSignin(message);
}

onSubmit($("signin-form"), function () {
  var form = $("signin-form");
  var v = formValues(form);
  var body = { email: v.email, password: v.password };
  if (!$("signin-totp").hidden && v.totp) body.totp = v.totp;
  return api("POST", "login", body).then(function (data) {
    $("signin-message").textContent = "";
    signedIn(data);
    if (data.totp_enrollment_required) { location.hash = "#account"; setStatus("Set up two-factor authentication to continue.", true); }
  }, function (err) {
    if (err.code === "totp_required") {
      $("signin-totp").hidden = false;
      $("signin-message").textContent = "Enter the code from your authenticator app.";
      $("signin-code").focus();
      return;
    }
    throw err;
  });
});

$("signout").addEventListener("click", function () {
  api("POST", "logout", {}).then(function () { showSignin("You are signed out."); }, function (err) {
    if (err.status !== 401) setStatus(err.message, true);
  });
});

function boot() {
  api("GET", "me").then(signedIn, function (err) {
    showSignin(err.code === "unauthenticated" ? "" : err.message);
  });
}
`;
