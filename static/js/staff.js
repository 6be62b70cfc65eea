/* The staff consoles (login, /v, /hotline, /k/{code}): they call the JSON API with the signed-in
   token (console.js) and show what it answers. Which statuses an order may take, what an order
   costs and who may do what all come from the API; nothing here decides. */
(function () {
  "use strict";
  const {api, el, yuan, ApiError} = window.zhucan;
  const labelsNode = document.getElementById("labels");
  const LABELS = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  const POLL_MS = 4000;

  function showError(node, error) {
    node.textContent = error instanceof ApiError ? error.detail : String(error);
    node.hidden = false;
  }

  function header(who) {
    document.getElementById("who").textContent =
      (LABELS.role[who.role] || who.role) + " " + who.username;
    document.getElementById("sign-out").addEventListener("click", () => zhucan.signOut());
  }

  /* ---------------------------------------------------------------- login */

  function loginPage(form) {
    const homes = JSON.parse(form.dataset.homes);
    const error = document.getElementById("login-error");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      try {
        const who = await zhucan.signIn(form.username.value.trim(), form.password.value);
        const home = (homes[who.role] || "/").replace("{canteen}", who.canteen || "");
        location.assign(pathOnThisSite(new URLSearchParams(location.search).get("next")) || home);
      } catch (e) {
        showError(error, e);
      }
    });
  }

  function pathOnThisSite(next) {
    /* ?next= only ever leads to a page of this site. Resolved the way the browser would follow
       it, so "/\evil.example" (which browsers read as "//evil.example") is refused too. */
    if (!next || !next.startsWith("/")) return null;
    try {
      const url = new URL(next, location.origin);
      return url.origin === location.origin ? url.pathname + url.search + url.hash : null;
    } catch (e) {
      return null;
    }
  }

  /* ---------------------------------------------------------------- ordering for an elder */

  function orderPanel(panel, elder, options) {
    /* Canteen → its next menu → dishes → preview of the split → place; refreshes `options.done`. */
    panel.hidden = false;
    panel.replaceChildren();
    const state = {menu: null, key: null, confirmDiet: false};
    const error = el("p", {class: "error", role: "alert", hidden: true});
    const canteenSelect = el("select", {id: "order-canteen"}, el("option", {value: ""}, "请选择食堂"));
    const dishes = el("div", {class: "dishes"});
    const fulfilment = el("select", {id: "order-fulfilment"},
      Object.entries(LABELS.fulfilment).map(([code, name]) => el("option", {value: code}, name)));
    const note = options.withNote
      ? el("textarea", {id: "order-note", maxlength: 200, rows: 2, placeholder: "来电内容，如：老人要求少放盐"})
      : null;
    const preview = el("div", {class: "preview", "aria-live": "polite"});
    const previewButton = el("button", {type: "button", onclick: showPreview}, "预览付款");
    panel.append(...[
      el("h2", {}, "为 " + elder.name + " 点餐"),
      elder.diet && elder.diet.length
        ? el("p", {class: "notice"}, "饮食要求：" + elder.diet.map((d) => LABELS.diet[d] || d).join("、"))
        : null,
      el("label", {for: "order-canteen"}, "食堂"), canteenSelect, dishes,
      el("label", {for: "order-fulfilment"}, "取餐方式"), fulfilment,
      note ? el("label", {for: "order-note"}, "通话记录") : null, note,
      el("p", {}, previewButton, " ",
        el("button", {type: "button", class: "secondary", onclick: () => { panel.hidden = true; }}, "取消")),
      error, preview].filter(Boolean));  // native append would print a null as "null"

    api("GET", "/canteens").then((list) => {
      list.filter((c) => c.active).forEach((c) =>
        canteenSelect.append(el("option", {value: c.code}, c.name)));
    }).catch((e) => showError(error, e));

    canteenSelect.addEventListener("change", async () => {
      dishes.replaceChildren();
      preview.replaceChildren();
      state.menu = null;
      if (!canteenSelect.value) return;
      try {
        state.menu = await api("GET", "/canteens/" + encodeURIComponent(canteenSelect.value) + "/menus/next");
      } catch (e) {
        showError(error, e);
        return;
      }
      error.hidden = true;
      const m = state.menu;
      dishes.append(el("p", {}, m.meal_date + " " + LABELS.slot[m.slot]),
        ...m.items.map((item) => el("p", {class: "dish-line"},
          el("label", {for: "dish-" + item.dish_id}, item.name + " " + yuan(item.price_fen)
            + (item.remaining === null ? "" : "（剩 " + item.remaining + " 份）")),
          el("input", {type: "number", id: "dish-" + item.dish_id, "data-dish": item.dish_id,
                       min: 0, max: 20, value: 0, inputmode: "numeric",
                       disabled: item.remaining === 0}))));
    });

    function body() {
      const items = Array.from(dishes.querySelectorAll("input[data-dish]"))
        .filter((i) => Number(i.value) > 0)
        .map((i) => ({dish_id: i.dataset.dish, qty: Number(i.value)}));
      const b = {canteen: canteenSelect.value, elder_id: elder.elder_id, items,
                 meal_date: state.menu && state.menu.meal_date, slot: state.menu && state.menu.slot,
                 fulfilment: fulfilment.value, confirm_diet_clash: state.confirmDiet};
      if (note) b.note = note.value.trim();
      return b;
    }

    function split(order) {
      return el("dl", {class: "facts split"},
        el("dt", {}, "合计"), el("dd", {}, yuan(order.total_fen)),
        el("dt", {}, "政府补贴"), el("dd", {}, yuan(order.subsidy_fen)),
        el("dt", {}, "敬老分"), el("dd", {}, yuan(order.points_fen) + "（" + order.points_used + " 分）"),
        el("dt", {}, "爱心卡"), el("dd", {}, yuan(order.card_fen)),
        el("dt", {}, "现金"), el("dd", {}, yuan(order.cash_fen)));
    }

    async function showPreview() {
      error.hidden = true;
      preview.replaceChildren();
      try {
        const p = await api("POST", "/orders/preview", body());
        state.key = zhucan.newKey();  // one key for this intended order, reused on a retry
        preview.append(el("h3", {}, "付款预览"), split(p),
          el("button", {type: "button", id: "place-order", onclick: place}, "确认下单"));
      } catch (e) {
        if (e.status === 409 && e.field === "confirm_diet_clash") offerClash(e);
        else showError(error, e);
      }
    }

    function offerClash(e) {
      // The API names the dishes that clash; the caller decides with the elder.
      preview.append(el("div", {class: "warning", role: "alert"},
        el("p", {}, "⚠ " + e.detail),
        el("button", {type: "button", id: "order-anyway", onclick: () => {
          state.confirmDiet = true;
          state.key = zhucan.newKey();
          place();
        }}, "仍然下单")));
    }

    async function place() {
      error.hidden = true;
      try {
        const order = await api("POST", "/orders", body(), {idempotencyKey: state.key});
        preview.replaceChildren(el("p", {class: "done", role: "status"},
          "✔ 已下单，订单号 ", el("strong", {class: "order-id"}, String(order.order_id))), split(order));
        state.confirmDiet = false;
        options.done();
      } catch (e) {
        if (e.status === 409 && e.field === "confirm_diet_clash") offerClash(e);
        else showError(error, e);
      }
    }
  }

  function elderItem(elder, panel, options) {
    return el("li", {class: "elder"},
      el("span", {class: "elder-name"}, elder.name),
      el("span", {}, " " + elder.age + " 岁 · 卡号 " + elder.card_no),
      " ",
      el("button", {type: "button", onclick: () => orderPanel(panel, elder, options)},
        "为 " + elder.name + " 点餐"));
  }

  async function myOrders(list) {
    try {
      const orders = await api("GET", "/orders");
      list.replaceChildren(...(orders.length ? orders.map((o) => orderItem(o, () => myOrders(list)))
                                             : [el("li", {}, "今天起还没有订单")]));
    } catch (e) {
      list.replaceChildren(el("li", {class: "error"}, e.detail || String(e)));
    }
  }

  function orderItem(o, refresh) {
    const error = el("span", {class: "error", role: "alert", hidden: true});
    return el("li", {class: "order", dataset: {order: o.order_id}},
      el("strong", {}, "#" + o.order_id), " ", o.elder_name, " · ",
      o.items.map((l) => l.name + "×" + l.qty).join("、"), " · ",
      LABELS.fulfilment[o.fulfilment],
      o.delivery_address ? " · " + o.delivery_address : "",
      " · ", el("span", {class: "status"}, LABELS.status[o.status]), " ",
      o.next_statuses.map((s) => el("button", {type: "button", class: s === "not_home" ? "secondary" : "",
        onclick: async () => {
          try { await api("POST", "/orders/" + o.order_id + "/status", {status: s}); refresh(); }
          catch (e) { showError(error, e); }
        }}, s === "not_home" ? "不在家" : LABELS.status[s])),
      error);
  }

  async function volunteerPage() {
    const who = zhucan.requireSignIn(["volunteer", "family"]);
    if (!who) return;
    header(who);
    const panel = document.getElementById("order-panel");
    const orders = document.getElementById("orders");
    const elders = document.getElementById("elders");
    try {
      const list = await api("GET", "/elders");
      elders.replaceChildren(...(list.length
        ? list.map((e) => elderItem(e, panel, {done: () => myOrders(orders)}))
        : [el("li", {}, "还没有关联的老人，请联系社区管理员")]));
    } catch (e) {
      elders.replaceChildren(el("li", {class: "error"}, e.detail || String(e)));
    }
    myOrders(orders);
  }

  function hotlinePage() {
    const who = zhucan.requireSignIn(["operator"]);
    if (!who) return;
    header(who);
    const panel = document.getElementById("order-panel");
    const orders = document.getElementById("orders");
    const elders = document.getElementById("elders");
    document.getElementById("search").addEventListener("submit", async (event) => {
      event.preventDefault();
      panel.hidden = true;
      try {
        const list = await api("GET", "/elders?q=" + encodeURIComponent(event.target.q.value.trim()));
        elders.replaceChildren(...(list.length
          ? list.map((e) => elderItem(e, panel, {withNote: true, done: () => myOrders(orders)}))
          : [el("li", {}, "没有找到，请换姓名、电话尾号或卡号再试")]));
      } catch (e) {
        elders.replaceChildren(el("li", {class: "error"}, e.detail || String(e)));
      }
    });
    myOrders(orders);
  }

  /* ---------------------------------------------------------------- kitchen screen */

  function kitchenPage(root) {
    const who = zhucan.requireSignIn(["canteen_staff", "admin"]);
    if (!who) return;
    header(who);
    const {canteen, date, slot} = root.dataset;
    const error = document.getElementById("kitchen-error");
    const updated = document.getElementById("updated");
    const query = "/canteens/" + encodeURIComponent(canteen) + "/kitchen?date=" + date + "&slot=" + slot;

    async function refresh() {
      try {
        render(await api("GET", query));
        error.hidden = true;
        updated.textContent = "每 " + POLL_MS / 1000 + " 秒自动更新，最近更新 "
          + new Date().toLocaleTimeString("zh-CN", {hour12: false});
      } catch (e) {
        showError(error, e);
      }
    }

    function render(view) {
      document.getElementById("portions").replaceChildren(...view.portions.map((p) =>
        el("tr", {}, el("td", {}, p.name), el("td", {class: "num"}, String(p.portions)),
          el("td", {class: "num"}, p.quota === null ? "不限" : String(p.quota)))));
      const open = view.orders.filter((o) => o.next_statuses.length);
      document.getElementById("queue-count").textContent = "（待处理 " + open.length + " / 共 " + view.orders.length + "）";
      document.getElementById("queue").replaceChildren(...view.orders.map((o) =>
        el("li", {class: "ticket status-" + o.status, dataset: {order: o.order_id}},
          el("p", {class: "ticket-head"}, el("strong", {}, "#" + o.order_id), " ", o.elder_name,
            " · ", LABELS.fulfilment[o.fulfilment], " · ",
            el("span", {class: "status"}, LABELS.status[o.status])),
          el("p", {}, o.items.map((l) => l.name + " × " + l.qty).join("，")),
          o.diet.length || o.allergies.length ? el("p", {class: "diet"}, "⚠ 饮食："
            + o.diet.map((d) => LABELS.diet[d] || d).concat(o.allergies.map((a) => "忌" + a)).join("、")
            + (o.diet_clash_confirmed ? "（已确认仍点）" : "")) : null,
          o.note ? el("p", {class: "note"}, "备注：" + o.note) : null,
          el("p", {class: "actions"}, o.next_statuses.map((s) => el("button", {type: "button",
            onclick: async () => {
              try { await api("POST", "/orders/" + o.order_id + "/status", {status: s}); }
              catch (e) { showError(error, e); }
              refresh();
            }}, LABELS.status[s]))))));
    }

    refresh();
    setInterval(refresh, POLL_MS);
  }

  const loginForm = document.getElementById("login-form");
  const page = document.querySelector("[data-page]");
  if (loginForm) loginPage(loginForm);
  else if (page && page.dataset.page === "volunteer") volunteerPage();
  else if (page && page.dataset.page === "hotline") hotlinePage();
  else if (page && page.dataset.page === "kitchen") kitchenPage(page);
})();
