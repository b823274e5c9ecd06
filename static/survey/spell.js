/* Survey app, the spell screen (a member's 转移就业经历, through record.js): its fields, the
   "still there" box that stands for an empty end date, and the industry letter upper-cased. */
(function (SV) {
  "use strict";
  var S = SV.S, h = SV.h, ui = SV.ui;

  SV.records.spell = {
    list: "spells",
    // What the statistics make of the answers, in one line above the form.
    hint: SV.S.spell_hint,
    fields: ["kind", "start_date", "end_date", "destination", "industry", "stable_workplace", "stable_income"],
    describe: function (s) { return [SV.show("kind", s.kind), ui.dateRange(s.start_date, s.end_date)]; },
    extend: function (nodes, v, filled) {
      // An ongoing spell has no end date; the box says so rather than an empty field.
      var ongoing = h("input", { type: "checkbox", id: "sv-ongoing", checked: filled && SV.empty(v.end_date) });
      nodes.splice(3, 0, h("label.sv-check", {}, [ongoing, h("span", { text: S.ongoing })]));
      return {
        data: function (data) {
          if (ongoing.checked) data.end_date = null;
          if (data.industry) data.industry = data.industry.toUpperCase();
        },
        bind: function (form) {
          var end = form.elements.end_date, sync = function () {
            end.disabled = ongoing.checked;
            if (ongoing.checked) end.value = "";
            form.recheck();
          };
          ongoing.addEventListener("change", sync);
          end.disabled = ongoing.checked;
        }
      };
    }
  };
})(window.SV);
