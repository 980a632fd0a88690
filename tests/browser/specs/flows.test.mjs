// The main flows with the mouse, in a browser with JavaScript on; screenshots of the
// main pages go to artifacts/screenshots/.

import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { launch, newPage } from "../lib.mjs";
import { agencyAnswers, agencyReads, mouse, newcomerSubmits, switchesLanguage, visitorAsks, visitorSearches } from "../flows.mjs";

const pdf = fileURLToPath(new URL("../fixtures/pilotplan.pdf", import.meta.url));
let browser;
before(async () => (browser = await launch()));
after(() => browser.close());

test("a visitor filters, opens a challenge and asks anonymously; the agency answers in public", async () => {
  const question = await visitorAsks(mouse(await newPage(browser)), "visitor-");
  await agencyAnswers(mouse(await newPage(browser)), question, "agency-");
});

test("a newcomer registers, confirms by mail, founds a startup and submits with a file; the agency reads it", async () => {
  const { title } = await newcomerSubmits(mouse(await newPage(browser)), pdf, "newcomer-");
  await agencyReads(mouse(await newPage(browser)), title, "agency-");
});

test("the language switches to English and back", async () => {
  await switchesLanguage(mouse(await newPage(browser)), "visitor-");
});

test("a visitor searches from the header, narrows by kind and opens the challenge", async () => {
  await visitorSearches(mouse(await newPage(browser)), "visitor-");
});
