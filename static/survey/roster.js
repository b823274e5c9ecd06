/* Survey app, the roster screen (#/): the village's households, searched by name, ID digits,
   code or address, with the new-household and submit-all actions. */
(function (SV) {
  "use strict";
  var S = SV.S, h = SV.h, state = SV.state, fmt = SV.fmt, ui = SV.ui;

  function headOf(hh) {
    var head = hh.members.filter(function (m) { return m.relation === "head"; })[0] || hh.members[0];
    return head ? head.name : S.no_members;
  }

  function matches(hh, q) {
    if (!q) return true;
    var u = q.toUpperCase();
    if (/^[0-9X]{1,4}$/.test(u)) {
      return hh.members.some(function (m) { return (m.id_masked || "").slice(-u.length) === u; });
    }
    if (/^\d+$/.test(q)) return (hh.code || "").indexOf(q) >= 0;
    return (hh.address || "").indexOf(q) >= 0 ||
      hh.members.some(function (m) { return (m.name || "").indexOf(q) >= 0; });
  }

  function householdRow(hh) {
    return h("li", {}, [h("a", { href: "#/h/" + hh.ref, "data-ref": hh.ref }, [
      h("span.sv-row", {}, [h("span.name", { text: headOf(hh) }), ui.badge(hh.status)]),
      h("span.small", { text: [hh.address || S.no_address, hh.code || S.code_pending,
                               fmt(S.members_n, { n: hh.members.length })].join(" · ") }),
      hh.pending || hh.problems ? h("span", {}, [
        hh.pending ? h("span.sv-flag", { text: hh.held ? S.submit_waiting : S.unsent }) : null,
        hh.problems ? h("span.sv-flag.bad", { text: S.has_problem }) : null]) : null
    ])]);
  }

  // Returned households first (they wait on the cadre), then by code; a new household is
  // last, where its code puts it once the server has numbered it, so it keeps its place.
  var RANK = { returned: 0 };
  function order(a, b) {
    var ra = a.status in RANK ? RANK[a.status] : 1, rb = b.status in RANK ? RANK[b.status] : 1;
    if (ra !== rb) return ra - rb;
    if (!a.code !== !b.code) return a.code ? -1 : 1;
    return a.code && b.code ? (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) : 0;
  }
  var FILTERS = ["all", "not_surveyed", "returned", "entered", "submitted", "approved"];

  SV.views.roster = function () {
    var roster = state.roster, q = state.q || "";
    if (!roster) {
      return { body: [h("p.card", { text: state.syncing || !state.user && navigator.onLine ? S.loading : S.need_network })] };
    }
    var drawnFor = title(roster);
    var count = h("p.small"), rows = h("ul.rows.sv-list", { id: "sv-households" }), submitAll;
    var progress = h("div.sv-progress", { id: "sv-progress" }), chips = h("div.sv-filters", { id: "sv-filters", role: "group" });
    var search = h("input", { type: "search", placeholder: S.search, value: q, "aria-label": S.search,
                              oninput: function () { state.q = search.value.trim(); fill(); } });
    function open() { return state.view.filter(function (hh) { return ui.canSubmit(hh); }); }
    function fill() {
      var by = {}, filter = state.filter || "all";
      FILTERS.forEach(function (f) { by[f] = 0; });
      state.view.forEach(function (hh) { by[hh.status] = (by[hh.status] || 0) + 1; });
      by.all = state.view.length;
      var done = by.all - by.not_surveyed;
      progress.textContent = "";
      progress.appendChild(h("p", {}, [fmt(S.progress, { done: done, all: by.all }), " · ",
                                       fmt(S.progress_sent, { n: by.submitted + by.approved })]));
      progress.appendChild(h("div.sv-meter", { "aria-hidden": "true" },
                             [h("i", { style: "width:" + (by.all ? Math.round(done * 100 / by.all) : 0) + "%" })]));
      chips.textContent = "";
      FILTERS.forEach(function (f) {
        chips.appendChild(h("button.sv-chip", { type: "button", "data-filter": f, "aria-pressed": f === filter ? "true" : "false",
                                                text: (f === "all" ? S.all : SV.label("status", f)) + " " + by[f],
                                                onclick: function () { state.filter = f; fill(); } }));
      });
      var items = state.view.filter(function (hh) {
        return (filter === "all" || hh.status === filter) && matches(hh, state.q || "");
      });
      items.sort(order);
      rows.textContent = "";
      items.forEach(function (hh) { rows.appendChild(householdRow(hh)); });
      count.textContent = fmt(S.households_n, { n: items.length, all: state.view.length });
      var n = open().length;
      submitAll.textContent = S.submit_all + (n ? " (" + n + ")" : "");
      submitAll.disabled = !n;
    }
    submitAll = ui.button(S.submit_all, function () {
      var list = open();
      if (!list.length || !confirm(fmt(S.submit_all_confirm, { n: list.length }))) return;
      SV.enqueue(list.map(function (hh) { return ["household.submit", hh.ref, hh.ref, {}]; }))
        .then(function () { ui.flash(fmt(S.submitted_n, { n: list.length })); });
    }, "", { id: "sv-submit-all" });
    var addNew = ui.link(S.new_household, "#/h/new", ".primary");
    if (!roster.round) addNew = null;
    var head = h("div", {}, [
      h("h1.sv-title", { id: "sv-title", text: drawnFor }), progress, chips,
      h("div.search", {}, [search]), count, rows]);
    return { body: [head], actions: [addNew, submitAll], refresh: fill, after: fill,
             stale: function () { return !state.roster || title(state.roster) !== drawnFor; } };
  };

  function title(roster) {
    return (roster.village ? roster.village.name + " · " : "") + (roster.round ? roster.round.label : S.no_round);
  }
})(window.SV);
