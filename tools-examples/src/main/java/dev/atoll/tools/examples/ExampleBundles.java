package dev.atoll.tools.examples;

import dev.atoll.gateway.backend.ToolBundle;
import dev.atoll.runtime.ToolSource;
import java.util.List;

/** The bundled tools as {@link ToolBundle} services, so the gateway finds them without depending on this module. */
public final class ExampleBundles {

    private ExampleBundles() {}

    /** The quick start's examples ({@link Examples#all()}). */
    public static final class ExampleTools implements ToolBundle {

        /** Creates the bundle (a service provider). */
        public ExampleTools() {}

        @Override
        public String name() {
            return EXAMPLES;
        }

        @Override
        public List<ToolSource> tools() {
            return Examples.all();
        }
    }

    /** The MCP conformance suite's fixture tools ({@link Examples#conformance()}). */
    public static final class ConformanceTools implements ToolBundle {

        /** Creates the bundle (a service provider). */
        public ConformanceTools() {}

        @Override
        public String name() {
            return CONFORMANCE;
        }

        @Override
        public List<ToolSource> tools() {
            return Examples.conformance();
        }
    }
}
