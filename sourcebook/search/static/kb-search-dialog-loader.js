/* Sourcebook's search dialog, the part every page loads: the keys and buttons that open it.
 *
 * Ctrl+K (⌘K on a Mac), "/" outside a text field, and the theme's search buttons open the
 * page's <dialog id="kb-search-dialog"> (templates/kb-search-dialog.html) at once, with the
 * focus in its box, so nothing typed is lost; the first time, this script then loads the
 * dialog's script and style (kb-search-dialog.js and .css), which start the search worker.
 * Nothing of the search is loaded before. On the search page the keys go to its own box.
 */
(function () {
  "use strict";

  const dialog = document.getElementById("kb-search-dialog");
  if (!dialog || !window.HTMLDialogElement) return;
  const script = document.currentScript;
  const base = script ? script.src : document.baseURI;
  const mac = /^(Mac|iPhone|iPad)/.test(navigator.platform || "");
  let loading = null;

  /** The dialog's script and style, once; resolves when the script has run. */
  function load() {
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const style = document.createElement("link");
        style.rel = "stylesheet";
        style.href = new URL("kb-search-dialog.css", base).href;
        // The dialog is see-through until its style sheet says otherwise (so that it never
        // shows unstyled), or until the sheet cannot be had.
        style.onerror = () => dialog.style.removeProperty("opacity");
        document.head.append(style);
        const code = document.createElement("script");
        code.src = new URL("kb-search-dialog.js", base).href;
        code.onload = resolve;
        code.onerror = reject;
        document.head.append(code);
      });
    }
    return loading;
  }

  function open(opener) {
    const page = document.querySelector("#kb-search:not([hidden]) input[name=q]");
    if (page) {
      page.focus();
      page.select();
      return;
    }
    if (dialog.open) return;
    const input = dialog.querySelector("input[name=q]");
    dialog.kbOpener = opener || document.activeElement;
    dialog.showModal();
    input.focus();
    load().then(
      () => window.kbSearchDialog && window.kbSearchDialog.opened(),
      () => {
        // Without its script the dialog is a plain form that opens the search page.
        dialog.style.removeProperty("opacity");
        dialog.classList.add("kb-search-dialog-offline");
      },
    );
  }

  const typing = (element) =>
    element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));

  // Capture, on the window: before the theme's own handlers, which would open its dialog.
  window.addEventListener(
    "keydown",
    (event) => {
      const shortcut =
        /^k$/i.test(event.key) && !event.shiftKey && !event.altKey && (mac ? event.metaKey : event.ctrlKey);
      const slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey;
      if (shortcut || (slash && !typing(event.target) && !dialog.open)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        if (dialog.open && shortcut) dialog.close();
        else open(document.activeElement);
      }
    },
    true,
  );
  window.addEventListener(
    "click",
    (event) => {
      const button = event.target.closest && event.target.closest(".search-button__button");
      if (!button) return;
      event.preventDefault();
      event.stopPropagation();
      open(button);
    },
    true,
  );
  // The theme's hint says Ctrl+K; on a Mac it is ⌘K.
  if (mac) {
    document.querySelectorAll(".search-button__kbd-shortcut kbd.kbd-shortcut__modifier").forEach((key) => {
      key.textContent = "⌘";
    });
  }
  window.kbSearchDialogLoader = { open, load };
})();
