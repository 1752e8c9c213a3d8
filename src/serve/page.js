// The review page's behaviour. No dependencies, nothing loaded from
// elsewhere. Text from the evidence or from reviewers is only ever set with
// textContent, never as HTML.
"use strict";

function $(sel, root) { return (root || document).querySelector(sel); }
function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
function el(tag, text, cls) {
  var e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function say(text, bad) {
  var m = $("#message");
  m.textContent = text;
  m.className = bad ? "bad" : "good";
}

function api(method, path, body) {
  var init = { method: method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return fetch(path, init).then(function (r) {
    return r.json().then(function (data) { return { status: r.status, data: data }; });
  });
}

// A review action; on success or on a conflict the page is reloaded so it
// shows the state now stored (a conflict means another reviewer was first).
function act(body) {
  return api("POST", "/api/review", body).then(function (r) {
    if (r.status === 200) { location.reload(); return; }
    if (r.status === 409) {
      alert(r.data.error + "\nThe page now shows the newer state.");
      location.reload();
      return;
    }
    say(r.data.error || "the action failed", true);
  });
}

// Tabs.
$all("nav button").forEach(function (b) {
  b.addEventListener("click", function () {
    $all("nav button").forEach(function (x) { x.classList.toggle("on", x === b); });
    $all("main > section").forEach(function (s) { s.hidden = s.id !== b.dataset.tab; });
    var load = loaders[b.dataset.tab];
    if (load) load();
  });
});

// Filters over the server-rendered rows.
function filter() {
  var phase = $("#f-phase").value, source = $("#f-source").value, ver = $("#f-verification").value;
  $all("#entries tr.entry").forEach(function (r) {
    var show = (!phase || r.dataset.phase === phase) &&
      (!ver || r.dataset.verification === ver) &&
      (!source || r.dataset.sources.split("\n").indexOf(source) >= 0);
    r.hidden = !show;
  });
}
["#f-phase", "#f-source", "#f-verification"].forEach(function (s) { $(s).addEventListener("change", filter); });

// Entry actions.
function row(button) { return button.closest("tr.entry"); }
function base(r, action) { return { action: action, key: r.dataset.key, version: Number(r.dataset.version) }; }

$all(".act-hide").forEach(function (b) {
  b.addEventListener("click", function () {
    var r = row(b);
    var reason = prompt("Why does this entry not belong in the timeline?");
    if (!reason) return;
    var body = base(r, "hide");
    body.reason = reason;
    act(body);
  });
});
$all(".act-edit").forEach(function (b) {
  b.addEventListener("click", function () {
    var r = row(b);
    var summary = prompt("Summary (the original is kept):", r.dataset.summary);
    if (summary === null) return;
    var phase = prompt("Phase (" + "trigger impact detection escalation diagnosis mitigation recovery resolution context" + "):", r.dataset.phase);
    if (phase === null) return;
    var body = base(r, "edit");
    if (summary !== r.dataset.summary) body.summary = summary;
    if (phase !== r.dataset.phase) body.phase = phase;
    if (!body.summary && !body.phase) return;
    act(body);
  });
});
$all(".act-note").forEach(function (b) {
  b.addEventListener("click", function () {
    var r = row(b);
    var text = prompt("Note:");
    if (!text) return;
    var body = base(r, "note");
    body.text = text;
    act(body);
  });
});
$all(".act-restore").forEach(function (b) {
  b.addEventListener("click", function () {
    act({ action: "restore", key: b.closest("li").dataset.key });
  });
});
$("#add").addEventListener("submit", function (ev) {
  ev.preventDefault();
  var f = ev.target;
  act({ action: "add", time: f.time.value, zone: f.zone.value, phase: f.phase.value, text: f.text.value });
});

// Evidence: each cited line in its file, with the file re-hashed.
$all(".act-evidence").forEach(function (b) {
  b.addEventListener("click", function () {
    var key = row(b).dataset.key;
    var body = $("#panel-body");
    body.textContent = "Loading…";
    $("#panel").hidden = false;
    api("GET", "/api/entries/" + encodeURIComponent(key) + "/evidence?context=20").then(function (r) {
      body.textContent = "";
      if (r.status !== 200) { body.textContent = r.data.error; return; }
      r.data.evidence.forEach(function (ev) {
        var box = el("div", null, "cited");
        var head = el("h3");
        head.appendChild(el("code", ev.source));
        head.appendChild(el("span", " " + (ev.line ? "line " + ev.line : ev.locator) + " "));
        head.appendChild(el("span", ev.status, "status " + ev.status));
        box.appendChild(head);
        box.appendChild(el("div", "sha256 " + ev.sha256, "muted"));
        if (ev.status === "missing") box.appendChild(el("p", "The file is no longer there.", "warn"));
        if (ev.status === "changed") box.appendChild(el("p", "The file changed since it was ingested: the lines below may not be the ones cited.", "warn"));
        var pre = el("pre");
        ev.lines.forEach(function (l) {
          var line = el("span", (l.line + "").padStart(6, " ") + "  " + l.text + "\n", l.cited ? "hit" : "");
          pre.appendChild(line);
        });
        if (!ev.lines.length && ev.status !== "missing") pre.textContent = "(a record without a line number: " + ev.locator + ")";
        box.appendChild(pre);
        body.appendChild(box);
      });
      var hit = $(".hit", body);
      if (hit) hit.scrollIntoView({ block: "center" });
    });
  });
});
$("#close").addEventListener("click", function () { $("#panel").hidden = true; });

// Events browser, paged by key.
var nextCursor = null;
function loadEvents(more) {
  var f = $("#event-filter");
  var q = new URLSearchParams();
  ["from", "to", "source", "level", "q", "template"].forEach(function (n) { if (f[n].value) q.set(n, f[n].value); });
  q.set("limit", "100");
  if (more && nextCursor) q.set("after", nextCursor);
  var tbody = $("#event-list tbody");
  if (!more) tbody.textContent = "";
  api("GET", "/api/events?" + q.toString()).then(function (r) {
    if (r.status !== 200) { say(r.data.error, true); return; }
    r.data.events.forEach(function (e) {
      var tr = el("tr");
      tr.appendChild(el("td", e.time, "time"));
      tr.appendChild(el("td", e.source + (e.line ? ":" + e.line : "")));
      tr.appendChild(el("td", e.level || ""));
      tr.appendChild(el("td", e.message));
      var td = el("td");
      var pin = el("button", "Pin");
      pin.addEventListener("click", function () {
        var phase = prompt("Phase of the pinned entry:", "context");
        if (phase === null) return;
        act({ action: "pin", event: e.id, phase: phase });
      });
      td.appendChild(pin);
      tr.appendChild(td);
      tbody.appendChild(tr);
    });
    nextCursor = r.data.next;
    $("#more").hidden = !nextCursor;
  });
}
$("#event-filter").addEventListener("submit", function (ev) { ev.preventDefault(); loadEvents(false); });
$("#more").addEventListener("click", function () { loadEvents(true); });

function table(head, rows) {
  var t = el("table"), tr = el("tr");
  head.forEach(function (h) { tr.appendChild(el("th", h)); });
  t.appendChild(tr);
  rows.forEach(function (cells) {
    var r = el("tr");
    cells.forEach(function (c) { r.appendChild(el("td", c === null || c === undefined ? "" : c)); });
    t.appendChild(r);
  });
  return t;
}

var loaders = {
  events: function () { if (!$("#event-list tbody").children.length) loadEvents(false); },
  audit: function () {
    api("GET", "/api/audit").then(function (r) {
      var b = $("#audit-body");
      b.textContent = "";
      var s = r.data.summary || {};
      b.appendChild(el("p", Object.keys(s).map(function (k) { return k + ": " + s[k]; }).join(" · ")));
      b.appendChild(el("h3", "Warnings"));
      var ul = el("ul");
      (r.data.warnings || []).forEach(function (w) { ul.appendChild(el("li", typeof w === "string" ? w : JSON.stringify(w))); });
      b.appendChild(ul);
      b.appendChild(el("h3", "Entries not corroborated or verified"));
      b.appendChild(table(["#", "Time", "Verification", "Summary"], (r.data.entries || []).filter(function (e) {
        return e.verification !== "corroborated" && e.verification !== "verified";
      }).map(function (e) { return [e.id, e.time, e.verification, e.summary]; })));
    });
  },
  sources: function () {
    api("GET", "/api/sources").then(function (r) {
      var b = $("#sources-body");
      b.textContent = "";
      b.appendChild(table(["Source", "Parser", "Events", "Rejected", "First", "Last", "Zone", "Clock correction", "Time flags"],
        (r.data.sources || []).map(function (s) {
          var skew = s.skew ? s.skew.seconds + " s (" + s.skew.pairs + " pairs)" : "";
          return [s.source, s.parser, s.events, s.rejected, s.first, s.last, s.tz, skew, (s.time_quality || []).join(", ")];
        })));
    });
  },
  trail: function () {
    api("GET", "/api/review").then(function (r) {
      var b = $("#trail-body");
      b.textContent = "";
      var orphaned = r.data.orphaned || [];
      b.appendChild(table(["#", "At", "Reviewer", "Action", "Entry", "Details", ""], (r.data.actions || []).map(function (a) {
        var details = [a.summary, a.phase, a.time, a.text, a.reason].filter(function (x) { return x; }).join(" · ");
        return [a.id, a.at, a.reviewer, a.action, a.key, details, orphaned.indexOf(a.id) >= 0 ? "orphaned" : ""];
      })));
    });
  }
};

// New evidence while serving: offer a rebuild.
function poll() {
  api("GET", "/api/status").then(function (r) {
    if (r.status === 200) $("#banner").hidden = !r.data.new_evidence;
  }).catch(function () {});
}
$("#rebuild").addEventListener("click", function () {
  api("POST", "/api/rebuild", {}).then(function () { location.reload(); });
});
setInterval(poll, 5000);
poll();
