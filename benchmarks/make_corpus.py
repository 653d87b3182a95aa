"""Generate a complete Sourcebook site with N synthetic Gatsby-style posts, for benchmarks.

``python benchmarks/make_corpus.py --posts N --out DIR [--seed S]`` copies the project's
``conf.py``, ``index.md``, ``_static/`` and ``source/`` into DIR, replaces the posts with N
generated ones and adds a small set of generated JPEGs that the posts share, so the corpus
stays small on disk. Every post is shaped like the seed post (``1_defective_goods.md``):
quoted Gatsby frontmatter, about 1,100 words of importer prose under ``##`` sections, lists,
one body image and a few links to other posts written the Gatsby way (``[text](/slug)``).

Output is deterministic: post ``i`` depends only on the seed, on ``i`` and (for its links to
other posts) on N. A manifest of the posts is written to ``DIR/.sourcebook-corpus.json``.

Two variants stress what ties posts together (the default corpus is unchanged by them):

* ``--broken-links 0.1``: one link in ten points at a slug that no post has (half of them a
  typo of the target's slug, half the slug of a post the corpus does not hold, as in an
  imported blog with dead links), so every build names the closest slugs for each;
* ``--shared``: every post carries 6 to 10 of the 14 tags and mentions 40 of the glossary's
  terms, so each tag page, each glossary entry's "Mentioned in" list and the related answers'
  shared features hold a large part of the site.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml
from PIL import Image, ImageDraw

PROJECT = Path(__file__).resolve().parent.parent
MANIFEST = ".sourcebook-corpus.json"
POSTS_DIR = Path("source/posts")
IMAGES_DIR = Path("source/images/blog")
IMAGE_SIZE = (1200, 800)
TARGET_WORDS = 1100

# ---------------------------------------------------------------------------------------------
# The phrase bank: an importer's vocabulary, and sentences that combine it.
# ---------------------------------------------------------------------------------------------

PRODUCTS = [
    "LED desk lamps",
    "stainless steel water bottles",
    "Bluetooth speakers",
    "silicone kitchen utensils",
    "garden furniture",
    "children’s backpacks",
    "power banks",
    "ceramic mugs",
    "yoga mats",
    "injection-moulded toys",
    "phone cases",
    "electric kettles",
    "cotton T-shirts",
    "bamboo cutting boards",
    "USB chargers",
    "camping lanterns",
    "office chairs",
    "PVC raincoats",
    "aluminium luggage",
    "pet beds",
]

DEFECTS = [
    "scratches on the housing",
    "loose stitching",
    "colour differences between batches",
    "wrong carton markings",
    "cracked plastic parts",
    "missing accessories",
    "uneven paint",
    "a weak battery",
    "labels in the wrong language",
    "burrs left by the mould",
    "a failed drop test",
    "rust spots",
    "bent packaging",
    "wrong barcodes",
]

DOCUMENTS = [
    "the purchase order",
    "the proforma invoice",
    "the inspection report",
    "the packing list",
    "the bill of lading",
    "the commercial invoice",
    "the specification sheet",
    "the quality agreement",
    "the mould ownership agreement",
    "the bilingual contract",
    "the approved artwork",
    "the certificate of origin",
]

INCOTERMS = ["FOB Shenzhen", "FOB Ningbo", "EXW", "CIF Rotterdam", "DDP", "FCA Shanghai", "CFR Hamburg"]

PEOPLE = [
    "the factory owner",
    "the sales manager",
    "the quality engineer",
    "your sourcing agent",
    "the inspector",
    "the freight forwarder",
    "your customs broker",
    "the production manager",
    "the trading company",
    "the subcontractor",
]

PROCESSES = [
    "a pre-shipment inspection",
    "a during-production inspection",
    "a factory audit",
    "an initial production check",
    "container loading supervision",
    "a laboratory test",
    "a sample approval",
    "a first article inspection",
]

COSTS = [
    "the mould",
    "the tooling",
    "the packaging design",
    "the rework",
    "the air freight",
    "the storage",
    "the certification",
    "the second inspection",
]

TOPICS = [
    ("inspection", "inspections"),
    ("deposit", "deposits"),
    ("mould", "moulds"),
    ("Incoterm", "Incoterms"),
    ("OEM order", "OEM orders"),
    ("rework", "rework"),
    ("sample", "samples"),
    ("contract", "contracts"),
    ("supplier audit", "supplier audits"),
    ("payment term", "payment terms"),
    ("minimum order quantity", "minimum order quantities"),
    ("private label", "private labels"),
    ("quality standard", "quality standards"),
    ("shipping delay", "shipping delays"),
]

TAGS = [
    "inspection",
    "rework",
    "deposit",
    "payment",
    "contract",
    "oem",
    "moulds",
    "incoterms",
    "samples",
    "shipping",
    "quality",
    "negotiation",
    "audit",
    "packaging",
]

TITLE_TEMPLATES = [
    "How can I {verb} {topic_plural} with a Chinese supplier?",
    "What should I know about {topic_plural} before ordering {product}?",
    "Why do factories refuse {process} for {product}?",
    "How much {cost_word} should I pay for {product}?",
    "Who owns {cost} when the factory makes {product}?",
    "What happens when {process} finds {defect}?",
    "Should I accept {incoterm} for {product}?",
    "How do I avoid {defect} in {product}?",
    "When is the right time for {process}?",
    "How to {verb} {topic_plural} without losing the supplier",
    "The importer’s guide to {topic_plural} for {product}",
    "What to check in {document} before paying the balance",
]

TITLE_VERBS = ["negotiate", "manage", "control", "plan", "document", "enforce", "compare", "understand"]
COST_WORDS = ["deposit", "tooling cost", "inspection fee", "sample fee", "mould cost"]

INTRO_SENTENCES = [
    "This question comes up in almost every conversation we have with importers who buy {product}.",
    "Many importers learn about {topic_plural} the expensive way: after the goods have left the port.",
    "Most buyers only think about {topic_plural} when something has gone wrong with an order of {product}.",
    "A reader who imports {product} asked us about {topic_plural}, and the answer takes more than a line.",
    "It looks like a detail, but {topic_plural} decide whether an order of {product} makes money.",
    "We have seen the same mistake with {topic_plural} in dozens of orders, from traders to retailers.",
]

BODY_SENTENCES = [
    "The factory receives a {percent}% deposit to start production and waits for the balance before loading.",
    "With only a {percent}% deposit in hand, {person} can hardly cover the cost of materials and components.",
    "Ask {person} to confirm every detail in writing, and keep {document} next to you during every call.",
    "If {process} shows {defect}, you still have leverage, because the balance has not been paid yet.",
    "Once the container is loaded, your leverage is gone and {person} has little reason to listen.",
    "Write the acceptable quality level into {document}: AQL {aql} for major defects is a common choice.",
    "Under {incoterm}, the risk passes to you at a point you should know before you sign anything.",
    "A good inspector spends a full day in the factory and checks at least {sample} units of {product}.",
    "Book {process} when at least {percent}% of the goods are finished and packed.",
    "Most {product} are OEM products that the same factory also sells to other customers around the world.",
    "Changing the packaging or the label is cheap for the factory, so it is rarely where the problems start.",
    "The cost of {cost} is usually paid up front, and it is the part of the deal people forget to document.",
    "If you paid for {cost}, say in {document} that it belongs to you and cannot be used for other buyers.",
    "Many factories subcontract part of the work, and {person} may not even know where the parts were made.",
    "A delay of {days} days sounds small until your own customer has a launch date and a marketing plan.",
    "Keep a golden sample, signed and dated by both sides, and refer to it in every talk about quality.",
    "Rework in the factory costs a fraction of what it costs once the goods have reached your warehouse.",
    "The manufacturer thinks about cash flow first, and about your brand a distant second.",
    "Prices quoted {incoterm} often hide local charges that appear only on the final invoice.",
    "Your contract should be bilingual, and the Chinese version is the one a local court will read.",
    "Do not rely on photos sent by {person}; they show the best units, not the average ones.",
    "Put the penalty for late delivery in {document}, as a percentage of the order value per week of delay.",
    "A factory audit tells you who you are dealing with; an inspection tells you what you are buying.",
    "If the supplier refuses {process}, treat it as information about the supplier, not as an inconvenience.",
    "Plan {days} days for samples, {days2} days for production and two weeks for the inspection and loading.",
    "The minimum order quantity is often negotiable when you pay for {cost} yourself.",
    "Every change after sample approval restarts the clock, and {person} will remind you of that.",
    "For {product}, the most frequent problems we see are {defect} and {defect2}.",
    "Mark your brand on the product itself, not only on the box, so the goods are hard to resell.",
    "A random sample is only random if the inspector chooses the cartons, not {person}.",
    "The balance of {percent2}% should be due after a passed inspection, never before it.",
    "Keep every email and chat message: in a dispute, the written trail is all you have.",
    "A supplier who answers quickly before the deposit and slowly after it is telling you something.",
    "Before you draft the order, agree on the tolerances, the materials and the test methods.",
    "Letters of credit protect both sides, but the paperwork must match to the last comma.",
    "Customs at home will hold goods with {defect2} or missing documents, and storage is not free.",
    "Compare at least three quotations, and compare them {incoterm}, so that you compare the same thing.",
    "Ask for the test reports of the materials, not just a certificate with the factory’s name on it.",
]

LIST_ITEMS = [
    "Agree on the golden sample and keep a signed copy in your office",
    "Write the AQL level and the defect classification into {document}",
    "Pay no more than {percent}% before production starts",
    "Book {process} before the balance is due",
    "State who owns {cost} and where it is stored",
    "Customise the packaging so that the goods are hard to resell",
    "Ask for photos of every production stage, dated and with your order number",
    "Check the carton markings against {document}",
    "Request the material test reports for {product}",
    "Set a penalty for each week of delay",
    "Keep the Chinese and English versions of the contract identical",
    "Visit the factory, or send someone you trust, at least once",
    "Confirm the Incoterm ({incoterm}) and the port of loading",
    "Count the accessories in a sample of the cartons",
    "Agree on how rework will be checked before the goods are packed again",
]

SECTION_TITLES = [
    "First, understand how the manufacturer thinks",
    "What actually happens in the factory",
    "Prepare the ground before you pay the deposit",
    "What to write in the contract",
    "How {process} protects you",
    "The real cost of {cost}",
    "When the inspector finds {defect}",
    "Negotiating rework of {product}",
    "Choosing the right Incoterm",
    "Who pays for {cost}?",
    "Timing the inspection",
    "Payment terms that keep your leverage",
    "Dealing with {person}",
    "Red flags to watch for",
    "A checklist for your next order",
    "What we learned from {product}",
]

SUBSECTION_TITLES = [
    "If the factory refuses",
    "A note on samples",
    "What the inspector checks",
    "When the goods are already packed",
    "Small orders",
    "Trading companies",
    "The role of {document}",
    "Before loading",
]

CONCLUSION_SENTENCES = [
    "Predict the problems before they occur and put the answers in writing.",
    "Do not wait for the final inspection to learn the condition of your goods.",
    "The best protection is a supplier who knows that you check, and when.",
    "Take reasonable precautions, keep your leverage until the end, and stay polite.",
    "Every order you document well makes the next one easier to negotiate.",
]

IMAGES = [
    ("1_thumbnail.jpg", "Cartons waiting for inspection"),
    ("2_thumbnail.jpg", "A factory floor"),
    ("3_thumbnail.jpg", "Containers at the port"),
    ("4_thumbnail.jpg", "Samples on a table"),
    ("5_thumbnail.jpg", "A signed contract"),
    ("6_thumbnail.jpg", "An injection mould"),
    ("7_inspection.jpg", "An inspector checking products"),
    ("8_mould.jpg", "Steel mould halves"),
    ("9_container.jpg", "Container loading"),
    ("10_handshake.jpg", "Handshake"),
]
THUMBNAILS = [name for name, _alt in IMAGES if "_thumbnail" in name]
BODY_IMAGES = [(name, alt) for name, alt in IMAGES if "_thumbnail" not in name]


@dataclass(frozen=True)
class Variant:
    """How the corpus departs from the default one (see the module's docstring)."""

    broken_links: float = 0.0
    """The share of links between posts that point at a slug no post has."""
    shared: bool = False
    """Many tags per post, and many glossary terms mentioned in each."""
    terms: tuple[str, ...] = ()
    """The glossary's terms, which ``shared`` posts mention (read from the site's glossary)."""


DEFAULT = Variant()
#: Tags and glossary terms of a post in the ``shared`` variant.
SHARED_TAGS = (6, 10)
SHARED_TERMS = 40


def glossary_terms(glossary: Path) -> tuple[str, ...]:
    """Every entry's term, in the file's order."""
    entries = yaml.safe_load(glossary.read_text(encoding="utf-8")) or []
    return tuple(str(entry["term"]) for entry in entries if isinstance(entry, dict) and "term" in entry)


@dataclass(frozen=True)
class PostInfo:
    """What the benchmark needs to know of a generated post."""

    index: int
    file: str
    slug: str
    title: str
    words: int
    links: int
    broken_links: int = 0


def _rng(seed: int, index: int, part: str) -> random.Random:
    """A generator for one part of one post: independent of N and of the other posts."""
    return random.Random(f"{seed}:{index}:{part}")


@dataclass(frozen=True)
class Focus:
    """What one post is about: its topic, and the product most of its sentences mention."""

    topic: tuple[str, str]
    product: str


class Deck:
    """Draws items in a shuffled order without repeats until all are used, like a card deck."""

    def __init__(self, items: Sequence[str], rng: random.Random) -> None:
        self._items = list(items)
        self._rng = rng
        self._left: list[str] = []

    def draw(self) -> str:
        if not self._left:
            self._left = self._items[:]
            self._rng.shuffle(self._left)
        return self._left.pop()


def _fill(template: str, rng: random.Random, focus: Focus) -> str:
    first, second = rng.sample(DEFECTS, 2)
    days, days2 = sorted(rng.sample(range(5, 60, 5), 2))
    topic = focus.topic
    return template.format(
        product=focus.product if rng.random() < 0.7 else rng.choice(PRODUCTS),
        defect=first,
        defect2=second,
        document=rng.choice(DOCUMENTS),
        incoterm=rng.choice(INCOTERMS),
        person=rng.choice(PEOPLE),
        process=rng.choice(PROCESSES),
        cost=rng.choice(COSTS),
        cost_word=rng.choice(COST_WORDS),
        percent=rng.choice([20, 30, 30, 40, 50]),
        percent2=rng.choice([50, 60, 70]),
        aql=rng.choice(["1.5", "2.5", "4.0"]),
        sample=rng.choice([80, 125, 200, 315]),
        days=days,
        days2=days2,
        topic=topic[0],
        topic_plural=topic[1],
        verb=rng.choice(TITLE_VERBS),
    )


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold().replace("’", "")).strip("-")


def post_title(seed: int, index: int) -> tuple[str, str, str]:
    """The title, slug and file name of post ``index``: known before any body is written."""
    rng = _rng(seed, index, "title")
    focus = Focus(rng.choice(TOPICS), rng.choice(PRODUCTS))
    title = _capitalise(_fill(rng.choice(TITLE_TEMPLATES), rng, focus))
    words = _slugify(title).split("-")
    # The index keeps slugs unique (a clash would be a kb.slug warning in every run).
    slug = "/" + "-".join([*words[:9], str(index)])
    stem = "_".join(word for word in words[:4] if word)
    return title, slug, f"{index}_{stem}.md"


def _paragraph(rng: random.Random, sentences: Deck, focus: Focus, count: int) -> str:
    return " ".join(_fill(sentences.draw(), rng, focus) for _ in range(count))


def _quote(value: str) -> str:
    """A YAML single-quoted scalar, as the Gatsby posts write every value."""
    return "'" + value.replace("'", "''") + "'"


def _frontmatter(
    seed: int, index: int, title: str, slug: str, body_start: str, variant: Variant = DEFAULT
) -> list[str]:
    rng = _rng(seed, index, "frontmatter")
    date = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(365 * 10))
    lines = [
        "---",
        f"slug: {_quote(slug)}",
        f"title: {_quote(title)}",
        f"date: {_quote(date.isoformat())}",
        f"featuredImage: {_quote('../images/blog/' + rng.choice(THUMBNAILS))}",
    ]
    if variant.shared:
        shared = _rng(seed, index, "shared-tags")
        lines.append(f"tags: [{', '.join(shared.sample(TAGS, shared.randint(*SHARED_TAGS)))}]")
    elif rng.random() < 0.5:
        lines.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 4)))}]")
    if rng.random() < 0.3:
        lines.append(f"description: {_quote(' '.join(body_start.split()[:24]))}")
    lines.append("---")
    return lines


def _link_targets(seed: int, index: int, count: int) -> list[tuple[str, str]]:
    """2–3 other posts (numbered from 1 to ``count``) to link to, as (title, slug)."""
    rng = _rng(seed, index, f"links:{count}")
    others = [other for other in range(1, count + 1) if other != index]
    chosen = rng.sample(others, min(len(others), rng.randint(2, 3)))
    return [post_title(seed, other)[:2] for other in chosen]


def _missing_slug(seed: int, index: int, count: int, slug: str, rng: random.Random) -> str:
    """A slug no post of the corpus has: a typo in one of the target's words, or the slug of a
    post the corpus does not hold."""
    if rng.random() < 0.5:
        words = slug.strip("/").split("-")
        at = rng.randrange(len(words) - 1)  # not the number, which keeps slugs unique
        word = words[at]
        cut = rng.randrange(len(word))
        words[at] = word[:cut] + rng.choice("aeiouxyz") + word[cut + 1 :] + "x" * (len(word) < 3)
        return "/" + "-".join(words)
    return post_title(seed, count + 1 + rng.randrange(count))[1]


def _break_links(
    seed: int, index: int, count: int, links: list[tuple[str, str]], share: float
) -> list[tuple[str, str]]:
    """Each link, with probability ``share``, sent to a slug no post has (its text kept)."""
    if not share:
        return links
    rng = _rng(seed, index, "broken")
    return [
        (title, _missing_slug(seed, index, count, slug, rng) if rng.random() < share else slug)
        for title, slug in links
    ]


def _terms_paragraph(seed: int, index: int, terms: Sequence[str]) -> str:
    """Sentences that mention ``SHARED_TERMS`` of the glossary's terms (the ``shared`` variant)."""
    chosen = _rng(seed, index, "shared-terms").sample(list(terms), min(SHARED_TERMS, len(terms)))
    sentences = []
    for start in range(0, len(chosen), 5):
        group = chosen[start : start + 5]
        listed = ", ".join(group[:-1]) + f" and {group[-1]}" if len(group) > 1 else group[0]
        sentences.append(f"This answer also touches on {listed}.")
    return " ".join(sentences)


def make_post(seed: int, index: int, count: int, variant: Variant = DEFAULT) -> tuple[str, PostInfo]:
    """The Markdown text of post ``index`` out of ``count``, and its manifest entry."""
    title, slug, file_name = post_title(seed, index)
    rng = _rng(seed, index, "body")
    focus = Focus(rng.choice(TOPICS), rng.choice(PRODUCTS))
    sentences = Deck(BODY_SENTENCES, rng)
    targets = _link_targets(seed, index, count)
    links = _break_links(seed, index, count, targets, variant.broken_links)
    sections = rng.randint(4, 6)

    intro = [
        _fill(rng.choice(INTRO_SENTENCES), rng, focus) + " " + _paragraph(rng, sentences, focus, 2),
        _paragraph(rng, sentences, focus, rng.randint(2, 3)),
    ]
    body: list[str] = [*intro]
    words = sum(len(paragraph.split()) for paragraph in intro)
    # What is left for the sections once the intro and the conclusion (about 40 words) are written.
    per_section = (TARGET_WORDS - words - 40) // sections
    image_section = rng.randrange(1, sections)
    link_sections = set(rng.sample(range(sections), len(links)))
    pending_links = list(links)
    for number, section_title in enumerate(rng.sample(SECTION_TITLES, sections)):
        body.append("## " + _capitalise(_fill(section_title, rng, focus)))
        section_words = len(body[-1].split()) - 1
        sub_at = rng.randint(2, 3) if rng.random() < 0.35 else None
        list_at = rng.randint(1, 2) if rng.random() < 0.6 else None
        paragraph_number = 0
        linked = False
        # Stop half a paragraph early on average, so posts land near the target.
        while section_words < per_section - 40:
            paragraph_number += 1
            if paragraph_number == sub_at:
                body.append("### " + _capitalise(_fill(rng.choice(SUBSECTION_TITLES), rng, focus)))
                section_words += len(body[-1].split()) - 1
            if paragraph_number == list_at:
                items = rng.sample(LIST_ITEMS, rng.randint(3, 6))
                bullets = [f"- {_fill(item, rng, focus)}." for item in items]
                body.append(("\n\n" if rng.random() < 0.5 else "\n").join(bullets))
                section_words += sum(len(item.split()) - 1 for item in bullets)
                continue
            text = _paragraph(rng, sentences, focus, rng.randint(3, 5))
            if number in link_sections and pending_links and not linked:
                linked = True
                link_title, link_slug = pending_links.pop()
                text += f" We explain more in [{link_title.rstrip('?')}]({link_slug})."
            body.append(text)
            section_words += len(text.split())
        if number == image_section:
            name, alt = rng.choice(BODY_IMAGES)
            body.insert(len(body) - 1, f"![{alt}](../images/blog/{name})")
        words += section_words
    if variant.shared and variant.terms:
        body.append("## Terms used")
        body.append(_terms_paragraph(seed, index, variant.terms))
        words += len(body[-1].split()) + 2
    body.append("## Conclusion")
    body.append(" ".join(rng.sample(CONCLUSION_SENTENCES, 3)))
    words += len(body[-1].split()) + 1
    frontmatter = _frontmatter(seed, index, title, slug, intro[0], variant)
    text = "\n".join(frontmatter) + "\n\n" + "\n\n".join(body) + "\n"
    info = PostInfo(
        index=index,
        file=(POSTS_DIR / file_name).as_posix(),
        slug=slug,
        title=title,
        words=words,
        links=len(links),
        broken_links=sum(link != target for link, target in zip(links, targets, strict=True)),
    )
    return text, info


def draw_image(index: int) -> Image.Image:
    """A 1200 by 800 picture of a few shapes on a gradient, its colours set by ``index``."""
    rng = random.Random(f"image:{index}")

    def colour() -> tuple[int, int, int]:
        return (rng.randrange(40, 256), rng.randrange(40, 256), rng.randrange(40, 256))

    corners = Image.new("RGB", (2, 2))
    corners.putdata([colour() for _ in range(4)])
    image = corners.resize(IMAGE_SIZE, Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(image)
    width, height = IMAGE_SIZE
    for _ in range(6):
        x, y = rng.randrange(width - 300), rng.randrange(height - 300)
        size = rng.randrange(80, 300)
        box = (x, y, x + size, y + size * rng.choice([1, 2]) // 2)
        if rng.random() < 0.5:
            draw.rectangle(box, fill=colour(), outline=(40, 40, 40), width=4)
        else:
            draw.ellipse(box, fill=colour(), outline=(40, 40, 40), width=4)
    return image


def _prepare_output(out: Path) -> None:
    """Empty ``out``, but only when it is empty already or is a corpus made by this script."""
    if out.exists():
        if any(out.iterdir()) and not (out / MANIFEST).is_file():
            raise SystemExit(f"{out} is not empty and is not a generated corpus; refusing to replace it")
        shutil.rmtree(out)
    out.mkdir(parents=True)


def make_corpus(
    count: int,
    out: Path,
    seed: int,
    project: Path = PROJECT,
    *,
    broken_links: float = 0.0,
    shared: bool = False,
    keep_shipped_posts: bool = False,
) -> list[PostInfo]:
    """Write the site into ``out`` and return its generated posts; ``keep_shipped_posts``
    keeps the project's own posts beside them (the tests' checked sites read both)."""
    _prepare_output(out)
    shutil.copy2(project / "conf.py", out / "conf.py")
    shutil.copy2(project / "index.md", out / "index.md")
    shutil.copytree(project / "_static", out / "_static")
    shutil.copytree(project / "source", out / "source", ignore=shutil.ignore_patterns("__pycache__"))
    if not keep_shipped_posts:
        shutil.rmtree(out / POSTS_DIR)
    (out / POSTS_DIR).mkdir(parents=True, exist_ok=True)
    (out / IMAGES_DIR).mkdir(parents=True, exist_ok=True)
    for number, (name, _alt) in enumerate(IMAGES):
        draw_image(number).save(out / IMAGES_DIR / name, quality=80)
    terms = glossary_terms(out / "source" / "glossary.yaml") if shared else ()
    variant = Variant(broken_links=broken_links, shared=shared, terms=terms)
    posts: list[PostInfo] = []
    for index in range(1, count + 1):
        text, info = make_post(seed, index, count, variant)
        (out / info.file).write_text(text, encoding="utf-8")
        posts.append(info)
    manifest = {
        "posts": count,
        "seed": seed,
        "broken_links": broken_links,
        "shared": shared,
        "items": [asdict(post) for post in posts],
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return posts


def _disk_kb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1024


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, required=True, help="number of posts to generate")
    parser.add_argument("--out", type=Path, required=True, help="folder of the generated site")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument(
        "--broken-links",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of the links between posts that point at a slug no post has (0.1: one in ten)",
    )
    parser.add_argument(
        "--shared",
        action="store_true",
        help=f"every post carries {SHARED_TAGS[0]}-{SHARED_TAGS[1]} of the {len(TAGS)} tags and "
        f"mentions {SHARED_TERMS} glossary terms",
    )
    args = parser.parse_args(argv)
    if args.posts < 1:
        parser.error("--posts must be at least 1")
    if not 0 <= args.broken_links <= 1:
        parser.error("--broken-links must be between 0 and 1")
    posts = make_corpus(args.posts, args.out, args.seed, broken_links=args.broken_links, shared=args.shared)
    words = sum(post.words for post in posts)
    links = sum(post.links for post in posts)
    broken = sum(post.broken_links for post in posts)
    print(
        f"{len(posts)} posts, {words / len(posts):.0f} words each on average, {links} links between posts "
        f"({broken} to missing slugs), "
        f"{len(IMAGES)} images, {_disk_kb(args.out):.0f} KB in {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
