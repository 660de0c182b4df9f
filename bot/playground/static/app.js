// The playground's Slack-like client. It polls /pg/state for what the chosen person
// sees and posts what they do to /pg/do; the stand-in delivers it to the app as Slack
// does. All app text goes through Mrkdwn (text nodes only).
"use strict";

const { renderMrkdwn, renderPlain } = window.Mrkdwn;

const ui = {
  me: null,
  view: null, // a conversation id, or "home"
  state: null,
  seen: {}, // conversation id -> messages read
  keys: {}, // what was last rendered, to re-render only what changed
  showJson: false,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

// Ids to names, as Slack shows <@U…> and <#C…>: people and the channels this workspace has.
function names() {
  const map = {};
  for (const c of (ui.state && ui.state.conversations) || []) if (c.kind === "channel") map[c.id] = c.name;
  for (const p of (ui.state && ui.state.people) || []) map[p.id] = p.name;
  return map;
}

function textObject(obj) {
  if (!obj) return el("span");
  return obj.type === "mrkdwn" ? renderMrkdwn(obj.text || "", names()) : renderPlain(obj.text || "");
}

function plainString(obj) {
  return obj && typeof obj.text === "string" ? obj.text : "";
}

// ---------------------------------------------------------------- talking to the stand-in

async function act(request) {
  const response = await fetch("/pg/do", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ as: ui.me, ...request }),
  });
  const answer = await response.json();
  if (!response.ok) showNotice(answer.error || "that did not work");
  await refresh();
  return answer;
}

async function refresh() {
  const response = await fetch("/pg/state?as=" + encodeURIComponent(ui.me));
  if (!response.ok) return;
  ui.state = await response.json();
  render();
}

function showNotice(text) {
  $("notice").textContent = text;
  $("notice-box").hidden = false;
}

// ---------------------------------------------------------------- Block Kit

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

// `where` says what a click belongs to: {channel, ts} for a message, {view_id} for a view.
function renderBlocks(blocks, where, errors) {
  const box = el("div", { class: "blocks" });
  (blocks || []).forEach((block, i) => {
    const node = renderBlock(block, i, where, errors || {});
    if (node) box.appendChild(node);
  });
  return box;
}

function renderBlock(block, i, where, errors) {
  const blockId = block.block_id || `b${i}`;
  switch (block.type) {
    case "header":
      return el("h3", { class: "b-header" }, renderPlain(plainString(block.text)));
    case "divider":
      return el("hr", { class: "b-divider" });
    case "section": {
      const section = el("div", { class: "b-section" });
      const body = el("div", { class: "b-section-body" });
      if (block.text) body.appendChild(textObject(block.text));
      if (block.fields && block.fields.length) {
        const fields = el("div", { class: "b-fields" });
        for (const f of block.fields) fields.appendChild(el("div", { class: "b-field" }, textObject(f)));
        body.appendChild(fields);
      }
      section.appendChild(body);
      if (block.accessory) {
        section.appendChild(
          el("div", { class: "b-accessory" }, renderElement(block.accessory, blockId, where, false)),
        );
      }
      return section;
    }
    case "context": {
      const context = el("div", { class: "b-context" });
      for (const item of block.elements || []) {
        context.appendChild(item.type === "image" ? imagePlaceholder(item.alt_text) : textObject(item));
      }
      return context;
    }
    case "actions": {
      const row = el("div", { class: "b-actions", role: "group" });
      for (const element of block.elements || []) row.appendChild(renderElement(element, blockId, where, false));
      return row;
    }
    case "image":
      return el(
        "figure",
        { class: "b-image" },
        imagePlaceholder(block.alt_text),
        block.title ? el("figcaption", {}, renderPlain(plainString(block.title))) : null,
      );
    case "input": {
      const id = nextId("input");
      const wrap = el("div", { class: "b-input", "data-block": blockId });
      const label = el("label", { for: id, class: "b-label" }, renderPlain(plainString(block.label)));
      if (block.optional) label.appendChild(el("span", { class: "optional", text: " (optional)" }));
      wrap.appendChild(label);
      wrap.appendChild(renderElement(block.element || {}, blockId, where, true, id));
      if (block.hint) wrap.appendChild(el("div", { class: "b-hint" }, renderPlain(plainString(block.hint))));
      const error = el("div", { class: "b-error", role: "alert", "data-error-for": blockId });
      if (errors[blockId]) error.textContent = errors[blockId];
      wrap.appendChild(error);
      return wrap;
    }
    default:
      return el("div", { class: "b-unknown", text: `[a ${block.type} block]` });
  }
}

function imagePlaceholder(alt) {
  // Nothing is fetched from outside: an image shows as its description.
  return el("span", { class: "b-img", role: "img", "aria-label": alt || "image", text: `🖼 ${alt || "image"}` });
}

function renderElement(element, blockId, where, inInput, id) {
  const common = {
    "data-block": blockId,
    "data-action": element.action_id || "",
    "data-type": element.type,
    id: id,
  };
  const placeholder = plainString(element.placeholder);
  switch (element.type) {
    case "button":
      return el(
        "button",
        {
          ...common,
          type: "button",
          class: `btn ${element.style ? "btn-" + element.style : ""}`,
          onclick: () =>
            confirmFirst(element.confirm, () =>
              dispatch(where, {
                type: "button",
                action_id: element.action_id,
                block_id: blockId,
                text: element.text,
                value: element.value,
                style: element.style,
              }),
            ),
        },
        renderPlain(plainString(element.text)),
      );
    case "static_select":
    case "users_select": {
      const select = el("select", { ...common, class: "select" });
      select.appendChild(el("option", { value: "", text: placeholder || "Choose…" }));
      const options =
        element.type === "users_select"
          ? ui.state.members.map((m) => ({ text: { type: "plain_text", text: names()[m] }, value: m }))
          : element.options || [];
      const initial = element.initial_option ? element.initial_option.value : element.initial_user;
      for (const o of options) {
        select.appendChild(el("option", { value: o.value, selected: o.value === initial, text: plainString(o.text) }));
      }
      if (!inInput) select.addEventListener("change", () => dispatch(where, selection(select)));
      if (!id) select.setAttribute("aria-label", placeholder || "Choose");
      return select;
    }
    case "datepicker": {
      const input = el("input", { ...common, type: "date", class: "date", value: element.initial_date });
      if (!inInput) input.addEventListener("change", () => dispatch(where, selection(input)));
      if (!id) input.setAttribute("aria-label", placeholder || "Date");
      return input;
    }
    case "plain_text_input": {
      const attrs = { ...common, class: "text", placeholder, maxlength: element.max_length };
      const input = element.multiline ? el("textarea", { ...attrs, rows: 3 }) : el("input", { ...attrs, type: "text" });
      input.value = element.initial_value || "";
      return input;
    }
    default:
      return el("span", { class: "b-unknown", text: `[a ${element.type} element]` });
  }
}

// A button with a `confirm` object: Slack asks first and sends nothing if the person declines.
function confirmFirst(confirm, then) {
  if (!confirm) return then();
  const dialog = $("confirm");
  $("confirm-title").textContent = plainString(confirm.title);
  $("confirm-text").replaceChildren(textObject(confirm.text));
  const ok = $("confirm-ok");
  ok.textContent = plainString(confirm.confirm);
  ok.className = `btn ${confirm.style === "danger" ? "btn-danger-solid" : "btn-primary"}`;
  ok.onclick = () => {
    dialog.close();
    then();
  };
  $("confirm-deny").textContent = plainString(confirm.deny);
  $("confirm-deny").onclick = () => dialog.close();
  dialog.showModal();
}

// What Slack sends for an input's current value, as in state.values and block_actions.
function selection(node) {
  const type = node.dataset.type;
  const base = { type, action_id: node.dataset.action, block_id: node.dataset.block };
  if (type === "datepicker") return { ...base, selected_date: node.value || null };
  if (type === "users_select") return { ...base, selected_user: node.value || null };
  if (type === "static_select") {
    const option = node.selectedOptions[0];
    return {
      ...base,
      selected_option: node.value
        ? { text: { type: "plain_text", text: option.textContent, emoji: true }, value: node.value }
        : null,
    };
  }
  return { ...base, value: node.value || null };
}

function stateOf(container) {
  const values = {};
  if (!container) return values;
  for (const node of container.querySelectorAll("[data-type]")) {
    if (node.dataset.type === "button") continue;
    const { action_id, block_id, ...value } = selection(node);
    (values[block_id] = values[block_id] || {})[action_id] = value;
  }
  return values;
}

function dispatch(where, action) {
  const container = where.view_id ? $(where.view_id === modalId() ? "modal-body" : "home") : null;
  return act({ op: "action", ...where, action, state: stateOf(container) });
}

const modalId = () => (ui.state && ui.state.modal ? ui.state.modal.id : null);

// ---------------------------------------------------------------- the page

function render() {
  const s = ui.state;
  renderOnce("clock", s.clock, renderClock);
  renderOnce("errors", s.errors, renderErrors);
  renderOnce("nav", [s.conversations, s.messages, ui.view, ui.me], renderNav);
  if (ui.view === "home") {
    renderOnce("main", [ui.view, s.home, ui.showJson], renderHome);
  } else {
    renderOnce("main", [ui.view, s.messages[ui.view], ui.showJson, s.people, s.conversations], renderConversation);
    ui.seen[ui.view] = (s.messages[ui.view] || []).length;
  }
  renderModal(s.modal);
}

function renderOnce(key, value, fn) {
  const json = JSON.stringify(value);
  if (ui.keys[key] === json) return;
  ui.keys[key] = json;
  fn();
}

function renderClock() {
  const c = ui.state.clock;
  $("clock-now").textContent = `${c.local} (${c.timezone})`;
  const jobs = c.jobs || {};
  setJump("jump-handover", "the handover", jobs.handover);
  setJump("jump-heads_up", "the heads-up", jobs.heads_up);
}

function setJump(id, what, due) {
  const button = $(id);
  button.hidden = !due;
  if (due) {
    button.textContent = `⏩ ${due}`;
    button.title = `Jump to a minute before ${what}`;
    button.setAttribute("aria-label", `Jump to ${due}, a minute before ${what}`);
  }
}

function renderErrors() {
  const list = $("errors");
  list.replaceChildren();
  for (const e of ui.state.errors.slice(-5)) {
    list.appendChild(
      el("li", {}, el("b", { text: `${e.method}: ${e.error}` }), el("span", { text: " " + (e.problems || []).join("; ") })),
    );
  }
  $("errors-box").hidden = ui.state.errors.length === 0;
}

function renderNav() {
  const nav = $("nav");
  nav.replaceChildren();
  const item = (id, label, count) => {
    const unread = id !== ui.view && count > (ui.seen[id] || 0);
    return el(
      "li",
      {},
      el(
        "button",
        {
          type: "button",
          class: `nav-item ${id === ui.view ? "active" : ""} ${unread ? "unread" : ""}`,
          "data-conv": id,
          "aria-current": id === ui.view ? "page" : null,
          onclick: () => openConversation(id),
          text: label + (unread ? ` (${count - (ui.seen[id] || 0)} new)` : ""),
        },
      ),
    );
  };
  nav.appendChild(el("li", { class: "nav-title", text: "oncall-bot" }));
  nav.appendChild(item("home", "🏠 Home", 0));
  nav.appendChild(el("li", { class: "nav-title", text: "Channels" }));
  for (const c of ui.state.conversations.filter((c) => c.kind === "channel")) {
    nav.appendChild(item(c.id, "# " + c.name, (ui.state.messages[c.id] || []).length));
  }
  nav.appendChild(el("li", { class: "nav-title", text: "Direct messages" }));
  for (const c of ui.state.conversations.filter((c) => c.kind === "dm")) {
    nav.appendChild(item(c.id, "💬 " + c.name, (ui.state.messages[c.id] || []).length));
  }
}

function conversationName(id) {
  const c = ui.state.conversations.find((c) => c.id === id);
  return c ? (c.kind === "channel" ? "#" + c.name : c.name) : id;
}

function renderConversation() {
  const main = $("main");
  const name = conversationName(ui.view);
  $("title").textContent = name;
  $("composer").hidden = false;
  $("composer-input").setAttribute("placeholder", `Message ${name} — try /oncall`);
  $("composer-label").textContent = `Message ${name}`;
  const list = el("ol", { class: "messages", id: "messages", "aria-live": "polite" });
  for (const m of ui.state.messages[ui.view] || []) list.appendChild(renderMessage(m));
  main.replaceChildren(list);
  list.lastChild && list.lastChild.scrollIntoView({ block: "end" });
}

function renderMessage(m) {
  const author = names()[m.user] || m.user;
  const reply = m.thread_ts && m.thread_ts !== m.ts; // Slack shows it in the thread: here, indented
  const item = el("li", { class: `message ${m.only_for ? "ephemeral" : ""} ${reply ? "reply" : ""}`, "data-ts": m.ts });
  const head = el("div", { class: "message-head" }, el("b", { class: "author", text: author }));
  if (reply) head.prepend(el("span", { class: "in-thread", text: "↳ in the thread" }));
  if (m.user === "UBOT") head.appendChild(el("span", { class: "app-badge", text: "APP" }));
  if (m.edited) head.appendChild(el("span", { class: "edited", text: "(edited)" }));
  if (m.only_for) head.appendChild(el("span", { class: "only-you", text: "Only visible to you" }));
  item.appendChild(head);
  if (m.refused) {
    item.classList.add("refused");
    item.appendChild(
      el(
        "div",
        { class: "refusal", role: "alert" },
        el("b", { text: `Slack refused this message: ${m.refused.error}` }),
        el("ul", {}, ...m.refused.problems.map((p) => el("li", { text: p }))),
      ),
    );
  } else if (m.blocks && m.blocks.length) {
    item.appendChild(renderBlocks(m.blocks, { channel: ui.view, ts: m.ts }));
  } else if (m.command) {
    item.appendChild(el("code", { class: "command", text: m.text }));
  } else {
    item.appendChild(renderMrkdwn(m.text || "", names()));
  }
  const json = jsonToggle(m);
  if (json) item.appendChild(json);
  return item;
}

function jsonToggle(payload) {
  if (!ui.showJson) return null;
  const shown = { ...payload };
  return el("details", { class: "json", open: true }, el("summary", { text: "JSON" }), el("pre", { text: JSON.stringify(shown, null, 2) }));
}

function renderHome() {
  const main = $("main");
  $("title").textContent = "oncall-bot — Home";
  $("composer").hidden = true;
  const home = ui.state.home;
  const box = el("div", { id: "home", class: "home" });
  if (!home) {
    box.appendChild(el("p", { class: "empty", text: "Opening the Home tab…" }));
  } else {
    box.appendChild(renderBlocks(home.blocks, { view_id: home.id }));
    const json = jsonToggle(home);
    if (json) box.appendChild(json);
  }
  main.replaceChildren(box);
}

function renderModal(view) {
  const dialog = $("modal");
  if (!view) {
    ui.keys.modal = null;
    if (dialog.open) dialog.close();
    return;
  }
  const key = JSON.stringify([view.id, view.hash, view.blocks, ui.showJson]);
  if (ui.keys.modal !== key) {
    ui.keys.modal = key;
    $("modal-title").textContent = plainString(view.title);
    const body = $("modal-body");
    body.replaceChildren(renderBlocks(view.blocks, { view_id: view.id }, view._errors));
    const json = jsonToggle(view);
    if (json) body.appendChild(json);
    $("modal-submit").hidden = !view.submit;
    $("modal-submit").textContent = plainString(view.submit) || "Submit";
    $("modal-close").textContent = plainString(view.close) || (view.submit ? "Cancel" : "Close");
    if (!dialog.open) dialog.showModal();
    const first = body.querySelector("input, select, textarea, button");
    if (first) first.focus();
  }
  // Errors from response_action: under their fields, without losing what was typed.
  const errors = view._errors || {};
  for (const node of $("modal-body").querySelectorAll("[data-error-for]")) {
    node.textContent = errors[node.dataset.errorFor] || "";
  }
}

function openConversation(id) {
  ui.view = id;
  ui.keys.main = null;
  if (id === "home") act({ op: "home" });
  else refresh();
  if (id !== "home") $("composer-input").focus();
}

function setup() {
  const who = $("who");
  fetch("/pg/state?as=U0PLAYGUEST")
    .then((r) => r.json())
    .then((state) => {
      for (const p of state.people.filter((p) => p.id !== "UBOT")) {
        who.appendChild(el("option", { value: p.id, text: p.name }));
      }
      ui.me = state.members[0] || "U0PLAYGUEST";
      who.value = ui.me;
      ui.view = state.conversations[0].id;
      refresh();
      setInterval(refresh, 400);
    });
  who.addEventListener("change", () => {
    ui.me = who.value;
    ui.seen = {};
    ui.keys = {};
    for (const dialog of [$("modal"), $("confirm")]) if (dialog.open) dialog.close();
    if (ui.view === "home") act({ op: "home" });
    else refresh();
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("composer-input");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    act({ op: "command", channel: ui.view, text });
  });
  $("modal-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act({ op: "submit", view_id: modalId(), state: stateOf($("modal-body")) });
  });
  $("modal-close").addEventListener("click", () => act({ op: "close", view_id: modalId() }));
  $("modal").addEventListener("cancel", (event) => {
    event.preventDefault(); // Escape: closed through the app, as Slack does
    act({ op: "close", view_id: modalId() });
  });
  for (const to of ["handover", "heads_up", "minute", "hour", "day"]) {
    $("jump-" + to).addEventListener("click", () => act({ op: "clock", to }));
  }
  $("show-json").addEventListener("change", (event) => {
    ui.showJson = event.target.checked;
    ui.keys = {};
    render();
  });
  $("notice-close").addEventListener("click", () => ($("notice-box").hidden = true));
}

document.addEventListener("DOMContentLoaded", setup);
