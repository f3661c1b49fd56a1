/* Filter, sort and download the projects table; open a project's sheet from its link.
   Without JavaScript the full table and every sheet stay readable. */
(function () {
  "use strict";
  function openSheet() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (id.indexOf("projet-") !== 0) { return; }
    var sheet = document.getElementById(id);
    if (sheet && sheet.tagName === "DETAILS") {
      sheet.open = true;
      sheet.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", openSheet);
  openSheet();

  var table = document.getElementById("table-projets");
  var input = document.getElementById("filtre-projets");
  var status = document.getElementById("compte-projets");
  if (!table || !input || !status) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var total = rows.length;
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filtre]"));
  var dataNode = document.getElementById("donnees-projets");
  var records = {};
  var fields = [];
  if (dataNode) {
    JSON.parse(dataNode.textContent).forEach(function (record) {
      records[record.identifiant] = record;
      if (!fields.length) { fields = Object.keys(record); }
    });
  }
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ");
  }
  rows.forEach(function (row, index) {
    row.setAttribute("data-index", String(index));
    row.setAttribute("data-recherche", fold(row.textContent));
  });
  function count(n) {  /* no-break spaces, as in the server-rendered text */
    if (n === total) { return total + (total > 1 ? "\u00a0projets affichés" : "\u00a0projet affiché"); }
    return n + (n > 1 ? "\u00a0projets affichés sur\u00a0" : "\u00a0projet affiché sur\u00a0") + total;
  }
  function apply() {
    var query = fold(input.value.trim());
    var shown = 0;
    rows.forEach(function (row) {
      var visible = query === "" || row.getAttribute("data-recherche").indexOf(query) !== -1;
      selects.forEach(function (select) {
        if (select.value !== "" && row.getAttribute("data-" + select.getAttribute("data-filtre")) !== select.value) {
          visible = false;
        }
      });
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    status.textContent = count(shown);
  }
  input.addEventListener("input", apply);
  selects.forEach(function (select) { select.addEventListener("change", apply); });

  function csvCell(value) {
    if (value === null || value === undefined) { return ""; }
    var text = String(value);
    return /[",\n\r]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }
  var download = document.getElementById("telecharger-selection");
  if (download && fields.length) {
    download.addEventListener("click", function () {
      var lines = [fields.join(",")];
      Array.prototype.slice.call(body.rows).forEach(function (row) {
        var record = records[row.getAttribute("data-id")];
        if (!row.hidden && record) {
          lines.push(fields.map(function (f) { return csvCell(record[f]); }).join(","));
        }
      });
      var blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv;charset=utf-8" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "panorama-selection.csv";
      document.body.appendChild(link);
      link.click();
      document.body.removeChild(link);
      window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    });
  }

  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, column) {
    var button = th.querySelector("button");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      var numeric = th.getAttribute("data-type") === "nombre";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var keyed = rows.map(function (row) {
        var raw = row.cells[column].getAttribute("data-tri");
        if (raw === null) { raw = row.cells[column].textContent; }
        return { row: row, empty: raw === "", key: numeric ? parseFloat(raw) : fold(raw),
                 index: Number(row.getAttribute("data-index")) };
      });
      keyed.sort(function (a, b) {
        if (a.empty !== b.empty) { return a.empty ? 1 : -1; }  /* blanks last, both ways */
        var order = 0;
        if (!a.empty) {
          order = numeric ? a.key - b.key : a.key.localeCompare(b.key, "fr");
          if (!ascending) { order = -order; }
        }
        return order !== 0 ? order : a.index - b.index;
      });
      keyed.forEach(function (item) { body.appendChild(item.row); });
    });
  });
})();
