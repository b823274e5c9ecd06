/* Survey app, the household screen (#/h/<ref>, "new" for a new one): the address and the
   location (typed, or from the phone), the members, and the submit action. */
(function (SV) {
  "use strict";
  var S = SV.S, h = SV.h, state = SV.state, find = SV.find, fmt = SV.fmt, ui = SV.ui;

  function personLine(m) {
    return [SV.show("relation", m.relation), SV.show("sex", m.sex),
            m.birth_date ? ui.ageOn(m.birth_date) + S.age_suffix : "", m.id_masked].filter(Boolean).join(" · ");
  }

  SV.forms.household = function (hh, canEdit, onData, initial) {
    var rules = SV.rulesOf(["household"]), v = initial || hh || {};
    var loc = { accuracy: v.accuracy === undefined ? null : v.accuracy, source: v.location_source || null };
    var accText = h("p.small", { id: "sv-accuracy" });
    function showAcc() {
      accText.textContent = loc.source === "gps" && loc.accuracy !== null ? fmt(S.accuracy_m, { n: Math.round(loc.accuracy) })
        : loc.source === "typed" ? S.location_typed : "";
    }
    showAcc();
    var locate = ui.button(S.locate, function () {
      if (!navigator.geolocation) { accText.textContent = S.locate_unavailable; return; }
      locate.disabled = true;
      accText.textContent = S.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        locate.disabled = false;
        form.elements.longitude.value = pos.coords.longitude.toFixed(6);
        form.elements.latitude.value = pos.coords.latitude.toFixed(6);
        loc = { accuracy: Math.round(pos.coords.accuracy), source: "gps" };
        showAcc();
        ui.dirty = true;
        form.recheck();
      }, function (err) {
        locate.disabled = false;
        accText.textContent = fmt(S.locate_failed, { msg: err.message || err.code });
      }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 60000 });
    }, ".sv-wide", { id: "sv-locate" });
    var form = ui.makeForm(rules, [
      SV.field(rules, "address", v.address),
      h("div.sv-pair", {}, [SV.field(rules, "longitude", v.longitude), SV.field(rules, "latitude", v.latitude)]),
      canEdit ? locate : null, accText
    ], function (values) {
      var typed = !SV.empty(values.longitude);
      onData({ address: ui.nullIfEmpty(values.address), longitude: ui.numberOrNull(values.longitude),
               latitude: ui.numberOrNull(values.latitude), accuracy: typed && loc.source === "gps" ? loc.accuracy : null,
               location_source: typed ? loc.source || "typed" : null });
    }, canEdit);
    ["longitude", "latitude"].forEach(function (f) {
      form.elements[f].addEventListener("input", function () { loc = { accuracy: null, source: "typed" }; showAcc(); });
    });
    return form;
  };

  SV.views.household = function (ref) {
    var isNew = ref === "new", hh = isNew ? null : find(state.view, ref);
    if (!isNew && !hh) return ui.notFound();
    var canEdit = ui.editable(hh);
    var form = SV.forms.household(hh, canEdit, function (data) {
      var target = isNew ? SV.uuid() : ref;
      SV.enqueue([["household.save", target, target, data]]).then(function () {
        ui.flash(S.saved);
        ui.dirty = false;
        if (isNew) ui.go("#/h/" + target, true); else SV.render();
      });
    });
    var body = [h("h1", {}, [isNew ? S.new_household : hh.code || S.code_pending, " ", hh ? ui.badge(hh.status) : null]),
                ui.reasons(hh), !canEdit ? h("p.sv-note", { text: S.read_only }) : null];
    var acts = [];
    if (!isNew) {
      var members = h("ul.rows", { id: "sv-members" }, hh.members.map(function (m) {
        var flagged = hh.status === "returned" && (hh.returns || []).some(function (r) { return r.member_ref === m.ref; });
        return h("li", {}, [h("a", { href: "#/h/" + ref + "/m/" + m.ref }, [
          h("span.sv-row", {}, [h("span.name", { text: m.name }), m.version === null ? h("span.sv-flag", { text: S.unsent }) : null,
                                flagged ? h("span.sv-flag.bad", { text: S.returned_flag }) : null]),
          h("span.small", { text: personLine(m) })])]);
      }));
      var heads = ui.heads(hh).length, block = ui.submitBlock(hh);
      body.push(ui.card(fmt(S.members_title, { n: hh.members.length }), [
        hh.members.length ? members : h("p.small", { text: S.no_members }),
        hh.members.length && heads !== 1 ? h("p.error", { id: "sv-heads", text: fmt(S.need_one_head, { n: heads }) }) : null,
        canEdit ? ui.link(S.add_member, "#/h/" + ref + "/m/new", ".sv-wide") : null], ".sv-members"));
      if (hh.held) {
        body.push(h("p.sv-note", { id: "sv-held" }, [S.submit_held + " ", h("a", { href: "#/outbox", text: S.outbox })]));
      } else if (canEdit && (hh.status === "entered" || hh.status === "returned") && block && hh.members.length) {
        body.push(h("p.sv-note", { id: "sv-submit-block" }, [block + " "].concat(
          hh.problems ? [h("a", { href: "#/outbox", text: S.outbox })] : [])));
      }
      // 本户无变化: visited, nothing to change; counts as surveyed and can then be submitted.
      if (canEdit && hh.status === "not_surveyed" && hh.members.length) {
        acts.push(ui.button(S.confirm_unchanged, function () {
          if (!confirm(S.confirm_unchanged_ask)) return;
          SV.enqueue([["household.confirm", ref, ref, {}]]).then(function () { ui.flash(S.confirmed); });
        }, ".primary", { id: "sv-confirm" }));
      }
      if (canEdit && (hh.status === "entered" || hh.status === "returned")) {
        acts.push(ui.button(S.submit, function () {
          if (confirm(S.submit_confirm)) {
            SV.enqueue([["household.submit", ref, ref, {}]]).then(function () { ui.flash(S.submitted); });
          }
        }, ".primary", { id: "sv-submit", disabled: !!block }));
      }
      if (hh.members.length) acts.push(ui.link(S.summary, "#/h/" + ref + "/summary", "", { id: "sv-summary-link" }));
    }
    body.push(form);
    return { back: ui.back("#/", S.households), body: body, actions: acts };
  };
})(window.SV);
