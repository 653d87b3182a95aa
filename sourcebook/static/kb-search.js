/* Sourcebook's search page: Pagefind's index, read and ranked the Sourcebook way.
 *
 * The query is read exactly as sourcebook/search_query.py reads it (glossary names, stop
 * words, one-typo corrections, from the same kb-search/ data files), each unit is searched
 * with Pagefind, and posts are ranked by the sum over units of idf(unit) × (score ÷ the
 * unit's best score), as sourcebook/search_command.py ranks them on the command line.
 * Everything shown comes from Pagefind's fragments and is inserted as text, never as HTML.
 */
(function () {
  "use strict";

  const WORD = /[\p{L}\p{N}]+/gu;
  const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
  const PAGE_SIZE = 10;

  const normalise = (text) => text.normalize("NFKC").toLowerCase();
  const wordsOf = (text) => text.match(WORD) || [];
  const isChinese = (name) => CJK.test(name);
  const letterOf = (word) => (word[0] >= "a" && word[0] <= "z" ? word[0] : "_");
  const compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

  function withinOneEdit(typed, known) {
    if (typed === known || Math.abs(typed.length - known.length) > 1) return false;
    if (typed.length === known.length) {
      const diffs = [];
      for (let i = 0; i < typed.length; i++) if (typed[i] !== known[i]) diffs.push(i);
      if (diffs.length === 1) return true;
      return (
        diffs.length === 2 &&
        diffs[1] === diffs[0] + 1 &&
        typed[diffs[0]] === known[diffs[1]] &&
        typed[diffs[1]] === known[diffs[0]]
      );
    }
    const [short, long] = typed.length < known.length ? [typed, known] : [known, typed];
    let i = 0;
    while (i < short.length && short[i] === long[i]) i++;
    return short.slice(i) === long.slice(i + 1);
  }

  function correction(word, known) {
    let best = null;
    for (const [candidate, count] of Object.entries(known)) {
      if (!withinOneEdit(word, candidate)) continue;
      if (best === null || count > best[0] || (count === best[0] && compare(candidate, best[1]) < 0)) {
        best = [count, candidate];
      }
    }
    return best ? best[1] : null;
  }

  function idf(posts, matching) {
    return Math.log(1 + (posts - matching + 0.5) / (matching + 0.5));
  }

  /** Reads queries with the site's terms.json and words/<letter>.json. */
  class QueryReader {
    constructor(terms, dataUrl) {
      this.posts = terms.posts;
      this.typoMinLength = terms.typoMinLength;
      this.listedMinLength = terms.listedMinLength;
      this.commonShare = terms.commonShare;
      this.stopWords = new Set(terms.stopWords);
      this.dataUrl = dataUrl;
      this.shards = shardCache;
      this.nameWords = new Set();
      this.chinese = [];
      this.latin = [];
      for (const concept of terms.concepts) {
        for (const name of concept.names) {
          for (const word of wordsOf(name)) this.nameWords.add(word);
          if (isChinese(name)) this.chinese.push([name, concept]);
          else if (wordsOf(name).length) this.latin.push([wordsOf(name), name, concept]);
        }
      }
      this.chinese.sort((a, b) => b[0].length - a[0].length || compare(a[0], b[0]));
      this.latin.sort((a, b) => b[0].length - a[0].length || compare(a[1], b[1]));
    }

    words(letter) {
      return fetchShard(this.dataUrl, letter);
    }

    /** A glossary name as searched: without its stop words, each a large part of the index. */
    searched(name) {
      const chunks = normalise(name)
        .split(/\s+/)
        .map((chunk) => wordsOf(chunk).join(""))
        .filter(Boolean);
      const kept = chunks.filter((chunk) => !this.stopWords.has(chunk));
      return (kept.length ? kept : chunks).join(" ");
    }

    /** The entry's names of one word long enough to be listed: searched alone, one may stand
     * for a name made of common words only. */
    oneWordCandidates(concept) {
      return concept.names
        .filter((name) => !isChinese(name) && wordsOf(name).length === 1)
        .map((name) => wordsOf(name)[0])
        .filter((word) => word.length >= this.listedMinLength);
    }

    /** Whether a word's post count is listed (and so whether it can be common). */
    listable(word) {
      return this.posts > 0 && word.length >= this.listedMinLength;
    }

    needsChecking(word) {
      return (
        word.length >= this.typoMinLength &&
        /^[a-z]+$/.test(word) &&
        !this.stopWords.has(word) &&
        !this.nameWords.has(word)
      );
    }

    async analyse(query) {
      let text = normalise(query);
      const units = [];
      const seen = new Set();
      // A glossary entry named twice ("模具 mold") is one unit.
      const conceptOf = new Map();
      const add = (kind, typed, searches, key, concept) => {
        if (!seen.has(key)) {
          seen.add(key);
          if (concept) conceptOf.set(units.length, concept);
          units.push({ kind, text: typed, searches: [...new Set(searches)] });
        }
      };
      for (const [name, concept] of this.chinese) {
        if (text.includes(name)) {
          add("term", name, [this.searched(concept.term)], `term:${concept.term}`, concept);
          text = text.split(name).join(" ");
        }
      }
      const typed = wordsOf(text);
      const shards = await Promise.all(
        typed.map((word) => (this.needsChecking(word) ? this.words(letterOf(word)) : null)),
      );
      const corrections = [];
      const words = typed.map((word, i) => {
        const known = shards[i];
        if (known && !Object.prototype.hasOwnProperty.call(known, word)) {
          const fixed = correction(word, known);
          if (fixed) {
            corrections.push([word, fixed]);
            return fixed;
          }
        }
        return word;
      });
      const plain = [];
      let index = 0;
      while (index < words.length) {
        const found = this.latin.find(
          ([nameWords]) =>
            index + nameWords.length <= words.length &&
            nameWords.every((wanted, k) => {
              const word = words[index + k];
              return word === wanted || word === wanted + "s" || word === wanted + "es";
            }),
        );
        if (found) {
          const [nameWords, name, concept] = found;
          const phrase = words.slice(index, index + nameWords.length).join(" ");
          const term = this.searched(concept.term);
          const searches = nameWords.join("").length >= 4 ? [term, this.searched(name)] : [term];
          add("term", phrase, searches, `term:${concept.term}`, concept);
          index += nameWords.length;
        } else {
          plain.push(words[index]);
          index += 1;
        }
      }
      let content = [...new Set(plain.filter((word) => !this.stopWords.has(word)))];
      if (!units.length && !content.length) content = plain;
      // Words in most posts are left out when there is anything rarer to search for.
      const listed = await Promise.all(
        content.map((word) =>
          this.posts > 0 && word.length >= this.listedMinLength ? this.words(letterOf(word)) : null,
        ),
      );
      const count = (i) => (listed[i] && Object.prototype.hasOwnProperty.call(listed[i], content[i]) ? listed[i][content[i]] : 0);
      let common = content.filter((word, i) => count(i) > this.commonShare * this.posts);
      // Left out only for something rarer that some post contains: on a site of a few posts most
      // words are "common", and a query must not be left with words no post has.
      if (units.length || content.some((word, i) => !common.includes(word) && count(i) > 0)) {
        content = content.filter((word) => !common.includes(word));
      } else {
        common = [];
      }
      for (const word of content) add("word", word, [word], `word:${word}`);
      // Words most posts contain are left out of glossary names too, when a name has others; a
      // name of such words only is searched as the entry's one-word name, when it has one.
      const termShards = new Map();
      const load = async (words) => {
        const letters = [...new Set(words.filter((word) => this.listable(word)).map(letterOf))];
        for (const [letter, shard] of await Promise.all(letters.map(async (letter) => [letter, await this.words(letter)]))) {
          termShards.set(letter, shard);
        }
      };
      const countOf = (word) => {
        const shard = termShards.get(letterOf(word)) || {};
        return this.listable(word) && Object.prototype.hasOwnProperty.call(shard, word) ? shard[word] : 0;
      };
      const isCommon = (word) => countOf(word) > this.commonShare * this.posts;
      await load(units.filter((unit) => unit.kind === "term").flatMap((unit) => unit.searches.flatMap(wordsOf)));
      // The one-word names' letters are fetched only for entries that need one.
      const allCommon = (search) => wordsOf(search).every(isCommon);
      const needing = [...conceptOf].filter(([number]) => units[number].searches.some(allCommon));
      await load(needing.flatMap(([, concept]) => this.oneWordCandidates(concept)));
      const oneWordName = (concept) => {
        const safe = this.oneWordCandidates(concept).filter((word) =>
          Object.keys(termShards.get(letterOf(word)) || {}).every(
            (other) => !other.startsWith(word) || [word, word + "s", word + "es"].includes(other),
          ),
        );
        safe.sort((a, b) => countOf(a) - countOf(b) || a.length - b.length || compare(a, b));
        return safe.length ? safe[0] : null;
      };
      units.forEach((unit, number) => {
        if (!conceptOf.has(number)) return;
        const searches = unit.searches.map((search) => {
          if (allCommon(search)) return oneWordName(conceptOf.get(number)) || search;
          const chunks = search.split(" ");
          const kept = chunks.filter((chunk) => !(wordsOf(chunk).length && wordsOf(chunk).every(isCommon)));
          return (kept.length ? kept : chunks).join(" ");
        });
        unit.searches = [...new Set(searches)];
      });
      return { units, corrections, common };
    }
  }

  /** Every post matching a unit, best first, with the search result that explains it best. */
  async function rank(pagefind, reader, units, filters) {
    const total = new Map();
    // Every search at once: their index chunks download in parallel.
    const answers = await Promise.all(
      units.map((unit) => Promise.all(unit.searches.map((search) => pagefind.search(search, { filters })))),
    );
    units.forEach((unit, index) => {
      const best = new Map();
      let matching = 0;
      for (const answer of answers[index]) {
        if (!answer) continue;
        matching = Math.max(matching, answer.unfilteredResultCount || 0);
        const top = answer.results.reduce((most, result) => Math.max(most, result.score), 0);
        for (const result of answer.results) {
          const share = top > 0 ? result.score / top : 0;
          const known = best.get(result.id);
          if (!known || share > known.share) best.set(result.id, { share, result });
        }
      }
      const weight = idf(reader.posts, matching);
      for (const [id, { share, result }] of best) {
        const entry = total.get(id) || { id, score: 0, lead: null, leadScore: -1 };
        entry.score += weight * share;
        if (weight * share > entry.leadScore) {
          entry.leadScore = weight * share;
          entry.lead = result;
        }
        total.set(id, entry);
      }
    });
    const ranked = [...total.values()];
    for (const entry of ranked) entry.score = Math.round(entry.score * 1e9) / 1e9;
    ranked.sort((a, b) => b.score - a.score || compare(a.id, b.id));
    return ranked;
  }

  /** Text and <mark> elements of a Pagefind excerpt; nothing else survives. */
  function excerptNodes(excerpt, extraWords) {
    const parsed = new DOMParser().parseFromString(`<p>${excerpt}</p>`, "text/html").body;
    const fragment = document.createDocumentFragment();
    const pattern = extraWords.length
      ? new RegExp(`(?<![\\p{L}\\p{N}])(${extraWords.map(escapeRegExp).join("|")})[\\p{L}\\p{N}]*`, "giu")
      : null;
    const addText = (text) => {
      if (!pattern) return fragment.append(text);
      let last = 0;
      for (const match of text.matchAll(pattern)) {
        fragment.append(text.slice(last, match.index));
        const mark = document.createElement("mark");
        mark.textContent = match[0];
        fragment.append(mark);
        last = match.index + match[0].length;
      }
      fragment.append(text.slice(last));
    };
    for (const node of parsed.firstChild ? parsed.firstChild.childNodes : []) {
      if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        fragment.append(mark);
      } else {
        addText(node.textContent);
      }
    }
    return fragment;
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The section (sub-result with an anchor) holding most of the matches, if any. */
  function bestSection(data) {
    let best = null;
    for (const sub of data.sub_results || []) {
      if (!sub.url || !sub.url.includes("#")) continue;
      if (!best || (sub.locations || []).length > (best.locations || []).length) best = sub;
    }
    return best;
  }

  class SearchPage {
    constructor(mount, pagefind, reader, root, early) {
      this.mount = mount;
      this.early = early;
      this.pagefind = pagefind;
      this.reader = reader;
      this.root = root;
      this.form = mount.querySelector("form");
      this.input = mount.querySelector("input[name=q]");
      this.message = mount.querySelector(".kb-search-message");
      this.list = mount.querySelector(".kb-search-results");
      this.more = mount.querySelector(".kb-search-more");
      this.facets = mount.querySelector(".kb-search-facets");
      this.selected = { tag: new Set(), year: new Set() };
      this.ranked = [];
      this.shown = 0;
      this.serial = 0;
    }

    async start() {
      const params = new URLSearchParams(window.location.search);
      this.input.value = params.get("q") || "";
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
      this.more.addEventListener("click", () => this.showMore());
      this.input.focus();
      // The first results do not wait for the filters' counts, nor share the network with them.
      await this.run();
      await this.renderFacets();
    }

    async renderFacets() {
      const available = await this.pagefind.filters();
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
            this.run();
          });
          label.append(box, ` ${value} `, element("span", "kb-search-count", `(${count})`));
          group.append(label);
        }
        this.facets.append(group);
      }
    }

    filters() {
      return filtersOf((key) => [...this.selected[key]]);
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

    async run() {
      const serial = ++this.serial;
      const query = this.input.value.trim();
      this.remember(query);
      if (!query) {
        this.ranked = [];
        this.list.replaceChildren();
        this.message.textContent = "";
        this.more.hidden = true;
        return;
      }
      performance.mark("kb-search:query");
      const filters = this.filters();
      const key = JSON.stringify([query, filters]);
      // The page's first query was started while the page was still loading.
      const early = this.early && this.early.key === key ? this.early.promise : null;
      this.early = null;
      const found = await (early || answer(this.pagefind, this.reader, query, filters));
      const { units, corrections, common, ranked, pending } = found;
      if (serial !== this.serial) return; // a newer query is on its way
      this.units = units;
      this.ranked = ranked;
      this.shown = pending.length;
      const words = searchWords(units);
      // Each result is shown as soon as it and those above it are in: the first answer does not
      // wait for the slowest of ten fragments. The previous results stay until then.
      if (!pending.length) this.list.replaceChildren();
      for (const [index, promise] of pending.entries()) {
        const data = await promise;
        if (serial !== this.serial) return;
        if (index === 0) {
          this.list.replaceChildren(this.result(data, words));
          performance.mark("kb-search:shown");
        } else {
          this.list.append(this.result(data, words));
        }
      }
      // The summary comes last: once it is there, the whole first page of results is.
      const count = ranked.length;
      this.message.textContent = `${count} ${count === 1 ? "result" : "results"} for ${query}`;
      if (corrections.length) {
        const note = corrections.map(([typed, fixed]) => `“${fixed}” for “${typed}”`).join(", ");
        this.message.append(element("span", "kb-search-correction", ` (searching ${note})`));
      }
      if (common.length) {
        const left = common.map((word) => `“${word}”`).join(", ");
        this.message.append(element("span", "kb-search-common", ` (left out, in most posts: ${left})`));
      }
      this.more.hidden = this.shown >= ranked.length;
    }

    async showMore() {
      const serial = this.serial;
      const page = this.ranked.slice(this.shown, this.shown + PAGE_SIZE);
      const loaded = await Promise.all(page.map((entry) => entry.lead.data()));
      if (serial !== this.serial) return;
      const words = searchWords(this.units);
      this.shown += loaded.length;
      this.list.append(...loaded.map((data) => this.result(data, words)));
      this.more.hidden = this.shown >= this.ranked.length;
    }

    result(data, words) {
      const item = element("li", "kb-search-result");
      const link = element("a", "kb-search-result-link", data.meta.title || data.url);
      // Pagefind's addresses start with its baseUrl, the site's path ("/en/latest/…").
      link.href = new URL(data.url, this.root).href;
      const heading = element("p", "kb-search-result-title");
      heading.append(link);
      item.append(heading);
      if (data.meta.date) item.append(element("p", "kb-search-result-date", data.meta.date));
      const section = bestSection(data);
      const excerpt = element("p", "kb-search-result-excerpt");
      excerpt.append(excerptNodes(section ? section.excerpt : data.excerpt, words));
      if (section) {
        const sectionLink = element("a", "kb-search-result-section", `§ ${section.title}`);
        sectionLink.href = new URL(section.url, this.root).href;
        const line = element("p", "kb-search-result-section-line");
        line.append(sectionLink);
        item.append(line);
      }
      item.append(excerpt);
      return item;
    }
  }

  /** Pagefind's filters for the selected values of each facet. */
  function filtersOf(selected) {
    const filters = {};
    for (const key of ["tag", "year"]) {
      const values = selected(key);
      if (values.length) filters[key] = { any: values };
    }
    return filters;
  }

  /** The words of a query's searches, marked in the excerpts. */
  function searchWords(units) {
    return [...new Set(units.flatMap((unit) => unit.searches.flatMap(wordsOf)))].filter(
      (word) => word.length > 2 && !isChinese(word),
    );
  }

  /** Everything the first page of a query's results needs: its reading, ranking and fragments
   * (as promises, in rank order).
   * ``pagefind`` may still be loading: the query is read (its words fetched) meanwhile. */
  async function answer(pagefind, reader, query, filters) {
    const analysis = await reader.analyse(query);
    performance.mark("kb-search:read");
    const ranked = await rank(await pagefind, reader, analysis.units, filters);
    performance.mark("kb-search:ranked");
    // The first page's fragments all start loading now, in parallel.
    const pending = ranked.slice(0, PAGE_SIZE).map((entry) => entry.lead.data());
    return { ...analysis, ranked, pending };
  }

  /** The words of the posts beginning with a letter, fetched once per page. */
  const shardCache = new Map();
  function fetchShard(dataUrl, letter) {
    if (!shardCache.has(letter)) {
      shardCache.set(
        letter,
        fetch(new URL(`words/${letter}.json`, dataUrl))
          .then((response) => (response.ok ? response.json() : {}))
          .catch(() => ({})),
      );
    }
    return shardCache.get(letter);
  }

  // Pagefind, the query data and the address's query start loading with the page itself, not
  // after it: the script is in the page's head and knows the site's root from its data-root.
  const script = document.currentScript;
  const root = new URL((script && script.dataset.root) || "./", document.baseURI);
  const dataUrl = new URL("kb-search/", root);
  performance.mark("kb-search:start");
  const pagefindReady = import(new URL("pagefind/pagefind.js", root).href).then(async (pagefind) => {
    await pagefind.options({ baseUrl: root.pathname, excerptLength: 24, noWorker: true });
    await pagefind.init();
    return pagefind;
  });
  const readerReady = fetch(new URL("terms.json", dataUrl)).then(async (response) => {
    if (!response.ok) throw new Error(`terms.json: ${response.status}`);
    return new QueryReader(await response.json(), dataUrl);
  });
  const boot = Promise.all([pagefindReady, readerReady]).then(([pagefind, reader]) => {
    performance.mark("kb-search:ready");
    return { pagefind, reader };
  });
  const params = new URLSearchParams(window.location.search);
  const firstQuery = (params.get("q") || "").trim();
  // The words files the first query will need, fetched before the rules that pick them arrive.
  for (const word of wordsOf(normalise(firstQuery))) if (word.length >= 3) fetchShard(dataUrl, letterOf(word));
  const firstFilters = filtersOf((key) => params.getAll(key));
  const early = firstQuery
    ? {
        key: JSON.stringify([firstQuery, firstFilters]),
        promise: readerReady.then((reader) => answer(pagefindReady, reader, firstQuery, firstFilters)),
      }
    : null;
  if (early) early.promise.catch(() => {}); // reported by start() through boot

  /** Show the page: Pagefind's answers, or Sphinx's own search when the bundle is missing. */
  async function start() {
    if (document.readyState === "loading") {
      await new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
    }
    const mount = document.getElementById("kb-search");
    if (!mount) return;
    let loaded;
    try {
      loaded = await boot;
    } catch (error) {
      // No bundle (a build without the indexing step): Sphinx's own search answers.
      console.info("[Sourcebook] Pagefind index not available, using Sphinx's search:", error);
      mount.remove();
      const index = document.createElement("script");
      index.src = new URL("searchindex.js", root).href;
      document.head.append(index);
      return;
    }
    const page = new SearchPage(mount, loaded.pagefind, loaded.reader, root, early);
    const fallback = document.querySelector(".bd-search-container");
    if (fallback) fallback.hidden = true;
    mount.hidden = false;
    await page.start();
    window.kbSearch = { reader: page.reader, page };
  }

  window.kbSearchReady = start();
})();
