/* The elder's order page, enhanced: a big keypad for the card number and PIN, big − / + buttons
   beside each dish's quantity, and reading the order number aloud. Without this file the same
   forms work with the phone's own number keyboard. Nothing here decides anything: the server
   checks and prices every order. */
(function () {
  "use strict";

  function keypad() {
    const pad = document.getElementById("keypad");
    const fields = Array.from(document.querySelectorAll("[data-keypad-target]"));
    if (!pad || !fields.length) return;
    const label = pad.querySelector("[data-keypad-label]");
    let target = fields.find((f) => f.value.length < Number(f.maxLength)) || fields[0];

    function aim(field) {
      target = field;
      fields.forEach((f) => f.classList.toggle("keypad-active", f === field));
      label.textContent = document.querySelector('label[for="' + field.id + '"]')
        .textContent.replace(/（.*/, "");
    }
    fields.forEach((f) => f.addEventListener("focus", () => aim(f)));
    pad.addEventListener("click", (event) => {
      const key = event.target.closest("button[data-key]");
      if (!key) return;
      const k = key.dataset.key;
      if (k === "clear") target.value = "";
      else if (k === "back") target.value = target.value.slice(0, -1);
      else if (target.value.length < Number(target.maxLength)) target.value += k;
      // A full card number moves on to the PIN, as a cashier's terminal does.
      const next = fields[fields.indexOf(target) + 1];
      if (target.value.length === Number(target.maxLength) && next) aim(next);
    });
    pad.hidden = false;
    aim(target);
  }

  function steppers() {
    document.querySelectorAll("[data-stepper]").forEach((box) => {
      const input = box.querySelector("input");
      if (input.disabled) return;
      const name = document.querySelector('label[for="' + input.id + '"] .dish-name').textContent;
      function step(by) {
        const max = Number(input.max) || 20;
        input.value = Math.min(max, Math.max(0, (parseInt(input.value, 10) || 0) + by));
      }
      const less = Object.assign(document.createElement("button"), {type: "button",
        textContent: "−", className: "secondary step"});
      less.setAttribute("aria-label", name + " 少一份");
      less.addEventListener("click", () => step(-1));
      const more = Object.assign(document.createElement("button"), {type: "button",
        textContent: "+", className: "step"});
      more.setAttribute("aria-label", name + " 多一份");
      more.addEventListener("click", () => step(1));
      box.prepend(less);
      box.append(more);
    });
  }

  function sayOrderNumber() {
    const button = document.getElementById("say");
    if (!button || !("speechSynthesis" in window)) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const words = new SpeechSynthesisUtterance(button.dataset.say);
      words.lang = "zh-CN";
      words.rate = 0.8;  // slower than usual: said for older ears
      speechSynthesis.cancel();
      speechSynthesis.speak(words);
    });
  }

  keypad();
  steppers();
  sayOrderNumber();
})();
