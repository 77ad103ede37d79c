// Run `pyc.py` inside the pinned Pyodide under Node: the page's Python compiled to bytecode by
// the CPython the page runs (started by sheetgen/web/bytecode.py).
// Usage: node compile.cjs PYODIDE_DIR JOB_DIR [STDLIB_ZIP]
//   PYODIDE_DIR: Pyodide's core files; JOB_DIR: pyc.py, job.json and the zips it names, seen by
//   Python as /job; STDLIB_ZIP: a standard library to start with (one compiled before starts
//   faster). Exits 1 with the error's last line on stderr.
"use strict";
const path = require("node:path");

const [pyodideDir, jobDir, stdlib] = process.argv.slice(2);
const { loadPyodide } = require(path.resolve(pyodideDir, "pyodide.js"));

async function main() {
  const pyodide = await loadPyodide({
    indexURL: path.resolve(pyodideDir) + path.sep,
    ...(stdlib ? { stdLibURL: path.resolve(stdlib) } : {}),
    stdout: () => {},
    stderr: () => {},
  });
  pyodide.mountNodeFS("/job", path.resolve(jobDir));
  pyodide.runPython("import runpy, sys\nsys.argv = ['pyc.py', '/job/job.json']\n" +
                    "runpy.run_path('/job/pyc.py', run_name='__main__')");
}

main().catch((e) => {
  const lines = String((e && e.message) || e).trim().split("\n");
  console.error(lines[lines.length - 1]);
  process.exit(1);
});
