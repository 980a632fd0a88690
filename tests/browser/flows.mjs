// The main flows as people go through them, written once and run three ways: with the
// mouse, with the keyboard alone, and with JavaScript switched off. Each step asserts
// what the person sees on the page.

import assert from "node:assert/strict";
import { DEMO, latestMail, linkIn, logIn, newPage, screenshot, unique, visit } from "./lib.mjs";

export const HUNDESTEUER = {
  slug: "hundesteuer-online",
  title: "Hundesteuer-Anmeldung online statt PDF",
};

/// How a person operates the page: pointer (mouse) or keyboard alone.
export function mouse(page) {
  return {
    page,
    fill: (locator, text) => locator.fill(text),
    check: (locator) => locator.check(),
    select: (locator, label) => locator.selectOption({ label }),
    activate: (locator) => locator.click(),
    upload: (locator, file) => locator.setInputFiles(file),
  };
}

/// Keyboard only: every control is reached with Tab (so none is out of reach, and focus
/// is never trapped before it), focus must be visible at every stop, and controls are
/// used with the keys a keyboard user has.
export function keyboard(page) {
  // Tab until the target has focus (`group`: any radio button of the target's group,
  // since Tab stops once per group), checking the focus ring at every stop.
  async function focus(locator, group = false) {
    const target = await locator.elementHandle();
    for (let stop = 0; stop < 120; stop++) {
      await page.keyboard.press("Tab");
      const state = await page.evaluate(
        ([t, group]) => {
          const el = document.activeElement;
          if (!el || el === document.body) return { here: false, visible: true, what: "body" };
          const s = getComputedStyle(el);
          const ring = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
          const shadow = s.boxShadow && s.boxShadow !== "none";
          return {
            here: el === t || (group && el.type === "radio" && el.name === t.name),
            visible: ring || shadow,
            what: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} ${el.textContent.trim().slice(0, 40)}`,
          };
        },
        [target, group],
      );
      assert.ok(state.visible, `focus is not visible on ${state.what} (${page.url()})`);
      if (state.here) return;
    }
    assert.fail(`Tab never reached ${locator} on ${page.url()}`);
  }
  return {
    page,
    async fill(locator, text) {
      await focus(locator);
      await page.keyboard.press("ControlOrMeta+a");
      await page.keyboard.type(text);
    },
    async check(locator) {
      if (await locator.isChecked()) return;
      const radio = (await locator.getAttribute("type")) === "radio";
      await focus(locator, radio);
      // In a radio group the arrow keys move the choice; a checkbox toggles with Space.
      for (let i = 0; i < 10 && !(await locator.isChecked()); i++) {
        await page.keyboard.press(radio ? "ArrowDown" : "Space");
      }
      assert.ok(await locator.isChecked(), `${locator} could not be chosen`);
    },
    async select(locator, label) {
      await focus(locator);
      // A closed select steps through its options with the arrow keys.
      const chosen = () => locator.evaluate((s) => s.options[s.selectedIndex].text.trim());
      for (let i = 0; i < 100 && (await chosen()) !== label; i++) {
        await page.keyboard.press("ArrowDown");
      }
      assert.equal(await chosen(), label);
    },
    async activate(locator) {
      await focus(locator);
      await page.keyboard.press("Enter");
    },
    async upload(locator, file) {
      await focus(locator);
      const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press("Space")]);
      await chooser.setFiles(file);
    },
  };
}

/// Activates a link or button and waits for the page it leads to.
async function submitted(act, locator) {
  const { page } = act;
  const navigated = page.waitForEvent("framenavigated", { predicate: (f) => f === page.mainFrame() });
  await act.activate(locator);
  await navigated;
  await page.waitForLoadState("load");
}

/// A visitor browses the open challenges, filters them by topic, opens one and asks an
/// anonymous question. Returns the question's text.
export async function visitorAsks(act, shots = "") {
  const { page } = act;
  await visit(page, "/");
  if (shots) await screenshot(page, `${shots}home`);
  await submitted(act, page.getByRole("link", { name: "Herausforderungen", exact: true }).first());
  await page.getByRole("heading", { level: 1, name: "Herausforderungen" }).waitFor();
  await act.select(page.getByLabel("Thema"), "Bürgerservices");
  await submitted(act, page.getByRole("button", { name: "Anzeigen" }));
  assert.match(page.url(), /topic=buergerservices/);
  if (shots) await screenshot(page, `${shots}challenges`);
  const card = page.getByRole("link", { name: HUNDESTEUER.title });
  await submitted(act, card);
  await page.getByRole("heading", { level: 1, name: HUNDESTEUER.title }).waitFor();
  if (shots) await screenshot(page, `${shots}challenge`);
  const question = `Gibt es eine Schnittstelle zum Steuerverfahren? (${unique()})`;
  await act.fill(page.getByLabel("Ihre Frage"), question);
  await submitted(act, page.getByRole("button", { name: "Frage senden" }));
  await page.getByRole("heading", { level: 1, name: "Frage gesendet" }).waitFor();
  assert.ok(await page.getByText("anonym gesendet").isVisible(), "the visitor is told the question is anonymous");
  if (shots) await screenshot(page, `${shots}question-asked`);
  return question;
}

/// A visitor searches from the header box with the umlauts typed out, narrows the
/// results to challenges with the facet filters and opens the first one.
export async function visitorSearches(act, shots = "") {
  const { page } = act;
  await visit(page, "/");
  const header = page.getByRole("search", { name: "Suche" });
  await act.fill(header.getByLabel("Suchbegriffe"), "Auslaenderbehoerde termin");
  await submitted(act, header.getByRole("button", { name: "Suchen" }));
  await page.getByRole("heading", { level: 1, name: "Suche" }).waitFor();
  const results = page.locator("ol.results > li");
  assert.match(await results.first().locator("h3").innerText(), /Chat-Assistent/);
  assert.ok((await results.first().locator("mark").count()) > 0, "the first result marks the matches");
  if (shots) await screenshot(page, `${shots}search`);
  const filters = page.getByRole("group", { name: "Art" });
  await act.check(filters.getByLabel(/^Herausforderung/));
  await submitted(act, page.getByRole("button", { name: "Filter anwenden" }));
  assert.match(page.url(), /kind=challenge/);
  assert.equal(await page.getByRole("heading", { level: 2, name: "Ein Treffer" }).count(), 1);
  await submitted(act, results.first().getByRole("link"));
  await page.getByRole("heading", { level: 1, name: /Chat-Assistent/ }).waitFor();
}

/// The agency answers the question on its question desk; the answer is then public.
export async function agencyAnswers(act, question, shots = "") {
  const { page } = act;
  await logIn(page, DEMO.agency);
  await visit(page, `/challenges/${HUNDESTEUER.slug}`);
  await submitted(act, page.getByRole("link", { name: "Fragen beantworten" }));
  if (shots) await screenshot(page, `${shots}question-desk`);
  const item = page.locator("li, article, section").filter({ hasText: question }).last();
  const answer = `Ja, über XÖV-Nachrichten. (${unique()})`;
  await act.fill(item.getByRole("textbox").first(), answer);
  await submitted(act, item.getByRole("button", { name: "Antwort veröffentlichen" }));
  await page.getByText("Die Antwort wurde gespeichert.").waitFor();
  // Visitors see question and answer on the challenge page.
  const visitor = await newPage(page.context().browser());
  await visit(visitor, `/challenges/${HUNDESTEUER.slug}`);
  assert.ok(await visitor.getByText(question).isVisible(), "the answered question is public");
  assert.ok(await visitor.getByText(answer).isVisible(), "the answer is public");
  await visitor.context().close();
  return answer;
}

/// A new person registers, confirms the address from the mail, signs in, founds a
/// startup and submits a proposal with an attachment to an open challenge.
export async function newcomerSubmits(act, file, shots = "") {
  const { page } = act;
  const id = unique();
  const email = `gruenderin-${id}@example.org`;
  const password = `Ahornsirup-Laterne-${id}-Kompass`;
  await visit(page, "/");
  await submitted(act, page.getByRole("link", { name: "Registrieren" }).first());
  if (shots) await screenshot(page, `${shots}register`);
  await act.fill(page.getByLabel("E-Mail-Adresse"), email);
  await act.fill(page.getByLabel("Name", { exact: true }), `Gründerin ${id}`);
  await act.fill(page.getByLabel("Passwort"), password);
  await submitted(act, page.getByRole("button", { name: "Konto anlegen" }));
  await page.getByRole("heading", { level: 1, name: "Fast geschafft" }).waitFor();

  await visit(page, linkIn(latestMail(email)));
  await submitted(act, page.getByRole("button", { name: "Adresse bestätigen" }));
  await logIn(page, [email, password]);
  await page.getByText("Sie sind angemeldet.").waitFor();

  await visit(page, "/organisations/new");
  await act.fill(page.getByLabel("Name der Organisation"), `Formwerk ${id}`);
  await act.check(page.getByLabel("Startup", { exact: true }));
  await submitted(act, page.getByRole("button", { name: "Speichern" }));
  await page.getByText("Die Organisation wurde angelegt.").waitFor();

  await visit(page, `/challenges/${HUNDESTEUER.slug}`);
  await submitted(act, page.getByRole("button", { name: "Vorschlag einreichen" }));
  if (shots) await screenshot(page, `${shots}proposal-form`);
  const title = `Hundesteuer in fünf Minuten (${id})`;
  const fields = [
    ["Titel", title],
    ["Zusammenfassung", "Ein barrierefreies Webformular ersetzt das PDF."],
    ["Lösungsansatz", "Wir bauen das Formular nach BITV 2.0 und liefern per XÖV an das Fachverfahren."],
    ["Team", "Drei Personen mit Erfahrung in OZG-Projekten."],
    ["Umfang des Piloten", "Alle Neuanmeldungen im Stadtgebiet."],
    ["Dauer des Piloten", "drei Monate"],
    ["Kennzahlen und Ziele", "Abschlussquote über 85 %"],
    ["Datenschutz", "Verarbeitung nur in Deutschland, Löschung nach 90 Tagen."],
    ["Lizenz / Open Source", "EUPL-1.2"],
  ];
  for (const [label, value] of fields) {
    await act.fill(page.getByLabel(label, { exact: true }), value);
  }
  await submitted(act, page.getByRole("button", { name: "Speichern", exact: true }));
  await page.getByText("Der Entwurf wurde angelegt.").waitFor();
  await page.getByRole("heading", { level: 1, name: title }).waitFor();

  await act.upload(page.getByLabel("Datei", { exact: true }), file);
  await submitted(act, page.getByRole("button", { name: "Hochladen" }));
  assert.ok(await page.getByRole("link", { name: /pilotplan/ }).first().isVisible(), "the file is listed");

  await submitted(act, page.getByRole("button", { name: "Einreichen", exact: true }));
  await page.getByText("Der Vorschlag wurde eingereicht.").waitFor();
  assert.ok(await page.getByText("Eingereicht", { exact: true }).first().isVisible(), "the status says submitted");
  if (shots) await screenshot(page, `${shots}proposal`);
  return { email, password, title, url: page.url() };
}

/// The owning agency finds the proposal among its challenge's proposals and reads it.
export async function agencyReads(act, title, shots = "") {
  const { page } = act;
  await logIn(page, DEMO.agency);
  await visit(page, `/challenges/${HUNDESTEUER.slug}/proposals`);
  if (shots) await screenshot(page, `${shots}challenge-proposals`);
  await submitted(act, page.getByRole("link", { name: title }));
  await page.getByRole("heading", { level: 1, name: title }).waitFor();
  assert.ok(await page.getByText("EUPL-1.2").isVisible(), "the agency reads the private fields");
}

/// Switching the language to English and back, on the page one is on.
export async function switchesLanguage(act, shots = "") {
  const { page } = act;
  await visit(page, "/challenges");
  await submitted(act, page.getByRole("button", { name: "English" }));
  await page.getByRole("heading", { level: 1, name: "Challenges" }).waitFor();
  assert.equal(await page.getAttribute("html", "lang"), "en");
  if (shots) await screenshot(page, `${shots}challenges-en`);
  await submitted(act, page.getByRole("button", { name: "Deutsch" }));
  await page.getByRole("heading", { level: 1, name: "Herausforderungen" }).waitFor();
  assert.equal(await page.getAttribute("html", "lang"), "de");
}
