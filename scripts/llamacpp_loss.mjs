// Run a tapegrad GGUF export in llama.cpp itself (the prebuilt binaries of the
// node-llama-cpp npm package) and print its loss on the first block of a text:
// the mean of −log p(next token) over the block, fed one token at a time.
// Compare with `go run ./scripts/firstblock MODEL TEXT` (tapegrad) and
// scripts/load_in_pytorch.py (PyTorch).
//
//   mkdir /tmp/nlc && cd /tmp/nlc && npm install node-llama-cpp@3.22.1
//   cp …/scripts/llamacpp_loss.mjs . && node llamacpp_loss.mjs shk.gguf …/tinyshakespeare.txt 64
//
// The text goes through llama.cpp's own tokenizer (the exported vocabulary).
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { readFileSync } from "node:fs";
const [modelPath, textPath, nArg] = process.argv.slice(2);
const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error, build: "never" });
const model = await llama.loadModel({ modelPath });
const T = Number(nArg ?? model.trainContextSize);
const text = readFileSync(textPath, "utf8");
const ids = model.tokenize(text.slice(0, 4 * T), false).slice(0, T + 1);
const ctx = await model.createContext({ contextSize: T + 1, batchSize: T + 1, threads: 1 });
const seq = ctx.getSequence();
const it = seq.evaluateWithMetadata([ids[0]], { probabilities: true }, { temperature: 1, topK: 0, topP: 1, minP: 0, yieldEogToken: true });
let sum = 0, step = await it.next();
for (let t = 0; t < T; t++) {
  sum += -Math.log(step.value.probabilities.get(ids[t + 1]));
  if (t + 1 < T) step = await it.next(ids[t + 1]);
}
await it.return();
console.log(`llama.cpp loss ${(sum / T).toFixed(6)} on the first ${T} tokens (ids ${ids.slice(0, 8).join(",")}...)`);
await ctx.dispose(); await model.dispose();
