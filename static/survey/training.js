/* Survey app, the training screen (a member's 培训, through record.js): its fields and how a
   training is listed on the member's page. */
(function (SV) {
  "use strict";
  var ui = SV.ui;

  SV.records.training = {
    list: "trainings",
    fields: ["course", "institution", "institution_certified", "funding", "start_date", "end_date", "completed"],
    describe: function (t) { return [t.course, ui.dateRange(t.start_date, t.end_date)]; }
  };
})(window.SV);
