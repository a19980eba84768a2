// As the patient types, show red-flag advice, the suggested specialty and an emergency banner,
// what will be hidden from the public (e-mail addresses, phone numbers, addresses, names), and
// answered Q&As that may already answer the question (never alongside an emergency).
// Progressive enhancement: without this script the same advice shows after submitting.
(function () {
  "use strict";
  var form = document.querySelector("form[data-triage-preview]");
  if (!form || !window.fetch) { return; }
  var panel = document.getElementById("live-triage");
  var url = form.getAttribute("data-triage-preview");
  var similarUrl = form.getAttribute("data-similar-preview");
  var similarPanel = document.getElementById("live-similar");
  var privacyPanel = document.getElementById("live-privacy");
  var lastSimilar = "";
  var similarSequence = 0;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var timer = null;
  var lastSent = "";
  // Each preview request gets a number; only the answer to the newest one may render, so a
  // slow answer for earlier text never replaces (or removes) the warning for the latest text.
  var sequence = 0;
  var specialtyNames = {};
  Array.prototype.forEach.call(form.querySelectorAll("select[name=specialty] option"), function (o) {
    if (o.value) { specialtyNames[o.value] = o.textContent; }
  });

  function field(name) {
    var el = form.elements[name];
    return el ? el.value : "";
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  // While the draft reads as an emergency nothing is offered to read: the banner says to call.
  var emergencyNow = false;

  function render(result) {
    panel.textContent = "";
    emergencyNow = result.urgency === "emergency";
    // an emergency warning stays pinned in sight while the patient scrolls or types
    panel.className = emergencyNow ? "live-triage live-emergency" : "live-triage";
    if (emergencyNow) { similarPanel.textContent = ""; }
    if (result.urgency === "emergency") {
      var banner = el("div", "emergency-banner");
      banner.setAttribute("role", "alert");
      banner.appendChild(el("h2", "", "This looks like an emergency"));
      banner.appendChild(el("p", "emergency-call", result.advice));
      panel.appendChild(banner);
    } else if (result.flags.length || result.urgency !== "routine") {
      var box = el("div", "notice notice-" + result.urgency);
      box.setAttribute("role", "status");
      box.appendChild(el("p", "", result.advice));
      panel.appendChild(box);
    }
    if (result.flags.length) {
      var list = el("ul", "flags");
      result.flags.forEach(function (f) {
        var words = f.evidence.map(function (e) { return "“" + e.text + "”"; }).join(", ");
        list.appendChild(el("li", "", f.label + (words ? " — " + words : "")));
      });
      panel.appendChild(el("p", "small", "Warning signs we noticed:"));
      panel.appendChild(list);
    }
    if (result.specialty) {
      panel.appendChild(el("p", "small", "Suggested specialty: " +
        (specialtyNames[result.specialty] || result.specialty)));
    }
  }

  // Below the triage panel, so an emergency banner is always read first.
  function renderPrivacy(result) {
    if (!privacyPanel) { return; }
    privacyPanel.textContent = "";
    var parts = result.hidden_from_public || [];
    if (!result.privacy_notice || !parts.length) { return; }
    var box = el("div", "notice notice-privacy");
    box.setAttribute("role", "status");
    box.appendChild(el("p", "", result.privacy_notice));
    var list = el("ul", "hidden-parts");
    parts.forEach(function (part) {
      list.appendChild(el("li", "", "“" + part.text + "” — " + part.label));
    });
    box.appendChild(list);
    box.appendChild(el("p", "small", "Everyone else will read a placeholder such as [name] in " +
      "their place; you, the doctors and moderators see what you wrote."));
    privacyPanel.appendChild(box);
  }

  function preview() {
    var body = field("body");
    var words = (field("title") + " " + body).trim();
    if (words.length < 8) {
      sequence += 1;  // any answer still on its way is for text that is gone
      if (!emergencyNow) { panel.textContent = ""; }
      if (privacyPanel) { privacyPanel.textContent = ""; }
      lastSent = "";
      return;
    }
    // A half-typed or mistyped age is left out rather than sent: the preview must never fail
    // (and hide an emergency warning) because of another field.
    var age = parseInt(field("age_years"), 10);
    var payload = {
      title: field("title"), body: body, asking_for: field("asking_for"),
      age_years: age >= 0 && age <= 120 ? age : null,
      sex: field("sex"), duration: field("duration"), medicines: field("medicines")
    };
    var key = JSON.stringify(payload);
    if (key === lastSent) { return; }
    lastSent = key;
    sequence += 1;
    var mine = sequence;
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body: key
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (result) {
        // A failed or stale answer changes nothing: a shown emergency warning stays.
        if (result && mine === sequence) { render(result); renderPrivacy(result); }
      })
      .catch(function () { lastSent = ""; /* try again on the next keystroke */ });
  }

  function renderSimilar(data) {
    similarPanel.textContent = "";
    if (data.emergency || emergencyNow || !data.results.length) { return; }
    similarPanel.appendChild(el("h2", "", "Your question may already be answered"));
    var list = el("ul", "similar-list");
    data.results.forEach(function (item) {
      var li = el("li");
      var link = el("a", "", item.title);
      link.href = item.url;
      link.target = "_blank";
      link.rel = "noopener";
      li.appendChild(link);
      if (item.explanation) { li.appendChild(el("span", "muted small", " — " + item.explanation)); }
      list.appendChild(li);
    });
    similarPanel.appendChild(list);
  }

  function similar() {
    var text = field("title") + " " + field("body");
    if (!similarUrl || text.trim().length < 20) { similarPanel.textContent = ""; return; }
    var key = JSON.stringify({ title: field("title"), body: field("body") });
    if (key === lastSimilar) { return; }
    lastSimilar = key;
    similarSequence += 1;
    var mine = similarSequence;
    fetch(similarUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body: key
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && mine === similarSequence) { renderSimilar(data); } })
      .catch(function () { /* suggestions are a convenience; posting still works */ });
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { preview(); similar(); }, 400);
  });
}());
