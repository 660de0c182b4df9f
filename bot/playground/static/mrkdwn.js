// Slack's mrkdwn as DOM nodes. Every piece of text becomes a text node (textContent),
// never HTML: a name like <img onerror=...> shows as those characters.
(() => {
"use strict";

const EMOJI = {
  wave: "👋", warning: "⚠️", rotating_light: "🚨", hourglass: "⌛", x: "❌",
  palm_tree: "🌴", repeat: "🔁", book: "📖", heavy_multiplication_x: "✖️",
  no_entry_sign: "🚫", white_check_mark: "✅", incoming_envelope: "📨",
  arrows_counterclockwise: "🔄", hourglass_flowing_sand: "⏳", information_source: "ℹ️",
  point_right: "👉", point_left: "👈", calendar: "📅", clock9: "🕘",
  busts_in_silhouette: "👥", bust_in_silhouette: "👤", memo: "📝", pushpin: "📌",
  tada: "🎉", bell: "🔔", lock: "🔒", mag: "🔍", fire: "🔥", sos: "🆘",
  spiral_calendar_pad: "🗓️", date: "📅", checkered_flag: "🏁", bulb: "💡",
  handshake: "🤝", recycle: "♻️", telephone_receiver: "📞", leftwards_arrow_with_hook: "↩️",
};

// Slack escapes exactly these three in mrkdwn; everything else is literal.
function unescapeSlack(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

const INLINE = new RegExp(
  [
    "(<[^<>\\n]+>)", // <@U1>, <#C1|name>, <!date^...|fallback>, <url|label>
    "(`[^`\\n]+`)", // code
    "((?<![\\w*])\\*(?!\\s)[^*\\n]+?(?<!\\s)\\*(?![\\w*]))", // *bold*
    "((?<![\\w])_(?!\\s)[^_\\n]+?(?<!\\s)_(?![\\w]))", // _italic_
    "((?<![\\w~])~(?!\\s)[^~\\n]+?(?<!\\s)~(?![\\w~]))", // ~strike~
    "(:[a-z0-9_+\\-]+:)", // :emoji:
  ].join("|"),
  "g",
);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function angle(inner, names) {
  const [target, label] = splitOnce(inner, "|");
  if (target.startsWith("@")) {
    const id = target.slice(1);
    return el("span", "mention", "@" + (names[id] || label || id));
  }
  if (target.startsWith("#")) {
    return el("span", "mention", "#" + (label || names[target.slice(1)] || target.slice(1)));
  }
  if (target.startsWith("!date^")) {
    return el("span", "date", unescapeSlack(label || target));
  }
  if (target.startsWith("!subteam^")) {
    return el("span", "mention", unescapeSlack(label || "@group"));
  }
  if (target.startsWith("!")) {
    return el("span", "mention", "@" + target.slice(1));
  }
  const url = unescapeSlack(target);
  if (/^(https?:|mailto:)/i.test(url)) {
    const link = el("a", "link");
    link.href = url;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    inline(label !== undefined ? label : target, link, names);
    return link;
  }
  return document.createTextNode(unescapeSlack("<" + inner + ">"));
}

function splitOnce(text, sep) {
  const at = text.indexOf(sep);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function inline(text, parent, names) {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) {
      parent.appendChild(document.createTextNode(unescapeSlack(text.slice(last, match.index))));
    }
    const token = match[0];
    if (match[1]) {
      parent.appendChild(angle(token.slice(1, -1), names));
    } else if (match[2]) {
      parent.appendChild(el("code", "", unescapeSlack(token.slice(1, -1))));
    } else if (match[3] || match[4] || match[5]) {
      const node = el(match[3] ? "b" : match[4] ? "i" : "s");
      inline(token.slice(1, -1), node, names);
      parent.appendChild(node);
    } else {
      const name = token.slice(1, -1);
      parent.appendChild(document.createTextNode(EMOJI[name] || token));
    }
    last = match.index + token.length;
  }
  if (last < text.length) {
    parent.appendChild(document.createTextNode(unescapeSlack(text.slice(last))));
  }
}

// A whole mrkdwn text: ``` blocks, > quotes, lines; `names` maps user ids to names.
function renderMrkdwn(text, names) {
  const root = el("div", "mrkdwn");
  const parts = String(text).split("```");
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      root.appendChild(el("pre", "codeblock", unescapeSlack(part.replace(/^\n/, ""))));
      return;
    }
    const lines = part.split("\n");
    lines.forEach((line, j) => {
      const quote = /^(>|&gt;) ?/.exec(line);
      if (quote) {
        const q = el("blockquote");
        inline(line.slice(quote[0].length), q, names);
        root.appendChild(q);
        return;
      }
      inline(line, root, names);
      if (j < lines.length - 1) root.appendChild(el("br"));
    });
  });
  return root;
}

// plain_text: no formatting, but Slack shows :emoji: codes as emoji.
function renderPlain(text) {
  return el("span", "plain", String(text).replace(/:([a-z0-9_+\-]+):/g, (m, n) => EMOJI[n] || m));
}

window.Mrkdwn = { renderMrkdwn, renderPlain, EMOJI };
})();
