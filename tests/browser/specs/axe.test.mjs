// axe-core on every page reachable in the demo data, in German and in English, as a
// visitor and signed in as each role: zero violations of the WCAG 2.1 A and AA rules.
// Pages are found by following the links of each page (the same links a person has);
// of pages made from the same template with other records (another challenge, another
// proposal) a few are checked, not all. Forms shown again with errors are checked too.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { axeViolations, BASE, DEMO, latestMail, launch, linkIn, logIn, newPage, screenshot, unique, visit } from "../lib.mjs";

const SAMPLES_PER_TEMPLATE = 2;
const MAX_PAGES = 150;
// Not pages: files, the API, assets; and nothing that would end the session.
const SKIP = [/^\/static\//, /^\/api\//, /^\/attachments\//, /^\/logout/, /\.(pdf|png|svg|json|csv|atom|xml|txt)$/, /\/(pdf|export)$/];

const OWN_PAGES = {
  agency: [
    "/challenges/stadtbaeume-hitzesensorik",
    "/challenges/hundesteuer-online",
    "/challenges/wohnsitz-ummeldung-digital/evaluation",
    "/challenges/wohnsitz-ummeldung-digital/evaluators",
  ],
  evaluator: ["/evaluation"],
  startup: ["/organisations/formfluss/forms"],
  admin: ["/admin"],
};

let browser;
before(async () => (browser = await launch()));
after(() => browser.close());

/// Addresses that show the same template: ids and slugs replaced, query values dropped.
function templateOf(url) {
  const u = new URL(url);
  const segments = u.pathname.split("/");
  const records = ["challenges", "organisations", "proposals", "questions", "invitations", "stages", "assignments", "clarifications", "pilots", "forms", "p"];
  if (segments.length > 2 && records.includes(segments[1]) && segments[2] !== "new") segments[2] = ":id";
  const keys = [...u.searchParams.keys()].sort().join("&");
  return segments.join("/") + (keys ? `?${keys}` : "");
}

async function crawl(page, label, report) {
  // A role's own pages first, so that the samples of a template include the records it
  // works on (its challenge with the agency tools, its proposals), then the public ones.
  const queue = [...(OWN_PAGES[label.role] || [])];
  if (label.role !== "visitor") queue.push("/dashboard", "/notifications", "/account", "/invitations");
  queue.push("/", "/challenges", "/challenges?status=all", "/organisations", "/accessibility");
  // Pilots are reached by their shared link.
  queue.push("/p/hundesteuer-anmeldung", "/p/termin-auslaenderbehoerde");
  // Search results are reached through a form, not a link.
  queue.push("/search", "/search?q=Hundesteuer", "/search?q=termin&kind=question", "/search?q=zzzzqx");
  const seen = new Set();
  const perTemplate = new Map();
  let checked = 0;
  while (queue.length && checked < MAX_PAGES) {
    const path = queue.shift();
    const url = new URL(path, BASE).toString();
    if (seen.has(url)) continue;
    seen.add(url);
    const template = templateOf(url);
    const n = perTemplate.get(template) || 0;
    if (n >= SAMPLES_PER_TEMPLATE) continue;
    perTemplate.set(template, n + 1);
    const response = await page.goto(url);
    if (!response || response.status() >= 400) {
      // Links a role sees lead to pages it may open.
      report.push(`${label.name}: ${path} answered ${response ? response.status() : "nothing"}`);
      continue;
    }
    checked++;
    for (const v of await axeViolations(page)) report.push(`${label.name}: ${path}: ${v}`);
    if (n === 0 && label.lang === "en") await screenshot(page, `axe-${label.role}-${template.replace(/[^a-z0-9]+/gi, "_")}`);
    // Links, and forms that only fetch a page (such as "propose" on a challenge).
    const links = await page.$$eval("a[href], form[method=get]", (els) =>
      els.map((el) => (el.tagName === "A" ? el.href : el.action)),
    );
    for (const href of links) {
      const u = new URL(href);
      if (u.origin !== new URL(BASE).origin) continue;
      u.hash = "";
      if (SKIP.some((re) => re.test(u.pathname))) continue;
      queue.push(u.pathname + u.search);
    }
  }
  return [...perTemplate.keys()];
}

/// Forms sent back with their problems: the error summary and the marked fields.
async function formsWithErrors(page, label, report) {
  const forms = label.role === "visitor" ? ["/register", "/login", "/password/forgot"] : ["/organisations/new"];
  if (label.role === "startup") forms.push("/challenges/hundesteuer-online/proposals/new");
  if (label.role === "agency") forms.push("/challenges/new");
  for (const path of forms) {
    await visit(page, path);
    await page.locator("main form[method=post] button[type=submit]").first().click();
    await page.waitForLoadState("load");
    const summary = await page.locator(".error-summary").count();
    if (!summary) report.push(`${label.name}: ${path}: sent empty, no error summary`);
    for (const v of await axeViolations(page)) report.push(`${label.name}: ${path} (with errors): ${v}`);
  }
}

test("the check itself finds violations where there are some", async () => {
  const page = await newPage(browser);
  await visit(page, "/");
  await page.evaluate(() => {
    document.querySelector("main").insertAdjacentHTML("beforeend", '<input type="text"><img src="/static/favicon.svg">');
  });
  const found = (await axeViolations(page)).join("\n");
  assert.match(found, /^label /m);
  assert.match(found, /^image-alt /m);
  await page.context().close();
});

for (const lang of ["de", "en"]) {
  test(`pages reached from mails, from asking and by mistake: no violations, ${lang}`, async () => {
    // A visitor's language comes from the browser's.
    const page = await newPage(browser, { locale: lang === "en" ? "en-GB" : "de-DE" });
    const report = [];
    const check = async (what) => {
      for (const v of await axeViolations(page)) report.push(`${what}: ${v}`);
    };
    const email = `axe-${unique()}@example.org`;
    await visit(page, "/register");
    await page.locator("#field-email").fill(email);
    await page.locator("#field-display_name").fill("Axe Prüferin");
    await page.locator("#field-password").fill(`Laterne-Ahorn-${unique()}-Kompass`);
    await page.locator("main form button[type=submit]").click();
    await page.waitForLoadState("load");
    await check("registered");
    await visit(page, linkIn(latestMail(email)));
    await check("verify");
    await visit(page, "/password/forgot");
    await page.locator("#field-email").fill(email);
    await page.locator("main form button[type=submit]").click();
    await page.waitForLoadState("load");
    await check("forgot, sent");
    await visit(page, linkIn(latestMail(email)));
    await check("reset");
    await visit(page, "/challenges/hundesteuer-online");
    await page.locator("#field-body").fill(`Wie barrierefrei muss es sein? (${lang})`);
    await page.locator("form[action$='/questions'] button[type=submit]").click();
    await page.waitForLoadState("load");
    await check("question asked");
    const own = await page.locator("main a[href^='/questions/']").first().getAttribute("href");
    await visit(page, own);
    await check("own question");
    const missing = await page.goto("/challenges/gibt-es-nicht");
    assert.equal(missing.status(), 404);
    await check("not found");
    assert.equal(await page.getAttribute("html", "lang"), lang);
    await page.context().close();
    assert.deepEqual(report, [], `\n${report.join("\n")}`);
  });
}

const ROLES = [
  ["visitor", null],
  ["startup", DEMO.startup],
  ["civil", DEMO.civil],
  ["agency", DEMO.agency],
  ["agencyMember", DEMO.agencyMember],
  ["citizen", DEMO.citizen],
  ["evaluator", DEMO.evaluator],
  ["admin", DEMO.admin],
];

const covered = {};
for (const lang of ["de", "en"]) {
  for (const [role, account] of ROLES) {
    test(`no WCAG 2.1 A/AA violations: ${role}, ${lang}`, async () => {
      const page = await newPage(browser);
      if (account) await logIn(page, account);
      await visit(page, "/");
      const current = await page.getAttribute("html", "lang");
      if (current !== lang) {
        await page.locator("form.lang-switch button").click();
        await page.waitForLoadState("load");
      }
      assert.equal(await page.getAttribute("html", "lang"), lang);
      const label = { role, lang, name: `${role}/${lang}` };
      const report = [];
      covered[label.name] = await crawl(page, label, report);
      await formsWithErrors(page, label, report);
      // Leave the account in German, as the demo data has it.
      if (account && lang === "en") {
        await visit(page, "/");
        await page.locator("form.lang-switch button").click();
      }
      await page.context().close();
      assert.deepEqual(report, [], `\n${report.join("\n")}`);
    });
  }
}

after(() => {
  const lines = Object.entries(covered).map(([who, templates]) => `${who}: ${templates.length} templates\n  ${templates.join("\n  ")}`);
  writeFileSync(join(process.env.INNOLAB_ARTIFACTS, "axe-coverage.txt"), lines.join("\n") + "\n");
});
