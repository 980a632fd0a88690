// Shared helpers of the browser suite: the browser, signing in, the mail outbox, axe-core
// and screenshots. The server is started by run.sh, which passes its address and data
// directory in the environment.

import { readFileSync, readdirSync, statSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

export const BASE = process.env.INNOLAB_BASE_URL;
const DATA = process.env.INNOLAB_DATA_DIR;
const ARTIFACTS = process.env.INNOLAB_ARTIFACTS;
if (!BASE || !DATA || !ARTIFACTS) {
  throw new Error("run the suite with tests/browser/run.sh");
}

/// The demo accounts of the README (seed/users.toml).
export const DEMO = {
  admin: ["admin@innolab.example", "Zimtstern-Giesskanne-Leuchtturm-83"],
  agency: ["behoerde.stadt@innolab.example", "Tannenzapfen-Weckglas-Sternwarte-38"],
  agencyMember: ["referent.bund@innolab.example", "Segelboot-Himbeere-Schraubstock-57"],
  startup: ["startup.formfluss@innolab.example", "Quittenmus-Anker-Dachrinne-Kiesel-73"],
  civil: ["verein.barrierefrei@innolab.example", "Libelle-Feuerstein-Nudelholz-Kanal-742"],
  citizen: ["buerger@innolab.example", "Sonnenuhr-Hagebutte-Trichter-Fjord-605"],
  evaluator: ["gutachterin.verwaltung@innolab.example", "Wanderdüne-Kompass-Lavendel-Zwirn-61"],
};

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/// A fresh context (its own cookies) in German unless told otherwise.
export async function newPage(browser, { javaScript = true, locale = "de-DE" } = {}) {
  const context = await browser.newContext({
    baseURL: BASE,
    javaScriptEnabled: javaScript,
    locale,
    viewport: { width: 1280, height: 900 },
  });
  return context.newPage();
}

/// Opens a path and fails on anything but a successful answer.
export async function visit(page, path) {
  const response = await page.goto(path);
  if (!response || response.status() >= 400) {
    throw new Error(`GET ${path}: ${response ? response.status() : "no response"}`);
  }
  return response;
}

export async function logIn(page, [email, password]) {
  await visit(page, "/login");
  await page.locator("#field-email").fill(email);
  await page.locator("#field-password").fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith("/login")),
    page.locator("main form button[type=submit]").click(),
  ]);
}

/// The newest mail to `to` in the outbox, decoded from quoted-printable.
export function latestMail(to) {
  const dir = join(DATA, "outbox");
  const files = readdirSync(dir)
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
  for (const file of files.reverse()) {
    const raw = readFileSync(file, "utf8");
    if (!raw.toLowerCase().includes(to.toLowerCase())) continue;
    return raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  }
  throw new Error(`no mail to ${to}`);
}

/// The first link into this site found in a mail.
export function linkIn(mail) {
  const match = mail.match(new RegExp(`${BASE.replace(/[.]/g, "\\.")}[^\\s"<>]+`));
  if (!match) throw new Error(`no link in: ${mail}`);
  return match[0];
}

/// A unique suffix for names and addresses made by a test.
export function unique() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

export async function screenshot(page, name) {
  const dir = join(ARTIFACTS, "screenshots");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/// The WCAG 2.1 A and AA violations axe-core finds on the page, as readable lines.
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol: the site's CSP (rightly) refuses inline
  // scripts, and this leaves the page as visitors get it.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")} – ${n.failureSummary.replace(/\s+/g, " ")}`),
  );
}
