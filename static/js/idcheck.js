/* The desk's ID number inputs: checked as they are typed (static/js/gb11643.js), with sex,
   birth date and age shown. Messages come from the input's data-msg-* attributes, so they
   are translated with the page. */
(function () {
  "use strict";
  var MESSAGES = { shape: "msgShape", check: "msgCheck", birth_date: "msgDate", future: "msgFuture" };

  function today() {
    var now = new Date();
    return now.getFullYear() + "-" + (now.getMonth() + 1) + "-" + now.getDate();
  }

  function update(input) {
    var out = document.getElementById(input.dataset.idcheck);
    var value = input.value.trim().toUpperCase(), d = input.dataset;
    if (value.length < 18) { out.textContent = ""; out.className = "idcheck"; input.removeAttribute("aria-invalid"); return; }
    // The server's today (its clock and time zone), so the age matches what it will show.
    var id = window.GB11643.parse(value, d.today || today());
    if (id.error) {
      out.textContent = d[MESSAGES[id.error]];
      input.setAttribute("aria-invalid", "true");
    } else {
      out.textContent = (id.sex === "male" ? d.labelMale : d.labelFemale) + " · " + id.birth + " · " + id.age + d.labelAge;
      input.removeAttribute("aria-invalid");
    }
    out.className = id.error ? "idcheck error" : "idcheck ok";
  }

  document.querySelectorAll("input[data-idcheck]").forEach(function (input) {
    input.addEventListener("input", function () { update(input); });
    if (input.value) update(input);
  });
})();
