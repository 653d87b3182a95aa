/* Sourcebook's search page: shows the answers of the search engine (kb-search-engine.js, run
 * as a worker). When the worker or the site's index cannot be loaded, it says why, or falls
 * back to Sphinx's own search where the site ships its index (kb_sphinx_search).
 *
 * The page's head starts the worker with the address's query (templates/search.html), so the
 * query is read, ranked and its excerpts cut while the theme still loads; this script shows
 * the results once the page is there. Everything shown is inserted as text, never as HTML.
 */
(function () {
  "use strict";

  const script = document.currentScript;
  const root = new URL((script && script.dataset.root) || "./", document.baseURI);
  const compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The filters for the selected values of each facet (as the engine's filtersOf). */
  function filtersOf(selected) {
    const filters = {};
    for (const key of ["tag", "year"]) {
      const values = selected(key);
      if (values.length) filters[key] = { any: values };
    }
    return filters;
  }

  /** A result's excerpt: text, and <mark> elements around the words the query asked for. */
  function excerptNodes(result) {
    const fragment = document.createDocumentFragment();
    if (result.before) fragment.append("… ");
    result.snippet.forEach(([word, asked], i) => {
      if (i) fragment.append(" ");
      fragment.append(asked ? element("mark", "", word) : word);
    });
    if (result.after) fragment.append(" …");
    return fragment;
  }

  // The search page's head started the worker with the address's query (templates/search.html);
  // its messages wait in the inbox until the page is there.
  const boot = window.kbSearchBoot || {
    first: { serial: 1, query: "", filters: {} },
    inbox: [{ type: "failed", message: "no search worker" }],
    worker: null,
  };
  const { first, inbox, worker } = boot;
  const params = new URLSearchParams(window.location.search);
  let deliver = (message) => inbox.push(message);
  if (worker) {
    worker.onmessage = (event) => deliver(event.data);
    worker.onerror = (event) => deliver({ type: "failed", message: event.message || "the search worker failed" });
  }

  class SearchPage {
    constructor(mount, serial) {
      this.mount = mount;
      this.form = mount.querySelector("form");
      this.input = mount.querySelector("input[name=q]");
      this.message = mount.querySelector(".kb-search-message");
      this.list = mount.querySelector(".kb-search-results");
      this.more = mount.querySelector(".kb-search-more");
      this.facets = mount.querySelector(".kb-search-facets");
      this.filtersToggle = mount.querySelector(".kb-search-filters-toggle");
      this.selected = { tag: new Set(), year: new Set() };
      this.serial = serial; // the newest search sent
      this.current = null; // what the worker said of it: query, answer, results shown
    }

    start() {
      this.input.value = first.query;
      for (const key of ["tag", "year"]) for (const value of params.getAll(key)) this.selected[key].add(value);
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.run();
      });
      let timer = null;
      this.input.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(() => this.run(), 250);
      });
      // On a phone the filters are behind this button (kb-search.css), which says how many are set.
      this.filtersToggle.addEventListener("click", () => {
        const open = this.filtersToggle.getAttribute("aria-expanded") === "true";
        this.filtersToggle.setAttribute("aria-expanded", String(!open));
      });
      this.countFilters();
      this.more.addEventListener("click", () => {
        this.more.disabled = true;
        worker.postMessage({ type: "more", serial: this.serial, from: this.current.shown });
      });
      // Opened to ask a question, the page is ready for it; opened with one, its answers are
      // what the reader came for, and the skip link stays the first stop of the keyboard.
      if (!first.query) this.input.focus();
      this.current = first.query ? { query: first.query, answer: null, shown: 0 } : null;
      // The filters' counts come after the first results, not before them.
      if (!first.query) worker.postMessage({ type: "filters" });
    }

    receive(message) {
      if (message.type === "filters") return this.renderFacets(message.counts);
      if (message.serial !== this.serial || !this.current) return; // an older search's
      const current = this.current;
      if (message.type === "answer") {
        current.answer = message;
        if (!message.total) this.list.replaceChildren();
        // The line says what is left out already, before the results come below it: it
        // then grows by a word at most, and pushes no result down (layout shift).
        else this.summarise("Searching for", current.query, message);
      } else if (message.type === "result") {
        const item = this.result(message.result);
        // The previous results stay until the first new one replaces them.
        if (message.number === 0) {
          this.list.replaceChildren(item);
          performance.mark("kb-search:shown");
        } else {
          this.list.append(item);
        }
      } else if (message.type === "page") {
        const firstPage = current.shown === 0;
        current.shown = message.shown;
        this.more.disabled = false;
        this.more.hidden = current.shown >= current.answer.total;
        // The summary comes last: once it is there, the whole first page of results is.
        if (firstPage) {
          const { total } = current.answer;
          this.summarise(`${total} ${total === 1 ? "result" : "results"} for`, current.query, current.answer);
        }
        if (firstPage && !this.facets.childElementCount) worker.postMessage({ type: "filters" });
      } else if (message.type === "error") {
        this.message.textContent = `The search failed: ${message.message}`;
      }
      return undefined;
    }

    summarise(what, query, { corrections, common }) {
      this.message.textContent = `${what} ${query}`;
      if (corrections.length) {
        const note = corrections.map(([typed, fixed]) => `“${fixed}” for “${typed}”`).join(", ");
        this.message.append(element("span", "kb-search-correction", ` (searching ${note})`));
      }
      if (common.length) {
        const left = common.map((word) => `“${word}”`).join(", ");
        this.message.append(element("span", "kb-search-common", ` (left out, in most posts: ${left})`));
      }
    }

    renderFacets(available) {
      const labels = { tag: "Tag", year: "Year" };
      this.facets.replaceChildren();
      for (const key of ["tag", "year"]) {
        const values = Object.entries(available[key] || {});
        if (!values.length) continue;
        values.sort(key === "year" ? (a, b) => compare(b[0], a[0]) : (a, b) => compare(a[0], b[0]));
        const group = element("fieldset", `kb-search-facet kb-search-facet-${key}`);
        group.append(element("legend", "", labels[key]));
        for (const [value, count] of values) {
          const label = element("label", "kb-search-option");
          const box = document.createElement("input");
          box.type = "checkbox";
          box.name = key;
          box.value = value;
          box.checked = this.selected[key].has(value);
          box.addEventListener("change", () => {
            if (box.checked) this.selected[key].add(value);
            else this.selected[key].delete(value);
            this.countFilters();
            this.run();
          });
          label.append(box, ` ${value} `, element("span", "kb-search-count", `(${count})`));
          group.append(label);
        }
        this.facets.append(group);
      }
    }

    countFilters() {
      const set = this.selected.tag.size + this.selected.year.size;
      this.filtersToggle.textContent = set ? `Filters (${set} set)` : "Filters";
    }

    remember(query) {
      const url = new URL(window.location.href);
      url.searchParams.set("q", query);
      for (const key of ["tag", "year"]) {
        url.searchParams.delete(key);
        for (const value of this.selected[key]) url.searchParams.append(key, value);
      }
      window.history.replaceState(null, "", url);
    }

    run() {
      const query = this.input.value.trim();
      this.remember(query);
      this.serial += 1;
      if (!query) {
        this.current = null;
        this.list.replaceChildren();
        this.message.textContent = "";
        this.more.hidden = true;
        return;
      }
      performance.mark("kb-search:query");
      this.current = { query, answer: null, shown: 0 };
      const filters = filtersOf((key) => [...this.selected[key]]);
      worker.postMessage({ type: "search", serial: this.serial, query, filters });
    }

    result(data) {
      const item = element("li", "kb-search-result");
      const link = element("a", "kb-search-result-link", data.title || data.url);
      // Addresses are relative to the site's root, wherever it is served from.
      link.href = new URL(data.url, root).href;
      const heading = element("p", "kb-search-result-title");
      heading.append(link);
      item.append(heading);
      if (data.date) item.append(element("p", "kb-search-result-date", data.date));
      if (data.section) {
        const sectionLink = element("a", "kb-search-result-section", `§ ${data.section.title}`);
        sectionLink.href = new URL(`${data.url}#${data.section.anchor}`, root).href;
        const line = element("p", "kb-search-result-section-line");
        line.append(sectionLink);
        item.append(line);
      }
      const excerpt = element("p", "kb-search-result-excerpt");
      excerpt.append(excerptNodes(data));
      item.append(excerpt);
      return item;
    }
  }

  /** When ours cannot run (no worker, no index): Sphinx's own search where the site ships its
   * index, else a sentence saying why and what to do. */
  function fallBack(mount, reason) {
    if (worker) worker.terminate();
    if (!(script && "sphinxSearch" in script.dataset)) {
      console.info("[Sourcebook] search index not available:", reason);
      const fromDisk = window.location.protocol === "file:";
      mount.querySelector(".kb-search-message").textContent = fromDisk
        ? "Search needs the site served over HTTP: browsers do not let a page opened from disk read " +
          "the search index. Serve the folder (python -m http.server -d _build/html) and open " +
          "http://localhost:8000/search.html."
        : `The search index could not be loaded (${reason}).`;
      for (const control of mount.querySelectorAll("form, .kb-search-facets")) control.hidden = true;
      const theirs = document.querySelector(".bd-search-container");
      if (theirs) theirs.hidden = true;
      mount.hidden = false;
      return;
    }
    console.info("[Sourcebook] search index not available, using Sphinx's search:", reason);
    mount.remove();
    document.documentElement.classList.remove("kb-search-running");
    // In this order: the stemmer and stop words, the search (which reads the address's query
    // at once, the page being loaded), then its index, which runs the query. The search needs
    // Sphinx's doctools.js (its _ready, _ and Documentation), which the page defers: so not
    // before it has run. A deferred script runs once the page is "interactive", before
    // DOMContentLoaded: the page's state alone does not say whether it has.
    const load = () => {
      for (const name of ["_static/language_data.js", "_static/searchtools.js", "searchindex.js"]) {
        const loaded = document.createElement("script");
        loaded.src = new URL(name, root).href;
        loaded.async = false;
        document.head.append(loaded);
      }
    };
    let started = false;
    const loadOnce = () => {
      if (!started) {
        started = true;
        load();
      }
    };
    if (typeof Documentation !== "undefined" || document.readyState === "complete") loadOnce();
    else {
      document.addEventListener("DOMContentLoaded", loadOnce, { once: true });
      window.addEventListener("load", loadOnce, { once: true });
    }
  }

  /** Show the page once its search elements are there (the page says so right after them,
   * before the theme's deferred scripts run) and the worker has loaded the index (or could not). */
  async function start() {
    if (document.readyState === "loading" && !boot.mounted) {
      await new Promise((resolve) => {
        boot.whenMounted = resolve;
        document.addEventListener("DOMContentLoaded", resolve, { once: true });
      });
    }
    const mount = document.getElementById("kb-search");
    if (!mount) {
      if (worker) worker.terminate();
      return;
    }
    const outcome = await new Promise((resolve) => {
      deliver = (message) => {
        if (message.type === "ready" || message.type === "failed") resolve(message);
        else inbox.push(message);
      };
      const known = inbox.findIndex((message) => message.type === "ready" || message.type === "failed");
      if (known >= 0) resolve(inbox.splice(known, 1)[0]);
    });
    if (outcome.type === "failed") {
      fallBack(mount, outcome.message);
      return;
    }
    const page = new SearchPage(mount, first.query ? first.serial : 0);
    page.start();
    deliver = (message) => page.receive(message);
    for (const message of inbox.splice(0)) page.receive(message);
    window.kbSearch = { page, worker };
  }

  window.kbSearchReady = start();
})();
