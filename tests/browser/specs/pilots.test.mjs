// A test user without an account runs the demo pilots in Chromium: the Hundesteuer web
// form (with a refused answer, back, review, send, PDF receipt, a copy by mail and
// rating) with axe-core
// on every step, and the appointment assistant with JavaScript switched off (axe itself
// needs JavaScript, so that run is checked by its flow alone).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { axeViolations, BASE, launch, newPage, screenshot, visit } from "../lib.mjs";

let browser;
before(async () => (browser = await launch()));
after(() => browser.close());

async function check(page, what, report) {
  if (page.context()._noScript) return;
  for (const v of await axeViolations(page)) report.push(`${what}: ${v}`);
}

async function submit(page, label) {
  await page.getByRole("button", { name: label, exact: true }).click();
  await page.waitForLoadState("load");
}

test("a test user completes the Hundesteuer web form, gets a PDF receipt and rates it", async () => {
  const page = await newPage(browser);
  const report = [];
  await visit(page, "/p/hundesteuer-anmeldung");
  await check(page, "start", report);
  // Starting without consent: the error summary names the box.
  await submit(page, "Formular beginnen");
  assert.equal(await page.locator(".error-summary").count(), 1);
  await check(page, "start with errors", report);
  await page.getByLabel("Ich habe das gelesen und möchte teilnehmen.").check();
  await submit(page, "Formular beginnen");
  assert.match(page.url(), /\/p\/hundesteuer-anmeldung\/r\//);
  await check(page, "step 1", report);

  // Step 1 with a bad email and no date: refused, and what was typed stays.
  await page.getByLabel("Vor- und Nachname").fill("Erika Browser");
  await page.getByLabel("Anschrift").fill("Lindenallee 4\n12345 Musterstadt");
  await page.getByLabel("E-Mail-Adresse").fill("erika@");
  await submit(page, "Weiter");
  assert.equal(await page.locator(".error-summary").count(), 1);
  assert.equal(await page.getByLabel("Vor- und Nachname").inputValue(), "Erika Browser");
  await check(page, "step 1 with errors", report);
  // The summary's link leads to the field.
  await page.locator(".error-summary a").first().click();
  await page.getByLabel("E-Mail-Adresse").fill("erika@example.org");
  await page.getByLabel("Geburtsdatum").fill("1980-04-12");
  await submit(page, "Weiter");

  // Step 2: a listed breed would need a file; say no.
  assert.match(await page.locator("h1").textContent(), /Hund/);
  await page.getByLabel("Wie viele Hunde halten Sie?").fill("1");
  await page.getByLabel("Rasse").fill("Dackel");
  await page.getByLabel("Seit wann halten Sie den Hund?").fill("2026-06-01");
  await page.locator("input[name=listenhund][value=no]").check();
  await check(page, "step 2", report);
  await submit(page, "Weiter");

  // Step 3, then back to step 2 and forward again.
  await page.getByLabel("Nein", { exact: true }).check();
  await submit(page, "Zurück");
  assert.equal(await page.getByLabel("Rasse").inputValue(), "Dackel");
  await submit(page, "Weiter");
  await page.getByLabel("Nein", { exact: true }).check();
  await page.getByLabel("Ich versichere, dass meine Angaben richtig sind.").check();
  await submit(page, "Weiter");

  // The review lists the answers; send.
  assert.match(await page.locator("h1").textContent(), /Angaben prüfen/);
  assert.match(await page.locator("main").textContent(), /erika@example\.org/);
  await check(page, "review", report);
  await screenshot(page, "pilot-review");
  await submit(page, "Absenden");
  const reference = (await page.locator(".reference").textContent()).trim();
  assert.match(reference, /^\d{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  await check(page, "receipt", report);

  // The PDF receipt downloads.
  const href = await page.locator("a[href$='/pdf']").getAttribute("href");
  const pdf = await page.request.get(new URL(href, page.url()).toString());
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  assert.ok((await pdf.body()).subarray(0, 5).toString() === "%PDF-");

  // A copy by mail: offered to the address from the form; a mistyped one is refused
  // with the summary and the typed text kept.
  const mail = page.getByLabel("Kopie per E-Mail an");
  assert.equal(await mail.inputValue(), "erika@example.org");
  await mail.fill("erika(at)example.org");
  await submit(page, "Kopie senden");
  assert.equal(await page.locator(".error-summary").count(), 1);
  assert.equal(await page.getByLabel("Kopie per E-Mail an").inputValue(), "erika(at)example.org");
  await check(page, "receipt mail with errors", report);
  await page.getByLabel("Kopie per E-Mail an").fill("erika@example.org");
  await submit(page, "Kopie senden");
  assert.match(await page.locator("main").textContent(), /Kopie ist unterwegs/);

  // The rating, once.
  await page.locator("input[name=rating][value='4']").check();
  await page.getByLabel("Was sollte das Team verbessern?").fill("Alles gut, im Browser getestet.");
  await submit(page, "Bewertung senden");
  assert.match(await page.locator("main").textContent(), /4 von 5/);
  await check(page, "receipt rated", report);
  await screenshot(page, "pilot-receipt");
  await page.context().close();
  assert.deepEqual(report, [], `\n${report.join("\n")}`);
});

test("a test user books through the assistant, one question at a time, in English", async () => {
  const page = await newPage(browser, { javaScript: false, locale: "en-GB" });
  page.context()._noScript = true;
  const report = [];
  await visit(page, "/p/termin-auslaenderbehoerde");
  await page.getByLabel("I have read this and agree to take part.").check();
  await submit(page, "Start the conversation");
  await check(page, "greeting", report);
  await submit(page, "Continue");
  await page.getByLabel("Extend a residence permit").check();
  await check(page, "question", report);
  await submit(page, "Answer");
  // The follow-up question appears only for an extension.
  await page.getByLabel("When does your current permit expire?").fill("2027-01-31");
  await submit(page, "Answer");
  await page.getByLabel("English", { exact: true }).check();
  await submit(page, "Answer");
  await page.getByLabel("From when are you available?").fill("2026-12-01");
  await submit(page, "Answer");
  await page.getByLabel("Which number can we call you on?").fill("call me");
  await submit(page, "Answer");
  assert.equal(await page.locator(".error-summary").count(), 1);
  await check(page, "question with error", report);
  await page.getByLabel("Which number can we call you on?").fill("+49 30 1234567");
  await submit(page, "Answer");
  await page.locator("input[name=zufrieden][value='5']").check();
  await submit(page, "Answer");
  assert.match(await page.locator("h1").textContent(), /Check your answers/);
  await check(page, "review", report);
  await screenshot(page, "pilot-assistant-review");
  await submit(page, "Send");
  assert.match(await page.locator("main").textContent(), /Reference number/);
  await page.context().close();
  assert.deepEqual(report, [], `\n${report.join("\n")}`);
});

test("a pilot page answers with the pilot, not an error, for a visitor at the base URL", async () => {
  const page = await newPage(browser);
  const r = await page.goto(new URL("/p/wohnsitz-anmelden", BASE).toString());
  assert.equal(r.status(), 200);
  await page.context().close();
});
