// Drive Debian's chromium through the self-check page, one browser session for every workbook.
// Usage: node drive.mjs JOB.json, where JOB = {chromium, url, files: [paths], downloads: folder,
// screenshot: {after: path, to: png}, out: results.json, settle: ms, before: a script run before
// the page's own}. Writes, per file in order,
// what the page showed: its verdict, the report's text, the marked copy's download name (saved in
// `downloads`), and the milliseconds from opening the page to each report; and every URL the page
// requested.
import fs from "node:fs";
import path from "node:path";
import puppeteer from "puppeteer-core";

const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const browser = await puppeteer.launch({
  executablePath: job.chromium, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         ...(job.args || [])],
});
const out = { requests: [], console: [], results: [] };
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  if (job.before) await page.evaluateOnNewDocument(job.before);
  page.on("request", (request) => out.requests.push(request.url()));
  page.on("console", (message) => out.console.push(`${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => out.console.push(`pageerror: ${error.message}`));
  const cdp = await page.createCDPSession();
  await cdp.send("Browser.setDownloadBehavior",
                 { behavior: "allow", downloadPath: job.downloads, eventsEnabled: true });
  // A browser just launched spends its first second or two starting its own pages; a student
  // opens ours in a browser already running (`settle`: milliseconds to wait, for timings).
  if (job.settle) await new Promise((resolve) => setTimeout(resolve, job.settle));
  const opened = Date.now();
  await page.goto(job.url, { waitUntil: "load" });
  const input = await page.$("#file");
  for (const [n, file] of job.files.entries()) {
    await input.uploadFile(file);
    // The first file waits for Python to load too: minutes on a 2-core machine under load.
    await page.waitForFunction((k) => Number(document.body.dataset.checked || 0) >= k,
                               { timeout: n ? 120000 : 300000 }, n + 1);
    const seen = await page.evaluate(() => ({
      state: document.body.dataset.state,
      status: document.getElementById("status").textContent,
      verdict: document.getElementById("verdict").textContent,
      report: document.getElementById("report").textContent,
      marked: document.getElementById("download").hidden ? null
        : document.getElementById("marked").download,
    }));
    seen.file = file;
    seen.ms = Date.now() - opened;
    if (seen.marked) {
      const saved = path.join(job.downloads, seen.marked);
      await page.click("#marked");
      for (let t = 0; t < 200 && !fs.existsSync(saved); t++) await new Promise((r) => setTimeout(r, 50));
    }
    if (job.screenshot && job.screenshot.after === file) {
      await page.screenshot({ path: job.screenshot.to, fullPage: true });
    }
    out.results.push(seen);
  }
  out.timings = await page.evaluate(() => timings);
} finally {
  await browser.close();
  fs.writeFileSync(job.out, JSON.stringify(out, null, 1));
}
