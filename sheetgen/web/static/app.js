// The self-check page: load Pyodide, numpy and sheetgen from this site, then check each workbook
// the student picks or drops, in memory, and show the report `sheetgen verify` prints.
"use strict";

const MAX_MB = 50;  // larger files are refused before Python reads them
const $ = (id) => document.getElementById(id);

const timings = [];  // [milliseconds since the page opened, status line], for the browser tests

function say(text, state) {
  timings.push([Math.round(performance.now()), text]);
  $("status").textContent = text;
  if (state) document.body.dataset.state = state;
}

async function bytesOf(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

// The site's own files are fetched at once, while Pyodide loads: the checker's Python and
// numpy's, compiled to bytecode by `sheetgen web` (sheetgen/web/bytecode.py), and the options.
const site = Promise.all([bytesOf("sheetgen-web.zip"), bytesOf("numpy-bytecode.zip"),
                          fetch("options.json").then((r) => r.json())]);
site.catch(() => {});  // a failure is reported where it is awaited

async function startPython() {
  say("Loading Python into this page (Pyodide, about 7 MB compressed, from this site)…");
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", location.href).href,
                                      stdout: () => {}, stderr: () => {} });
  say("Loading numpy (the reference's arithmetic)…");
  // From this site; Pyodide checks the wheel's sha256 against its pyodide-lock.json. The
  // site's own files, fetched meanwhile (`site` above), are put in place while it loads.
  const numpy = pyodide.loadPackage("numpy", { messageCallback: () => {} });
  numpy.catch(() => {});  // a failure is reported where it is awaited
  const [code, numpyCode, options] = await site;
  pyodide.FS.writeFile("/sheetgen-web.zip", code);  // imported from the zip itself
  await numpy;
  // numpy's bytecode goes beside the sources Pyodide installed from the checked wheel.
  pyodide.unpackArchive(numpyCode, "zip", { extractDir: "/lib/python3.12/site-packages" });
  say("Loading the checker (sheetgen and openpyxl)…");
  // What the checker imports but never runs (openpyxl's workbook model, urllib, pickle) runs
  // only if something asks for it: sheetgen/web/lazy.py.
  pyodide.runPython("import sys; sys.path.insert(0, '/sheetgen-web.zip')\n" +
                    "from sheetgen.web.lazy import defer_unused; defer_unused()");
  const check = pyodide.pyimport("sheetgen.web.check").check;
  // What is imported stays for the page's life: the cycle collector need not walk it again.
  pyodide.runPython("import gc; gc.freeze()");
  say("Ready: pick or drop your workbook. It stays on your computer; nothing is uploaded.",
      "ready");
  return { pyodide, check, options: pyodide.toPy(options) };
}

const python = startPython().catch((e) => {
  say(`The checker could not start in this browser: ${e.message.split("\n")[0]}`, "failed");
  throw e;
});

function show(name, status, text) {
  $("result").hidden = false;
  $("verdict").textContent = `${name}: ${status.toUpperCase()}`;
  $("verdict").className = status;
  $("report").textContent = text;
}

function offerMarked(result) {
  const link = $("marked");
  if (link.href) URL.revokeObjectURL(link.href);
  link.removeAttribute("href");
  $("download").hidden = true;
  $("marked-error").hidden = !result.marked_error;
  $("marked-error").textContent = result.marked_error;
  if (!result.marked) return;
  const type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  link.href = URL.createObjectURL(new Blob([result.marked], { type }));
  link.download = result.marked_name;
  $("download").hidden = false;
}

async function checkFile(file) {
  $("result").hidden = true;
  document.body.dataset.state = "checking";
  if (file.size > MAX_MB * 1024 * 1024) {
    show(file.name, "error", `${file.name}: ERROR: the file is ` +
         `${(file.size / 1048576).toFixed(1)} MB, more than the ${MAX_MB} MB this page reads`);
    offerMarked({});
    say("Not checked: pick another workbook.", "done");
    return;
  }
  const data = new Uint8Array(await file.arrayBuffer());
  let py;
  try {
    py = await python;
  } catch (e) {
    return;
  }
  say(`Checking ${file.name}…`);
  await new Promise((resolve) => setTimeout(resolve, 20));  // let the status line paint
  const out = py.check(data, file.name, py.options);
  const result = out.toJs({ dict_converter: Object.fromEntries });
  out.destroy();
  show(file.name, result.status, result.text);
  offerMarked(result);
  say(`Checked ${file.name} in your browser. Fix, save, and drop it again to check again.`,
      "done");
}

function run(file) {
  checkFile(file)
    .catch((e) => say(`Could not check ${file.name}: ${e.message.split("\n")[0]}`, "failed"))
    .finally(() => {  // how many files this page has answered (the browser tests wait on it)
      document.body.dataset.checked = Number(document.body.dataset.checked || 0) + 1;
    });
}

$("file").addEventListener("change", (event) => {
  if (event.target.files.length) run(event.target.files[0]);
  event.target.value = "";  // picking the same file again checks it again
});
const drop = $("drop");
for (const type of ["dragenter", "dragover"]) {
  drop.addEventListener(type, (event) => { event.preventDefault(); drop.classList.add("over"); });
}
for (const type of ["dragleave", "drop"]) {
  drop.addEventListener(type, () => drop.classList.remove("over"));
}
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  if (event.dataTransfer.files.length) run(event.dataTransfer.files[0]);
});
