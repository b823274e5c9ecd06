/* Resident ID numbers (GB 11643, ISO 7064 MOD 11-2) in the browser: the desk's lookup and
   the survey app both check with this one function. Only a help: the server checks again
   with the same rules (core/identifiers.py) and decides. */
(function () {
  "use strict";
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  /* parse(value, today) with today as "YYYY-MM-DD" (the server's date, so the age matches
     what it shows): {number, sex: "male"|"female", birth: "YYYY-MM-DD", age} or
     {error: "shape"|"check"|"birth_date"|"future"}. */
  function parse(value, today) {
    var v = String(value).trim().toUpperCase(), sum = 0;
    if (!/^\d{17}[\dX]$/.test(v)) return { error: "shape" };
    for (var i = 0; i < 17; i++) sum += Number(v.charAt(i)) * WEIGHTS[i];
    if (CHECK.charAt(sum % 11) !== v.charAt(17)) return { error: "check" };
    var y = +v.substr(6, 4), m = +v.substr(10, 2), d = +v.substr(12, 2);
    var date = new Date(2000, m - 1, d);
    date.setFullYear(y);
    if (date.getFullYear() !== y || date.getMonth() !== m - 1 || date.getDate() !== d) {
      return { error: "birth_date" };
    }
    var t = String(today).split("-").map(Number);
    if (y * 10000 + m * 100 + d > t[0] * 10000 + t[1] * 100 + t[2]) return { error: "future" };
    return { number: v, sex: +v.charAt(16) % 2 ? "male" : "female",
             birth: v.substr(6, 4) + "-" + v.substr(10, 2) + "-" + v.substr(12, 2),
             age: t[0] - y - (t[1] * 100 + t[2] < m * 100 + d ? 1 : 0) };
  }

  window.GB11643 = { parse: parse };
})();
