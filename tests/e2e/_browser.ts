/**
 * Chromium for the dashboard tests: the system `chromium` (Debian package; CHROMIUM_BIN
 * overrides) driven by playwright-core over the DevTools protocol. playwright-core runs
 * under Deno as is and has no npm dependencies of its own (puppeteer-core also runs, but
 * pulls in a dozen packages); its locators wait for elements, which keeps the tests
 * free of sleeps. Console errors and page errors are collected for the test to assert on.
 */
import { type Browser, chromium, type Page } from "playwright-core";

/** The Chromium binary, if any. */
export function chromiumPath(): string | undefined {
  const env = Deno.env.get("CHROMIUM_BIN");
  for (const p of [env, "/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (!p) continue;
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* not here */ }
  }
  return undefined;
}

/** A browser with one page whose console errors are kept. */
export interface TestBrowser {
  browser: Browser;
  page: Page;
  /** "error"-level console messages and uncaught page errors, with their location. */
  errors: string[];
  close(): Promise<void>;
}

/** Launches headless Chromium with a page of `width` x `height`. */
export async function launch(width = 1280, height = 720): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const page = await browser.newPage({ viewport: { width, height } });
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  return {
    browser,
    page,
    errors,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}
