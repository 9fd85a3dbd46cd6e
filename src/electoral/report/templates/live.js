// The live results page (issue 12). Where electoral serves the page, the server pushes each new
// version as a Server-Sent Event (api/v1/events); elsewhere (nginx, any static server: no such
// route), and whenever the stream is down, it asks every few seconds for current_ver.txt without
// the cache (the browser revalidates with its ETag, so an unchanged pointer costs a 304). When the
// version changed it loads that version's immutable summary and tables and updates the page in
// place. Every name from the data reaches the page through textContent or an attribute: never as
// HTML (the hostile-names rule of issue 11).
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var POLL = Math.max(200, parseInt(params.get("poll") || "2000", 10) || 2000);
  var shown = "";        // the version on the page
  var wanted = "";       // the newest version heard of
  var summary = null;    // that version's summary.json
  var busy = false;      // a version is being loaded
  var asking = false;    // the pointer is being asked for
  var pushed = false;    // the event stream is up: no need to ask

  function $(id) { return document.getElementById(id); }
  function text(id, value) { $(id).textContent = value == null ? "" : String(value); }
  function el(tag, value, cls) {
    var node = document.createElement(tag);
    if (value != null) { node.textContent = String(value); }
    if (cls) { node.className = cls; }
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function votes(cell) {
    if (!cell) { return ""; }
    if (cell.votes == null) { return cell.at_least != null ? "≥ " + cell.at_least.toLocaleString("en-US") : "—"; }
    return cell.votes.toLocaleString("en-US");
  }
  function pct(cell) { return cell && cell.percent != null ? cell.percent + "%" : ""; }
  function getJson(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }

  function chosen() {
    var wanted = decodeURIComponent(window.location.hash.slice(1));
    var list = summary.elections;
    for (var i = 0; i < list.length; i++) { if (list[i].id === wanted) { return list[i]; } }
    return list[0];
  }

  function fillChooser() {
    var select = $("election");
    var ids = summary.elections.map(function (e) { return e.id; }).join("\n");
    if (select.dataset.ids === ids) { return; }
    clear(select);
    summary.elections.forEach(function (e) {
      var option = el("option", e.title + " (" + e.id + ")");
      option.value = e.id;
      select.appendChild(option);
    });
    select.dataset.ids = ids;
  }

  function headline(e) {
    var total = e.total || {};
    var lead = (total.candidates || []).slice().sort(function (a, b) {
      return (b.votes || 0) - (a.votes || 0);
    })[0];
    if (e.winner) {
      return e.winner.candidate + " (" + e.winner.party + ") wins" +
        (e.winner.electors ? ", " + e.winner.electors + " electors" : "") + ".";
    }
    if (e.call) {
      var call = e.call;
      return "Called for " + (call.candidate || call.winner || "") +
        (call.by ? " by " + call.by : "") + (call.at ? " at " + call.at : "") +
        (call.basis ? " (" + call.basis + ")" : "") + ".";
    }
    if (!lead || !total.total) { return "No votes counted yet. No winner is declared."; }
    return "No winner is declared. Of " + total.total.toLocaleString("en-US") + " votes counted, " +
      lead.name + " leads with " + pct(lead) + ".";
  }

  function voteTypes(cells) {
    var seen = [];
    cells.forEach(function (c) {
      Object.keys(c.vote_types || {}).forEach(function (k) { if (seen.indexOf(k) < 0) { seen.push(k); } });
    });
    return seen;
  }

  function statewide(e) {
    var table = $("statewide");
    var cells = (e.total && e.total.candidates) || [];
    var types = voteTypes(cells);
    var head = document.createElement("tr");
    ["Candidate", "Party", "Votes", "%"].concat(types.map(function (t) {
      return t.replace(/_/g, " ");
    })).forEach(function (h) { head.appendChild(el("th", h)); });
    clear(table.tHead); table.tHead.appendChild(head);
    var body = table.tBodies[0]; clear(body);
    cells.forEach(function (c) {
      var row = document.createElement("tr");
      row.appendChild(el("th", c.name));
      row.appendChild(el("td", c.party || ""));
      row.appendChild(el("td", votes(c), "num"));
      row.appendChild(el("td", pct(c), "num"));
      types.forEach(function (t) {
        var v = (c.vote_types || {})[t];
        row.appendChild(el("td", v == null ? "" : v.toLocaleString("en-US"), "num"));
      });
      body.appendChild(row);
    });
    var foot = table.tFoot; clear(foot);
    var total = document.createElement("tr");
    total.appendChild(el("th", "Total"));
    total.appendChild(el("td", ""));
    total.appendChild(el("td", votes({votes: e.total ? e.total.total : null}), "num"));
    foot.appendChild(total);
  }

  function units(doc) {
    var table = $("units");
    var head = document.createElement("tr");
    head.appendChild(el("th", doc.level === "cog" ? "Planning region" : "County"));
    doc.columns.forEach(function (name) { head.appendChild(el("th", name)); });
    ["Other", "Total", "Margin"].forEach(function (h) { head.appendChild(el("th", h)); });
    clear(table.tHead); table.tHead.appendChild(head);
    var body = table.tBodies[0]; clear(body);
    doc.rows.forEach(function (r) {
      var row = document.createElement("tr");
      row.appendChild(el("th", r.unit));
      r.candidates.forEach(function (c) {
        row.appendChild(el("td", votes(c) + (c.percent != null ? " (" + pct(c) + ")" : ""), "num"));
      });
      row.appendChild(el("td", votes(r.other), "num"));
      row.appendChild(el("td", votes({votes: r.total, at_least: r.total_at_least}), "num"));
      row.appendChild(el("td", r.margin && r.margin.votes != null ? r.margin.votes.toLocaleString("en-US") : "—", "num"));
      body.appendChild(row);
    });
  }

  function downloads(e) {
    var where = $("downloads"); clear(where);
    where.appendChild(el("span", "Downloads of this version: "));
    var names = [];
    e.levels.forEach(function (l) { names.push([l + ".json", l + " (JSON)"], [l + ".csv", l + " (CSV)"]); });
    names.push(["nist-1500-100.json", "NIST SP 1500-100 (JSON)"]);
    names.forEach(function (pair, i) {
      var a = el("a", pair[1]);
      a.href = shown + "/" + encodeURIComponent(e.id) + "/" + pair[0];
      where.appendChild(a);
      if (i < names.length - 1) { where.appendChild(document.createTextNode(" · ")); }
    });
  }

  function render(version, e, doc) {
    text("title", e.title);
    document.title = e.title + " — live results";
    text("headline", headline(e));
    text("status", e.status);
    text("reporting", e.reporting ? "· " + e.reporting : "");
    text("updated", "Version " + version + (e.updated ? ", figures updated " + e.updated : ""));
    $("election").value = e.id;
    statewide(e);
    var figure = $("map-figure");
    figure.hidden = !e.map;
    if (e.map) {
      $("map").src = version + "/" + e.map.split("/").map(encodeURIComponent).join("/");
      $("map").alt = "Map of " + e.title + ": " + (e.reporting || "");
    }
    $("units-heading").hidden = !doc;
    $("units").hidden = !doc;
    if (doc) { units(doc); }
    downloads(e);
    document.body.dataset.version = version;
  }

  function show(version) {
    return getJson(version + "/summary.json").then(function (s) {
      summary = s;
      fillChooser();
      var e = chosen();
      if (!e) { text("headline", "No elections are published yet."); return null; }
      var level = ["county", "cog"].filter(function (l) { return e.levels.indexOf(l) >= 0; })[0];
      var doc = level ? getJson(version + "/" + encodeURIComponent(e.id) + "/" + level + ".json")
        : Promise.resolve(null);
      return doc.then(function (d) { shown = version; render(version, e, d); });
    });
  }

  function failed(err) {
    text("connection", "Waiting for results (" + err.message + "); retrying.");
  }

  // Load the newest version heard of, one at a time; a version heard of while one loads follows.
  function follow(version) {
    wanted = version;
    if (busy || version === shown) { return; }
    busy = true;
    show(version).then(function () { text("connection", ""); }, failed).then(function () {
      busy = false;
      if (wanted !== shown) {
        if (wanted !== version) { follow(wanted); }
        else { window.setTimeout(function () { follow(wanted); }, POLL); }
      }
    });
  }

  function poll() {
    if (pushed || asking) { return; }
    asking = true;
    fetch("current_ver.txt", {cache: "no-cache"}).then(function (r) {
      if (!r.ok) { throw new Error("current_ver.txt: " + r.status); }
      return r.text();
    }).then(function (body) {
      var version = body.trim();
      if (!/^[0-9]+$/.test(version)) { throw new Error("no version published yet"); }
      follow(version);
    }).catch(failed).then(function () { asking = false; });
  }

  function listen() {
    if (!window.EventSource || params.get("push") === "off") { return; }
    var source = new EventSource("api/v1/events");
    source.addEventListener("version", function (event) {
      pushed = true;
      document.body.dataset.push = "sse";
      if (/^[0-9]+$/.test(event.data)) { follow(event.data); }
    });
    // a server without the route answers 404 and the stream closes for good; a dropped stream
    // reconnects by itself: either way the pointer is asked for meanwhile
    source.onerror = function () {
      pushed = false;
      delete document.body.dataset.push;
    };
  }

  $("election").addEventListener("change", function () {
    window.location.hash = encodeURIComponent($("election").value);
  });
  window.addEventListener("hashchange", function () { if (shown) { show(shown); } });
  listen();
  poll();
  window.setInterval(poll, POLL);
}());
