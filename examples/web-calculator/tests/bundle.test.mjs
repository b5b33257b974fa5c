// The package in a bundled app, as the README says to build it: `npm pack` of wasm/pkg installed
// into an empty folder, a small app that imports the engine and the element, bundled with esbuild
// (its `.wasm` copied by the `file` loader) and with Vite (which copies the `.wasm` the web build
// finds through `new URL(…, import.meta.url)`, no configuration), each loaded in Debian's
// headless Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { build as viteBuild } from "vite";
import { serve, launch } from "./browser.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
let dir;
let server;
let viteServer;
let browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "qinglian-bundle-"));
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: join(repo, "wasm/pkg"), encoding: "utf8" }),
  );
  const app = join(dir, "app");
  mkdirSync(join(app, "src"), { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", join(dir, packed.filename)], { cwd: app, stdio: "pipe" });
  // The README's esbuild example.
  writeFileSync(
    join(app, "src/main.js"),
    `import init, { Ruleset, RecordError } from "qinglian";
import wasmUrl from "qinglian/qinglian_bg.wasm"; // esbuild --loader:.wasm=file copies it
import { configure } from "qinglian/calculator";

configure({ wasm: wasmUrl }); // the element loads the same file
await init({ module_or_path: wasmUrl });
const text = await (await fetch("village.toml")).text();
const ruleset = Ruleset.fromToml(text);
let error = null;
try { ruleset.evaluate({ risk_likelihood: 9 }); } catch (e) { error = e; }
window.engineCheck = { inputs: ruleset.inputs().length, classed: error instanceof RecordError, code: error?.code };
`,
  );
  const dist = join(app, "dist");
  await build({
    absWorkingDir: app,
    entryPoints: ["src/main.js"],
    bundle: true,
    format: "esm",
    outdir: "dist",
    loader: { ".wasm": "file" },
    logLevel: "silent",
  });
  writeFileSync(
    join(dist, "index.html"),
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>bundle</title><link rel="icon" href="data:,">
<script type="module" src="main.js"></script></head>
<body><qinglian-calculator ruleset="village.toml"></qinglian-calculator></body></html>`,
  );
  copyFileSync(join(repo, "rules/village.toml"), join(dist, "village.toml"));
  server = await serve(dist);

  // The same app for Vite: no `.wasm` import and no configure(); Vite follows the web build's
  // `new URL("qinglian_bg.wasm", import.meta.url)` and emits the file with a hashed name.
  writeFileSync(
    join(app, "src/vite-main.js"),
    `import init, { Ruleset, RecordError } from "qinglian";
import "qinglian/calculator";

await init();
const text = await (await fetch("village.toml")).text();
const ruleset = Ruleset.fromToml(text);
let error = null;
try { ruleset.evaluate({ risk_likelihood: 9 }); } catch (e) { error = e; }
window.engineCheck = { inputs: ruleset.inputs().length, classed: error instanceof RecordError, code: error?.code };
`,
  );
  writeFileSync(
    join(app, "index.html"),
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>vite</title><link rel="icon" href="data:,">
<script type="module" src="/src/vite-main.js"></script></head>
<body><qinglian-calculator ruleset="village.toml"></qinglian-calculator></body></html>`,
  );
  await viteBuild({
    root: app,
    configFile: false,
    logLevel: "silent",
    build: { outDir: "vite-dist", target: "es2022", emptyOutDir: true },
  });
  copyFileSync(join(repo, "rules/village.toml"), join(app, "vite-dist/village.toml"));
  viteServer = await serve(join(app, "vite-dist"));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await viteServer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("esbuild writes out one .wasm, and the bundle runs the engine and the element in Chromium", async () => {
  const dist = join(dir, "app/dist");
  const wasm = readdirSync(dist).filter((f) => f.endsWith(".wasm"));
  assert.equal(wasm.length, 1, `wasm files in the bundle: ${wasm}`);
  assert.ok(readFileSync(join(dist, "main.js"), "utf8").includes(wasm[0]), "the bundle points at the file it wrote");

  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(server.url);
  await page.waitForSelector('qinglian-calculator[data-ready="true"]');
  await page.waitForFunction(() => window.engineCheck);
  const check = await page.evaluate(() => window.engineCheck);
  assert.deepEqual(check, { inputs: check.inputs, classed: true, code: "record.out_of_range" });
  assert.ok(check.inputs > 10);
  const state = await page.evaluate(() => document.querySelector("qinglian-calculator").dataset.state);
  assert.equal(state, "partial", "the element shows the ruleset's form, nothing answered");
  assert.deepEqual(errors, []);
  await page.close();
});

test("Vite builds the app with the package's .wasm, and it runs the engine and the element in Chromium", async () => {
  const dist = join(dir, "app/vite-dist");
  const assets = readdirSync(join(dist, "assets"));
  const wasm = assets.filter((f) => f.endsWith(".wasm"));
  assert.equal(wasm.length, 1, `wasm files in the Vite build: ${assets}`);
  const js = assets.filter((f) => f.endsWith(".js")).map((f) => readFileSync(join(dist, "assets", f), "utf8")).join("\n");
  assert.ok(js.includes(wasm[0]), "the bundle points at the file Vite emitted");

  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(viteServer.url);
  await page.waitForSelector('qinglian-calculator[data-ready="true"]');
  await page.waitForFunction(() => window.engineCheck);
  const check = await page.evaluate(() => window.engineCheck);
  assert.deepEqual(check, { inputs: check.inputs, classed: true, code: "record.out_of_range" });
  const state = await page.evaluate(() => document.querySelector("qinglian-calculator").dataset.state);
  assert.equal(state, "partial");
  assert.deepEqual(errors, []);
  await page.close();
});
