/* Survey app, the frame every screen shares: the status bar and notes, the bottom actions,
   small builders (buttons, links, cards), facts about a household on the local copy, and the
   form that checks its rules as the cadre types. Screens reach it as SV.ui; they register
   themselves in SV.views (routes, see app.js) and SV.forms (reused by the outbox's fix). */
(function (SV) {
  "use strict";
  var S = SV.S, h = SV.h, state = SV.state, fmt = SV.fmt;
  var bar, status, notes, flashTimer;
  var OPEN = { entered: 1, returned: 1 };
  // dirty: the cadre has touched the open form, so a background change must not redraw it.
  var ui = SV.ui = { dirty: false };
  SV.views = {};
  SV.forms = {};

  // ---- frame: status bar, notes, bottom actions ---------------------------------------------

  // Builds the frame in the root; returns the view and the bottom action bar.
  ui.mount = function (root) {
    root.textContent = "";
    bar = h("div.sv-bar", { id: "sv-bar" });
    status = h("div.sv-status");
    bar.appendChild(status);
    // The menu (account, language, sign-out) comes rendered with the shell: it needs a form token.
    var menu = document.getElementById("sv-menu");
    if (menu) bar.appendChild(menu);
    notes = h("div.sv-notes");
    var frame = { view: h("div.sv-view", { id: "sv-view" }),
                  actionBar: h("div.sv-actions", { id: "sv-actions", hidden: true }) };
    [bar, notes, frame.view, frame.actionBar].forEach(function (el) { root.appendChild(el); });
    return frame;
  };
  ui.mounted = function () { return !!bar; };

  function renderBar() {
    var net = state.net || (navigator.onLine ? "online" : "offline");
    if (!navigator.onLine) net = "offline";
    // The server answered "signed out": that, not "unreachable", is what the cadre must fix.
    else if (state.relogin) net = "signed_out";
    var problems = state.outbox.filter(function (e) { return e.state !== "pending"; }).length;
    status.textContent = "";
    bar.className = "sv-bar is-" + net;
    status.appendChild(h("span.sv-net." + net, { id: "sv-net", "data-net": net },
                         [h("i.sv-dot"), state.syncing && net === "online" ? S.syncing : S["net_" + net]]));
    status.appendChild(h("a.sv-pending" + (state.outbox.length ? ".has" : ""), { href: "#/outbox", id: "sv-pending" },
                         [S.pending + " ", h("b", { id: "sv-pending-count", text: state.loaded ? String(state.outbox.length) : "…" }),
                          problems ? h("span.sv-flag.bad", { text: fmt(S.problems_n, { n: problems }) }) : null]));
    notes.textContent = "";
    if (state.relogin) {
      notes.appendChild(h("p.flash.error", { id: "sv-relogin" },
                          [S.relogin + " ", h("a", { href: SV.urls.login, text: S.relogin_link })]));
    }
    if (state.problem) notes.appendChild(h("p.flash.error", { text: S[state.problem] }));
    if (state.flash) notes.appendChild(h("p.flash", { role: "status", text: state.flash }));
    // What the server noticed (a person linked, not entered twice) stays until it is tapped.
    state.notices.forEach(function (n, i) {
      notes.appendChild(h("p.flash.sv-notice", { role: "status", title: S.dismiss, text: n + " ✕",
                                                 onclick: function () { state.notices.splice(i, 1); renderBar(); } }));
    });
    if (state.persistRefused && !noted()) notes.appendChild(persistNote());
  }

  // ---- the storage warning: once, with what the cadre can do about it -----------------------

  var installPrompt = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    installPrompt = event;
    if (bar) renderBar();
  });
  function noted() {
    try { return localStorage.getItem("sv-persist-noted") === "1"; } catch (e) { return false; }
  }
  function persistNote() {
    var acts = h("div.sv-row-actions");
    // An app on the home screen is what Chrome lets keep its data for good.
    if (installPrompt) {
      acts.appendChild(ui.button(S.install, function () {
        installPrompt.prompt();
        installPrompt = null;
      }, ".primary", { id: "sv-install" }));
    }
    acts.appendChild(ui.button(S.persist_retry, function () {
      navigator.storage.persist().then(function (granted) {
        state.persistRefused = !granted;
        ui.flash(granted ? S.persist_granted : S.persist_still);
      });
    }, "", { id: "sv-persist-retry" }));
    acts.appendChild(ui.button(S.persist_noted, function () {
      try { localStorage.setItem("sv-persist-noted", "1"); } catch (e) { /* private mode */ }
      renderBar();
    }, "", { id: "sv-persist-ok" }));
    return h("section.card.sv-note", { id: "sv-persist" }, [h("p", { text: S.persist_refused }), acts]);
  }
  ui.renderBar = renderBar;

  ui.flash = function (text) {
    state.flash = text;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(function () { state.flash = ""; renderBar(); }, 4000);
    renderBar();
  };

  ui.go = function (hash, replace) {
    if (replace) location.replace(hash);
    else location.hash = hash;
  };

  ui.button = function (text, onclick, cls, attrs) {
    return h("button" + (cls || ""), Object.assign({ type: "button", text: text, onclick: onclick }, attrs || {}));
  };
  ui.link = function (text, href, cls, attrs) {
    return h("a.button" + (cls || ""), Object.assign({ href: href, text: text }, attrs || {}));
  };
  // The way back sits in the bottom bar, under the thumb (app.js puts it there).
  ui.back = function (href, text) { return h("p.crumbs.sv-back", {}, [h("a", { href: href, text: "‹ " + text })]); };
  ui.badge = function (status) { return h("span.sv-badge.st-" + status, { text: SV.label("status", status) }); };
  ui.card = function (title, kids, cls) { return h("section.card" + (cls || ""), {}, [title ? h("h2", { text: title }) : null].concat(kids)); };
  ui.notFound = function () {
    return { back: ui.back("#/", S.households), body: [h("p.card", { text: S.not_found })] };
  };

  // ---- helpers on the local copy ------------------------------------------------------------

  ui.ageOn = function (birth) {
    if (!birth) return "";
    var b = birth.split("-").map(Number), t = SV.today.split("-").map(Number);
    return t[0] - b[0] - (t[1] * 100 + t[2] < b[1] * 100 + b[2] ? 1 : 0);
  };
  ui.editable = function (hh) {
    return !hh || (hh.editable !== false && !!(state.roster && state.roster.round));
  };
  ui.heads = function (hh) { return hh.members.filter(function (m) { return m.relation === "head"; }); };
  // Why the household cannot be submitted now ("" when it can): the server's own rules, and
  // a change of the household that the server refused and that is neither fixed nor discarded.
  ui.submitBlock = function (hh) {
    if (!hh.editable || !OPEN[hh.status]) return S.not_submittable;
    if (hh.problems) return S.submit_wait_problems;
    if (!hh.members.length) return S.no_members;
    var n = ui.heads(hh).length;
    return n === 1 ? "" : fmt(S.need_one_head, { n: n });
  };
  ui.canSubmit = function (hh) { return !ui.submitBlock(hh); };
  ui.reasons = function (hh, memberRef) {
    if (!hh || hh.status !== "returned") return null;
    var list = (hh.returns || []).filter(function (r) { return memberRef === undefined ? !r.member_ref : r.member_ref === memberRef; });
    if (!list.length) return null;
    return h("section.card.sv-returned", {}, [h("h2", { text: S.returned_reasons })].concat(
      list.map(function (r) { return h("p", { text: r.reason }); })));
  };
  ui.dateRange = function (a, b) { return (a || "?") + " ~ " + (b || S.ongoing); };

  // A form over rules, checked as the cadre types: errors show once a field has been left,
  // and go away as soon as the value is right.
  ui.makeForm = function (rules, nodes, save, canEdit, extra) {
    var touched = {};
    var form = h("form.card.sv-form", { novalidate: true },
                 [h("fieldset.sv-fs", { disabled: !canEdit }, nodes),
                  canEdit ? h("button.primary", { type: "submit", text: S.save }) : null]);
    function errors() {
      var values = SV.values(form), e = SV.check(rules, values);
      return extra ? Object.assign(e, extra(values, e)) : e;
    }
    function update(event) {
      if (event.type === "change" && event.target.name) touched[event.target.name] = true;
      ui.dirty = true;
      SV.showErrors(form, errors(), touched);
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("focusin", function () { ui.dirty = true; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var e = errors();
      SV.showErrors(form, e, true);
      var bad = form.querySelector("[aria-invalid]");
      if (bad) { bad.focus(); return; }
      form.keep();
      save(SV.values(form));
    });
    form.recheck = function () { SV.showErrors(form, errors(), touched); };
    // What the form held when it was drawn or last saved: anything else is unsaved input.
    form.keep = function () { form.kept = JSON.stringify(SV.values(form)); };
    form.keep();
    return form;
  };

  // Input typed into a form of the screen and not saved.
  ui.unsaved = function () {
    return Array.prototype.some.call(document.querySelectorAll("form.sv-form"), function (form) {
      var fs = form.querySelector("fieldset");
      return !(fs && fs.disabled) && form.kept !== JSON.stringify(SV.values(form));
    });
  };
  // The cadre chose to leave it.
  ui.forget = function () {
    Array.prototype.forEach.call(document.querySelectorAll("form.sv-form"), function (form) { form.keep(); });
  };

  ui.nullIfEmpty = function (v) { return SV.empty(v) ? null : v; };
  ui.numberOrNull = function (v) { return SV.empty(v) ? null : Number(v); };
})(window.SV);
