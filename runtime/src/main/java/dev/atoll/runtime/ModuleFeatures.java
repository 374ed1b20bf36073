package dev.atoll.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The MCP server features a module offers besides its tool, declared in its static manifest (and so
 * part of what an operator approves and what the digest pins): resources, resource templates and
 * prompts. Each declaration is kept as the JSON object MCP lists, already checked by the manifest
 * parser; the module's {@code readResource}, {@code getPrompt} and {@code complete} exports serve them.
 *
 * @param resources {@code Resource} objects: {@code uri}, {@code name}, optional {@code title},
 *     {@code description}, {@code mimeType}, {@code size}, {@code annotations}
 * @param resourceTemplates {@code ResourceTemplate} objects: {@code uriTemplate} (RFC 6570 level 1),
 *     {@code name}, optional {@code title}, {@code description}, {@code mimeType}, {@code annotations}
 * @param prompts {@code Prompt} objects: {@code name}, optional {@code title}, {@code description},
 *     {@code arguments} ({@code name}, optional {@code title}, {@code description}, {@code required})
 */
public record ModuleFeatures(List<ObjectNode> resources, List<ObjectNode> resourceTemplates, List<ObjectNode> prompts) {

    private static final ModuleFeatures NONE = new ModuleFeatures(List.of(), List.of(), List.of());

    /** Copies the lists (deeply: the nodes are mutable). */
    public ModuleFeatures {
        resources = resources.stream().map(ObjectNode::deepCopy).toList();
        resourceTemplates = resourceTemplates.stream().map(ObjectNode::deepCopy).toList();
        prompts = prompts.stream().map(ObjectNode::deepCopy).toList();
    }

    /** @return a module that offers only its tool */
    public static ModuleFeatures none() {
        return NONE;
    }

    /** @return whether the module offers nothing besides its tool */
    public boolean isEmpty() {
        return resources.isEmpty() && resourceTemplates.isEmpty() && prompts.isEmpty();
    }
}
