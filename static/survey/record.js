/* Survey app, the screen of a member's small record (#/h/<ref>/m/<ref>/<kind>/<ref>, "new"
   for a new one): one form over the kind's fields, saved or removed through the outbox. The
   kinds register themselves in SV.records (spell.js, training.js):
   { list: the member's list, fields: [...], describe(record) -> [title, detail],
     extend(nodes, values, filled) -> { data(data), bind(form) } (optional) }. */
(function (SV) {
  "use strict";
  var S = SV.S, h = SV.h, state = SV.state, find = SV.find, fmt = SV.fmt, ui = SV.ui;
  SV.records = {};

  SV.forms.record = function (kind, rec, canEdit, onData, initial) {
    var spec = SV.records[kind], rules = SV.rulesOf([kind]), v = initial || rec || {};
    var nodes = spec.fields.map(function (f) { return SV.field(rules, f, v[f]); });
    var more = spec.extend ? spec.extend(nodes, v, !!(rec || initial)) : {};
    var form = ui.makeForm(rules, nodes, function (values) {
      var data = {};
      spec.fields.forEach(function (f) { data[f] = ui.nullIfEmpty(values[f]); });
      if (more.data) more.data(data);
      onData(data);
    }, canEdit);
    if (more.bind) more.bind(form);
    return form;
  };

  SV.views.record = function (kind, hRef, mRef, ref) {
    var hh = find(state.view, hRef), m = hh && find(hh.members, mRef), isNew = ref === "new";
    var list = m && m[SV.records[kind].list], rec = list && !isNew ? find(list, ref) : null;
    if (!m || (!isNew && !rec)) return ui.notFound();
    var canEdit = ui.editable(hh), up = "#/h/" + hRef + "/m/" + mRef;
    var form = SV.forms.record(kind, rec, canEdit, function (data) {
      data.member_ref = mRef;
      SV.enqueue([[kind + ".save", hRef, isNew ? SV.uuid() : ref, data]]).then(function () {
        ui.flash(S.saved);
        ui.dirty = false;
        ui.go(up, true);
      });
    });
    var body = [h("h1", { text: S[(isNew ? "new_" : "") + kind] }),
                !canEdit ? h("p.sv-note", { text: S.read_only }) : null,
                SV.records[kind].hint ? h("p.sv-hint", { id: "sv-hint", text: SV.records[kind].hint }) : null, form];
    if (rec && canEdit) {
      body.push(h("p", {}, [ui.button(S.remove, function () {
        if (!confirm(fmt(S.remove_confirm, { what: S[kind] }))) return;
        SV.enqueue([[kind + ".remove", hRef, ref, { member_ref: mRef }]]).then(function () { ui.flash(S.removed); ui.go(up, true); });
      }, ".danger.sv-wide")]));
    }
    return { back: ui.back(up, m.name), body: body };
  };
})(window.SV);
