/* Staff consoles: sign-in state and fetch-with-token for the JSON API.

   Staff pages keep the bearer token from POST /api/v1/auth/token in sessionStorage and send it
   in the Authorization header. A header (unlike a cookie) is never attached by the browser on
   its own, so no other site can make a signed-in request: no CSRF tokens are needed. The token
   goes when the tab is closed, which suits shared counter and hotline computers.

   Usage (pages load this file first):
     const who = zhucan.requireSignIn(["volunteer", "family"]);  // redirects to /login if needed
     const order = await zhucan.api("POST", "/orders", body, {idempotencyKey: zhucan.newKey()});
     try { ... } catch (e) { if (e instanceof zhucan.ApiError) show(e.detail); }
*/
(function () {
  "use strict";
  const STORE = "zhucan.session";

  class ApiError extends Error {
    /* A problem-details refusal (or a network failure, status 0), with its Chinese detail. */
    constructor(status, problem) {
      super(problem.detail || problem.title || "请求失败");
      this.status = status;
      this.detail = this.message;
      this.field = problem.field || null;
      this.problem = problem;
    }
  }

  function session() {
    try { return JSON.parse(sessionStorage.getItem(STORE)) || null; } catch (e) { return null; }
  }

  function claims(token) {
    // Only to know the user's name, role and canteen for the page; the server checks the token.
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(Array.from(atob(part),
      (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join(""));
    return JSON.parse(json);
  }

  async function signIn(username, password) {
    const reply = await api("POST", "/auth/token", {username, password}, {anonymous: true});
    const c = claims(reply.access_token);
    const who = {token: reply.access_token, username: c.sub, role: c.role,
                 canteen: c.canteen || null, expires: c.exp * 1000};
    sessionStorage.setItem(STORE, JSON.stringify(who));
    return who;
  }

  function signOut() {
    sessionStorage.removeItem(STORE);
    location.assign("/login");
  }

  function toLogin() {
    location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
  }

  function requireSignIn(roles) {
    /* The signed-in staff member, or a redirect to the login page (returns null then). */
    const who = session();
    if (!who || who.expires <= Date.now() || (roles && !roles.includes(who.role))) {
      if (who && roles && !roles.includes(who.role)) sessionStorage.removeItem(STORE);
      toLogin();
      return null;
    }
    return who;
  }

  async function api(method, path, body, options) {
    /* Calls /api/v1<path>; resolves to the JSON reply, rejects with an ApiError. */
    options = options || {};
    const headers = {"Accept": "application/json"};
    const who = session();
    if (who && !options.anonymous) headers["Authorization"] = "Bearer " + who.token;
    if (body !== undefined && body !== null) headers["Content-Type"] = "application/json";
    if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
    let response;
    try {
      response = await fetch("/api/v1" + path, {
        method, headers, body: body == null ? undefined : JSON.stringify(body)});
    } catch (e) {
      throw new ApiError(0, {detail: "网络连接失败，请检查网络后再试"});
    }
    const reply = await response.json().catch(() => ({}));
    if (response.status === 401 && who && !options.anonymous) {
      sessionStorage.removeItem(STORE);  // expired or revoked: sign in again, then come back
      toLogin();
    }
    if (!response.ok) throw new ApiError(response.status, reply);
    return reply;
  }

  function newKey() {
    /* An Idempotency-Key: make one per intended action and reuse it on retries. */
    return crypto.randomUUID ? crypto.randomUUID()
      : Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function yuan(fen) {
    /* Display only, like the pages' `yuan` filter: ¥12.50 for 1250 fen. */
    const sign = fen < 0 ? "-" : "";
    fen = Math.abs(fen);
    return sign + "¥" + Math.floor(fen / 100) + "." + String(fen % 100).padStart(2, "0");
  }

  function el(tag, attrs, ...children) {
    /* A tiny DOM builder: text is always set as text, never as HTML. */
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value == null) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child == null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  window.zhucan = {ApiError, api, signIn, signOut, requireSignIn, session, newKey, yuan, el};
})();
