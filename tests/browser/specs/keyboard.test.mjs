// The registration and submission flows with the keyboard alone: every control reached
// with Tab, focus visible at every stop, nothing trapping it; and the skip link.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { launch, newPage, visit } from "../lib.mjs";
import { keyboard, newcomerSubmits, visitorAsks, visitorSearches } from "../flows.mjs";

const pdf = fileURLToPath(new URL("../fixtures/pilotplan.pdf", import.meta.url));
let browser;
before(async () => (browser = await launch()));
after(() => browser.close());

test("the skip link is the first stop and moves focus to the main content", async () => {
  const page = await newPage(browser);
  await visit(page, "/challenges");
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => document.activeElement.textContent.trim());
  assert.equal(first, "Zum Inhalt springen");
  assert.ok(
    await page.evaluate(() => document.activeElement.getBoundingClientRect().height > 0),
    "the skip link shows itself when focused",
  );
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "main");
  // The next Tab continues inside the main content, not back in the header.
  await page.keyboard.press("Tab");
  assert.ok(await page.evaluate(() => document.getElementById("main").contains(document.activeElement)));
});

test("a visitor asks a question with the keyboard alone", async () => {
  await visitorAsks(keyboard(await newPage(browser)));
});

test("a newcomer registers and submits a proposal with the keyboard alone", async () => {
  await newcomerSubmits(keyboard(await newPage(browser)), pdf);
});

test("Tab goes through a whole page and out of it without being trapped", async () => {
  const page = await newPage(browser);
  await visit(page, "/challenges/hundesteuer-online");
  const total = await page.evaluate(
    () => document.querySelectorAll("a[href], button, input:not([type=hidden]):not([tabindex='-1']), select, textarea").length,
  );
  const seen = new Set();
  for (let i = 0; i < total + 5; i++) {
    await page.keyboard.press("Tab");
    seen.add(await page.evaluate(() => {
      const el = document.activeElement;
      return el === document.body ? "body" : el.outerHTML.slice(0, 80);
    }));
  }
  assert.ok(seen.size >= Math.min(total, 20), `focus moved through ${seen.size} of ${total} controls`);
});

test("a visitor searches and narrows the results with the keyboard alone", async () => {
  await visitorSearches(keyboard(await newPage(browser)));
});
