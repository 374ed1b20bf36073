package dev.atoll.gateway.upstream.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.CallContext;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.HeaderAnnotations;
import dev.atoll.gateway.backend.ToolBackend;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.registry.UpstreamInfo;
import dev.atoll.gateway.registry.UpstreamTool;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Upstream tools in the catalogue: every approved tool whose reported definition equals its pin,
 * named {@code UPSTREAM__TOOL} (two underscores; MCP tool names allow {@code [A-Za-z0-9_.-]}), with
 * the pinned definition under that name. A call goes to the server with the tool's own name.
 */
public final class UpstreamBackend implements ToolBackend {

    /** Separator between the upstream name and the tool name. */
    public static final String SEPARATOR = "__";
    /**
     * The name under which an upstream's resources, resource templates and prompts are recorded, pinned
     * and approved alongside its tools (one definition {@code {name, resources, resourceTemplates,
     * prompts}}); never a tool: {@code #} is outside MCP tool names, and a server's own tool of this
     * name is dropped.
     */
    public static final String FEATURES = "#features";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    private static final Logger LOG = Logger.getLogger(UpstreamBackend.class.getName());

    /** The catalogue handle of an upstream tool. */
    public record Target(String upstream, String tool) {}

    private final UpstreamManager manager;

    /**
     * Creates the backend.
     *
     * @param manager the running upstreams
     */
    public UpstreamBackend(UpstreamManager manager) {
        this.manager = manager;
    }

    /**
     * The catalogue entries of the serving upstream tools.
     *
     * @param upstreams every registered upstream
     * @return entries, one per serving tool with a valid namespaced name
     */
    public List<CatalogEntry> entries(List<UpstreamInfo> upstreams) {
        List<CatalogEntry> out = new ArrayList<>();
        for (UpstreamInfo u : upstreams) {
            for (UpstreamTool t : u.tools()) {
                String name = u.name() + SEPARATOR + t.name();
                if (t.name().equals(FEATURES)
                        || !t.serving()
                        || !NAME.matcher(name).matches()
                        || t.pinnedDefinition().isEmpty()) {
                    continue;
                }
                ObjectNode def = t.pinnedDefinition().get().deepCopy();
                List<String> headerProblems = HeaderAnnotations.problems(def.path("inputSchema"));
                if (!headerProblems.isEmpty()) { // clients must hide it: do not serve it at all
                    LOG.warning("upstream tool " + name + " is not served: " + String.join("; ", headerProblems));
                    continue;
                }
                def.put("name", name);
                out.add(new CatalogEntry(
                        name, t.version(), t.pinnedDigest().orElseThrow(), def, this, new Target(u.name(), t.name())));
            }
        }
        return out;
    }

    @Override
    public ToolReply call(CatalogEntry tool, ObjectNode arguments, CallContext context) {
        Target target = (Target) tool.handle();
        return manager.call(target.upstream(), target.tool(), arguments, context.client());
    }
}
