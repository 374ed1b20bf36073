package dev.atoll.gateway.internal.wiring;

import dev.atoll.gateway.backend.ToolBundle;
import dev.atoll.runtime.ToolSource;
import java.util.List;
import java.util.logging.Logger;

/** The bundled tools on the module path ({@code examples.*}; tools-examples provides them). */
public final class Bundles {

    private static final Logger LOG = Logger.getLogger(Bundles.class.getName());

    private Bundles() {}

    /**
     * The tools of the bundles named {@code name} on the module path (tools-examples provides them).
     *
     * @param name the bundle name ({@link ToolBundle#EXAMPLES}, {@link ToolBundle#CONFORMANCE})
     * @return the tools, empty (with a warning) when no such bundle is there
     */
    public static List<ToolSource> tools(String name) {
        List<ToolSource> tools = java.util.ServiceLoader.load(ToolBundle.class).stream()
                .map(java.util.ServiceLoader.Provider::get)
                .filter(b -> b.name().equals(name))
                .flatMap(b -> b.tools().stream())
                .toList();
        if (tools.isEmpty()) {
            LOG.warning("no '" + name + "' tool bundle on the module path (atoll-tools-examples): nothing to deploy");
        }
        return tools;
    }
}
