/** Console script: the audit log view (filters, pages, one entry). */
export const JS_AUDIT = String.raw`
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
`;
