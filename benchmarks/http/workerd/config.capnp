# workerd configuration of vs-workerd.sh. Socket "warm": one module worker (worker.mjs and the tool)
# whose isolate serves every request. Socket "fresh": a worker that runs the same two modules in a new
# Dynamic Worker (worker loader, unique id) per request. vs-workerd.sh sets the addresses.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "warm", worker = .warm), (name = "fresh", worker = .fresh)],
  sockets = [
    (name = "warm", address = "127.0.0.1:0", http = (), service = "warm"),
    (name = "fresh", address = "127.0.0.1:0", http = (), service = "fresh"),
  ],
);

const warm :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "word_count.mjs", esModule = embed "../../../tools-examples/js/word_count.mjs"),
  ],
  bindings = [(name = "TOKEN", fromEnvironment = "ATOLL_MCP_TOKEN")],
  compatibilityDate = "2026-11-01",
);

const fresh :Workerd.Worker = (
  modules = [
    (name = "fresh.mjs", esModule = embed "fresh.mjs"),
    (name = "worker-source.txt", text = embed "worker.mjs"),
    (name = "word_count-source.txt", text = embed "../../../tools-examples/js/word_count.mjs"),
  ],
  bindings = [
    (name = "TOKEN", fromEnvironment = "ATOLL_MCP_TOKEN"),
    (name = "LOADER", workerLoader = ()),
  ],
  compatibilityDate = "2026-11-01",
);
