/* Survey app, the household's answers on one read-only page (#/h/<ref>/summary), for the
   household head to check on the cadre's phone, or printed. Numbers stay masked as the
   roster holds them. */
(function (SV) {
  "use strict";
  var S = SV.S, h = SV.h, state = SV.state, find = SV.find, ui = SV.ui;

  function table(rows) {
    return h("table.sv-sum", {}, rows.map(function (r) {
      return h("tr", {}, [h("th", { text: r[0] }), h("td", { text: r[1] })]);
    }));
  }
  function fields(rec, names) {
    return names.map(function (f) { return [SV.name(f), SV.show(f, rec[f])]; });
  }

  SV.views.summary = function (ref) {
    var hh = find(state.view, ref);
    if (!hh) return ui.notFound();
    var roster = state.roster || {}, village = roster.village ? roster.village.name : "";
    var body = [
      h("h1", { text: S.summary_title }),
      h("p.small", { text: [village, roster.round ? roster.round.label : "", hh.code || S.code_pending,
                            SV.label("status", hh.status)].filter(Boolean).join(" · ") }),
      table([[SV.name("address"), SV.show("address", hh.address)],
             [S.location, hh.longitude === null || hh.longitude === undefined ? "—" : hh.longitude + ", " + hh.latitude]])
    ];
    hh.members.forEach(function (m) {
      var kids = [table([[SV.name("id_number"), m.id_masked || "—"],
                         [S.born, [SV.show("sex", m.sex), m.birth_date, m.birth_date ? ui.ageOn(m.birth_date) + S.age_suffix : ""].filter(Boolean).join(" · ")],
                         [SV.name("phone"), m.phone_masked || "—"]].concat(
                           fields(m, ["relation", "hukou", "labour_capacity"])))];
      m.spells.forEach(function (x) {
        kids.push(h("h3", { text: S.spell + " · " + ui.dateRange(x.start_date, x.end_date) }),
                  table(fields(x, ["kind", "destination", "industry", "stable_workplace", "stable_income"])));
      });
      m.trainings.forEach(function (x) {
        kids.push(h("h3", { text: S.training + " · " + ui.dateRange(x.start_date, x.end_date) }),
                  table(fields(x, ["course", "institution", "institution_certified", "funding", "completed"])));
      });
      if (!m.spells.length && !m.trainings.length) kids.push(h("p.small", { text: S.no_records }));
      body.push(ui.card(m.name, kids, ".sv-sum-member"));
    });
    body.push(h("p.sv-sign", { text: S.summary_sign }));
    var print = ui.button(S.print, function () { window.print(); }, ".primary", { id: "sv-print" });
    return { back: ui.back("#/h/" + ref, hh.code || S.code_pending), body: body, actions: [print] };
  };
})(window.SV);
