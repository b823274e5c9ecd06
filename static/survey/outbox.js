/* Survey app, the outbox screen (#/outbox): the changes waiting to be sent and the server's
   objections, a conflict shown side by side with the server's copy; and #/fix/<seq>, which
   corrects a rejected change in its own form and sends it again under a new uuid. */
(function (SV) {
  "use strict";
  var S = SV.S, h = SV.h, state = SV.state, find = SV.find, ui = SV.ui;

  function target(e) {
    var hh = find(state.view, e.household_ref) || (e.result && e.result.household) || {};
    var found = SV.locate(hh, e.target_ref), m = found && found.member;
    var name = e.data.name || (found && found.record.name) || (m && m.name) || "";
    if (e.data.member_ref && !name) { var mm = find(hh.members || [], e.data.member_ref); name = mm ? mm.name : ""; }
    return [hh.code || hh.address || S.new_household, name].filter(Boolean).join(" · ");
  }

  function serverValue(rec, field) {
    if (!rec) return null;
    if (field === "phone") return rec.phone_masked;
    if (field === "id_number") return rec.id_masked;
    return rec[field];
  }

  function comparison(e) {
    var server = e.result.household, found = server ? SV.locate(server, e.target_ref) : null, rec = found && found.record;
    var rows = [];
    if (/\.save$/.test(e.op)) {
      Object.keys(e.data).forEach(function (f) {
        if (f !== "member_ref") rows.push([SV.name(f), SV.show(f, e.data[f]), SV.show(f, serverValue(rec, f))]);
      });
    } else if (e.op === "household.submit") {
      rows.push([SV.name("status"), SV.label("status", "submitted"), server ? SV.label("status", server.status) : "—"]);
    } else {
      rows.push([S.op_remove, S.removed, rec ? S.still_there : S.removed]);
    }
    return h("table.sv-cmp", {}, [h("tr", {}, [h("th"), h("th", { text: S.mine }), h("th", { text: S.server })])].concat(
      rows.map(function (r) {
        return h("tr" + (r[1] !== r[2] ? ".sv-diff" : ""), {}, [h("th", { text: r[0] }), h("td", { text: r[1] }), h("td", { text: r[2] })]);
      })));
  }

  SV.views.outbox = function () {
    var list = state.outbox, waiting = SV.held(list);
    var body = [h("h1", { text: S.outbox })];
    if (!list.length) body.push(h("p.card", { id: "sv-outbox-empty", text: S.outbox_empty }));
    list.forEach(function (e) {
      var kids = [h("p.sv-row", {}, [h("b", { text: S["op_" + e.op.replace(".", "_")] || e.op }),
                                   h("span.sv-flag" + (e.state === "pending" ? "" : ".bad"),
                                     { text: waiting[e.seq] ? S.submit_waiting : S["state_" + e.state] })]),
                  h("p.small", { text: target(e) + " · " + new Date(e.made_at).toLocaleString() })];
      if (e.result) {
        var errors = e.result.errors || {}, said = [];
        Object.keys(errors).forEach(function (f) {
          said = said.concat(errors[f]);
          kids.push(h("p.error.small", { text: SV.name(f) + ": " + [].concat(errors[f]).join("; ") }));
        });
        if (said.indexOf(e.result.message) < 0) kids.splice(2, 0, h("p.error", { text: e.result.message }));
      }
      var acts = h("div.sv-row-actions");
      if (e.state === "conflict") {
        kids.push(comparison(e));
        acts.appendChild(ui.button(S.keep_mine, function () { SV.keepMine(e.seq); }, ".primary"));
        acts.appendChild(ui.button(S.take_server, function () { SV.discard(e.seq); }));
      } else if (e.state === "rejected") {
        if (/\.save$/.test(e.op)) acts.appendChild(ui.link(S.fix, "#/fix/" + e.seq, ".primary"));
        acts.appendChild(ui.button(S.resend, function () { SV.resend(e.seq); }));
        acts.appendChild(ui.button(S.discard, function () { if (confirm(S.discard_confirm)) SV.discard(e.seq); }, ".danger"));
      }
      if (acts.childNodes.length) kids.push(acts);
      body.push(h("section.card.sv-change", { "data-state": e.state }, kids));
    });
    return { back: ui.back("#/", S.households), body: body };
  };

  // Correct a rejected change in its own form; saving sends it again under a new uuid.
  SV.views.fix = function (seq) {
    var e = state.outbox.filter(function (x) { return x.seq === seq; })[0];
    if (!e) return ui.notFound();
    var hh = find(state.view, e.household_ref) || (e.result && e.result.household);
    var found = hh ? SV.locate(hh, e.target_ref) : null, rec = found ? found.record : null;
    var kind = e.op.split(".")[0], initial = Object.assign({}, rec || {}, e.data), form;
    function resend(data) {
      if (e.data.member_ref) data.member_ref = e.data.member_ref;
      SV.resend(seq, data).then(function () { ui.dirty = false; ui.flash(S.saved); ui.go("#/outbox", true); });
    }
    if (kind === "household") form = SV.forms.household(rec, true, resend, initial);
    else if (kind === "member") form = SV.forms.member(hh, e.data.id_number ? null : rec, true, resend, initial);
    else form = SV.forms.record(kind, rec, true, resend, initial);
    var body = [h("h1", { text: S.fix + " · " + (S["op_" + e.op.replace(".", "_")] || e.op) }),
                h("p.error", { text: e.result ? e.result.message : "" }), form];
    setTimeout(function () {
      SV.showErrors(form, (e.result && e.result.errors) || {}, true);
    });
    return { back: ui.back("#/outbox", S.outbox), body: body };
  };
})(window.SV);
