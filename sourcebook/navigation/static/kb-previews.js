/* Sourcebook's link previews: hovering or focusing a link to a post or a glossary term shows
 * a card (a post's title, date, description and image; a term's definition, Chinese name and
 * abbreviations).
 *
 * The cards' data is in kb-previews/<n>.json, written by the build (sourcebook/navigation/
 * previews.py): a link's address is looked up in the file its hash names, fetched on the
 * first hover or focus that needs it and kept. The card is a tooltip: the link is described
 * by it while it shows, it takes no focus, Esc hides it, the pointer may move onto it, and a
 * touch opens the link as before (touches and clicks show nothing). It fades in unless the
 * reader asks for reduced motion. Everything shown is inserted as text, never as HTML.
 */
(function () {
  "use strict";

  const script = document.currentScript;
  if (!script || !window.fetch) return;
  const postsFolder = script.dataset.posts || "";
  const root = new URL(document.documentElement.dataset.content_root || "./", document.baseURI);
  const BUCKETS = 16; // sourcebook/navigation/preview_data.py's BUCKETS
  const SHOW_AFTER = 300; // ms of hovering before a card shows: not for a pointer passing by
  const HIDE_AFTER = 200; // ms before it goes: time to move the pointer onto it
  const files = new Map();
  let card = null;
  let shownFor = null; // the link whose card shows
  let showing = null; // the link whose card is on its way
  let showTimer = null;
  let hideTimer = null;

  /** FNV-1a (32 bits) of the address's UTF-8 bytes, as preview_data.bucket_of. */
  function bucketOf(address) {
    let value = 0x811c9dc5;
    for (const byte of new TextEncoder().encode(address)) {
      value ^= byte;
      value = Math.imul(value, 0x01000193) >>> 0;
    }
    return value % BUCKETS;
  }

  /** A link's address from the site's root, when a card may show for it: a post other than
   * this page, or a glossary term. */
  function addressOf(link) {
    let url;
    try {
      url = new URL(link.href);
    } catch (error) {
      return null;
    }
    if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) return null;
    const path = decodeURIComponent(url.pathname.slice(root.pathname.length));
    if (url.hash.startsWith("#term-")) return path + decodeURIComponent(url.hash);
    if (!postsFolder || !path.startsWith(postsFolder) || url.pathname === window.location.pathname) return null;
    return path;
  }

  /** Links in the page's text: not those of cards (which show the post already), of the
   * navigation or of the search dialog. */
  function linkAt(target) {
    const link = target instanceof Element ? target.closest("a[href]") : null;
    if (!link || !link.closest("article, [role=main], main")) return null;
    if (link.closest(".sd-card, nav, #kb-search-dialog, .kb-preview")) return null;
    return addressOf(link) ? link : null;
  }

  function lookUp(address) {
    const number = bucketOf(address);
    if (!files.has(number)) {
      files.set(
        number,
        fetch(new URL(`kb-previews/${number}.json`, root)).then((response) => (response.ok ? response.json() : {})),
      );
    }
    return files.get(number).then((found) => (Object.prototype.hasOwnProperty.call(found, address) ? found[address] : null));
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The card, and its style sheet (once), which it needs before it can be placed. */
  let styled = null;
  function makeCard() {
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = new URL("kb-previews.css", script.src).href;
    styled = new Promise((resolve) => {
      style.onload = resolve;
      style.onerror = resolve;
    });
    document.head.append(style);
    const made = element("div", "kb-preview");
    made.id = "kb-preview";
    made.setAttribute("role", "tooltip");
    made.hidden = true;
    made.addEventListener("pointerenter", () => clearTimeout(hideTimer));
    made.addEventListener("pointerleave", () => later(hide));
    document.body.append(made);
    return made;
  }

  function fill(preview) {
    const parts = [];
    if (preview.image) {
      const image = element("img", "kb-preview-image");
      image.src = new URL(preview.image, root).href;
      image.width = preview.width;
      image.height = preview.height;
      image.alt = "";
      parts.push(image);
    }
    parts.push(element("p", "kb-preview-title", preview.title));
    const about = [];
    if (preview.date) about.push(preview.date);
    if (preview.abbreviations) about.push(preview.abbreviations.join(", "));
    if (preview.chinese) about.push(preview.pinyin ? `${preview.chinese} (${preview.pinyin})` : preview.chinese);
    if (about.length) parts.push(element("p", "kb-preview-about", about.join(" · ")));
    if (preview.description) parts.push(element("p", "kb-preview-text", preview.description));
    card.className = `kb-preview kb-preview-${preview.kind === "term" ? "term" : "post"}`;
    card.replaceChildren(...parts);
  }

  function place(link) {
    const box = link.getBoundingClientRect();
    const width = card.offsetWidth;
    const height = card.offsetHeight;
    const room = window.innerWidth - 8;
    const left = Math.max(8, Math.min(box.left, room - width));
    const below = box.bottom + 8 + height <= window.innerHeight || box.top < height + 16;
    const top = below ? box.bottom + 8 : box.top - height - 8;
    card.style.left = `${left + window.scrollX}px`;
    card.style.top = `${top + window.scrollY}px`;
  }

  async function show(link) {
    clearTimeout(hideTimer);
    if (shownFor === link) return;
    showing = link;
    const preview = await lookUp(addressOf(link)).catch(() => null);
    if (showing !== link || !preview) return;
    if (!card) card = makeCard();
    await styled;
    if (showing !== link) return;
    hide();
    showing = link;
    fill(preview);
    card.hidden = false;
    card.classList.remove("kb-preview-shown");
    place(link);
    requestAnimationFrame(() => card.classList.add("kb-preview-shown"));
    // The hover text would show too, and say less: the card describes the link meanwhile.
    if (link.hasAttribute("title")) {
      link.dataset.kbTitle = link.getAttribute("title");
      link.removeAttribute("title");
    }
    link.setAttribute("aria-describedby", card.id);
    shownFor = link;
  }

  function hide() {
    clearTimeout(showTimer);
    showing = null;
    if (!shownFor) return;
    const link = shownFor;
    shownFor = null;
    card.hidden = true;
    card.classList.remove("kb-preview-shown");
    link.removeAttribute("aria-describedby");
    if (link.dataset.kbTitle !== undefined) {
      link.setAttribute("title", link.dataset.kbTitle);
      delete link.dataset.kbTitle;
    }
  }

  function later(action) {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(action, HIDE_AFTER);
  }

  document.addEventListener("pointerover", (event) => {
    if (event.pointerType === "touch") return;
    const link = linkAt(event.target);
    if (!link) return;
    clearTimeout(hideTimer);
    clearTimeout(showTimer);
    showTimer = setTimeout(() => show(link), SHOW_AFTER);
  });
  document.addEventListener("pointerout", (event) => {
    const link = linkAt(event.target);
    if (!link || (event.relatedTarget instanceof Node && link.contains(event.relatedTarget))) return;
    clearTimeout(showTimer);
    if (showing === link && shownFor !== link) showing = null;
    if (shownFor === link) later(hide);
  });
  document.addEventListener("focusin", (event) => {
    const link = linkAt(event.target);
    // The keyboard's focus only: a click or a touch focuses the link too.
    if (link && link.matches(":focus-visible")) show(link);
  });
  document.addEventListener("focusout", (event) => {
    if (shownFor && event.target === shownFor) hide();
    else if (showing && event.target === showing) showing = null;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && (shownFor || showing)) hide();
  });
  document.addEventListener("pointerdown", () => hide());
  window.kbPreviews = { bucketOf, addressOf };
})();
