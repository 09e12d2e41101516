// Writes golden/tiktoken_files.json: the number of ids and the sha256 of the
// ids (decimal, comma-separated) that tiktoken's encode_ordinary gives for
// whole files, for TestTiktokenFiles.
// usage: npm install tiktoken   (in a scratch folder)
//        NODE_PATH=<scratch>/node_modules node tiktoken_files.mjs OUT.json DATADIR
import { createRequire } from "module";
import crypto from "crypto";
import fs from "fs";
const require = createRequire(import.meta.url);
const { get_encoding } = require("tiktoken");
const pkg = require.resolve("tiktoken").replace(/[^/]*$/, "package.json");
const version = JSON.parse(fs.readFileSync(pkg, "utf8")).version;
const [out, dir] = process.argv.slice(2);
const res = { source: `tiktoken npm ${version}, encode_ordinary`, files: {} };
for (const f of ["tinyshakespeare.txt", "taylorswift.txt"]) {
  const t = fs.readFileSync(`${dir}/${f}`, "utf8");
  res.files[f] = {};
  for (const name of ["gpt2", "cl100k_base"]) {
    const enc = get_encoding(name);
    const ids = Array.from(enc.encode_ordinary(t));
    enc.free();
    const sha256 = crypto.createHash("sha256").update(ids.join(",")).digest("hex");
    res.files[f][name] = { n: ids.length, sha256 };
  }
}
fs.writeFileSync(out, JSON.stringify(res, null, 1) + "\n");
console.log("wrote", out);
