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

// The site's own files are fetched at once, while Pyodide loads: the options, the checker's
// Python and numpy's files (compiled to bytecode by `sheetgen web`: sheetgen/web/bytecode.py).
const options = fetch("options.json").then((r) => r.json());
const site = Promise.all([options, bytesOf("sheetgen-web.zip"), options.then(numpyFiles)]);
site.catch(() => {});  // a failure is reported where it is awaited

// numpy's archive (sheetgen/web/numpy_files.py), checked against the sha256 `sheetgen web`
// recorded (the browser refuses other bytes) and inflated by the browser itself: a tar, or the
// gzipped bytes where the browser has no DecompressionStream (Python inflates them then).
async function numpyFiles({ numpy }) {
  const response = await fetch(numpy.archive, { integrity: numpy.integrity });
  if (!response.ok) throw new Error(`${numpy.archive}: ${response.status} ${response.statusText}`);
  if (typeof DecompressionStream === "undefined") {
    return { gzipped: new Uint8Array(await response.arrayBuffer()) };
  }
  const tar = response.body.pipeThrough(new DecompressionStream("gzip"));
  return { tar: new Uint8Array(await new Response(tar).arrayBuffer()) };
}

// Write the files of a ustar archive under `root` in Pyodide's file system.
function untar(tar, FS, root) {
  const text = new TextDecoder();
  const field = (at, size) => {
    const bytes = tar.subarray(at, at + size);
    const end = bytes.indexOf(0);
    return text.decode(end < 0 ? bytes : bytes.subarray(0, end));
  };
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0;) {
    const prefix = field(at + 345, 155);
    const name = (prefix ? prefix + "/" : "") + field(at, 100);
    const size = parseInt(field(at + 124, 12).trim(), 8);
    if (!/^[\w.+-]+(\/[\w.+-]+)*$/.test(name) || name.split("/").includes("..") ||
        !(size >= 0) || at + 512 + size > tar.length) {
      throw new Error(`a damaged numpy archive (at ${name.slice(0, 80)})`);
    }
    const path = root + name;
    FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    FS.writeFile(path, tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
}

async function startPython() {
  say("Loading Python into this page (Pyodide, about 7 MB compressed, from this site)…");
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", location.href).href,
                                      stdout: () => {}, stderr: () => {} });
  say("Loading numpy (the reference's arithmetic)…");
  const [{ numpy, ...options }, code, files] = await site;
  pyodide.FS.writeFile("/sheetgen-web.zip", code);  // imported from the zip itself
  if (files.tar) {
    untar(files.tar, pyodide.FS, numpy.root);
  } else {
    pyodide.unpackArchive(files.gzipped, "gztar", { extractDir: numpy.root });
  }
  // Then link numpy's shared libraries, as Pyodide's own installer does after unpacking a wheel
  // (`_api` is Pyodide's inside: the site pins Pyodide 0.27.7, and the browser tests run this).
  await pyodide._api.loadDynlibsFromPackage({ file_name: "numpy" }, numpy.libs);
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
    document.body.dataset.state = "failed";  // the status line says why Python did not start
    return;
  }
  say(`Checking ${file.name}…`);
  await painted();
  const out = py.check(data, file.name, py.options);
  const result = out.toJs({ dict_converter: Object.fromEntries });
  out.destroy();
  show(file.name, result.status, result.text);
  offerMarked({});
  if (result.mark) {  // the report first, then its marked copy
    say(`Checked ${file.name} in your browser. Writing the marked copy…`);
    await painted();
    const marked = result.mark();
    const [bytes, why] = marked.toJs();
    marked.destroy();
    result.mark.destroy();
    offerMarked({ marked: bytes, marked_name: result.marked_name, marked_error: why });
  }
  say(`Checked ${file.name} in your browser. Fix, save, and drop it again to check again.`,
      "done");
}

// Wait until what was just put on the page has been painted.
function painted() {
  return new Promise((resolve) => setTimeout(resolve, 20));
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
