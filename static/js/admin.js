/* The back office (/admin). The server renders every figure; this script only
   - trades the signed-in admin's bearer token for the page cookie (see web/backoffice.py),
   - draws the charts from the numbers the page carries (Chart.js, vendored),
   - makes the changes the pages offer (visits, policy) and downloads through the JSON API. */
(function () {
  "use strict";
  const z = window.zhucan;

  function bearer() {
    const who = z.session();
    return who ? {"Authorization": "Bearer " + who.token} : {};
  }

  // ---------------------------------------------------------------- signing in and out
  const signinStatus = document.querySelector("[data-signin-page]");
  if (signinStatus) {
    const who = z.requireSignIn(["admin"]);
    if (who) {
      fetch("/admin/session", {method: "POST", headers: bearer()}).then((response) => {
        if (response.ok) {
          location.reload();
        } else {
          signinStatus.hidden = true;
          const error = document.getElementById("signin-error");
          error.textContent = "管理员登录已失效，请重新登录。";
          error.hidden = false;
        }
      });
    }
    return;
  }

  const signOut = document.getElementById("sign-out");
  if (signOut) {
    signOut.addEventListener("click", async () => {
      await fetch("/admin/session", {method: "DELETE"});
      z.signOut();
    });
  }

  // ---------------------------------------------------------------- charts
  function chartData(id) {
    const node = document.getElementById(id + "-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function asPercent(ratios) {
    return ratios.map((r) => (r === null || r === undefined ? null : Math.round(r * 1000) / 10));
  }

  if (window.Chart) {
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = 14;
    Chart.defaults.color = "#111";
  }

  const grades = chartData("grades-chart");
  if (grades) {
    const series = [["A", "A 级", "#0a5c2b"], ["B", "B 级", "#0b3d91"], ["C", "C 级", "#b35c00"],
                    ["rectifying", "整改中", "#8b0000"], ["ungraded", "未评级", "#9a9a9a"]];
    new Chart(document.getElementById("grades-chart"), {
      data: {
        labels: grades.years.map((y) => y + " 年"),
        datasets: [
          ...series.map(([key, label, colour]) => ({
            type: "bar", label, data: grades.grades[key], backgroundColor: colour, order: 1,
            stack: "grades", yAxisID: "count"})),
          // order 0 draws the lines over the bars (higher orders are drawn first)
          {type: "line", label: "AB 级占比（%）", data: asPercent(grades.ab_ratio), order: 0,
           borderColor: "#111", backgroundColor: "#fff", borderWidth: 3, yAxisID: "ratio",
           pointRadius: 7, pointBorderWidth: 3},
          {type: "line", label: "AB 级占比目标（%）", data: asPercent(grades.ab_target), order: 0,
           borderColor: "#111", borderDash: [8, 6], pointStyle: "rectRot", pointRadius: 7,
           backgroundColor: "#ffd400", yAxisID: "ratio"},
        ],
      },
      options: {
        maintainAspectRatio: false, animation: false,
        scales: {
          x: {stacked: true},
          count: {stacked: true, beginAtZero: true, position: "left",
                  title: {display: true, text: "食堂数"}, ticks: {precision: 0}},
          ratio: {min: 0, max: 100, position: "right", grid: {drawOnChartArea: false},
                  title: {display: true, text: "%"}},
        },
      },
    });
  }

  const meals = chartData("meals-chart");
  if (meals) {
    const datasets = [
      {type: "bar", label: meals.year + " 年每月人次", data: meals.meals,
       backgroundColor: "#0b3d91", yAxisID: "month", order: 1},
      {type: "line", label: meals.year + " 年累计人次", data: meals.cumulative,
       borderColor: "#0a5c2b", backgroundColor: "#0a5c2b", yAxisID: "total", pointRadius: 4},
      {type: "line", label: meals.baseline_year + " 年（基准年）累计人次",
       data: meals.baseline_cumulative, borderColor: "#7a3d00", backgroundColor: "#7a3d00",
       borderDash: [4, 4], yAxisID: "total", pointRadius: 3},
    ];
    if (meals.target !== null) {
      datasets.push({type: "line", label: meals.year + " 年全年目标", yAxisID: "total",
                     data: meals.months.map(() => meals.target), borderColor: "#8b0000",
                     borderDash: [10, 6], pointRadius: 0, backgroundColor: "#8b0000"});
    }
    new Chart(document.getElementById("meals-chart"), {
      data: {labels: meals.months, datasets},
      options: {
        maintainAspectRatio: false, animation: false,
        scales: {
          month: {beginAtZero: true, position: "left", title: {display: true, text: "每月人次"},
                  ticks: {precision: 0}},
          total: {beginAtZero: true, position: "right", grid: {drawOnChartArea: false},
                  title: {display: true, text: "累计人次"}, ticks: {precision: 0}},
        },
      },
    });
  }

  // ---------------------------------------------------------------- settlement downloads
  for (const button of document.querySelectorAll("[data-download]")) {
    button.addEventListener("click", async () => {
      const error = document.getElementById("download-error");
      error.hidden = true;
      const response = await fetch("/api/v1" + button.dataset.download, {headers: bearer()});
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        error.textContent = problem.detail || "下载失败，请重新登录后再试";
        error.hidden = false;
        return;
      }
      const link = z.el("a", {href: URL.createObjectURL(await response.blob()),
                              download: button.dataset.filename});
      document.body.append(link);
      link.click();
      link.remove();
    });
  }

  // ---------------------------------------------------------------- welfare visits
  for (const form of document.querySelectorAll(".visit-form")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = form.querySelector(".error");
      try {
        const visit = await z.api("POST", "/welfare/alerts/" + form.dataset.elder + "/visits",
                                  {note: form.elements.note.value,
                                   visited_on: form.elements.visited_on.value || null});
        form.replaceWith(z.el("p", {class: "notice", role: "status"},
                              "已登记 " + visit.visited_on + " 的探访（" + visit.visited_by + "）。"));
      } catch (e) {
        error.textContent = e.detail;
        error.hidden = false;
      }
    });
  }

  // ---------------------------------------------------------------- a new policy version
  const policyForm = document.getElementById("policy-form");
  if (policyForm) {
    policyForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      // The policy in force, with the fields the clerk edited: inputs are named by their path
      // in the policy ("tier.0.fen"); structure the form does not show is kept as it is.
      const policy = JSON.parse(document.getElementById("policy-data").textContent);
      for (const input of policyForm.querySelectorAll("input[name]")) {
        const path = input.name.split(".");
        const last = path.pop();
        const target = path.reduce((node, key) => node[key], policy);
        target[last] = input.type === "number" ? Number(input.value) : input.value;
      }
      const error = document.getElementById("policy-error");
      try {
        const saved = await z.api("PUT", "/subsidies/policy", policy);
        location.assign("/admin/policy?published=" + saved.effective_from);
      } catch (e) {
        error.textContent = e.detail;
        error.hidden = false;
      }
    });
  }
})();
