/* Sourcebook's search engine: reads a query, ranks the posts of the site's kb-search/ index,
 * and cuts each result's excerpt, as `sourcebook search` does (sourcebook/search/command.py).
 *
 * The query is read exactly as sourcebook/search/query.py reads it (glossary names, stop
 * words, one-typo corrections, from the same data files); each unit's searches are scored
 * with BM25 over the chunks of the index that hold their stems (sourcebook/search/index.py),
 * and posts are ranked by the sum over units of idf(unit) × (score ÷ the unit's best score).
 * Words are stemmed with the Snowball stemmer Sphinx ships in language_data.js, the one the
 * index was stemmed with. No DOM.
 *
 * Loaded in a page, it defines ``KbSearchEngine``. Started as a worker (by kb-search.js, the
 * search page's script), it also serves the page: while the page loads, the theme keeps the
 * main thread busy for hundreds of milliseconds (style sheets, layout, scripts); here the
 * query is read, the index's chunks fetched, the posts ranked and the first page's excerpts
 * cut meanwhile, so that the results are ready when the page is.
 *
 * The page starts the worker from its own copy of this script (no download to wait for) and
 * names it with the site's root and its first search, ``{root, first: {serial, query,
 * filters}}`` as JSON, so that it starts before any message could arrive. From the page: {type: "search", serial,
 * query, filters, size?, prefetch?} (size: results a page, PAGE_SIZE unless given; prefetch: how
 * many of the next results' fragments to fetch meanwhile, none unless given), {type: "more", serial, from},
 * {type: "filters"}, {type: "prefetch", words} (the index chunks of words still being typed). To the page: {type:
 * "ready"} or {type: "failed", message} once the index is loaded or cannot be; for a search,
 * {type: "answer", serial, units, corrections, common, total}, then {type: "result", serial,
 * number, result} for each result of the page in rank order, then {type: "page", serial,
 * shown}; {type: "error", serial, message} if it fails; {type: "filters", counts}.
 */
(function (scope) {
  "use strict";

  const WORD = /[\p{L}\p{N}]+/gu;
  const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
  const PAGE_SIZE = 10;
  // BM25's saturation and length normalisation, the weight of a word of the title, and the
  // excerpt's length: sourcebook/search/command.py's K1, B, TITLE_WEIGHT and SNIPPET_WORDS.
  const K1 = 1.4;
  const B = 0.75;
  const TITLE_WEIGHT = 6.0;
  const SNIPPET_WORDS = 30;

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

  /** Between 0 and 1: 1 for a stem as long as the query's, less as it is longer. */
  const lengthBonus = (differential) => Math.exp(Math.exp((-0.5 * differential ** 2) / 4.0) - 1.0);

  /** Snowball's English stemmer from Sphinx's language_data.js, with a cache. */
  const stemCache = new Map();
  let stemmer = null;
  function stem(word) {
    if (!stemCache.has(word)) {
      stemmer = stemmer || new scope.Stemmer();
      stemCache.set(word, stemmer.stemWord(word));
    }
    return stemCache.get(word);
  }

  /** The stems of a search string: its words split at spaces, inner punctuation dropped. */
  function queryStems(search) {
    return normalise(search)
      .split(/\s+/)
      .map((chunk) => wordsOf(chunk).join(""))
      .filter(Boolean)
      .map(stem);
  }

  const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

  const fetchJson = (url) =>
    fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      return response.json();
    });

  /** The index's chunk files (``index/<n>.json``) and the first stem of each: which chunk
   * holds a stem, each fetched once. Known from index.json, or at once from the search page. */
  class ChunkFiles {
    constructor(firsts, digest, dataUrl) {
      this.firsts = firsts;
      this.digest = digest;
      this.dataUrl = dataUrl;
      this.fetched = new Map();
    }

    /** A chunk's or fragment's address: of this build, never one cached from another. */
    file(name) {
      const url = new URL(name, this.dataUrl);
      url.searchParams.set("v", this.digest);
      return url;
    }

    chunk(number) {
      if (!this.fetched.has(number)) {
        this.fetched.set(number, fetchJson(this.file(`index/${number}.json`)));
      }
      return this.fetched.get(number);
    }

    /** Starts fetching the chunks the words' stems would be in: while the query is still being
     * read, for the words that are likely to be searched. */
    prefetch(words) {
      for (const word of words) if (this.firsts.length) this.chunk(this.chunkFor(stem(word))).catch(() => {});
    }

    /** The chunk that holds a stem if any does: the last one starting at or before it. */
    chunkFor(word) {
      let low = 0;
      let high = this.firsts.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (compare(this.firsts[middle], word) <= 0) low = middle;
        else high = middle - 1;
      }
      return low;
    }
  }

  /** The site's index: kb-search/index.json, and the chunks and fragments it names. */
  class SearchIndex {
    /** ``files``: the chunk files the search page named, used when they are of this index. */
    constructor(index, dataUrl, files = null) {
      this.posts = index.posts;
      this.averageLength = index.averageLength;
      this.averageTitleLength = index.averageTitleLength;
      this.table = index.table;
      this.tags = index.tags;
      this.years = index.years;
      this.files =
        files && files.digest === index.digest ? files : new ChunkFiles(index.chunks, index.digest, dataUrl);
      this.firsts = this.files.firsts;
      this.fragments = new Map();
    }

    file(name) {
      return this.files.file(name);
    }

    chunk(number) {
      return this.files.chunk(number);
    }

    prefetch(words) {
      this.files.prefetch(words);
    }

    chunkFor(word) {
      return this.files.chunkFor(word);
    }

    /** The stems a query stem matches, with their postings: those it begins, else the
     * longest it begins with. */
    async extensions(word) {
      if (!this.firsts.length) return [];
      const start = this.chunkFor(word);
      let end = start + 1;
      while (end < this.firsts.length && this.firsts[end].startsWith(word)) end++;
      const numbers = [];
      for (let number = start; number < end; number++) numbers.push(number);
      const found = [];
      for (const chunk of await Promise.all(numbers.map((number) => this.chunk(number)))) {
        for (const key of Object.keys(chunk)) if (key.startsWith(word)) found.push([key, chunk[key]]);
      }
      if (found.length) return found.sort((a, b) => compare(a[0], b[0]));
      for (let length = word.length - 1; length > 0; length--) {
        const prefix = word.slice(0, length);
        const chunk = await this.chunk(this.chunkFor(prefix));
        if (hasOwn(chunk, prefix)) return [[prefix, chunk[prefix]]];
      }
      return [];
    }

    /** Each post's score for one search string: every word must match the start of a stem
     * of the post; each matched stem adds BM25 of its heading-weighted count, scaled down as
     * it is longer than the query's stem. A map of post number to score. */
    async scores(search) {
      const searched = queryStems(search);
      const wanted = await Promise.all(searched.map((word) => this.extensions(word)));
      const matched = new Map(); // post number → [score, words matched so far]
      if (!searched.length || wanted.some((list) => !list.length)) return new Map();
      searched.forEach((queryStem, k) => {
        for (const [word, flat] of wanted[k]) {
          const bonus = lengthBonus(Math.abs(word.length - queryStem.length) + 1);
          const rarity = idf(this.posts, flat.length / 3);
          let number = 0;
          for (let i = 0; i < flat.length; i += 3) {
            number += flat[i];
            let entry = matched.get(number);
            if (!entry) {
              if (k > 0) continue; // it missed an earlier word
              entry = [0, 0];
              matched.set(number, entry);
            } else if (entry[1] < k) {
              continue;
            }
            const [length, titleLength] = this.table[number];
            const weighted = flat[i + 1] * bonus;
            const norm = K1 * (1 - B + (B * length) / this.averageLength);
            entry[0] += (rarity * (K1 + 1) * weighted) / (norm + weighted);
            const inTitle = flat[i + 2] * bonus;
            if (inTitle) {
              const titleNorm = K1 * (1 - B + (B * titleLength) / this.averageTitleLength);
              entry[0] += (rarity * TITLE_WEIGHT * (K1 + 1) * inTitle) / (titleNorm + inTitle);
            }
            entry[1] = k + 1;
          }
        }
      });
      const scores = new Map();
      for (const [number, [score, words]] of matched) if (words === searched.length) scores.set(number, score);
      return scores;
    }

    /** Whether a post passes the filters: any of the selected tags, any of the years. */
    passes(number, filters) {
      const row = this.table[number];
      if (filters.tag) {
        const wanted = new Set(filters.tag.any.map((tag) => tag.toLowerCase()));
        if (!row.slice(3).some((tag) => wanted.has(this.tags[tag].toLowerCase()))) return false;
      }
      return !filters.year || (row[2] >= 0 && filters.year.any.includes(this.years[row[2]]));
    }

    /** One search's matching posts that pass the filters, and how many matched before them. */
    async search(search, { filters }) {
      const scores = await this.scores(search);
      const results = [];
      for (const [number, score] of scores) {
        if (this.passes(number, filters)) results.push({ id: number, score });
      }
      return { results, unfilteredResultCount: scores.size };
    }

    fragment(number) {
      if (!this.fragments.has(number)) {
        this.fragments.set(number, fetchJson(this.file(`fragments/${number}.json`)));
      }
      return this.fragments.get(number);
    }

    /** How many posts have each tag and each year. */
    filters() {
      const counts = { tag: {}, year: {} };
      const add = (key, value) => (counts[key][value] = (counts[key][value] || 0) + 1);
      for (const row of this.table) {
        if (row[2] >= 0) add("year", this.years[row[2]]);
        for (const tag of row.slice(3)) add("tag", this.tags[tag]);
      }
      return counts;
    }
  }

  /** Reads queries with the site's terms.json and the words files it names. */
  class QueryReader {
    constructor(terms, dataUrl) {
      this.posts = terms.posts;
      this.typoMinLength = terms.typoMinLength;
      this.listedMinLength = terms.listedMinLength;
      this.commonShare = terms.commonShare;
      this.stopWords = new Set(terms.stopWords);
      this.dataUrl = dataUrl;
      this.wordFiles = terms.wordFiles || {};
      this.nameWords = new Set();
      this.chinese = [];
      this.latin = [];
      // For each word of a glossary name (and each Chinese name): the first letters of its
      // entry's names' words, whose words files reading the entry's unit will need.
      this.lettersFor = new Map();
      for (const concept of terms.concepts) {
        const letters = new Set();
        for (const name of concept.names) {
          for (const word of wordsOf(name)) if (word.length >= this.listedMinLength) letters.add(letterOf(word));
        }
        for (const name of concept.names) {
          for (const word of wordsOf(name)) this.nameWords.add(word);
          for (const key of isChinese(name) ? [name] : wordsOf(name)) {
            this.lettersFor.set(key, new Set([...(this.lettersFor.get(key) || []), ...letters]));
          }
          if (isChinese(name)) this.chinese.push([name, concept]);
          else if (wordsOf(name).length) this.latin.push([wordsOf(name), name, concept]);
        }
      }
      this.chinese.sort((a, b) => b[0].length - a[0].length || compare(a[0], b[0]));
      this.latin.sort((a, b) => b[0].length - a[0].length || compare(a[1], b[1]));
    }

    words(letter) {
      return fetchShard(this.dataUrl, letter, this.wordFiles);
    }

    /** The words of the glossary terms that names of short words in a query stand for ("L/C":
     * "letter", "credit"), whose chunks its search will need: its own words cannot tell. */
    abbreviatedTermWords(query) {
      const found = [];
      for (const chunk of normalise(query).split(/\s+/)) {
        const parts = wordsOf(chunk);
        if (!parts.length || parts.some((part) => part.length >= 3)) continue;
        for (const [nameWords, , concept] of this.latin) {
          if (nameWords.length === parts.length && nameWords.every((word, i) => word === parts[i])) {
            found.push(...wordsOf(this.searched(concept.term)));
          }
        }
      }
      return found;
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
      // The words files of the glossary entries the query may name, fetched at once rather than
      // once each step of the reading has found that it needs them.
      const named = [...wordsOf(text), ...this.chinese.map(([name]) => name).filter((name) => text.includes(name))];
      for (const key of named) for (const letter of this.lettersFor.get(key) || []) this.words(letter);
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

  /** Every post matching a unit, best first: ``[{id, score}]``. */
  async function rank(index, reader, units, filters) {
    const total = new Map();
    // Every search at once: their index chunks download in parallel.
    const answers = await Promise.all(
      units.map((unit) => Promise.all(unit.searches.map((search) => index.search(search, { filters })))),
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
          best.set(result.id, Math.max(best.get(result.id) || 0, share));
        }
      }
      const weight = idf(reader.posts, matching);
      for (const [id, share] of best) {
        const entry = total.get(id) || { id, score: 0 };
        entry.score += weight * share;
        total.set(id, entry);
      }
    });
    const ranked = [...total.values()];
    for (const entry of ranked) entry.score = Math.round(entry.score * 1e9) / 1e9;
    // Ties: the index lists posts newest first, then by address.
    ranked.sort((a, b) => b.score - a.score || a.id - b.id);
    return ranked;
  }


  /** The stems and Chinese names a result's excerpt marks: those of the query's searches. */
  function markedOf(units) {
    const stems = new Set();
    const chinese = [];
    for (const unit of units) {
      for (const search of unit.searches) {
        if (isChinese(search)) chinese.push(search);
        else for (const word of wordsOf(search)) stems.add(stem(word));
      }
    }
    return { stems, chinese };
  }

  const occurrences = (text, part) => text.split(part).length - 1;

  /** Whether a word of a text is one the query asked for. */
  function isMarked(word, marked) {
    return (
      wordsOf(normalise(word)).some((part) => marked.stems.has(stem(part))) ||
      marked.chinese.some((name) => word.includes(name))
    );
  }

  /** The section holding most of the query's words (the first on a tie with none), and
   * about SNIPPET_WORDS words of its text around the first of them: what the CLI shows. */
  function hitOf(fragment, marked) {
    let best = null;
    let bestCount = 0;
    fragment.sections.forEach((section, index) => {
      const text = normalise(`${section.title} ${section.text}`);
      let count = wordsOf(text).filter((word) => marked.stems.has(stem(word))).length;
      for (const name of marked.chinese) count += occurrences(text, name);
      if (count > bestCount || (count === bestCount && best === null && index === 0)) {
        best = section;
        bestCount = count;
      }
    });
    const words = best ? best.text.split(" ").filter(Boolean) : [];
    const hits = words.map((word) => isMarked(word, marked));
    const first = Math.max(0, hits.indexOf(true));
    const start = Math.max(0, Math.min(first - Math.floor(SNIPPET_WORDS / 3), words.length - SNIPPET_WORDS));
    return {
      section: best && best.anchor && best.level > 1 ? best : null,
      snippet: words.slice(start, start + SNIPPET_WORDS).map((word, i) => [word, hits[start + i]]),
      before: start > 0,
      after: start + SNIPPET_WORDS < words.length,
    };
  }

  /** A query's reading and its ranked posts; the query is read (its words fetched) while
   * ``index`` (a promise) may still be loading. */
  async function search(index, reader, query, filters) {
    const analysis = await reader.analyse(query);
    const ranked = await rank(await index, reader, analysis.units, filters);
    return { ...analysis, ranked };
  }

  /** What a result shows: the post's address, title and date, the section holding the
   * answer (if not the top) and the excerpt, as ``[word, asked for]`` pairs. Plain data. */
  function resultOf(fragment, marked) {
    const hit = hitOf(fragment, marked);
    return {
      url: fragment.url,
      title: fragment.title,
      date: fragment.date,
      section: hit.section ? { title: hit.section.title, anchor: hit.section.anchor } : null,
      snippet: hit.snippet,
      before: hit.before,
      after: hit.after,
    };
  }

  /** The words of the posts beginning with a letter, from the file of words/ that terms.json
   * says holds the letter (consecutive letters share one), each file fetched once per page. */
  const wordFileCache = new Map();
  function fetchShard(dataUrl, letter, files) {
    const name = files && hasOwn(files, letter) ? files[letter] : null;
    if (!name) return Promise.resolve({});
    if (!wordFileCache.has(name)) {
      wordFileCache.set(
        name,
        fetch(new URL(`words/${name}`, dataUrl))
          .then((response) => (response.ok ? response.json() : {}))
          .catch(() => ({})),
      );
    }
    return wordFileCache.get(name).then((letters) => (hasOwn(letters, letter) ? letters[letter] : {}));
  }

  /** The reader and the index of a site's kb-search/ folder, as promises: a query can be
   * read as soon as the reader is there, while the index still loads. The stemmer is needed
   * once the index is there, not before. ``inline`` is what the search page carries, when it
   * does: terms.json's data, and the index's digest and chunks, so that the query is read and
   * its chunks fetched without waiting for either file (``files`` and ``known``, the reader,
   * else null). */
  function load(dataUrl, inline = null) {
    const files = inline && inline.chunks ? new ChunkFiles(inline.chunks, inline.digest, dataUrl) : null;
    const known = inline && inline.terms ? new QueryReader(inline.terms, dataUrl) : null;
    return {
      files,
      known,
      reader: known
        ? Promise.resolve(known)
        : fetchJson(new URL("terms.json", dataUrl)).then((data) => new QueryReader(data, dataUrl)),
      index: fetchJson(new URL("index.json", dataUrl)).then((data) => {
        if (!scope.Stemmer) throw new Error("no stemmer: language_data.js must be loaded too");
        return new SearchIndex(data, dataUrl, files);
      }),
    };
  }

  scope.KbSearchEngine = {
    PAGE_SIZE,
    QueryReader,
    SearchIndex,
    isChinese,
    letterOf,
    load,
    markedOf,
    normalise,
    resultOf,
    search,
    wordsOf,
  };
})(self);

// Started as a worker: serve the search page.
if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  // The page names the worker {root, first}: the site's root (a worker made from the page's
  // copy of this script has no address of its own) and its first search.
  const named = (() => {
    try {
      return JSON.parse(self.name || "{}") || {};
    } catch (error) {
      return {};
    }
  })();
  const rootUrl = named.root || new URL("../", self.location.href).href;
  const dataUrl = new URL("kb-search/", rootUrl);
  const engine = self.KbSearchEngine;
  const first = named.first || null;

  /** The words files of the letters a query's words start, fetched before the rules that pick
   * them arrive. */
  const prefetchWords = (read, words) => {
    for (const word of words) if (word.length >= 3) read.words(engine.letterOf(word));
  };

  // The page's copy of this script starts with what the page knows of the index (see
  // search.py) and with the stemmer: the query is read, and its chunks asked for, at once.
  const { files, known, reader, index } = engine.load(dataUrl, self.kbSearchData || null);
  const readNow = Boolean(files && known && self.Stemmer);
  Promise.all([reader, index]).then(
    () => self.postMessage({ type: "ready" }),
    (error) => self.postMessage({ type: "failed", message: String(error) }),
  );
  // Otherwise the index's entry files download while the stemmer loads below.
  // The page's copy of this script starts with Sphinx's language data; a copy loaded from
  // its file loads it.
  if (!self.Stemmer) {
    self.window = self; // Sphinx's language_data.js sets window.Stemmer
    importScripts(new URL("_static/language_data.js", rootUrl).href);
  }

  let latest = 0; // the newest search: older ones stop sending
  const searches = new Map(); // serial → { ranked, marked }

  async function sendPage(serial, from) {
    const { ranked, marked, size, prefetch } = searches.get(serial);
    const shown = ranked.slice(from, from + size);
    const loaded = await index;
    // The next results' fragments, fetched meanwhile: the next key's results are most often
    // this one's in another order (the search dialog asks for it).
    for (const entry of ranked.slice(from + size, from + size + prefetch)) loaded.fragment(entry.id).catch(() => {});
    // Every fragment of the page at once, in parallel; each result sent as soon as it and those
    // above it are in.
    const fragments = shown.map((entry) => loaded.fragment(entry.id));
    for (const [offset, fragment] of fragments.entries()) {
      const result = engine.resultOf(await fragment, marked);
      if (serial !== latest) return;
      self.postMessage({ type: "result", serial, number: from + offset, result });
    }
    self.postMessage({ type: "page", serial, shown: from + shown.length });
  }

  async function search({ serial, query, filters, size, prefetch }) {
    latest = serial;
    searches.clear();
    const words = engine.wordsOf(engine.normalise(query));
    // The chunks of the query's own words (most are searched as typed) download while the query
    // is read; a word left out later costs a chunk, not a round trip for the others. Not those
    // of short words ("L/C"), but those of the glossary term such a name stands for. Asked for
    // first: on HTTP/1.1's few connections, requests queue in the order they are made.
    const likely = (read) => [
      ...words.filter((word) => word.length >= 3 && !read.stopWords.has(word) && !engine.isChinese(word)),
      ...read.abbreviatedTermWords(query),
    ];
    if (readNow) {
      files.prefetch(likely(known));
      prefetchWords(known, words);
    } else {
      reader.then((read) => prefetchWords(read, words)).catch(() => {});
      Promise.all([reader, index])
        .then(([read, loaded]) => loaded.prefetch(likely(read)))
        .catch(() => {});
    }
    const found = await engine.search(index, await reader, query, filters);
    if (serial !== latest) return;
    searches.set(serial, {
      ranked: found.ranked,
      marked: engine.markedOf(found.units),
      size: size || engine.PAGE_SIZE,
      prefetch: prefetch || 0,
    });
    const { units, corrections, common } = found;
    self.postMessage({ type: "answer", serial, units, corrections, common, total: found.ranked.length });
    await sendPage(serial, 0);
  }

  async function handle(message) {
    try {
      if (message.type === "search") await search(message);
      else if (message.type === "more" && searches.has(message.serial)) await sendPage(message.serial, message.from);
      else if (message.type === "filters") self.postMessage({ type: "filters", counts: (await index).filters() });
      else if (message.type === "prefetch") (await index).prefetch(message.words);
    } catch (error) {
      self.postMessage({ type: "error", serial: message.serial, message: String(error) });
    }
  }

  self.onmessage = (event) => handle(event.data);
  if (first && first.query) handle({ type: "search", ...first });
}
