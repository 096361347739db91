// Fills the briefing form's hidden browser_time_zone with this browser's IANA zone, and picks it
// in the list when the list still says "This device's time zone". Without this script the
// reader picks from the list; the server checks the name either way.
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (!zone) return;
  var hidden = document.getElementById("id_browser_time_zone");
  if (hidden) hidden.value = zone;
  var list = document.getElementById("id_time_zone");
  if (!list || list.value !== "") return;
  for (var i = 0; i < list.options.length; i++) {
    if (list.options[i].value === zone) { list.value = zone; break; }
  }
  var note = document.getElementById("briefing-detected-zone");
  if (note) { note.textContent = "Detected on this device: " + zone + "."; note.hidden = false; }
})();
