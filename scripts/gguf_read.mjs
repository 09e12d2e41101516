import { gguf } from "@huggingface/gguf";
for (const f of process.argv.slice(2)) {
  const { metadata, tensorInfos, tensorDataOffset } = await gguf(f, { allowLocalFile: true, computeParametersCount: true });
  console.log("== " + f + "  tensorDataOffset=" + tensorDataOffset);
  for (const [k, v] of Object.entries(metadata)) {
    if (Array.isArray(v)) console.log(`${k}: [${v.length}] ${JSON.stringify(v.slice(0, 12))}${v.length > 12 ? " ..." : ""}`);
    else console.log(`${k}: ${typeof v === "bigint" ? v.toString() + "n" : JSON.stringify(v)}`);
  }
  const names = { 0: "F32", 1: "F16", 2: "Q4_0", 8: "Q8_0" };
  for (const t of tensorInfos) console.log(`  ${t.name.padEnd(24)} dims=[${t.shape.map(String)}] ${names[t.dtype] ?? t.dtype} offset=${t.offset}`);
}
