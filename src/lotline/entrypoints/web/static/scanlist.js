/* Scan lists of the floor pages (returns, transfers, counts, adjustments): each scan is
   checked by the server (the one scan resolver) and kept in localStorage until the list is
   posted, so a reload or a lost connection loses nothing; the list is posted with an
   Idempotency-Key kept with it, so a double submit or a retry records once. */
(function () {
  "use strict";
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }
  function csrf() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }
  function ScanList(form) {
    this.form = form;
    this.storeKey = form.getAttribute("data-store-key");
    this.input = form.querySelector("[data-scanlist-input]");
    this.list = form.querySelector("[data-scanlist-items]");
    this.field = form.querySelector("[data-scanlist-field]");
    this.message = form.querySelector("[data-scanlist-message]");
    this.counter = form.querySelector("[data-scanlist-count]");
    this.withQuantity = form.hasAttribute("data-quantity");
    this.chain = Promise.resolve();  // the scans being checked, one after another
    this.waiting = 0;
    this.state = this.load();
    this.render();
  }
  ScanList.prototype.load = function () {
    try {
      var saved = JSON.parse(localStorage.getItem(this.storeKey) || "null");
      if (saved && Array.isArray(saved.items) && saved.key) { return saved; }
    } catch (e) { /* unreadable: start afresh */ }
    return {key: newKey(), items: []};
  };
  ScanList.prototype.save = function () {
    if (this.state.items.length) { localStorage.setItem(this.storeKey, JSON.stringify(this.state)); }
    else { localStorage.removeItem(this.storeKey); }
    this.field.value = JSON.stringify(this.state.items.map(function (item) {
      return {text: item.text, quantity: item.quantity || null};
    }));
    this.form.dispatchEvent(new CustomEvent("scanlist:changed", {detail: this.state.items}));
  };
  ScanList.prototype.say = function (ok, text) {
    this.message.textContent = text;
    this.message.className = "scan-msg " + (ok ? "ok" : "error");
    this.message.hidden = false;
    this.message.setAttribute("role", ok ? "status" : "alert");
    if (window.lotlineBeep) { window.lotlineBeep(ok ? "ok" : "error"); }
  };
  ScanList.prototype.render = function () {
    var self = this;
    this.list.textContent = "";
    this.state.items.forEach(function (item, index) {
      var li = document.createElement("li");
      li.setAttribute("data-key", item.key);
      var label = document.createElement("span");
      label.className = "mono";
      label.textContent = item.label;
      li.appendChild(label);
      if (self.withQuantity && item.lot) {
        var qty = document.createElement("input");
        qty.type = "text"; qty.inputMode = "decimal"; qty.value = item.quantity || "";
        qty.setAttribute("aria-label", "Quantity of " + item.label);
        qty.className = "qty";
        qty.addEventListener("change", function () { item.quantity = qty.value.trim(); self.save(); });
        li.appendChild(qty);
      }
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "remove"; remove.textContent = "Remove";
      remove.setAttribute("aria-label", "Remove " + item.label);
      remove.addEventListener("click", function () {
        self.state.items.splice(index, 1); self.save(); self.render();
        self.say(true, item.label + " removed");
      });
      li.appendChild(remove);
      self.list.appendChild(li);
    });
    if (this.counter) { this.counter.textContent = String(this.state.items.length); }
    this.save();
  };
  ScanList.prototype.scan = function () {
    var self = this, text = this.input.value;
    if (!text.trim()) { return; }
    // A scanner types the next code at once: take this one out of the box now, and check the
    // scans one after another, so each goes out with what the last answer set (a location).
    this.input.value = "";
    this.input.focus();
    this.waiting += 1;
    var done = function () { self.waiting -= 1; };
    this.chain = this.chain.then(function () { return self.check(text); }).then(done, done);
  };
  ScanList.prototype.check = function (text) {
    var self = this;
    var body = new URLSearchParams(new FormData(this.form));
    body.set("data", text);
    return fetch(this.form.getAttribute("data-check-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRF-Token": csrf(), "Accept": "application/json"}
    }).then(function (response) {
      if (response.redirected || response.status === 401) { window.location.reload(); return null; }
      return response.json();
    }).then(function (answer) {
      if (!answer) { return; }
      if (!answer.ok) { self.say(false, answer.message); return; }
      if (answer.set) {  // a location's label sets the page's field instead of adding a unit
        Object.keys(answer.set).forEach(function (name) {
          var input = self.form.elements[name];
          if (input) { input.value = answer.set[name]; }
        });
        self.say(true, answer.message); return;
      }
      var known = self.state.items.some(function (item) { return item.key === answer.key; });
      if (known && !answer.lot) { self.say(false, answer.label + " is already scanned"); return; }
      if (known) {
        self.state.items.forEach(function (item) {
          if (item.key === answer.key) { item.quantity = String((parseFloat(item.quantity) || 0) + (answer.quantity || 1)); }
        });
      } else {
        self.state.items.push({key: answer.key, text: answer.text, label: answer.label,
                               lot: !!answer.lot, quantity: answer.lot ? String(answer.quantity || 1) : null});
      }
      self.render();
      self.say(true, answer.message);
    }).catch(function () { self.say(false, "The server could not be reached; the scan was not added. Try again."); });
  };
  ScanList.prototype.clear = function () {
    localStorage.removeItem(this.storeKey);
    this.state = {key: newKey(), items: []};
  };
  function start(form) {
    var scanList = new ScanList(form);
    form.scanList = scanList;
    var button = form.querySelector("[data-scanlist-add]");
    scanList.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); scanList.scan(); }
    });
    if (button) { button.addEventListener("click", function () { scanList.scan(); }); }
    var fallback = form.querySelector("[data-scanlist-fallback]");
    if (fallback) { fallback.hidden = true; fallback.querySelector("textarea").disabled = true; }
    form.querySelectorAll("[data-scanlist-js]").forEach(function (el) { el.hidden = false; });
  }
  // A count: what was scanned against what the location should hold (found, missing,
  // unexpected), shown before anything is posted.
  function countSummary(form) {
    var expected = JSON.parse(form.getAttribute("data-expected") || "[]");
    var box = form.querySelector("[data-count-summary]");
    function show(items) {
      var scanned = {}, expectedKeys = {};
      items.forEach(function (item) { if (!item.lot) { scanned[item.key] = item; } });
      expected.forEach(function (unit) { expectedKeys[unit.key] = unit; });
      var found = expected.filter(function (unit) { return scanned[unit.key]; });
      var missing = expected.filter(function (unit) { return !scanned[unit.key]; });
      var unexpected = Object.keys(scanned).filter(function (key) { return !expectedKeys[key]; });
      box.querySelector("[data-found]").textContent = String(found.length);
      box.querySelector("[data-missing]").textContent = String(missing.length);
      box.querySelector("[data-unexpected]").textContent = String(unexpected.length);
      var list = box.querySelector("[data-missing-list]");
      list.textContent = "";
      missing.forEach(function (unit) {
        var li = document.createElement("li"); li.className = "missing"; li.textContent = unit.label + " · not scanned yet";
        list.appendChild(li);
      });
      unexpected.forEach(function (key) {
        var li = document.createElement("li"); li.className = "unexpected"; li.textContent = scanned[key].label + " · not expected here";
        list.appendChild(li);
      });
    }
    form.addEventListener("scanlist:changed", function (event) { show(event.detail); });
    if (form.scanList) { show(form.scanList.state.items); }
  }
  // The list is posted only once every scan typed before is checked and in it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.scanList || !form.scanList.waiting) { return; }
    event.preventDefault();
    event.stopPropagation();
    form.scanList.chain.then(function () { form.requestSubmit(); });
  }, true);
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-scanlist]");
    if (form && form.scanList) {
      form.scanList.save();
      event.detail.parameters.set ? event.detail.parameters.set("units_json", form.scanList.field.value)
        : (event.detail.parameters.units_json = form.scanList.field.value);
      event.detail.headers["Idempotency-Key"] = form.scanList.state.key;
    }
  });
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-scanlist]");
    var xhr = event.detail.xhr;
    if (form && form.scanList && xhr && xhr.status < 300 && xhr.getResponseHeader("HX-Redirect")) {
      form.scanList.clear();
    }
  });
  document.querySelectorAll("form[data-scanlist]").forEach(function (form) {
    if (form.hasAttribute("data-expected")) {
      form.addEventListener("scanlist:ready", function () { countSummary(form); });
    }
    start(form);
    form.dispatchEvent(new CustomEvent("scanlist:ready"));
  });
})();
