package dev.atoll.runtime.internal;

import com.networknt.schema.Schema;
import dev.atoll.runtime.ToolManifest;
import java.util.Optional;
import org.graalvm.polyglot.Source;

/**
 * What the runtime keeps of a loaded tool: its module source (one object, so the shared engine parses
 * and compiles it once), compiled schemas and the {@code env} object handed to each call.
 *
 * @param engine the engine of its language, which its module is parsed and compiled in
 * @param module the module source
 * @param manifest the manifest
 * @param input compiled input schema
 * @param output compiled output schema, if any
 * @param envJson JSON of the {@code env} argument
 * @param digest SHA-256 (hex) of the code
 * @param standing whether its calls run on probation (in the low-priority lane) on this node
 */
public record CompiledTool(
        GuestEngine engine,
        Source module,
        ToolManifest manifest,
        Schema input,
        Optional<Schema> output,
        String envJson,
        String digest,
        Standing standing) {}
