/* Survey app, the router and the start-up. Hash routes (docs/survey-sync.md):
   #/ households, #/h/<ref>, #/h/<ref>/summary (the answers for the household to check),
   #/h/<ref>/m/<ref>, …/spell/<ref>, …/training/<ref> ("new" for a
   new record), #/outbox, and #/fix/<seq> to correct a change the server rejected.
   The scripts load in this order (templates/survey/app.html): core.js (configuration, DOM and
   rule helpers), store.js (IndexedDB and sync), ui.js (the frame and shared builders), the
   screens roster.js, household.js, summary.js, member.js, record.js, spell.js, training.js,
   outbox.js, and this file last. */
(function (SV) {
  "use strict";
  var h = SV.h, S = SV.S, state = SV.state, ui = SV.ui, views = SV.views;
  var view, actionBar, current = {};

  SV.changed = function () {
    if (!ui.mounted()) return;
    ui.renderBar();
    // A screen that updates in place still redraws when what it was drawn for has changed
    // (the round closed, say).
    if (current.stale && current.stale()) renderView();
    else if (current.refresh) current.refresh();
    else if (!ui.dirty) renderView();
  };

  // ---- routing ------------------------------------------------------------------------------

  function renderView() {
    var p = location.hash.replace(/^#\/?/, "").split("/"), v;
    if (p[0] === "h" && p.length === 2) v = views.household(p[1]);
    else if (p[0] === "h" && p[2] === "summary") v = views.summary(p[1]);
    else if (p[0] === "h" && p[2] === "m" && p.length === 4) v = views.member(p[1], p[3]);
    else if (p[0] === "h" && p[2] === "m" && (p[4] === "spell" || p[4] === "training")) v = views.record(p[4], p[1], p[3], p[5]);
    else if (p[0] === "outbox") v = views.outbox();
    else if (p[0] === "fix") v = views.fix(Number(p[1]));
    else v = views.roster();
    if (!state.roster && p[0] !== "outbox") v = views.roster();
    current = v;
    view.textContent = "";
    v.body.forEach(function (node) { if (node) view.appendChild(node); });
    actionBar.textContent = "";
    [v.back].concat(v.actions || []).forEach(function (a) { if (a) actionBar.appendChild(a); });
    actionBar.hidden = !actionBar.childNodes.length;
    view.classList.toggle("sv-has-actions", !actionBar.hidden);
    if (v.after) v.after();
  }
  SV.render = renderView;

  // ---- start ------------------------------------------------------------------------------

  function start() {
    var root = document.getElementById("sv-app");
    if (!root) return;
    var frame = ui.mount(root);
    view = frame.view;
    actionBar = frame.actionBar;
    if (!window.indexedDB) { view.appendChild(h("p.flash.error", { text: S.no_storage })); return; }
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persisted().then(function (yes) { return yes || navigator.storage.persist(); })
        .then(function (granted) { state.persistRefused = !granted; ui.renderBar(); });
    }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(SV.urls.worker, { scope: SV.urls.scope }).catch(function () {});
    }
    SV.openDb().then(function () { return SV.meta("user"); }).then(function (user) {
      state.user = user || null;
      return SV.reload();
    }).then(function () {
      var shown = location.hash;
      // Leaving a form with unsaved input, by a link or by the phone's Back: ask first.
      document.addEventListener("click", function (event) {
        var a = event.target.closest ? event.target.closest("a[href]") : null;
        if (!a || !ui.unsaved()) return;
        if (!confirm(S.discard_changes)) { event.preventDefault(); event.stopPropagation(); return; }
        ui.forget();
      }, true);
      window.addEventListener("hashchange", function () {
        if (ui.unsaved() && !confirm(S.discard_changes)) {
          history.pushState(null, "", shown);  // stay, the input as it was
          return;
        }
        shown = location.hash;
        ui.dirty = false;
        renderView();
        window.scrollTo(0, 0);
      });
      window.addEventListener("beforeunload", function (event) {
        if (ui.unsaved()) { event.preventDefault(); event.returnValue = ""; }
      });
      renderView();
      SV.sync();
    }, function () {
      view.appendChild(h("p.flash.error", { text: S.no_storage }));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window.SV);
