// Shared by the Node tests: the example data of examples/data/.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The example data of examples/data/ as text records and as columns of text (empty = null). */
export function exampleData(file) {
  const lines = readFileSync(join(repo, "examples/data", file), "utf8").trim().split(/\r?\n/);
  const header = lines[0].split(",");
  const records = lines.slice(1).map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(header.map((h, i) => [h, cells[i] === "" ? null : cells[i]]));
  });
  const columns = Object.fromEntries(header.map((h) => [h, records.map((r) => r[h])]));
  return { header, records, columns };
}


/** The repository's root, and the built package (`wasm/build.sh` writes it). */
export const repoRoot = repo;
export const pkgDir = join(repo, "wasm/pkg");
