// Times tiktoken's npm package (Rust core compiled to WASM, one thread)
// encoding a whole file, as `tapegrad bench tokenizer` times ours: one
// warm-up run, then the best of 5. Prints a table row and a JSON line.
// usage: npm install tiktoken   (in a scratch folder)
//        NODE_PATH=<scratch>/node_modules node bench_tiktoken.mjs FILE [ENCODING...]
import { createRequire } from "module";
import fs from "fs";
const require = createRequire(import.meta.url);
const { get_encoding } = require("tiktoken");
const [file, ...names] = process.argv.slice(2);
const text = fs.readFileSync(file, "utf8");
const bytes = Buffer.byteLength(text, "utf8");
for (const name of names.length ? names : ["gpt2"]) {
  const enc = get_encoding(name);
  let ids = enc.encode_ordinary(text);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    ids = enc.encode_ordinary(text);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  enc.free();
  const mbps = bytes / best / 1e6;
  console.log(`encode  tiktoken-npm ${name}  ${file.split("/").pop()}  threads 1  ${ids.length} tokens  ${(best * 1e3).toFixed(1)} ms  ${mbps.toFixed(2)} MB/s`);
  console.log(JSON.stringify({ bench: "tokenizer", op: "encode", tokenizer: `tiktoken-npm/${name}`, file: file.split("/").pop(), bytes, tokens: ids.length, threads: 1, seconds: best, mb_per_s: Math.round(mbps * 100) / 100 }));
}
