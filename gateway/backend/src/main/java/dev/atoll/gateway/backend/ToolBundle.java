package dev.atoll.gateway.backend;

import dev.atoll.runtime.ToolSource;
import java.util.List;

/**
 * Tools shipped with a distribution that the gateway can deploy on its own (the quick start's
 * examples, the MCP conformance suite's fixtures). A service: the gateway finds bundles with
 * {@link java.util.ServiceLoader}, so no gateway module depends on the module that ships them.
 */
public interface ToolBundle {

    /** The bundle the gateway deploys on a first start ({@code examples.deploy}). */
    String EXAMPLES = "examples";

    /** The MCP conformance suite's fixture tools ({@code examples.conformance}). */
    String CONFORMANCE = "conformance";

    /**
     * The bundle's name, e.g. {@link #EXAMPLES} or {@link #CONFORMANCE}.
     *
     * @return the name
     */
    String name();

    /**
     * Reads the bundle's tools.
     *
     * @return the tool sources, in deployment order
     */
    List<ToolSource> tools();
}
