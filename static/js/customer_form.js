// Show the organisation or the person section of the customer form, by kind.
(function () {
  const kind = document.getElementById("id_kind");
  const organisation = document.getElementById("fields-organisation");
  const person = document.getElementById("fields-person");
  if (!kind || !organisation || !person) return;
  function update() {
    const individual = kind.value === "individual";
    organisation.hidden = individual;
    person.hidden = !individual && kind.value !== "";
  }
  kind.addEventListener("change", update);
  update();
})();

// A form sent back with errors opens at the first field to correct (on a phone it may be
// screens below the top).
(function () {
  const invalid = document.querySelector("form .is-invalid");
  if (invalid) invalid.focus();
})();
