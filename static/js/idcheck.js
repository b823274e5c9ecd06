/* Checks a resident ID number (GB 11643, ISO 7064 MOD 11-2) as it is typed and shows sex,
   birth date and age. Only a help: the server checks again and decides. Messages come from
   the input's data-msg-* attributes, so they are translated with the page. */
(function () {
  "use strict";
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function checkCharacter(body) {
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += Number(body.charAt(i)) * WEIGHTS[i];
    return CHECK.charAt(sum % 11);
  }

  function describe(input, value) {
    var d = input.dataset;
    if (!/^\d{17}[\dX]$/.test(value)) return { error: d.msgShape };
    if (checkCharacter(value) !== value.charAt(17)) return { error: d.msgCheck };
    var y = Number(value.substr(6, 4)), m = Number(value.substr(10, 2)), day = Number(value.substr(12, 2));
    var birth = new Date(y, m - 1, day);
    if (birth.getFullYear() !== y || birth.getMonth() !== m - 1 || birth.getDate() !== day) return { error: d.msgDate };
    // The server's today (its clock and time zone), so the age matches what it will show.
    var today = d.today ? new Date(d.today + "T00:00:00") : new Date();
    if (birth > today) return { error: d.msgFuture };
    var age = today.getFullYear() - y - ((today.getMonth() + 1) * 100 + today.getDate() < m * 100 + day ? 1 : 0);
    var sex = Number(value.charAt(16)) % 2 === 1 ? d.labelMale : d.labelFemale;
    return { ok: sex + " · " + value.substr(6, 4) + "-" + value.substr(10, 2) + "-" + value.substr(12, 2) + " · " + age + d.labelAge };
  }

  function update(input) {
    var out = document.getElementById(input.dataset.idcheck);
    var value = input.value.trim().toUpperCase();
    if (value.length < 18) { out.textContent = ""; out.className = "idcheck"; input.removeAttribute("aria-invalid"); return; }
    var result = describe(input, value);
    out.textContent = result.error || result.ok;
    out.className = result.error ? "idcheck error" : "idcheck ok";
    if (result.error) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }

  document.querySelectorAll("input[data-idcheck]").forEach(function (input) {
    input.addEventListener("input", function () { update(input); });
    if (input.value) update(input);
  });
})();
