// The same main flows with JavaScript switched off: nothing needs it.

import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { launch, newPage } from "../lib.mjs";
import { agencyAnswers, agencyReads, mouse, newcomerSubmits, switchesLanguage, visitorAsks, visitorSearches } from "../flows.mjs";

const pdf = fileURLToPath(new URL("../fixtures/pilotplan.pdf", import.meta.url));
let browser;
before(async () => (browser = await launch()));
after(() => browser.close());
const noScript = () => newPage(browser, { javaScript: false });

test("without JavaScript: a visitor asks, the agency answers", async () => {
  const question = await visitorAsks(mouse(await noScript()));
  await agencyAnswers(mouse(await noScript()), question);
});

test("without JavaScript: a newcomer registers and submits; the agency reads it", async () => {
  const { title } = await newcomerSubmits(mouse(await noScript()), pdf);
  await agencyReads(mouse(await noScript()), title);
});

test("without JavaScript: the language switches", async () => {
  await switchesLanguage(mouse(await noScript()));
});

test("without JavaScript: a visitor searches and narrows the results", async () => {
  await visitorSearches(mouse(await noScript()));
});
