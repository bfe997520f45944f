// Search as you type on the pickers that hand work to someone (the accountable owner, the responsible,
// consulted and informed parties). A picker is a GET search form marked data-picker="<results id>": this
// fetches the address that pressing Search would load and moves that page's results into this one, so
// the matching rule and the wording stay on the server. Without this file the form works as before.
import { initAll } from "./vendor/nhsuk/nhsuk-frontend.min.js";

const PAUSE_MS = 250; // one request per pause in typing, not one per key
const MIN_CHARACTERS = 2; // a single letter matches too much to be worth a request

for (const form of document.querySelectorAll("form[data-picker]")) {
  enhance(form);
}

function enhance(form) {
  const results = document.getElementById(form.dataset.picker);
  const input = form.elements.q;
  if (!results || !input) {
    return;
  }
  const status = statusBefore(results);
  useHint(form, input);
  let timer;
  let controller;
  const cancel = () => {
    clearTimeout(timer);
    controller?.abort(); // a slower answer to an older search must never replace a newer one
  };
  input.addEventListener("input", () => {
    cancel();
    timer = setTimeout(() => {
      controller = new AbortController();
      search(form, results, status, controller.signal);
    }, PAUSE_MS);
  });
  form.addEventListener("submit", cancel); // Search (or Enter) loads the page as it always did
}

async function search(form, results, status, signal) {
  const text = form.elements.q.value.trim();
  if (text.length > 0 && text.length < MIN_CHARACTERS) {
    return;
  }
  const address = searchAddress(form);
  let page;
  try {
    page = await fetchPage(address, signal);
  } catch {
    return; // aborted by newer typing, or the network failed: the Search button still works
  }
  if (page?.querySelector(".nhsuk-error-summary")) {
    form.submit(); // the search itself was refused (too long): show the server's error page, as without JS
    return;
  }
  const fresh = page?.getElementById(results.id);
  if (!fresh) {
    return; // not the page we asked for (the session ended, say): leave this one as it is
  }
  swapChildren(results, fresh);
  history.replaceState(history.state, "", address); // the address still says what is shown
  status.textContent = text ? matchesSentence(Number(fresh.dataset.pickerMatches), text) : "";
}

// What the browser would load for this form: the same fields, so the server sees no difference.
function searchAddress(form) {
  const address = new URL(form.action);
  address.search = new URLSearchParams(new FormData(form)).toString();
  return address;
}

async function fetchPage(address, signal) {
  const response = await fetch(address, { signal, headers: { Accept: "text/html" } });
  if (!response.ok) {
    return null;
  }
  return new DOMParser().parseFromString(await response.text(), "text/html");
}

function swapChildren(results, fresh) {
  const focused = results.contains(document.activeElement) ? document.activeElement.id : "";
  results.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
  results.dataset.pickerMatches = fresh.dataset.pickerMatches;
  initAll(results); // the new radios and buttons are NHS.UK components that have not been started
  if (focused) {
    document.getElementById(focused)?.focus(); // someone who had moved on to the choices stays there
  }
}

// One short sentence for screen readers. The results area is a live region too, but it would read out
// every choice on every pause in typing, so it stays quiet while this speaks.
function statusBefore(results) {
  const status = document.createElement("p");
  status.className = "nhsuk-u-visually-hidden";
  status.setAttribute("role", "status");
  results.setAttribute("aria-live", "off");
  results.before(status);
  return status;
}

// Without JavaScript the hint says to choose Search; with it, matches come as you type.
function useHint(form, input) {
  const hint = document.getElementById(`${input.id}-hint`);
  if (hint && form.dataset.pickerHint) {
    hint.textContent = form.dataset.pickerHint;
  }
}

function matchesSentence(count, text) {
  if (count === 0) {
    return `No matches for “${text}”.`;
  }
  return `${count} ${count === 1 ? "match" : "matches"} for “${text}”, listed below the Search button.`;
}
