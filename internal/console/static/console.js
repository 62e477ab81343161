// restrict console: the run page's live progress. Everything else works
// without this file; a run page without it refreshes itself (noscript).
"use strict";
(function () {
  var root = document.getElementById("run");
  if (!root || root.dataset.finished === "true" || !window.EventSource) {
    return;
  }
  var windowMs = 10000; // the rate is measured over the last ~10 s
  var samples = {}; // per provider ("" for all): [{t, done}]

  function pct(done, total) {
    return (total === 0 ? 100 : (100 * done) / total).toFixed(1) + "%";
  }

  function duration(s) {
    if (!isFinite(s) || s < 0) return "";
    s = Math.round(s);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (h > 0) return h + "h" + String(m).padStart(2, "0") + "m";
    if (m > 0) return m + "m" + String(sec).padStart(2, "0") + "s";
    return sec + "s";
  }

  // rate is done per second over the window, from the samples kept.
  function rate(key, done, now) {
    var list = samples[key] || (samples[key] = []);
    list.push({ t: now, done: done });
    while (list.length > 1 && now - list[0].t > windowMs) list.shift();
    var first = list[0];
    if (now === first.t) return null;
    return ((done - first.done) * 1000) / (now - first.t);
  }

  function find(cls, provider) {
    if (provider === "") return document.getElementById(cls + "-all");
    var els = root.querySelectorAll("." + cls);
    for (var i = 0; i < els.length; i++) {
      if (els[i].dataset.provider === provider) return els[i];
    }
    return null;
  }

  function show(c, provider, now) {
    var done = c.ok + c.failed + c.unsupported;
    var bar = provider === "" ? document.getElementById("bar-all") : find("bar", provider);
    if (bar) {
      bar.max = c.total;
      bar.value = done;
      bar.textContent = pct(done, c.total);
    }
    var set = function (cls, text) {
      var el = find(cls, provider);
      if (el) el.textContent = text;
    };
    set("pct", pct(done, c.total));
    set("ok", String(c.ok));
    set("failed", String(c.failed));
    set("unsupported", String(c.unsupported));
    set("pending", String(c.pending));
    var r = rate(provider, done, now);
    if (r !== null) set("rate", r.toFixed(1) + "/s");
    if (c.pending === 0) set("eta", "done");
    else if (r !== null) set("eta", r > 0 ? duration(c.pending / r) : "");
  }

  function update(ev) {
    var p = JSON.parse(ev.data);
    var now = Date.now();
    (p.providers || []).forEach(function (c) { show(c, c.provider, now); });
    show(p.all, "", now);
  }

  var es = new EventSource(root.dataset.events);
  es.addEventListener("progress", update);
  es.addEventListener("finished", function (ev) {
    update(ev);
    es.close();
    var state = document.getElementById("run-state");
    if (state) state.textContent = "finished";
  });
})();
