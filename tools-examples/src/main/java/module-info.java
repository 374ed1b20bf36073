/**
 * Atoll's example tools, shipped as resources: the tools the quick start deploys. They reach the
 * gateway as {@link dev.atoll.gateway.backend.ToolBundle} services, so no gateway module requires this one.
 */
module dev.atoll.tools.examples {
    requires transitive dev.atoll.runtime;
    requires transitive dev.atoll.gateway.backend;

    exports dev.atoll.tools.examples;

    opens dev.atoll.tools.examples.js;
    opens dev.atoll.tools.examples.python;

    provides dev.atoll.gateway.backend.ToolBundle with
            dev.atoll.tools.examples.ExampleBundles.ExampleTools,
            dev.atoll.tools.examples.ExampleBundles.ConformanceTools;
}
