// Drafts as the student types (progressive enhancement: the page works without this script).
// On change (and after a pause in typing) the answer form is posted to its draft URL; the server keeps it.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form || !window.fetch || !window.FormData) return;
  var status = document.getElementById("draft-status");
  var timer = null;
  function save() {
    timer = null;
    var data = new FormData(form);
    data.delete("action");
    fetch(form.getAttribute("data-draft-url"), {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-Azmoon-Draft": "1" }
    }).then(function (response) {
      if (!status) return;
      if (response.status === 204) {
        var at = (response.headers.get("X-Draft-Saved-At") || "").slice(0, 19).replace("T", " ");
        status.textContent = "Draft saved " + at + " UTC · پیش‌نویس ذخیره شد";
        status.setAttribute("data-saved", "1");
      } else {
        status.textContent = "Draft not saved (" + response.status + ") · پیش‌نویس ذخیره نشد";
      }
    }).catch(function () {
      if (status) status.textContent = "Offline: draft not saved yet · اتصال برقرار نیست";
    });
  }
  function later(delay) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, delay);
  }
  form.addEventListener("change", function () { later(50); });
  form.addEventListener("input", function () { later(800); });
})();
