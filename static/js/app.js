// Behaviour every page shares, wired by data attributes so that no template needs an
// inline script or on*="" handler (the Content-Security-Policy allows neither).
(function () {
  // <select data-submit-on-change>: submit its form when the choice changes.
  document.querySelectorAll("[data-submit-on-change]").forEach(function (field) {
    field.addEventListener("change", function () { field.form.submit(); });
  });
  // <button data-print>: print the page.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // <button data-confirm="question">: go on only when the person confirms.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
  // <input type=checkbox data-check-all="input[name=selected]">: tick or untick them all.
  document.querySelectorAll("[data-check-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll(box.dataset.checkAll).forEach(function (other) {
        other.checked = box.checked;
      });
    });
  });
})();
