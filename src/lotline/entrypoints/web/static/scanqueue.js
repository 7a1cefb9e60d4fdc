/* Scan panels (receiving, picking): a keyboard-wedge scanner types a code and Enter within
   milliseconds, faster than the server answers. htmx drops a submit made while the last one
   is in flight, and the receiving panel carries its pending list in the page, so a late request
   would send a stale list. Here every submit of a panel's form is queued at once (the typed code
   taken and the box cleared for the next one) and posted one after another, each built from
   the panel as it stands when it leaves, after the last answer is in: no scan is lost and none
   is applied twice. Without JS the forms post as plain forms, one page at a time. */
(function () {
  "use strict";
  var queue = [], busy = false;
  var TYPED = ["data", "reason"];  // what the user typed into the submitted form itself

  function typedIn(form, submitter) {
    var own = {};
    TYPED.forEach(function (name) {
      var input = form.elements[name];
      if (input && input.type !== "hidden") { own[name] = input.value; }
    });
    if (submitter && submitter.name) { own[submitter.name] = submitter.value; }
    if (form.hasAttribute("data-queue-as")) { own.data = ""; }  // a Remove is no scan
    return own;
  }

  function send(task) {
    // The form to send from is the one in the page now: the last answer replaced the panel.
    var form = document.getElementById(task.formId);
    if (!form) { return Promise.resolve(); }
    if (!form.hasAttribute("hx-post")) { form.submit(); return Promise.resolve(); }
    return window.htmx.ajax("POST", form.getAttribute("hx-post"), {source: form, values: task.values});
  }

  function next() {
    if (busy || !queue.length) { return; }
    busy = true;
    var done = function () { busy = false; next(); };
    send(queue.shift()).then(done, done);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var panel = form.closest && form.closest("[data-scan-queue]");
    if (!panel || !window.htmx) { return; }
    if (!form.hasAttribute("hx-post") && !busy && !queue.length) { return; }  // e.g. Ship
    event.preventDefault();
    event.stopPropagation();  // htmx would post it now, alongside the one in flight
    var values = typedIn(form, event.submitter);
    var scanBox = form.querySelector("[data-scan]");
    if (scanBox && !form.hasAttribute("data-queue-as")) { scanBox.value = ""; scanBox.focus(); }
    queue.push({formId: form.getAttribute("data-queue-as") || form.id, values: values});
    next();
  }, true);

  // The next code may be half typed when an answer replaces the panel: it moves to the new box.
  var typing = null;
  // Fields marked data-keep-typed (a short-receipt reason) edited while a request was in
  // flight: the answer was rendered from what the request carried, so the newer typing wins.
  var sent = {}, edited = {};
  function keptFields() { return document.querySelectorAll("[data-keep-typed][id]"); }
  document.addEventListener("htmx:beforeRequest", function () {
    sent = {};
    keptFields().forEach(function (field) { sent[field.id] = field.value; });
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var box = event.detail.target && event.detail.target.querySelector &&
      event.detail.target.querySelector("[data-scan-queue] [data-scan], [data-scan-queue][data-scan]");
    typing = box && box.value ? box.value : null;
    edited = {};
    keptFields().forEach(function (field) {
      if (field.id in sent && field.value !== sent[field.id]) { edited[field.id] = field.value; }
    });
  });
  document.addEventListener("htmx:afterSwap", function () {
    var box = document.querySelector("[data-scan-queue] [data-scan]");
    if (box && typing !== null && !box.value) {
      box.value = typing;
      box.focus();
      box.setSelectionRange(typing.length, typing.length);
    }
    typing = null;
    Object.keys(edited).forEach(function (id) {
      var field = document.getElementById(id);
      if (field) { field.value = edited[id]; }
    });
    edited = {};
  });
})();
