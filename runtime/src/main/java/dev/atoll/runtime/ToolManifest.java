package dev.atoll.runtime;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a tool file declares about itself ({@code export const tool = {...}} in JS).
 *
 * @param name the tool name, {@code [a-z0-9_]{1,64}}
 * @param title optional human-readable title
 * @param description what the tool does, shown to models
 * @param inputSchema JSON Schema (2020-12) of the arguments; an object schema
 * @param outputSchema optional JSON Schema of the result; an object schema
 * @param annotations optional MCP tool annotations, passed through
 * @param egress hosts ({@code host} or {@code host:port}) the tool's fetch may reach
 * @param secrets secret name to the hosts that secret may be sent to
 * @param limits requested limit overrides
 * @param features resources, resource templates and prompts the module offers besides its tool
 */
public record ToolManifest(
        String name,
        Optional<String> title,
        String description,
        ObjectNode inputSchema,
        Optional<ObjectNode> outputSchema,
        Optional<ObjectNode> annotations,
        List<String> egress,
        Map<String, List<String>> secrets,
        LimitOverrides limits,
        ModuleFeatures features) {

    /**
     * A manifest of a module that offers only its tool.
     *
     * @param name the tool name
     * @param title optional title
     * @param description the description
     * @param inputSchema the input schema
     * @param outputSchema optional output schema
     * @param annotations optional annotations
     * @param egress egress hosts
     * @param secrets secret grants
     * @param limits limit overrides
     */
    public ToolManifest(
            String name,
            Optional<String> title,
            String description,
            ObjectNode inputSchema,
            Optional<ObjectNode> outputSchema,
            Optional<ObjectNode> annotations,
            List<String> egress,
            Map<String, List<String>> secrets,
            LimitOverrides limits) {
        this(
                name,
                title,
                description,
                inputSchema,
                outputSchema,
                annotations,
                egress,
                secrets,
                limits,
                ModuleFeatures.none());
    }

    /** Copies the collections and rejects nulls. */
    public ToolManifest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(inputSchema, "inputSchema");
        Objects.requireNonNull(outputSchema, "outputSchema");
        Objects.requireNonNull(annotations, "annotations");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(features, "features");
        egress = List.copyOf(egress);
        secrets = Map.copyOf(secrets);
    }

    /**
     * Reads a manifest stored as {@link #toJson()} wrote it, with the checks a tool file's manifest
     * gets.
     *
     * @param json the manifest JSON
     * @return the manifest
     * @throws InvalidToolException naming the first problem found
     */
    public static ToolManifest fromJson(com.fasterxml.jackson.databind.JsonNode json) {
        return dev.atoll.runtime.internal.ManifestParser.parse(json);
    }

    /** The manifest as JSON, in the tool file's own shape. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("name", name);
        title.ifPresent(t -> n.put("title", t));
        n.put("description", description);
        n.set("inputSchema", inputSchema.deepCopy());
        outputSchema.ifPresent(s -> n.set("outputSchema", s.deepCopy()));
        annotations.ifPresent(a -> n.set("annotations", a.deepCopy()));
        if (!egress.isEmpty()) {
            egress.forEach(n.putArray("egress")::add);
        }
        if (!secrets.isEmpty()) {
            ObjectNode s = n.putObject("secrets");
            secrets.forEach((k, hosts) -> hosts.forEach(s.putArray(k)::add));
        }
        ObjectNode l = n.objectNode();
        limits.cpuMs().ifPresent(v -> l.put("cpuMs", v));
        limits.wallMs().ifPresent(v -> l.put("wallMs", v));
        limits.memoryMb().ifPresent(v -> l.put("memoryMb", v));
        limits.outputKb().ifPresent(v -> l.put("outputKb", v));
        limits.logKb().ifPresent(v -> l.put("logKb", v));
        if (!l.isEmpty()) {
            n.set("limits", l);
        }
        if (!features.resources().isEmpty()) {
            features.resources().forEach(r -> n.withArray("resources").add(r.deepCopy()));
        }
        if (!features.resourceTemplates().isEmpty()) {
            features.resourceTemplates()
                    .forEach(r -> n.withArray("resourceTemplates").add(r.deepCopy()));
        }
        if (!features.prompts().isEmpty()) {
            features.prompts().forEach(r -> n.withArray("prompts").add(r.deepCopy()));
        }
        return n;
    }
}
