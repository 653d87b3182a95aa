/* Sourcebook's search dialog: results as you type, from the search page's engine.
 *
 * Loaded by kb-search-dialog-loader.js the first time the dialog opens. It starts the search
 * engine (kb-search-engine.js) as a worker, the one the search page runs, with the same
 * index, reading of queries and ranking, and shows its answers: each post's title, date and
 * excerpt, and the section holding the answer as a sub-result.
 *
 * The box is a combobox and the answers a listbox: the focus stays in the box, ↑ and ↓ move
 * the active option (aria-activedescendant), Enter opens it (or, with none, the search page
 * with the query), Esc closes the dialog and gives the focus back to what had it. A modal
 * <dialog> keeps the focus inside it. With the box empty the listbox holds the recent
 * searches, kept in localStorage. Everything shown is inserted as text, never as HTML.
 */
(function () {
  "use strict";

  const dialog = document.getElementById("kb-search-dialog");
  const form = dialog.querySelector("form");
  const input = dialog.querySelector("input[name=q]");
  const list = dialog.querySelector(".kb-search-dialog-options");
  const heading = dialog.querySelector(".kb-search-dialog-heading");
  const status = dialog.querySelector(".kb-search-dialog-status");
  const empty = dialog.querySelector(".kb-search-dialog-empty");
  const clear = dialog.querySelector(".kb-search-dialog-clear");
  const all = dialog.querySelector(".kb-search-dialog-all");
  const root = new URL(dialog.dataset.root || "./", document.baseURI);
  const searchPage = new URL(dialog.dataset.searchPage || "search.html", document.baseURI);

  // Fewer results than the search page's ten: each new one is a fragment to fetch.
  const RESULTS = 6;
  // A last word shorter than this, after a longer one, waits for more letters, or for a pause
  // (PAUSE ms): "how much d" is searched as "how much" while "d", which would match the start
  // of thousands of words, is being typed.
  const TYPED_WORD = 3;
  const PAUSE = 300;
  const RECENT_KEY = "kb-search-recent";
  const RECENT_COUNT = 5;
  // How long the answer must stay the same before its count is announced: not at each key.
  const ANNOUNCE_AFTER = 600;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- Recent searches -------------------------------------------------------------------

  function recent() {
    try {
      const stored = JSON.parse(window.localStorage.getItem(RECENT_KEY) || "[]");
      return Array.isArray(stored) ? stored.filter((query) => typeof query === "string").slice(0, RECENT_COUNT) : [];
    } catch (error) {
      return []; // storage off, or not ours
    }
  }

  function remember(query) {
    const kept = [query, ...recent().filter((other) => other !== query)].slice(0, RECENT_COUNT);
    try {
      window.localStorage.setItem(RECENT_KEY, JSON.stringify(kept));
    } catch (error) {
      // storage off or full: the search works without it
    }
  }

  function forget() {
    try {
      window.localStorage.removeItem(RECENT_KEY);
    } catch (error) {
      // nothing to forget
    }
  }

  // --- The worker ------------------------------------------------------------------------

  let worker = null;
  let failed = false;
  let serial = 0; // the newest search sent
  // The search shown or on its way: the worker's serial, the query, its number of results,
  // whether all of its page is in, and the keys (input events) whose search it is.
  let current = null;
  let announce = null;

  function startWorker() {
    if (worker || failed) return;
    try {
      const engine = new URL("_static/kb-search-engine.js", root);
      worker = new Worker(engine, { name: JSON.stringify({ root: root.href, first: null }) });
    } catch (error) {
      fail(String(error)); // a page opened from disk cannot start a worker
      return;
    }
    worker.onmessage = (event) => receive(event.data);
    worker.onerror = (event) => fail(event.message || "the search worker failed");
  }

  function fail(message) {
    console.info("[Sourcebook] the search dialog cannot search here:", message);
    failed = true;
    if (worker) worker.terminate();
    worker = null;
    dialog.classList.add("kb-search-dialog-offline");
    list.replaceChildren();
    list.hidden = true;
    heading.hidden = true;
    status.textContent = "Press Enter to search on the search page.";
  }

  /** What is searched while the box holds ``typed``: the text without a last word still being
   * typed (shorter than TYPED_WORD letters, not Chinese, after a word that is not), unless the
   * typing has paused. */
  function searchedFor(typed, paused) {
    const text = typed.trim();
    const last = /[\p{L}\p{N}]+$/u.exec(typed);
    if (paused || !last || [...last[0]].length >= TYPED_WORD || /[\u3400-\u9fff]/.test(last[0])) return text;
    const before = typed.slice(0, last.index);
    const longer = (before.match(/[\p{L}\p{N}]+/gu) || []).some((word) => [...word].length >= TYPED_WORD);
    return longer ? before.trim() : text;
  }

  let pause = null;

  /** Search what the box holds. ``key``, the box's text at an input event (none after a
   * pause), is the detail of the performance marks of its search and of its results on
   * screen (``kb-dialog:query`` and ``kb-dialog:shown``), which benchmarks/search_dialog.py reads. */
  function send(key = null, paused = false) {
    const typed = input.value.trim();
    clearTimeout(pause);
    all.href = typed ? `${searchPage.href.split("?")[0]}?q=${encodeURIComponent(typed)}` : searchPage.href;
    serial += 1;
    clearTimeout(announce);
    if (!typed) {
      current = null;
      showRecent();
      return;
    }
    if (failed) return;
    if (key !== null) performance.mark("kb-dialog:query", { detail: key });
    const query = searchedFor(input.value, paused);
    if (query !== typed) {
      pause = setTimeout(() => send(null, true), PAUSE);
      // The index chunk the word being typed will need, fetched while it is typed.
      const word = /[\p{L}\p{N}]+$/u.exec(input.value);
      if (worker && word && word[0].length > 1) worker.postMessage({ type: "prefetch", words: [word[0].toLowerCase()] });
    }
    if (current && current.query === query) {
      // The same search as the one shown (or on its way): its results stay.
      if (key === null) return;
      if (current.done) performance.mark("kb-dialog:shown", { detail: key });
      else current.keys.push(key);
      return;
    }
    current = { serial, query, total: null, done: false, keys: key === null ? [] : [key] };
    startWorker();
    // The worker reads the query while it still loads the index, and answers once it has it.
    if (worker) worker.postMessage({ type: "search", serial, query, filters: {}, size: RESULTS, prefetch: RESULTS });
  }

  function receive(message) {
    if (message.type === "failed") {
      fail(message.message);
      return;
    }
    if (!current || message.serial !== current.serial) return; // an older search's
    if (message.type === "answer") {
      current.total = message.total;
      if (!message.total) {
        showOptions([], "");
        empty.textContent = `No results for ${current.query}`;
        empty.hidden = false;
      }
    } else if (message.type === "result") {
      const options = resultOptions(message.result, message.number);
      // The previous results stay until the first new one replaces them.
      if (message.number === 0) showOptions(options, "Results");
      else list.append(...options);
    } else if (message.type === "page") {
      current.done = true;
      // Each key whose search this is has its results on screen.
      for (const key of current.keys) performance.mark("kb-dialog:shown", { detail: key });
      const { total, query } = current;
      say(total ? `${total} ${total === 1 ? "result" : "results"} for ${query}` : `No results for ${query}`);
    } else if (message.type === "error") {
      showOptions([], "");
      say(`The search failed: ${message.message}`);
    }
  }

  /** Announce (and show) a line once the answer has stayed the same for a moment. */
  function say(text) {
    clearTimeout(announce);
    announce = setTimeout(() => {
      status.textContent = text;
    }, ANNOUNCE_AFTER);
  }

  // --- Options ---------------------------------------------------------------------------

  let active = -1;

  function options() {
    return [...list.querySelectorAll("[role=option]")];
  }

  function showOptions(items, label) {
    active = -1;
    empty.hidden = true;
    input.removeAttribute("aria-activedescendant");
    list.replaceChildren(...items);
    list.hidden = items.length === 0;
    heading.textContent = label;
    heading.hidden = !label;
    input.setAttribute("aria-expanded", String(items.length > 0));
  }

  function option(id, className, href) {
    const item = element("li", `kb-search-dialog-option ${className}`);
    item.id = id;
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    if (href) item.dataset.href = href;
    return item;
  }

  /** A result's options: the post (title, date, excerpt), then its section if any. */
  function resultOptions(result, number) {
    const url = new URL(result.url, root).href;
    const post = option(`kb-search-dialog-result-${number}`, "kb-search-dialog-result", url);
    const title = element("span", "kb-search-dialog-title", result.title || result.url);
    post.append(title);
    if (result.date) post.append(element("span", "kb-search-dialog-date", result.date));
    const excerpt = element("span", "kb-search-dialog-excerpt");
    if (result.before) excerpt.append("… ");
    result.snippet.forEach(([word, asked], i) => {
      if (i) excerpt.append(" ");
      excerpt.append(asked ? element("mark", "", word) : word);
    });
    if (result.after) excerpt.append(" …");
    post.append(excerpt);
    if (!result.section) return [post];
    const section = option(
      `kb-search-dialog-result-${number}-section`,
      "kb-search-dialog-section",
      new URL(`${result.url}#${result.section.anchor}`, root).href,
    );
    section.append(element("span", "kb-search-dialog-section-title", `§ ${result.section.title}`));
    section.setAttribute("aria-label", `${result.section.title}, a section of ${result.title}`);
    return [post, section];
  }

  function showRecent() {
    const queries = recent();
    const items = queries.map((query, number) => {
      const item = option(`kb-search-dialog-recent-${number}`, "kb-search-dialog-recent");
      item.dataset.query = query;
      item.append(element("span", "kb-search-dialog-title", query));
      return item;
    });
    showOptions(items, items.length ? "Recent searches" : "");
    clear.hidden = items.length === 0;
    if (!failed) status.textContent = "";
  }

  function activate(number) {
    const all = options();
    if (!all.length) return;
    if (active >= 0 && all[active]) all[active].setAttribute("aria-selected", "false");
    active = (number + all.length) % all.length;
    const chosen = all[active];
    chosen.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", chosen.id);
    chosen.scrollIntoView({ block: "nearest" });
  }

  /** Open an option: a result's page, or a recent search searched again. */
  function choose(item, newTab) {
    if (item.dataset.query !== undefined) {
      input.value = item.dataset.query;
      send(null, true);
      input.focus();
      return;
    }
    if (input.value.trim()) remember(input.value.trim());
    if (newTab) window.open(item.dataset.href, "_blank", "noopener");
    else window.location.assign(item.dataset.href);
  }

  // --- Events ----------------------------------------------------------------------------

  input.addEventListener("input", () => send(input.value));
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      activate(active + (event.key === "ArrowDown" ? 1 : active < 0 ? 0 : -1));
    } else if (event.key === "Enter") {
      const chosen = options()[active];
      if (chosen) {
        event.preventDefault();
        choose(chosen, event.ctrlKey || event.metaKey);
      } else if (input.value.trim()) {
        remember(input.value.trim()); // the form opens the search page with the query
      } else {
        event.preventDefault();
      }
    } else if (event.key === "Escape") {
      // One Esc closes: a search box would first clear itself.
      event.preventDefault();
      dialog.close();
    }
  });
  list.addEventListener("mousedown", (event) => event.preventDefault()); // the focus stays in the box
  list.addEventListener("click", (event) => {
    const item = event.target.closest("[role=option]");
    if (item) choose(item, event.ctrlKey || event.metaKey);
  });
  list.addEventListener("auxclick", (event) => {
    const item = event.target.closest("[role=option]");
    if (item && event.button === 1 && item.dataset.href) window.open(item.dataset.href, "_blank", "noopener");
  });
  all.addEventListener("click", () => {
    if (input.value.trim()) remember(input.value.trim());
  });
  clear.addEventListener("click", () => {
    forget();
    showRecent();
    input.focus();
  });
  dialog.querySelector(".kb-search-dialog-close").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", () => {
    if (input.value.trim()) remember(input.value.trim());
  });
  // A click on the backdrop (outside the dialog's box) closes it.
  dialog.addEventListener("click", (event) => {
    if (event.target !== dialog) return;
    const box = dialog.getBoundingClientRect();
    const inside =
      event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
    if (!inside) dialog.close();
  });
  dialog.addEventListener("close", () => {
    const opener = dialog.kbOpener;
    dialog.kbOpener = null;
    if (opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
  });

  window.kbSearchDialog = {
    /** Called by the loader each time the dialog opens (the first time, once this has run). */
    opened() {
      if (failed) return;
      startWorker();
      if (input.value.trim()) {
        if (!current || current.query !== input.value.trim()) send(null, true);
      } else {
        showRecent();
      }
    },
  };
})();
