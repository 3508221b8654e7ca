// The search page: Pagefind's index of this edition, one shard per month, newest first; the
// first shard's engine loads the rest with mergeIndex. Results show the headline, date,
// channel and an excerpt with the words found marked; filters narrow them to a channel or a
// section. The query and filters are kept in the address, so a result list can be shared.
const form = document.querySelector("[data-search]");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const input = form.elements.q;
const choosers = { channel: form.elements.channel, section: form.elements.section };
const shards = JSON.parse(form.dataset.shards);
let pagefind = null;
let asked = 0;

function say(text) {
  status.textContent = text;
}

async function engine() {
  if (pagefind === null) {
    pagefind = await import(shards[0] + "pagefind.js");
    await pagefind.options({ excerptLength: 28 });
    for (const shard of shards.slice(1)) {
      await pagefind.mergeIndex(shard);
    }
    const found = await pagefind.filters();
    for (const [name, chooser] of Object.entries(choosers)) {
      for (const value of Object.keys(found[name] || {}).sort()) {
        chooser.add(new Option(value, value));
      }
    }
  }
  return pagefind;
}

function result(data) {
  const item = document.createElement("article");
  item.className = "search-result";
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  const meta = document.createElement("p");
  meta.className = "search-meta";
  const time = document.createElement("time");
  time.dateTime = data.meta.date || "";
  time.textContent = data.meta.date || "";
  meta.append(time, ` · ${data.meta.channel || ""}`);
  const excerpt = document.createElement("p");
  excerpt.className = "search-excerpt";
  excerpt.innerHTML = data.excerpt; // Pagefind's text of our own pages, the words found in <mark>
  item.append(heading, meta, excerpt);
  return item;
}

async function search() {
  const query = input.value.trim();
  const filters = {};
  for (const [name, chooser] of Object.entries(choosers)) {
    if (chooser.value) filters[name] = chooser.value;
  }
  const address = new URL(location.href);
  address.search = "";
  if (query) address.searchParams.set("q", query);
  for (const [name, value] of Object.entries(filters)) address.searchParams.set(name, value);
  history.replaceState(null, "", address);
  const mine = ++asked;
  if (!query && !Object.keys(filters).length) {
    list.replaceChildren();
    say("");
    return;
  }
  const found = await (await engine()).search(query || null, { filters, sort: query ? undefined : { date: "desc" } });
  const shown = await Promise.all(found.results.slice(0, 30).map((r) => r.data()));
  if (mine !== asked) return; // a newer search has started
  list.replaceChildren(...shown.map(result));
  say(found.results.length ? `${found.results.length} ${form.dataset.results}` : form.dataset.none);
}

if (!shards.length) {
  say(form.dataset.empty);
} else {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  engine().then(() => {
    for (const [name, chooser] of Object.entries(choosers)) chooser.value = params.get(name) || "";
    search();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  input.addEventListener("input", () => search());
  for (const chooser of Object.values(choosers)) chooser.addEventListener("change", () => search());
}
