/* Survey app, the core (loaded first; app.js lists the order): the page's configuration, DOM
   and formatting helpers, and the field rules of config.rules run as the cadre types. The
   server checks every change again with the same rules and decides; the browser's checks only
   spare the cadre a round trip. */
(function () {
  "use strict";
  var SV = window.SV = {};

  function block(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : {};
  }
  var config = block("survey-config");
  var S = SV.S = block("survey-strings");
  var labels = SV.labels = config.labels || {};
  SV.rules = config.rules || {};
  SV.today = config.today || new Date().toISOString().slice(0, 10);
  SV.urls = config.urls || {};  // session, roster, person, sync, login, worker, scope

  // Field labels: the server's (config.fields by entity, one word per field name), else ours.
  var names = {};
  Object.keys(config.fields || {}).forEach(function (entity) {
    Object.keys(config.fields[entity]).forEach(function (f) { names[f] = names[f] || config.fields[entity][f]; });
  });
  SV.name = function (field) { return names[field] || S["f_" + field] || field; };

  SV.fmt = function (text, vars) {
    return String(text).replace(/\{(\w+)\}/g, function (all, key) {
      return vars && key in vars ? vars[key] : all;
    });
  };
  SV.label = function (field, value) {
    var map = labels[field] || {};
    return Object.prototype.hasOwnProperty.call(map, value) ? map[value] : value;
  };
  SV.empty = function (v) { return v === null || v === undefined || v === ""; };
  SV.show = function (field, value) {
    if (SV.empty(value)) return "—";
    if (value === true) return S.yes;
    if (value === false) return S.no;
    return String(SV.label(field, value));
  };

  // h("tag.class", {attribute: value, onevent: fn, text: "…"}, [children]).
  SV.h = function (tag, attrs, kids) {
    var parts = tag.split("."), el = document.createElement(parts[0]);
    if (parts.length > 1) el.className = parts.slice(1).join(" ");
    Object.keys(attrs || {}).forEach(function (key) {
      var v = attrs[key];
      if (v === null || v === undefined || v === false) return;
      if (key === "text") el.textContent = v;
      else if (typeof v === "function") el.addEventListener(key.slice(2), v);
      else el.setAttribute(key, v === true ? "" : v);
    });
    (kids || []).forEach(function (kid) {
      if (kid === null || kid === undefined || kid === false) return;
      el.appendChild(typeof kid === "object" ? kid : document.createTextNode(kid));
    });
    return el;
  };
  var h = SV.h;

  // RFC 4122 version 4 from crypto.getRandomValues (crypto.randomUUID needs Chrome 92).
  SV.uuid = function () {
    var b = crypto.getRandomValues(new Uint8Array(16)), hex = "";
    b[6] = b[6] & 15 | 64;
    b[8] = b[8] & 63 | 128;
    for (var i = 0; i < 16; i++) hex += (b[i] + 256).toString(16).slice(1);
    return [hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4), hex.substr(16, 4),
            hex.substr(20)].join("-");
  };

  // GB 11643 (static/js/gb11643.js, shared with the desk), aged on the server's today.
  SV.idInfo = function (value) { return window.GB11643.parse(value, SV.today); };

  function realDate(v) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    if (!m) return false;
    var d = new Date(2000, +m[2] - 1, +m[3]);
    d.setFullYear(+m[1]);
    return d.getMonth() === +m[2] - 1 && d.getDate() === +m[3];
  }

  // A rule carries the server's messages (rule.message, rule.message_<fault>); the page's
  // strings are the fallback for a rule without them.
  function say(rule, fault, vars) {
    return rule["message" + (fault ? "_" + fault : "")] || SV.fmt(S["rule_" + (fault || rule.kind)] || S.rule_invalid, vars || rule);
  }
  var KINDS = {
    text: function (v, r) { return r.max && v.length > r.max ? say(r) : ""; },
    choice: function (v, r, f) { return choicesOf(r, f).indexOf(v) < 0 ? say(r) : ""; },
    letter: function (v, r, f) { return choicesOf(r, f).indexOf(String(v).toUpperCase()) < 0 ? say(r) : ""; },
    date: function (v, r) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return say(r);
      return realDate(v) ? "" : say(r, "real");
    },
    bool: function (v, r) { return typeof v === "boolean" ? "" : say(r); },
    id_number: function (v, r) {
      var info = SV.idInfo(v);
      return "error" in info ? say(r, info.error === "shape" ? "" : info.error) : "";
    },
    pattern: function (v, r) { return new RegExp(r.pattern).test(v) ? "" : say(r); },
    number: function (v, r) {
      if (!/^-?\d+(\.\d+)?$/.test(String(v).trim())) return say(r);
      var n = Number(v);
      return ("min" in r && n < r.min) || ("max" in r && n > r.max) ? say(r, "range") : "";
    },
    count: function (v, r) { return /^\d+$/.test(String(v)) ? "" : say(r); }
  };
  function choicesOf(rule, field) {
    return rule.choices ? Array.from(rule.choices) : Object.keys(labels[field] || {});
  }

  // The merged rules of several entities ("person" and "member" make one form).
  SV.rulesOf = function (entities) {
    var out = { $row: [] };
    entities.forEach(function (e) {
      var r = SV.rules[e] || {};
      Object.keys(r).forEach(function (k) {
        if (k === "$row") out.$row = out.$row.concat(r.$row);
        else out[k] = r[k];
      });
    });
    return out;
  };

  // {field: message} for the fields present in values; row checks last.
  SV.check = function (rules, values) {
    var errors = {};
    Object.keys(values).forEach(function (f) {
      var r = rules[f], v = values[f];
      if (!r || f === "$row") return;
      if (SV.empty(v)) {
        if (r.required) errors[f] = S.rule_required;
        return;
      }
      var test = KINDS[r.kind], msg = test ? test(v, r, f) : "";
      if (msg) errors[f] = msg;
    });
    (rules.$row || []).forEach(function (row) {
      var a = row[1], b = row[2];
      if (!(a in values) || !(b in values) || errors[a] || errors[b]) return;
      var hasA = !SV.empty(values[a]), hasB = !SV.empty(values[b]);
      if (row[0] === "ordered" && hasA && hasB && values[b] < values[a]) {
        errors[b] = row[3];
      } else if (row[0] === "both" && hasA !== hasB) {
        errors[hasA ? b : a] = row[3];
      }
    });
    return errors;
  };

  // One labelled input; its kind comes from the rule (a field without a rule is text).
  SV.field = function (rules, name, value, opts) {
    opts = opts || {};
    var r = rules[name] || { kind: opts.kind || "text" }, input, title = SV.name(name);
    var slot = h("small.error", { "data-for": name, "aria-live": "polite" });
    if (r.kind === "bool") {
      input = h("input", { type: "checkbox", name: name, checked: value === true });
      return h("label.sv-check", {}, [input, h("span", { text: title }), slot]);
    }
    if (r.kind === "choice" || r.kind === "letter") {
      input = h("select", { name: name }, [h("option", { value: "", text: S.choose })].concat(
        choicesOf(r, name).map(function (c) {
          var text = SV.label(name, c);
          return h("option", { value: c, selected: c === value,
                               text: r.kind === "letter" && text !== c ? c + " " + text : text });
        })));
    } else {
      input = h("input", {
        name: name, value: SV.empty(value) ? "" : value, autocomplete: "off",
        type: r.kind === "date" ? "date" : r.kind === "pattern" || r.kind === "phone" ? "tel" : "text",
        inputmode: /number|longitude|latitude/.test(r.kind) ? "decimal" : null,
        maxlength: r.kind === "text" ? r.max : r.kind === "id_number" ? 18 : null,
        placeholder: opts.placeholder, autocapitalize: r.kind === "id_number" ? "characters" : null
      });
    }
    return h("label.field", {}, [h("span", { text: title + (r.required ? " *" : "") }), input,
                                 opts.after || null, slot]);
  };

  SV.values = function (form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name) out[el.name] = el.type === "checkbox" ? el.checked : el.value.trim();
    });
    return out;
  };

  SV.showErrors = function (form, errors, touched) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-for]"), function (slot) {
      var f = slot.getAttribute("data-for"), msg = touched === true || touched[f] ? errors[f] || "" : "";
      slot.textContent = msg;
      var input = form.elements[f];
      if (input && input.setAttribute) {
        if (msg) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    });
  };
})();
