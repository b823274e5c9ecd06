/* Survey app, part 3 of 3: the screens and the start-up. Hash routes (docs/survey-sync.md):
   #/ households, #/h/<ref>, #/h/<ref>/m/<ref>, …/spell/<ref>, …/training/<ref> ("new" for a
   new record), #/outbox, and #/fix/<seq> to correct a change the server rejected. */
(function (SV) {
  "use strict";
  var S = SV.S, h = SV.h, state = SV.state, find = SV.find, fmt = SV.fmt;
  var view, bar, notes, actionBar, current = {}, dirty = false, flashTimer;
  var OPEN = { entered: 1, returned: 1 };

  // ---- frame: status bar, notes, bottom actions ---------------------------------------------

  function renderBar() {
    var net = state.net || (navigator.onLine ? "online" : "offline");
    if (!navigator.onLine) net = "offline";
    var problems = state.outbox.filter(function (e) { return e.state !== "pending"; }).length;
    bar.textContent = "";
    bar.className = "sv-bar is-" + net;
    bar.appendChild(h("span.sv-net." + net, { id: "sv-net", "data-net": net },
                      [h("i.sv-dot"), state.syncing && net === "online" ? S.syncing : S["net_" + net]]));
    bar.appendChild(h("a.sv-pending" + (state.outbox.length ? ".has" : ""), { href: "#/outbox", id: "sv-pending" },
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
    if (state.persistRefused) notes.appendChild(h("p.sv-note", { id: "sv-persist", text: S.persist_refused }));
  }

  SV.changed = function () {
    if (!bar) return;
    renderBar();
    if (current.refresh) current.refresh();
    else if (!dirty) renderView();
  };

  function flash(text) {
    state.flash = text;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(function () { state.flash = ""; renderBar(); }, 4000);
    renderBar();
  }

  function go(hash, replace) {
    if (replace) location.replace(hash);
    else location.hash = hash;
  }

  function button(text, onclick, cls, attrs) {
    return h("button" + (cls || ""), Object.assign({ type: "button", text: text, onclick: onclick }, attrs || {}));
  }
  function link(text, href, cls) { return h("a.button" + (cls || ""), { href: href, text: text }); }
  function back(href, text) { return h("p.crumbs", {}, [h("a", { href: href, text: "‹ " + text })]); }
  function badge(status) { return h("span.sv-badge.st-" + status, { text: SV.label("status", status) }); }
  function card(title, kids, cls) { return h("section.card" + (cls || ""), {}, [title ? h("h2", { text: title }) : null].concat(kids)); }

  // ---- helpers on the local copy ------------------------------------------------------------

  function headOf(hh) {
    var head = hh.members.filter(function (m) { return m.relation === "head"; })[0] || hh.members[0];
    return head ? head.name : S.no_members;
  }
  function ageOn(birth) {
    if (!birth) return "";
    var b = birth.split("-").map(Number), t = SV.today.split("-").map(Number);
    return t[0] - b[0] - (t[1] * 100 + t[2] < b[1] * 100 + b[2] ? 1 : 0);
  }
  function personLine(m) {
    return [SV.show("relation", m.relation), SV.show("sex", m.sex),
            m.birth_date ? ageOn(m.birth_date) + S.age_suffix : "", m.id_masked].filter(Boolean).join(" · ");
  }
  function editable(hh) {
    return !hh || (hh.editable !== false && !!(state.roster && state.roster.round));
  }
  function canSubmit(hh) { return hh.editable && OPEN[hh.status] && hh.members.length > 0; }
  function reasons(hh, memberRef) {
    if (!hh || hh.status !== "returned") return null;
    var list = (hh.returns || []).filter(function (r) { return memberRef === undefined ? !r.member_ref : r.member_ref === memberRef; });
    if (!list.length) return null;
    return h("section.card.sv-returned", {}, [h("h2", { text: S.returned_reasons })].concat(
      list.map(function (r) { return h("p", { text: r.reason }); })));
  }
  function dateRange(a, b) { return (a || "?") + " ~ " + (b || S.ongoing); }

  // A form over rules, checked as the cadre types: errors show once a field has been left,
  // and go away as soon as the value is right.
  function makeForm(rules, nodes, save, canEdit, extra) {
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
      dirty = true;
      SV.showErrors(form, errors(), touched);
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("focusin", function () { dirty = true; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var e = errors();
      SV.showErrors(form, e, true);
      var bad = form.querySelector("[aria-invalid]");
      if (bad) { bad.focus(); return; }
      save(SV.values(form));
    });
    form.recheck = function () { SV.showErrors(form, errors(), touched); };
    return form;
  }

  function nullIfEmpty(v) { return SV.empty(v) ? null : v; }
  function numberOrNull(v) { return SV.empty(v) ? null : Number(v); }

  // ---- household list ---------------------------------------------------------------------

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
      h("span.sv-row", {}, [h("span.name", { text: headOf(hh) }), badge(hh.status)]),
      h("span.small", { text: [hh.address || S.no_address, hh.code || S.code_pending,
                               fmt(S.members_n, { n: hh.members.length })].join(" · ") }),
      hh.pending || hh.problems ? h("span", {}, [
        hh.pending ? h("span.sv-flag", { text: S.unsent }) : null,
        hh.problems ? h("span.sv-flag.bad", { text: S.has_problem }) : null]) : null
    ])]);
  }

  function listView() {
    var roster = state.roster, q = state.q || "";
    if (!roster) {
      return { body: [h("p.card", { text: state.syncing || !state.user && navigator.onLine ? S.loading : S.need_network })] };
    }
    var count = h("p.small"), rows = h("ul.rows.sv-list", { id: "sv-households" }), submitAll;
    var search = h("input", { type: "search", placeholder: S.search, value: q, "aria-label": S.search,
                              oninput: function () { state.q = search.value.trim(); fill(); } });
    function open() { return state.view.filter(function (hh) { return canSubmit(hh); }); }
    function fill() {
      var items = state.view.filter(function (hh) { return matches(hh, state.q || ""); });
      items.sort(function (a, b) { return (a.code ? 1 : 0) - (b.code ? 1 : 0); });
      rows.textContent = "";
      items.forEach(function (hh) { rows.appendChild(householdRow(hh)); });
      count.textContent = fmt(S.households_n, { n: items.length, all: state.view.length });
      var n = open().length;
      submitAll.textContent = S.submit_all + (n ? " (" + n + ")" : "");
      submitAll.disabled = !n;
    }
    submitAll = button(S.submit_all, function () {
      var list = open();
      if (!list.length || !confirm(fmt(S.submit_all_confirm, { n: list.length }))) return;
      SV.enqueue(list.map(function (hh) { return ["household.submit", hh.ref, hh.ref, {}]; }))
        .then(function () { flash(fmt(S.submitted_n, { n: list.length })); });
    }, "", { id: "sv-submit-all" });
    var addNew = link(S.new_household, "#/h/new", ".primary");
    if (!roster.round) addNew = null;
    var head = h("div", {}, [
      h("h1", { text: (roster.village ? roster.village.name + " · " : "") + (roster.round ? roster.round.label : S.no_round) }),
      h("div.search", {}, [search]), count, rows]);
    return { body: [head], actions: [addNew, submitAll], refresh: fill, after: fill };
  }

  // ---- household page ---------------------------------------------------------------------

  function householdForm(hh, canEdit, onData, initial) {
    var rules = SV.rulesOf(["household"]), v = initial || hh || {};
    var loc = { accuracy: v.accuracy === undefined ? null : v.accuracy, source: v.location_source || null };
    var accText = h("p.small", { id: "sv-accuracy" });
    function showAcc() {
      accText.textContent = loc.source === "gps" && loc.accuracy !== null ? fmt(S.accuracy_m, { n: Math.round(loc.accuracy) })
        : loc.source === "typed" ? S.location_typed : "";
    }
    showAcc();
    var locate = button(S.locate, function () {
      if (!navigator.geolocation) { accText.textContent = S.locate_unavailable; return; }
      locate.disabled = true;
      accText.textContent = S.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        locate.disabled = false;
        form.elements.longitude.value = pos.coords.longitude.toFixed(6);
        form.elements.latitude.value = pos.coords.latitude.toFixed(6);
        loc = { accuracy: Math.round(pos.coords.accuracy), source: "gps" };
        showAcc();
        dirty = true;
        form.recheck();
      }, function (err) {
        locate.disabled = false;
        accText.textContent = fmt(S.locate_failed, { msg: err.message || err.code });
      }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 60000 });
    }, ".sv-wide", { id: "sv-locate" });
    var form = makeForm(rules, [
      SV.field(rules, "address", v.address),
      h("div.sv-pair", {}, [SV.field(rules, "longitude", v.longitude), SV.field(rules, "latitude", v.latitude)]),
      canEdit ? locate : null, accText
    ], function (values) {
      var typed = !SV.empty(values.longitude);
      onData({ address: nullIfEmpty(values.address), longitude: numberOrNull(values.longitude),
               latitude: numberOrNull(values.latitude), accuracy: typed && loc.source === "gps" ? loc.accuracy : null,
               location_source: typed ? loc.source || "typed" : null });
    }, canEdit);
    ["longitude", "latitude"].forEach(function (f) {
      form.elements[f].addEventListener("input", function () { loc = { accuracy: null, source: "typed" }; showAcc(); });
    });
    return form;
  }

  function householdView(ref) {
    var isNew = ref === "new", hh = isNew ? null : find(state.view, ref);
    if (!isNew && !hh) return notFound();
    var canEdit = editable(hh);
    var form = householdForm(hh, canEdit, function (data) {
      var target = isNew ? SV.uuid() : ref;
      SV.enqueue([["household.save", target, target, data]]).then(function () {
        flash(S.saved);
        dirty = false;
        if (isNew) go("#/h/" + target, true); else renderView();
      });
    });
    var body = [back("#/", S.households),
                h("h1", {}, [isNew ? S.new_household : hh.code || S.code_pending, " ", hh ? badge(hh.status) : null]),
                reasons(hh), !canEdit ? h("p.sv-note", { text: S.read_only }) : null];
    var acts = [];
    if (!isNew) {
      var members = h("ul.rows", { id: "sv-members" }, hh.members.map(function (m) {
        var flagged = hh.status === "returned" && (hh.returns || []).some(function (r) { return r.member_ref === m.ref; });
        return h("li", {}, [h("a", { href: "#/h/" + ref + "/m/" + m.ref }, [
          h("span.sv-row", {}, [h("span.name", { text: m.name }), m.version === null ? h("span.sv-flag", { text: S.unsent }) : null,
                                flagged ? h("span.sv-flag.bad", { text: S.returned_flag }) : null]),
          h("span.small", { text: personLine(m) })])]);
      }));
      body.push(card(fmt(S.members_title, { n: hh.members.length }),
                     [hh.members.length ? members : h("p.small", { text: S.no_members })], ".sv-members"));
      if (canEdit) acts.push(link(S.add_member, "#/h/" + ref + "/m/new", ".primary"));
      if (canSubmit(hh)) {
        acts.push(button(S.submit, function () {
          if (confirm(S.submit_confirm)) {
            SV.enqueue([["household.submit", ref, ref, {}]]).then(function () { flash(S.submitted); });
          }
        }, "", { id: "sv-submit" }));
      }
    }
    body.push(form);
    return { body: body, actions: acts };
  }

  // ---- member page ------------------------------------------------------------------------

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

  function memberForm(hh, m, canEdit, onData, initial) {
    var rules = SV.rulesOf(["person", "member"]), v = initial || m || {}, isNew = !m, person = null, form;
    var nodes = [], id;
    if (isNew) {
      id = idBlock(rules, function (p) { person = p; });
      nodes.push(SV.field(rules, "id_number", v.id_number, { after: id.out }), id.shared);
    } else {
      nodes.push(h("div.sv-id", {}, [h("span.small", { text: SV.name("id_number") }),
                                     h("p", { text: m.id_masked }), h("p.small", { text: [SV.show("sex", m.sex), m.birth_date, ageOn(m.birth_date) + S.age_suffix].join(" · ") })]));
    }
    nodes.push(SV.field(rules, "name", v.name), SV.field(rules, "hukou", v.hukou),
               SV.field(rules, "phone", initial ? v.phone : null,
                        { placeholder: m && m.phone_masked ? (canEdit ? fmt(S.phone_keep, { masked: m.phone_masked }) : m.phone_masked) : null }),
               SV.field(rules, "relation", v.relation), SV.field(rules, "labour_capacity", v.labour_capacity));
    form = makeForm(rules, nodes, function (values) {
      var data = { name: values.name, hukou: nullIfEmpty(values.hukou), relation: values.relation,
                   labour_capacity: values.labour_capacity };
      if (isNew) data.id_number = values.id_number.toUpperCase();
      // The phone of a member already on the server is known only masked: empty keeps it.
      if (!SV.empty(values.phone) || !m || !m.phone_masked) data.phone = nullIfEmpty(values.phone);
      onData(data);
    }, canEdit, function () {
      return person && person.known && !person.linkable ? { id_number: S.shared_not_linkable } : {};
    });
    if (id) {
      form.elements.id_number.addEventListener("input", function (e) { id.update(e.target); });
      if (v.id_number) id.update(form.elements.id_number);
    }
    return form;
  }

  function memberView(hRef, mRef) {
    var hh = find(state.view, hRef), isNew = mRef === "new", m = hh && !isNew ? find(hh.members, mRef) : null;
    if (!hh || (!isNew && !m)) return notFound();
    var canEdit = editable(hh), base = "#/h/" + hRef + "/m/" + mRef;
    var form = memberForm(hh, m, canEdit, function (data) {
      var target = isNew ? SV.uuid() : mRef;
      SV.enqueue([["member.save", hRef, target, data]]).then(function () {
        flash(S.saved);
        dirty = false;
        // A new member stays open, for the spells and trainings that come next.
        if (isNew) go("#/h/" + hRef + "/m/" + target, true); else go("#/h/" + hRef);
      });
    });
    var body = [back("#/h/" + hRef, hh.code || S.code_pending),
                h("h1", { text: isNew ? S.new_member : m.name }), reasons(hh, isNew ? "-" : mRef),
                !canEdit ? h("p.sv-note", { text: S.read_only }) : null];
    if (m && m.registered_elsewhere && m.registered_elsewhere.length) {
      body.push(card(S.shared_title, m.registered_elsewhere.map(function (w) { return h("p.small", { text: w }); })));
    }
    body.push(form);
    if (m) {
      body.push(subList(S.spells, m.spells, base + "/spell/", function (s) {
        return [SV.show("kind", s.kind), dateRange(s.start_date, s.end_date)];
      }, canEdit && link(S.add_spell, base + "/spell/new", ".sv-wide")));
      body.push(subList(S.trainings, m.trainings, base + "/training/", function (t) {
        return [t.course, dateRange(t.start_date, t.end_date)];
      }, canEdit && link(S.add_training, base + "/training/new", ".sv-wide")));
      if (canEdit) {
        body.push(h("p", {}, [button(S.remove_member, function () {
          if (!confirm(fmt(S.remove_confirm, { what: m.name }))) return;
          SV.enqueue([["member.remove", hRef, mRef, {}]]).then(function () { flash(S.removed); go("#/h/" + hRef, true); });
        }, ".danger.sv-wide")]));
      }
    }
    return { body: body };
  }

  function subList(title, items, href, describe, add) {
    return card(title, [items.length ? h("ul.rows", {}, items.map(function (x) {
      var d = describe(x);
      return h("li", {}, [h("a", { href: href + x.ref }, [h("span.name", { text: d[0] }), h("span.small", { text: d[1] })])]);
    })) : h("p.small", { text: S.none }), add || null]);
  }

  // ---- spells and trainings ---------------------------------------------------------------

  var SPELL = ["kind", "start_date", "end_date", "destination", "industry", "stable_workplace", "stable_income"];
  var TRAINING = ["course", "institution", "institution_certified", "funding", "start_date", "end_date", "completed"];

  function recordForm(kind, rec, canEdit, onData, initial) {
    var rules = SV.rulesOf([kind]), v = initial || rec || {}, fields = kind === "spell" ? SPELL : TRAINING;
    var nodes = fields.map(function (f) { return SV.field(rules, f, v[f]); }), ongoing;
    if (kind === "spell") {
      // An ongoing spell has no end date; the box says so rather than an empty field.
      ongoing = h("input", { type: "checkbox", id: "sv-ongoing", checked: !!(rec || initial) && SV.empty(v.end_date) });
      nodes.splice(3, 0, h("label.sv-check", {}, [ongoing, h("span", { text: S.ongoing })]));
    }
    var form = makeForm(rules, nodes, function (values) {
      var data = {};
      fields.forEach(function (f) { data[f] = nullIfEmpty(values[f]); });
      if (ongoing && ongoing.checked) data.end_date = null;
      if (data.industry) data.industry = data.industry.toUpperCase();
      onData(data);
    }, canEdit);
    if (ongoing) {
      var end = form.elements.end_date, sync = function () {
        end.disabled = ongoing.checked;
        if (ongoing.checked) end.value = "";
        form.recheck();
      };
      ongoing.addEventListener("change", sync);
      end.disabled = ongoing.checked;
    }
    return form;
  }

  function recordView(kind, hRef, mRef, ref) {
    var hh = find(state.view, hRef), m = hh && find(hh.members, mRef), isNew = ref === "new";
    var list = m && m[kind === "spell" ? "spells" : "trainings"], rec = list && !isNew ? find(list, ref) : null;
    if (!m || (!isNew && !rec)) return notFound();
    var canEdit = editable(hh), up = "#/h/" + hRef + "/m/" + mRef;
    var form = recordForm(kind, rec, canEdit, function (data) {
      data.member_ref = mRef;
      SV.enqueue([[kind + ".save", hRef, isNew ? SV.uuid() : ref, data]]).then(function () {
        flash(S.saved);
        dirty = false;
        go(up, true);
      });
    });
    var body = [back(up, m.name), h("h1", { text: S[(isNew ? "new_" : "") + kind] }),
                !canEdit ? h("p.sv-note", { text: S.read_only }) : null, form];
    if (rec && canEdit) {
      body.push(h("p", {}, [button(S.remove, function () {
        if (!confirm(fmt(S.remove_confirm, { what: S[kind] }))) return;
        SV.enqueue([[kind + ".remove", hRef, ref, { member_ref: mRef }]]).then(function () { flash(S.removed); go(up, true); });
      }, ".danger.sv-wide")]));
    }
    return { body: body };
  }

  // ---- outbox: pending changes and the server's objections ----------------------------------

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

  function outboxView() {
    var list = state.outbox;
    var body = [back("#/", S.households), h("h1", { text: S.outbox })];
    if (!list.length) body.push(h("p.card", { id: "sv-outbox-empty", text: S.outbox_empty }));
    list.forEach(function (e) {
      var kids = [h("p.sv-row", {}, [h("b", { text: S["op_" + e.op.replace(".", "_")] || e.op }),
                                   h("span.sv-flag" + (e.state === "pending" ? "" : ".bad"), { text: S["state_" + e.state] })]),
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
        acts.appendChild(button(S.keep_mine, function () { SV.keepMine(e.seq); }, ".primary"));
        acts.appendChild(button(S.take_server, function () { SV.discard(e.seq); }));
      } else if (e.state === "rejected") {
        if (/\.save$/.test(e.op)) acts.appendChild(link(S.fix, "#/fix/" + e.seq, ".primary"));
        acts.appendChild(button(S.resend, function () { SV.resend(e.seq); }));
        acts.appendChild(button(S.discard, function () { if (confirm(S.discard_confirm)) SV.discard(e.seq); }, ".danger"));
      }
      if (acts.childNodes.length) kids.push(acts);
      body.push(h("section.card.sv-change", { "data-state": e.state }, kids));
    });
    return { body: body };
  }

  // Correct a rejected change in its own form; saving sends it again under a new uuid.
  function fixView(seq) {
    var e = state.outbox.filter(function (x) { return x.seq === seq; })[0];
    if (!e) return notFound();
    var hh = find(state.view, e.household_ref) || (e.result && e.result.household);
    var found = hh ? SV.locate(hh, e.target_ref) : null, rec = found ? found.record : null;
    var kind = e.op.split(".")[0], initial = Object.assign({}, rec || {}, e.data), form;
    function resend(data) {
      if (e.data.member_ref) data.member_ref = e.data.member_ref;
      SV.resend(seq, data).then(function () { dirty = false; flash(S.saved); go("#/outbox", true); });
    }
    if (kind === "household") form = householdForm(rec, true, resend, initial);
    else if (kind === "member") form = memberForm(hh, e.data.id_number ? null : rec, true, resend, initial);
    else form = recordForm(kind, rec, true, resend, initial);
    var body = [back("#/outbox", S.outbox), h("h1", { text: S.fix + " · " + (S["op_" + e.op.replace(".", "_")] || e.op) }),
                h("p.error", { text: e.result ? e.result.message : "" }), form];
    setTimeout(function () {
      SV.showErrors(form, (e.result && e.result.errors) || {}, true);
    });
    return { body: body };
  }

  function notFound() {
    return { body: [back("#/", S.households), h("p.card", { text: S.not_found })] };
  }

  // ---- routing ------------------------------------------------------------------------------

  function renderView() {
    var p = location.hash.replace(/^#\/?/, "").split("/"), v;
    if (p[0] === "h" && p.length === 2) v = householdView(p[1]);
    else if (p[0] === "h" && p[2] === "m" && p.length === 4) v = memberView(p[1], p[3]);
    else if (p[0] === "h" && p[2] === "m" && (p[4] === "spell" || p[4] === "training")) v = recordView(p[4], p[1], p[3], p[5]);
    else if (p[0] === "outbox") v = outboxView();
    else if (p[0] === "fix") v = fixView(Number(p[1]));
    else v = listView();
    if (!state.roster && p[0] !== "outbox") v = listView();
    current = v;
    view.textContent = "";
    v.body.forEach(function (node) { if (node) view.appendChild(node); });
    actionBar.textContent = "";
    (v.actions || []).forEach(function (a) { if (a) actionBar.appendChild(a); });
    actionBar.hidden = !actionBar.childNodes.length;
    view.classList.toggle("sv-has-actions", !actionBar.hidden);
    if (v.after) v.after();
  }

  // ---- start ------------------------------------------------------------------------------

  function start() {
    var root = document.getElementById("sv-app");
    if (!root) return;
    root.textContent = "";
    bar = h("div.sv-bar", { id: "sv-bar" });
    notes = h("div.sv-notes");
    view = h("div.sv-view", { id: "sv-view" });
    actionBar = h("div.sv-actions", { id: "sv-actions", hidden: true });
    [bar, notes, view, actionBar].forEach(function (el) { root.appendChild(el); });
    if (!window.indexedDB) { view.appendChild(h("p.flash.error", { text: S.no_storage })); return; }
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persisted().then(function (yes) { return yes || navigator.storage.persist(); })
        .then(function (granted) { state.persistRefused = !granted; renderBar(); });
    }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(SV.urls.worker, { scope: SV.urls.scope }).catch(function () {});
    }
    SV.openDb().then(function () { return SV.meta("user"); }).then(function (user) {
      state.user = user || null;
      return SV.reload();
    }).then(function () {
      window.addEventListener("hashchange", function () {
        dirty = false;
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
