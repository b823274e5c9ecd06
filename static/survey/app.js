/* Survey app, the router and the start-up. Hash routes (docs/survey-sync.md):
   #/ households, #/h/<ref>, #/h/<ref>/m/<ref>, …/spell/<ref>, …/training/<ref> ("new" for a
   new record), #/outbox, and #/fix/<seq> to correct a change the server rejected.
   The scripts load in this order (templates/survey/app.html): core.js (configuration, DOM and
   rule helpers), store.js (IndexedDB and sync), ui.js (the frame and shared builders), the
   screens roster.js, household.js, member.js, record.js, spell.js, training.js, outbox.js,
   and this file last. */
(function (SV) {
  "use strict";
  var h = SV.h, S = SV.S, state = SV.state, ui = SV.ui, views = SV.views;
  var view, actionBar, current = {};

  SV.changed = function () {
    if (!ui.mounted()) return;
    ui.renderBar();
    if (current.refresh) current.refresh();
    else if (!ui.dirty) renderView();
  };

  // ---- routing ------------------------------------------------------------------------------

  function renderView() {
    var p = location.hash.replace(/^#\/?/, "").split("/"), v;
    if (p[0] === "h" && p.length === 2) v = views.household(p[1]);
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
    (v.actions || []).forEach(function (a) { if (a) actionBar.appendChild(a); });
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
      window.addEventListener("hashchange", function () {
        ui.dirty = false;
        renderView();
        window.scrollTo(0, 0);
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
