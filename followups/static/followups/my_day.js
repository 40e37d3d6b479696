// My day (followups/my_day.html): each item's "More" menu is filled when it first opens,
// from the one <template id="myday-more"> the page carries (100 items do not each carry
// two forms): the follow-up's number replaces the placeholder, and only the parts the
// button's data-more names are kept (outcomes, snooze; the link to the follow-up always).
(function () {
  var template = document.getElementById("myday-more");
  if (!template) return;
  var placeholder = template.dataset.placeholder;
  document.addEventListener("show.bs.dropdown", function (event) {
    var toggle = event.target;
    var item = toggle.closest("[data-followup]");
    var menu = toggle.nextElementSibling;
    if (!item || !toggle.hasAttribute("data-more") || !menu || menu.childElementCount) return;
    menu.innerHTML = template.innerHTML.split(placeholder).join(item.dataset.followup);
    var parts = toggle.dataset.more.split(" ");
    menu.querySelectorAll("[data-part]").forEach(function (part) {
      if (parts.indexOf(part.dataset.part) < 0) part.remove();
    });
  });
})();
