/* The inspector's tablet pages: /inspect (what is due) and the form /inspect/{code}.

   Every tick asks the server for the score, dynamic grade and finding deadlines
   (POST /compliance/score-preview), which runs the grading rules that filing runs: this script
   only collects verdicts and shows replies, so the tablet can never grade differently. */
(function () {
  "use strict";
  const z = window.zhucan;
  const who = z.requireSignIn(["inspector"]);
  if (!who) return;

  const labels = JSON.parse(document.getElementById("labels").textContent);
  const $ = (id) => document.getElementById(id);
  $("who").textContent = who.username;
  $("sign-out").addEventListener("click", z.signOut);

  // ---------------------------------------------------------------- the home page: what is due
  if ($("due-list")) {
    z.api("GET", "/compliance/due").then((due) => {
      $("due-list").querySelector("tbody").replaceChildren(...due.map((d) => z.el("tr", {},
        z.el("td", {}, z.el("a", {href: "/inspect/" + encodeURIComponent(d.code)}, d.name)),
        z.el("td", {}, d.last_inspection || "从未检查"),
        z.el("td", {}, labels.annual[d.annual_grade || "none"]),
        z.el("td", {}, d.due),
        z.el("td", {}, d.status === "overdue" ? z.el("strong", {}, "逾期 " + d.days_overdue + " 天")
                                                : "今天到期"),
        z.el("td", {}, d.open_findings))));
      $("due-list").hidden = due.length === 0;
      $("due-none").hidden = due.length > 0;
    }).catch((error) => {
      $("due-error").textContent = error.detail;
      $("due-error").hidden = false;
    }).finally(() => { $("due-loading").hidden = true; });
    return;
  }

  // ---------------------------------------------------------------- the inspection form
  const form = document.getElementById("inspection");
  const code = form.dataset.canteen;
  if (!form.elements.inspector1.value) form.elements.inspector1.value = who.username;

  function rows() {
    return Array.from(form.querySelectorAll(".check-item"));
  }

  function results() {
    const out = [];
    for (const row of rows()) {
      const checked = row.querySelector("input[type=radio]:checked");
      if (!checked) continue;
      const result = {item: row.dataset.item, verdict: checked.value};
      const partial = row.querySelector(".partial input");
      if (checked.value === "fail" && partial.value !== "") result.points = Number(partial.value);
      out.push(result);
    }
    return out;
  }

  function showFace(holder, grade) {
    holder.dataset.face = (grade && labels.faces[grade]) || "";
  }

  function fillFindings(tbody, findings, withStatus) {
    tbody.replaceChildren(...findings.map((f) => z.el("tr", {},
      z.el("td", {}, f.item, f.key ? z.el("span", {class: "tag key-tag"}, "★ 关键项") : null),
      z.el("td", {}, f.title),
      z.el("td", {}, f.deadline),
      withStatus ? z.el("td", {}, labels.findingStatus[f.status]) : null)));
  }

  function showError(error) {
    $("form-error").textContent = error ? error.detail : "";
    $("form-error").hidden = !error;
  }

  let missing = [];
  function showPreview(p) {
    $("score").textContent = p.score === null ? "—" : p.score.toFixed(1);
    $("dynamic").textContent = p.dynamic_grade ? labels.dynamic[p.dynamic_grade] : "—";
    showFace($("live-face"), p.dynamic_grade);
    $("answered").textContent = p.answered;
    $("key-failures").textContent = p.key_failures;
    fillFindings(document.querySelector("#findings-table tbody"), p.findings, false);
    $("findings-table").hidden = p.findings.length === 0;
    $("no-findings").hidden = p.findings.length > 0;
    missing = p.missing;
    $("missing-count").textContent = missing.length;
    $("first-missing").hidden = missing.length === 0;
    $("rest-pass").hidden = missing.length === 0;
  }

  // Replies can overtake each other on a slow network: only the latest request's reply counts.
  let latest = 0;
  async function refresh() {
    const mine = ++latest;
    try {
      const preview = await z.api("POST", "/compliance/score-preview",
                                  {date: form.elements.date.value || null, results: results()});
      if (mine !== latest) return;
      showPreview(preview);
      showError(null);
    } catch (error) {
      if (mine === latest) showError(error);
    }
  }

  function markRow(row) {
    const checked = row.querySelector("input[type=radio]:checked");
    row.dataset.verdict = checked ? checked.value : "";
    row.querySelector(".partial").hidden = !checked || checked.value !== "fail";
  }

  let typing = null;
  form.addEventListener("input", (event) => {
    if (event.target.type !== "number") return;
    clearTimeout(typing);
    typing = setTimeout(refresh, 300);
  });
  form.addEventListener("change", (event) => {
    const row = event.target.closest(".check-item");
    if (row) markRow(row);
    if (row || event.target.name === "date") refresh();
  });

  $("rest-pass").addEventListener("click", () => {
    for (const row of rows()) {
      if (!row.querySelector("input[type=radio]:checked")) {
        row.querySelector("input[value=pass]").checked = true;
        markRow(row);
      }
    }
    refresh();
  });

  $("first-missing").addEventListener("click", () => {
    const row = missing.length && $("item-" + missing[0]);
    if (row) {
      row.scrollIntoView({block: "center"});
      row.querySelector("input[type=radio]").focus();
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = form.elements;
    const body = {
      date: f.date.value, kind: f.kind.value,
      inspectors: [f.inspector1.value.trim(), f.inspector2.value.trim()].filter(Boolean),
      results: results(), notes: f.notes.value, incident: f.incident.checked,
    };
    $("submit").disabled = true;
    try {
      const filed = await z.api("POST", "/canteens/" + encodeURIComponent(code) + "/inspections",
                                body);
      showError(null);
      showResult(filed);
    } catch (error) {
      showError(error);
      $("submit").disabled = false;
    }
  });

  function showResult(filed) {
    // The grade and open findings shown before filing are out of date now.
    form.hidden = $("before-filing").hidden = true;
    $("result-score").textContent = filed.score.toFixed(1);
    $("result-dynamic").textContent = labels.dynamic[filed.dynamic_grade];
    $("result-annual").textContent = labels.annual[filed.annual_grade || "none"];
    showFace($("result-face"), filed.dynamic_grade);
    fillFindings(document.querySelector("#result-findings tbody"), filed.findings, true);
    $("result-findings").hidden = filed.findings.length === 0;
    $("result").hidden = false;
    $("result").focus();
  }

  refresh();
})();
