// The fresh-isolate variant of vs-workerd.sh: for every request, a new Dynamic Worker (workerd's
// worker loader, a unique id per request so no isolate is reused) runs worker.mjs with the tool.
import workerSource from "./worker-source.txt";
import toolSource from "./word_count-source.txt";

let next = 0;
export default {
  async fetch(request, env) {
    const worker = env.LOADER.get(`call-${next++}`, () => ({
      compatibilityDate: "2026-11-01",
      mainModule: "worker.js",
      modules: { "worker.js": workerSource.replace("./word_count.mjs", "./word_count.js"), "word_count.js": toolSource },
      env: { TOKEN: env.TOKEN },
      globalOutbound: null,
    }));
    return worker.getEntrypoint().fetch(request);
  },
};
