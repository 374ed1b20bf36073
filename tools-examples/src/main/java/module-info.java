/** Atoll's example tools, shipped as resources: the tools the quick start deploys. */
module dev.atoll.tools.examples {
    requires transitive dev.atoll.runtime;

    exports dev.atoll.tools.examples;
    opens dev.atoll.tools.examples.js;
    opens dev.atoll.tools.examples.python;
}
