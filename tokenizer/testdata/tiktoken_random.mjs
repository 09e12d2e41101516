// Writes golden/tiktoken_random.json: random strings over characters that
// stress the GPT-2 and GPT-4 split patterns (contractions in both cases,
// Unicode letters, numbers and white space, combining marks, emoji), with the
// ids tiktoken's encode_ordinary gives, for TestGoldenTiktokenRandom.
// usage: NODE_PATH=<scratch>/node_modules node tiktoken_random.mjs OUT.json
import { createRequire } from "module";
import fs from "fs";
const require = createRequire(import.meta.url);
const { get_encoding } = require("tiktoken");
const alphabet = [..."aZ's tTdDmMlLvVeErR", "'", "'", " ", " ", "  ", "\n", "\r", "\r\n", "\t",
  "\u0085", "\u00a0", "\u3000", "\u2028", "\u1680", "\u200b", "\x0b", "\x0c", "\x1c",
  "1", "12345", "٣", "²", "Ⅻ", "½", "é", "ſ", "\u212a", "ß", "日本", "ー", "ǅ", "ʰ", "!", "?", "(",
  ".", "😉", "\u0301", "\u200d", "🏳", "\ufe0f", "$", "_", "-", "\x00", "\x7f", "\ue000", "ΣΑ", "İ",
  "hello", " world", "don't", "WE'LL", "ſt", "안녕"];
let seed = 12345;
const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const strings = [];
for (let i = 0; i < 400; i++) {
  let s = "";
  const n = rand(30);
  for (let k = 0; k < n; k++) s += alphabet[rand(alphabet.length)];
  strings.push(s);
}
const res = { source: "tiktoken npm, encode_ordinary", cases: [] };
for (const name of ["gpt2", "cl100k_base"]) {
  const enc = get_encoding(name);
  for (const s of strings) res.cases.push({ encoding: name, text: s, ids: Array.from(enc.encode_ordinary(s)) });
  enc.free();
}
fs.writeFileSync(out(), JSON.stringify(res) + "\n");
function out() { return process.argv[2]; }
console.log("wrote", res.cases.length, "cases");
