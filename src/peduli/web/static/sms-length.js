// The compose page's SMS counter: characters and segments per language as the officer
// types, counted as notify/segments.py counts (GSM-7 160/153 with the extension table
// counting double, else UCS-2 70/67). The server counts the same on "Count" without JS.
(function () {
  "use strict";
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENSION = "\f^{}\\[~]|€";

  function segments(sizes, single, part) {
    var total = 0, i;
    for (i = 0; i < sizes.length; i++) { total += sizes[i]; }
    if (total === 0) { return 0; }
    if (total <= single) { return 1; }
    var parts = 1, used = 0;
    for (i = 0; i < sizes.length; i++) {
      if (used + sizes[i] > part) { parts += 1; used = 0; }
      used += sizes[i];
    }
    return parts;
  }

  function measure(text) {
    var chars = Array.from(text), gsm = true, sizes = [], i;
    for (i = 0; i < chars.length; i++) {
      if (BASIC.indexOf(chars[i]) < 0 && EXTENSION.indexOf(chars[i]) < 0) { gsm = false; break; }
    }
    for (i = 0; i < chars.length; i++) {
      if (gsm) { sizes.push(EXTENSION.indexOf(chars[i]) >= 0 ? 2 : 1); }
      else { sizes.push(chars[i].codePointAt(0) > 0xFFFF ? 2 : 1); }
    }
    return {
      encoding: gsm ? "gsm7" : "ucs2",
      characters: chars.length,
      segments: gsm ? segments(sizes, 160, 153) : segments(sizes, 70, 67)
    };
  }

  function show(area) {
    var out = document.getElementById(area.getAttribute("data-sms-output"));
    if (!out) { return; }
    var text = area.value.trim();
    if (!text) {
      var fallback = document.getElementById(area.getAttribute("data-sms-fallback"));
      text = fallback ? fallback.value.trim() : "";
    }
    var length = measure(text + area.getAttribute("data-sms-suffix"));
    var number = new Intl.NumberFormat(document.documentElement.lang || undefined);
    out.textContent = out.getAttribute("data-template")
      .replace("{characters}", number.format(length.characters))
      .replace("{segments}", number.format(length.segments))
      .replace("{encoding}", out.getAttribute("data-" + length.encoding));
    out.classList.toggle("sms-long", length.segments > 1);
  }

  function all() {
    document.querySelectorAll("textarea[data-sms-suffix]").forEach(show);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-sms-suffix]")) { all(); }
  });
  document.addEventListener("DOMContentLoaded", all);
})();
