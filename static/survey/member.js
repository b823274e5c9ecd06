/* Survey app, the member screen (#/h/<ref>/m/<ref>, "new" for a new one): the ID number
   checked as it is typed and looked up in the shared records (信息共享), the person's fields,
   and the lists of the member's spells and trainings. */
(function (SV) {
  "use strict";
  var S = SV.S, h = SV.h, state = SV.state, find = SV.find, fmt = SV.fmt, ui = SV.ui;

  function idBlock(rules, onPerson) {
    var out = h("p.idcheck", { id: "sv-idcheck", "aria-live": "polite" }), shared = h("div.sv-shared", { id: "sv-shared" });
    var asked = "";
    function update(input) {
      var v = input.value.trim().toUpperCase();
      shared.textContent = "";
      onPerson(null);
      if (v.length < 18) { out.textContent = ""; out.className = "idcheck"; return; }
      var e = SV.check(rules, { id_number: v }).id_number, info = SV.idInfo(v);
      out.className = e ? "idcheck error" : "idcheck ok";
      out.textContent = e || [SV.show("sex", info.sex), info.birth, info.age + S.age_suffix].join(" · ");
      if (!e) lookUp(v);
    }
    // 信息共享: where the person already appears, asked only when online.
    function lookUp(v) {
      asked = v;
      if (!navigator.onLine) { shared.textContent = S.shared_offline; return; }
      shared.textContent = S.shared_looking;
      SV.api(SV.urls.person + "?id_number=" + encodeURIComponent(v)).then(function (res) {
        if (asked !== v) return;
        var b = res.body;
        shared.textContent = "";
        // The name comes back (masked) only for a person kept in this village's records.
        shared.appendChild(h("p", { text: !b.known ? S.shared_unknown : b.name_masked ? fmt(S.shared_known, { name: b.name_masked }) : S.shared_known_only }));
        (b.where || []).forEach(function (w) { shared.appendChild(h("p.small", { text: "· " + w })); });
        if (b.known) shared.appendChild(h("p" + (b.linkable ? ".sv-ok" : ".error"), { text: b.linkable ? S.shared_linkable : S.shared_not_linkable }));
        onPerson(b);
      }, function () {
        if (asked === v) shared.textContent = S.shared_failed;
      });
    }
    return { out: out, shared: shared, update: update };
  }

  SV.forms.member = function (hh, m, canEdit, onData, initial) {
    var rules = SV.rulesOf(["person", "member"]), v = initial || m || {}, isNew = !m, person = null, form;
    var nodes = [], id;
    if (isNew) {
      id = idBlock(rules, function (p) { person = p; });
      nodes.push(SV.field(rules, "id_number", v.id_number, { after: id.out }), id.shared);
    } else {
      nodes.push(h("div.sv-id", {}, [h("span.small", { text: SV.name("id_number") }),
                                     h("p", { text: m.id_masked }), h("p.small", { text: [SV.show("sex", m.sex), m.birth_date, ui.ageOn(m.birth_date) + S.age_suffix].join(" · ") })]));
    }
    nodes.push(SV.field(rules, "name", v.name), SV.field(rules, "hukou", v.hukou),
               SV.field(rules, "phone", initial ? v.phone : null,
                        { placeholder: m && m.phone_masked ? (canEdit ? fmt(S.phone_keep, { masked: m.phone_masked }) : m.phone_masked) : null }),
               SV.field(rules, "relation", v.relation), SV.field(rules, "labour_capacity", v.labour_capacity));
    form = ui.makeForm(rules, nodes, function (values) {
      var data = { name: values.name, hukou: ui.nullIfEmpty(values.hukou), relation: values.relation,
                   labour_capacity: values.labour_capacity };
      if (isNew) data.id_number = values.id_number.toUpperCase();
      // The phone of a member already on the server is known only masked: empty keeps it.
      if (!SV.empty(values.phone) || !m || !m.phone_masked) data.phone = ui.nullIfEmpty(values.phone);
      onData(data);
    }, canEdit, function (values) {
      var out = person && person.known && !person.linkable ? { id_number: S.shared_not_linkable } : {};
      // One head per household, as the server will say.
      var head = values.relation === "head" && hh && ui.heads(hh).filter(function (x) { return !m || x.ref !== m.ref; })[0];
      if (head) out.relation = fmt(S.one_head, { name: head.name });
      return out;
    });
    if (id) {
      form.elements.id_number.addEventListener("input", function (e) { id.update(e.target); });
      if (v.id_number) id.update(form.elements.id_number);
    }
    return form;
  };

  // The member's spells or trainings (SV.records, see record.js), with the add link.
  function subList(kind, m, base, canEdit) {
    var spec = SV.records[kind], items = m[spec.list], href = base + "/" + kind + "/";
    return ui.card(S[spec.list], [items.length ? h("ul.rows", {}, items.map(function (x) {
      var d = spec.describe(x);
      return h("li", {}, [h("a", { href: href + x.ref }, [h("span.name", { text: d[0] }), h("span.small", { text: d[1] })])]);
    })) : h("p.small", { text: S.none }), (canEdit && ui.link(S["add_" + kind], href + "new", ".sv-wide")) || null]);
  }

  SV.views.member = function (hRef, mRef) {
    var hh = find(state.view, hRef), isNew = mRef === "new", m = hh && !isNew ? find(hh.members, mRef) : null;
    if (!hh || (!isNew && !m)) return ui.notFound();
    var canEdit = ui.editable(hh), base = "#/h/" + hRef + "/m/" + mRef;
    var form = SV.forms.member(hh, m, canEdit, function (data) {
      var target = isNew ? SV.uuid() : mRef;
      SV.enqueue([["member.save", hRef, target, data]]).then(function () {
        ui.flash(S.saved);
        ui.dirty = false;
        // A new member stays open, for the spells and trainings that come next.
        if (isNew) ui.go("#/h/" + hRef + "/m/" + target, true); else ui.go("#/h/" + hRef);
      });
    });
    var body = [h("h1", { text: isNew ? S.new_member : m.name }), ui.reasons(hh, isNew ? "-" : mRef),
                !canEdit ? h("p.sv-note", { text: S.read_only }) : null];
    if (m && m.registered_elsewhere && m.registered_elsewhere.length) {
      body.push(ui.card(S.shared_title, m.registered_elsewhere.map(function (w) { return h("p.small", { text: w }); })));
    }
    body.push(form);
    if (m) {
      body.push(subList("spell", m, base, canEdit), subList("training", m, base, canEdit));
      if (canEdit) {
        body.push(h("p", {}, [ui.button(S.remove_member, function () {
          // The member's spells and trainings go with them (the server removes them too).
          var ask = m.spells.length || m.trainings.length
            ? fmt(S.remove_member_records, { what: m.name, spells: m.spells.length, trainings: m.trainings.length })
            : fmt(S.remove_confirm, { what: m.name });
          if (!confirm(ask)) return;
          SV.enqueue([["member.remove", hRef, mRef, {}]]).then(function () { ui.flash(S.removed); ui.go("#/h/" + hRef, true); });
        }, ".danger.sv-wide")]));
      }
    }
    return { back: ui.back("#/h/" + hRef, hh.code || S.code_pending), body: body };
  };
})(window.SV);
